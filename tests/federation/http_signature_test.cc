#include "federation/http_signature.h"

#include <gtest/gtest.h>

#include <random>

#include "federation/digest.h"
#include "store/clock.h"
#include "tests/federation/vectors.h"

namespace federation {
namespace {

using Code = cs::Status::Code;

constexpr int64_t kNow = 1796300000;  // 2026-12-03
constexpr int64_t kWindow = 3600;
constexpr std::string_view kKeyId = "https://node-b.example.net/users/teacher2#main-key";
constexpr std::string_view kBody =
    R"({"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","actor":"https://node-b.example.net/users/teacher2","object":"https://node-a.example.org/users/teacher1"})";

bool Unauthorized(const cs::Status& s) { return s.Is(Code::kUnauthorized); }

// An inbox POST addressed to our node, unsigned.
HttpRequest InboxPost(std::string authority = "node-a.example.org") {
  HttpRequest r;
  r.method = "POST";
  r.scheme = "https";
  r.authority = std::move(authority);
  r.target = "/inbox";
  r.body = std::string(kBody);
  r.headers.Set("content-type", "application/activity+json");
  return r;
}

cs::Status VerifyAll(const HttpRequest& r, const PublicKey& key, int64_t now = kNow) {
  auto sigs = ParseSignatures(r);
  if (!sigs.ok()) return sigs.status();
  for (const SignatureInfo& sig : *sigs) CS_RETURN_IF_ERROR(VerifySignature(r, sig, key, now, kWindow));
  return cs::Status::Ok();
}

class Keys : public ::testing::Test {
 protected:
  PrivateKey rsa_ = vectors::PrivateKey("rfc9421-test-key-rsa");
  PublicKey rsa_pub_ = vectors::PublicKey("rfc9421-test-key-rsa");
  PrivateKey ed_ = vectors::PrivateKey("rfc9421-test-key-ed25519");
  PublicKey ed_pub_ = vectors::PublicKey("rfc9421-test-key-ed25519");
  PrivateKey ec_ = vectors::PrivateKey("rfc9421-test-key-ecc-p256");
  PublicKey ec_pub_ = vectors::PublicKey("rfc9421-test-key-ecc-p256");
};

// ---- the specifications' examples through ParseSignatures + VerifySignature ----

class SpecExamples : public Keys {
 protected:
  void SetUp() override { doc_ = vectors::Json("http-message-signatures-rfc9421.json"); }
  const rapidjson::Value& Case(int i) { return doc_["cases"][i]; }
  HttpRequest TestRequestWith(const rapidjson::Value& c) {
    HttpRequest r = vectors::ParseRequest(doc_["messages"]["test-request"].GetString());
    r.headers.Set("signature-input", std::string(c["label"].GetString()) + "=" + c["signature_input"].GetString());
    r.headers.Set("signature", std::string(c["label"].GetString()) + "=:" + c["signature_b64"].GetString() + ":");
    return r;
  }
  rapidjson::Document doc_;
};

TEST_F(SpecExamples, Section43BothSignaturesVerifyEndToEnd) {
  HttpRequest r = vectors::ParseRequest(Case(7)["message"].GetString());  // 4.3 proxy message
  r.body = "{\"hello\": \"world\"}";
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->size(), 2u);
  // proxy_sig: explicit alg, PKCS#1 public key, expires honoured.
  EXPECT_TRUE(VerifySignature(r, (*sigs)[1], rsa_pub_, 1618884480, 300).ok());
  EXPECT_TRUE(VerifySignature(r, (*sigs)[1], rsa_pub_, 1618884540, 300).ok());
  cs::Status expired = VerifySignature(r, (*sigs)[1], rsa_pub_, 1618884541, 300);
  EXPECT_TRUE(Unauthorized(expired));
  EXPECT_NE(expired.message().find("expired"), std::string::npos) << expired.message();
  // sig1 was made by the client for example.com; the proxy forwarded it to another authority.
  EXPECT_TRUE(Unauthorized(VerifySignature(r, (*sigs)[0], ec_pub_, 1618884480, 300)));
  r.authority = "example.com";
  EXPECT_TRUE(VerifySignature(r, (*sigs)[0], ec_pub_, 1618884480, 300).ok());

