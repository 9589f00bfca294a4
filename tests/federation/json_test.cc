#include "federation/json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "federation/as2.h"
#include "federation/inspect.h"

namespace federation {
namespace {

rapidjson::Document MustParse(std::string_view text) {
  cs::Result<rapidjson::Document> doc = ParseJson(text);
  EXPECT_TRUE(doc.ok()) << doc.status().message() << " for " << text;
  if (!doc.ok()) return rapidjson::Document();
  return std::move(doc).value();
}

std::string ParseError(std::string_view text, int max_depth = kMaxJsonDepth) {
  cs::Result<rapidjson::Document> doc = ParseJson(text, max_depth);
  EXPECT_FALSE(doc.ok()) << "parsed: " << text;
  if (doc.ok()) return "";
  EXPECT_EQ(doc.status().code(), cs::Status::Code::kInvalidInput);
  return doc.status().message();
}

// BR-27: 100,000 nested arrays are refused by the depth pass, before any DOM exists.
TEST(ParseJsonTest, HundredThousandNestedArraysAreRefusedNotRecursed) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(ParseError(deep), "JSON nesting deeper than 64");
}

// One body must not mean two things: we would read the first "actor", a last-key-wins parser
// (what a group's re-announced raw bytes meet elsewhere) the second.
TEST(ParseJsonTest, DuplicateMemberNamesAreRefusedAtAnyDepth) {
  EXPECT_NE(ParseError(R"({"actor":"https://a.example/m","actor":"https://b.example/bob"})")
                .find("duplicate key \"actor\""),
            std::string::npos);
  EXPECT_NE(
      ParseError(R"({"object":{"id":"x","type":"Note","id":"y"}})").find("duplicate key \"id\""),
      std::string::npos);
  EXPECT_NE(ParseError(R"([1,{"a":[{"b":1,"b":2}]}])").find("duplicate key \"b\""),
            std::string::npos);
  // Escapes decode first: "\u0061" is "a".
  EXPECT_NE(ParseError(R"({"a":1,"\u0061":2})").find("duplicate key"), std::string::npos);
  // The same name in different objects, and siblings in arrays, are fine.
  MustParse(R"({"a":{"a":1},"b":[{"a":1},{"a":2}],"c":{"b":{"a":1}}})");
  // Deep but within the limit: still iterative.
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "{\"k\":";
  deep += "1" + std::string(60, '}');
  MustParse(deep);
}

TEST(ParseJsonTest, UnterminatedDeepBodyFromBr27IsTooDeep) {
  // `{"a":[[[[...` with no closing brackets, 200 KiB.
  std::string body = "{\"a\":" + std::string(200 * 1024, '[');
  EXPECT_EQ(ParseError(body), "JSON nesting deeper than 64");
}

TEST(ParseJsonTest, DeepObjectsAreRefusedToo) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 5000; ++i) deep += "}";
  EXPECT_EQ(ParseError(deep), "JSON nesting deeper than 64");
}

TEST(ParseJsonTest, DepthLimitIsExact) {
  std::string at_limit = std::string(64, '[') + std::string(64, ']');
  std::string over = std::string(65, '[') + std::string(65, ']');
  EXPECT_TRUE(ParseJson(at_limit).ok());
  EXPECT_EQ(ParseError(over), "JSON nesting deeper than 64");
  EXPECT_EQ(ParseError("[[[1]]]", 2), "JSON nesting deeper than 2");
  EXPECT_TRUE(ParseJson("[[1]]", 2).ok());
}

