// The discussion commands on one node without serving: like/boost and their undos, a local
// thread with depths and counts, history in `thread --json`, and a mention that cannot be
// resolved failing before anything is written.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tests/test_util.h"

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

class DiscussionCli : public ::testing::Test {
 protected:
  CliRun Do(std::vector<std::string> args) {
    args.insert(args.begin(), {CS_BINARY, "--data", data_});
    const std::string out_file = scratch_.str() + "/out", err_file = scratch_.str() + "/err";
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> c;
      for (auto& a : args) c.push_back(a.data());
      c.push_back(nullptr);
      if (!freopen(out_file.c_str(), "w", stdout) || !freopen(err_file.c_str(), "w", stderr))
        _exit(127);
      execv(c[0], c.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = testutil::ReadFile(out_file);
    r.err = testutil::ReadFile(err_file);
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r;
  }
  std::string Ok(std::vector<std::string> args) {
    CliRun r = Do(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    return r.out;
  }
  rapidjson::Document Json(std::vector<std::string> args) {
    rapidjson::Document d;
    std::string out = Ok(std::move(args));
    d.Parse(out.c_str());
    EXPECT_FALSE(d.HasParseError()) << out;
    return d;
  }
  void SetUp() override {
    Ok({"init", "--domain", "school.example", "--http"});
    Ok({"user", "add", "ann"});
    Ok({"user", "add", "bob"});
  }

  testutil::TempDir dir_, scratch_;
  std::string data_ = dir_.str() + "/node";
};

TEST_F(DiscussionCli, ReactionsThreadAndHistory) {
  std::string root = Ok({"post", "--as", "ann", "--summary", "Spoilers", "Root #Maths @bob"});
  std::string r1 = Ok({"post", "--as", "bob", "--reply-to", root, "First reply"});
  std::string r2 = Ok({"post", "--as", "ann", "--reply-to", r1, "Second"});
  std::string r3 = Ok({"post", "--as", "bob", "--reply-to", root, "Another reply"});
  Ok({"like", "--as", "bob", root});
  CliRun twice = Do({"like", "--as", "bob", root});
  EXPECT_EQ(twice.exit_code, 3) << twice.err;
  Ok({"boost", "--as", "bob", root});
  Ok({"like", "--as", "ann", r1});
  Ok({"edit", "--as", "ann", root, "Root, edited"});

  rapidjson::Document t = Json({"thread", r2, "--json"});
  ASSERT_TRUE(t.IsObject());
  EXPECT_EQ(std::string(t["root"].GetString()), root);
  const auto& items = t["items"];
  ASSERT_EQ(items.Size(), 4u);
  const std::string ids[] = {root, r1, r2, r3};
  const int depths[] = {0, 1, 2, 1};
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(std::string(items[i]["id"].GetString()), ids[i]);
    EXPECT_EQ(items[i]["depth"].GetInt(), depths[i]);
  }
  EXPECT_EQ(items[0]["likes"].GetUint(), 1u);
  EXPECT_EQ(items[0]["boosts"].GetUint(), 1u);
  EXPECT_EQ(items[0]["replies"].GetUint(), 2u);
  EXPECT_EQ(items[1]["likes"].GetUint(), 1u);
  EXPECT_STREQ(items[0]["summary"].GetString(), "Spoilers");
  EXPECT_TRUE(items[0]["sensitive"].GetBool());
  ASSERT_EQ(items[0]["edits"].Size(), 1u);
  EXPECT_NE(std::string(items[0]["edits"][0]["content"].GetString()).find("mention hashtag"),
            std::string::npos);
  EXPECT_STREQ(items[0]["content"].GetString(), "<p>Root, edited</p>");
  EXPECT_EQ(items[0]["tags"].Size(), 0u);  // the edit dropped the tags

  // Text: depth-indented.
  std::string text = Ok({"thread", root});
  EXPECT_NE(text.find("\n      Second"), std::string::npos) << text;

  Ok({"unlike", "--as", "bob", root});
  Ok({"unboost", "--as", "bob", root});
  EXPECT_EQ(Do({"unlike", "--as", "bob", root}).exit_code, 3);  // nothing to undo: refused
  rapidjson::Document after = Json({"timeline", "--as", "ann", "--json"});
  ASSERT_TRUE(after.IsArray());
  bool found = false;
  for (const auto& item : after.GetArray()) {
    if (std::string(item["id"].GetString()) != root) continue;
    found = true;
    EXPECT_EQ(item["likes"].GetUint(), 0u);
    EXPECT_EQ(item["boosts"].GetUint(), 0u);
    EXPECT_EQ(item["replies"].GetUint(), 2u);
  }
  EXPECT_TRUE(found);
}

TEST_F(DiscussionCli, AnUnresolvableMentionPostsNothing) {
  CliRun r = Do({"post", "--as", "ann", "Hello @carol@127.0.0.1:1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("@carol@127.0.0.1:1"), std::string::npos) << r.err;
  rapidjson::Document tl = Json({"timeline", "--as", "ann", "--json"});
  ASSERT_TRUE(tl.IsArray());
  EXPECT_EQ(tl.Size(), 0u);
  // A bare @word that is no teacher stays text.
  std::string id = Ok({"post", "--as", "ann", "Hello @everyone"});
  rapidjson::Document t = Json({"thread", id, "--json"});
  EXPECT_STREQ(t["items"][0]["content"].GetString(), "<p>Hello @everyone</p>");
}

}  // namespace
