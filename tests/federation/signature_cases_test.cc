// Federation cases on HTTP signatures (BR-01, BR-03, BR-05, BR-07, BR-08 of
// /work/shared/cases/federation-cases.md), run against a real node: real LMDB, real key fetches
// from a scripted server on 127.0.0.1, the node's inbox called with the request as the HTTP server
// would hand it over.
#include <gtest/gtest.h>

#include "federation/digest.h"
#include "federation/signature_base.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::HttpRequest;
using federation::HttpResponse;

constexpr int kTeacher2 = 0, kMallory = 1, kTeacher3 = 2;

class SignatureCases : public ::testing::Test {
 protected:
  SignatureCases()
      : node_b_("node-b.example.net"),
        evil_("evil.example.com"),
        node_(NodeOptions{.resolve = {node_b_.resolve(), evil_.resolve()}}) {
    teacher2_ = node_b_.ServeActor("/users/teacher2", kTeacher2);
    teacher3_ = node_b_.ServeActor("/users/teacher3", kTeacher3);
    mallory_ = evil_.ServeActor("/users/mallory", kMallory);
  }

  int64_t Now() { return node_.clock().NowSeconds(); }
  HttpResponse Deliver(const HttpRequest& r, std::string_view user = "") {
    return node_->inbox().Handle(r, user);
  }
  bool Seen(const std::string& activity_id) {
    auto txn = node_.store().BeginRead();
    return txn.ok() && txn->Contains(store::Db::kSeen, activity_id);
  }

  // A draft-cavage request signed by teacher2 with the given `algorithm` parameter ("" = absent)
  // and Digest field value.
  HttpRequest CavageWith(const std::string& body, const std::string& algorithm,
                         const std::string& digest) {
    HttpRequest r = InboxPost(body);
    r.headers.Set("host", kLocalDomain);
    r.headers.Set("date", cs::FormatHttpDate(Now()));
    r.headers.Set("digest", digest);
    std::vector<std::string> covered = {"(request-target)", "host", "date", "digest"};
    auto signing_string = federation::CavageSigningString(r, covered);
    EXPECT_TRUE(signing_string.ok());
    auto sig = federation::Sign(RemoteKey(kTeacher2), federation::SignatureAlgorithm::kRsaPkcs1Sha256,
                                *signing_string);
    EXPECT_TRUE(sig.ok());
    r.headers.Set("signature", "keyId=\"" + teacher2_ + "#main-key\"," +
                                   (algorithm.empty() ? "" : "algorithm=\"" + algorithm + "\",") +
                                   "headers=\"(request-target) host date digest\",signature=\"" +
                                   federation::Base64Encode(*sig) + "\"");
    return r;
  }

  std::string Note(const std::string& n) { return node_b_.url("/notes/" + n); }

  Remote node_b_, evil_;
  CaseNode node_;
  std::string teacher2_, teacher3_, mallory_;
};

// Flips one character in the middle of a base64 signature inside a header value.
std::string Tamper(std::string value) {
  size_t at = value.find("signature=\"");
  at = at == std::string::npos ? value.find(":") + 10 : at + 20;
  value[at] = value[at] == 'A' ? 'B' : 'A';
  return value;
}

// A replay of an activity we already have, with a signature that does not verify, is 401 like
// any other: "duplicate" is only said to its verified sender (else anyone could ask which
// activities we received).
TEST_F(SignatureCases, ReplayOfASeenActivityWithABadSignatureIs401NotDuplicate) {
  const std::string body = CreateNote(teacher2_, Note("replayed"));
  HttpRequest genuine = SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now());
  ASSERT_EQ(Deliver(genuine).status, 202);
  ASSERT_TRUE(Seen(Note("replayed") + "/activity"));
  HttpRequest tampered = genuine;
  tampered.headers.Set("signature", Tamper(genuine.headers.Get("signature")));
  HttpResponse replay = Deliver(tampered);
  EXPECT_EQ(replay.status, 401) << replay.body;
  EXPECT_EQ(replay.body.find("duplicate"), std::string::npos) << replay.body;
  HttpResponse again = Deliver(genuine);
  EXPECT_EQ(again.status, 202);
  EXPECT_NE(again.body.find("duplicate"), std::string::npos) << again.body;
}

