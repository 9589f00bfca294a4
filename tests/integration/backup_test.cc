// `backup` of a serving node, restored: the copy serves the same node (users, follows,
// timelines, documents, keys) and federates on as before.
#include <gtest/gtest.h>

#include "tests/integration/cluster.h"

namespace integ {
namespace {

struct Snapshot {
  std::string users, followers, following, timeline;
  HttpResult note, actor, outbox_page;
};

Snapshot Take(TestNode& node, const Cluster& cluster, const std::string& note) {
  Snapshot s;
  s.users = node.Run({"user", "list", "--json"}).out;
  s.followers = node.Run({"followers", "--as", "ann", "--json"}).out;
  s.following = node.Run({"following", "--as", "ann", "--json"}).out;
  s.timeline = node.Run({"timeline", "--as", "ann", "--json"}).out;
  s.note = cluster.Get(note, {"Accept: application/activity+json"});
  s.actor = cluster.Get(node.ActorId("ann"), {"Accept: application/activity+json"});
  s.outbox_page = cluster.Get(node.ActorId("ann") + "/outbox?page=1", {"Accept: application/activity+json"});
  return s;
}

TEST(Backup, RestoredCopyServesTheSameNodeAndFederatesOn) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann", "amy"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string ann = a.ActorId("ann"), bob = b.ActorId("bob");
  ASSERT_EQ(a.Run({"follow", "--as", "ann", b.Handle("bob")}).exit_code, 0);
  ASSERT_EQ(b.Run({"follow", "--as", "bob", a.Handle("ann")}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] {
    return a.FollowState("ann", bob, false) == "accepted" && b.FollowState("bob", ann, false) == "accepted";
  }));
  RunResult from_bob = b.Run({"post", "--as", "bob", "Hello from B"});
  ASSERT_EQ(from_bob.exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return a.TimelineHas("ann", Trim(from_bob.out)); }));
  RunResult from_ann = a.Run({"post", "--as", "ann", "Hello from A"});
  ASSERT_EQ(from_ann.exit_code, 0);
  const std::string note = Trim(from_ann.out);
  ASSERT_TRUE(WaitFor([&] { return b.TimelineHas("bob", note); }));

  // Backup while A serves.
  const std::string copy = cluster.root() + "/a-backup";
  RunResult backup = a.Run({"backup", copy});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  // A second backup into the same place is refused (it would overwrite a node).
  EXPECT_EQ(a.Run({"backup", copy}).exit_code, 3);
  Snapshot before = Take(a, cluster, note);
  ASSERT_EQ(before.note.status, 200);
  ASSERT_EQ(before.actor.status, 200);

  // Stop A; serve the copy on A's port (the copy's domain is A's).
  ASSERT_TRUE(a.Stop());
  TestNode& restored = cluster.AdoptNode("a-restored", copy, a.port());
  ASSERT_TRUE(restored.Restart());
  Snapshot after = Take(restored, cluster, note);
  EXPECT_EQ(after.users, before.users);
  EXPECT_NE(after.users.find("\"amy\""), std::string::npos) << after.users;
  EXPECT_EQ(after.followers, before.followers);
  EXPECT_EQ(after.following, before.following);
  EXPECT_EQ(after.timeline, before.timeline);
  EXPECT_EQ(after.note.status, 200);
  EXPECT_EQ(after.note.body, before.note.body);
  EXPECT_EQ(after.actor.status, 200);
  EXPECT_EQ(after.actor.body, before.actor.body) << "the actor (and its public key) changed";
  EXPECT_EQ(after.outbox_page.body, before.outbox_page.body);

  // The restored node federates on with the same keys and follows, both ways.
  RunResult again = b.Run({"post", "--as", "bob", "Are you back?"});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return restored.TimelineHas("ann", Trim(again.out)); }))
      << "bob's post did not reach the restored ann";
  RunResult answer = restored.Run({"post", "--as", "ann", "Yes, restored from a backup."});
  ASSERT_EQ(answer.exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return b.TimelineHas("bob", Trim(answer.out)); }))
      << "the restored ann's post did not reach bob (signature with the restored key?)";
}

}  // namespace
}  // namespace integ
