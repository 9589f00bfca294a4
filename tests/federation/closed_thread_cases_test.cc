// A thread in a closed (members-only) community hosted on another node, as the node of the post's
// author keeps it: a reply sent to us directly by someone the group never checked is not taken
// into the thread; the same kind of reply announced by the group is.
#include <gtest/gtest.h>

#include "federation/json.h"
#include "store/discussion.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

constexpr int kGroupKey = 0, kMember = 1, kStranger = 2;

class ClosedThreadCases : public ::testing::Test {
 protected:
  ClosedThreadCases()
      : a_("school-a.example"),
        elsewhere_("elsewhere.example"),
        node_(NodeOptions{.resolve = {a_.resolve(), elsewhere_.resolve()}}) {
    const std::string closed = "\"communityVisibility\":\"members\",";
    group_ = a_.ServeActor("/c/staff", kGroupKey, "Group", closed);
    node_.Seed(a_, "/c/staff", kGroupKey, "Group");
    EXPECT_TRUE(node_
                    .Update([&](store::Txn& txn) -> cs::Status {
                      auto g = store::GetActor(txn, group_);
                      if (!g.ok()) return g.status();
                      g->raw_json = a_.ActorJson(group_, kGroupKey, "Group", closed);
                      return store::PutActor(txn, *g);
                    })
                    .ok());
    member_ = a_.ServeActor("/users/carol", kMember);
    node_.Seed(a_, "/users/carol", kMember);
    stranger_ = elsewhere_.ServeActor("/users/mallory", kStranger);
    node_.Seed(elsewhere_, "/users/mallory", kStranger);
    a_.Serve("/inbox", testhttp::Respond(202, ""));
    node_.Follow("teacher1", group_);
  }

  std::string Reply(const std::string& actor, const std::string& id, const std::string& parent) {
    return "{\"id\":" + federation::JsonString(id + "/activity") +
           ",\"type\":\"Create\",\"actor\":" + federation::JsonString(actor) + ",\"to\":[" +
           federation::JsonString(group_) + "],\"object\":{\"id\":" + federation::JsonString(id) +
           ",\"type\":\"Note\",\"attributedTo\":" + federation::JsonString(actor) +
           ",\"inReplyTo\":" + federation::JsonString(parent) +
           ",\"audience\":" + federation::JsonString(group_) + ",\"to\":[" +
           federation::JsonString(group_) + "],\"content\":\"<p>reply</p>\"}}";
  }
  std::vector<std::string> Replies(const std::string& parent) {
    auto txn = node_.store().BeginRead();
    return store::ListReplyIds(*txn, parent);
  }

  Remote a_, elsewhere_;
  CaseNode node_;
  std::string group_, member_, stranger_;
};

TEST_F(ClosedThreadCases, OnlyRepliesTheGroupAnnouncesJoinTheThread) {
  std::string post;
  ASSERT_TRUE(node_
                  .Update([&](store::Txn& txn) -> cs::Status {
                    auto id = node_->outbox().Post(txn, "teacher1", "Staff meeting notes",
                                                   {.audience = group_});
                    if (!id.ok()) return id.status();
                    post = *id;
                    return cs::Status::Ok();
                  })
                  .ok());
  // Sent to us directly by a stranger: 202 (nothing to tell him), nothing stored or threaded.
  const std::string intruder = elsewhere_.url("/notes/1");
  auto direct =
      node_->inbox().Handle(SignedPost(Reply(stranger_, intruder, post), stranger_ + "#main-key",
                                       kStranger, node_.clock().NowSeconds()),
                            "");
  EXPECT_EQ(direct.status, 202) << direct.body;
  EXPECT_FALSE(node_.Object(intruder));
  EXPECT_TRUE(Replies(post).empty());

  // A member's reply announced by the group (vouched: it is on the group's own server).
  const std::string reply = a_.url("/notes/2");
  std::string announce = "{\"id\":" + federation::JsonString(a_.url("/c/staff/activities/1")) +
                         ",\"type\":\"Announce\",\"actor\":" + federation::JsonString(group_) +
                         ",\"to\":[" + federation::JsonString(group_ + "/followers") +
                         "],\"object\":" + Reply(member_, reply, post) + "}";
  auto announced = node_->inbox().Handle(
      SignedPost(announce, group_ + "#main-key", kGroupKey, node_.clock().NowSeconds()), "");
  EXPECT_EQ(announced.status, 202) << announced.body;
  EXPECT_TRUE(node_.Object(reply));
  EXPECT_EQ(Replies(post), std::vector<std::string>{reply});
}

}  // namespace
}  // namespace cases
