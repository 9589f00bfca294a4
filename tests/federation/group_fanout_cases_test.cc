// BR-17, the sending side (/work/shared/cases/federation-cases.md): what one of our communities
// sends each member's server. Servers that implement FEP-1b12 groups (here a Lemmy-like host, and
// a host whose software we cannot learn) get Announce{activity} of every Create, Update, Delete
// and Like; a plain microblog server (a Mastodon-like host) gets only Announce{post id} of
// top-level posts, and its Undo when the post goes. Which is which comes from each host's
// NodeInfo, served for real on 127.0.0.1 and fetched by the job worker, never while a request
// waits.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "federation/group.h"
#include "federation/json.h"
#include "federation/peer_software.h"
#include "node/routes.h"
#include "store/community.h"
#include "store/peers.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::JsonString;

constexpr int kFan = 0, kAuthor = 1, kGroupKey = 2, kReader = 3;

std::string Str(const rapidjson::Value& v, const char* key) {
  auto s = federation::ReadString(v, key);
  return s ? *s : "";
}

// A server's NodeInfo as Mastodon and Lemmy serve it: the discovery document links a 2.0
// document (and Lemmy's a 2.1 one too), which names the software.
void ServeNodeInfo(Remote& remote, const std::string& software, const std::string& version,
                   bool with_21) {
  std::string links = "{\"rel\":\"http://nodeinfo.diaspora.software/ns/schema/2.0\",\"href\":" +
                      JsonString(remote.url("/nodeinfo/2.0")) + "}";
  if (with_21)
    links += ",{\"rel\":\"http://nodeinfo.diaspora.software/ns/schema/2.1\",\"href\":" +
             JsonString(remote.url("/nodeinfo/2.1")) + "}";
  remote.Serve("/.well-known/nodeinfo", testhttp::Respond(200, "{\"links\":[" + links + "]}",
                                                          {{"Content-Type", "application/json"}}));
  const std::string doc = "{\"version\":\"2.0\",\"software\":{\"name\":" + JsonString(software) +
                          ",\"version\":" + JsonString(version) +
                          "},\"protocols\":[\"activitypub\"],\"openRegistrations\":true}";
  for (const char* path : {"/nodeinfo/2.0", "/nodeinfo/2.1"})
    remote.Serve(path, testhttp::Respond(200, doc, {{"Content-Type", "application/json"}}));
}

class GroupFanoutCases : public ::testing::Test {
 protected:
  GroupFanoutCases()
      : mastodon_("mastodon.example"),
        lemmy_("lemmy.example"),
        unknown_("unknown.example"),
        node_(NodeOptions{.resolve = {mastodon_.resolve(), lemmy_.resolve(), unknown_.resolve()}}) {
    ServeNodeInfo(mastodon_, "mastodon", "4.3.2", false);
    ServeNodeInfo(lemmy_, "lemmy", "0.19.5", true);
    // unknown_ has no NodeInfo (404): taken as group-aware, as before.
    fan_ = mastodon_.ServeActor("/users/fan", kFan);
    author_ = lemmy_.ServeActor("/u/author", kAuthor);
    reader_ = unknown_.ServeActor("/users/reader", kReader);
    node_.Seed(mastodon_, "/users/fan", kFan);
    node_.Seed(lemmy_, "/u/author", kAuthor);
    node_.Seed(unknown_, "/users/reader", kReader);
    for (Remote* r : {&mastodon_, &lemmy_, &unknown_}) r->Serve("/inbox", testhttp::Respond(202));
  }