  HttpRequest client = vectors::ParseRequest(Case(8)["message"].GetString());  // 4.3 client message
  client.body = "{\"hello\": \"world\"}";
  auto client_sigs = ParseSignatures(client);
  ASSERT_TRUE(client_sigs.ok());
  ASSERT_EQ(client_sigs->size(), 1u);
  EXPECT_TRUE(VerifySignature(client, (*client_sigs)[0], ec_pub_, 1618884475, 300).ok());
  EXPECT_TRUE(Unauthorized(VerifySignature(client, (*client_sigs)[0], ec_pub_, 1618884475 + 301, 300)));
  EXPECT_TRUE(Unauthorized(VerifySignature(client, (*client_sigs)[0], ed_pub_, 1618884475, 300)));
}

TEST_F(SpecExamples, B23VerifiesWithAKeyKnownToBePss) {
  HttpRequest r = TestRequestWith(Case(3));
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  // No alg parameter: the algorithm comes from the key. The published SPKI says rsaEncryption,
  // which implies rsa-v1_5-sha256; the public half of the PSS-OID private key implies PSS.
  auto pss = PublicKey::FromPem(vectors::PrivateKey("rfc9421-test-key-rsa-pss").PublicKeyPem());
  ASSERT_TRUE(pss.ok());
  EXPECT_TRUE(VerifySignature(r, (*sigs)[0], *pss, 1618884473, 300).ok());
  EXPECT_TRUE(Unauthorized(
      VerifySignature(r, (*sigs)[0], vectors::PublicKey("rfc9421-test-key-rsa-pss"), 1618884473, 300)));
}

TEST_F(SpecExamples, SignaturesWithoutTheRequiredCoverageAreRefused) {
  auto pss = PublicKey::FromPem(vectors::PrivateKey("rfc9421-test-key-rsa-pss").PublicKeyPem());
  ASSERT_TRUE(pss.ok());
  struct Expectation {
    int index;
    const PublicKey* key;
    const char* missing;
  } cases[] = {{1, &*pss, "@method"}, {2, &*pss, "@method"}, {6, &ed_pub_, "content-digest"}};
  for (const Expectation& e : cases) {
    HttpRequest r = TestRequestWith(Case(e.index));
    auto sigs = ParseSignatures(r);
    ASSERT_TRUE(sigs.ok());
    cs::Status s = VerifySignature(r, (*sigs)[0], *e.key, 1618884473, 300);
    EXPECT_TRUE(Unauthorized(s)) << e.index;
    EXPECT_NE(s.message().find(e.missing), std::string::npos) << s.message();
  }
}

TEST_F(SpecExamples, CavageC2VerifiesWhenTheRequestHasNoBody) {
  rapidjson::Document cavage = vectors::Json("http-signatures-cavage-12.json");
  HttpRequest r;
  r.method = "POST";
  r.scheme = "https";
  r.authority = "example.com";
  r.target = cavage["request"]["target"].GetString();
  r.headers.Set("host", "example.com");
  r.headers.Set("date", "Sun, 05 Jan 2014 21:31:40 GMT");
  r.headers.Set("signature", cavage["tests"][1]["signature_header"].GetString());
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->size(), 1u);
  const SignatureInfo& sig = (*sigs)[0];
  EXPECT_EQ(sig.scheme, SignatureScheme::kCavage);
  EXPECT_EQ(sig.key_id, "Test");
  EXPECT_EQ(sig.algorithm, "rsa-sha256");
  EXPECT_EQ(sig.covered, (std::vector<std::string>{"(request-target)", "host", "date"}));
  int64_t date = cs::ParseHttpDate("Sun, 05 Jan 2014 21:31:40 GMT");
  EXPECT_EQ(sig.created, date);
  PublicKey key = vectors::PublicKey("cavage12-test-rsa");
  EXPECT_TRUE(VerifySignature(r, sig, key, date + 10, 300).ok());
  // With the body of the original request, digest must be covered.
  r.body = cavage["request"]["body"].GetString();
  r.headers.Set("digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=");
  cs::Status s = VerifySignature(r, sig, key, date + 10, 300);
  EXPECT_TRUE(Unauthorized(s));
  EXPECT_NE(s.message().find("digest"), std::string::npos) << s.message();
}

TEST_F(SpecExamples, CavageC1ParsesWithTheDateDefault) {
  rapidjson::Document cavage = vectors::Json("http-signatures-cavage-12.json");
  HttpRequest r;
  r.method = "GET";
  r.scheme = "https";
  r.authority = "example.com";
  r.target = "/foo";
  r.headers.Set("date", "Sun, 05 Jan 2014 21:31:40 GMT");
  r.headers.Set("authorization", std::string("Signature ") + cavage["tests"][0]["signature_header"].GetString());
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  EXPECT_EQ((*sigs)[0].covered, std::vector<std::string>{"date"});
  PublicKey key = vectors::PublicKey("cavage12-test-rsa");
  auto text = CavageSigningString(r, (*sigs)[0].covered);
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(Verify(key, SignatureAlgorithm::kRsaPkcs1Sha256, *text, (*sigs)[0].signature).ok());
  // Date alone does not bind the signature to a request: refused.
  cs::Status s = VerifySignature(r, (*sigs)[0], key, cs::ParseHttpDate("Sun, 05 Jan 2014 21:31:40 GMT"), 300);
  EXPECT_TRUE(Unauthorized(s));
  EXPECT_NE(s.message().find("(request-target)"), std::string::npos) << s.message();
}

