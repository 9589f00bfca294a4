// Communities over three real nodes (HTTPS on loopback): a community on A that needs approval,
// members on B and C, posts, replies, edits and deletes announced by the group to every member;
// network-only and members-only visibility against real signed fetches.
#include <gtest/gtest.h>

#include "tests/integration/cluster.h"

namespace integ {
namespace {

// The state of `user`'s membership in `group` as the user's node sees it.
std::string Membership(TestNode& node, const std::string& user, const std::string& group) {
  return node.FollowState(user, group, false);
}

bool PostsHave(TestNode& node, const std::string& community, const std::string& id) {
  auto posts = node.Json({"community", "posts", community});
  return FindBy(*posts, "id", id) != nullptr;
}

TEST(Community, ApprovalJoinPostReplyEditDeleteAcrossThreeNodes) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string group = a.origin() + "/c/maths";
  const std::string bob = b.ActorId("bob"), carol = c.ActorId("carol");

  RunResult add = a.Run({"community", "add", "maths", "--title", "Maths teachers", "--join",
                         "approval", "--moderator", "ann"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  // One namespace: a teacher cannot take the community's name (BR-16), and WebFinger answers
  // the Group with exactly one self link.
  RunResult clash = a.Run({"user", "add", "Maths"});
  EXPECT_EQ(clash.exit_code, 3) << clash.out;
  EXPECT_TRUE(Contains(clash.err, "community")) << clash.err;
  {
    HttpResult wf =
        cluster.Get(a.origin() + "/.well-known/webfinger?resource=acct:maths@" + a.domain());
    ASSERT_EQ(wf.status, 200) << wf.body;
    auto jrd = ParseJson(wf.body);
    int selves = 0;
    for (const auto& l : (*jrd)["links"].GetArray()) selves += Str(l, "rel") == "self";
    EXPECT_EQ(selves, 1);
    HttpResult actor = cluster.Get(group, {"Accept: application/activity+json"});
    ASSERT_EQ(actor.status, 200) << actor.body;
    auto doc = ParseJson(actor.body);
    EXPECT_EQ(Str(*doc, "type"), "Group");
    EXPECT_EQ(Str(*doc, "name"), "Maths teachers");
    EXPECT_EQ(Str(*doc, "moderators"), group + "/moderators");
    EXPECT_TRUE((*doc)["manuallyApprovesFollowers"].GetBool());
  }

  // ann (moderator, local) is a member at once; bob and carol ask and wait.
  RunResult join_ann = a.Run({"join", "--as", "ann", "maths@" + a.domain()});
  ASSERT_EQ(join_ann.exit_code, 0) << join_ann.err;
  for (auto [node, user] : {std::pair{&b, "bob"}, std::pair{&c, "carol"}}) {
    RunResult join = node->Run({"join", "--as", user, "maths@" + a.domain()});
    ASSERT_EQ(join.exit_code, 0) << join.err;
    EXPECT_EQ(Membership(*node, user, group), "pending");
  }
  ASSERT_TRUE(WaitFor([&] {
    return a.Json({"community", "requests", "maths"})->Size() == 2;
  })) << "the requests never reached A";
  // Not a moderator: refused. The moderator approves bob; the admin approves carol.
  RunResult not_mod = a.Run({"community", "approve", "maths", b.Handle("bob"), "--as", "nobody"});
  EXPECT_NE(not_mod.exit_code, 0);
  RunResult approve = a.Run({"community", "approve", "maths", bob, "--as", "ann"});
  ASSERT_EQ(approve.exit_code, 0) << approve.err;
  RunResult approve_c = a.Run({"community", "approve", "maths", carol});
  ASSERT_EQ(approve_c.exit_code, 0) << approve_c.err;
  ASSERT_TRUE(WaitFor([&] { return Membership(b, "bob", group) == "accepted"; }))
      << "no Accept on B";
  ASSERT_TRUE(WaitFor([&] { return Membership(c, "carol", group) == "accepted"; }))
      << "no Accept on C";
  {
    auto members = a.Json({"community", "members", "maths"});
    ASSERT_TRUE(members->IsArray());
    EXPECT_EQ(members->Size(), 3u);
    const rapidjson::Value* m = FindBy(*members, "actor", bob);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(Str(*m, "state"), "accepted");
  }

  // bob posts into the community with a title (a Page): the group announces it to carol on C
  // and ann on A; the community lists it.
  RunResult post = b.Run({"post", "--as", "bob", "--community", "maths@" + a.domain(), "--title",
                          "Fractions", "Who has a **fractions** worksheet?"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string page = Trim(post.out);
  ASSERT_TRUE(WaitFor([&] { return c.TimelineHas("carol", page); })) << "carol never got the post";
  ASSERT_TRUE(WaitFor([&] { return a.TimelineHas("ann", page); })) << "ann never got the post";
  EXPECT_TRUE(PostsHave(a, "maths", page));
  EXPECT_TRUE(PostsHave(c, group, page));
  {
    auto tl = c.Timeline("carol");
    const rapidjson::Value* item = FindBy(*tl, "id", page);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "type"), "Page");
    EXPECT_EQ(Str(*item, "actor"), bob);
  }

  // carol replies: the reply stays in the community, and the group announces it to bob.
  RunResult reply = c.Run({"post", "--as", "carol", "--reply-to", page, "I have one for year 5."});
  ASSERT_EQ(reply.exit_code, 0) << reply.err;
  const std::string reply_id = Trim(reply.out);
  ASSERT_TRUE(WaitFor([&] { return b.TimelineHas("bob", reply_id); }))
      << "the reply never reached bob";
  ASSERT_TRUE(WaitFor([&] { return a.TimelineHas("ann", reply_id); }))
      << "the reply never reached ann";

  // bob edits: carol sees the new text (fetched from B, not taken from the group's copy).
  RunResult edit = b.Run({"edit", "--as", "bob", page, "Who has a *decimals* worksheet?"});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  ASSERT_TRUE(WaitFor([&] { return Contains(ContentOn(c, "carol", page), "decimals"); }))
      << "the edit never reached carol";
  ASSERT_TRUE(WaitFor([&] { return Contains(ContentOn(a, "ann", page), "decimals"); }))
      << "the edit never reached ann";

  // bob deletes: gone for carol and ann, and from the community's list.
  RunResult del = b.Run({"delete", "--as", "bob", page});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  ASSERT_TRUE(WaitFor([&] { return !c.TimelineHas("carol", page); }))
      << "the post stayed with carol";
  ASSERT_TRUE(WaitFor([&] { return !a.TimelineHas("ann", page); })) << "the post stayed with ann";
  EXPECT_FALSE(PostsHave(a, "maths", page));

  // A moderator removes carol's reply: the group announces the removal; bob no longer sees it.
  RunResult removed = a.Run({"community", "remove-post", "maths", reply_id, "--as", "ann"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  ASSERT_TRUE(WaitFor([&] { return !b.TimelineHas("bob", reply_id); }))
      << "the removed reply stayed with bob";

  // carol is banned: she is no longer a member, and her next post is not announced.
  RunResult ban = a.Run({"community", "ban", "maths", carol, "--as", "ann"});
  ASSERT_EQ(ban.exit_code, 0) << ban.err;
  ASSERT_TRUE(WaitFor([&] { return Membership(c, "carol", group) == "rejected"; }))
      << "C never learnt that carol's membership ended";
  auto members = a.Json({"community", "members", "maths"});
  const rapidjson::Value* banned = FindBy(*members, "actor", carol);
  ASSERT_NE(banned, nullptr);
  EXPECT_EQ(Str(*banned, "state"), "banned");

  // The community gets a new title: the member's server (B) learns it from an Update{Group}.
  RunResult retitle = a.Run({"community", "set", "maths", "--title", "Maths & numeracy"});
  ASSERT_EQ(retitle.exit_code, 0) << retitle.err;
  ASSERT_TRUE(WaitFor([&] {
    auto rec = b.ReadStore(store::Db::kActors, group);
    if (!rec.ok()) return false;
    auto actor = store::ActorRecord::Decode(*rec);
    return actor && actor->name == "Maths & numeracy";
  })) << "B never learnt the new title";
}

TEST(Community, NetworkOnlyIsInvisibleToUntrustedAndMembersOnlyRefusesNonMembers) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  ASSERT_EQ(a.Run({"trust", "add", b.domain()}).exit_code, 0);
  ASSERT_EQ(a.Run({"community", "add", "staff", "--visibility", "network"}).exit_code, 0);
  ASSERT_EQ(a.Run({"community", "add", "secret", "--visibility", "members"}).exit_code, 0);

  // network: B (trusted) finds it and joins; C does not see it at all.
  RunResult seen = b.Run({"lookup", "staff@" + a.domain()});
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  RunResult unseen = c.Run({"lookup", "staff@" + a.domain()});
  EXPECT_NE(unseen.exit_code, 0) << unseen.out;
  EXPECT_EQ(cluster.Get(a.origin() + "/c/staff", {"Accept: application/activity+json"}).status,
            404);
  RunResult join = b.Run({"join", "--as", "bob", "staff@" + a.domain()});
  ASSERT_EQ(join.exit_code, 0) << join.err;
  ASSERT_TRUE(
      WaitFor([&] { return b.FollowState("bob", a.origin() + "/c/staff", false) == "accepted"; }));

  // members: bob joins and posts; an unsigned fetch and C's signed fetch are refused, B's answered.
  RunResult join2 = b.Run({"join", "--as", "bob", "secret@" + a.domain()});
  ASSERT_EQ(join2.exit_code, 0) << join2.err;
  const std::string secret = a.origin() + "/c/secret";
  ASSERT_TRUE(WaitFor([&] { return b.FollowState("bob", secret, false) == "accepted"; }));
  RunResult post = b.Run({"post", "--as", "bob", "--community", secret, "Only for members"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string note = Trim(post.out);
  ASSERT_TRUE(WaitFor([&] { return PostsHave(a, "secret", note); }))
      << "the post never reached the group";
  // The group's announce is in its outbox: fetched by id, it is refused to non-members.
  auto signed_get = [&](TestNode& as, const std::string& url) {
    HttpCall call{.method = "GET",
                  .url = url,
                  .headers = {"Accept: application/activity+json", "Host: " + a.domain()}};
    auto key = as.PrivateKeyOf(as.origin() + "/actor");
    EXPECT_TRUE(key.ok());
    EXPECT_TRUE(SignCall(call, as.origin() + "/actor#main-key", *key));
    return Http(call, cluster.ca_file());
  };
  EXPECT_EQ(cluster.Get(secret + "/outbox", {"Accept: application/activity+json"}).status, 404);
  EXPECT_EQ(signed_get(c, secret + "/outbox").status, 404);
  HttpResult from_b = signed_get(b, secret + "/outbox");
  EXPECT_EQ(from_b.status, 200) << from_b.body;
  // The post itself is on B (its author's server): B decides, and it is not public there.
  EXPECT_EQ(cluster.Get(note, {"Accept: application/activity+json"}).status, 404);
}

}  // namespace
}  // namespace integ