  store::CommunityRecord AddCommunity() {
    federation::Group group(node_->uris(), node_.clock());
    store::CommunityRecord c;
    EXPECT_TRUE(node_
                    .Update([&](store::Txn& txn) -> cs::Status {
                      auto r = group.Create(txn, {.name = "maths"}, RemoteKey(kGroupKey).ToPem(),
                                            RemoteKey(kGroupKey).PublicKeyPem());
                      if (!r.ok()) return r.status();
                      c = *r;
                      return cs::Status::Ok();
                    })
                    .ok());
    return c;
  }
  int Deliver(const std::string& body, const std::string& actor, int key) {
    auto r = node_->inbox().Handle(
        SignedPost(body, actor + "#main-key", key, node_.clock().NowSeconds()), "");
    EXPECT_EQ(r.status, 202) << r.body;
    return r.status;
  }
  // Queued deliveries signed by `signer`, as (inbox, activity JSON), in queue order; the
  // Accepts of the Follows left out.
  std::vector<std::pair<std::string, std::string>> Sent(const std::string& signer) {
    std::vector<std::pair<std::string, std::string>> out;
    auto txn = node_->store().BeginRead();
    (void)txn->Scan(store::Db::kDeliveries, "", [&](std::string_view, std::string_view v) {
      auto d = store::DeliveryRecord::Decode(v);
      auto act = store::GetActivity(*txn, d->activity_id);
      if (d->signer == signer && act.ok() && act->type != "Accept")
        out.emplace_back(d->inbox, act->json);
      return true;
    });
    return out;
  }
  // The same for one inbox, parsed.
  std::vector<rapidjson::Document> SentTo(const std::string& signer, const std::string& inbox) {
    std::vector<rapidjson::Document> out;
    for (const auto& [to, json] : Sent(signer))
      if (to == inbox) {
        auto doc = federation::ParseJson(json);
        EXPECT_TRUE(doc.ok()) << json;
        if (doc.ok()) out.push_back(std::move(doc).value());
      }
    return out;
  }
  std::optional<store::PeerRecord> Peer(const Remote& r) {
    auto txn = node_->store().BeginRead();
    auto p = store::GetPeer(*txn, r.authority());
    if (!p.ok()) return std::nullopt;
    return *p;
  }
  size_t NodeInfoFetches(const Remote& r) { return r.Count("/.well-known/nodeinfo"); }
  std::string FollowJson(const std::string& actor, const std::string& group) {
    return "{\"id\":" + JsonString(actor + "#follow") +
           ",\"type\":\"Follow\",\"actor\":" + JsonString(actor) +
           ",\"object\":" + JsonString(group) + "}";
  }
  // A Create{Note} by the Lemmy-like author into the community (to Public, cc and audience it).
  std::string PostJson(const std::string& group, const std::string& id,
                       const std::string& in_reply_to = "", const std::string& type = "Create",
                       const std::string& content = "<p>Fractions</p>") {
    const std::string addressing = "\"to\":[\"" + std::string(kPublic) + "\"],\"cc\":[" +
                                   JsonString(group) + "],\"audience\":" + JsonString(group);
    return "{\"id\":" + JsonString(id + "#" + type) + ",\"type\":\"" + type +
           "\",\"actor\":" + JsonString(author_) + "," + addressing +
           ",\"object\":{\"id\":" + JsonString(id) +
           ",\"type\":\"Note\",\"attributedTo\":" + JsonString(author_) + "," + addressing +
           (in_reply_to.empty() ? "" : ",\"inReplyTo\":" + JsonString(in_reply_to)) +
           ",\"content\":" + JsonString(content) + "}}";
  }

  Remote mastodon_, lemmy_, unknown_;
  CaseNode node_;
  std::string fan_, author_, reader_;
};

