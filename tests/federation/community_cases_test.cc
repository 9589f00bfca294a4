// Group logic of communities (FEP-1b12, BR-16/17/19 of /work/shared/cases/federation-cases.md)
// against a real node: what a group takes from members and refuses from everyone else, join
// policies, visibility on fetch, and the member side of remote groups' Announces (Lemmy's
// Announce{Create{Page}} from the corpus, forged announces).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "federation/group.h"
#include "federation/outbox.h"
#include "federation/post_title.h"
#include "federation/resource.h"
#include "node/routes.h"
#include "store/community.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::HttpResponse;

constexpr int kMember = 0, kOutsider = 1, kGroupKey = 2, kOther = 3;

std::string Fixture(const std::string& path) {
  std::ifstream in(std::string(CS_FIXTURES_DIR) + "/" + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GroupCases : public ::testing::Test {
 protected:
  GroupCases() : remote_("node-b.example.net"), node_(NodeOptions{.resolve = {remote_.resolve()}}) {
    member_ = remote_.ServeActor("/users/member", kMember);
    outsider_ = remote_.ServeActor("/users/outsider", kOutsider);
    node_.Seed(remote_, "/users/member", kMember);
    node_.Seed(remote_, "/users/outsider", kOutsider);
    remote_.Serve("/inbox", testhttp::Respond(202, ""));
  }

  store::CommunityRecord AddCommunity(const std::string& name, store::JoinPolicy join,
                                      store::CommunityVisibility vis) {
    federation::Group group(node_->uris(), node_.clock());
    store::CommunityRecord c;
    EXPECT_TRUE(node_
                    .Update([&](store::Txn& txn) -> cs::Status {
                      auto r = group.Create(txn,
                                            {.name = name,
                                             .join = join,
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
  void Join(const std::string& actor, const std::string& group) {
    ASSERT_TRUE(node_
                    .Update([&](store::Txn& txn) {
                      return store::PutFollow(txn, {.follower = actor,
                                                    .followee = group,
                                                    .activity_id = actor + "#join",
                                                    .state = store::FollowState::kAccepted});
                    })
                    .ok());
  }
  HttpResponse Deliver(const std::string& body, const std::string& actor, int key) {
    return node_->inbox().Handle(
        SignedPost(body, actor + "#main-key", key, node_.clock().NowSeconds()), "");
  }
  // The queued deliveries: (inbox, activity JSON, signer).
  std::vector<std::tuple<std::string, std::string, std::string>> Deliveries() {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    auto txn = node_->store().BeginRead();
    (void)txn->Scan(store::Db::kDeliveries, "", [&](std::string_view, std::string_view v) {
      auto d = store::DeliveryRecord::Decode(v);
      auto act = store::GetActivity(*txn, d->activity_id);
      out.emplace_back(d->inbox, act.ok() ? act->json : "", d->signer);
      return true;
    });
    return out;
  }
  std::vector<std::string> Posts(const std::string& group) {
    auto txn = node_->store().BeginRead();
    return store::ListCommunityPosts(*txn, group, 100);
  }
  std::optional<store::FollowRecord> Membership(const std::string& actor,
                                                const std::string& group) {
    auto txn = node_->store().BeginRead();
    auto f = store::GetFollow(*txn, actor, group);
    if (!f.ok()) return std::nullopt;
    return *f;
  }
  std::string Follow(const std::string& actor, const std::string& group, const std::string& id) {
    return "{\"id\":" + federation::JsonString(id) +
           ",\"type\":\"Follow\",\"actor\":" + federation::JsonString(actor) +
           ",\"object\":" + federation::JsonString(group) + "}";
  }

  Remote remote_;
  CaseNode node_;
  std::string member_, outsider_;
};

TEST_F(GroupCases, MemberPostIsCheckedStoredAndAnnouncedToEveryMember) {
  auto c = AddCommunity("maths", store::JoinPolicy::kOpen, store::CommunityVisibility::kPublic);
  Join(member_, c.id);
  Join(node_.User("teacher1"), c.id);
  std::string note = remote_.url("/notes/1");
  // BR-19.3: the group only in audience.
  HttpResponse r = Deliver(CreateNote(member_, note, "<p>fractions</p>",
                                      "\"audience\":" + federation::JsonString(c.id) + ","),
                           member_, kMember);
  ASSERT_EQ(r.status, 202) << r.body;
  auto stored = node_.Object(note);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->audience, c.id);
  EXPECT_EQ(Posts(c.id), std::vector<std::string>{note});
  auto tl = node_.Timeline(node_.User("teacher1"));
  EXPECT_NE(std::find(tl.begin(), tl.end(), note), tl.end()) << "the local member did not get it";
  auto deliveries = Deliveries();
  ASSERT_EQ(deliveries.size(), 1u);  // one shared inbox for the remote member
  auto [inbox, json, signer] = deliveries[0];
  EXPECT_EQ(inbox, remote_.url("/inbox"));
  EXPECT_EQ(signer, c.id) << "the group signs its announces";
  auto doc = federation::ParseJson(json);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(std::string((*doc)["type"].GetString()), "Announce");
  EXPECT_EQ(std::string((*doc)["actor"].GetString()), c.id);
  EXPECT_EQ(std::string((*doc)["object"]["type"].GetString()), "Create");
  EXPECT_EQ(std::string((*doc)["object"]["object"]["id"].GetString()), note);

  // A Like of the post from a member is announced too (wrapped, not counted).
  std::string like = "{\"id\":" + federation::JsonString(member_ + "/likes/1") +
                     ",\"type\":\"Like\",\"actor\":" + federation::JsonString(member_) +
                     ",\"object\":" + federation::JsonString(note) + "}";
  ASSERT_EQ(Deliver(like, member_, kMember).status, 202);
  EXPECT_EQ(Deliveries().size(), 2u);
}

TEST_F(GroupCases, BR19_AllThreeAddressingsAreGroupPostsAndAMentionOnlyReplyIsNot) {
  auto c = AddCommunity("maths", store::JoinPolicy::kOpen, store::CommunityVisibility::kPublic);
  Join(member_, c.id);
  node_.Seed(remote_, "/users/teacher2", kMember);
  Join(remote_.url("/users/teacher2"), c.id);
  std::string origin = remote_.origin();
  for (const char* f :
       {"br19_1_group_in_both_cc.json", "br19_2_group_only_in_note_cc.json",
        "br19_3_group_only_in_audience.json", "br19_4_reply_mentioning_group.json"}) {
    std::string body =
        Rehost(Rehost(Fixture(std::string("cases/") + f), "https://node-b.example.net", origin),
               "https://node-a.example.org", kLocalOrigin);
    HttpResponse r = Deliver(body, remote_.url("/users/teacher2"), kMember);
    EXPECT_EQ(r.status, 202) << f << ": " << r.body;
  }
  auto posts = Posts(c.id);
  EXPECT_EQ(posts.size(), 3u);
  for (int n : {41, 42, 43})
    EXPECT_NE(std::find(posts.begin(), posts.end(), remote_.url("/notes/" + std::to_string(n))),
              posts.end())
        << n;
  EXPECT_EQ(std::find(posts.begin(), posts.end(), remote_.url("/notes/44")), posts.end());
}

// BR-19: the untitled Notes of 19.1-19.3 are listed under a title derived from their first line;
// the reply of 19.4 has none. The title is derived for listings, not written into the author's
// object (its `name` stays empty, the group announces the Create as received), so an Update
// that still has no name gives the new first line rather than no title.
TEST_F(GroupCases, BR19_UntitledPostsGetADerivedTitleThatFollowsTheirEdits) {
  auto c = AddCommunity("maths", store::JoinPolicy::kOpen, store::CommunityVisibility::kPublic);
  const std::string teacher2 = remote_.ServeActor("/users/teacher2", kMember);
  node_.Seed(remote_, "/users/teacher2", kMember);
  Join(teacher2, c.id);
  for (const char* f :
       {"br19_1_group_in_both_cc.json", "br19_2_group_only_in_note_cc.json",
        "br19_3_group_only_in_audience.json", "br19_4_reply_mentioning_group.json"}) {
    std::string body = Rehost(
        Rehost(Fixture(std::string("cases/") + f), "https://node-b.example.net", remote_.origin()),
        "https://node-a.example.org", kLocalOrigin);
    ASSERT_EQ(Deliver(body, teacher2, kMember).status, 202) << f;
  }
  for (int n : {41, 42, 43}) {
    auto post = node_.Object(remote_.url("/notes/" + std::to_string(n)));
    ASSERT_TRUE(post) << n;
    EXPECT_EQ(post->name, "") << n << ": the author's object stays untitled";
    auto title = federation::TitleOf(*post);
    EXPECT_EQ(title.text, "Worksheet on fractions") << n;
    EXPECT_TRUE(title.derived) << n;
  }
  auto reply = node_.Object(remote_.url("/notes/44"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(federation::TitleOf(*reply).text, "");
  // What the group announced is the Create as received: no title added to the Note.
  for (const auto& [inbox, json, signer] : Deliveries()) {
    auto doc = federation::ParseJson(json);
    ASSERT_TRUE(doc.ok());
    const auto& object = (*doc)["object"];
    if (object.IsObject() && object.HasMember("object") && object["object"].IsObject()) {
      EXPECT_FALSE(object["object"].HasMember("name")) << json;
    }
  }

  // The author edits 19.1, still without a name: the title follows the new first line.
  const std::string note = remote_.url("/notes/41");
  std::string update =
      "{\"id\":" + federation::JsonString(note + "#update-1") +
      ",\"type\":\"Update\",\"actor\":" + federation::JsonString(teacher2) +
      ",\"to\":[\"" + kPublic + "\"],\"cc\":[" + federation::JsonString(c.id) +
      "],\"object\":{\"id\":" + federation::JsonString(note) +
      ",\"type\":\"Note\",\"attributedTo\":" + federation::JsonString(teacher2) +
      ",\"to\":[\"" + kPublic + "\"],\"cc\":[" + federation::JsonString(c.id) +
      "],\"content\":\"<p>Worksheet on fractions and "
      "decimals, now with answers for every exercise and a second page for the faster pupils<br>"
      "Link inside</p>\"}}";
  ASSERT_EQ(Deliver(update, teacher2, kMember).status, 202);
  auto edited = node_.Object(note);
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->name, "");
  EXPECT_EQ(federation::TitleOf(*edited).text,
            "Worksheet on fractions and decimals, now with answers for every exercise and a\u2026");
  EXPECT_EQ(Posts(c.id).size(), 3u) << "still one post each";
}

// Posts into a community as other implementations write them (the corpus, rehosted: the author
// on node-b, the community ours): Lemmy (to Public, cc and audience the community, a titled Page),
// lotide (to the community as a string, cc Public; a Page, or a Note with a title) and GNU social
// (cc the group). Each is taken as a post of our community with its title, shown to the local
// member and announced as received; Lemmy's edit updates the title.
TEST_F(GroupCases, CorpusPostsIntoACommunityAreTakenAsTheirSendersMeant) {
  auto c = AddCommunity("maths", store::JoinPolicy::kOpen, store::CommunityVisibility::kPublic);
  Join(node_.User("teacher1"), c.id);
  struct Case {
    std::string file;
    std::vector<std::string> group_urls;  // how the fixture names the community
    std::string author_origin, author_path, activity_id_path, object_path, type, title;
  };
  const std::vector<Case> cases = {
      {"lemmy/activities/create_page.json",
       {"http://lemmy-1.example/c/main", "https://lemmy-1.example/c/main"},
       "http://lemmy-2.example",
       "/u/lemmy_alpha",
       "/activities/create/eee6a57a-622f-464d-b560-73ae1fcd3ddf",
       "/post/1",
       "Page",
       "test post"},
      {"lotide/activities/create_page.json",
       {"https://lotide-4.example/communities/1"},
       "https://lotide-3.example",
       "/apub/users/1",
       "/apub/posts/60/create",
       "/apub/posts/60",
       "Page",
       "test post from b"},
      {"lotide/activities/create_page_image.json",
       {"http://localhost:8536/c/elsewhere"},
       "http://ltthostname.local:3334",
       "/apub/users/3",
       "/apub/posts/46/create",
       "/apub/posts/46",
       "Note",
       "image"},
      {"gnusocial/activities/create_page.json",
       {"https://instance.gnusocial.test/actor/21"},
       "https://instance.gnusocial.test",
       "/actor/42",
       "/activity/1338",
       "/object/note/1338",
       "Page",
       "hello, world."},
  };
  size_t announced = 0;
  for (const auto& k : cases) {
    SCOPED_TRACE(k.file);
    std::string body = Fixture("activitypub/" + k.file);
    for (const auto& g : k.group_urls) body = Rehost(body, g, c.id);
    body = Rehost(body, k.author_origin, remote_.origin());
    const std::string author = remote_.ServeActor(k.author_path, kMember);
    node_.Seed(remote_, k.author_path, kMember);
    Join(author, c.id);
    HttpResponse r = Deliver(body, author, kMember);
    ASSERT_EQ(r.status, 202) << r.body;
    const std::string id = remote_.url(k.object_path);
    auto stored = node_.Object(id);
    ASSERT_TRUE(stored) << "not stored: " << id;
    EXPECT_EQ(stored->type, k.type);
    EXPECT_EQ(stored->name, k.title);
    EXPECT_EQ(stored->attributed_to, author);
    EXPECT_EQ(stored->audience, c.id);
    auto posts = Posts(c.id);
    EXPECT_NE(std::find(posts.begin(), posts.end(), id), posts.end());
    auto tl = node_.Timeline(node_.User("teacher1"));
    EXPECT_NE(std::find(tl.begin(), tl.end(), id), tl.end());
    // Announced as received: Announce{the sender's Create} by the group, to the shared inbox.
    auto deliveries = Deliveries();
    ASSERT_EQ(deliveries.size(), ++announced);
    bool found = false;
    for (const auto& [inbox, json, signer] : deliveries) {
      auto doc = federation::ParseJson(json);
      if (!doc.ok() || !(*doc)["object"].IsObject() ||
          std::string((*doc)["object"]["id"].GetString()) != remote_.url(k.activity_id_path))
        continue;
      found = true;
      EXPECT_EQ(std::string((*doc)["type"].GetString()), "Announce");
      EXPECT_EQ(std::string((*doc)["actor"].GetString()), c.id);
      EXPECT_EQ(std::string((*doc)["object"]["object"]["id"].GetString()), id);
      EXPECT_EQ(inbox, remote_.url("/inbox"));
      EXPECT_EQ(signer, c.id);
    }
    EXPECT_TRUE(found) << "no Announce of " << remote_.url(k.activity_id_path);
  }
  // Lemmy's edit (Update{Page}, cc and audience the community) changes the title and is announced.
  std::string update = Fixture("activitypub/lemmy/activities/update_page.json");
  for (const char* g : {"http://lemmy-1.example/c/main", "https://lemmy-1.example/c/main"})
    update = Rehost(update, g, c.id);
  update = Rehost(update, "http://lemmy-2.example", remote_.origin());
  HttpResponse r = Deliver(update, remote_.url("/u/lemmy_alpha"), kMember);
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(node_.Object(remote_.url("/post/1"))->name, "test post 1");
  EXPECT_EQ(Deliveries().size(), announced + 1);
}

TEST_F(GroupCases, NonMemberBannedAndSpoofedActivitiesAreRefusedAndChangeNothing) {
  auto c = AddCommunity("maths", store::JoinPolicy::kOpen, store::CommunityVisibility::kPublic);
  Join(member_, c.id);
  std::string cc = "\"cc\":[" + federation::JsonString(c.id) + "],";
  // A non-member.
  HttpResponse r = Deliver(CreateNote(outsider_, remote_.url("/notes/2"), "<p>spam</p>", cc),
                           outsider_, kOutsider);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_FALSE(node_.Object(remote_.url("/notes/2")));
  // A member whose object claims another author.
  std::string forged = CreateNote(member_, remote_.url("/notes/3"), "<p>x</p>", cc);
  forged = Rehost(forged, "\"attributedTo\":" + federation::JsonString(member_),
                  "\"attributedTo\":" + federation::JsonString(outsider_));
  r = Deliver(forged, member_, kMember);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_FALSE(node_.Object(remote_.url("/notes/3")));
  // Signed by one actor, claiming to be another.
  r = Deliver(CreateNote(member_, remote_.url("/notes/4"), "<p>x</p>", cc), outsider_, kOutsider);
  EXPECT_EQ(r.status, 401) << r.body;
  // A banned member.
  federation::Group group(node_->uris(), node_.clock());
  ASSERT_TRUE(node_.Update([&](store::Txn& txn) { return group.Ban(txn, c, member_, ""); }).ok());
  size_t queued = Deliveries().size();  // the Reject that ends the membership
  r = Deliver(CreateNote(member_, remote_.url("/notes/5"), "<p>x</p>", cc), member_, kMember);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_FALSE(node_.Object(remote_.url("/notes/5")));
  EXPECT_EQ(Deliveries().size(), queued);
  EXPECT_TRUE(Posts(c.id).empty());
  // And a banned actor cannot join again.
  ASSERT_EQ(Deliver(Follow(member_, c.id, member_ + "/follows/2"), member_, kMember).status, 202);
  auto m = Membership(member_, c.id);
  EXPECT_TRUE(!m || m->state != store::FollowState::kAccepted);
}

TEST_F(GroupCases, JoinPolicies) {
  auto open = AddCommunity("open1", store::JoinPolicy::kOpen, store::CommunityVisibility::kPublic);
  auto approval =
      AddCommunity("approval1", store::JoinPolicy::kApproval, store::CommunityVisibility::kPublic);
  auto invite =
      AddCommunity("invite1", store::JoinPolicy::kInvite, store::CommunityVisibility::kPublic);
  auto accepts = [&] {
    size_t n = 0;
    for (auto& [inbox, json, signer] : Deliveries())
      n += json.find("\"type\":\"Accept\"") != std::string::npos;
    return n;
  };
  auto rejects = [&] {
    size_t n = 0;
    for (auto& [inbox, json, signer] : Deliveries())
      n += json.find("\"type\":\"Reject\"") != std::string::npos;
    return n;
  };
  // open: accepted at once, an Accept goes back.
  ASSERT_EQ(Deliver(Follow(member_, open.id, member_ + "/f/1"), member_, kMember).status, 202);
  EXPECT_EQ(Membership(member_, open.id)->state, store::FollowState::kAccepted);
  EXPECT_EQ(accepts(), 1u);
  // approval: pending, nothing sent until a moderator approves.
  ASSERT_EQ(Deliver(Follow(member_, approval.id, member_ + "/f/2"), member_, kMember).status, 202);
  EXPECT_EQ(Membership(member_, approval.id)->state, store::FollowState::kPending);
  EXPECT_EQ(accepts(), 1u);
  federation::Group group(node_->uris(), node_.clock());
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return group.Approve(t, approval, member_); }).ok());
  EXPECT_EQ(Membership(member_, approval.id)->state, store::FollowState::kAccepted);
  EXPECT_EQ(accepts(), 2u);
  // invite: refused without an invitation, accepted with one.
  ASSERT_EQ(Deliver(Follow(outsider_, invite.id, outsider_ + "/f/3"), outsider_, kOutsider).status,
            202);
  EXPECT_FALSE(Membership(outsider_, invite.id));
  EXPECT_EQ(rejects(), 1u);
  auto invitee = node_.Actor(member_);
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return group.Invite(t, invite, *invitee, ""); }).ok());
  ASSERT_EQ(Deliver(Follow(member_, invite.id, member_ + "/f/4"), member_, kMember).status, 202);
  EXPECT_EQ(Membership(member_, invite.id)->state, store::FollowState::kAccepted);
}

TEST_F(GroupCases, NetworkAndMembersVisibilityOnFetch) {
  auto net = AddCommunity("staff", store::JoinPolicy::kOpen, store::CommunityVisibility::kNetwork);
  auto members =
      AddCommunity("secret", store::JoinPolicy::kOpen, store::CommunityVisibility::kMembers);
  node::Router router(node_.node());
  auto get = [&](const std::string& url, const std::string& signer, int key) {
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
    return router.Handle(r).status;
  };
  EXPECT_EQ(get(net.id, "", 0), 404);
  EXPECT_EQ(get(net.id, member_, kMember), 404);  // not trusted yet
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return store::PutTrusted(t, remote_.authority()); }).ok());
  EXPECT_EQ(get(net.id, member_, kMember), 200);
  // Untrusted servers are refused at the door too.
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return store::DeleteTrusted(t, remote_.authority()); })
          .ok());
  EXPECT_EQ(Deliver(Follow(member_, net.id, member_ + "/f/9"), member_, kMember).status, 202);
  EXPECT_FALSE(Membership(member_, net.id));

  // members: the actor is public (to be asked to join), its outbox and posts only for members
  // or their servers (node-b: outsider_ shares the member's server; node-c does not).
  Remote third("node-c.example.com");
  node_.Seed(third, "/users/stranger", kOther);
  const std::string stranger = third.url("/users/stranger");
  EXPECT_EQ(get(members.id, "", 0), 200);
  EXPECT_EQ(get(members.id + "/outbox", "", 0), 404);
  EXPECT_EQ(get(members.id + "/outbox", outsider_, kOutsider), 404);
  Join(member_, members.id);
  EXPECT_EQ(get(members.id + "/outbox", member_, kMember), 200);
  // A post of a local member in it.
  Join(node_.User("teacher1"), members.id);
  std::string note;
  ASSERT_TRUE(node_
                  .Update([&](store::Txn& t) -> cs::Status {
                    auto r = node_->outbox().Post(t, "teacher1", "members only",
                                                  {.audience = members.id});
                    if (!r.ok()) return r.status();
                    note = *r;
                    return cs::Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(get(note, "", 0), 404);
  EXPECT_EQ(get(note, stranger, kOther), 404);
  EXPECT_EQ(get(note, member_, kMember), 200);
  EXPECT_EQ(get(note, outsider_, kOutsider), 200);  // the server of a member
  // The group announced it to the remote member, addressed to its members only.
  bool announced = false;
  for (auto& [inbox, json, signer] : Deliveries())
    if (json.find(note) != std::string::npos && json.find("\"Announce\"") != std::string::npos) {
      announced = true;
      EXPECT_EQ(json.find("#Public"), std::string::npos) << json;
    }
  EXPECT_TRUE(announced);
}

// A resource shared into a community that is not public follows the rules of posts in it: to the
// group only (no Public, not the author's followers), not in the author's public outbox, and the
// resource, its versions, its history and its files only for members and their servers.
TEST_F(GroupCases, ResourceInAMembersOnlyCommunityIsForMembersOnly) {
  auto staff =
      AddCommunity("staff", store::JoinPolicy::kApproval, store::CommunityVisibility::kMembers);
  const std::string teacher = node_.User("teacher1");
  Join(teacher, staff.id);
  Join(member_, staff.id);
  // outsider_ follows the author but is no member.
  ASSERT_TRUE(node_
                  .Update([&](store::Txn& t) {
                    return store::PutFollow(t, {.follower = outsider_,
                                                .followee = teacher,
                                                .activity_id = outsider_ + "#f",
                                                .state = store::FollowState::kAccepted});
                  })
                  .ok());
  // A remote members-only community (another node's Group document says so).
  const std::string remote_group = remote_.url("/c/closed");
  ASSERT_TRUE(node_
                  .Update([&](store::Txn& t) {
                    store::ActorRecord g;
                    g.id = remote_group;
                    g.type = "Group";
                    g.preferred_username = "closed";
                    g.inbox = remote_group + "/inbox";
                    g.raw_json = "{\"id\":\"" + remote_group +
                                 "\",\"type\":\"Group\",\"communityVisibility\":\"members\"}";
                    return store::PutActor(t, g);
                  })
                  .ok());
  const std::string path = ::testing::TempDir() + "/staff-secret.txt";
  {
    std::ofstream out(path);
    out << "staff secret";
  }
  auto files = federation::ImportFiles(node_->blobs(), node_->uris(), {path});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto create = [&](const std::string& community) {
    std::string id;
    cs::Status st = node_.Update([&](store::Txn& t) -> cs::Status {
      federation::ResourceInput in;
      in.title = "staff secret";
      in.community = community;
      auto r = federation::CreateResource(t, node_->outbox(), node_->uris(), node_.clock(),
                                          "teacher1", in, *files);
      if (!r.ok()) return r.status();
      id = *r;
      return cs::Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  };
  size_t before = Deliveries().size();
  const std::string rid = create(staff.id);
  const std::string remote_rid = create(remote_group);
  ASSERT_FALSE(rid.empty());
  ASSERT_FALSE(remote_rid.empty());

  node::Router router(node_.node());
  auto get = [&](const std::string& url, const std::string& signer, int key) {
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
  };
  // Addressed to the group only; only the groups' servers get it (the local group announces it
  // to its remote member, addressed to its members).
  auto deliveries = Deliveries();
  for (size_t i = before; i < deliveries.size(); ++i) {
    auto& [inbox, json, signer] = deliveries[i];
    EXPECT_EQ(json.find("#Public"), std::string::npos) << json;
    EXPECT_EQ(json.find(teacher + "/followers"), std::string::npos) << json;
    if (signer == teacher)
      EXPECT_EQ(inbox, remote_group + "/inbox") << json;  // the remote group, nobody else
  }
  {
    auto txn = node_->store().BeginRead();
    for (const auto& id : {rid, remote_rid}) {
      auto r = store::GetResource(*txn, id);
      ASSERT_TRUE(r.ok());
      EXPECT_FALSE(federation::IsPublicResource(*r));
      EXPECT_EQ(r->to, std::vector<std::string>{r->audience});
      EXPECT_TRUE(r->cc.empty());
      auto o = store::GetObject(*txn, id);
      ASSERT_TRUE(o.ok());
      EXPECT_EQ(o->visibility, store::Visibility::kDirect);
    }
  }
  // Not in the author's public outbox.
  auto outbox = get(teacher + "/outbox?page=1", "", 0);
  EXPECT_EQ(outbox.status, 200);
  EXPECT_EQ(outbox.body.find(rid), std::string::npos) << outbox.body;
  EXPECT_EQ(outbox.body.find(remote_rid), std::string::npos) << outbox.body;

  Remote third("node-c.example.com");
  node_.Seed(third, "/users/stranger", kOther);
  const std::string stranger = third.url("/users/stranger");
  const std::string file = federation::FileUrl(node_->uris(), (*files)[0].sha256_hex, "x.txt");
  for (const std::string& url : {rid, rid + "/versions", rid + "/versions/1", file}) {
    EXPECT_EQ(get(url, "", 0).status, 404) << url;
    EXPECT_EQ(get(url, stranger, kOther).status, 404) << url;
    EXPECT_EQ(get(url, member_, kMember).status, 200) << url;
    EXPECT_EQ(get(url, outsider_, kOutsider).status, 200) << url;  // the server of a member
  }
  EXPECT_EQ(get(file, member_, kMember).headers.Get("cache-control"), "private, no-store");
  // The remote community's: its server (node-b) may fetch it, nobody else.
  EXPECT_EQ(get(remote_rid, "", 0).status, 404);
  EXPECT_EQ(get(remote_rid, stranger, kOther).status, 404);
  EXPECT_EQ(get(remote_rid + "/versions/1", member_, kMember).status, 200);
}

TEST_F(GroupCases, BR16_OneNamespaceForTeachersAndCommunities) {
  AddCommunity("maths", store::JoinPolicy::kOpen, store::CommunityVisibility::kPublic);
  auto user = node::AddUser(node_->store(), node_->uris(), "MATHS", "", node_.clock());
  EXPECT_TRUE(user.status().Is(cs::Status::Code::kConflict)) << user.status().ToString();
  federation::Group group(node_->uris(), node_.clock());
  cs::Status st = node_.Update([&](store::Txn& t) {
    return group.Create(t, {.name = "Teacher1"}, RemoteKey(kGroupKey).ToPem(), "").status();
  });
  EXPECT_TRUE(st.Is(cs::Status::Code::kConflict)) << st.ToString();
}

// ---- member side: Announces from a remote group ----

class RemoteGroupCases : public ::testing::Test {
 protected:
  RemoteGroupCases()
      : lemmy_("lemmy-1.example"),
        other_("node-c.example.com"),
        node_(NodeOptions{.resolve = {lemmy_.resolve(), other_.resolve()}}) {
    group_ = lemmy_.ServeActor("/c/main", kGroupKey, "Group");
    node_.Seed(lemmy_, "/c/main", kGroupKey, "Group");
    lemmy_.ServeActor("/u/lemmy_beta", kMember);
    node_.Seed(lemmy_, "/u/lemmy_beta", kMember);
    other_.ServeActor("/users/author", kOther);
    node_.Seed(other_, "/users/author", kOther);
    node_.Follow("teacher1", group_);
  }
  HttpResponse DeliverAsGroup(const std::string& body) {
    return node_->inbox().Handle(
        SignedPost(body, group_ + "#main-key", kGroupKey, node_.clock().NowSeconds()), "");
  }
  std::vector<std::string> Posts() {
    auto txn = node_->store().BeginRead();
    return store::ListCommunityPosts(*txn, group_, 100);
  }

  Remote lemmy_, other_;
  CaseNode node_;
  std::string group_;
};

TEST_F(RemoteGroupCases, LemmyAnnounceCreatePageIsAPostOfTheCommunity) {
  std::string body = Rehost(Fixture("activitypub/lemmy/activities/announce_create_page.json"),
                            "http://lemmy-1.example", lemmy_.origin());
  HttpResponse r = DeliverAsGroup(body);
  ASSERT_EQ(r.status, 202) << r.body;
  std::string page = lemmy_.url("/post/7");
  auto stored = node_.Object(page);
  ASSERT_TRUE(stored) << "the same-origin Page vouched for by its group was not stored";
  EXPECT_EQ(stored->type, "Page");
  EXPECT_EQ(stored->name, "post 4");
  EXPECT_EQ(Posts(), std::vector<std::string>{page});
  auto tl = node_.Timeline(node_.User("teacher1"));
  EXPECT_NE(std::find(tl.begin(), tl.end(), page), tl.end());
}

// A content warning from another server is plain text of at most 1000 bytes on every path: a
// Create and an Update announced by the group alike.
TEST_F(RemoteGroupCases, AnnouncedSummaryIsPlainTextAndBounded) {
  const std::string author = lemmy_.url("/u/lemmy_beta");
  const std::string note = lemmy_.url("/post/cw");
  auto announce = [&](const std::string& type, const std::string& summary, const std::string& n) {
    std::string inner =
        "{\"id\":" + federation::JsonString(lemmy_.url("/activities/" + n)) + ",\"type\":\"" +
        type + "\",\"actor\":" + federation::JsonString(author) + ",\"to\":[\"" + kPublic +
        "\"],\"audience\":" + federation::JsonString(group_) +
        ",\"object\":{\"id\":" + federation::JsonString(note) +
        ",\"type\":\"Note\",\"attributedTo\":" + federation::JsonString(author) +
        ",\"audience\":" + federation::JsonString(group_) +
        ",\"summary\":" + federation::JsonString(summary) + ",\"content\":\"<p>text</p>\"}}";
    return "{\"id\":" + federation::JsonString(lemmy_.url("/activities/announce-" + n)) +
           ",\"type\":\"Announce\",\"actor\":" + federation::JsonString(group_) + ",\"to\":[\"" +
           kPublic + "\"],\"object\":" + inner + "}";
  };
  HttpResponse r = DeliverAsGroup(announce("Create", "<b>exam</b> <script>alert(1)</script>", "1"));
  ASSERT_EQ(r.status, 202) << r.body;
  auto stored = node_.Object(note);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->summary.find('<'), std::string::npos) << stored->summary;
  EXPECT_NE(stored->summary.find("exam"), std::string::npos) << stored->summary;
  r = DeliverAsGroup(announce("Update", "<i>long</i> " + std::string(3000, 'x'), "2"));
  ASSERT_EQ(r.status, 202) << r.body;
  stored = node_.Object(note);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->summary.rfind("long x", 0), 0u) << stored->summary.substr(0, 40);
  EXPECT_EQ(stored->summary.find('<'), std::string::npos);
  EXPECT_LE(stored->summary.size(), 1000u);
}

TEST_F(RemoteGroupCases, ForgedAnnounceOfAnotherServersPostIsFetchedNotTrusted) {
  // The group claims node-c's author wrote something; node-c says it does not exist.
  std::string note = other_.url("/notes/1");
  std::string body =
      "{\"id\":" + federation::JsonString(lemmy_.url("/activities/announce/1")) +
      ",\"type\":\"Announce\",\"actor\":" + federation::JsonString(group_) +
      ",\"object\":" + CreateNote(other_.url("/users/author"), note, "<p>forged</p>") + "}";
  ASSERT_EQ(DeliverAsGroup(body).status, 202);
  EXPECT_FALSE(node_.Object(note)) << "an embedded copy from another origin was trusted";
  EXPECT_EQ(node_.RunJobs(), 1u);
  EXPECT_FALSE(node_.Object(note));
  EXPECT_GE(other_.Count("/notes/1"), 1u) << "the object was not fetched from its origin";
  // Served for real: the fetched version is stored (not the group's copy).
  // (It names the group: only such an object is listed as the group's post.)
  other_.ServeJson("/notes/1", "{\"id\":" + federation::JsonString(note) +
                                   ",\"type\":\"Note\",\"attributedTo\":" +
                                   federation::JsonString(other_.url("/users/author")) +
                                   ",\"audience\":" + federation::JsonString(group_) +
                                   ",\"to\":[\"" + kPublic + "\"],\"content\":\"<p>real</p>\"}");
  std::string again = Rehost(body, "announce/1", "announce/2");
  ASSERT_EQ(DeliverAsGroup(again).status, 202);
  node_.RunJobs();
  auto stored = node_.Object(note);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->content_html, "<p>real</p>");
  EXPECT_EQ(stored->audience, group_);
  // A Delete the group forwards for another origin is verified: the object still exists there
  // and is not in this group's list... it is: the group may take it out of itself.
  std::string del =
      "{\"id\":" + federation::JsonString(lemmy_.url("/activities/announce/3")) +
      ",\"type\":\"Announce\",\"actor\":" + federation::JsonString(group_) +
      ",\"object\":{\"id\":" + federation::JsonString(other_.url("/del/1")) +
      ",\"type\":\"Delete\",\"actor\":" + federation::JsonString(other_.url("/users/author")) +
      ",\"object\":" + federation::JsonString(note) + "}}";
  ASSERT_EQ(DeliverAsGroup(del).status, 202);
  EXPECT_FALSE(node_.Object(note)->deleted())
      << "a forwarded Delete was applied without verification";
  other_.ServeJson("/notes/1", "{\"error\":\"gone\"}", 410);
  node_.RunJobs();
  EXPECT_TRUE(node_.Object(note)->deleted());
}

TEST_F(RemoteGroupCases, AnnounceFromAGroupNobodyHereFollowsChangesNothing) {
  ASSERT_TRUE(node_
                  .Update([&](store::Txn& t) {
                    return store::DeleteFollow(t, node_.User("teacher1"), group_);
                  })
                  .ok());
  std::string body = Rehost(Fixture("activitypub/lemmy/activities/announce_create_page.json"),
                            "http://lemmy-1.example", lemmy_.origin());
  ASSERT_EQ(DeliverAsGroup(body).status, 202);
  EXPECT_FALSE(node_.Object(lemmy_.url("/post/7")));
  EXPECT_TRUE(node_.Jobs().empty());
}

// Joining remote groups as their software writes them: Mbin accepts with the Follow embedded (its
// Accept id has a #fragment); lotide's Group has no sharedInbox and a key id with a double slash.
TEST_F(RemoteGroupCases, MbinAcceptOfAnEmbeddedFollowMakesTheTeacherAMember) {
  const std::string mag = lemmy_.ServeActor("/m/someMag", kGroupKey, "Group");
  node_.Seed(lemmy_, "/m/someMag", kGroupKey, "Group");
  const std::string teacher = node_.User("teacher1");
  const std::string follow_id = std::string(kLocalOrigin) + "/follows/c51ea652";
  ASSERT_TRUE(node_
                  .Update([&](store::Txn& t) {
                    return store::PutFollow(t, {.follower = teacher,
                                                .followee = mag,
                                                .activity_id = follow_id,
                                                .state = store::FollowState::kPending});
                  })
                  .ok());
  std::string body = Fixture("activitypub/mbin/activities/accept.json");
  body = Rehost(body, "https://some-other.instance/f/object/c51ea652-e594-4920-a989-f5350f0cec05",
                follow_id);
  body = Rehost(body, "https://some-other.instance/u/someUser", teacher);
  body = Rehost(body, "https://some-mbin.instance", lemmy_.origin());
  HttpResponse r = node_->inbox().Handle(
      SignedPost(body, mag + "#main-key", kGroupKey, node_.clock().NowSeconds()), "");
  ASSERT_EQ(r.status, 202) << r.body;
  auto txn = node_->store().BeginRead();
  auto f = store::GetFollow(*txn, teacher, mag);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->state, store::FollowState::kAccepted);
}

