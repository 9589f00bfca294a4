// What a community must never do with its members' content, against a real node: publish what
// was meant for a few (a post in a public community is public, Lemmy's verify_is_public; a
// community never widens an object's own visibility), keep an author from taking her content
// back once she left or was banned, keep serving removed or deleted content from its outbox, or
// (member side) let a remote group make our teachers' other posts posts of its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <tuple>

#include "federation/group.h"
#include "federation/outbox.h"
#include "federation/resource.h"
#include "node/routes.h"
#include "store/community.h"
#include "store/resources.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::HttpResponse;
using federation::JsonString;

constexpr int kMember = 0, kGroupKey = 2, kOther = 3;

class CommunityPrivacyCases : public ::testing::Test {
 protected:
  CommunityPrivacyCases()
      : remote_("node-b.example.net"), node_(NodeOptions{.resolve = {remote_.resolve()}}) {
    member_ = remote_.ServeActor("/users/member", kMember);
    node_.Seed(remote_, "/users/member", kMember);
    remote_.Serve("/inbox", testhttp::Respond(202, ""));
  }

  store::CommunityRecord AddCommunity(const std::string& name, store::CommunityVisibility vis) {
    store::CommunityRecord c;
    EXPECT_TRUE(node_
                    .Update([&](store::Txn& txn) -> cs::Status {
                      auto r = group().Create(txn,
                                              {.name = name,
                                               .visibility = vis,
                                               .moderators = {node_.User("teacher1")}},
                                              RemoteKey(kGroupKey).ToPem(),
                                              RemoteKey(kGroupKey).PublicKeyPem());
                      if (!r.ok()) return r.status();
                      c = *r;
                      return cs::Status::Ok();
                    })
                    .ok());
    return c;
  }
  federation::Group group() { return federation::Group(node_->uris(), node_.clock()); }
  void Join(const std::string& actor, const std::string& group_id) {
    ASSERT_TRUE(node_
                    .Update([&](store::Txn& txn) {
                      return store::PutFollow(txn, {.follower = actor,
                                                    .followee = group_id,
                                                    .activity_id = actor + "#join",
                                                    .state = store::FollowState::kAccepted});
                    })
                    .ok());
  }
  HttpResponse Deliver(const std::string& body, const std::string& actor, int key) {
    return node_->inbox().Handle(
        SignedPost(body, actor + "#main-key", key, node_.clock().NowSeconds()), "");
  }
  size_t Deliveries() { return node_.Count(store::Db::kDeliveries); }
  std::vector<std::string> Posts(const std::string& group_id) {
    auto txn = node_->store().BeginRead();
    return store::ListCommunityPosts(*txn, group_id, 100);
  }
  // The group's outbox as served to an unsigned GET: page 1.
  std::string OutboxPage(const std::string& group_id) {
    auto r = Get(group_id + "/outbox?page=1");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  // Ids of the Announces in the group's outbox (as stored).
  std::vector<std::string> Announces(const std::string& group_id) {
    std::vector<std::string> out;
    auto txn = node_->store().BeginRead();
    (void)txn->Scan(store::Db::kOutbox, store::JoinKey(group_id, ""),
                    [&](std::string_view, std::string_view id) {
                      out.emplace_back(id);
                      return true;
                    });
    return out;
  }
  HttpResponse Get(const std::string& url, const std::string& signer = "", int key = 0) {
    node::Router router(node_.node());
    federation::HttpRequest r;
    r.method = "GET";
    r.scheme = "http";
    r.authority = kLocalDomain;
    r.target = url.substr(std::string(kLocalOrigin).size());
    r.headers.Set("accept", "application/activity+json");
    if (!signer.empty()) {
      cs::Status st = federation::SignCavage(r, signer + "#main-key", RemoteKey(key),
                                             node_.clock().NowSeconds());
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    return router.Handle(r);
  }
  cs::Result<std::string> Post(const std::string& user, const std::string& text,
                               federation::PostOptions options) {
    std::string id;
    cs::Status st = node_.Update([&](store::Txn& t) -> cs::Status {
      auto r = node_->outbox().Post(t, user, text, options);
      if (!r.ok()) return r.status();
      id = *r;
      return cs::Status::Ok();
    });
    if (!st.ok()) return st;
    return id;
  }
  // A Create by `actor` of a Note addressed as given (JSON arrays).
  std::string CreateAddressed(const std::string& actor, const std::string& note,
                              const std::string& to, const std::string& cc) {
    return "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":" +
           JsonString(note + "/activity") + ",\"type\":\"Create\",\"actor\":" + JsonString(actor) +
           ",\"to\":" + to + ",\"cc\":" + cc + ",\"object\":{\"id\":" + JsonString(note) +
           ",\"type\":\"Note\",\"attributedTo\":" + JsonString(actor) + ",\"to\":" + to +
           ",\"cc\":" + cc + ",\"content\":\"<p>for my followers only</p>\"}}";
  }

  Remote remote_;
  CaseNode node_;
  std::string member_;
};

// 1c: a remote member's followers-only Create into a public community (to: her followers, cc:
// the group) is refused: not stored, not announced (it was re-broadcast to Public before).
TEST_F(CommunityPrivacyCases, PublicCommunityRefusesARemoteFollowersOnlyCreate) {
  auto c = AddCommunity("maths", store::CommunityVisibility::kPublic);
  Join(member_, c.id);
  Join(node_.User("teacher1"), c.id);
  const std::string note = remote_.url("/notes/fo");
  HttpResponse r = Deliver(CreateAddressed(member_, note, "[" + JsonString(member_ + "/followers") + "]",
                                           "[" + JsonString(c.id) + "]"),
                           member_, kMember);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("maths is a public community: its posts are public"), std::string::npos)
      << r.body;
  EXPECT_FALSE(node_.Object(note));
  EXPECT_TRUE(Posts(c.id).empty());
  EXPECT_EQ(Deliveries(), 0u);
  EXPECT_TRUE(Announces(c.id).empty());
  // Public (even unlisted: Public in cc) is taken as before.
  r = Deliver(CreateAddressed(member_, remote_.url("/notes/ok"),
                              "[" + JsonString(member_ + "/followers") + "]",
                              "[\"" + std::string(kPublic) + "\"," + JsonString(c.id) + "]"),
              member_, kMember);
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(Posts(c.id), std::vector<std::string>{remote_.url("/notes/ok")});
}

// 1b: a teacher's followers-only reply to a post in a public community is refused (nothing
// stored, nothing announced); in a closed community a followers-only post is addressed to the
// group only, as every post there.
TEST_F(CommunityPrivacyCases, FollowersOnlyReplyInAPublicCommunityIsRefused) {
  auto c = AddCommunity("maths", store::CommunityVisibility::kPublic);
  Join(node_.User("teacher1"), c.id);
  auto top = Post("teacher1", "Fractions?", {.audience = c.id});
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  const uint64_t objects = node_.Count(store::Db::kObjects);
  const size_t announces = Announces(c.id).size();
  auto reply = Post("teacher1", "only for my followers",
                    {.in_reply_to = *top, .visibility = store::Visibility::kFollowers});
  ASSERT_FALSE(reply.ok());
  EXPECT_TRUE(reply.status().Is(cs::Status::Code::kForbidden)) << reply.status().ToString();
  EXPECT_NE(reply.status().message().find("maths is a public community: its posts are public"),
            std::string::npos)
      << reply.status().message();
  EXPECT_EQ(node_.Count(store::Db::kObjects), objects);
  EXPECT_EQ(Announces(c.id).size(), announces);

  auto closed = AddCommunity("staff", store::CommunityVisibility::kMembers);
  Join(node_.User("teacher1"), closed.id);
  auto in_closed = Post("teacher1", "members only",
                        {.visibility = store::Visibility::kFollowers, .audience = closed.id});
  ASSERT_TRUE(in_closed.ok()) << in_closed.status().ToString();
  auto o = node_.Object(*in_closed);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->visibility, store::Visibility::kDirect);
  EXPECT_EQ(o->to, std::vector<std::string>{closed.id});
  EXPECT_TRUE(o->cc.empty());
  EXPECT_EQ(Get(*in_closed).status, 404) << "a members-only post was served unsigned";
}

