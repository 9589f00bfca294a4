// The command-line contract across two schools: a remote post where an actor is wanted, and a
// resource its origin deleted (410) before we ever stored it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/cluster.h"

namespace integ {
namespace {

TEST(CliContractAcrossSchools, ARemotePostIsNamedByItsTypeWhereAnActorIsWanted) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  RunResult post = b.Run({"post", "--as", "bob", "not an actor"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string note = post.out.substr(0, post.out.find('\n'));
  for (const char* cmd : {"follow", "lookup"}) {
    RunResult r = std::string(cmd) == "follow" ? a.Run({"follow", "--as", "ann", note})
                                               : a.Run({"lookup", note});
    EXPECT_EQ(r.exit_code, 3) << cmd << ": " << r.err;
    EXPECT_EQ(r.err, "cloudschool: " + note + " is a Note, not an actor\n") << cmd;
  }
}

TEST(CliContractAcrossSchools, AResourceDeletedAtItsOriginIsShownDeletedAndNotFetched) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string file = cluster.root() + "/sheet.txt";
  std::ofstream(file) << "1/2 + 1/4";
  RunResult add = b.Run({"resource", "add", "--as", "bob", "--title", "Gone soon", "--file", file});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string id = add.out.substr(0, add.out.find('\n'));
  ASSERT_EQ(b.Run({"delete", "--as", "bob", id}).exit_code, 0);

  auto shown = a.Json({"resource", "show", id});
  ASSERT_TRUE(shown) << "no JSON from resource show";
  EXPECT_EQ(Str(*shown, "id"), id);
  EXPECT_EQ(Str(*shown, "deleted").size(), 20u) << "an RFC 3339 time";
  RunResult text = a.Run({"resource", "show", id});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("deleted"), std::string::npos) << text.out;
  const std::string out = cluster.root() + "/out";
  RunResult fetch = a.Run({"resource", "fetch", id, "--out", out});
  EXPECT_EQ(fetch.exit_code, 3) << fetch.err;
  EXPECT_NE(fetch.err.find("was deleted"), std::string::npos) << fetch.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// We hold a copy (shown once) and its Delete never reaches us (nobody here follows bob): fetch
// asks the origin again, refuses, and from then on `resource show` says it is deleted.
TEST(CliContractAcrossSchools, AStoredResourceDeletedAtItsOriginIsNotFetched) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string file = cluster.root() + "/sheet.txt";
  std::ofstream(file) << "1/2 + 1/4";
  RunResult add = b.Run({"resource", "add", "--as", "bob", "--title", "Held here", "--file", file});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string id = add.out.substr(0, add.out.find('\n'));
  auto before = a.Json({"resource", "show", id});
  ASSERT_TRUE(before);
  EXPECT_EQ(Str(*before, "title"), "Held here");
  ASSERT_EQ(b.Run({"delete", "--as", "bob", id}).exit_code, 0);

  const std::string out = cluster.root() + "/out";
  RunResult fetch = a.Run({"resource", "fetch", id, "--out", out});
  EXPECT_EQ(fetch.exit_code, 3) << fetch.err;
  EXPECT_NE(fetch.err.find("was deleted at its origin"), std::string::npos) << fetch.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  auto after = a.Json({"resource", "show", id});
  ASSERT_TRUE(after);
  EXPECT_EQ(Str(*after, "deleted").size(), 20u) << "an RFC 3339 time";
  RunResult list = a.Run({"resource", "list"});
  EXPECT_EQ(list.out.find("Held here"), std::string::npos) << list.out;
}

}  // namespace
}  // namespace integ