TEST_F(RemoteGroupCases, LotideGroupIsFetchedAsAGroupWithoutSharedInbox) {
  std::string doc = Fixture("activitypub/lotide/objects/group.json");
  // Its own key (the corpus one cannot sign here) and our test host.
  rapidjson::Document parsed;
  parsed.Parse(doc.c_str());
  ASSERT_TRUE(parsed.IsObject());
  doc = Rehost(doc, parsed["publicKey"]["publicKeyPem"].GetString(),
               RemoteKey(kGroupKey).PublicKeyPem());
  doc = Rehost(doc, "https://lotide-1.example", other_.origin());
  other_.ServeJson("/communities/12", doc);
  auto g = node_->actors().GetActor(other_.url("/communities/12"));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->type, "Group");
  EXPECT_EQ(g->preferred_username, "Iotide");
  EXPECT_EQ(g->inbox, other_.url("/communities/12/inbox"));
  EXPECT_EQ(g->followers, other_.url("/communities/12/followers"));
  EXPECT_EQ(g->shared_inbox, "");
  EXPECT_EQ(g->key_id, other_.origin() + "//communities/12#main-key");
  EXPECT_EQ(federation::DeliveryInbox(*g), other_.url("/communities/12/inbox"))
      << "no shared inbox: deliveries go to the group's own inbox";
}

}  // namespace
}  // namespace cases
