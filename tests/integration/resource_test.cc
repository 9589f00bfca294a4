// Shared resources between real nodes over HTTPS: a resource with two files and three versions
// federates from A to a follower on C, who downloads the newest files and checks their digests;
// every version stays fetchable at its own id; the files are served with safe headers; bad input
// is refused and leaves nothing behind; remote HTML is sanitized.
#include "federation/resource.h"

#include <gtest/gtest.h>

#include "federation/crypto.h"
#include "store/files.h"
#include "tests/integration/cluster.h"

namespace integ {
namespace {

std::string WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

// Number of blobs under DATA/media/sha256 (0 when the directory does not exist).
size_t BlobCount(const TestNode& node) {
  size_t n = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(node.dir() + "/media/sha256", ec), end;
       !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) ++n;
  return n;
}

uint64_t StoreCount(const TestNode& node, store::Db db) {
  auto s = store::Store::Open(node.dir());
  if (!s.ok()) return 0;
  auto txn = (*s)->BeginRead();
  return txn.ok() ? txn->Count(db) : 0;
}

const rapidjson::Value* Member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

TEST(Resources, TwoFilesThreeVersionsFederateAndDigestsVerifyOnTheOtherSchool) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string ann = a.ActorId("ann");
  RunResult follow = c.Run({"follow", "--as", "carol", a.Handle("ann")});
  ASSERT_EQ(follow.exit_code, 0) << follow.err;
  ASSERT_TRUE(WaitFor([&] { return c.FollowState("carol", ann, false) == "accepted"; }));

  const std::string dir = cluster.root() + "/files";
  std::filesystem::create_directories(dir);
  std::string plan_bytes = "# Lesplan breuken\n\n1. Pizza\n2. Getallenlijn\n";
  std::string sheet_bytes("%PDF-1.4\n\0\x01\x02\xff binary worksheet", 32);
  std::string sheet3_bytes = std::string("%PDF-1.4\n") + std::string(300000, 'w');  // > 256 KiB
  const std::string plan = WriteFile(dir + "/lesplan.md", plan_bytes);
  const std::string sheet = WriteFile(dir + "/werkblad.pdf", sheet_bytes);
  const std::string sheet3_dir = dir + "/v3";
  std::filesystem::create_directories(sheet3_dir);
  const std::string sheet3 = WriteFile(sheet3_dir + "/werkblad.pdf", sheet3_bytes);

  // Version 1: two files.
  RunResult add = a.Run({"resource", "add", "--as", "ann", "--title", "Breuken met pizza", "--file",
                         plan, "--file", sheet, "--description",
                         "Een les over *breuken*. Zie [uitleg](https://example.org/breuken).",
                         "--subject", "mathematics", "--level", "po", "--language", "nl"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string id = Trim(add.out);
  ASSERT_EQ(id.rfind(ann + "/resources/", 0), 0u) << id;
  // Version 2: a new title, same files. Version 3: the worksheet replaced.
  RunResult v2 =
      a.Run({"resource", "update", id, "--as", "ann", "--title", "Breuken met pizza (groep 6)"});
  ASSERT_EQ(v2.exit_code, 0) << v2.err;
  EXPECT_EQ(Trim(v2.out), id + "/versions/2");
  RunResult v3 = a.Run({"resource", "update", id, "--as", "ann", "--file", plan, "--file", sheet3,
                        "--level", "po", "--level", "so"});
  ASSERT_EQ(v3.exit_code, 0) << v3.err;
  EXPECT_EQ(Trim(v3.out), id + "/versions/3");
  // Someone else cannot update it.
  ASSERT_EQ(a.Run({"user", "add", "bert"}).exit_code, 0);
  RunResult not_author = a.Run({"resource", "update", id, "--as", "bert", "--title", "mine"});
  EXPECT_EQ(not_author.exit_code, 3) << not_author.err;

  // C received the Create and both Updates: version 3 is current there, without any fetch.
  ASSERT_TRUE(WaitFor([&] {
    auto list = c.Json({"resource", "list"});
    const rapidjson::Value* r = FindBy(*list, "id", id);
    return r && Uint(*r, "version") == 3;
  })) << "version 3 never reached C";
  {
    auto list = c.Json({"resource", "list"});
    const rapidjson::Value* r = FindBy(*list, "id", id);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(Str(*r, "title"), "Breuken met pizza (groep 6)");
    EXPECT_EQ(Str(*r, "author"), ann);
    EXPECT_EQ(Str(*r, "license"), "https://creativecommons.org/licenses/by/4.0/");
    EXPECT_EQ(Str(*r, "language"), "nl");
    EXPECT_FALSE(Member(*r, "local")->GetBool());
    const rapidjson::Value* files = Member(*r, "files");
    ASSERT_TRUE(files && files->IsArray());
    ASSERT_EQ(files->Size(), 2u);
    EXPECT_EQ(Str((*files)[1], "name"), "werkblad.pdf");
    EXPECT_EQ(Uint((*files)[1], "size"), sheet3_bytes.size());
    EXPECT_EQ(Str((*files)[1], "media_type"), "application/pdf");
  }
  // The history on C: three versions, newest first, each with its own id.
  {
    auto history = c.Json({"resource", "history", id});
    ASSERT_TRUE(history->IsArray());
    ASSERT_EQ(history->Size(), 3u);
    for (unsigned i = 0; i < 3; ++i) {
      EXPECT_EQ(Uint((*history)[i], "version"), 3 - i);
      EXPECT_EQ(Str((*history)[i], "version_id"), id + "/versions/" + std::to_string(3 - i));
    }
    EXPECT_EQ(Str((*history)[2], "title"), "Breuken met pizza");
    EXPECT_EQ(Uint((*Member((*history)[2], "files"))[1], "size"), sheet_bytes.size());
  }
  // Carol's home timeline shows it (a Page, as Mastodon and Lemmy expect).
  {
    auto tl = c.Timeline("carol");
    const rapidjson::Value* item = FindBy(*tl, "id", id);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "type"), "Page");
    EXPECT_TRUE(Contains(Str(*item, "content"), "werkblad.pdf"));
  }

