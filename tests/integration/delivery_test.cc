// The delivery queue against real failures: a receiver that is down for a while, and a sender
// killed with SIGKILL in the middle of a fan-out. Nothing may be lost, nothing shown twice.
#include <algorithm>
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "tests/integration/cluster.h"

namespace integ {
namespace {

// Senders retry a failed delivery after 300 ms (then doubling) instead of production's 30 s.
constexpr const char* kFastRetry = "delivery_first_retry_ms = 300";

// `follower` on `fnode` follows `followee` on `enode` and waits for the Accept.
::testing::AssertionResult FollowAndWait(TestNode& fnode, const std::string& follower, TestNode& enode,
                                         const std::string& followee) {
  RunResult r = fnode.Run({"follow", "--as", follower, enode.Handle(followee)});
  if (r.exit_code != 0) return ::testing::AssertionFailure() << "follow: " << r.err;
  if (!WaitFor([&] { return fnode.FollowState(follower, enode.ActorId(followee), false) == "accepted"; }))
    return ::testing::AssertionFailure() << follower << "'s follow of " << followee << " never accepted";
  return ::testing::AssertionSuccess();
}

// The ids on `user`'s timeline, in order, duplicates kept.
std::vector<std::string> TimelineIds(TestNode& node, const std::string& user) {
  std::vector<std::string> ids;
  auto tl = node.Timeline(user, 1000);
  if (tl->IsArray())
    for (const auto& item : tl->GetArray()) ids.push_back(Str(item, "id"));
  return ids;
}

TEST(Delivery, StoppedReceiverGetsEveryPostAfterRestart) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"}, kFastRetry);
  TestNode& b = cluster.AddNode("b", {"bob"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  ASSERT_TRUE(FollowAndWait(b, "bob", a, "ann"));

  ASSERT_TRUE(b.Stop());
  std::vector<std::string> notes;
  for (int i = 1; i <= 5; ++i) {
    RunResult p = a.Run({"post", "--as", "ann", "Post number " + std::to_string(i) + " while B is down"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    notes.push_back(Trim(p.out));
  }
  // A tried each of the five, failed, and keeps them queued for a retry.
  const std::string b_inbox = b.origin() + "/inbox";
  ASSERT_TRUE(WaitFor([&] {
    auto d = a.Json({"deliveries"});
    if (!d->IsArray() || d->Size() != 5) return false;
    for (const auto& item : d->GetArray())
      if (Str(item, "state") != "queued" || Uint(item, "attempts") < 1 || IsNull(item, "last_error"))
        return false;
    return true;
  })) << "A's queue does not show 5 deliveries retrying";
  {
    auto d = a.Json({"deliveries"});
    std::set<std::string> activities;
    for (const auto& item : d->GetArray()) {
      EXPECT_EQ(Str(item, "inbox"), b_inbox);
      EXPECT_FALSE(Str(item, "next_attempt").empty());
      activities.insert(Str(item, "activity"));
    }
    EXPECT_EQ(activities.size(), 5u) << "one delivery per post";
  }
  EXPECT_TRUE(b.ReadStore(store::Db::kObjects, notes[0]).status().Is(cs::Status::Code::kNotFound));

  ASSERT_TRUE(b.Restart());
  ASSERT_TRUE(WaitFor([&] {
    auto ids = TimelineIds(b, "bob");
    return std::set<std::string>(ids.begin(), ids.end()) == std::set<std::string>(notes.begin(), notes.end());
  }, 30s)) << "not every post reached bob after B came back";
  ASSERT_TRUE(WaitFor([&] { return a.Json({"deliveries"})->Size() == 0; })) << "A's queue did not drain";
  std::vector<std::string> ids = TimelineIds(b, "bob");
  EXPECT_EQ(ids.size(), 5u) << "a post shown twice";
  // Newest first by `published`, whatever order the retries arrived in (posts made within the
  // same second tie; `published` has second precision, as Mastodon's does).
  auto tl = b.Timeline("bob", 1000);
  std::vector<std::string> published;
  for (const auto& item : tl->GetArray()) published.push_back(Str(item, "published"));
  EXPECT_TRUE(std::is_sorted(published.rbegin(), published.rend())) << "timeline not newest first";
}

TEST(Delivery, SenderKilledMidFanOutDeliversEveryPostExactlyOnce) {
  constexpr int kPosts = 50;
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"}, kFastRetry);
  TestNode& b = cluster.AddNode("b", {"bob"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  ASSERT_TRUE(FollowAndWait(b, "bob", a, "ann"));
  ASSERT_TRUE(FollowAndWait(c, "carol", a, "ann"));

  // ann writes 50 posts while A is not serving: 100 deliveries wait in A's queue (50 to B, 50 to C).
  ASSERT_TRUE(a.Stop());
  std::vector<std::string> notes;
  for (int i = 1; i <= kPosts; ++i) {
    RunResult p = a.Run({"post", "--as", "ann", "Lesson plan " + std::to_string(i)});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    notes.push_back(Trim(p.out));
  }
  ASSERT_EQ(a.Json({"deliveries"})->Size(), 2u * kPosts);

  // C's port becomes a black hole (connections are accepted by the kernel, never answered): the
  // worker's first pass sends B's 50 at once but waits on C until its connect timeout (5 s), and
  // records the outcomes of a pass only at its end. Killing A once B has some posts kills it
  // in the middle of the pass, with every delivery still queued.
  ASSERT_TRUE(c.Stop());
  std::optional<BlackHole> hole(std::in_place, c.port());
  ASSERT_TRUE(hole->ok()) << "cannot listen on C's port " << c.port();
  ASSERT_TRUE(a.Restart());
  ASSERT_TRUE(WaitFor([&] { return !TimelineIds(b, "bob").empty(); }, 30s)) << "nothing reached B";
  a.Kill9();
  const size_t on_b_at_kill = TimelineIds(b, "bob").size();
  auto queued = a.Json({"deliveries"});
  ASSERT_TRUE(queued->IsArray());
  size_t queued_to_b = 0;
  for (const auto& item : queued->GetArray())
    if (Str(item, "inbox") == b.origin() + "/inbox") ++queued_to_b;
  std::printf("[ info     ] killed A with %zu of %d posts on B and %zu deliveries to B still queued\n",
              on_b_at_kill, kPosts, queued_to_b);
  // The kill came before A recorded any outcome: B's deliveries, received or not, go out again.
  EXPECT_EQ(queued_to_b, static_cast<size_t>(kPosts));

  // C comes back on its port, A restarts: everything arrives, once.
  hole.reset();
  ASSERT_TRUE(c.Restart());
  ASSERT_TRUE(a.Restart());
  const std::set<std::string> all(notes.begin(), notes.end());
  for (auto [node, user] : {std::pair{&b, "bob"}, std::pair{&c, "carol"}}) {
    ASSERT_TRUE(WaitFor([&] {
      auto ids = TimelineIds(*node, user);
      return std::set<std::string>(ids.begin(), ids.end()) == all;
    }, 60s)) << "not every post reached " << user;
  }
  ASSERT_TRUE(WaitFor([&] { return a.Json({"deliveries"})->Size() == 0; }, 30s)) << "A's queue did not drain";
  for (auto [node, user] : {std::pair{&b, "bob"}, std::pair{&c, "carol"}}) {
    std::vector<std::string> ids = TimelineIds(*node, user);
    EXPECT_EQ(ids.size(), static_cast<size_t>(kPosts)) << user << " sees a post twice";
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  }
  // Nothing ended up in A's failed list either.
  EXPECT_EQ(a.Json({"deliveries"})->Size(), 0u);
}

}  // namespace
}  // namespace integ
