#include "federation/structured_fields.h"

#include <gtest/gtest.h>

#include <random>

namespace federation {
namespace {

TEST(StructuredFields, ParsesSignatureInputOfRfc9421Section43) {
  auto dict = ParseSfDictionary(
      "sig1=(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-type\" "
      "\"content-length\");created=1618884475;keyid=\"test-key-ecc-p256\", "
      "proxy_sig=(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-type\" "
      "\"content-length\" \"forwarded\");created=1618884480;keyid=\"test-key-rsa\";"
      "alg=\"rsa-v1_5-sha256\";expires=1618884540");
  ASSERT_TRUE(dict.ok()) << dict.status().ToString();
  ASSERT_EQ(dict->size(), 2u);
  EXPECT_EQ((*dict)[0].first, "sig1");
  EXPECT_EQ((*dict)[1].first, "proxy_sig");
  const SfMember& proxy = (*dict)[1].second;
  ASSERT_TRUE(proxy.is_inner_list);
  ASSERT_EQ(proxy.inner_list.items.size(), 7u);
  EXPECT_EQ(proxy.inner_list.items[6].value.text, "forwarded");
  EXPECT_EQ(FindSfParameter(proxy.inner_list.params, "expires")->integer, 1618884540);
  EXPECT_EQ(FindSfParameter(proxy.inner_list.params, "alg")->text, "rsa-v1_5-sha256");
  EXPECT_EQ(SerializeSfInnerList(proxy.inner_list),
            "(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-type\" "
            "\"content-length\" \"forwarded\");created=1618884480;keyid=\"test-key-rsa\";"
            "alg=\"rsa-v1_5-sha256\";expires=1618884540");
}

TEST(StructuredFields, ParsesEveryBareItemType) {
  auto dict = ParseSfDictionary(
      "a=1, b=-42, c=3.14, d=\"q\\\"s\\\\\", e=tok/en:x, f=:aGVsbG8=:, g=?0, h, i;p=1;q, j=()");
  ASSERT_TRUE(dict.ok()) << dict.status().ToString();
  auto item = [&](const char* key) { return FindSfMember(*dict, key)->item.value; };
  EXPECT_EQ(item("a").integer, 1);
  EXPECT_EQ(item("b").integer, -42);
  EXPECT_EQ(item("c").type, SfBareItem::Type::kDecimal);
  EXPECT_EQ(SerializeSfBareItem(item("c")), "3.14");
  EXPECT_EQ(item("d").text, "q\"s\\");
  EXPECT_EQ(SerializeSfBareItem(item("d")), "\"q\\\"s\\\\\"");
  EXPECT_EQ(item("e").type, SfBareItem::Type::kToken);
  EXPECT_EQ(item("e").text, "tok/en:x");
  EXPECT_EQ(item("f").text, "hello");
  EXPECT_EQ(SerializeSfBareItem(item("f")), ":aGVsbG8=:");
  EXPECT_FALSE(item("g").boolean);
  EXPECT_TRUE(item("h").boolean);
  EXPECT_EQ(SerializeSfParameters(FindSfMember(*dict, "i")->item.params), ";p=1;q");
  EXPECT_TRUE(FindSfMember(*dict, "j")->is_inner_list);
  EXPECT_EQ(SerializeSfInnerList(FindSfMember(*dict, "j")->inner_list), "()");
}

TEST(StructuredFields, RepeatedKeyOverwritesInPlace) {
  auto dict = ParseSfDictionary("a=1, b=2, a=3");
  ASSERT_TRUE(dict.ok());
  ASSERT_EQ(dict->size(), 2u);
  EXPECT_EQ((*dict)[0].first, "a");
  EXPECT_EQ((*dict)[0].second.item.value.integer, 3);
}

TEST(StructuredFields, DecimalSerializationIsCanonical) {
  auto dict = ParseSfDictionary("a=1.500, b=-0.1, c=12.0");
  ASSERT_TRUE(dict.ok());
  EXPECT_EQ(SerializeSfBareItem(FindSfMember(*dict, "a")->item.value), "1.5");
  EXPECT_EQ(SerializeSfBareItem(FindSfMember(*dict, "b")->item.value), "-0.1");
  EXPECT_EQ(SerializeSfBareItem(FindSfMember(*dict, "c")->item.value), "12.0");
}

TEST(StructuredFields, ParametersAlone) {
  auto params = ParseSfParameters(";name=\"Pet\"");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(FindSfParameter(*params, "name")->text, "Pet");
  EXPECT_TRUE(ParseSfParameters("")->empty());
  EXPECT_FALSE(ParseSfParameters(";name=\"Pet\"x").ok());
  EXPECT_FALSE(ParseSfParameters("name").ok());
}

TEST(StructuredFields, RejectsMalformedInput) {
  for (const char* bad : {"A=1", "a=", "a=1,", "a=1 b=2", "a=\"unterminated", "a=\"bad\\escape\"",
                          "a=:not base64!:", "a=:abc", "a=(1 2", "a=(1,2)", "a=?2", "a=1234567890123456",
                          "a=1.2345", "a=1234567890123.1", "a=1.", "a=-", "a=@", "a=1;", "a=1;B=2",
                          "a=\"\x01\"", "a=\"\xc3\xa9\"", ",a=1", "a=(\"x\")x"}) {
    EXPECT_FALSE(ParseSfDictionary(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseSfDictionary(std::string(kMaxSfFieldBytes + 1, 'a')).ok());
}

TEST(StructuredFields, RandomMutationsNeverCrash) {
  const std::string seed =
      "sig1=(\"@method\" \"@target-uri\" \"content-digest\";req);created=1618884475;"
      "keyid=\"k\";alg=\"rsa-v1_5-sha256\", s2=:aGVsbG8=:;x=1.5;y=?1, t=tok";
  const std::string alphabet = "()\";=:,? \\*-.1aZ@/\t\x7f\x80";
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    std::string s = seed;
    int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0: s[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: s.erase(pos, 1 + rng() % 4); break;
        default: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    auto dict = ParseSfDictionary(s);
    if (dict.ok()) {
      // Whatever parses re-serializes and parses again to the same serialization.
      for (const auto& [key, member] : *dict) {
        if (!member.is_inner_list) continue;
        std::string once = SerializeSfInnerList(member.inner_list);
        auto again = ParseSfDictionary("k=" + once);
        ASSERT_TRUE(again.ok()) << once;
        EXPECT_EQ(SerializeSfInnerList((*again)[0].second.inner_list), once);
      }
    }
  }
}

}  // namespace
}  // namespace federation