// ---- BR-01: algorithm tokens and Digest spellings ----

TEST_F(SignatureCases, BR01_Hs2019AbsentAndRsaSha256AreAllVerifiedAsRsaSha256) {
  const std::vector<std::pair<std::string, std::string>> variants = {
      {"hs2019", "1"}, {"", "2"}, {"rsa-sha256", "3"}, {"HS2019", "4"}};
  for (const auto& [algorithm, n] : variants) {
    std::string body = CreateNote(teacher2_, Note("br01-" + n));
    HttpResponse resp = Deliver(CavageWith(body, algorithm, federation::DigestHeaderValue(body)));
    EXPECT_EQ(resp.status, 202) << "algorithm=\"" << algorithm << "\": " << resp.body;
    EXPECT_TRUE(node_.Object(Note("br01-" + n))) << algorithm;
  }
}

TEST_F(SignatureCases, BR01_DigestTokenIsCaseInsensitiveAndSha512IsAccepted) {
  std::string body = CreateNote(teacher2_, Note("br01-lower"));
  HttpResponse lower = Deliver(CavageWith(
      body, "hs2019", "sha-256=" + federation::Base64Encode(federation::Sha256(body))));
  EXPECT_EQ(lower.status, 202) << lower.body;
  EXPECT_TRUE(node_.Object(Note("br01-lower")));

  body = CreateNote(teacher2_, Note("br01-512"));
  HttpResponse sha512 = Deliver(CavageWith(
      body, "hs2019", "SHA-512=" + federation::Base64Encode(federation::Sha512(body))));
  EXPECT_EQ(sha512.status, 202) << sha512.body;
  EXPECT_TRUE(node_.Object(Note("br01-512")));
}

TEST_F(SignatureCases, BR01_UnknownOnlyDigestIs401NotAServerError) {
  std::string body = CreateNote(teacher2_, Note("br01-md5"));
  HttpResponse md5 = Deliver(CavageWith(body, "hs2019", "md5=" + federation::Base64Encode("0123456789abcdef")));
  EXPECT_EQ(md5.status, 401) << md5.body;
  // A correct digest under the wrong algorithm name, and a wrong SHA-256 value, fail the same way.
  HttpResponse wrong = Deliver(CavageWith(
      body, "hs2019", "SHA-256=" + federation::Base64Encode(federation::Sha256(body + " "))));
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_FALSE(node_.Object(Note("br01-md5")));
  EXPECT_FALSE(Seen(Note("br01-md5") + "/activity"));
}

// ---- BR-03: Host and the public authority ----

TEST_F(SignatureCases, BR03_BehindAProxyTheSignedHostIsOurPublicAuthority) {
  // The HTTP server hands the inbox our configured authority; the Host the app saw was the proxy's.
  std::string body = CreateNote(teacher2_, Note("br03-proxy"));
  HttpRequest r = SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now());
  r.headers.Set("host", "127.0.0.1:8080");
  r.headers.Set("x-forwarded-host", kLocalDomain);
  HttpResponse resp = Deliver(r);
  EXPECT_EQ(resp.status, 202) << resp.body;
  EXPECT_TRUE(node_.Object(Note("br03-proxy")));
}