// ---- BR-01: algorithm="hs2019", absent, rsa-sha256; Digest algorithm case ----

class Br01 : public Keys {
 protected:
  // A cavage-signed inbox POST as GoToSocial/Mastodon-style senders make it.
  HttpRequest Signed(const PrivateKey& key, SignatureAlgorithm alg, const char* algorithm_param,
                     std::string digest) {
    HttpRequest r = InboxPost();
    r.headers.Set("host", "node-a.example.org");
    r.headers.Set("date", cs::FormatHttpDate(kNow));
    r.headers.Set("digest", std::move(digest));
    std::vector<std::string> headers = {"(request-target)", "host", "date", "digest"};
    auto text = CavageSigningString(r, headers);
    EXPECT_TRUE(text.ok());
    auto sig = Sign(key, alg, *text);
    EXPECT_TRUE(sig.ok());
    std::string value = "keyId=\"" + std::string(kKeyId) + "\",";
    if (algorithm_param) value += "algorithm=\"" + std::string(algorithm_param) + "\",";
    value += "headers=\"(request-target) host date digest\",signature=\"" + Base64Encode(*sig) + "\"";
    r.headers.Set("signature", value);
    return r;
  }
  std::string Sha256Digest(const char* token = "SHA-256") {
    return std::string(token) + "=" + Base64Encode(Sha256(kBody));
  }
};

TEST_F(Br01, Hs2019AbsentAndRsaSha256AllMeanRsaPkcs1Sha256) {
  for (const char* alg : {"hs2019", static_cast<const char*>(nullptr), "rsa-sha256", "HS2019"}) {
    HttpRequest r = Signed(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, alg, Sha256Digest());
    auto sigs = ParseSignatures(r);
    ASSERT_TRUE(sigs.ok());
    EXPECT_EQ((*sigs)[0].algorithm, alg ? alg : "");
    EXPECT_EQ((*sigs)[0].key_id, kKeyId);
    cs::Status s = VerifySignature(r, (*sigs)[0], rsa_pub_, kNow, kWindow);
    EXPECT_TRUE(s.ok()) << (alg ? alg : "(absent)") << ": " << s.ToString();
  }
}

TEST_F(Br01, Hs2019WithAnEd25519KeyMeansEd25519) {
  HttpRequest r = Signed(ed_, SignatureAlgorithm::kEd25519, "hs2019", Sha256Digest());
  EXPECT_TRUE(VerifyAll(r, ed_pub_).ok());
  EXPECT_TRUE(Unauthorized(VerifyAll(r, rsa_pub_)));
}

TEST_F(Br01, AnAlgorithmThatContradictsTheKeyIsRefused) {
  for (const char* alg : {"ed25519", "ecdsa-sha256", "rsa-sha512", "hmac-sha256", "rsa-sha1"}) {
    HttpRequest r = Signed(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, alg, Sha256Digest());
    EXPECT_TRUE(Unauthorized(VerifyAll(r, rsa_pub_))) << alg;
  }
  HttpRequest r = Signed(ed_, SignatureAlgorithm::kEd25519, "rsa-sha256", Sha256Digest());
  EXPECT_TRUE(Unauthorized(VerifyAll(r, ed_pub_)));
}

TEST_F(Br01, DigestVariants) {
  EXPECT_TRUE(VerifyAll(Signed(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, "hs2019", Sha256Digest("sha-256")), rsa_pub_).ok());
  EXPECT_TRUE(VerifyAll(Signed(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, "hs2019", Sha256Digest("SHA-256")), rsa_pub_).ok());
  std::string sha512 = "SHA-512=" + Base64Encode(Sha512(kBody));
  EXPECT_TRUE(VerifyAll(Signed(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, "hs2019", sha512), rsa_pub_).ok());
  std::string md5_only = "md5=Sd/dVLAcvNLSq16eXua5uQ==";
  EXPECT_TRUE(Unauthorized(VerifyAll(Signed(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, "hs2019", md5_only), rsa_pub_)));
  std::string wrong = "SHA-256=" + Base64Encode(Sha256("something else"));
  EXPECT_TRUE(Unauthorized(VerifyAll(Signed(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, "hs2019", wrong), rsa_pub_)));
}

// ---- BR-03: Host, non-default port, reverse proxy ----

TEST_F(Keys, Br03ProxyInFrontOfUsStillVerifies) {
  for (bool rfc9421 : {false, true}) {
    HttpRequest sent = InboxPost();
    ASSERT_TRUE((rfc9421 ? SignRfc9421 : SignCavage)(sent, kKeyId, rsa_, kNow).ok());
    HttpRequest received = sent;  // behind the proxy: Host is the backend address
    received.headers.Set("host", "127.0.0.1:8080");
    received.headers.Set("x-forwarded-host", "node-a.example.org");
    received.authority = "node-a.example.org";  // the node's configured public authority
    EXPECT_TRUE(VerifyAll(received, rsa_pub_).ok()) << rfc9421;
  }
}

