#include "federation/digest.h"

#include <gtest/gtest.h>

#include "federation/crypto.h"
#include "tests/federation/vectors.h"

namespace federation {
namespace {

constexpr std::string_view kHello = "{\"hello\": \"world\"}";

HttpHeaders With(std::string_view name, std::string value) {
  HttpHeaders h;
  h.Add(name, std::move(value));
  return h;
}

bool Unauthorized(const cs::Status& s) { return s.Is(cs::Status::Code::kUnauthorized); }

TEST(Digest, HeaderValuesMatchRfc9530AppendixD) {
  rapidjson::Document doc = vectors::Json("digest-fields.json");
  const auto& d = doc["vectors"][0];
  ASSERT_EQ(std::string(d["body"].GetString()), kHello);
  EXPECT_EQ(ContentDigestHeaderValue(kHello),
            "sha-256=" + std::string(d["structured_field_values"]["sha-256"].GetString()));
  EXPECT_EQ(ContentDigestHeaderValue(kHello), d["content_digest_header_example"].GetString() +
                                                  std::string_view("Content-Digest: ").size());
  // The cavage request's Digest header (RFC 3230 syntax).
  const auto& cavage = doc["vectors"][5];
  EXPECT_EQ(DigestHeaderValue(cavage["body"].GetString()), cavage["digest_header_value"].GetString());
  // RFC 9530 B.1: the body with a trailing newline.
  const auto& b1 = doc["vectors"][1];
  EXPECT_EQ(ContentDigestHeaderValue(b1["body"].GetString()), b1["content_digest_header_value"].GetString());
}

TEST(Digest, VerifiesEverySpecificationValue) {
  rapidjson::Document doc = vectors::Json("digest-fields.json");
  const auto& d = doc["vectors"][0];
  for (const char* alg : {"sha-256", "sha-512"}) {
    std::string value = std::string(alg) + "=" + d["structured_field_values"][alg].GetString();
    EXPECT_TRUE(VerifyDigest(With("content-digest", value), kHello, true).ok()) << value;
  }
  const auto& request = doc["vectors"][3];  // RFC 9421 test-request
  EXPECT_TRUE(VerifyDigest(With("content-digest", request["content_digest_header_value"].GetString()),
                           request["body"].GetString(), true)
                  .ok());
  const auto& response = doc["vectors"][4];  // RFC 9421 test-response: the B.2.4 value is right
  EXPECT_TRUE(VerifyDigest(With("content-digest", response["content_digest_header_value"].GetString()),
                           response["body"].GetString(), true)
                  .ok());
  EXPECT_TRUE(Unauthorized(VerifyDigest(
      With("content-digest", response["value_printed_in_test_response_message"].GetString()),
      response["body"].GetString(), true)));
  const auto& cavage = doc["vectors"][5];
  EXPECT_TRUE(VerifyDigest(With("digest", cavage["digest_header_value"].GetString()),
                           cavage["body"].GetString(), true)
                  .ok());
}

TEST(Digest, LegacyAlgorithmTokenInAnyCase) {  // BR-01 (wordpress-activitypub #2949)
  std::string b64 = Base64Encode(Sha256(kHello));
  for (const char* token : {"SHA-256", "sha-256", "Sha-256"})
    EXPECT_TRUE(VerifyDigest(With("digest", std::string(token) + "=" + b64), kHello, true).ok()) << token;
}

TEST(Digest, Sha512OnlyIsAccepted) {
  std::string value = "SHA-512=" + Base64Encode(Sha512(kHello));
  EXPECT_TRUE(VerifyDigest(With("digest", value), kHello, true).ok());
  EXPECT_TRUE(VerifyDigest(With("content-digest", "sha-512=:" + Base64Encode(Sha512(kHello)) + ":"),
                           kHello, true)
                  .ok());
}

TEST(Digest, UnknownAlgorithmsOnlyAreRefused) {
  rapidjson::Document doc = vectors::Json("digest-fields.json");
  const auto& values = doc["vectors"][0]["structured_field_values"];
  EXPECT_TRUE(Unauthorized(VerifyDigest(With("digest", "md5=Sd/dVLAcvNLSq16eXua5uQ=="), kHello, true)));
  EXPECT_TRUE(Unauthorized(VerifyDigest(With("digest", "MD5=Sd/dVLAcvNLSq16eXua5uQ=="), kHello, false)));
  EXPECT_TRUE(Unauthorized(
      VerifyDigest(With("content-digest", std::string("md5=") + values["md5"].GetString()), kHello, true)));
  EXPECT_TRUE(Unauthorized(VerifyDigest(
      With("content-digest", std::string("sha=") + values["sha"].GetString() + ", adler=" + values["adler"].GetString()),
      kHello, true)));
}

TEST(Digest, UnknownAlgorithmsNextToAKnownOneAreIgnored) {
  std::string value = "md5=Sd/dVLAcvNLSq16eXua5uQ==, SHA-256=" + Base64Encode(Sha256(kHello));
  EXPECT_TRUE(VerifyDigest(With("digest", value), kHello, true).ok());
}

TEST(Digest, EveryKnownValueMustMatch) {
  std::string good = Base64Encode(Sha256(kHello));
  std::string bad512 = Base64Encode(Sha512("other"));
  EXPECT_TRUE(Unauthorized(VerifyDigest(With("digest", "SHA-256=" + good + ",SHA-512=" + bad512), kHello, true)));
  HttpHeaders both;
  both.Add("digest", "SHA-256=" + good);
  both.Add("content-digest", "sha-256=:" + Base64Encode(Sha256("tampered")) + ":");
  EXPECT_TRUE(Unauthorized(VerifyDigest(both, kHello, true)));
}

TEST(Digest, MismatchIsRefused) {
  EXPECT_TRUE(Unauthorized(VerifyDigest(With("digest", DigestHeaderValue(kHello)), "{}", true)));
  EXPECT_TRUE(Unauthorized(VerifyDigest(With("content-digest", ContentDigestHeaderValue(kHello)), "{}", false)));
}

TEST(Digest, MissingDigestDependsOnRequire) {
  EXPECT_TRUE(Unauthorized(VerifyDigest(HttpHeaders{}, kHello, true)));
  EXPECT_TRUE(VerifyDigest(HttpHeaders{}, kHello, false).ok());
}

TEST(Digest, GarbageIsRefusedNotCrashed) {
  for (const char* bad : {"", "SHA-256", "=abc", "SHA-256=!!!!", "SHA-256=abc=def=", ",,,", "SHA-256=Zm9v",
                          "SHA-256=\"Zm9v\""}) {
    EXPECT_TRUE(Unauthorized(VerifyDigest(With("digest", bad), kHello, true))) << bad;
  }
  for (const char* bad : {"", "sha-256", "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
                          "sha-256=:not base64:", "sha-256=:X48E9q", "SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
                          "sha-256=(:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:)", "sha-256=:AAAA:,"}) {
    EXPECT_TRUE(Unauthorized(VerifyDigest(With("content-digest", bad), kHello, true))) << bad;
  }
  std::string huge(100000, 'A');
  EXPECT_TRUE(Unauthorized(VerifyDigest(With("digest", "SHA-256=" + huge), kHello, true)));
  EXPECT_TRUE(Unauthorized(VerifyDigest(With("content-digest", "sha-256=:" + huge + ":"), kHello, true)));
}

}  // namespace
}  // namespace federation