TEST_F(GroupFanoutCases, MicroblogServersGetOnlyBoostsOfTopLevelPosts) {
  auto c = AddCommunity();
  ASSERT_EQ(Deliver(FollowJson(fan_, c.id), fan_, kFan), 202);
  ASSERT_EQ(Deliver(FollowJson(author_, c.id), author_, kAuthor), 202);
  ASSERT_EQ(Deliver(FollowJson(reader_, c.id), reader_, kReader), 202);
  // Joining queued one NodeInfo check per server; nothing was fetched while the Follows waited.
  for (const Remote* r : {&mastodon_, &lemmy_, &unknown_}) EXPECT_EQ(NodeInfoFetches(*r), 0u);
  EXPECT_EQ(node_.RunJobs(), 3u);
  for (const Remote* r : {&mastodon_, &lemmy_, &unknown_}) EXPECT_EQ(NodeInfoFetches(*r), 1u);
  ASSERT_TRUE(Peer(mastodon_));
  EXPECT_EQ(Peer(mastodon_)->software, "mastodon");
  EXPECT_EQ(Peer(mastodon_)->version, "4.3.2");
  EXPECT_EQ(Peer(lemmy_)->software, "lemmy");
  EXPECT_EQ(Peer(unknown_)->software, "");
  EXPECT_NE(Peer(unknown_)->last_error, "");
  EXPECT_EQ(lemmy_.Count("/nodeinfo/2.1"), 1u) << "the newest NodeInfo version linked";

  // A post, a reply to it and a like of it, all by the Lemmy-like member.
  const std::string post = lemmy_.url("/post/1"), comment = lemmy_.url("/comment/1");
  ASSERT_EQ(Deliver(PostJson(c.id, post), author_, kAuthor), 202);
  ASSERT_EQ(Deliver(PostJson(c.id, comment, post), author_, kAuthor), 202);
  const std::string like = "{\"id\":" + JsonString(lemmy_.url("/activities/like/1")) +
                           ",\"type\":\"Like\",\"actor\":" + JsonString(author_) +
                           ",\"object\":" + JsonString(post) + ",\"audience\":" + JsonString(c.id) +
                           "}";
  ASSERT_EQ(Deliver(like, author_, kAuthor), 202);

  // The Mastodon-like server: exactly one Announce, of the post's id, addressed as the group's
  // announces are (Public, the members), signed by the group.
  auto to_mastodon = SentTo(c.id, mastodon_.url("/inbox"));
  ASSERT_EQ(to_mastodon.size(), 1u);
  const auto& boost = to_mastodon[0];
  EXPECT_EQ(Str(boost, "type"), "Announce");
  EXPECT_EQ(Str(boost, "actor"), c.id);
  ASSERT_TRUE(boost["object"].IsString()) << "the post's id, not an activity";
  EXPECT_EQ(Str(boost, "object"), post);
  ASSERT_TRUE(boost["to"].IsArray());
  EXPECT_EQ(std::string(boost["to"][0].GetString()), kPublic);
  EXPECT_EQ(std::string(boost["cc"][0].GetString()), c.id + "/followers");
  {
    // Served at its id like the group's other activities (Mastodon may fetch it).
    const std::string id = Str(boost, "id");
    ASSERT_EQ(id.rfind(c.id + "/", 0), 0u) << id;
    federation::HttpRequest get;
    get.method = "GET";
    get.scheme = "http";
    get.authority = kLocalDomain;
    get.target = id.substr(std::string(kLocalOrigin).size());
    get.headers.Set("accept", "application/activity+json");
    auto served = node::Router(node_.node()).Handle(get);
    ASSERT_EQ(served.status, 200) << served.body;
    auto doc = federation::ParseJson(served.body);
    ASSERT_TRUE(doc.ok());
    EXPECT_EQ(Str(*doc, "object"), post);
  }

  // The Lemmy-like server and the one we know nothing of: all three, Announce{activity}.
  for (const Remote* r : {&lemmy_, &unknown_}) {
    SCOPED_TRACE(r->authority());
    auto sent = SentTo(c.id, r->url("/inbox"));
    ASSERT_EQ(sent.size(), 3u);
    std::vector<std::tuple<std::string, std::string, std::string>> inner;
    for (const auto& a : sent) {
      EXPECT_EQ(Str(a, "type"), "Announce");
      ASSERT_TRUE(a["object"].IsObject());
      const auto& o = a["object"];
      inner.emplace_back(Str(o, "type"), Str(o, "actor"),
                         o["object"].IsObject() ? Str(o["object"], "id") : Str(o, "object"));
    }
    std::sort(inner.begin(), inner.end());
    EXPECT_EQ(
        inner,
        (std::vector<std::tuple<std::string, std::string, std::string>>{
            {"Create", author_, comment}, {"Create", author_, post}, {"Like", author_, post}}));
  }
  // Announcing asked nobody: what we knew was fresh.
  for (const Remote* r : {&mastodon_, &lemmy_, &unknown_}) EXPECT_EQ(NodeInfoFetches(*r), 1u);

  // An edit is not for the microblog server; the deletion takes its boost back.
  ASSERT_EQ(Deliver(PostJson(c.id, post, "", "Update", "<p>Fractions!</p>"), author_, kAuthor),
            202);
  EXPECT_EQ(SentTo(c.id, mastodon_.url("/inbox")).size(), 1u);
  EXPECT_EQ(SentTo(c.id, lemmy_.url("/inbox")).size(), 4u);
  const std::string del = "{\"id\":" + JsonString(post + "#delete") +
                          ",\"type\":\"Delete\",\"actor\":" + JsonString(author_) + ",\"to\":[\"" +
                          kPublic + "\"],\"cc\":[" + JsonString(c.id) +
                          "],\"object\":" + JsonString(post) + "}";
  ASSERT_EQ(Deliver(del, author_, kAuthor), 202);
  to_mastodon = SentTo(c.id, mastodon_.url("/inbox"));
  ASSERT_EQ(to_mastodon.size(), 2u);
  const auto& undo = to_mastodon[1];
  EXPECT_EQ(Str(undo, "type"), "Undo");
  EXPECT_EQ(Str(undo, "actor"), c.id);
  ASSERT_TRUE(undo["object"].IsObject());
  EXPECT_EQ(Str(undo["object"], "id"), Str(to_mastodon[0], "id"));
  EXPECT_EQ(Str(undo["object"], "type"), "Announce");
  EXPECT_EQ(Str(undo["object"], "object"), post);
  auto to_lemmy = SentTo(c.id, lemmy_.url("/inbox"));
  ASSERT_EQ(to_lemmy.size(), 5u);
  EXPECT_EQ(Str(to_lemmy[4]["object"], "type"), "Delete");

  // The group's own profile update is for every server.
  federation::Group group(node_->uris(), node_.clock());
  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return group.PublishProfile(t, c); }).ok());
  for (const Remote* r : {&mastodon_, &lemmy_, &unknown_}) {
    auto sent = SentTo(c.id, r->url("/inbox"));
    ASSERT_FALSE(sent.empty());
    EXPECT_EQ(Str(sent.back(), "type"), "Update") << r->authority();
  }
}

