// What a serving node answers over real HTTPS to requests a test makes itself with libcurl:
// inbox refusals (unsigned, bad signatures, too large, malformed, spoofed actor), access to
// followers-only posts, WebFinger, actor documents, NodeInfo, collections and domain blocks.
// Signed requests use the real keys of real nodes, read from their stores.
#include <gtest/gtest.h>

#include "federation/crypto.h"
#include "store/clock.h"
#include "tests/integration/cluster.h"

namespace integ {
namespace {

constexpr const char* kAs = "Accept: application/activity+json";
constexpr const char* kActivityJson = "Content-Type: application/activity+json";
constexpr const char* kPublic = "https://www.w3.org/ns/activitystreams#Public";

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// A Create of a public Note by `actor` that mentions `cc` and is addressed to it (so a receiving
// node would put it on that local user's timeline).
std::string CreateNoteJson(const std::string& actor, const std::string& activity_id,
                           const std::string& note_id, const std::string& cc) {
  return R"({"@context":"https://www.w3.org/ns/activitystreams","id":")" + activity_id +
         R"(","type":"Create","actor":")" + actor + R"(","to":[")" + kPublic + R"("],"cc":[")" + cc +
         R"("],"object":{"id":")" + note_id + R"(","type":"Note","attributedTo":")" + actor +
         R"(","content":"<p>hello</p>","to":[")" + kPublic + R"("],"cc":[")" + cc +
         R"("],"tag":[{"type":"Mention","name":"@someone","href":")" + cc +
         R"("}],"published":"2024-05-01T10:00:00Z"}})";
}

std::string Digest(const std::string& body) {
  return "Digest: SHA-256=" + federation::Base64Encode(federation::Sha256(body));
}

// Three nodes shared by the tests of this suite: A (ann), B (bob), C (carol); ann follows bob;
// bob has one public and one followers-only post, both on ann's timeline.
class HttpSurface : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new Cluster;
    a_ = &cluster_->AddNode("a", {"ann"});
    b_ = &cluster_->AddNode("b", {"bob"});
    c_ = &cluster_->AddNode("c", {"carol"});
    if (::testing::Test::HasFailure()) return;
    if (a_->Run({"follow", "--as", "ann", b_->Handle("bob")}).exit_code != 0) return;
    if (!WaitFor([] { return a_->FollowState("ann", b_->ActorId("bob"), false) == "accepted"; })) return;
    RunResult pub = b_->Run({"post", "--as", "bob", "A public post"});
    RunResult fo = b_->Run({"post", "--as", "bob", "--visibility", "followers", "For my followers only"});
    if (pub.exit_code != 0 || fo.exit_code != 0) return;
    public_note_ = Trim(pub.out);
    followers_note_ = Trim(fo.out);
    ready_ = WaitFor([] {
      return a_->TimelineHas("ann", public_note_) && a_->TimelineHas("ann", followers_note_);
    });
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ready_) << "the suite's three nodes did not come up"; }

  static HttpResult Post(const std::string& url, const std::string& body, std::vector<std::string> headers) {
    return Http({.method = "POST", .url = url, .headers = std::move(headers), .body = body}, cluster_->ca_file());
  }
  // POSTs `body` to `url` signed (draft-cavage) as the local actor `user` of `node`.
  static HttpResult SignedPost(TestNode& node, const std::string& user, const std::string& url,
                               const std::string& body) {
    HttpCall call{.method = "POST", .url = url, .headers = {kActivityJson, kAs}, .body = body};
    auto key = node.PrivateKeyOf(node.ActorId(user));
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    if (!key.ok()) return {};
    EXPECT_TRUE(SignCall(call, node.ActorId(user) + "#main-key", *key));
    return Http(call, cluster_->ca_file());
  }
  static HttpResult SignedGet(const std::string& url, const std::string& actor_id, const federation::PrivateKey& key) {
    HttpCall call{.method = "GET", .url = url, .headers = {kAs}};
    EXPECT_TRUE(SignCall(call, actor_id + "#main-key", key));
    return Http(call, cluster_->ca_file());
  }
  // Nothing of this activity was kept on `node`: not marked seen, its object not stored.
  static void ExpectNothingStored(TestNode& node, const std::string& activity_id, const std::string& note_id) {
    EXPECT_TRUE(node.ReadStore(store::Db::kSeen, activity_id).status().Is(cs::Status::Code::kNotFound))
        << activity_id << " was recorded as seen";
    EXPECT_TRUE(node.ReadStore(store::Db::kObjects, note_id).status().Is(cs::Status::Code::kNotFound))
        << note_id << " was stored";
    EXPECT_FALSE(node.TimelineHas("ann", note_id));
  }

  static inline Cluster* cluster_ = nullptr;
  static inline TestNode *a_ = nullptr, *b_ = nullptr, *c_ = nullptr;
  static inline std::string public_note_, followers_note_;
  static inline bool ready_ = false;
};