TEST_F(Keys, Br03SignatureForAnotherHostIsRefused) {
  for (bool rfc9421 : {false, true}) {
    HttpRequest sent = InboxPost("node-b.example.net");  // signed for node-b...
    ASSERT_TRUE((rfc9421 ? SignRfc9421 : SignCavage)(sent, kKeyId, rsa_, kNow).ok());
    EXPECT_TRUE(VerifyAll(sent, rsa_pub_).ok());
    HttpRequest replayed = sent;  // ...replayed to us
    replayed.authority = "node-a.example.org";
    replayed.headers.Set("host", "node-a.example.org");
    EXPECT_TRUE(Unauthorized(VerifyAll(replayed, rsa_pub_))) << rfc9421;
  }
}

TEST_F(Keys, Br03SigningToANonDefaultPortSignsThePort) {
  HttpRequest r = InboxPost("node-b.example.net:8443");
  ASSERT_TRUE(SignCavage(r, kKeyId, rsa_, kNow).ok());
  EXPECT_EQ(r.headers.Get("host"), "node-b.example.net:8443");
  auto text = CavageSigningString(r, {"(request-target)", "host", "date", "digest"});
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\nhost: node-b.example.net:8443\n"), std::string::npos) << *text;
  EXPECT_TRUE(VerifyAll(r, rsa_pub_).ok());

  HttpRequest r9421 = InboxPost("node-b.example.net:8443");
  ASSERT_TRUE(SignRfc9421(r9421, kKeyId, rsa_, kNow).ok());
  EXPECT_EQ(r9421.headers.Get("host"), "node-b.example.net:8443");
  auto sigs = ParseSignatures(r9421);
  ASSERT_TRUE(sigs.ok());
  auto base = Rfc9421SignatureBase(r9421, (*sigs)[0].covered, (*sigs)[0].params_raw);
  ASSERT_TRUE(base.ok());
  EXPECT_NE(base->find("\"@authority\": node-b.example.net:8443\n"), std::string::npos) << *base;
  EXPECT_NE(base->find("\"@target-uri\": https://node-b.example.net:8443/inbox\n"), std::string::npos);

  HttpRequest default_port = InboxPost("node-b.example.net:443");
  ASSERT_TRUE(SignCavage(default_port, kKeyId, rsa_, kNow).ok());
  EXPECT_EQ(default_port.headers.Get("host"), "node-b.example.net");
}

// ---- BR-08: RFC 9421 first, cavage as fallback; invalid -> 401 ----

TEST_F(Keys, Br08ReducedInputShapeVerifies) {
  // Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=<now>;keyid="..."
  HttpRequest r = InboxPost();
  r.headers.Set("host", "node-a.example.org");
  r.headers.Set("content-digest", ContentDigestHeaderValue(kBody));
  std::string params = "(\"@method\" \"@target-uri\" \"content-digest\");created=" + std::to_string(kNow) +
                       ";keyid=\"" + std::string(kKeyId) + "\"";
  auto base = Rfc9421SignatureBase(r, {"@method", "@target-uri", "content-digest"}, params);
  ASSERT_TRUE(base.ok());
  auto sig = Sign(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, *base);
  ASSERT_TRUE(sig.ok());
  r.headers.Set("signature-input", "sig1=" + params);
  r.headers.Set("signature", "sig1=:" + Base64Encode(*sig) + ":");
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ((*sigs)[0].scheme, SignatureScheme::kRfc9421);
  EXPECT_EQ((*sigs)[0].label, "sig1");
  EXPECT_EQ((*sigs)[0].key_id, kKeyId);
  EXPECT_EQ((*sigs)[0].algorithm, "");
  EXPECT_EQ((*sigs)[0].created, kNow);
  EXPECT_TRUE(VerifySignature(r, (*sigs)[0], rsa_pub_, kNow, kWindow).ok());
}

TEST_F(Keys, Br08WrongRfc9421SignatureIsRefused) {
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignRfc9421(r, kKeyId, rsa_, kNow).ok());
  std::string sig = r.headers.Get("signature");
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  r.headers.Set("signature", sig);
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  cs::Status s = VerifySignature(r, (*sigs)[0], rsa_pub_, kNow, kWindow);
  EXPECT_TRUE(Unauthorized(s));
  EXPECT_NE(s.message().find("does not verify"), std::string::npos) << s.message();
}

TEST_F(Keys, Br08CavageValidAndInvalid) {
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignCavage(r, kKeyId, rsa_, kNow).ok());
  EXPECT_TRUE(VerifyAll(r, rsa_pub_).ok());
  std::string sig = r.headers.Get("signature");
  size_t at = sig.find("signature=\"") + 11;
  sig[at] = sig[at] == 'A' ? 'B' : 'A';
  r.headers.Set("signature", sig);
  EXPECT_TRUE(Unauthorized(VerifyAll(r, rsa_pub_)));
}

