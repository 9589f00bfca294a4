// Signing strings and signature bases rebuilt from the specifications' example messages must
// equal the printed bytes (tests/fixtures/vectors/signature-bases), and the published signatures
// must verify over them (or be recomputed byte for byte where the algorithm is deterministic).
#include "federation/signature_base.h"

#include <gtest/gtest.h>

#include "federation/crypto.h"
#include "federation/http_signature.h"
#include "tests/federation/vectors.h"

namespace federation {
namespace {

// ---- draft-cavage-12 Appendix C ----

class CavageAppendixC : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = vectors::Json("http-signatures-cavage-12.json");
    const auto& r = doc_["request"];
    request_.method = r["method"].GetString();
    request_.target = r["target"].GetString();
    request_.scheme = "https";
    for (const auto& h : r["headers"].GetArray()) request_.headers.Add(h[0].GetString(), h[1].GetString());
    request_.authority = request_.headers.Get("host");
    request_.body = r["body"].GetString();
  }
  const rapidjson::Value& Test(int i) { return doc_["tests"][i]; }
  std::string Printed(int i) { return vectors::Read(Test(i)["signing_string_file"].GetString()); }

  rapidjson::Document doc_;
  HttpRequest request_;
  PrivateKey key_ = vectors::PrivateKey("cavage12-test-rsa");
  PublicKey pub_ = vectors::PublicKey("cavage12-test-rsa");
};

TEST_F(CavageAppendixC, FixtureFilesEqualTheJson) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Printed(i), Test(i)["signing_string"].GetString());
}

TEST_F(CavageAppendixC, C1DefaultTestRebuiltAndRecomputed) {
  auto text = CavageSigningString(request_, {"date"});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, Printed(0));
  std::string expected = vectors::Decode(Test(0)["signature"].GetString());
  EXPECT_EQ(*Sign(key_, SignatureAlgorithm::kRsaPkcs1Sha256, *text), expected);
  EXPECT_TRUE(Verify(pub_, SignatureAlgorithm::kRsaPkcs1Sha256, *text, expected).ok());
}

TEST_F(CavageAppendixC, C2BasicTestRebuiltAndRecomputed) {
  auto text = CavageSigningString(request_, {"(request-target)", "host", "date"});
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, Printed(1));
  std::string expected = vectors::Decode(Test(1)["signature"].GetString());
  EXPECT_EQ(*Sign(key_, SignatureAlgorithm::kRsaPkcs1Sha256, *text), expected);
  EXPECT_TRUE(Verify(pub_, SignatureAlgorithm::kRsaPkcs1Sha256, *text, expected).ok());
}

TEST_F(CavageAppendixC, C3AllHeadersOverItsPrintedSigningString) {
  std::string printed = Printed(2);
  std::string expected = vectors::Decode(Test(2)["signature"].GetString());
  EXPECT_EQ(*Sign(key_, SignatureAlgorithm::kRsaPkcs1Sha256, printed), expected);
  EXPECT_TRUE(Verify(pub_, SignatureAlgorithm::kRsaPkcs1Sha256, printed, expected).ok());
  // The printed string is the one without (created)/(expires); our builder rebuilds it...
  auto without = CavageSigningString(
      request_, {"(request-target)", "host", "date", "content-type", "digest", "content-length"});
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(*without, printed);
  // ...while the headers parameter taken literally gives another string (the C.3 quirk).
  auto literal = CavageSigningString(request_,
                                     {"(request-target)", "(created)", "(expires)", "host", "date",
                                      "content-type", "digest", "content-length"},
                                     Test(2)["created"].GetInt64(), Test(2)["expires"].GetInt64());
  ASSERT_TRUE(literal.ok());
  EXPECT_NE(*literal, printed);
  EXPECT_NE(literal->find("\n(created): 1402170695\n(expires): 1402170699\n"), std::string::npos);
  EXPECT_FALSE(Verify(pub_, SignatureAlgorithm::kRsaPkcs1Sha256, *literal, expected).ok());
}