TEST_F(HttpSurface, UnsignedInboxPostIs401) {
  const std::string bob = b_->ActorId("bob");
  const std::string act = bob + "/activities/unsigned1", note = bob + "/notes/unsigned1";
  std::string body = CreateNoteJson(bob, act, note, a_->ActorId("ann"));
  for (const std::string& inbox : {a_->origin() + "/inbox", a_->ActorId("ann") + "/inbox"}) {
    HttpResult r = Post(inbox, body, {kActivityJson, Digest(body)});
    EXPECT_EQ(r.status, 401) << inbox << ": " << r.body << r.error;
  }
  ExpectNothingStored(*a_, act, note);
}

TEST_F(HttpSurface, GarbageSignatureIs401) {
  const std::string bob = b_->ActorId("bob");
  const std::string act = bob + "/activities/garbage1", note = bob + "/notes/garbage1";
  const std::string inbox = a_->origin() + "/inbox";
  std::string body = CreateNoteJson(bob, act, note, a_->ActorId("ann"));
  const std::string date = "Date: " + cs::FormatHttpDate(std::time(nullptr));
  // Not a signature at all.
  HttpResult r1 = Post(inbox, body, {kActivityJson, Digest(body), date, "Signature: garbage!!"});
  EXPECT_EQ(r1.status, 401) << r1.body << r1.error;
  // Well-formed, naming bob's real key, but the signature bytes are random.
  std::string noise(256, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) & 0xff);
  HttpResult r2 = Post(inbox, body,
                       {kActivityJson, Digest(body), date,
                        "Signature: keyId=\"" + bob + "#main-key\",algorithm=\"rsa-sha256\",headers=\"(request-target) "
                        "host date digest\",signature=\"" + federation::Base64Encode(noise) + "\""});
  EXPECT_EQ(r2.status, 401) << r2.body << r2.error;
  // Really signed by bob, then the body changed on the way (the Digest no longer matches).
  auto key = b_->PrivateKeyOf(bob);
  ASSERT_TRUE(key.ok());
  HttpCall call{.method = "POST", .url = inbox, .headers = {kActivityJson}, .body = body};
  ASSERT_TRUE(SignCall(call, bob + "#main-key", *key));
  call.body = CreateNoteJson(bob, act, note, a_->ActorId("ann")) + " ";
  HttpResult r3 = Http(call, cluster_->ca_file());
  EXPECT_EQ(r3.status, 401) << r3.body << r3.error;
  ExpectNothingStored(*a_, act, note);
}

TEST_F(HttpSurface, FiftyMegabyteBodyIs413) {
  HttpResult r = Http({.method = "POST", .url = a_->origin() + "/inbox",
                       .headers = {kActivityJson, "Expect: 100-continue"},
                       .declared_length = 50LL * 1024 * 1024},
                      cluster_->ca_file());
  EXPECT_EQ(r.status, 413) << r.error;
  // The node still answers afterwards.
  EXPECT_EQ(cluster_->Get(a_->origin() + "/.well-known/nodeinfo").status, 200);
}

TEST_F(HttpSurface, MalformedJsonWithValidSignatureIs400) {
  const std::string inbox = a_->origin() + "/inbox";
  HttpResult truncated = SignedPost(*b_, "bob", inbox, R"({"id":")" + b_->ActorId("bob") + R"(/x","type":"Crea)");
  EXPECT_EQ(truncated.status, 400) << truncated.body << truncated.error;
  HttpResult not_an_activity = SignedPost(*b_, "bob", inbox, "[1,2,3]");
  EXPECT_EQ(not_an_activity.status, 400) << not_an_activity.body;
}

