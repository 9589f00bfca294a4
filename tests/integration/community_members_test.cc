// A members-only community across four real nodes (HTTPS on loopback): the community lives on A,
// bob (B) and carol (C) are members, dave (D) is not. What bob writes into it is fetched by C
// from B, its origin (BR-12); B does not know the members of a community on A, so it asks A for
// the member list (signed as bob, a member) and answers C because carol is listed. dave is
// refused, by B and by A alike.
#include <gtest/gtest.h>

#include "federation/crypto.h"
#include "store/files.h"
#include "tests/integration/cluster.h"

namespace integ {
namespace {

TEST(CommunityMembers, MembersOnlyPostAndFilesFromAMembersSchoolReachAThirdSchoolOnly) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  TestNode& d = cluster.AddNode("d", {"dave"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string group = a.origin() + "/c/secret";
  const std::string handle = "secret@" + a.domain();
  const std::string bob = b.ActorId("bob"), carol = c.ActorId("carol"), dave = d.ActorId("dave");

  // A GET signed by a local actor of `node` (draft-cavage, as nodes sign their fetches).
  auto signed_get = [&](TestNode& node, const std::string& actor, const std::string& url) {
    HttpCall call{.method = "GET", .url = url, .headers = {"Accept: application/activity+json"}};
    auto key = node.PrivateKeyOf(actor);
    EXPECT_TRUE(key.ok()) << actor;
    if (key.ok()) EXPECT_TRUE(SignCall(call, actor + "#main-key", *key));
    return Http(call, cluster.ca_file());
  };

  RunResult add = a.Run({"community", "add", "secret", "--title", "Staff room", "--visibility",
                         "members", "--moderator", "ann"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  for (auto [node, user] : {std::pair{&b, "bob"}, std::pair{&c, "carol"}}) {
    RunResult join = node->Run({"join", "--as", user, handle});
    ASSERT_EQ(join.exit_code, 0) << join.err;
  }
  ASSERT_TRUE(WaitFor([&] { return b.FollowState("bob", group, false) == "accepted"; }));
  ASSERT_TRUE(WaitFor([&] { return c.FollowState("carol", group, false) == "accepted"; }));

  // A's member list: shown to a member's signed fetch (what B will ask as bob), not to dave.
  {
    HttpResult page = signed_get(b, bob, group + "/followers?page=1");
    ASSERT_EQ(page.status, 200) << page.body;
    auto doc = ParseJson(page.body);
    std::vector<std::string> items;
    for (const auto& v : (*doc)["orderedItems"].GetArray()) items.emplace_back(v.GetString());
    EXPECT_EQ(items.size(), 2u);
    EXPECT_NE(std::find(items.begin(), items.end(), bob), items.end());
    EXPECT_NE(std::find(items.begin(), items.end(), carol), items.end());
    EXPECT_EQ(signed_get(d, dave, group + "/followers?page=1").status, 404);
    EXPECT_EQ(signed_get(d, dave, group + "/followers").status, 404);
    EXPECT_EQ(cluster.Get(group + "/followers", {"Accept: application/activity+json"}).status, 404);
  }

  // bob posts into it on B: carol on C gets it, with its content, fetched from B.
  RunResult post = b.Run({"post", "--as", "bob", "--community", handle,
                          "Only for **members**: the staff meeting moves to room 42."});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string note = Trim(post.out);
  ASSERT_EQ(note.rfind(bob + "/", 0), 0u) << note;
  ASSERT_TRUE(WaitFor([&] { return c.TimelineHas("carol", note); }, 30s))
      << "carol never got bob's post: " << c.Run({"timeline", "--as", "carol", "--json"}).out;
  const std::string content = ContentOn(c, "carol", note);
  EXPECT_TRUE(Contains(content, "<strong>members</strong>")) << content;
  EXPECT_TRUE(Contains(content, "room 42")) << content;
  {
    auto tl = c.Timeline("carol");
    const rapidjson::Value* item = FindBy(*tl, "id", note);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "actor"), bob);
  }
  auto posts = c.Json({"community", "posts", group});
  EXPECT_NE(FindBy(*posts, "id", note), nullptr);
  // bob edits it: C fetches the new version from B again (the member list is still cached).
  RunResult edit = b.Run({"edit", "--as", "bob", note, "Only for members: room 43 after all."});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  ASSERT_TRUE(WaitFor([&] { return Contains(ContentOn(c, "carol", note), "room 43"); }, 30s))
      << "the edit never reached carol: " << ContentOn(c, "carol", note);

  // dave is no member: B refuses him, signed as himself or as his server, unsigned too; and his
  // server keeps nothing of the post.
  EXPECT_EQ(signed_get(d, dave, note).status, 404);
  EXPECT_EQ(signed_get(d, d.origin() + "/actor", note).status, 404);
  EXPECT_EQ(cluster.Get(note, {"Accept: application/activity+json"}).status, 404);
  RunResult thread = d.Run({"thread", note});
  EXPECT_NE(thread.exit_code, 0) << thread.out;
  EXPECT_FALSE(d.ReadStore(store::Db::kObjects, note).ok());
  // carol herself, and her server, are answered by B.
  HttpResult as_carol = signed_get(c, carol, note);
  EXPECT_EQ(as_carol.status, 200) << as_carol.body;
  EXPECT_TRUE(Contains(as_carol.body, "room 43"));
  EXPECT_EQ(signed_get(c, c.origin() + "/actor", note).status, 200);

  // bob shares a worksheet into it: C gets the resource from B, carol downloads the file from B
  // (signed by her server) and its digest verifies.
  const std::string dir = cluster.root() + "/files";
  std::filesystem::create_directories(dir);
  const std::string sheet_bytes = std::string("%PDF-1.4\n") + std::string(5000, 'm') + "\n%%EOF\n";
  std::ofstream(dir + "/rooster.pdf", std::ios::binary) << sheet_bytes;
  RunResult shared = b.Run({"resource", "add", "--as", "bob", "--community", handle, "--title",
                            "Rooster", "--file", dir + "/rooster.pdf"});
  ASSERT_EQ(shared.exit_code, 0) << shared.err;
  const std::string rid = Trim(shared.out);
  ASSERT_EQ(rid.rfind(bob + "/resources/", 0), 0u) << rid;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto list = c.Json({"resource", "list"});
        return FindBy(*list, "id", rid) != nullptr;
      },
      30s))
      << "the resource never reached carol's school: " << c.Run({"resource", "list", "--json"}).out;
  const std::string out = cluster.root() + "/carol-downloads";
  auto fetched = c.Json({"resource", "fetch", rid, "--out", out});
  ASSERT_TRUE(fetched->IsArray());
  ASSERT_EQ(fetched->Size(), 1u);
  const auto& f = (*fetched)[0];
  EXPECT_TRUE(f["verified"].GetBool());
  EXPECT_FALSE(f["from_cache"].GetBool());
  EXPECT_EQ(Str(f, "sha256"), store::ToHex(federation::Sha256(sheet_bytes)));
  EXPECT_EQ(Slurp(out + "/rooster.pdf"), sheet_bytes);

  // dave gets neither the resource nor its file from B.
  const std::string file_url = b.origin() + "/files/" + Str(f, "sha256") + "/rooster.pdf";
  EXPECT_EQ(signed_get(d, dave, rid).status, 404);
  EXPECT_EQ(signed_get(d, d.origin() + "/actor", file_url).status, 404);
  EXPECT_EQ(cluster.Get(file_url).status, 404);
  RunResult dave_fetch = d.Run({"resource", "fetch", rid, "--out", cluster.root() + "/dave"});
  EXPECT_NE(dave_fetch.exit_code, 0) << dave_fetch.out;
  EXPECT_FALSE(std::filesystem::exists(cluster.root() + "/dave/rooster.pdf"));
  EXPECT_FALSE(d.ReadStore(store::Db::kResources, rid).ok());
}

}  // namespace
}  // namespace integ