TEST_F(CavageAppendixC, HeaderNamesAnyCaseAndMissingHeaders) {
  EXPECT_EQ(*CavageSigningString(request_, {"Date"}), Printed(0));
  auto missing = CavageSigningString(request_, {"date", "x-missing"});
  EXPECT_TRUE(missing.status().Is(cs::Status::Code::kUnauthorized));
  EXPECT_FALSE(CavageSigningString(request_, {"(created)"}).ok());  // no value given
  EXPECT_FALSE(CavageSigningString(request_, {}).ok());
}

TEST_F(CavageAppendixC, HostLineComesFromThePublicAuthority) {  // BR-03
  request_.headers.Set("host", "127.0.0.1:8080");  // what a reverse proxy hands the app
  EXPECT_EQ(*CavageSigningString(request_, {"(request-target)", "host", "date"}), Printed(1));
  request_.authority = "node-a.example.org";
  EXPECT_NE(*CavageSigningString(request_, {"(request-target)", "host", "date"}), Printed(1));
}

TEST_F(CavageAppendixC, RepeatedHeadersAreJoinedAndTrimmed) {
  HttpRequest r = request_;
  r.headers.Add("x-multi", "  one ");
  r.headers.Add("x-multi", "two\t");
  EXPECT_EQ(*CavageSigningString(r, {"x-multi"}), "x-multi: one, two");
  r.headers.Add("x-bad", "a\nhost: evil");
  EXPECT_FALSE(CavageSigningString(r, {"x-bad"}).ok());
}

// ---- RFC 9421 ----

class Rfc9421Bases : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = vectors::Json("http-message-signatures-rfc9421.json");
    test_request_ = vectors::ParseRequest(doc_["messages"]["test-request"].GetString());
  }

  const rapidjson::Value& Case(std::string_view file) {
    for (const auto& c : doc_["cases"].GetArray())
      if (std::string_view(c["signature_base_file"].GetString()) == file) return c;
    ADD_FAILURE() << "no case " << file;
    return doc_["cases"][0];
  }

  // The Signature-Input member value of a case; 2.5 prints only the base, whose last line has it.
  static std::string InputOf(const rapidjson::Value& c) {
    if (c["signature_input"].IsString()) return c["signature_input"].GetString();
    std::string base = c["signature_base"].GetString();
    return base.substr(base.rfind("\"@signature-params\": ") + 21);
  }

  // Puts the case's Signature-Input/Signature on `request` and parses it back.
  SignatureInfo Parsed(HttpRequest request, const rapidjson::Value& c) {
    std::string label = c["label"].IsString() ? c["label"].GetString() : "sig";
    request.headers.Set("signature-input", label + "=" + InputOf(c));
    request.headers.Set("signature", label + "=:" + c["signature_b64"].GetString() + ":");
    auto sigs = ParseSignatures(request);
    if (!sigs.ok() || sigs->size() != 1) {
      ADD_FAILURE() << sigs.status().ToString();
      return {};
    }
    return (*sigs)[0];
  }

  // Rebuilds the base of a test-request case from the parsed Signature-Input and compares it.
  std::string RebuiltBase(std::string_view file) {
    const auto& c = Case(file);
    SignatureInfo sig = Parsed(test_request_, c);
    EXPECT_EQ(sig.params_raw, InputOf(c));  // canonical serialization round-trips
    auto base = Rfc9421SignatureBase(test_request_, sig.covered, sig.params_raw);
    EXPECT_TRUE(base.ok()) << base.status().ToString();
    EXPECT_EQ(*base, vectors::Read(std::string(file)));
    EXPECT_EQ(*base, c["signature_base"].GetString());
    return base.ok() ? *base : "";
  }

  void ExpectVerifies(std::string_view file, const PublicKey& key, SignatureAlgorithm alg) {
    const auto& c = Case(file);
    std::string base = vectors::Read(std::string(file));
    std::string signature = vectors::Decode(c["signature_b64"].GetString());
    cs::Status s = Verify(key, alg, base, signature);
    EXPECT_TRUE(s.ok()) << file << ": " << s.ToString();
    EXPECT_FALSE(Verify(key, alg, base + " ", signature).ok()) << file;
  }

  rapidjson::Document doc_;
  HttpRequest test_request_;
};