TEST(ParseJsonTest, MalformedInputGivesOffsetAndReason) {
  EXPECT_EQ(ParseError(""), "malformed JSON at offset 0: The document is empty.");
  EXPECT_EQ(ParseError("{\"id\": }"), "malformed JSON at offset 7: Invalid value.");
  EXPECT_EQ(ParseError("{\"a\":1"),
            "malformed JSON at offset 6: Missing a comma or '}' after an object member.");
  EXPECT_EQ(ParseError("{} x"),
            "malformed JSON at offset 3: The document root must not be followed by other values.");
  EXPECT_EQ(ParseError(std::string_view("{\"a\":1}\0junk", 12)),
            "malformed JSON at offset 7: NUL byte in JSON text");
  EXPECT_EQ(ParseError("[1e400]"), "malformed JSON at offset 1: Number too big to be stored in double.");
  EXPECT_EQ(ParseError("[NaN]"), "malformed JSON at offset 1: Invalid value.");
  EXPECT_EQ(ParseError("{'a':1}"), "malformed JSON at offset 1: Missing a name for object member.");
}

TEST(ParseJsonTest, InvalidUtf8IsRefused) {
  std::string msg = ParseError("{\"name\":\"\xff\xfe\"}");
  EXPECT_EQ(msg.rfind("malformed JSON at offset ", 0), 0u) << msg;
  EXPECT_NE(msg.find("Invalid encoding in string."), std::string::npos) << msg;
  EXPECT_NE(ParseError("{\"a\":\"\xc0\xaf\"}"), "");    // overlong '/'
  EXPECT_NE(ParseError("{\"a\":\"\xed\xa0\x80\"}"), "");  // UTF-8 encoded surrogate
  EXPECT_NE(ParseError("{\"a\":\"\\ud800\"}"), "");       // lone high surrogate escape
  // A lone low surrogate escape would decode to bytes that are not UTF-8 (RapidJSON 1.1 lets it
  // through); keys are checked too.
  EXPECT_EQ(ParseError("[\"\\udc00\"]"),
            "malformed JSON at offset 9: string is not valid Unicode (lone surrogate escape)");
  EXPECT_NE(ParseError("{\"\\udfff\":1}"), "");
}

TEST(ParseJsonTest, ValidUnicodeAndEscapesRoundTrip) {
  rapidjson::Document doc = MustParse(R"({"a":"caf\u00e9 \ud83d\ude00 \u0000 \"q\"","b":[1,2.5,true,null]})");
  EXPECT_EQ(ReadString(doc, "a"), std::string("caf\xc3\xa9 \xf0\x9f\x98\x80 \0 \"q\"", 16));
  EXPECT_EQ(Serialize(doc), R"({"a":"café 😀 \u0000 \"q\"","b":[1,2.5,true,null]})");
}

TEST(ParseJsonTest, LargeValidDocumentParses) {
  std::string content(900 * 1024, 'x');
  std::string body = R"({"type":"Note","content":")" + content + "\"}";
  rapidjson::Document doc = MustParse(body);
  EXPECT_EQ(ReadString(doc, "content")->size(), content.size());
}

TEST(ReadersTest, ReadStringAndBoolCheckTypes) {
  rapidjson::Document doc =
      MustParse(R"({"s":"x","n":5,"b":true,"z":null,"a":["x"],"o":{"id":"x"},"e":""})");
  EXPECT_EQ(ReadString(doc, "s"), "x");
  EXPECT_EQ(ReadString(doc, "e"), "");
  EXPECT_EQ(ReadString(doc, "n"), std::nullopt);
  EXPECT_EQ(ReadString(doc, "b"), std::nullopt);
  EXPECT_EQ(ReadString(doc, "z"), std::nullopt);
  EXPECT_EQ(ReadString(doc, "a"), std::nullopt);
  EXPECT_EQ(ReadString(doc, "o"), std::nullopt);
  EXPECT_EQ(ReadString(doc, "missing"), std::nullopt);
  EXPECT_EQ(ReadBool(doc, "b"), true);
  EXPECT_EQ(ReadBool(doc, "s"), std::nullopt);
  EXPECT_EQ(ReadBool(doc, "n"), std::nullopt);
  EXPECT_EQ(ReadBool(doc, "z"), std::nullopt);
  EXPECT_EQ(ReadInt(doc, "n"), 5);
  EXPECT_EQ(ReadInt(doc, "s"), std::nullopt);
  // Readers on something that is not an object.
  rapidjson::Document arr = MustParse("[1,2]");
  EXPECT_EQ(ReadString(arr, "s"), std::nullopt);
  EXPECT_EQ(ReadBool(arr, "b"), std::nullopt);
  EXPECT_EQ(Member(arr, "s"), nullptr);
  EXPECT_TRUE(ReadIds(arr, "to").empty());
}

