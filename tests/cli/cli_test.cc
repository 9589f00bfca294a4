// The `cloudschool` command as an admin meets it, without a running node: exit codes, one-line
// errors, --json documents, refusals that change nothing. Runs the real binary in a temp dir.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/cli_run.h"
#include "tests/test_util.h"

namespace {

using clitest::Cloudschool;
using clitest::CliRun;
using clitest::Lines;

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

TEST_F(Cli, UnknownCommandsHelpAndVersion) {
  CliRun foo = Cloudschool({"foo"}, scratch_.str());
  EXPECT_EQ(foo.exit_code, 2);
  EXPECT_EQ(foo.err, "cloudschool: unknown command 'foo' (see 'cloudschool --help')\n");
  CliRun foo_data = Do({"foo", "--json"});
  EXPECT_EQ(foo_data.exit_code, 2);
  EXPECT_NE(foo_data.err.find("unknown command 'foo'"), std::string::npos) << foo_data.err;

  CliRun help = Cloudschool({"help"}, scratch_.str());
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("timeline"), std::string::npos) << help.out;
  EXPECT_EQ(help.out, Cloudschool({"--help"}, scratch_.str()).out);

  CliRun version = Cloudschool({"--version"}, scratch_.str());
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.out.rfind("cloudschool ", 0), 0u) << version.out;
  EXPECT_EQ(version.out, std::string("cloudschool ") + CLOUDSCHOOL_VERSION + "\n");
}

TEST_F(Cli, UsageErrorsExitTwoWithOneLine) {
  Init();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"post", "hello"},  // --as missing
           {"post", "--as", "ann", "--visibility", "secret", "hi"},
           {"post", "--as", "ann", "--title", "T", "no community"},
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

TEST_F(Cli, ABrokenConfigFailsEveryCommandNamingTheFileAndKey) {
  Init();
  const std::string path = data_ + "/cloudschool.toml";
  const std::string good = testutil::ReadFile(path);
  struct Case {
    std::string extra, expect;
  };
  for (const Case& c : std::vector<Case>{
           {"max_file_bytes = \"lots\"", "'max_file_bytes' must be an integer, got string"},
           {"max_fle_bytes = 5", "unknown key 'max_fle_bytes'"},
           {"[[[", path + ":"},
           {"allow_addresses = \"10.0.0.0/8\"", "'allow_addresses' must be an array of strings"},
           {"signature_window_seconds = 1.5", "'signature_window_seconds' must be an integer"},
           {"max_connections_per_ip = \"many\"", "'max_connections_per_ip' must be an integer"},
           {"max_connections_per_ip = -1", "'max_connections_per_ip' must not be negative"}}) {
    std::string config;  // `good` without the line of the key the case sets
    std::istringstream lines(good);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(c.extra.substr(0, c.extra.find(' ')) + " ", 0) != 0) config += line + "\n";
    std::ofstream(path) << config << c.extra << "\n";
    for (const auto& args : std::vector<std::vector<std::string>>{{"user", "list"},
                                                                  {"timeline", "--as", "ann"},
                                                                  {"post", "--as", "ann", "hi"},
                                                                  {"domain", "list"},
                                                                  {"deliveries"}}) {
      CliRun r = Do(args);
      EXPECT_EQ(r.exit_code, 1) << c.extra << " / " << args[0] << ": " << r.err;
      EXPECT_EQ(Lines(r.err), 1u) << r.err;
      EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.extra << ": " << r.err;
    }
  }
  std::ofstream(path) << good;
  EXPECT_EQ(Do({"user", "list"}).exit_code, 0);
}