TEST_F(Keys, Br08BothFamiliesRfc9421FirstCavageAsFallback) {
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignCavage(r, kKeyId, rsa_, kNow).ok());
  std::string cavage = r.headers.Get("signature");
  ASSERT_TRUE(SignRfc9421(r, kKeyId, rsa_, kNow).ok());
  r.headers.Add("signature", cavage);  // a second Signature field line, cavage style
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->size(), 2u);
  EXPECT_EQ((*sigs)[0].scheme, SignatureScheme::kRfc9421);
  EXPECT_EQ((*sigs)[1].scheme, SignatureScheme::kCavage);
  EXPECT_TRUE(VerifySignature(r, (*sigs)[0], rsa_pub_, kNow, kWindow).ok());
  EXPECT_TRUE(VerifySignature(r, (*sigs)[1], rsa_pub_, kNow, kWindow).ok());

  // 9421 broken, cavage intact: the first fails, the fallback verifies.
  HttpRequest broken = r;
  broken.headers.Remove("signature");
  std::string rfc = r.headers.Get("signature");  // the first line: RFC 9421
  ASSERT_EQ(rfc.rfind("sig1=:", 0), 0u);
  rfc[8] = rfc[8] == 'A' ? 'B' : 'A';
  broken.headers.Add("signature", rfc);
  broken.headers.Add("signature", cavage);
  auto broken_sigs = ParseSignatures(broken);
  ASSERT_TRUE(broken_sigs.ok());
  ASSERT_EQ(broken_sigs->size(), 2u);
  EXPECT_TRUE(Unauthorized(VerifySignature(broken, (*broken_sigs)[0], rsa_pub_, kNow, kWindow)));
  EXPECT_TRUE(VerifySignature(broken, (*broken_sigs)[1], rsa_pub_, kNow, kWindow).ok());
}

TEST_F(Keys, Br08CavageInAuthorizationNextToRfc9421) {
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignCavage(r, kKeyId, rsa_, kNow).ok());
  std::string cavage = r.headers.Get("signature");
  ASSERT_TRUE(SignRfc9421(r, kKeyId, ed_, kNow).ok());
  r.headers.Set("authorization", "Signature " + cavage);
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->size(), 2u);
  EXPECT_EQ((*sigs)[0].algorithm, "ed25519");
  EXPECT_TRUE(VerifySignature(r, (*sigs)[0], ed_pub_, kNow, kWindow).ok());
  EXPECT_TRUE(VerifySignature(r, (*sigs)[1], rsa_pub_, kNow, kWindow).ok());
}

// ---- signing round trips ----

TEST_F(Keys, SignCavageSetsTheExpectedHeaders) {
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignCavage(r, kKeyId, rsa_, kNow).ok());
  EXPECT_EQ(r.headers.Get("host"), "node-a.example.org");
  EXPECT_EQ(r.headers.Get("date"), cs::FormatHttpDate(kNow));
  EXPECT_EQ(r.headers.Get("digest"), DigestHeaderValue(kBody));
  std::string sig = r.headers.Get("signature");
  EXPECT_EQ(sig.rfind("keyId=\"" + std::string(kKeyId) + "\",algorithm=\"rsa-sha256\","
                      "headers=\"(request-target) host date digest\",signature=\"", 0),
            0u)
      << sig;
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ((*sigs)[0].created, kNow);
  EXPECT_TRUE(VerifySignature(r, (*sigs)[0], rsa_pub_, kNow + 30, kWindow).ok());
}

TEST_F(Keys, SignCavageUsesHs2019ForNonRsaKeys) {
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignCavage(r, kKeyId, ed_, kNow).ok());
  EXPECT_NE(r.headers.Get("signature").find("algorithm=\"hs2019\""), std::string::npos);
  EXPECT_TRUE(VerifyAll(r, ed_pub_).ok());
  HttpRequest e = InboxPost();
  ASSERT_TRUE(SignCavage(e, kKeyId, ec_, kNow).ok());
  EXPECT_TRUE(VerifyAll(e, ec_pub_).ok());
}

TEST_F(Keys, SignRfc9421SetsTheExpectedHeaders) {
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignRfc9421(r, kKeyId, rsa_, kNow).ok());
  EXPECT_EQ(r.headers.Get("content-digest"), ContentDigestHeaderValue(kBody));
  EXPECT_EQ(r.headers.Get("signature-input"),
            "sig1=(\"@method\" \"@target-uri\" \"@authority\" \"content-digest\");created=" +
                std::to_string(kNow) + ";keyid=\"" + std::string(kKeyId) + "\";alg=\"rsa-v1_5-sha256\"");
  std::string sig = r.headers.Get("signature");
  EXPECT_EQ(sig.rfind("sig1=:", 0), 0u);
  EXPECT_EQ(sig.back(), ':');
  EXPECT_FALSE(r.headers.Has("digest"));
  EXPECT_TRUE(VerifyAll(r, rsa_pub_, kNow - 30).ok());
}