TEST(ReadersTest, ReadIntRefusesFractionsAndHugeNumbers) {
  rapidjson::Document doc = MustParse(
      R"({"f":3.5,"big":1e300,"huge":123456789012345678901234567890,"neg":-7,"max":9223372036854775807})");
  EXPECT_EQ(ReadInt(doc, "f"), std::nullopt);
  EXPECT_EQ(ReadInt(doc, "big"), std::nullopt);
  EXPECT_EQ(ReadInt(doc, "huge"), std::nullopt);
  EXPECT_EQ(ReadInt(doc, "neg"), -7);
  EXPECT_EQ(ReadInt(doc, "max"), INT64_MAX);
}

TEST(ReadersTest, ReadIdAcceptsStringObjectIdAndLinkHref) {
  rapidjson::Document doc = MustParse(R"([
    "https://a.example/1",
    {"id":"https://a.example/2","type":"Note"},
    {"type":"Link","href":"https://a.example/3"},
    {"id":"","href":"https://a.example/4"},
    {"id":5},
    "",
    null,
    7,
    ["https://a.example/5"]
  ])");
  std::vector<std::optional<std::string>> got;
  for (const rapidjson::Value& v : doc.GetArray()) got.push_back(ReadId(v));
  std::vector<std::optional<std::string>> want = {
      "https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4",
      std::nullopt,          std::nullopt,          std::nullopt,          std::nullopt,
      std::nullopt};
  EXPECT_EQ(got, want);
}

TEST(ReadersTest, ReadIdsIsOneOrMany) {
  rapidjson::Document doc = MustParse(R"({
    "scalar":"https://a.example/1",
    "object":{"id":"https://a.example/2"},
    "mixed":["https://a.example/3",{"id":"https://a.example/4"},5,null,[["https://a.example/6"]],{"href":"https://a.example/7"}],
    "null":null,
    "number":12,
    "empty":[]
  })");
  EXPECT_EQ(ReadIds(doc, "scalar"), std::vector<std::string>{"https://a.example/1"});
  EXPECT_EQ(ReadIds(doc, "object"), std::vector<std::string>{"https://a.example/2"});
  EXPECT_EQ(ReadIds(doc, "mixed"),
            (std::vector<std::string>{"https://a.example/3", "https://a.example/4",
                                      "https://a.example/7"}));
  EXPECT_TRUE(ReadIds(doc, "null").empty());
  EXPECT_TRUE(ReadIds(doc, "number").empty());
  EXPECT_TRUE(ReadIds(doc, "empty").empty());
  EXPECT_TRUE(ReadIds(doc, "missing").empty());
  EXPECT_EQ(ReadFirstId(doc, "mixed"), "https://a.example/3");
  EXPECT_EQ(ReadFirstId(doc, "missing"), "");
}

TEST(ReadersTest, NormalizeAudienceKnowsTheThreeSpellingsOfPublic) {
  EXPECT_EQ(NormalizeAudience("https://www.w3.org/ns/activitystreams#Public"), kPublic);
  EXPECT_EQ(NormalizeAudience("as:Public"), kPublic);
  EXPECT_EQ(NormalizeAudience("Public"), kPublic);
  EXPECT_EQ(NormalizeAudience("https://a.example/users/x/followers"),
            "https://a.example/users/x/followers");
  EXPECT_EQ(NormalizeAudience("public"), "public");  // AS2 terms are case-sensitive
}