// 1b, defence in depth: an object that is not public is never served more widely than its own
// visibility allows because it is in a public community (one stored before the group refused
// such posts).
TEST_F(CommunityPrivacyCases, CommunityNeverWidensAnObjectsOwnVisibility) {
  auto c = AddCommunity("maths", store::CommunityVisibility::kPublic);
  auto top = Post("teacher1", "Fractions?", {.audience = c.id});
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(Get(*top).status, 200);
  auto reply = Post("teacher1", "secret", {.in_reply_to = *top,
                                           .visibility = store::Visibility::kFollowers});
  ASSERT_FALSE(reply.ok());
  // Stored as an older node did: followers-only, in the community.
  store::ObjectRecord legacy = *node_.Object(*top);
  legacy.id = *top + "-legacy";
  legacy.in_reply_to = *top;
  legacy.visibility = store::Visibility::kFollowers;
  legacy.to = {node_.User("teacher1") + "/followers"};
  legacy.cc = {c.id};
  legacy.content_html = "<p>secret</p>";
  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return store::PutObject(t, legacy); }).ok());
  HttpResponse r = Get(legacy.id);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  EXPECT_EQ(Get(legacy.id, member_, kMember).status, 404) << "not a follower of the author";
  node_.AddFollower(member_, "teacher1");
  EXPECT_EQ(Get(legacy.id, member_, kMember).status, 200) << "a follower may see it";
}

