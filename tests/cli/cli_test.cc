// The `cloudschool` command as an admin meets it, without a running node: exit codes, one-line
// errors, --json documents, refusals that change nothing. Runs the real binary in a temp dir.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs the binary with `args`; stdout and stderr go through files (no pipe deadlocks).
CliRun Cloudschool(const std::vector<std::string>& args, const std::string& scratch) {
  const std::string out_file = scratch + "/out", err_file = scratch + "/err";
  std::vector<std::string> argv = {CS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    if (!freopen(out_file.c_str(), "w", stdout) || !freopen(err_file.c_str(), "w", stderr))
      _exit(127);
    unsetenv("CLOUDSCHOOL_DATA");
    execv(c[0], c.data());
    _exit(127);
  }
  CliRun r;
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = testutil::ReadFile(out_file);
  r.err = testutil::ReadFile(err_file);
  return r;
}

size_t Lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class Cli : public ::testing::Test {
 protected:
  CliRun Do(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", data_});
    return Cloudschool(args, scratch_.str());
  }
  rapidjson::Document Json(std::vector<std::string> args) {
    CliRun r = Do(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.out;
    return d;
  }
  void Init() {
    CliRun r = Do({"init", "--domain", "school.example:8443", "--http"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(Do({"user", "add", "ann", "--display-name", "Ann de Vries"}).exit_code, 0);
  }

  testutil::TempDir dir_, scratch_;
  std::string data_ = dir_.str() + "/node";
};

TEST_F(Cli, HelpListsTheCommandsAndExitsZero) {
  CliRun r = Cloudschool({"--help"}, scratch_.str());
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"init", "serve", "user", "post", "follow", "timeline", "lookup", "domain",
                          "backup", "activity"})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
}

TEST_F(Cli, UsageErrorsExitTwoWithOneLine) {
  Init();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"post", "hello"},  // --as missing
           {"post", "--as", "ann", "--visibility", "secret", "hi"},
           {"timeline", "--as", "ann", "--limit", "0"},
           {"init", "--domain", "not a host"},
           {"init", "--domain", "school.example/path"},
           {"init", "--domain", "school.example", "--allow-addresses", "10.0.0.0/33"},
           {"user", "add", "bad name"}}) {
    CliRun r = Do(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_EQ(Lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("cloudschool: ", 0), 0u) << r.err;
  }
}