TEST_F(Rfc9421Bases, Section25ExampleAndSection31Signature) {
  std::string base = RebuiltBase("signature-bases/rfc9421-section-2.5.txt");
  (void)base;
  ExpectVerifies("signature-bases/rfc9421-section-2.5.txt", vectors::PublicKey("rfc9421-test-key-rsa-pss"),
                 SignatureAlgorithm::kRsaPssSha512);
}

TEST_F(Rfc9421Bases, B21MinimalRsaPss) {
  RebuiltBase("signature-bases/rfc9421-sig-b21.txt");
  ExpectVerifies("signature-bases/rfc9421-sig-b21.txt", vectors::PublicKey("rfc9421-test-key-rsa-pss"),
                 SignatureAlgorithm::kRsaPssSha512);
}

TEST_F(Rfc9421Bases, B22SelectiveComponentsWithQueryParam) {
  const auto& c = Case("signature-bases/rfc9421-sig-b22.txt");
  EXPECT_EQ(Parsed(test_request_, c).covered,
            (std::vector<std::string>{"@authority", "content-digest", "@query-param;name=\"Pet\""}));
  RebuiltBase("signature-bases/rfc9421-sig-b22.txt");
  ExpectVerifies("signature-bases/rfc9421-sig-b22.txt", vectors::PublicKey("rfc9421-test-key-rsa-pss"),
                 SignatureAlgorithm::kRsaPssSha512);
}

TEST_F(Rfc9421Bases, B23FullCoverageRsaPss) {
  RebuiltBase("signature-bases/rfc9421-sig-b23.txt");
  ExpectVerifies("signature-bases/rfc9421-sig-b23.txt", vectors::PublicKey("rfc9421-test-key-rsa-pss"),
                 SignatureAlgorithm::kRsaPssSha512);
}

TEST_F(Rfc9421Bases, B24ResponseWithEcdsa) {
  const auto& c = Case("signature-bases/rfc9421-sig-b24.txt");
  HttpResponse response = vectors::ParseResponse(doc_["messages"]["test-response"].GetString());
  std::vector<std::string> components = {"@status", "content-type", "content-digest", "content-length"};
  std::string file = vectors::Read("signature-bases/rfc9421-sig-b24.txt");
  // The test-response prints a wrong Content-Digest; the base (and signature) use the right one.
  auto as_printed = Rfc9421SignatureBase(response, components, c["signature_input"].GetString());
  ASSERT_TRUE(as_printed.ok());
  EXPECT_NE(*as_printed, file);
  rapidjson::Document digests = vectors::Json("digest-fields.json");
  response.headers.Set("content-digest", digests["vectors"][4]["content_digest_header_value"].GetString());
  auto base = Rfc9421SignatureBase(response, components, c["signature_input"].GetString());
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(*base, file);
  ExpectVerifies("signature-bases/rfc9421-sig-b24.txt", vectors::PublicKey("rfc9421-test-key-ecc-p256"),
                 SignatureAlgorithm::kEcdsaP256Sha256);
  // @status belongs to responses, @method to requests.
  EXPECT_FALSE(Rfc9421SignatureBase(test_request_, {"@status"}, "()").ok());
  EXPECT_FALSE(Rfc9421SignatureBase(response, {"@method"}, "()").ok());
}

TEST_F(Rfc9421Bases, B25HmacBaseRebuilt) {
  // hmac-sha256 is symmetric and out of scope for ActivityPub keys: only the base is checked.
  RebuiltBase("signature-bases/rfc9421-sig-b25.txt");
}