// The same for a shared resource: one in a public community that is not public (stored so by an
// older node) is not served to everyone because its community is public.
TEST_F(CommunityPrivacyCases, CommunityNeverWidensAResourcesOwnVisibility) {
  auto c = AddCommunity("maths", store::CommunityVisibility::kPublic);
  const std::string path = ::testing::TempDir() + "/privacy-sheet.txt";
  {
    std::ofstream out(path);
    out << "worksheet";
  }
  auto files = federation::ImportFiles(node_->blobs(), node_->uris(), {path});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::string id;
  ASSERT_TRUE(node_.Update([&](store::Txn& t) -> cs::Status {
    federation::ResourceInput in;
    in.title = "sheet";
    in.community = c.id;
    auto r = federation::CreateResource(t, node_->outbox(), node_->uris(), node_.clock(),
                                        "teacher1", in, *files);
    if (!r.ok()) return r.status();
    id = *r;
    return cs::Status::Ok();
  }).ok());
  EXPECT_EQ(Get(id).status, 200);
  ASSERT_TRUE(node_.Update([&](store::Txn& t) -> cs::Status {
    auto res = store::GetResource(t, id);
    if (!res.ok()) return res.status();
    res->to = {node_.User("teacher1") + "/followers"};
    res->cc = {c.id};
    return store::PutResource(t, *res);
  }).ok());
  EXPECT_EQ(Get(id).status, 404);
  EXPECT_EQ(Get(id, member_, kMember).status, 404);
}