TEST_F(Keys, SignedGetsCarryNoDigest) {
  for (bool rfc9421 : {false, true}) {
    HttpRequest r;
    r.method = "GET";
    r.scheme = "https";
    r.authority = "node-b.example.net";
    r.target = "/users/teacher2?page=1";
    r.headers.Set("accept", "application/activity+json");
    ASSERT_TRUE((rfc9421 ? SignRfc9421 : SignCavage)(r, kKeyId, rsa_, kNow).ok());
    EXPECT_FALSE(r.headers.Has("digest"));
    EXPECT_FALSE(r.headers.Has("content-digest"));
    if (rfc9421)
      EXPECT_EQ(r.headers.Get("signature-input").find("content-digest"), std::string::npos);
    else
      EXPECT_NE(r.headers.Get("signature").find("headers=\"(request-target) host date\""), std::string::npos);
    EXPECT_TRUE(VerifyAll(r, rsa_pub_).ok()) << rfc9421;
  }
}

TEST_F(Keys, EveryKeyKindRoundTripsInBothSchemes) {
  PrivateKey pss = vectors::PrivateKey("rfc9421-test-key-rsa-pss");
  auto pss_pub = PublicKey::FromPem(pss.PublicKeyPem());
  ASSERT_TRUE(pss_pub.ok());
  struct KeyPair {
    const PrivateKey* priv;
    const PublicKey* pub;
    const char* alg;
  } pairs[] = {{&rsa_, &rsa_pub_, "rsa-v1_5-sha256"},
               {&ed_, &ed_pub_, "ed25519"},
               {&ec_, &ec_pub_, "ecdsa-p256-sha256"},
               {&pss, &*pss_pub, "rsa-pss-sha512"}};
  for (const KeyPair& k : pairs) {
    HttpRequest r = InboxPost();
    ASSERT_TRUE(SignRfc9421(r, kKeyId, *k.priv, kNow).ok()) << k.alg;
    EXPECT_NE(r.headers.Get("signature-input").find(std::string("alg=\"") + k.alg + "\""), std::string::npos);
    EXPECT_TRUE(VerifyAll(r, *k.pub).ok()) << k.alg;
  }
  HttpRequest r = InboxPost();
  EXPECT_FALSE(SignCavage(r, kKeyId, pss, kNow).ok());  // a PSS-only key cannot make rsa-sha256
}

TEST_F(Keys, ExpiredOrFutureDateIsRefused) {
  for (bool rfc9421 : {false, true}) {
    HttpRequest r = InboxPost();
    ASSERT_TRUE((rfc9421 ? SignRfc9421 : SignCavage)(r, kKeyId, rsa_, kNow - 2 * 3600).ok());
    cs::Status old = VerifyAll(r, rsa_pub_);
    EXPECT_TRUE(Unauthorized(old)) << rfc9421;
    EXPECT_NE(old.message().find("too old"), std::string::npos) << old.message();
    HttpRequest future = InboxPost();
    ASSERT_TRUE((rfc9421 ? SignRfc9421 : SignCavage)(future, kKeyId, rsa_, kNow + 2 * 3600).ok());
    EXPECT_TRUE(Unauthorized(VerifyAll(future, rsa_pub_))) << rfc9421;
    HttpRequest edge = InboxPost();
    ASSERT_TRUE((rfc9421 ? SignRfc9421 : SignCavage)(edge, kKeyId, rsa_, kNow - kWindow).ok());
    EXPECT_TRUE(VerifyAll(edge, rsa_pub_).ok()) << rfc9421;
  }
}

TEST_F(Keys, BodyChangedAfterSigningIsRefused) {
  for (bool rfc9421 : {false, true}) {
    HttpRequest r = InboxPost();
    ASSERT_TRUE((rfc9421 ? SignRfc9421 : SignCavage)(r, kKeyId, rsa_, kNow).ok());
    r.body.replace(r.body.find("Follow"), 6, "Delete");
    cs::Status s = VerifyAll(r, rsa_pub_);
    EXPECT_TRUE(Unauthorized(s)) << rfc9421;
    EXPECT_NE(s.message().find("digest"), std::string::npos) << s.message();
    // Changing the digest header too does not help: it is signed.
    r.headers.Set(rfc9421 ? "content-digest" : "digest",
                  rfc9421 ? ContentDigestHeaderValue(r.body) : DigestHeaderValue(r.body));
    EXPECT_TRUE(Unauthorized(VerifyAll(r, rsa_pub_))) << rfc9421;
  }
}