TEST(ReadersTest, IsHttpUrl) {
  for (const char* ok : {"https://a.example/x", "http://lemmy-alpha:8541/u/x", "HTTPS://A.EXAMPLE",
                         "https://[::1]:8443/x", "https://a.example?x=1", "https://a.example#k",
                         "https://xn--bcher-kva.example/", "https://b\xc3\xbc" "cher.example/"}) {
    EXPECT_TRUE(IsHttpUrl(ok)) << ok;
  }
  for (const char* bad : {"", "/users/x", "ftp://a.example/x", "javascript:alert(1)", "https://",
                          "https:///x", "https://user:pass@a.example/x", "https://a.example:/x",
                          "https://a.example:80a/x", "https://a.example/x y", "https://a.example/\t",
                          "https://a.example/<script>", "https://a.example/\"", "as:Public",
                          "https://[::1/x", "https://a.example:123456/", "tag:a.example,2021:x",
                          "urn:uuid:1234"}) {
    EXPECT_FALSE(IsHttpUrl(bad)) << bad;
  }
  EXPECT_FALSE(IsHttpUrl("https://a.example/" + std::string(kMaxUrlLength, 'a')));
}

// Hostile shapes: every reader and parser answers (value or refusal), never asserts or crashes.
TEST(ReadersTest, HostileShapesNeverCrashAnyReader) {
  const std::vector<std::string> hostile = {
      "null", "true", "0", "-1", "1e308", "123456789012345678901234567890", "\"str\"", "[]", "{}",
      "[[[[[]]]]]",
      R"({"id":5,"type":7,"actor":[[["x"]]],"object":{"id":[1]},"to":[[["a"]]],"cc":{"id":{}}})",
      R"({"id":null,"type":null,"actor":null,"object":null,"to":null,"inbox":null})",
      R"({"id":"https://a.example/1","type":"Create","actor":{"id":9},"object":[[],{}],"to":5})",
      R"({"id":"https://a.example/1","type":["Create","Note"],"actor":"https://a.example/u"})",
      R"({"id":"https://a.example/1","type":"Person","inbox":{"id":{"id":"x"}},"publicKey":[1,null,"k",{"id":2}],"icon":[[{"url":[{"href":5}]}]],"url":{"href":["x"]},"endpoints":"x"})",
      R"({"id":"https://a.example/1","type":"Note","attributedTo":[null,1,[],{"type":"Person"}],"content":7,"contentMap":[1],"tag":[1,"x",{"type":5,"icon":[[[[[{"url":"https://x.example"}]]]]]}],"attachment":{"url":{"url":{"url":{"url":{"url":{"url":"https://x.example"}}}}}},"source":7,"sensitive":"yes"})",
      R"({"type":"Announce","id":"https://a.example/1","actor":"https://a.example/u","object":{"type":"Announce","actor":"https://a.example/u","object":{"type":"Announce","actor":"https://a.example/u","object":{"type":"Announce","actor":"https://a.example/u","object":{"type":"Announce","actor":"https://a.example/u","object":{"type":"Announce","actor":"https://a.example/u","object":"https://a.example/n"}}}}}})",
  };
  for (const std::string& text : hostile) {
    rapidjson::Document doc = MustParse(text);
    for (const char* key : {"id", "type", "actor", "object", "to", "cc", "inbox", "missing"}) {
      (void)ReadString(doc, key);
      (void)ReadBool(doc, key);
      (void)ReadInt(doc, key);
      (void)ReadIds(doc, key);
      (void)ReadFirstId(doc, key);
      if (const rapidjson::Value* m = Member(doc, key)) (void)ReadId(*m);
    }
    (void)ReadId(doc);
    (void)Serialize(doc);
    (void)ParseActor(doc);
    (void)ParseObject(doc);
    (void)ParseActivity(doc);
    Inspection in = Inspect(text);
    if (in.verdict == Inspection::Verdict::kRefused) {
      EXPECT_FALSE(in.reason.empty()) << text;
    }
  }
}

}  // namespace
}  // namespace federation