TEST_F(Rfc9421Bases, B26Ed25519RebuiltAndSignedByteForByte) {
  std::string base = RebuiltBase("signature-bases/rfc9421-sig-b26.txt");
  const auto& c = Case("signature-bases/rfc9421-sig-b26.txt");
  auto signature = Sign(vectors::PrivateKey("rfc9421-test-key-ed25519"), SignatureAlgorithm::kEd25519, base);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(Base64Encode(*signature), c["signature_b64"].GetString());
  ExpectVerifies("signature-bases/rfc9421-sig-b26.txt", vectors::PublicKey("rfc9421-test-key-ed25519"),
                 SignatureAlgorithm::kEd25519);
}

TEST_F(Rfc9421Bases, Section43ClientSignatureSig1) {
  const auto& c = Case("signature-bases/rfc9421-sig1.txt");
  HttpRequest request = vectors::ParseRequest(c["message"].GetString());
  auto sigs = ParseSignatures(request);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->size(), 1u);
  auto base = Rfc9421SignatureBase(request, (*sigs)[0].covered, (*sigs)[0].params_raw);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(*base, vectors::Read("signature-bases/rfc9421-sig1.txt"));
  EXPECT_EQ((*sigs)[0].signature, vectors::Decode(c["signature_b64"].GetString()));
  ExpectVerifies("signature-bases/rfc9421-sig1.txt", vectors::PublicKey("rfc9421-test-key-ecc-p256"),
                 SignatureAlgorithm::kEcdsaP256Sha256);
}

TEST_F(Rfc9421Bases, Section43ProxySignatureSignedByteForByte) {
  const auto& c = Case("signature-bases/rfc9421-proxy_sig.txt");
  HttpRequest request = vectors::ParseRequest(c["message"].GetString());
  ASSERT_EQ(request.authority, "origin.host.internal.example");
  auto sigs = ParseSignatures(request);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->size(), 2u);
  EXPECT_EQ((*sigs)[0].label, "sig1");
  const SignatureInfo& proxy = (*sigs)[1];
  EXPECT_EQ(proxy.label, "proxy_sig");
  EXPECT_EQ(proxy.key_id, "test-key-rsa");
  EXPECT_EQ(proxy.algorithm, "rsa-v1_5-sha256");
  EXPECT_EQ(proxy.created, 1618884480);
  EXPECT_EQ(proxy.expires, 1618884540);
  auto base = Rfc9421SignatureBase(request, proxy.covered, proxy.params_raw);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(*base, vectors::Read("signature-bases/rfc9421-proxy_sig.txt"));
  auto signature = Sign(vectors::PrivateKey("rfc9421-test-key-rsa"), SignatureAlgorithm::kRsaPkcs1Sha256, *base);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(Base64Encode(*signature), c["signature_b64"].GetString());
  EXPECT_EQ(*signature, proxy.signature);
  ExpectVerifies("signature-bases/rfc9421-proxy_sig.txt", vectors::PublicKey("rfc9421-test-key-rsa"),
                 SignatureAlgorithm::kRsaPkcs1Sha256);
}

// ---- RFC 9421 derived components ----

HttpRequest Request(std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.scheme = "https";
  r.authority = "www.example.com";
  r.target = std::move(target);
  return r;
}

std::string Line(const HttpRequest& r, const std::string& component) {
  auto base = Rfc9421SignatureBase(r, {component}, "()");
  if (!base.ok()) return "error: " + base.status().message();
  return base->substr(0, base->find('\n'));
}