TEST_F(Keys, OtherTamperingIsRefused) {
  for (bool rfc9421 : {false, true}) {
    auto sign = rfc9421 ? SignRfc9421 : SignCavage;
    HttpRequest method = InboxPost();
    ASSERT_TRUE(sign(method, kKeyId, rsa_, kNow).ok());
    method.method = "PUT";
    EXPECT_TRUE(Unauthorized(VerifyAll(method, rsa_pub_)));
    HttpRequest target = InboxPost();
    ASSERT_TRUE(sign(target, kKeyId, rsa_, kNow).ok());
    target.target = "/users/teacher1/inbox";
    EXPECT_TRUE(Unauthorized(VerifyAll(target, rsa_pub_)));
    HttpRequest other_key = InboxPost();
    ASSERT_TRUE(sign(other_key, kKeyId, rsa_, kNow).ok());
    EXPECT_TRUE(Unauthorized(VerifyAll(other_key, vectors::PublicKey("rfc9421-test-key-rsa-pss"))));
  }
}

TEST_F(Keys, ResigningWithTheOtherSchemeLeavesOneSignature) {  // double-knocking (BR-08)
  HttpRequest r = InboxPost();
  ASSERT_TRUE(SignRfc9421(r, kKeyId, rsa_, kNow).ok());
  ASSERT_TRUE(SignCavage(r, kKeyId, rsa_, kNow + 1).ok());
  auto sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ((*sigs)[0].scheme, SignatureScheme::kCavage);
  EXPECT_TRUE(VerifyAll(r, rsa_pub_).ok());
  ASSERT_TRUE(SignRfc9421(r, kKeyId, rsa_, kNow + 2).ok());
  sigs = ParseSignatures(r);
  ASSERT_TRUE(sigs.ok());
  ASSERT_EQ(sigs->size(), 1u);
  EXPECT_EQ((*sigs)[0].scheme, SignatureScheme::kRfc9421);
  EXPECT_TRUE(VerifyAll(r, rsa_pub_).ok());
}

TEST_F(Keys, FedifyShapedRequestsVerify) {
  // RFC 9421 as Fedify sends it (notes/fedify-peer.md).
  HttpRequest r = InboxPost();
  r.headers.Set("host", "node-a.example.org");
  r.headers.Set("date", cs::FormatHttpDate(kNow));
  r.headers.Set("content-digest", ContentDigestHeaderValue(kBody));
  std::vector<std::string> covered = {"@method", "@target-uri", "@authority", "host", "date", "content-digest"};
  std::string params = "(\"@method\" \"@target-uri\" \"@authority\" \"host\" \"date\" \"content-digest\");"
                       "alg=\"rsa-v1_5-sha256\";keyid=\"" + std::string(kKeyId) + "\";created=" + std::to_string(kNow);
  auto base = Rfc9421SignatureBase(r, covered, params);
  ASSERT_TRUE(base.ok());
  r.headers.Set("signature-input", "sig1=" + params);
  r.headers.Set("signature", "sig1=:" + Base64Encode(*Sign(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, *base)) + ":");
  EXPECT_TRUE(VerifyAll(r, rsa_pub_).ok());

  // draft-cavage as Fedify falls back to it.
  HttpRequest c = InboxPost();
  c.headers.Set("host", "node-a.example.org");
  c.headers.Set("date", cs::FormatHttpDate(kNow));
  c.headers.Set("digest", DigestHeaderValue(kBody));
  std::vector<std::string> headers = {"(request-target)", "content-type", "date", "digest", "host"};
  auto text = CavageSigningString(c, headers);
  ASSERT_TRUE(text.ok());
  c.headers.Set("signature", "keyId=\"" + std::string(kKeyId) +
                                 "\",algorithm=\"rsa-sha256\",headers=\"(request-target) content-type date digest host\","
                                 "signature=\"" + Base64Encode(*Sign(rsa_, SignatureAlgorithm::kRsaPkcs1Sha256, *text)) + "\"");
  EXPECT_TRUE(VerifyAll(c, rsa_pub_).ok());
}

TEST_F(Keys, SigningNeedsARequestAndAQuotableKeyId) {
  HttpRequest r = InboxPost();
  EXPECT_TRUE(SignCavage(r, "bad\"key", rsa_, kNow).Is(Code::kInvalidInput));
  EXPECT_TRUE(SignRfc9421(r, "", rsa_, kNow).Is(Code::kInvalidInput));
  HttpRequest no_authority = InboxPost("");
  EXPECT_TRUE(SignCavage(no_authority, kKeyId, rsa_, kNow).Is(Code::kInvalidInput));
}

// ---- parsing ----

TEST(ParseSignatures, UnsignedRequestIsNotFound) {
  EXPECT_TRUE(ParseSignatures(InboxPost()).status().Is(Code::kNotFound));
  HttpRequest r = InboxPost();
  r.headers.Set("authorization", "Bearer abc");
  EXPECT_TRUE(ParseSignatures(r).status().Is(Code::kNotFound));
}