// 2: an author takes her content back after she was banned: her Delete and her Undo of a Like
// are taken and announced; the post leaves the group's list.
TEST_F(CommunityPrivacyCases, BannedAuthorDeletesHerPostAndUndoesHerLike) {
  auto c = AddCommunity("maths", store::CommunityVisibility::kPublic);
  Join(member_, c.id);
  const std::string note = remote_.url("/notes/1");
  ASSERT_EQ(Deliver(CreateNote(member_, note, "<p>mine</p>",
                               "\"cc\":[" + JsonString(c.id) + "],"),
                    member_, kMember)
                .status,
            202);
  auto top = Post("teacher1", "Fractions?", {.audience = c.id});
  ASSERT_TRUE(top.ok());
  std::string like = "{\"id\":" + JsonString(member_ + "/likes/1") +
                     ",\"type\":\"Like\",\"actor\":" + JsonString(member_) +
                     ",\"object\":" + JsonString(*top) + "}";
  ASSERT_EQ(Deliver(like, member_, kMember).status, 202);
  ASSERT_EQ(Posts(c.id).size(), 2u);
  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return group().Ban(t, c, member_, ""); }).ok());
  const size_t announces = Announces(c.id).size();

  std::string undo = "{\"id\":" + JsonString(member_ + "/undo/1") +
                     ",\"type\":\"Undo\",\"actor\":" + JsonString(member_) + ",\"object\":" + like +
                     "}";
  HttpResponse r = Deliver(undo, member_, kMember);
  EXPECT_EQ(r.status, 202) << r.body;
  std::string del = "{\"id\":" + JsonString(note + "/delete") +
                    ",\"type\":\"Delete\",\"actor\":" + JsonString(member_) +
                    ",\"to\":[\"" + kPublic + "\"],\"object\":" + JsonString(note) + "}";
  r = Deliver(del, member_, kMember);
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(node_.Object(note)->deleted());
  EXPECT_EQ(Posts(c.id), std::vector<std::string>{*top});
  // Both announced by the group: its two newest activities carry them.
  auto ids = Announces(c.id);
  ASSERT_GE(ids.size(), 2u);
  EXPECT_GE(ids.size() + 1, announces + 2);  // (+2, less the deleted post's Create)
  auto inner = [&](const std::string& id) {
    auto txn = node_->store().BeginRead();
    auto act = store::GetActivity(*txn, id);
    return act.ok() ? act->json : "";
  };
  EXPECT_NE(inner(ids[ids.size() - 2]).find(JsonString(member_ + "/undo/1")), std::string::npos);
  EXPECT_NE(inner(ids.back()).find(JsonString(note + "/delete")), std::string::npos);
  // Still a refusal for anything else, and for someone else's object.
  r = Deliver(CreateNote(member_, remote_.url("/notes/2"), "<p>x</p>",
                         "\"cc\":[" + JsonString(c.id) + "],"),
              member_, kMember);
  EXPECT_EQ(r.status, 403);
  std::string del_other = "{\"id\":" + JsonString(member_ + "/delete/2") +
                          ",\"type\":\"Delete\",\"actor\":" + JsonString(member_) +
                          ",\"object\":" + JsonString(*top) + "}";
  EXPECT_EQ(Deliver(del_other, member_, kMember).status, 403);
  // A stranger's Delete of her own object that is not in the group is no reason to announce.
  const std::string stranger = remote_.ServeActor("/users/stranger", kOther);
  node_.Seed(remote_, "/users/stranger", kOther);
  node_.Follow("teacher1", stranger);  // so her note is stored here
  const std::string hers = remote_.url("/notes/hers");
  ASSERT_EQ(Deliver(CreateNote(stranger, hers, "<p>hi</p>"), stranger, kOther).status, 202);
  ASSERT_TRUE(node_.Object(hers));
  std::string del_hers = "{\"id\":" + JsonString(hers + "/delete") +
                         ",\"type\":\"Delete\",\"actor\":" + JsonString(stranger) +
                         ",\"cc\":[" + JsonString(c.id) + "],\"object\":" + JsonString(hers) + "}";
  const size_t before = Announces(c.id).size();
  EXPECT_EQ(Deliver(del_hers, stranger, kOther).status, 403);
  EXPECT_EQ(Announces(c.id).size(), before);
}

// 3: a removed post (and a post its author deleted) is no longer served by the group: its
// Announce{Create} leaves the outbox and its id answers 410; the group's Delete stays.
TEST_F(CommunityPrivacyCases, RemovedAndDeletedPostsLeaveTheGroupOutbox) {
  auto c = AddCommunity("maths", store::CommunityVisibility::kPublic);
  Join(member_, c.id);
  const std::string note = remote_.url("/notes/r");
  ASSERT_EQ(Deliver(CreateNote(member_, note, "<p>removable words</p>",
                               "\"cc\":[" + JsonString(c.id) + "],"),
                    member_, kMember)
                .status,
            202);
  auto own = Post("teacher1", "deletable words", {.audience = c.id});
  ASSERT_TRUE(own.ok());
  auto before = Announces(c.id);
  ASSERT_EQ(before.size(), 2u);
  std::string page = OutboxPage(c.id);
  ASSERT_NE(page.find("removable words"), std::string::npos);
  ASSERT_NE(page.find("deletable words"), std::string::npos);
  for (const auto& id : before) EXPECT_EQ(Get(id).status, 200);

  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return group().RemovePost(t, c, note, ""); }).ok());
  ASSERT_TRUE(node_.Update([&](store::Txn& t) {
    return node_->outbox().DeleteObject(t, "teacher1", *own);
  }).ok());
  page = OutboxPage(c.id);
  EXPECT_EQ(page.find("removable words"), std::string::npos) << page;
  EXPECT_EQ(page.find("deletable words"), std::string::npos) << page;
  for (const auto& id : before) {
    HttpResponse r = Get(id);
    EXPECT_EQ(r.status, 410) << id << ": " << r.body;
    EXPECT_EQ(r.body.find("words"), std::string::npos);
  }
  // The two Deletes (the group's, the author's) are what the outbox has now.
  auto after = Announces(c.id);
  ASSERT_EQ(after.size(), 2u);
  for (const auto& id : after) {
    HttpResponse r = Get(id);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"Delete\""), std::string::npos) << r.body;
  }
}

// ---- member side: what a remote group may list as its posts on our node ----