  // carol downloads the newest files: written under their names, digests checked.
  const std::string out = cluster.root() + "/carol-downloads";
  auto fetched = c.Json({"resource", "fetch", id, "--out", out});
  ASSERT_TRUE(fetched->IsArray());
  ASSERT_EQ(fetched->Size(), 2u);
  EXPECT_EQ(Slurp(out + "/lesplan.md"), plan_bytes);
  EXPECT_EQ(Slurp(out + "/werkblad.pdf"), sheet3_bytes);
  for (const auto& f : fetched->GetArray()) {
    EXPECT_TRUE(Member(f, "verified")->GetBool());
    EXPECT_FALSE(Member(f, "from_cache")->GetBool());
    std::string bytes = Slurp(out + "/" + Str(f, "name"));
    EXPECT_EQ(store::ToHex(federation::Sha256(bytes)), Str(f, "sha256"));
    EXPECT_EQ(federation::DigestMultibase(federation::Sha256(bytes)), Str(f, "digest_multibase"));
  }
  // A second fetch comes from C's cache (files on demand, then kept).
  auto again = c.Json({"resource", "fetch", id, "--out", out + "2"});
  ASSERT_TRUE(again->IsArray() && again->Size() == 2u);
  EXPECT_TRUE(Member((*again)[0], "from_cache")->GetBool());
  EXPECT_EQ(Slurp(out + "2/werkblad.pdf"), sheet3_bytes);
  // C caches but does not serve other schools' files.
  EXPECT_EQ(
      cluster
          .Get(c.origin() + "/files/" + store::ToHex(federation::Sha256(sheet3_bytes)) + "/x.pdf")
          .status,
      404);