// What we know of a server expires: a week later the next announce queues one check, and until
// it has run the old answer still decides (a server's software rarely changes).
TEST_F(GroupFanoutCases, SoftwareIsAskedAgainAfterAWeekWithoutHoldingUpAnnounces) {
  auto c = AddCommunity();
  ASSERT_EQ(Deliver(FollowJson(fan_, c.id), fan_, kFan), 202);
  ASSERT_EQ(Deliver(FollowJson(author_, c.id), author_, kAuthor), 202);
  EXPECT_EQ(node_.RunJobs(), 2u);
  node_.clock().Advance(8LL * 24 * 3600 * 1000);
  ASSERT_EQ(Deliver(PostJson(c.id, lemmy_.url("/post/2")), author_, kAuthor), 202);
  ASSERT_EQ(
      Deliver(PostJson(c.id, lemmy_.url("/comment/2"), lemmy_.url("/post/2")), author_, kAuthor),
      202);
  EXPECT_EQ(SentTo(c.id, mastodon_.url("/inbox")).size(), 1u) << "the stale answer still counts";
  EXPECT_EQ(SentTo(c.id, lemmy_.url("/inbox")).size(), 2u);
  size_t checks = 0;
  for (const auto& j : node_.Jobs()) checks += j.kind == "peer_software";
  EXPECT_EQ(checks, 2u) << "one per server, not one per announce";
  EXPECT_EQ(NodeInfoFetches(mastodon_), 1u);
  EXPECT_EQ(node_.RunJobs(), 2u);
  EXPECT_EQ(NodeInfoFetches(mastodon_), 2u);
  EXPECT_EQ(Peer(mastodon_)->checked_ms, node_.clock().NowMillis());
}

