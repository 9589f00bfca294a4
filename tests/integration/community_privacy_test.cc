// Communities and privacy over three real nodes (A: the community, B and C: members): a
// followers-only post or reply never goes into a public community; an author deletes her post
// after she was banned; a removed or deleted post is gone from the group's outbox and from the
// members' community lists; the author's own node lists her posts and resources in the community.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/cluster.h"

namespace integ {
namespace {

bool PostsHave(TestNode& node, const std::string& community, const std::string& id) {
  auto posts = node.Json({"community", "posts", community});
  return FindBy(*posts, "id", id) != nullptr;
}

TEST(CommunityPrivacy, PublicCommunityPostsStayPublicAndRemovedOnesGoEverywhere) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string group = a.origin() + "/c/maths";
  const std::string handle = "maths@" + a.domain();
  ASSERT_EQ(a.Run({"community", "add", "maths", "--join", "open", "--moderator", "ann"}).exit_code,
            0);
  for (auto [node, user] : {std::pair{&b, "bob"}, std::pair{&c, "carol"}}) {
    ASSERT_EQ(node->Run({"join", "--as", user, handle}).exit_code, 0);
    ASSERT_TRUE(WaitFor([&] { return node->FollowState(user, group, false) == "accepted"; }));
  }

  // 1a: contradictory options are refused, nothing is posted.
  RunResult fo = b.Run({"post", "--as", "bob", "--community", handle, "--visibility", "followers",
                        "secret words"});
  EXPECT_EQ(fo.exit_code, 2) << fo.out;
  EXPECT_TRUE(Contains(fo.err, "maths is a public community: its posts are public; leave out "
                               "--visibility followers"))
      << fo.err;

  RunResult post = b.Run({"post", "--as", "bob", "--community", handle, "--title", "Fractions",
                          "removable words"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string page = Trim(post.out);
  RunResult second = b.Run({"post", "--as", "bob", "--community", handle, "--title", "Decimals",
                            "deletable words"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const std::string page2 = Trim(second.out);
  const std::string file = cluster.root() + "/sheet.md";
  std::ofstream(file) << "# worksheet\n";
  RunResult res = b.Run({"resource", "add", "--as", "bob", "--community", handle, "--title",
                         "Worksheet", "--file", file, "--level", "po"});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  const std::string resource = Trim(res.out);
  for (const auto& id : {page, page2, resource})
    ASSERT_TRUE(WaitFor([&] { return PostsHave(c, group, id); })) << id << " never reached C";

  // 7: the author's own node lists her posts and her resource in the community.
  for (const auto& id : {page, page2, resource})
    EXPECT_TRUE(WaitFor([&] { return PostsHave(b, handle, id); }))
        << id << " is not in B's list: " << b.Run({"community", "posts", handle}).out;

  // 1b: carol's followers-only reply is refused on her own node (exit 3), nothing reaches A.
  RunResult reply = c.Run({"post", "--as", "carol", "--reply-to", page, "--visibility",
                           "followers", "for my followers"});
  EXPECT_EQ(reply.exit_code, 3) << reply.out << reply.err;
  EXPECT_TRUE(Contains(reply.err, "public community")) << reply.err;

  // 3 + 7: a moderator removes bob's post: gone from the group's outbox (its announce answers
  // 410) and from C's list.
  ASSERT_EQ(a.Run({"community", "remove-post", "maths", page, "--as", "ann"}).exit_code, 0);
  HttpResult outbox =
      cluster.Get(group + "/outbox?page=1", {"Accept: application/activity+json"});
  ASSERT_EQ(outbox.status, 200);
  EXPECT_FALSE(Contains(outbox.body, "removable words")) << outbox.body;
  EXPECT_TRUE(WaitFor([&] { return !PostsHave(c, group, page); }))
      << "the removed post is still listed on C: " << c.Run({"community", "posts", group}).out;

  // The same for a post from the community's own school.
  ASSERT_EQ(a.Run({"join", "--as", "ann", "maths"}).exit_code, 0);
  RunResult own = a.Run({"post", "--as", "ann", "--community", "maths", "--title", "Ratios",
                         "ann's words"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const std::string own_page = Trim(own.out);
  ASSERT_TRUE(WaitFor([&] { return PostsHave(c, group, own_page); }));
  ASSERT_EQ(a.Run({"community", "remove-post", "maths", own_page}).exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return !PostsHave(c, group, own_page); }))
      << "the removed post is still listed on C: " << c.Run({"community", "posts", group}).out;

  // 2: bob is banned, then deletes his other post: the group takes it and announces it.
  ASSERT_EQ(a.Run({"community", "ban", "maths", b.ActorId("bob"), "--as", "ann"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return b.FollowState("bob", group, false) == "rejected"; }));
  ASSERT_EQ(b.Run({"delete", "--as", "bob", page2}).exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return !PostsHave(a, "maths", page2); }))
      << "A kept the banned author's deleted post";
  EXPECT_TRUE(WaitFor([&] { return !c.TimelineHas("carol", page2); }))
      << "the deleted post stayed with carol";
  outbox = cluster.Get(group + "/outbox?page=1", {"Accept: application/activity+json"});
  EXPECT_FALSE(Contains(outbox.body, "deletable words")) << outbox.body;
  // And her resource (its Page).
  RunResult del_res = b.Run({"delete", "--as", "bob", resource});
  ASSERT_EQ(del_res.exit_code, 0) << del_res.err;
  EXPECT_TRUE(WaitFor([&] { return !PostsHave(a, "maths", resource); }))
      << "A kept the banned author's deleted resource";
  EXPECT_TRUE(WaitFor([&] { return !PostsHave(c, group, resource); }))
      << "C kept the banned author's deleted resource";
  outbox = cluster.Get(group + "/outbox?page=1", {"Accept: application/activity+json"});
  EXPECT_FALSE(Contains(outbox.body, "sheet.md")) << outbox.body;
}

}  // namespace
}  // namespace integ