TEST_F(Cli, RefusalsExitThreeAndListenAcceptsLocalhost) {
  Init();
  CliRun post = Do({"post", "--as", "ann", "hello"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string id = post.out.substr(0, post.out.find('\n'));
  CliRun note = Do({"lookup", id});
  EXPECT_EQ(note.exit_code, 3) << note.err;
  EXPECT_EQ(note.err, "cloudschool: " + id + " is a Note, not an actor\n");
  ASSERT_EQ(Do({"delete", "--as", "ann", id}).exit_code, 0);
  CliRun again = Do({"delete", "--as", "ann", id});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  EXPECT_NE(again.err.find("already deleted"), std::string::npos) << again.err;

  CliRun bad = Do({"serve", "--listen", "school:8080"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_EQ(bad.err,
            "cloudschool: --listen wants ADDR:PORT with a numeric address (or localhost), got "
            "'school:8080'\n");
  EXPECT_EQ(Do({"serve", "--listen", "127.0.0.1:http"}).exit_code, 2);
}

TEST_F(Cli, NoNodeSaysHowToMakeOneWhateverTheCommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"user", "list"},
                                                                {"timeline", "--as", "ann"},
                                                                {"post", "--as", "ann", "x"},
                                                                {"domain", "list"},
                                                                {"backup", dir_.str() + "/b"}}) {
    CliRun r = Do(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.err.find("run 'cloudschool init --domain HOST' first"), std::string::npos)
        << args[0] << ": " << r.err;
  }
}

TEST_F(Cli, InitWarnsWhenAllowAddressesSwitchesTheProtectionOff) {
  int i = 0;
  for (const char* all : {"0.0.0.0/0", "::/0", "10.0.0.0/8,0.0.0.0/1", "2000::/3"}) {
    CliRun r = Cloudschool({"--data", data_ + std::to_string(i++), "init", "--domain",
                            "school.example", "--allow-addresses", all},
                           scratch_.str());
    EXPECT_EQ(r.exit_code, 0) << all << ": " << r.err;
    EXPECT_EQ(Lines(r.err), 1u) << all << ": " << r.err;
    EXPECT_EQ(r.err.rfind("cloudschool: warning: --allow-addresses ", 0), 0u)
        << all << ": " << r.err;
  }
  for (const char* fine : {"10.0.0.0/8,127.0.0.0/8", "fd00::/8", "192.168.1.5"}) {
    CliRun r = Cloudschool({"--data", data_ + std::to_string(i++), "init", "--domain",
                            "school.example", "--allow-addresses", fine},
                           scratch_.str());
    EXPECT_EQ(r.exit_code, 0) << fine << ": " << r.err;
    EXPECT_EQ(r.err, "") << fine;
  }
}

TEST_F(Cli, TextOutputShowsHandlesAndIndentsEveryLine) {
  Init();
  ASSERT_EQ(Do({"user", "add", "bob"}).exit_code, 0);
  CliRun lookup = Do({"lookup", "@bob@school.example:8443"});
  ASSERT_EQ(lookup.exit_code, 0) << lookup.err;
  EXPECT_NE(lookup.out.find("  handle: @bob@school.example:8443\n"), std::string::npos)
      << lookup.out;
  ASSERT_EQ(Do({"post", "--as", "ann", "first paragraph\n\nsecond paragraph"}).exit_code, 0);
  CliRun tl = Do({"timeline", "--as", "ann"});
  ASSERT_EQ(tl.exit_code, 0) << tl.err;
  EXPECT_NE(tl.out.find("  @ann@school.example:8443\n"), std::string::npos) << tl.out;
  std::istringstream lines(tl.out);
  std::string line;
  std::getline(lines, line);  // TIME  AUTHOR
  while (std::getline(lines, line) && !line.empty())
    EXPECT_EQ(line.rfind("  ", 0), 0u) << "not indented: '" << line << "' in\n" << tl.out;
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
  // The copy holds every private key: nothing in it for group or others, whatever the umask.
  auto mode = [](const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 0777;
  };
  EXPECT_EQ(mode(copy), 0700u);
  EXPECT_EQ(mode(copy + "/db"), 0700u);
  EXPECT_EQ(mode(copy + "/db/data.mdb"), 0600u);
  EXPECT_EQ(mode(copy + "/cloudschool.toml"), 0600u);
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

// BR-19: an untitled top-level post is listed under the first line of its text; its own
// document keeps no `name` (the title is derived for listings only); replies have no title.
TEST_F(Cli, UntitledCommunityPostsAreListedUnderATitleDerivedFromTheirFirstLine) {
  Init();
  ASSERT_EQ(Do({"community", "add", "maths", "--join", "open"}).exit_code, 0);
  ASSERT_EQ(Do({"join", "--as", "ann", "maths"}).exit_code, 0);
  CliRun untitled = Do({"post", "--as", "ann", "--community", "maths",
                        "Worksheet on **fractions**\nfor year five\n\nWho has a better one?"});
  ASSERT_EQ(untitled.exit_code, 0) << untitled.err;
  CliRun titled =
      Do({"post", "--as", "ann", "--community", "maths", "--title", "Decimals", "Anyone?"});
  ASSERT_EQ(titled.exit_code, 0) << titled.err;
  auto posts = Json({"community", "posts", "maths", "--json"});
  ASSERT_TRUE(posts.IsArray());
  ASSERT_EQ(posts.Size(), 2u);
  const rapidjson::Value* derived = nullptr;
  for (const auto& p : posts.GetArray()) {
    if (std::string(p["type"].GetString()) == "Page") {
      EXPECT_STREQ(p["title"].GetString(), "Decimals");
      EXPECT_FALSE(p["title_derived"].GetBool());
    } else {
      derived = &p;
    }
  }
  ASSERT_NE(derived, nullptr);
  // The Markdown soft break is a space; the blank line ends the first paragraph.
  EXPECT_STREQ((*derived)["title"].GetString(), "Worksheet on fractions for year five");
  EXPECT_TRUE((*derived)["title_derived"].GetBool());
  CliRun text = Do({"community", "posts", "maths"});
  EXPECT_NE(text.out.find("Worksheet on fractions for year five: Worksheet on fractions"),
            std::string::npos)
      << text.out;

  std::string post_id = (*derived)["id"].GetString();
  CliRun reply = Do({"post", "--as", "ann", "--reply-to", post_id, "Here is mine"});
  ASSERT_EQ(reply.exit_code, 0) << reply.err;
  auto tl = Json({"timeline", "--as", "ann", "--json"});
  ASSERT_TRUE(tl.IsArray());
  bool saw_reply = false;
  for (const auto& p : tl.GetArray()) {
    if (!p["in_reply_to"].IsString()) continue;
    saw_reply = true;
    EXPECT_TRUE(p["title"].IsNull()) << "a reply has no title";
    EXPECT_FALSE(p["title_derived"].GetBool());
  }
  EXPECT_TRUE(saw_reply);
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