TEST_F(Cli, CommandsWithoutANodeSayHowToMakeOne) {
  CliRun r = Do({"user", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cloudschool init"), std::string::npos) << r.err;
  EXPECT_EQ(Lines(r.err), 1u);
  EXPECT_FALSE(std::filesystem::exists(data_ + "/db")) << "a failed command created a node";
}

TEST_F(Cli, InitCreatesTheNodeAndRefusesToOverwriteIt) {
  Init();
  EXPECT_TRUE(std::filesystem::exists(data_ + "/cloudschool.toml"));
  const std::string config = testutil::ReadFile(data_ + "/cloudschool.toml");
  EXPECT_NE(config.find("school.example:8443"), std::string::npos) << config;
  CliRun again = Do({"init", "--domain", "other.example"});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_NE(again.err.find("already"), std::string::npos) << again.err;
  EXPECT_EQ(testutil::ReadFile(data_ + "/cloudschool.toml"), config) << "the config was rewritten";
}

TEST_F(Cli, UsersAreListedAsJsonAndNamesAreUniqueWhateverTheCase) {
  Init();
  CliRun dup = Do({"user", "add", "ANN"});
  EXPECT_EQ(dup.exit_code, 3) << dup.err;
  EXPECT_NE(dup.err.find("taken"), std::string::npos) << dup.err;
  auto users = Json({"user", "list", "--json"});
  ASSERT_TRUE(users.IsArray());
  ASSERT_EQ(users.Size(), 1u);
  EXPECT_STREQ(users[0]["name"].GetString(), "ann");
  EXPECT_STREQ(users[0]["display_name"].GetString(), "Ann de Vries");
  EXPECT_STREQ(users[0]["id"].GetString(), "http://school.example:8443/users/ann");
  const std::string created = users[0]["created"].GetString();
  EXPECT_EQ(created.size(), 20u) << created;  // RFC 3339 UTC: 2026-12-04T08:00:00Z
  EXPECT_EQ(created.back(), 'Z');
}

TEST_F(Cli, PostIsMarkdownWithRawHtmlNeverPassedThrough) {
  Init();
  CliRun post =
      Do({"post", "--as", "ann",
          "**Fractions** <script>alert(1)</script> <b onclick=x>b</b> [x](javascript:alert(1))"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string id = post.out.substr(0, post.out.find('\n'));
  EXPECT_EQ(id.rfind("http://school.example:8443/users/ann/notes/", 0), 0u) << id;
  auto tl = Json({"timeline", "--as", "ann", "--json"});
  ASSERT_TRUE(tl.IsArray());
  ASSERT_EQ(tl.Size(), 1u);
  EXPECT_EQ(std::string(tl[0]["id"].GetString()), id);
  const std::string content = tl[0]["content"].GetString();
  EXPECT_EQ(content.find("<script"), std::string::npos) << content;
  EXPECT_EQ(content.find("onclick"), std::string::npos) << content;
  EXPECT_EQ(content.find("javascript:"), std::string::npos) << content;
  EXPECT_EQ(content.find("<b>"), std::string::npos) << content;
  EXPECT_NE(content.find("<strong>Fractions</strong>"), std::string::npos) << content;
  EXPECT_TRUE(tl[0]["in_reply_to"].IsNull());
  EXPECT_STREQ(tl[0]["visibility"].GetString(), "public");
}

TEST_F(Cli, UnknownUsersAndBadHandlesAreClearErrorsThatChangeNothing) {
  Init();
  CliRun nobody = Do({"post", "--as", "nobody", "hi"});
  EXPECT_EQ(nobody.exit_code, 1);
  EXPECT_NE(nobody.err.find("nobody"), std::string::npos) << nobody.err;
  for (const char* handle : {"@@", "ann@", "@host.example", "user@host:99999"}) {
    CliRun r = Do({"follow", "--as", "ann", handle});
    EXPECT_EQ(r.exit_code, 2) << handle << ": " << r.err;
    EXPECT_EQ(Lines(r.err), 1u) << r.err;
  }
  auto following = Json({"following", "--as", "ann", "--json"});
  EXPECT_TRUE(following.IsArray() && following.Empty());
  auto tl = Json({"timeline", "--as", "ann", "--json"});
  EXPECT_TRUE(tl.IsArray() && tl.Empty());
}

TEST_F(Cli, DomainBlocksAreListed) {
  Init();
  ASSERT_EQ(Do({"domain", "block", "Spam.Example"}).exit_code, 0);
  auto list = Json({"domain", "list", "--json"});
  ASSERT_TRUE(list.IsArray());
  ASSERT_EQ(list.Size(), 1u);
  const rapidjson::Value& entry = list[0];
  const std::string domain = entry.IsString() ? entry.GetString() : entry["domain"].GetString();
  EXPECT_EQ(domain, "spam.example");
  ASSERT_EQ(Do({"domain", "unblock", "spam.example"}).exit_code, 0);
  EXPECT_TRUE(Json({"domain", "list", "--json"}).Empty());
}

TEST_F(Cli, BackupRefusesAnExistingDirectoryAndCopiesTheNode) {
  Init();
  const std::string copy = dir_.str() + "/copy";
  CliRun b = Do({"backup", copy});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(std::filesystem::exists(copy + "/cloudschool.toml"));
  CliRun again = Do({"backup", copy});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  CliRun users = Cloudschool({"--data", copy, "user", "list", "--json"}, scratch_.str());
  EXPECT_EQ(users.exit_code, 0) << users.err;
  EXPECT_NE(users.out.find("\"ann\""), std::string::npos) << users.out;
}

TEST_F(Cli, InspectNeedsNoNodeAndSaysUnderstoodOrRefused) {
  const std::string good = testutil::Fixture("activitypub/mastodon/activities/create_note.json");
  ASSERT_TRUE(std::filesystem::exists(good)) << good;
  CliRun ok = Cloudschool({"activity", "inspect", good}, scratch_.str());
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("Create"), std::string::npos) << ok.out;

  const std::string bad = dir_.str() + "/bad.json";
  std::ofstream(bad) << "{\"type\":\"Create\",";
  CliRun refused = Cloudschool({"activity", "inspect", good, bad, "--json"}, scratch_.str());
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  rapidjson::Document d;
  d.Parse(refused.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << refused.out;
  ASSERT_TRUE(d.IsArray());
  EXPECT_EQ(d.Size(), 2u);

  CliRun missing = Cloudschool({"activity", "inspect", dir_.str() + "/nope.json"}, scratch_.str());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_FALSE(missing.err.empty() && missing.out.empty());
}

TEST_F(Cli, CommunityPostsShowTheirTitleAndCommunityOnTheTimeline) {
  Init();
  ASSERT_EQ(
      Do({"community", "add", "maths", "--title", "Maths teachers", "--join", "open"}).exit_code,
      0);
  CliRun join = Do({"join", "--as", "ann", "maths"});
  ASSERT_EQ(join.exit_code, 0) << join.err;
  CliRun post = Do({"post", "--as", "ann", "--community", "maths", "--title", "Fractions",
                    "Who has a worksheet?"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  auto tl = Json({"timeline", "--as", "ann", "--json"});
  ASSERT_TRUE(tl.IsArray());
  ASSERT_EQ(tl.Size(), 1u);
  EXPECT_STREQ(tl[0]["type"].GetString(), "Page");
  EXPECT_STREQ(tl[0]["title"].GetString(), "Fractions");
  EXPECT_STREQ(tl[0]["community"].GetString(), "http://school.example:8443/c/maths");
  CliRun text = Do({"timeline", "--as", "ann"});
  EXPECT_NE(text.out.find("Fractions: Who has a worksheet?"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" in http://school.example:8443/c/maths"), std::string::npos) << text.out;
}

TEST_F(Cli, ResourceAddTakesALocalCommunityNameAsPostDoes) {
  Init();
  ASSERT_EQ(
      Do({"community", "add", "maths", "--title", "Maths teachers", "--join", "open"}).exit_code,
      0);
  ASSERT_EQ(Do({"join", "--as", "ann", "maths"}).exit_code, 0);
  const std::string file = dir_.str() + "/worksheet.txt";
  std::ofstream(file) << "1/2 + 1/4";
  CliRun add = Do({"resource", "add", "--as", "ann", "--community", "maths", "--title",
                   "Fractions worksheet", "--file", file});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto list = Json({"resource", "list", "--community", "maths", "--json"});
  ASSERT_TRUE(list.IsArray());
  ASSERT_EQ(list.Size(), 1u);
  EXPECT_STREQ(list[0]["community"].GetString(), "http://school.example:8443/c/maths");
  CliRun unknown = Do(
      {"resource", "add", "--as", "ann", "--community", "nosuch", "--title", "x", "--file", file});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no community named 'nosuch'"), std::string::npos) << unknown.err;
}

}  // namespace