  // On A over HTTP: the history collection and every version at its own id.
  HttpResult coll = cluster.Get(id + "/versions", {"Accept: application/activity+json"});
  ASSERT_EQ(coll.status, 200) << coll.body;
  auto coll_doc = ParseJson(coll.body);
  EXPECT_EQ(Str(*coll_doc, "type"), "OrderedCollection");
  EXPECT_EQ(Uint(*coll_doc, "totalItems"), 3u);
  for (int n = 1; n <= 3; ++n) {
    HttpResult got =
        cluster.Get(id + "/versions/" + std::to_string(n), {"Accept: application/activity+json"});
    ASSERT_EQ(got.status, 200) << got.body;
    auto doc = ParseJson(got.body);
    EXPECT_EQ(Str(*doc, "id"), id + "/versions/" + std::to_string(n));
    EXPECT_EQ(Str(*doc, "isVersionOf"), id);
    EXPECT_EQ(Uint(*doc, "version"), static_cast<uint64_t>(n));
    const rapidjson::Value* att = Member(*doc, "attachment");
    ASSERT_TRUE(att && att->IsArray() && att->Size() == 2u);
    // Every file of every version stays downloadable and matches its digest.
    for (const auto& f : att->GetArray()) {
      HttpResult file = cluster.Get(Str(f, "url"));
      ASSERT_EQ(file.status, 200) << Str(f, "url");
      EXPECT_EQ(federation::DigestMultibase(federation::Sha256(file.body)),
                Str(f, "digestMultibase"));
      EXPECT_EQ(Uint(f, "size"), file.body.size());
    }
  }
  EXPECT_EQ(cluster.Get(id + "/versions/4").status, 404);
  // The resource itself: the current version, with the LRMI/schema.org terms and our context.
  {
    HttpResult got = cluster.Get(id, {"Accept: application/activity+json"});
    ASSERT_EQ(got.status, 200);
    auto doc = ParseJson(got.body);
    EXPECT_EQ(Str(*doc, "type"), "Page");
    EXPECT_EQ(Str(*doc, "name"), "Breuken met pizza (groep 6)");
    EXPECT_EQ(Str(*doc, "currentVersion"), id + "/versions/3");
    EXPECT_EQ(Str(*doc, "inLanguage"), "nl");
    EXPECT_EQ(Str(*doc, "license"), "https://creativecommons.org/licenses/by/4.0/");
    EXPECT_TRUE(Contains(got.body, "\"educationalLevel\":[\"po\",\"so\"]")) << got.body;
    EXPECT_TRUE(Contains(got.body, "\"about\":[\"mathematics\"]")) << got.body;
    EXPECT_TRUE(Contains(got.body, a.origin() + "/ns/cloudschool")) << got.body;
    // Browsers (a click from Mastodon) get a page with the file links.
    HttpResult html = cluster.Get(id, {"Accept: text/html"});
    EXPECT_EQ(html.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_TRUE(Contains(html.body, "werkblad.pdf"));
  }
  // A file: its type, a download with its name, never sniffed.
  {
    std::string url =
        a.origin() + "/files/" + store::ToHex(federation::Sha256(sheet3_bytes)) + "/werkblad.pdf";
    HttpResult file = cluster.Get(url);
    ASSERT_EQ(file.status, 200);
    EXPECT_EQ(file.body, sheet3_bytes);
    EXPECT_EQ(file.Header("content-type"), "application/pdf");
    EXPECT_EQ(file.Header("content-disposition"),
              "attachment; filename=\"werkblad.pdf\"; filename*=UTF-8''werkblad.pdf");
    EXPECT_EQ(file.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(cluster.Get(a.origin() + "/files/" + std::string(64, 'a') + "/x").status, 404);
    EXPECT_EQ(cluster.Get(a.origin() + "/files/../../cloudschool.toml").status, 404);
  }
  // The context document: the same on every node.
  HttpResult ctx_a = cluster.Get(a.origin() + "/ns/cloudschool");
  HttpResult ctx_c = cluster.Get(c.origin() + "/ns/cloudschool");
  EXPECT_EQ(ctx_a.status, 200);
  EXPECT_EQ(ctx_a.Header("content-type"), "application/ld+json");
  EXPECT_EQ(ctx_a.body, ctx_c.body);
  EXPECT_TRUE(Contains(ctx_a.body, "schema:educationalLevel"));

  // A backup carries the files with the database.
  const std::string backup = cluster.root() + "/a-backup";
  RunResult b = a.Run({"backup", backup});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(Slurp(backup + "/media/sha256/" +
                  store::ToHex(federation::Sha256(sheet3_bytes)).substr(0, 2) + "/" +
                  store::ToHex(federation::Sha256(sheet3_bytes)).substr(2)),
            sheet3_bytes);
  EXPECT_FALSE(std::filesystem::exists(backup + "/media/tmp"));
}

TEST(Resources, BadInputIsRefusedClearlyAndNothingIsStored) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string dir = cluster.root() + "/files";
  std::filesystem::create_directories(dir);
  const std::string ok_file = WriteFile(dir + "/ok.txt", "fine\n");
  // An oversized file (sparse: 51 MiB of nothing) next to a good one: refused before any copy.
  const std::string big = dir + "/video.mp4";
  { std::ofstream(big, std::ios::binary); }
  std::filesystem::resize_file(big, 51ull << 20);
  RunResult r1 = a.Run(
      {"resource", "add", "--as", "ann", "--title", "Too big", "--file", ok_file, "--file", big});
  EXPECT_EQ(r1.exit_code, 3);
  EXPECT_TRUE(Contains(r1.err, "video.mp4 is 51 MiB; files are limited to 50 MiB")) << r1.err;
  // Scripts and javascript: links in the description.
  RunResult r2 = a.Run({"resource", "add", "--as", "ann", "--title", "x", "--file", ok_file,
                        "--description", "Hallo <script>alert(document.cookie)</script>"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_TRUE(Contains(r2.err, "<script> element")) << r2.err;
  RunResult r3 = a.Run({"resource", "add", "--as", "ann", "--title", "x", "--file", ok_file,
                        "--description", "[klik hier](javascript:alert(1))"});
  EXPECT_EQ(r3.exit_code, 2);
  EXPECT_TRUE(Contains(r3.err, "javascript: URL")) << r3.err;
  RunResult r4 = a.Run({"resource", "add", "--as", "ann", "--title", "x", "--file", ok_file,
                        "--description", "<img src=x onerror=alert(1)>"});
  EXPECT_EQ(r4.exit_code, 2) << r4.err;
  RunResult r5 = a.Run({"resource", "add", "--as", "ann", "--title", "x", "--file", ok_file,
                        "--level", "kindergarten"});
  EXPECT_EQ(r5.exit_code, 2);
  EXPECT_TRUE(Contains(r5.err, "unknown level 'kindergarten'")) << r5.err;
  RunResult r6 = a.Run({"resource", "add", "--as", "ann", "--title", "x", "--file", ok_file,
                        "--community", a.Handle("ann")});
  EXPECT_EQ(r6.exit_code, 2);
  EXPECT_TRUE(Contains(r6.err, "not a community")) << r6.err;
  // Nothing of any of them was kept: no blob, no record.
  EXPECT_EQ(BlobCount(a), 0u);
  EXPECT_EQ(StoreCount(a, store::Db::kResources), 0u);
  EXPECT_EQ(StoreCount(a, store::Db::kFiles), 0u);
  EXPECT_EQ(StoreCount(a, store::Db::kDeliveries), 0u);

  // An HTML file with a script is a file like any other: stored, but served as bytes to download.
  const std::string html = WriteFile(dir + "/page.html", "<script>alert(1)</script>");
  RunResult r7 = a.Run({"resource", "add", "--as", "ann", "--title", "html", "--file", html});
  ASSERT_EQ(r7.exit_code, 0) << r7.err;
  HttpResult served =
      cluster.Get(a.origin() + "/files/" +
                  store::ToHex(federation::Sha256("<script>alert(1)</script>")) + "/page.html");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(served.Header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(Contains(served.Header("content-disposition"), "attachment;"));
  EXPECT_TRUE(Contains(served.Header("content-security-policy"), "sandbox"));

  // From another server, a resource whose HTML carries a script and a javascript: link: stored
  // sanitized. carol@C signs a Create to A's shared inbox.
  const std::string carol = c.ActorId("carol");
  const std::string rid = carol + "/resources/evil1";
  const std::string digest = federation::DigestMultibase(federation::Sha256("x"));
  std::string body =
      R"({"@context":["https://www.w3.org/ns/activitystreams"],"id":")" + carol +
      R"(/activities/evil1","type":"Create","actor":")" + carol +
      R"(","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":")" + rid +
      R"(","type":"Page","attributedTo":")" + carol +
      R"(","name":"Evil <b>title</b>","content":"<p>Hi<script>alert(1)</script> <a href=\"javascript:alert(2)\">click</a> <a href=\"https://ok.example/\">ok</a></p>","to":["https://www.w3.org/ns/activitystreams#Public"],"version":1,"attachment":[{"type":"Document","name":"../../etc/passwd","mediaType":"text/html","url":")" +
      c.origin() + R"(/files/x","digestMultibase":")" + digest + R"("}]}})";
  HttpCall call{.method = "POST",
                .url = a.origin() + "/inbox",
                .headers = {"Content-Type: application/activity+json"},
                .body = body};
  auto key = c.PrivateKeyOf(carol);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(SignCall(call, carol + "#main-key", *key));
  HttpResult posted = Http(call, cluster.ca_file());
  ASSERT_EQ(posted.status, 202) << posted.body;
  auto shown = a.Json({"resource", "show", rid});
  EXPECT_EQ(Str(*shown, "title"), "Evil <b>title</b>");  // plain text: escaped wherever shown
  std::string desc = Str(*shown, "description_html");
  EXPECT_FALSE(Contains(desc, "script")) << desc;
  EXPECT_FALSE(Contains(desc, "javascript")) << desc;
  EXPECT_TRUE(Contains(desc, "https://ok.example/")) << desc;
  const rapidjson::Value* files = Member(*shown, "files");
  ASSERT_TRUE(files && files->Size() == 1u);
  EXPECT_EQ(Str((*files)[0], "name"), "passwd");
  // Its "file" does not match its digest: fetch refuses and writes nothing.
  const std::string out = cluster.root() + "/evil-out";
  RunResult fetch = a.Run({"resource", "fetch", rid, "--out", out});
  EXPECT_EQ(fetch.exit_code, 1) << fetch.err;  // a failure, not a usage error
  EXPECT_FALSE(std::filesystem::exists(out)) << "a failed fetch left the --out it created";
}

}  // namespace
}  // namespace integ