class RemoteGroupPrivacyCases : public ::testing::Test {
 protected:
  RemoteGroupPrivacyCases()
      : lemmy_("lemmy-1.example"),
        other_("node-c.example.com"),
        node_(NodeOptions{.resolve = {lemmy_.resolve(), other_.resolve()}}) {
    group_ = lemmy_.ServeActor("/c/main", kGroupKey, "Group");
    node_.Seed(lemmy_, "/c/main", kGroupKey, "Group");
    author_ = other_.ServeActor("/users/author", kOther);
    node_.Seed(other_, "/users/author", kOther);
    node_.Follow("teacher1", group_);
  }
  HttpResponse DeliverAsGroup(const std::string& body) {
    return node_->inbox().Handle(
        SignedPost(body, group_ + "#main-key", kGroupKey, node_.clock().NowSeconds()), "");
  }
  std::string Announce(const std::string& n, const std::string& object_json) {
    return "{\"id\":" + JsonString(lemmy_.url("/activities/announce/" + n)) +
           ",\"type\":\"Announce\",\"actor\":" + JsonString(group_) + ",\"to\":[\"" + kPublic +
           "\"],\"object\":" + object_json + "}";
  }
  std::vector<std::string> Posts() {
    auto txn = node_->store().BeginRead();
    return store::ListCommunityPosts(*txn, group_, 100);
  }
  std::string NoteJson(const std::string& id, const std::string& extra) {
    return "{\"id\":" + JsonString(id) + ",\"type\":\"Note\",\"attributedTo\":" +
           JsonString(author_) + ",\"to\":[\"" + kPublic + "\"]," + extra +
           "\"content\":\"<p>a note</p>\"}";
  }

  Remote lemmy_, other_;
  CaseNode node_;
  std::string group_, author_;
};

// 4: a hostile group announces our teacher's personal note (by id, and as an Update in her
// name): it is not listed as the group's, and the note is not changed (no audience written).
TEST_F(RemoteGroupPrivacyCases, GroupCannotListOurTeachersPersonalNotes) {
  std::string personal;
  ASSERT_TRUE(node_.Update([&](store::Txn& t) -> cs::Status {
    auto r = node_->outbox().Post(t, "teacher1", "my own note", {});
    if (!r.ok()) return r.status();
    personal = *r;
    return cs::Status::Ok();
  }).ok());
  const std::string teacher = node_.User("teacher1");
  HttpResponse r = DeliverAsGroup(Announce("1", JsonString(personal)));
  EXPECT_LT(r.status, 500) << r.body;
  std::string update = "{\"id\":" + JsonString(lemmy_.url("/activities/update/1")) +
                       ",\"type\":\"Update\",\"actor\":" + JsonString(teacher) +
                       ",\"object\":{\"id\":" + JsonString(personal) +
                       ",\"type\":\"Note\",\"attributedTo\":" + JsonString(teacher) +
                       ",\"content\":\"<p>hijacked</p>\"}}";
  r = DeliverAsGroup(Announce("2", update));
  EXPECT_LT(r.status, 500) << r.body;
  node_.RunJobs();
  EXPECT_TRUE(Posts().empty());
  auto o = node_.Object(personal);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->audience, "");
  EXPECT_NE(o->content_html.find("my own note"), std::string::npos) << o->content_html;

  // Another server's note that does not name the group is not the group's either.
  other_.ServeJson("/notes/plain", NoteJson(other_.url("/notes/plain"), ""));
  ASSERT_EQ(DeliverAsGroup(Announce("3", JsonString(other_.url("/notes/plain")))).status, 202);
  node_.RunJobs();
  EXPECT_TRUE(Posts().empty());
  auto plain = node_.Object(other_.url("/notes/plain"));
  EXPECT_TRUE(!plain || plain->audience.empty());

  // BR-17's implicit create (Lemmy's Announce{Page} with `audience`) is a post of the group.
  other_.ServeJson("/notes/in", NoteJson(other_.url("/notes/in"),
                                         "\"audience\":" + JsonString(group_) + ","));
  ASSERT_EQ(DeliverAsGroup(Announce("4", JsonString(other_.url("/notes/in")))).status, 202);
  node_.RunJobs();
  EXPECT_EQ(Posts(), std::vector<std::string>{other_.url("/notes/in")});

  // Our teacher's post into the group, announced back: listed, nothing fetched.
  std::string mine;
  ASSERT_TRUE(node_.Update([&](store::Txn& t) -> cs::Status {
    auto r = node_->outbox().Post(t, "teacher1", "into the group", {.audience = group_});
    if (!r.ok()) return r.status();
    mine = *r;
    return cs::Status::Ok();
  }).ok());
  std::string create = "{\"id\":" + JsonString(mine + "/activity") +
                       ",\"type\":\"Create\",\"actor\":" + JsonString(teacher) +
                       ",\"object\":{\"id\":" + JsonString(mine) +
                       ",\"type\":\"Note\",\"attributedTo\":" + JsonString(teacher) +
                       ",\"audience\":" + JsonString(group_) + ",\"content\":\"<p>x</p>\"}}";
  ASSERT_EQ(DeliverAsGroup(Announce("5", create)).status, 202);
  auto posts = Posts();
  EXPECT_NE(std::find(posts.begin(), posts.end(), mine), posts.end());
}