// A moderator's removal takes the boost back from microblog servers (Mastodon takes a Delete of
// a status only from its author) and announces the group's Delete to group-aware ones; a reply
// removed was never boosted, so microblog servers hear nothing of it.
TEST_F(GroupFanoutCases, RemovedPostsBoostIsUndoneForMicroblogServers) {
  auto c = AddCommunity();
  ASSERT_EQ(Deliver(FollowJson(fan_, c.id), fan_, kFan), 202);
  ASSERT_EQ(Deliver(FollowJson(author_, c.id), author_, kAuthor), 202);
  EXPECT_EQ(node_.RunJobs(), 2u);
  const std::string post = lemmy_.url("/post/3"), comment = lemmy_.url("/comment/3");
  ASSERT_EQ(Deliver(PostJson(c.id, post), author_, kAuthor), 202);
  ASSERT_EQ(Deliver(PostJson(c.id, comment, post), author_, kAuthor), 202);
  federation::Group group(node_->uris(), node_.clock());
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return group.RemovePost(t, c, comment, ""); }).ok());
  EXPECT_EQ(SentTo(c.id, mastodon_.url("/inbox")).size(), 1u);
  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return group.RemovePost(t, c, post, ""); }).ok());
  auto to_mastodon = SentTo(c.id, mastodon_.url("/inbox"));
  ASSERT_EQ(to_mastodon.size(), 2u);
  EXPECT_EQ(Str(to_mastodon[0], "type"), "Announce");
  EXPECT_EQ(Str(to_mastodon[1], "type"), "Undo");
  EXPECT_EQ(Str(to_mastodon[1]["object"], "id"), Str(to_mastodon[0], "id"));
  auto to_lemmy = SentTo(c.id, lemmy_.url("/inbox"));
  ASSERT_EQ(to_lemmy.size(), 4u);
  EXPECT_EQ(Str(to_lemmy[3]["object"], "type"), "Delete");
  EXPECT_EQ(Str(to_lemmy[3]["object"], "actor"), c.id);
}

TEST(PeerSoftwareTest, MicroblogServersByTheirNodeInfoName) {
  using federation::KindOfSoftware;
  using federation::PeerKind;
  for (const char* name : {"mastodon", "Mastodon", "pleroma", "akkoma", "misskey", "sharkey",
                           "firefish", "iceshrimp", "gotosocial", "hometown"})
    EXPECT_EQ(KindOfSoftware(name), PeerKind::kMicroblog) << name;
  for (const char* name : {"lemmy", "mbin", "kbin", "piefed", "lotide", "friendica", "nodebb",
                           "discourse", "hubzilla", "streams", "cloudschool", "", "something-new"})
    EXPECT_EQ(KindOfSoftware(name), PeerKind::kGroupAware) << name;
}

TEST(PeerSoftwareTest, NodeInfoDocuments) {
  using federation::NodeInfoHref;
  using federation::NodeInfoSoftware;
  EXPECT_EQ(NodeInfoHref("{\"links\":[{\"rel\":\"http://nodeinfo.diaspora.software/ns/schema/2.0\","
                         "\"href\":\"https://a.example/nodeinfo/2.0\"},{\"rel\":\"http://"
                         "nodeinfo.diaspora.software/ns/schema/2.1\",\"href\":\"https://"
                         "a.example/nodeinfo/2.1\"}]}"),
            "https://a.example/nodeinfo/2.1");
  EXPECT_EQ(
      NodeInfoHref("{\"links\":[{\"rel\":\"https://nodeinfo.diaspora.software/ns/schema/2.0\","
                   "\"href\":\"https://a.example/ni\"}]}"),
      "https://a.example/ni");
  EXPECT_EQ(NodeInfoHref("{\"links\":[{\"rel\":\"self\",\"href\":\"https://a.example/\"}]}"), "");
  EXPECT_EQ(NodeInfoHref("{\"links\":{}}"), "");
  EXPECT_EQ(NodeInfoHref("not json"), "");
  std::string version;
  EXPECT_EQ(
      NodeInfoSoftware("{\"software\":{\"name\":\"Mastodon\",\"version\":\"4.3.2\"}}", &version),
      "mastodon");
  EXPECT_EQ(version, "4.3.2");
  EXPECT_EQ(NodeInfoSoftware("{\"software\":{\"name\":42}}"), "");
  EXPECT_EQ(NodeInfoSoftware("{\"software\":\"mastodon\"}"), "");
  EXPECT_EQ(NodeInfoSoftware("{\"software\":{\"name\":\"" + std::string(100, 'x') + "\"}}"), "");
}

}  // namespace
}  // namespace cases