TEST_F(SignatureCases, BR03_SignatureForAnotherHostReplayedToUsIs401) {
  std::string body = CreateNote(teacher2_, Note("br03-replay"));
  HttpRequest r = InboxPost(body, "/inbox", "node-b.example.net");  // signed for node-b
  ASSERT_TRUE(federation::SignCavage(r, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
  EXPECT_EQ(r.headers.Get("host"), "node-b.example.net");
  r.authority = kLocalDomain;  // ... and replayed to us
  HttpResponse cavage = Deliver(r);
  EXPECT_EQ(cavage.status, 401) << cavage.body;

  HttpRequest r9421 = InboxPost(body, "/inbox", "node-b.example.net");
  ASSERT_TRUE(federation::SignRfc9421(r9421, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
  r9421.authority = kLocalDomain;
  HttpResponse rfc = Deliver(r9421);
  EXPECT_EQ(rfc.status, 401) << rfc.body;
  EXPECT_FALSE(node_.Object(Note("br03-replay")));
}

TEST_F(SignatureCases, BR03_SignatureThatDoesNotCoverHostIs401) {
  std::string body = CreateNote(teacher2_, Note("br03-nohost"));
  HttpRequest r = InboxPost(body);
  r.headers.Set("date", cs::FormatHttpDate(Now()));
  r.headers.Set("digest", federation::DigestHeaderValue(body));
  auto ss = federation::CavageSigningString(r, {"(request-target)", "date", "digest"});
  ASSERT_TRUE(ss.ok());
  auto sig = federation::Sign(RemoteKey(kTeacher2), federation::SignatureAlgorithm::kRsaPkcs1Sha256, *ss);
  ASSERT_TRUE(sig.ok());
  r.headers.Set("signature", "keyId=\"" + teacher2_ + "#main-key\",headers=\"(request-target) date digest\",signature=\"" +
                                 federation::Base64Encode(*sig) + "\"");
  EXPECT_EQ(Deliver(r).status, 401);
  EXPECT_FALSE(node_.Object(Note("br03-nohost")));
}

TEST(SignatureSendingCases, BR03_SignedHostIncludesANonDefaultPortAndOmitsTheDefault) {
  const federation::PrivateKey& key = RemoteKey(kTeacher2);
  federation::HttpRequest r;
  r.method = "POST";
  r.scheme = "https";
  r.authority = "node-b.example.net:8443";
  r.target = "/inbox";
  r.body = "{}";
  ASSERT_TRUE(federation::SignCavage(r, "https://node-a.example.org/users/teacher1#main-key", key, kNowMs / 1000).ok());
  EXPECT_EQ(r.headers.Get("host"), "node-b.example.net:8443");
  auto ss = federation::CavageSigningString(r, {"host"});
  ASSERT_TRUE(ss.ok());
  EXPECT_EQ(*ss, "host: node-b.example.net:8443");
  EXPECT_NE(r.headers.Get("signature").find("headers=\"(request-target) host date digest\""), std::string::npos);

  r.authority = "node-b.example.net:443";
  ASSERT_TRUE(federation::SignRfc9421(r, "https://node-a.example.org/users/teacher1#main-key", key, kNowMs / 1000).ok());
  EXPECT_EQ(r.headers.Get("host"), "node-b.example.net");
  r.scheme = "http";
  r.authority = "node-b.example.net:80";
  ASSERT_TRUE(federation::SignCavage(r, "https://node-a.example.org/users/teacher1#main-key", key, kNowMs / 1000).ok());
  EXPECT_EQ(r.headers.Get("host"), "node-b.example.net");
}

// ---- BR-05: the key's owner must be the actor ----

TEST_F(SignatureCases, BR05_KeyOfAnotherActorIsRefused) {
  std::string forged = Rehost(testutil::ReadFile(testutil::Fixture("cases/br05_forged_create.json")),
                              "https://node-b.example.net", node_b_.origin());
  std::string activity_id = node_b_.url("/activities/9");
  // A genuine key of evil.example.com signing for node-b's teacher2.
  HttpResponse resp = Deliver(SignedPost(forged, mallory_ + "#main-key", kMallory, Now()));
  EXPECT_TRUE(resp.status == 401 || resp.status == 403) << resp.status << " " << resp.body;
  // A key of another actor on the same host is refused too: the owner must be the actor.
  HttpResponse same_host = Deliver(SignedPost(forged, teacher3_ + "#main-key", kTeacher3, Now()));
  EXPECT_TRUE(same_host.status == 401 || same_host.status == 403) << same_host.status;
  EXPECT_FALSE(node_.Object(node_b_.url("/notes/9")));
  // Not marked seen either: the genuine activity with this id must still be accepted.
  EXPECT_FALSE(Seen(activity_id));
  HttpResponse genuine = Deliver(SignedPost(forged, teacher2_ + "#main-key", kTeacher2, Now()));
  EXPECT_EQ(genuine.status, 202) << genuine.body;
  EXPECT_TRUE(node_.Object(node_b_.url("/notes/9")));
}

TEST_F(SignatureCases, BR05_EmbeddedObjectAttributedToSomeoneElseIsRefused) {
  // Signed by mallory as mallory, but the Note claims to be teacher2's.
  std::string body = CreateNote(mallory_, evil_.url("/notes/1"));
  body = Rehost(body, "\"attributedTo\":" + federation::JsonString(mallory_),
                "\"attributedTo\":" + federation::JsonString(teacher2_));
  HttpResponse resp = Deliver(SignedPost(body, mallory_ + "#main-key", kMallory, Now()));
  EXPECT_EQ(resp.status, 403) << resp.body;
  EXPECT_FALSE(node_.Object(evil_.url("/notes/1")));
  // A Note of teacher2's id space carried by mallory's own Create is refused as well.
  std::string body2 = Rehost(CreateNote(mallory_, Note("stolen")),
                             federation::JsonString(Note("stolen") + "/activity"),
                             federation::JsonString(evil_.url("/activities/stolen")));
  HttpResponse resp2 = Deliver(SignedPost(body2, mallory_ + "#main-key", kMallory, Now()));
  EXPECT_EQ(resp2.status, 403) << resp2.body;
  EXPECT_FALSE(node_.Object(Note("stolen")));
}

TEST_F(SignatureCases, BR05_ActivityIdOnAnotherOriginThanTheActorIsRefused) {
  std::string body = CreateNote(mallory_, evil_.url("/notes/2"));
  body = Rehost(body, federation::JsonString(evil_.url("/notes/2") + "/activity"),
                federation::JsonString(node_b_.url("/activities/spoofed")));
  HttpResponse resp = Deliver(SignedPost(body, mallory_ + "#main-key", kMallory, Now()));
  EXPECT_EQ(resp.status, 403) << resp.body;
  EXPECT_FALSE(Seen(node_b_.url("/activities/spoofed")));
}

// ---- BR-07: authorized fetch ----

// node-b answers 401 to any GET not signed by our instance actor, as a secure-mode server does.
void RequireSignedGets(Remote& remote, const std::string& path, const std::string& document) {
  remote.ServeDynamic(path, [document](const testhttp::Recorded& r) {
    if (r.Header("signature").find("keyId=\"http://node-a.example.org/actor#main-key\"") == std::string::npos &&
        r.Header("signature-input").find("keyid=\"http://node-a.example.org/actor#main-key\"") == std::string::npos)
      return testhttp::Respond(401, "{\"error\":\"signature required\"}");
    return testhttp::Respond(200, document, {{"Content-Type", "application/activity+json"}});
  });
}

TEST_F(SignatureCases, BR07_KeyFetchFromASecureModeServerIsSignedByTheInstanceActor) {
  RequireSignedGets(node_b_, "/users/teacher2", node_b_.ActorJson(teacher2_, kTeacher2));
  // An inbound signed GET of /users/teacher1 (any signed request takes the same path).
  HttpRequest get;
  get.method = "GET";
  get.scheme = "http";
  get.authority = kLocalDomain;
  get.target = "/users/teacher1";
  get.headers.Set("accept", "application/activity+json");
  ASSERT_TRUE(federation::SignCavage(get, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
  auto signer = node_->inbox().VerifyRequest(get);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(*signer, teacher2_);

  // The fetch node-b saw verifies with our instance actor's public key.
  auto fetches = node_b_.requests();
  ASSERT_FALSE(fetches.empty());
  const testhttp::Recorded& f = fetches.back();
  HttpRequest seen;
  seen.method = f.method;
  seen.scheme = "http";
  seen.authority = node_b_.authority();
  seen.target = f.target;
  for (const auto& [k, v] : f.headers) seen.headers.Add(federation::AsciiLower(k), v);
  auto sigs = federation::ParseSignatures(seen);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  auto instance = node_.Actor(node_->uris().InstanceActor());
  ASSERT_TRUE(instance);
  auto pub = federation::PublicKey::FromPem(instance->public_key_pem);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ((*sigs)[0].key_id, node_->uris().InstanceActor() + "#main-key");
  EXPECT_TRUE(federation::VerifySignature(seen, (*sigs)[0], *pub, Now(), 300).ok());
}

TEST_F(SignatureCases, BR07_KeyThatCannotBeFetchedMakesTheRequestUnauthenticatedNever500) {
  node_b_.ServeJson("/users/teacher2", "{\"error\":\"no\"}", 401);  // refuses even signed fetches
  std::string body = CreateNote(teacher2_, Note("br07-locked"));
  HttpResponse resp = Deliver(SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now()));
  EXPECT_EQ(resp.status, 401) << resp.body;
  EXPECT_FALSE(node_.Object(Note("br07-locked")));

  HttpRequest get;
  get.method = "GET";
  get.scheme = "http";
  get.authority = kLocalDomain;
  get.target = "/users/teacher1";
  ASSERT_TRUE(federation::SignCavage(get, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
  auto signer = node_->inbox().VerifyRequest(get);
  ASSERT_FALSE(signer.ok());
  EXPECT_TRUE(signer.status().Is(cs::Status::Code::kUnauthorized)) << signer.status().ToString();
  // Dead host, 500 and garbage answers are the same: unauthenticated.
  node_b_.Serve("/users/teacher2", testhttp::Respond(500, "oops"));
  EXPECT_EQ(Deliver(SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now())).status, 401);
  node_b_.Serve("/users/teacher2", testhttp::Respond(200, "not json", {{"Content-Type", "application/activity+json"}}));
  EXPECT_EQ(Deliver(SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now())).status, 401);
}

TEST_F(SignatureCases, BR07_AnnouncedObjectBehindSignedFetchIsFetchedSignedAndAFailureIsQuiet) {
  node_.Seed(node_b_, "/users/teacher2", kTeacher2);
  node_.Follow("teacher1", teacher2_);
  std::string note5 = Note("5");
  RequireSignedGets(node_b_, "/notes/5",
                    "{\"id\":" + federation::JsonString(note5) + ",\"type\":\"Note\",\"attributedTo\":" +
                        federation::JsonString(teacher2_) + ",\"to\":[\"" + kPublic + "\"],\"content\":\"five\"}");
  std::string announce = "{\"id\":" + federation::JsonString(node_b_.url("/announce/5")) +
                         ",\"type\":\"Announce\",\"actor\":" + federation::JsonString(teacher2_) +
                         ",\"to\":[\"" + kPublic + "\"],\"object\":" + federation::JsonString(note5) + "}";
  HttpResponse resp = Deliver(SignedPost(announce, teacher2_ + "#main-key", kTeacher2, Now()));
  EXPECT_EQ(resp.status, 202) << resp.body;
  EXPECT_EQ(node_.RunJobs(), 1u);
  auto stored = node_.Object(note5);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->content_html, "five");

  // The same for an object that stays locked: 202 to the sender, the share dropped, no retry.
  std::string note6 = Note("6");
  node_b_.ServeJson("/notes/6", "{\"error\":\"no\"}", 401);
  announce = Rehost(Rehost(announce, note5, note6), "/announce/5", "/announce/6");
  resp = Deliver(SignedPost(announce, teacher2_ + "#main-key", kTeacher2, Now()));
  EXPECT_EQ(resp.status, 202) << resp.body;
  EXPECT_EQ(node_.RunJobs(), 1u);
  EXPECT_FALSE(node_.Object(note6));
  EXPECT_TRUE(node_.Jobs().empty());
}

// ---- BR-08: RFC 9421 and draft-cavage, 401 for anything that does not verify ----

TEST_F(SignatureCases, BR08_ValidRfc9421AndValidCavageAreAccepted) {
  std::string body = CreateNote(teacher2_, Note("br08-9421"));
  HttpRequest r = InboxPost(body);
  ASSERT_TRUE(federation::SignRfc9421(r, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
  EXPECT_TRUE(r.headers.Has("signature-input"));
  EXPECT_EQ(Deliver(r).status, 202);
  EXPECT_TRUE(node_.Object(Note("br08-9421")));

  body = CreateNote(teacher2_, Note("br08-cavage"));
  EXPECT_EQ(Deliver(SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now())).status, 202);
  EXPECT_TRUE(node_.Object(Note("br08-cavage")));
}

TEST_F(SignatureCases, BR08_InvalidSignatureOfEitherFamilyIs401SoTheSenderCanDoubleKnock) {
  std::string body = CreateNote(teacher2_, Note("br08-bad"));
  HttpRequest r9421 = InboxPost(body);
  ASSERT_TRUE(federation::SignRfc9421(r9421, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
  r9421.headers.Set("signature", Tamper(r9421.headers.Get("signature")));
  HttpResponse a = Deliver(r9421);
  EXPECT_EQ(a.status, 401) << a.body;

  HttpRequest cavage = SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now());
  cavage.headers.Set("signature", Tamper(cavage.headers.Get("signature")));
  HttpResponse b = Deliver(cavage);
  EXPECT_EQ(b.status, 401) << b.body;

  // Malformed signature fields, an unsigned request, and a signature from the wrong time window.
  HttpRequest garbled = InboxPost(body);
  garbled.headers.Set("digest", federation::DigestHeaderValue(body));
  garbled.headers.Set("signature-input", "sig1=(\"@method\";keyid=");
  garbled.headers.Set("signature", "sig1=:AAAA:");
  EXPECT_EQ(Deliver(garbled).status, 401);
  HttpRequest unsigned_post = InboxPost(body);
  unsigned_post.headers.Set("digest", federation::DigestHeaderValue(body));
  EXPECT_EQ(Deliver(unsigned_post).status, 401);
  EXPECT_EQ(Deliver(SignedPost(body, teacher2_ + "#main-key", kTeacher2, Now() - 2 * 3600)).status, 401);
  EXPECT_FALSE(node_.Object(Note("br08-bad")));
  EXPECT_FALSE(Seen(Note("br08-bad") + "/activity"));
}

TEST_F(SignatureCases, BR08_BothFamiliesPresentRfc9421FirstCavageAsFallback) {
  auto both = [&](const std::string& body, bool break_9421, bool break_cavage) {
    HttpRequest a = InboxPost(body);
    EXPECT_TRUE(federation::SignRfc9421(a, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
    HttpRequest b = InboxPost(body);
    EXPECT_TRUE(federation::SignCavage(b, teacher2_ + "#main-key", RemoteKey(kTeacher2), Now()).ok());
    if (break_9421) a.headers.Set("signature", Tamper(a.headers.Get("signature")));
    std::string cavage = b.headers.Get("signature");
    if (break_cavage) cavage = Tamper(cavage);
    a.headers.Set("digest", b.headers.Get("digest"));
    a.headers.Add("signature", cavage);
    return a;
  };
  std::string n1 = Note("br08-both-1"), n2 = Note("br08-both-2"), n3 = Note("br08-both-3"),
              n4 = Note("br08-both-4");
  EXPECT_EQ(Deliver(both(CreateNote(teacher2_, n1), false, false)).status, 202);
  EXPECT_EQ(Deliver(both(CreateNote(teacher2_, n2), true, false)).status, 202);  // cavage fallback
  EXPECT_EQ(Deliver(both(CreateNote(teacher2_, n3), false, true)).status, 202);  // 9421 wins first
  EXPECT_EQ(Deliver(both(CreateNote(teacher2_, n4), true, true)).status, 401);
  EXPECT_TRUE(node_.Object(n1));
  EXPECT_TRUE(node_.Object(n2));
  EXPECT_TRUE(node_.Object(n3));
  EXPECT_FALSE(node_.Object(n4));
}

}  // namespace
}  // namespace cases