// BR-05: one actor never speaks for another.
TEST_F(HttpSurface, ActivitySignedByBobClaimingCarolIs401AndNothingIsStored) {
  const std::string carol = c_->ActorId("carol");
  const std::string act = carol + "/activities/spoof1", note = carol + "/notes/spoof1";
  const std::string body = CreateNoteJson(carol, act, note, a_->ActorId("ann"));
  HttpResult spoofed = SignedPost(*b_, "bob", a_->origin() + "/inbox", body);
  EXPECT_EQ(spoofed.status, 401) << spoofed.body << spoofed.error;
  ExpectNothingStored(*a_, act, note);
  // The very same activity, signed by carol herself, is accepted: the refusal was the binding.
  HttpResult genuine = SignedPost(*c_, "carol", a_->origin() + "/inbox", body);
  EXPECT_EQ(genuine.status, 202) << genuine.body << genuine.error;
  EXPECT_TRUE(a_->TimelineHas("ann", note)) << "carol's genuine post, addressed to ann, is not on her timeline";
}

TEST_F(HttpSurface, FollowersOnlyPostIsHiddenFromAllButFollowers) {
  // The follower's node got it by delivery...
  auto tl = a_->Timeline("ann");
  const rapidjson::Value* item = FindBy(*tl, "id", followers_note_);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(Str(*item, "visibility"), "followers");
  // ...an unsigned GET does not learn it exists...
  HttpResult anon = cluster_->Get(followers_note_, {kAs});
  EXPECT_EQ(anon.status, 404) << anon.body;
  EXPECT_EQ(anon.body.find("followers only"), std::string::npos);
  // ...the follower's node fetching it (signed as its instance actor, as the node's fetcher
  // does) and the follower herself may read it...
  const std::string a_instance = a_->origin() + "/actor";
  auto a_key = a_->PrivateKeyOf(a_instance);
  ASSERT_TRUE(a_key.ok());
  HttpResult by_node = SignedGet(followers_note_, a_instance, *a_key);
  EXPECT_EQ(by_node.status, 200) << by_node.body << by_node.error;
  EXPECT_EQ(Str(*ParseJson(by_node.body), "id"), followers_note_);
  auto ann_key = a_->PrivateKeyOf(a_->ActorId("ann"));
  ASSERT_TRUE(ann_key.ok());
  EXPECT_EQ(SignedGet(followers_note_, a_->ActorId("ann"), *ann_key).status, 200);
  // ...and someone signed but not following (carol on C) may not.
  auto carol_key = c_->PrivateKeyOf(c_->ActorId("carol"));
  ASSERT_TRUE(carol_key.ok());
  EXPECT_EQ(SignedGet(followers_note_, c_->ActorId("carol"), *carol_key).status, 404);
  // The public post needs no signature.
  EXPECT_EQ(cluster_->Get(public_note_, {kAs}).status, 200);
}

TEST_F(HttpSurface, WebFinger) {
  const std::string base = a_->origin() + "/.well-known/webfinger?resource=";
  const std::string subject = "acct:ann@" + a_->domain();
  // The account name is case-insensitive; the subject is the canonical one.
  for (const std::string& resource : {"acct:ANN@" + a_->domain(), "acct%3Aann%40" + a_->domain(), a_->ActorId("ann")}) {
    HttpResult r = cluster_->Get(base + resource);
    ASSERT_EQ(r.status, 200) << resource << ": " << r.body;
    EXPECT_TRUE(StartsWith(r.Header("content-type"), "application/jrd+json")) << r.Header("content-type");
    EXPECT_EQ(r.Header("access-control-allow-origin"), "*");
    auto jrd = ParseJson(r.body);
    EXPECT_EQ(Str(*jrd, "subject"), subject);
    const rapidjson::Value* self = jrd->IsObject() && jrd->HasMember("links") ? FindBy((*jrd)["links"], "rel", "self") : nullptr;
    ASSERT_NE(self, nullptr) << r.body;
    EXPECT_EQ(Str(*self, "href"), a_->ActorId("ann"));
    EXPECT_EQ(Str(*self, "type"), "application/activity+json");
  }
  HttpResult malformed = cluster_->Get(base + "ann-without-scheme");
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_EQ(malformed.Header("access-control-allow-origin"), "*");
  EXPECT_EQ(cluster_->Get(a_->origin() + "/.well-known/webfinger").status, 400);
  EXPECT_EQ(cluster_->Get(base + "acct:nobody@" + a_->domain()).status, 404);
  EXPECT_EQ(cluster_->Get(base + "acct:ann@elsewhere.example").status, 404);
}