TEST(ParseSignatures, MalformedSignatureFieldsAreUnauthorized) {
  const std::string good_sig = "signature=\"" + Base64Encode("x") + "\"";
  for (std::string bad : {std::string(""), std::string("garbage"), std::string("keyId=\"k\""),
                          "keyId=\"k\"," + good_sig + ",keyId=\"again\"", std::string("keyId=\"k\",signature=\"!!\""),
                          "keyId=\"k," + good_sig, "keyId=\"k\" " + good_sig, "keyId=\"k\"," + good_sig + ",headers=\"\"",
                          "keyId=\"k\"," + good_sig + ",headers=\"(created)\"", "keyId=\"k\"," + good_sig + ",created=12x",
                          "keyId=\"k\"," + good_sig + ",created=1234567890123456", "keyId=," + good_sig,
                          std::string(20000, 'a')}) {
    HttpRequest r = InboxPost();
    r.headers.Set("signature", bad);
    EXPECT_TRUE(ParseSignatures(r).status().Is(Code::kUnauthorized)) << bad;
  }
}

TEST(ParseSignatures, MalformedRfc9421FieldsAreUnauthorized) {
  const std::string sig = "sig1=:" + Base64Encode("x") + ":";
  struct Case {
    std::string input, signature;
  } cases[] = {
      {"sig1=(\"@method\";created=1", sig},                // unterminated inner list
      {"sig1=\"@method\"", sig},                            // not an inner list
      {"sig1=(\"@method\");created=\"1\"", sig},            // created not an integer
      {"sig1=(\"@method\");created=-5", sig},               // negative
      {"sig1=(\"@method\");keyid=k", sig},                   // keyid not a string
      {"sig1=(\"@method\");alg=1", sig},                     // alg not a string
      {"sig1=(@method)", sig},                               // component not a string
      {"sig1=(\"@Method\")", sig},                           // upper case
      {"sig1=(\"a;b\")", sig},                               // not a component name
      {"sig1=(\"@method\")", "sig2=:" + Base64Encode("x") + ":"},  // no Signature for sig1
      {"sig1=(\"@method\")", "sig1=::"},                     // empty signature
      {"", sig},                                             // empty Signature-Input
      {"sig1=(\"@method\")", ""},                            // no Signature at all
      {std::string(20000, 'a'), sig},                        // too long
  };
  for (const Case& c : cases) {
    HttpRequest r = InboxPost();
    r.headers.Set("signature-input", c.input);
    if (!c.signature.empty()) r.headers.Set("signature", c.signature);
    EXPECT_TRUE(ParseSignatures(r).status().Is(Code::kUnauthorized)) << c.input << " / " << c.signature;
  }
  HttpRequest orphan = InboxPost();
  orphan.headers.Set("signature", sig);  // RFC 9421 Signature without Signature-Input
  EXPECT_TRUE(ParseSignatures(orphan).status().Is(Code::kUnauthorized));
}

TEST(ParseSignatures, TooManySignaturesAreRefused) {
  HttpRequest r = InboxPost();
  std::string input, sig;
  for (int i = 0; i < 9; ++i) {
    input += (i ? ", s" : "s") + std::to_string(i) + "=(\"@method\")";
    sig += (i ? ", s" : "s") + std::to_string(i) + "=:" + Base64Encode("x") + ":";
  }
  r.headers.Set("signature-input", input);
  r.headers.Set("signature", sig);
  EXPECT_TRUE(ParseSignatures(r).status().Is(Code::kUnauthorized));
}

TEST_F(Keys, RandomMutationsOfSignedRequestsNeverCrash) {
  HttpRequest cavage = InboxPost();
  ASSERT_TRUE(SignCavage(cavage, kKeyId, ed_, kNow).ok());
  HttpRequest rfc = InboxPost();
  ASSERT_TRUE(SignRfc9421(rfc, kKeyId, ed_, kNow).ok());
  const std::string alphabet = "()\";=:,? \\*-.1aZ@/\tA+";
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    HttpRequest r = (i % 2) ? cavage : rfc;
    // The last two fields: Signature and Signature-Input, or Signature and Digest.
    auto& field = r.headers.items[r.headers.items.size() - 1 - rng() % 2];
    std::string& s = field.second;
    for (int e = 0; e < 1 + static_cast<int>(rng() % 3) && !s.empty(); ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0: s[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: s.erase(pos, 1 + rng() % 3); break;
        default: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    auto sigs = ParseSignatures(r);
    if (!sigs.ok()) {
      EXPECT_TRUE(sigs.status().Is(Code::kUnauthorized) || sigs.status().Is(Code::kNotFound));
      continue;
    }
    for (const SignatureInfo& sig : *sigs) {
      cs::Status st = VerifySignature(r, sig, ed_pub_, kNow, kWindow);
      // Some mutations are harmless (OWS, a changed cavage keyId, which is not signed).
      EXPECT_TRUE(st.ok() || Unauthorized(st)) << st.ToString();
    }
  }
}

}  // namespace
}  // namespace federation