TEST(Rfc9421Components, QueryParamsAreDecodedAndReEncoded) {  // RFC 9421 section 2.2.8
  HttpRequest r = Request(
      "/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace"
      "&fa%C3%A7ade%22%3A%20=something&qux=");
  EXPECT_EQ(Line(r, "@query-param;name=\"var\""),
            "\"@query-param\";name=\"var\": this%20is%20a%20big%0Amultiline%20value");
  EXPECT_EQ(Line(r, "@query-param;name=\"bar\""), "\"@query-param\";name=\"bar\": with%20plus%20whitespace");
  EXPECT_EQ(Line(r, "@query-param;name=\"fa%C3%A7ade%22%3A%20\""),
            "\"@query-param\";name=\"fa%C3%A7ade%22%3A%20\": something");
  EXPECT_EQ(Line(r, "@query-param;name=\"qux\""), "\"@query-param\";name=\"qux\": ");
  EXPECT_EQ(Line(r, "@query-param;name=\"missing\"").rfind("error", 0), 0u);
  EXPECT_EQ(Line(Request("/p?param=value&%70aram=value"), "@query-param;name=\"param\"").rfind("error", 0), 0u);
  EXPECT_EQ(Line(r, "@query-param").rfind("error", 0), 0u);  // name is required
}

TEST(Rfc9421Components, DerivedComponentsOfSection22) {
  HttpRequest r = Request("/path?param=value&foo=bar&baz=bat%2Dman");
  r.method = "POST";
  EXPECT_EQ(Line(r, "@method"), "\"@method\": POST");
  EXPECT_EQ(Line(r, "@target-uri"), "\"@target-uri\": https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman");
  EXPECT_EQ(Line(r, "@authority"), "\"@authority\": www.example.com");
  EXPECT_EQ(Line(r, "@scheme"), "\"@scheme\": https");
  EXPECT_EQ(Line(r, "@request-target"), "\"@request-target\": /path?param=value&foo=bar&baz=bat%2Dman");
  EXPECT_EQ(Line(r, "@path"), "\"@path\": /path");
  EXPECT_EQ(Line(r, "@query"), "\"@query\": ?param=value&foo=bar&baz=bat%2Dman");
  EXPECT_EQ(Line(Request("/path"), "@query"), "\"@query\": ?");
  EXPECT_EQ(Line(Request("/path?queryString"), "@query"), "\"@query\": ?queryString");
}

TEST(Rfc9421Components, AuthorityIsNormalized) {
  HttpRequest r = Request("/");
  r.authority = "WWW.Example.com:443";
  EXPECT_EQ(Line(r, "@authority"), "\"@authority\": www.example.com");
  EXPECT_EQ(Line(r, "@target-uri"), "\"@target-uri\": https://www.example.com/");
  r.authority = "node-b.example.net:8443";
  EXPECT_EQ(Line(r, "@authority"), "\"@authority\": node-b.example.net:8443");
  EXPECT_EQ(Line(r, "host"), "\"host\": node-b.example.net:8443");
  EXPECT_EQ(NormalizedAuthority("http", "a.example:80"), "a.example");
  EXPECT_EQ(NormalizedAuthority("http", "a.example:443"), "a.example:443");
}

TEST(Rfc9421Components, RefusesWhatItCannotRebuild) {
  HttpRequest r = Request("/");
  r.headers.Add("x-a", "1");
  for (const char* bad : {"@unknown", "x-a;sf", "x-a;bs", "x-a;key=\"k\"", "@method;req", "X-A", "x-missing",
                          "@signature-params", "", "x a", "\"x-a\""}) {
    auto base = Rfc9421SignatureBase(r, {bad}, "()");
    EXPECT_TRUE(base.status().Is(cs::Status::Code::kUnauthorized)) << bad;
  }
  EXPECT_FALSE(Rfc9421SignatureBase(r, {"x-a", "x-a"}, "()").ok());  // listed twice
  EXPECT_TRUE(Rfc9421SignatureBase(r, {"x-a", "@method"}, "(\"x-a\" \"@method\")").ok());
  EXPECT_FALSE(Rfc9421SignatureBase(r, {"x-a"}, "()\n\"x\": y").ok());
}

}  // namespace
}  // namespace federation