TEST_F(HttpSurface, ActorDocumentForBothActivityPubMediaTypes) {
  const std::string ann = a_->ActorId("ann");
  const std::string ld = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
  HttpResult as = cluster_->Get(ann, {kAs});
  HttpResult ldr = cluster_->Get(ann, {"Accept: " + ld});
  ASSERT_EQ(as.status, 200);
  ASSERT_EQ(ldr.status, 200);
  EXPECT_EQ(as.Header("content-type"), "application/activity+json");
  EXPECT_EQ(ldr.Header("content-type"), ld);
  EXPECT_EQ(as.body, ldr.body);
  auto doc = ParseJson(as.body);
  ASSERT_TRUE(doc->IsObject());
  EXPECT_EQ(Str(*doc, "id"), ann);
  EXPECT_EQ(Str(*doc, "type"), "Person");
  EXPECT_EQ(Str(*doc, "preferredUsername"), "ann");
  EXPECT_EQ(Str(*doc, "inbox"), ann + "/inbox");
  EXPECT_EQ(Str(*doc, "outbox"), ann + "/outbox");
  EXPECT_EQ(Str(*doc, "followers"), ann + "/followers");
  EXPECT_EQ(Str(*doc, "following"), ann + "/following");
  ASSERT_TRUE(doc->HasMember("endpoints"));
  EXPECT_EQ(Str((*doc)["endpoints"], "sharedInbox"), a_->origin() + "/inbox");
  ASSERT_TRUE(doc->HasMember("publicKey"));
  const auto& key = (*doc)["publicKey"];
  EXPECT_EQ(Str(key, "id"), ann + "#main-key");
  EXPECT_EQ(Str(key, "owner"), ann);
  EXPECT_TRUE(federation::PublicKey::FromPem(Str(key, "publicKeyPem")).ok());
  // The key served is the one the node signs with.
  auto priv = a_->PrivateKeyOf(ann);
  ASSERT_TRUE(priv.ok());
  EXPECT_EQ(Str(key, "publicKeyPem"), priv->PublicKeyPem());
  // Unknown users are 404.
  EXPECT_EQ(cluster_->Get(a_->origin() + "/users/nobody", {kAs}).status, 404);
}

TEST_F(HttpSurface, NodeInfoDiscoveryAndDocument) {
  HttpResult disc = cluster_->Get(b_->origin() + "/.well-known/nodeinfo");
  ASSERT_EQ(disc.status, 200);
  EXPECT_TRUE(StartsWith(disc.Header("content-type"), "application/json"));
  auto links = ParseJson(disc.body);
  ASSERT_TRUE(links->IsObject() && links->HasMember("links"));
  const rapidjson::Value* link = FindBy((*links)["links"], "rel", "http://nodeinfo.diaspora.software/ns/schema/2.1");
  ASSERT_NE(link, nullptr) << disc.body;
  EXPECT_EQ(Str(*link, "href"), b_->origin() + "/nodeinfo/2.1");
  HttpResult ni = cluster_->Get(Str(*link, "href"));
  ASSERT_EQ(ni.status, 200);
  EXPECT_TRUE(StartsWith(ni.Header("content-type"), "application/json")) << ni.Header("content-type");
  auto doc = ParseJson(ni.body);
  ASSERT_TRUE(doc->IsObject());
  EXPECT_EQ(Str(*doc, "version"), "2.1");
  EXPECT_EQ(Str((*doc)["software"], "name"), "cloudschool");
  ASSERT_TRUE((*doc)["protocols"].IsArray());
  EXPECT_EQ(std::string((*doc)["protocols"][0].GetString()), "activitypub");
  EXPECT_EQ(Uint((*doc)["usage"]["users"], "total"), 1u);
  EXPECT_GE(Uint((*doc)["usage"], "localPosts"), 2u);
}