// 5: a group_fetch of an activity by id that fails once (503) is retried, and the retry stores
// the post (the retry used to skip the activity branch and end as done with nothing stored).
TEST_F(RemoteGroupPrivacyCases, RetriedFetchOfAnAnnouncedActivityStoresThePost) {
  const std::string note = other_.url("/notes/7");
  const std::string activity = other_.url("/activities/7");
  int calls = 0;
  other_.ServeDynamic("/activities/7", [&](const testhttp::Recorded&) {
    if (calls++ == 0)
      return testhttp::Respond(503, "{\"error\":\"busy\"}", {{"Content-Type", "application/json"}});
    return testhttp::Respond(
        200,
        "{\"id\":" + JsonString(activity) + ",\"type\":\"Create\",\"actor\":" +
            JsonString(author_) + ",\"to\":[\"" + kPublic + "\"],\"object\":" +
            NoteJson(note, "\"audience\":" + JsonString(group_) + ",") + "}",
        {{"Content-Type", "application/activity+json"}});
  });
  ASSERT_EQ(DeliverAsGroup(Announce("7", JsonString(activity))).status, 202);
  node_.RunJobs();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(node_.Object(note));
  auto jobs = node_.Jobs();
  ASSERT_EQ(jobs.size(), 1u) << "the failed fetch is to be retried";
  EXPECT_EQ(jobs[0].attempts, 1u);
  node_.clock().Advance(5 * 60 * 1000);
  node_.RunJobs();
  EXPECT_EQ(calls, 2);
  auto stored = node_.Object(note);
  ASSERT_TRUE(stored) << "the retry stored nothing";
  EXPECT_EQ(Posts(), std::vector<std::string>{note});
  EXPECT_TRUE(node_.Jobs().empty());
}

// 7: the group removes a post before our fetch of it (waiting for a retry) succeeded: the
// removal is not lost (the fetch used to store and list the post after its removal).
TEST_F(RemoteGroupPrivacyCases, RemovalBeforeTheFetchRetryKeepsThePostOut) {
  const std::string note = other_.url("/notes/8");
  int calls = 0;
  other_.ServeDynamic("/notes/8", [&](const testhttp::Recorded&) {
    if (calls++ == 0)
      return testhttp::Respond(503, "{}", {{"Content-Type", "application/json"}});
    return testhttp::Respond(200, NoteJson(note, "\"audience\":" + JsonString(group_) + ","),
                             {{"Content-Type", "application/activity+json"}});
  });
  std::string create = "{\"id\":" + JsonString(other_.url("/activities/c8")) +
                       ",\"type\":\"Create\",\"actor\":" + JsonString(author_) +
                       ",\"object\":" + NoteJson(note, "\"audience\":" + JsonString(group_) + ",") + "}";
  ASSERT_EQ(DeliverAsGroup(Announce("c8", create)).status, 202);
  node_.RunJobs();
  std::string del = "{\"id\":" + JsonString(lemmy_.url("/activities/del8")) +
                    ",\"type\":\"Delete\",\"actor\":" + JsonString(group_) +
                    ",\"object\":" + JsonString(note) + "}";
  ASSERT_EQ(DeliverAsGroup(Announce("d8", del)).status, 202);
  node_.RunJobs();
  node_.clock().Advance(5 * 60 * 1000);
  node_.RunJobs();
  node_.clock().Advance(5 * 60 * 1000);
  node_.RunJobs();
  EXPECT_EQ(calls, 1) << "the fetch of a post its group took back was retried";
  EXPECT_TRUE(node_.Jobs().empty());
  EXPECT_FALSE(node_.Object(note));
  EXPECT_TRUE(Posts().empty()) << "removed before it was fetched, listed after";
}
}  // namespace
}  // namespace cases
