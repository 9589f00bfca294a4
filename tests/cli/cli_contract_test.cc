// The command-line contract as a new user meets it: text output safe for a terminal whatever
// other servers send, typed text checked, exit codes (0 done, 1 failed, 2 usage, 3 refused),
// one clear error line, `resource fetch` all or nothing, no-op updates refused, and the text
// layout of threads and community posts. Runs the real binary against a real LMDB in a temp dir;
// "remote" records are written into the store as the inbox would have stored them.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/output.h"
#include "store/community.h"
#include "store/lmdb_store.h"
#include "store/records.h"
#include "store/resources.h"
#include "tests/cli/cli_run.h"
#include "tests/test_util.h"

namespace {

using clitest::CliRun;
using clitest::Lines;

class CliContract : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Do({"init", "--domain", "school.example", "--http"}).exit_code, 0);
    ASSERT_EQ(Do({"user", "add", "ann", "--display-name", "Ann de Vriës 🎉"}).exit_code, 0);
    ASSERT_EQ(Do({"user", "add", "bob"}).exit_code, 0);
  }
  CliRun Do(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", data_});
    return clitest::Cloudschool(args, scratch_.str());
  }
  std::string Ok(std::vector<std::string> args) {
    CliRun r = Do(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  rapidjson::Document Json(std::vector<std::string> args) {
    CliRun r = Do(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    EXPECT_FALSE(d.HasParseError()) << r.out;
    return d;
  }
  // `code`, one line on stderr starting "cloudschool: " and holding `text`.
  void Expect(const std::vector<std::string>& args, int code, const std::string& text) {
    CliRun r = Do(args);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, code) << cmd << ": " << r.err;
    EXPECT_EQ(Lines(r.err), 1u) << cmd << ": " << r.err;
    EXPECT_EQ(r.err.rfind("cloudschool: ", 0), 0u) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find(text), std::string::npos) << cmd << ": " << r.err;
  }
  // Writes into the store what the inbox would have stored (the binary is not running).
  void Store(const std::function<cs::Status(store::Txn&)>& body) {
    auto s = store::Store::Open(data_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    ASSERT_TRUE((*s)->Update(body).ok());
  }
  std::string File(const std::string& name, const std::string& bytes) {
    std::string path = dir_.str() + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  testutil::TempDir dir_, scratch_;
  std::string data_ = dir_.str() + "/node";
};

// Bytes no text output may carry: ESC, BEL, CR, a raw C1 CSI (0x9B) and its UTF-8 form.
void ExpectTerminalSafe(const std::string& out, const std::string& what) {
  for (std::string bad : {"\x1b", "\x07", "\r", "\x08", "\x7f", "\xc2\x9b", "\xc2\x85"})
    EXPECT_EQ(out.find(bad), std::string::npos) << what << " prints a control byte in:\n" << out;
  for (unsigned char c : out) EXPECT_FALSE(c == 0x9b) << what << " prints a raw 0x9B:\n" << out;
}

// --json keeps every string, but a C1 control (U+009B is CSI to a terminal) is written escaped.
TEST(TerminalSafe, JsonEscapesC1ControlsAndKeepsEverythingElse) {
  EXPECT_EQ(cli::EscapeC1("{\"name\":\"a\xc2\x9b[2Jb\"}"), "{\"name\":\"a\\u009b[2Jb\"}");
  EXPECT_EQ(cli::EscapeC1("{\"n\":\"\xc2\x80\xc2\x9f\"}"), "{\"n\":\"\\u0080\\u009f\"}");
  const std::string text = "{\"name\":\"Zo\xc3\xab \xc2\xa0caf\xc3\xa9 \xf0\x9f\x8e\x89\"}";
  EXPECT_EQ(cli::EscapeC1(text), text);  // ë, U+00A0, é and emoji stay as they are
}

TEST(TerminalSafe, ControlsBecomeReplacementCharactersAndTextStays) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(cli::SafeLine("Zoë de Vriës 🎉 café"), "Zoë de Vriës 🎉 café");
  EXPECT_EQ(cli::SafeLine("a\x1b[31mb"), "a" + r + "[31mb");
  EXPECT_EQ(cli::SafeLine("\x1b]0;title\x07"), r + "]0;title" + r);
  EXPECT_EQ(cli::SafeLine("one\ntwo\tthree\rfour"), "one" + r + "two" + r + "three" + r + "four");
  EXPECT_EQ(cli::SafeLine("del\x7f c1\xc2\x9b[2J nel\xc2\x85"),
            "del" + r + " c1" + r + "[2J nel" + r);
  EXPECT_EQ(cli::SafeLine("raw\x9b[2J"), "raw" + r + "[2J");  // not UTF-8: replaced too
  EXPECT_EQ(cli::SafeLine("\xc2\xa0nbsp"), "\xc2\xa0nbsp");   // U+00A0 is text, not C1
  EXPECT_EQ(cli::SafeLine("\xe0\x80\x9b overlong"), r + r + r + " overlong");
  EXPECT_EQ(cli::SafeText("line 1\nline 2\x1b[2J\r\tcode"),
            "line 1\nline 2" + r + "[2J" + r + "\tcode");
}

TEST_F(CliContract, TextOutputOfRemoteAndLocalNamesIsSafeForATerminal) {
  const std::string ann = "http://school.example/users/ann";
  const std::string eve = "https://evil.example/users/eve";
  const std::string note = "https://evil.example/notes/1";
  ASSERT_EQ(Do({"community", "add", "maths", "--title", "Maths"}).exit_code, 0);
  Store([&](store::Txn& t) -> cs::Status {
    store::ActorRecord a;
    a.id = eve;
    a.type = "Person";
    a.preferred_username = "eve\x1b[2J";
    a.name = "Eve\x1b]0;pwned\x07\r\xc2\x9b";
    a.inbox = eve + "/inbox";
    a.fetched_at_ms = a.created_at_ms = 1;
    CS_RETURN_IF_ERROR(store::PutActor(t, a));
    store::ObjectRecord o;
    o.id = note;
    o.type = "Page";
    o.attributed_to = eve;
    o.name = "Title\x1b[31m\nfake line";
    o.summary = "CW\x1b[2J";
    o.content_html = "<p>body \x1b]0;title\x07 text</p><p>second\rparagraph</p>";
    o.audience = "http://school.example/c/maths";
    o.published_ms = 1764800000000;
    CS_RETURN_IF_ERROR(store::PutObject(t, o));
    CS_RETURN_IF_ERROR(store::AddToTimeline(t, ann, note, 1764800000000));
    CS_RETURN_IF_ERROR(store::AddCommunityPost(t, o.audience, note, 1764800000000));
    CS_RETURN_IF_ERROR(store::PutFollow(t, {.follower = eve + "\x1b[1m",
                                            .followee = ann,
                                            .state = store::FollowState::kAccepted,
                                            .created_ms = 1,
                                            .updated_ms = 1}));
    // A display name stored before names were checked.
    auto bob = store::GetLocalActorByName(t, "bob");
    if (!bob.ok()) return bob.status();
    bob->name = "Bob\x1b[8m";
    return store::PutActor(t, *bob);
  });
  for (const auto& args : std::vector<std::vector<std::string>>{{"timeline", "--as", "ann"},
                                                                {"community", "posts", "maths"},
                                                                {"thread", note},
                                                                {"user", "list"},
                                                                {"lookup", "@bob@school.example"},
                                                                {"followers", "--as", "ann"}}) {
    CliRun r = Do(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    ExpectTerminalSafe(r.out, args[0] + " " + args[1]);
  }
  CliRun tl = Do({"timeline", "--as", "ann"});
  EXPECT_NE(tl.out.find("Title\xEF\xBF\xBD[31m\xEF\xBF\xBD"
                        "fake line"),
            std::string::npos)
      << tl.out;  // the title stays on its line
  EXPECT_NE(Do({"user", "list"}).out.find("Ann de Vriës 🎉"), std::string::npos);
  // --json carries the strings as they are, escaped by JSON.
  auto json = Json({"timeline", "--as", "ann", "--json"});
  ASSERT_TRUE(json.IsArray() && json.Size() == 1);
  EXPECT_EQ(std::string(json[0]["title"].GetString()), "Title\x1b[31m\nfake line");
  CliRun raw = Do({"timeline", "--as", "ann", "--json"});
  EXPECT_NE(raw.out.find("\\u001B[31m"), std::string::npos) << raw.out;
  ExpectTerminalSafe(raw.out, "timeline --json");
}

TEST_F(CliContract, TypedTextWithControlCharactersOrTooLongIsAUsageError) {
  Expect({"user", "add", "eve", "--display-name", "Eve\x1b[31m"}, 2, "--display-name");
  Expect({"user", "add", "eve", "--display-name", "Eve\nEvil"}, 2, "control characters");
  Expect({"user", "add", "eve", "--display-name", std::string(101, 'e')}, 2,
         "--display-name is limited to 100 characters");
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "ë";  // 100 characters, 200 bytes: fine
  EXPECT_EQ(Do({"user", "add", "eve", "--display-name", accents}).exit_code, 0);
  Expect({"community", "add", "maths", "--title", "Maths\nteachers"}, 2, "--title");
  Expect({"community", "add", "maths", "--description", "a\x1b[2Jb"}, 2, "--description");
  ASSERT_EQ(Do({"community", "add", "maths", "--title", "Maths", "--description",
                "Line one\n\nLine two\twith a tab"})
                .exit_code,
            0);
  Expect({"community", "set", "maths", "--title", "\x1b]0;x\x07"}, 2, "--title");
  ASSERT_EQ(Do({"join", "--as", "ann", "maths"}).exit_code, 0);
  Expect({"post", "--as", "ann", "--community", "maths", "--title", "", "text"}, 2,
         "--title may not be empty");
  Expect({"post", "--as", "ann", "--community", "maths", "--title", std::string(201, 't'), "x"}, 2,
         "--title is limited to 200 characters");
  Expect({"post", "--as", "ann", "--summary", "cw\x1b[2J", "x"}, 2, "--summary");
  Expect({"post", "--as", "ann", "red \x1b[31malert"}, 2, "TEXT");  // paragraphs and tabs are fine
  Expect({"edit", "--as", "ann", "http://school.example/users/ann/notes/x", "a\rb"}, 2, "TEXT");
  const std::string file = File("sheet.txt", "1/2");
  Expect({"resource", "add", "--as", "ann", "--title", "T\x1b[31m", "--file", file}, 2, "--title");
  Expect({"resource", "add", "--as", "ann", "--title", std::string(201, 't'), "--file", file}, 2,
         "limited to 200 characters");
  std::string long_accents;
  for (int i = 0; i < 200; ++i) long_accents += "é";  // 200 characters, 400 bytes: fine
  EXPECT_EQ(
      Do({"resource", "add", "--as", "ann", "--title", long_accents, "--file", file}).exit_code, 0);
  // Nothing refused was stored.
  auto show = Json({"community", "show", "maths", "--json"});
  EXPECT_STREQ(show["title"].GetString(), "Maths");
  auto tl = Json({"timeline", "--as", "ann", "--json"});
  ASSERT_TRUE(tl.IsArray());
  for (const auto& item : tl.GetArray())  // only the resource that was fine, no post
    EXPECT_EQ(std::string(item["id"].GetString()).find("/notes/"), std::string::npos);
}

TEST_F(CliContract, UndoingWhatIsNotDoneAndActingOnWhatIsDeletedIsRefused) {
  const std::string post = Ok({"post", "--as", "bob", "a post"});
  Expect({"unlike", "--as", "ann", post}, 3, "ann does not like");
  Expect({"unboost", "--as", "ann", post}, 3, "has not boosted");
  Ok({"like", "--as", "ann", post});
  Expect({"like", "--as", "ann", post}, 3, "already likes");
  Ok({"unlike", "--as", "ann", post});
  Expect({"unfollow", "--as", "ann", "http://school.example/users/bob"}, 3, "does not follow");
  Ok({"delete", "--as", "bob", post});
  Expect({"like", "--as", "ann", post}, 3, "deleted");
  Expect({"boost", "--as", "ann", post}, 3, "deleted");

  ASSERT_EQ(Do({"user", "add", "dave"}).exit_code, 0);
  Ok({"user", "delete", "dave"});
  Expect({"user", "delete", "dave"}, 3, "was deleted");
  Expect({"post", "--as", "dave", "hello"}, 3, "was deleted");
  Expect({"resource", "add", "--as", "dave", "--title", "T", "--file", File("d.txt", "d")}, 3,
         "was deleted");

  Ok({"domain", "block", "spam.example"});
  Expect({"domain", "block", "spam.example"}, 3, "spam.example is already blocked");
  Ok({"domain", "unblock", "spam.example"});
  Expect({"domain", "unblock", "spam.example"}, 3, "spam.example is not blocked");
  Ok({"trust", "add", "friends.example"});
  Expect({"trust", "add", "friends.example"}, 3, "already trusted");
  Ok({"trust", "remove", "friends.example"});
  Expect({"trust", "remove", "friends.example"}, 3, "is not trusted");

  ASSERT_EQ(Do({"community", "add", "maths", "--join", "open"}).exit_code, 0);
  ASSERT_EQ(Do({"join", "--as", "ann", "maths"}).exit_code, 0);
  const std::string in_maths = Ok({"post", "--as", "ann", "--community", "maths", "question"});
  Ok({"community", "remove-post", "maths", in_maths});
  Expect({"community", "remove-post", "maths", in_maths}, 3, "already removed");
  Expect({"community", "unban", "maths", "bob"}, 3, "is not banned");
  Expect({"community", "moderator", "remove", "maths", "bob"}, 3, "is not a moderator");
  Expect({"community", "moderator", "add", "maths", "dave"}, 3, "was deleted");
  Expect({"community", "set", "maths", "--as", "dave", "--title", "x"}, 3, "was deleted");
  Expect({"join", "--as", "dave", "maths"}, 3, "was deleted");

  Expect({"resource", "add", "--as", "ann", "--title", "T", "--file", dir_.str() + "/nope.pdf"}, 2,
         "no such file");
  Expect({"resource", "add", "--as", "ann", "--title", "T", "--file", dir_.str()}, 2,
         "not a regular file");
  // Another school's resource, as the inbox stores one.
  const std::string theirs = "https://other.example/users/zoe/resources/1";
  Store([&](store::Txn& t) -> cs::Status {
    store::ResourceRecord r;
    r.id = theirs;
    r.type = "LearningResource";
    r.attributed_to = "https://other.example/users/zoe";
    r.current_version = 1;
    r.created_ms = r.updated_ms = 1;
    return store::PutResource(t, r);
  });
  Expect({"resource", "update", theirs, "--as", "ann", "--title", "Mine now"}, 3,
         "another school's resource");
}

TEST_F(CliContract, ResourceFetchWritesAllFilesOrNone) {
  const std::string a = File("a.txt", "first"), b = File("b.txt", "second");
  const std::string id =
      Ok({"resource", "add", "--as", "ann", "--title", "Two files", "--file", a, "--file", b});
  // A good fetch into a new directory (with a missing parent).
  const std::string out = dir_.str() + "/downloads/new";
  Ok({"resource", "fetch", id, "--out", out});
  EXPECT_EQ(testutil::ReadFile(out + "/a.txt"), "first");
  EXPECT_EQ(testutil::ReadFile(out + "/b.txt"), "second");
  // The stored copy of b.txt goes bad: nothing at all is written, exit 1 (a failure).
  std::string sha;
  for (const auto& e : std::filesystem::recursive_directory_iterator(data_ + "/media/sha256"))
    if (e.is_regular_file() && testutil::ReadFile(e.path().string()) == "second")
      sha = e.path().string();
  ASSERT_FALSE(sha.empty());
  std::filesystem::permissions(sha, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  std::ofstream(sha, std::ios::trunc) << "tampered";
  const std::string fresh = dir_.str() + "/fresh/out";
  CliRun bad = Do({"resource", "fetch", id, "--out", fresh});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_EQ(Lines(bad.err), 1u) << bad.err;
  EXPECT_NE(bad.err.find("b.txt"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.str() + "/fresh")) << "a failed fetch left --out";
  const std::string existing = dir_.str() + "/existing";
  std::filesystem::create_directory(existing);
  EXPECT_EQ(Do({"resource", "fetch", id, "--out", existing}).exit_code, 1);
  EXPECT_TRUE(std::filesystem::is_empty(existing)) << "partial files or the staging dir left";
}

TEST_F(CliContract, ADeletedResourceIsShownAsDeletedAndNotFetched) {
  const std::string id =
      Ok({"resource", "add", "--as", "ann", "--title", "Old", "--file", File("a.txt", "x")});
  auto before = Json({"resource", "show", id, "--json"});
  EXPECT_TRUE(before["deleted"].IsNull());
  Ok({"delete", "--as", "ann", id});
  auto after = Json({"resource", "show", id, "--json"});
  ASSERT_TRUE(after["deleted"].IsString());
  EXPECT_EQ(std::string(after["deleted"].GetString()).size(), 20u);  // RFC 3339 UTC
  CliRun text = Do({"resource", "show", id});
  EXPECT_NE(text.out.find("  deleted: 20"), std::string::npos) << text.out;
  const std::string out = dir_.str() + "/out";
  Expect({"resource", "fetch", id, "--out", out}, 3, "was deleted");
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(CliContract, UpdatesThatChangeNothingAreRefusedOrSaySo) {
  const std::string file = File("a.txt", "x");
  const std::string id = Ok(
      {"resource", "add", "--as", "ann", "--title", "Fractions", "--level", "po", "--file", file});
  Expect({"resource", "update", id, "--as", "ann"}, 2, "nothing to change: give at least one of");
  CliRun same = Do({"resource", "update", id, "--as", "ann", "--title", "Fractions", "--level",
                    "PO", "--file", file});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(same.out.find("is unchanged"), std::string::npos) << same.out;
  EXPECT_EQ(Json({"resource", "history", id, "--json"}).Size(), 1u) << "a new version was made";
  EXPECT_EQ(Json({"deliveries", "--json"}).Size(), 0u);
  Ok({"resource", "update", id, "--as", "ann", "--title", "Fractions 2"});
  EXPECT_EQ(Json({"resource", "history", id, "--json"}).Size(), 2u);

  ASSERT_EQ(Do({"community", "add", "maths", "--title", "Maths"}).exit_code, 0);
  Expect({"community", "set", "maths"}, 2, "nothing to change: give at least one of --title");
  CliRun set = Do({"community", "set", "maths", "--join", "approval"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
}

TEST_F(CliContract, MessagesSayWhatIsMeant) {
  // Just over the limit: the sizes in bytes, not "50.0 MiB; limited to 50 MiB".
  {
    const std::string config = data_ + "/cloudschool.toml";
    std::istringstream lines(testutil::ReadFile(config));
    std::string text;
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("max_file_bytes", 0) != 0) text += line + "\n";
    std::ofstream(config) << text << "max_file_bytes = 1048576\n";
  }
  Expect({"resource", "add", "--as", "ann", "--title", "Big", "--file",
          File("big.bin", std::string(1048577, 'b'))},
         3, "is 1048577 bytes; files are limited to 1048576 bytes");
  Expect({"resource", "add", "--as", "ann", "--title", "Big", "--file",
          File("bigger.bin", std::string(1572864, 'b'))},
         3, "is 1.5 MiB; files are limited to 1 MiB");
  Expect({"timeline", "--as", "ann", "--limit", "abc"}, 2,
         "--limit: wants a whole number from 1 to 1000, got 'abc'");
  Expect({"community", "posts", "x", "--limit", "0"}, 2, "wants a whole number from 1 to 1000");
  Expect({"user", "add", "zoë"}, 2, "a name is 1-30 ASCII letters, digits or '_'");
  Expect({"community", "add", "wiskunde!"}, 2, "ASCII letters");
  const std::string post = Ok({"post", "--as", "bob", "one like"});
  Ok({"like", "--as", "ann", post});
  CliRun thread = Do({"thread", post});
  EXPECT_NE(thread.out.find("(1 like, 0 boosts, 0 replies)"), std::string::npos) << thread.out;
  Expect({"lookup", post}, 3, post + " is a Note, not an actor");
}

TEST_F(CliContract, InputsThatMakeNoSenseAreRefused) {
  for (const char* bad : {"evil..example", ".evil.example", "evil.example.", "evil-.example",
                          "evil_example.com", "evil.example/path", "user@evil.example", ""})
    Expect({"domain", "block", bad}, 2, "wants HOST[:PORT]");
  for (const char* good : {"evil.example", "Evil.Example:8443", "192.0.2.7", "[2001:db8::1]:443"})
    EXPECT_EQ(Do({"domain", "block", good}).exit_code, 0) << good;
  Expect({"trust", "add", "a..b"}, 2, "wants HOST[:PORT]");
  Expect({"init", "--domain", "a..b"}, 2, "wants HOST[:PORT]");

  ASSERT_EQ(Do({"community", "add", "maths"}).exit_code, 0);
  Expect({"community", "ban", "maths", "http://school.example/c/maths"}, 2,
         "the community itself cannot be banned");
  Expect({"community", "ban", "maths", "maths"}, 2, "cannot be banned");
  Expect({"timeline", "--as", "maths"}, 2, "maths is a community, not a teacher");
  Expect({"user", "delete", "maths"}, 2, "maths is a community, not a teacher");
}

TEST_F(CliContract, ADeletedTeacherModeratesNothing) {
  ASSERT_EQ(Do({"user", "add", "dave"}).exit_code, 0);
  ASSERT_EQ(
      Do({"community", "add", "maths", "--moderator", "dave", "--moderator", "ann"}).exit_code, 0);
  ASSERT_EQ(Do({"community", "add", "biology", "--moderator", "dave"}).exit_code, 0);
  CliRun del = Do({"user", "delete", "dave"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_NE(del.out.find("dave is no longer a moderator of maths"), std::string::npos) << del.out;
  auto maths = Json({"community", "show", "maths", "--json"});
  ASSERT_EQ(maths["moderators"].Size(), 1u);
  EXPECT_STREQ(maths["moderators"][0].GetString(), "http://school.example/users/ann");
  EXPECT_EQ(Json({"community", "show", "biology", "--json"})["moderators"].Size(), 0u);
}

TEST_F(CliContract, InspectRefusesWhatTheInboxRefuses) {
  const std::string forged = File("forged.json", R"({
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://evil.example/activities/1", "type": "Create",
    "actor": "https://evil.example/users/eve",
    "to": ["https://www.w3.org/ns/activitystreams#Public"],
    "object": {"id": "https://school.example/notes/1", "type": "Note",
               "attributedTo": "https://school.example/users/ann", "content": "I quit"}})");
  CliRun r = clitest::Cloudschool({"activity", "inspect", forged}, scratch_.str());
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("refused"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("is attributed to https://school.example/users/ann, not to the sender"),
            std::string::npos)
      << r.out;
  const std::string other_origin = File("origin.json", R"({
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://evil.example/activities/2", "type": "Create",
    "actor": "https://good.example/users/g",
    "object": {"id": "https://good.example/notes/2", "type": "Note",
               "attributedTo": "https://good.example/users/g", "content": "x"}})");
  CliRun o = clitest::Cloudschool({"activity", "inspect", other_origin}, scratch_.str());
  EXPECT_EQ(o.exit_code, 3) << o.out;
  EXPECT_NE(o.out.find("is not on the actor's origin"), std::string::npos) << o.out;

  CliRun d = clitest::Cloudschool({"activity", "inspect", dir_.str()}, scratch_.str());
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_EQ(d.err, "cloudschool: " + dir_.str() + " is a directory\n");
}

TEST_F(CliContract, DeepThreadsStopIndentingAndCommunityPostsIndentEveryLine) {
  std::string parent = Ok({"post", "--as", "ann", "root"});
  for (int i = 1; i <= 14; ++i) parent = Ok({"post", "--as", "bob", "--reply-to", parent, "r"});
  CliRun t = Do({"thread", parent});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  std::istringstream lines(t.out);
  size_t widest = 0;
  for (std::string line; std::getline(lines, line);)
    widest = std::max(
        widest, line.find_first_not_of(' ') == std::string::npos ? 0 : line.find_first_not_of(' '));
  EXPECT_LE(widest, 22u) << t.out;  // depth 10: 20 spaces, +2 for the text
  EXPECT_NE(t.out.find("[depth 14] "), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("[depth 10] "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("  @bob@school.example  ("), std::string::npos) << t.out;  // a handle

  ASSERT_EQ(Do({"community", "add", "maths", "--join", "open"}).exit_code, 0);
  ASSERT_EQ(Do({"join", "--as", "ann", "maths"}).exit_code, 0);
  Ok({"post", "--as", "ann", "--community", "maths", "--title", "Two paragraphs",
      "first paragraph\n\nsecond paragraph"});
  CliRun posts = Do({"community", "posts", "maths"});
  ASSERT_EQ(posts.exit_code, 0) << posts.err;
  std::istringstream p(posts.out);
  std::string line;
  std::getline(p, line);  // TIME  AUTHOR
  EXPECT_NE(line.find("  @ann@school.example"), std::string::npos) << line;
  int body = 0;
  while (std::getline(p, line) && !line.empty()) {
    ++body;
    EXPECT_EQ(line.rfind("  ", 0), 0u) << "not indented: '" << line << "' in\n" << posts.out;
  }
  EXPECT_GE(body, 3) << posts.out;
}

}  // namespace
