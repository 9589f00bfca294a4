// Three real nodes over HTTPS on loopback: the life of a follow and of a post, end to end
// (follow by handle, Accept, Create, reply, Update, Delete, Undo(Follow), Delete(actor)).
#include <gtest/gtest.h>

#include "tests/integration/cluster.h"

namespace integ {
namespace {

TEST(Federation, ThreeNodesFollowPostReplyEditDeleteUnfollowAndDeleteUser) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  TestNode& c = cluster.AddNode("c", {"carol"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string ann = a.ActorId("ann"), bob = b.ActorId("bob"), carol = c.ActorId("carol");

  // ann@A follows bob@B by handle (WebFinger, actor fetch, Follow, Accept).
  RunResult follow = a.Run({"follow", "--as", "ann", b.Handle("bob")});
  ASSERT_EQ(follow.exit_code, 0) << follow.err;
  EXPECT_TRUE(Contains(follow.out, bob)) << follow.out;
  ASSERT_TRUE(WaitFor([&] { return a.FollowState("ann", bob, false) == "accepted"; }))
      << "ann's follow of bob was not accepted on A";
  EXPECT_EQ(b.FollowState("bob", ann, true), "accepted");
  // carol@C follows bob too.
  RunResult follow_c = c.Run({"follow", "--as", "carol", "@" + b.Handle("bob")});
  ASSERT_EQ(follow_c.exit_code, 0) << follow_c.err;
  ASSERT_TRUE(WaitFor([&] { return c.FollowState("carol", bob, false) == "accepted"; }));
  EXPECT_EQ(b.FollowState("bob", carol, true), "accepted");

  // bob posts: the Note reaches both followers' home timelines with its id, author and content.
  RunResult post = b.Run({"post", "--as", "bob", "Who has a **fractions** worksheet?"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string note = Trim(post.out);
  ASSERT_EQ(note.rfind(bob + "/", 0), 0u) << "note id not under bob: " << note;
  for (auto [node, user] : {std::pair{&a, "ann"}, std::pair{&c, "carol"}}) {
    ASSERT_TRUE(WaitFor([&] { return node->TimelineHas(user, note); })) << note << " never reached " << user;
    auto tl = node->Timeline(user);
    const rapidjson::Value* item = FindBy(*tl, "id", note);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "type"), "Note");
    EXPECT_EQ(Str(*item, "actor"), bob);
    EXPECT_EQ(Str(*item, "content"), "<p>Who has a <strong>fractions</strong> worksheet?</p>");
    EXPECT_EQ(Str(*item, "visibility"), "public");
    EXPECT_TRUE(IsNull(*item, "in_reply_to"));
    EXPECT_TRUE(IsNull(*item, "updated"));
  }

  // ann replies: bob sees the reply, linked to his note.
  RunResult reply = a.Run({"post", "--as", "ann", "--reply-to", note, "I have one for year 5."});
  ASSERT_EQ(reply.exit_code, 0) << reply.err;
  const std::string reply_id = Trim(reply.out);
  ASSERT_TRUE(WaitFor([&] { return b.TimelineHas("bob", reply_id); })) << "the reply never reached bob";
  {
    auto tl = b.Timeline("bob");
    const rapidjson::Value* item = FindBy(*tl, "id", reply_id);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "actor"), ann);
    EXPECT_EQ(Str(*item, "in_reply_to"), note);
    EXPECT_EQ(Str(*item, "content"), "<p>I have one for year 5.</p>");
  }

  // bob edits: ann sees the new content and when it was updated.
  RunResult edit = b.Run({"edit", "--as", "bob", note, "Who has a *decimals* worksheet?"});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  ASSERT_TRUE(WaitFor([&] {
    auto tl = a.Timeline("ann");
    const rapidjson::Value* item = FindBy(*tl, "id", note);
    return item && Contains(Str(*item, "content"), "decimals");
  })) << "the edit never reached ann";
  {
    auto tl = a.Timeline("ann");
    const rapidjson::Value* item = FindBy(*tl, "id", note);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "content"), "<p>Who has a <em>decimals</em> worksheet?</p>");
    EXPECT_FALSE(Str(*item, "updated").empty()) << "no 'updated' after an edit";
    EXPECT_EQ(Str(*item, "actor"), bob);
  }

  // bob deletes: gone from ann's (and carol's) timeline; the id answers 410 with a Tombstone.
  RunResult del = b.Run({"delete", "--as", "bob", note});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  ASSERT_TRUE(WaitFor([&] { return !a.TimelineHas("ann", note); })) << "the note stayed on ann's timeline";
  ASSERT_TRUE(WaitFor([&] { return !c.TimelineHas("carol", note); })) << "the note stayed on carol's timeline";
  {
    HttpResult got = cluster.Get(note, {"Accept: application/activity+json"});
    EXPECT_EQ(got.status, 410) << got.body;
    auto doc = ParseJson(got.body);
    EXPECT_EQ(Str(*doc, "type"), "Tombstone");
    EXPECT_EQ(Str(*doc, "id"), note);
    EXPECT_EQ(Str(*doc, "formerType"), "Note");
  }

  // ann unfollows: bob's followers no longer list her, and bob's next post does not reach her.
  RunResult unfollow = a.Run({"unfollow", "--as", "ann", b.Handle("bob")});
  ASSERT_EQ(unfollow.exit_code, 0) << unfollow.err;
  EXPECT_EQ(a.FollowState("ann", bob, false), "");
  ASSERT_TRUE(WaitFor([&] { return b.FollowState("bob", ann, true).empty(); }))
      << "bob's followers still list ann after the Undo";
  EXPECT_EQ(b.FollowState("bob", carol, true), "accepted");
  RunResult post2 = b.Run({"post", "--as", "bob", "Second post, for followers who stayed"});
  ASSERT_EQ(post2.exit_code, 0) << post2.err;
  const std::string note2 = Trim(post2.out);
  // carol getting it and B's queue running empty show the delivery round is over.
  ASSERT_TRUE(WaitFor([&] { return c.TimelineHas("carol", note2); })) << "carol never got the second post";
  ASSERT_TRUE(WaitFor([&] { return b.Json({"deliveries"})->Size() == 0; })) << "B's queue did not drain";
  EXPECT_FALSE(a.TimelineHas("ann", note2));
  EXPECT_TRUE(a.ReadStore(store::Db::kObjects, note2).status().Is(cs::Status::Code::kNotFound))
      << "A stored a post of an actor nobody there follows";

  // bob is deleted: his actor answers 410, carol's follow of him ends, his posts leave her timeline.
  RunResult user_delete = b.Run({"user", "delete", "bob"});
  ASSERT_EQ(user_delete.exit_code, 0) << user_delete.err;
  {
    HttpResult got = cluster.Get(bob, {"Accept: application/activity+json"});
    EXPECT_EQ(got.status, 410) << got.body;
    EXPECT_EQ(Str(*ParseJson(got.body), "type"), "Tombstone");
  }
  ASSERT_TRUE(WaitFor([&] { return c.FollowState("carol", bob, false).empty(); }))
      << "carol still follows the deleted bob";
  ASSERT_TRUE(WaitFor([&] { return !c.TimelineHas("carol", note2); }))
      << "the deleted bob's post stayed on carol's timeline";
  // A WebFinger look-up of the deleted account finds nothing.
  HttpResult wf = cluster.Get(b.origin() + "/.well-known/webfinger?resource=acct:bob@" + b.domain());
  EXPECT_EQ(wf.status, 404);
}

}  // namespace
}  // namespace integ
