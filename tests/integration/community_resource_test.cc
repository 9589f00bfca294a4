// A shared resource in a community across three real nodes (HTTPS on loopback): bob on B shares
// a resource with two files in a community on A and makes two more versions; the group announces
// each; carol on C, a member who does not follow bob, gets all three versions and downloads the
// newest files with their digests verified.
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

TEST(CommunityResources, TwoFilesThreeVersionsReachAMemberOnAThirdSchoolAndVerify) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string group = a.origin() + "/c/maths";
  const std::string handle = "maths@" + a.domain();
  const std::string bob = b.ActorId("bob"), carol = c.ActorId("carol");

  // A community on A that needs approval; bob and carol ask, a moderator approves both.
  RunResult add = a.Run({"community", "add", "maths", "--title", "Maths teachers", "--join",
                         "approval", "--moderator", "ann"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ASSERT_EQ(b.Run({"join", "--as", "bob", handle}).exit_code, 0);
  ASSERT_EQ(c.Run({"join", "--as", "carol", handle}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] {
    auto requests = a.Json({"community", "requests", "maths"});
    return requests->IsArray() && requests->Size() == 2;
  })) << "the join requests never reached A";
  for (const std::string& who : {bob, carol}) {
    RunResult ok = a.Run({"community", "approve", "maths", who, "--as", "ann"});
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
  }
  ASSERT_TRUE(WaitFor([&] { return b.FollowState("bob", group, false) == "accepted"; }));
  ASSERT_TRUE(WaitFor([&] { return c.FollowState("carol", group, false) == "accepted"; }));

  // bob shares a lesson plan and a worksheet, then makes versions 2 and 3.
  const std::string dir = cluster.root() + "/files";
  std::filesystem::create_directories(dir + "/v3");
  const std::string plan_bytes = "# Breuken\n\n1. Pizza\n";
  const std::string sheet_bytes("%PDF-1.4\n\0\x01 worksheet one", 25);
  const std::string sheet3_bytes = std::string("%PDF-1.4\n") + std::string(70000, 'w');
  const std::string plan = WriteFile(dir + "/lesplan.md", plan_bytes);
  const std::string sheet = WriteFile(dir + "/werkblad.pdf", sheet_bytes);
  const std::string sheet3 = WriteFile(dir + "/v3/werkblad.pdf", sheet3_bytes);
  RunResult shared = b.Run({"resource", "add", "--as", "bob", "--community", handle, "--title",
                            "Breuken", "--file", plan, "--file", sheet, "--level", "po"});
  ASSERT_EQ(shared.exit_code, 0) << shared.err;
  const std::string id = Trim(shared.out);
  ASSERT_EQ(id.rfind(bob + "/resources/", 0), 0u) << id;
  RunResult v2 = b.Run({"resource", "update", id, "--as", "bob", "--title", "Breuken (groep 6)"});
  ASSERT_EQ(v2.exit_code, 0) << v2.err;
  RunResult v3 = b.Run({"resource", "update", id, "--as", "bob", "--file", plan, "--file", sheet3});
  ASSERT_EQ(v3.exit_code, 0) << v3.err;

  // carol does not follow bob: what reaches C came through the group's Announces.
  EXPECT_EQ(c.FollowState("carol", bob, false), "");
  ASSERT_TRUE(WaitFor([&] {
    auto list = c.Json({"resource", "list"});
    const rapidjson::Value* r = FindBy(*list, "id", id);
    return r && Uint(*r, "version") == 3;
  })) << "version 3 never reached carol's school: "
      << c.Run({"resource", "list", "--json"}).out
      << c.Run({"timeline", "--as", "carol", "--json"}).out
      << a.Run({"community", "posts", "maths"}).out;
  auto history = c.Json({"resource", "history", id});
  ASSERT_TRUE(history->IsArray());
  ASSERT_EQ(history->Size(), 3u);
  EXPECT_EQ(Str((*history)[0], "title"), "Breuken (groep 6)");
  EXPECT_EQ(Str((*history)[2], "title"), "Breuken");
  ASSERT_TRUE(WaitFor([&] { return c.TimelineHas("carol", id); })) << "not on carol's timeline";

  // carol downloads the newest files from bob's school: both digests verify.
  const std::string out = cluster.root() + "/carol-downloads";
  auto fetched = c.Json({"resource", "fetch", id, "--out", out});
  ASSERT_TRUE(fetched->IsArray());
  ASSERT_EQ(fetched->Size(), 2u);
  for (const auto& f : fetched->GetArray()) {
    EXPECT_TRUE(f["verified"].GetBool()) << Str(f, "name");
    const std::string bytes = Slurp(out + "/" + Str(f, "name"));
    EXPECT_EQ(store::ToHex(federation::Sha256(bytes)), Str(f, "sha256"));
  }
  EXPECT_EQ(Slurp(out + "/lesplan.md"), plan_bytes);
  EXPECT_EQ(Slurp(out + "/werkblad.pdf"), sheet3_bytes);

  // The community on A lists it among its posts.
  auto posts = a.Json({"community", "posts", "maths"});
  EXPECT_NE(FindBy(*posts, "id", id), nullptr);

  // A resource from the community's own school (the group embeds it, carol's school takes it
  // as vouched for by the group's origin) arrives as a resource too.
  RunResult joined = a.Run({"join", "--as", "ann", "maths"});
  ASSERT_EQ(joined.exit_code, 0) << joined.err;
  RunResult own = a.Run({"resource", "add", "--as", "ann", "--community", handle, "--title",
                         "Kommagetallen", "--file", plan, "--level", "po"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const std::string own_id = Trim(own.out);
  ASSERT_TRUE(WaitFor([&] {
    auto list = c.Json({"resource", "list"});
    const rapidjson::Value* r = FindBy(*list, "id", own_id);
    return r && Str(*r, "title") == "Kommagetallen";
  })) << "ann's resource never reached carol's school as a resource";
}

}  // namespace
}  // namespace integ