TEST_F(HttpSurface, OutboxFollowersFollowingAreOrderedCollectionsWithAFirstPage) {
  const std::string bob = b_->ActorId("bob"), ann = a_->ActorId("ann");
  struct Case {
    std::string collection;
    std::vector<std::string> items;  // actor ids, or for the outbox the ids of the objects created
  };
  for (const Case& c : {Case{bob + "/outbox", {public_note_}}, Case{bob + "/followers", {ann}},
                        Case{ann + "/following", {bob}}, Case{bob + "/following", {}}}) {
    HttpResult r = cluster_->Get(c.collection, {kAs});
    ASSERT_EQ(r.status, 200) << c.collection;
    EXPECT_EQ(r.Header("content-type"), "application/activity+json");
    auto doc = ParseJson(r.body);
    EXPECT_EQ(Str(*doc, "id"), c.collection);
    EXPECT_EQ(Str(*doc, "type"), "OrderedCollection");
    EXPECT_EQ(Uint(*doc, "totalItems"), c.items.size()) << c.collection << ": " << r.body;
    const std::string first = Str(*doc, "first");
    ASSERT_FALSE(first.empty()) << r.body;
    HttpResult p = cluster_->Get(first, {kAs});
    ASSERT_EQ(p.status, 200) << first;
    auto page = ParseJson(p.body);
    EXPECT_EQ(Str(*page, "type"), "OrderedCollectionPage");
    EXPECT_EQ(Str(*page, "partOf"), c.collection);
    ASSERT_TRUE(page->IsObject() && (*page)["orderedItems"].IsArray()) << p.body;
    std::vector<std::string> got;
    for (const auto& item : (*page)["orderedItems"].GetArray()) {
      if (item.IsString()) got.emplace_back(item.GetString());
      else {
        EXPECT_EQ(Str(item, "type"), "Create");
        EXPECT_EQ(Str(item, "actor"), bob);
        got.push_back(item.HasMember("object") ? Str(item["object"], "id") : "");
      }
    }
    EXPECT_EQ(got, c.items) << c.collection << " (the followers-only post is not in the outbox)";
  }
}

// A domain block on B of A's host: A's deliveries are answered 403 and B keeps nothing.
TEST(DomainBlock, BlockedSenderIsRefusedWith403AndNothingIsStored) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  ASSERT_EQ(b.Run({"follow", "--as", "bob", a.Handle("ann")}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return b.FollowState("bob", a.ActorId("ann"), false) == "accepted"; }));

  // The admin blocks A as it appears in handles and URLs: host and port.
  RunResult block = b.Run({"domain", "block", a.domain()});
  ASSERT_EQ(block.exit_code, 0) << block.err;
  auto list = b.Json({"domain", "list"});
  ASSERT_TRUE(list->IsArray() && list->Size() == 1);
  RunResult post = a.Run({"post", "--as", "ann", "Can anyone hear me?"});
  ASSERT_EQ(post.exit_code, 0);
  const std::string note = Trim(post.out);
  ASSERT_TRUE(WaitFor([&] {
    auto d = a.Json({"deliveries"});
    const rapidjson::Value* f = FindBy(*d, "state", "failed");
    return f && Str(*f, "last_error") == "HTTP 403";
  })) << "A's delivery was not refused with 403: " << a.Run({"deliveries"}).out;
  EXPECT_FALSE(b.TimelineHas("bob", note));
  EXPECT_TRUE(b.ReadStore(store::Db::kObjects, note).status().Is(cs::Status::Code::kNotFound));

  // The same answer to a request the test signs itself, as ann.
  auto key = a.PrivateKeyOf(a.ActorId("ann"));
  ASSERT_TRUE(key.ok());
  const std::string act = a.ActorId("ann") + "/activities/blocked1", note2 = a.ActorId("ann") + "/notes/blocked1";
  HttpCall call{.method = "POST", .url = b.origin() + "/inbox", .headers = {kActivityJson},
                .body = CreateNoteJson(a.ActorId("ann"), act, note2, b.ActorId("bob"))};
  ASSERT_TRUE(SignCall(call, a.ActorId("ann") + "#main-key", *key));
  HttpResult r = Http(call, cluster.ca_file());
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(b.ReadStore(store::Db::kSeen, act).status().Is(cs::Status::Code::kNotFound));
  EXPECT_TRUE(b.ReadStore(store::Db::kObjects, note2).status().Is(cs::Status::Code::kNotFound));

  // Nothing is asked of a blocked server either: lookup and follow are refused (exit 3) before
  // any request, by handle and by URL.
  for (const std::string& who : {a.Handle("ann"), a.ActorId("ann")}) {
    RunResult lookup = b.Run({"lookup", who});
    EXPECT_EQ(lookup.exit_code, 3) << who << ": " << lookup.err;
    EXPECT_NE(lookup.err.find("blocked"), std::string::npos) << lookup.err;
    RunResult follow = b.Run({"follow", "--as", "bob", who});
    EXPECT_EQ(follow.exit_code, 3) << who << ": " << follow.err;
  }

  // Unblocked, the same signed request is accepted.
  ASSERT_EQ(b.Run({"domain", "unblock", a.domain()}).exit_code, 0);
  ASSERT_TRUE(SignCall(call, a.ActorId("ann") + "#main-key", *key));
  HttpResult again = Http(call, cluster.ca_file());
  EXPECT_EQ(again.status, 202) << again.body;
  EXPECT_TRUE(b.TimelineHas("bob", note2));
}

}  // namespace
}  // namespace integ
