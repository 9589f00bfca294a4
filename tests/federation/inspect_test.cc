#include "federation/inspect.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "federation/inspect_text.h"
#include "federation/json.h"
#include "tests/test_util.h"

namespace federation {
namespace {

using V = Inspection::Verdict;
using Strings = std::vector<std::string>;

Inspection InspectCase(const std::string& name) {
  return Inspect(testutil::ReadFile(testutil::Fixture("cases/" + name)));
}

TEST(InspectTest, RefusesWhatCannotBeRead) {
  struct Case {
    std::string body;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"", "malformed JSON at offset 0: The document is empty."},
      {"\x89PNG\r\n\x1a\n", "malformed JSON at offset 0: Invalid value."},
      {std::string(100000, '[') + std::string(100000, ']'), "JSON nesting deeper than 64"},
      {"[1,2]", "document is not a JSON object"},
      {"\"Create\"", "document is not a JSON object"},
      {"{}", "document has no type"},
      {R"({"type":["Create"]})", "type is not a string"},
      {R"({"type":""})", "document has an empty type"},
      {R"({"type":"Create","actor":"https://b.example/u/1","object":"https://b.example/n/1"})",
       "Create has no id"},
      {R"({"type":"Person","id":"https://b.example/u/1"})", "Person has no inbox (absolute http(s) URL)"},
      {R"j({"type":"Note","id":"javascript:alert(1)"})j", "Note id is not an absolute http(s) URL"},
      {R"({"type":"OrderedCollection","orderedItems":[]})", "OrderedCollection has no id"},
      {std::string(kMaxInspectBytes + 1, ' '), "document larger than 8388608 bytes"},
  };
  for (const Case& c : cases) {
    Inspection in = Inspect(c.body);
    EXPECT_EQ(in.verdict, V::kRefused) << c.body.substr(0, 60);
    EXPECT_EQ(in.reason, c.reason) << c.body.substr(0, 60);
  }
}

TEST(InspectTest, IgnoredTypesAreWellFormedButNotActedOn) {
  struct Case {
    const char* body;
    const char* chain;
    const char* reason;
  };
  const Case cases[] = {
      {R"({"id":"https://b.example/a/1","type":"Dislike","actor":"https://b.example/u/1","object":"https://a.example/n/1"})",
       "Dislike", "the node does not handle Dislike activities"},
      {R"({"id":"https://b.example/a/1","type":"Lock","actor":"https://b.example/u/1","object":"https://a.example/n/1"})",
       "Lock", "the node does not handle Lock activities"},
      {R"({"id":"https://b.example/a/1","type":"Undo","actor":"https://b.example/u/1",
           "object":{"id":"https://b.example/a/0","type":"Block","actor":"https://b.example/u/1","object":"https://a.example/u/2"}})",
       "Undo(Block)", "Undo of Block is not handled"},
      {R"({"id":"https://b.example/a/1","type":"Announce","actor":"https://b.example/c/1",
           "object":{"id":"https://b.example/a/0","type":"Dislike","actor":"https://b.example/u/1","object":"https://a.example/n/1"}})",
       "Announce(Dislike)", "Announce of Dislike: the node does not handle Dislike activities"},
      {R"({"id":"https://b.example/a/1","type":"Create","actor":"https://b.example/u/1",
           "object":{"id":"https://b.example/e/1","type":"Event","name":"Open day"}})",
       "Create(Event)", "Create of Event is not handled"},
      {R"({"id":"https://b.example/v/1","type":"Video","name":"x"})", "Video",
       "the node does not handle Video objects"},
      {R"({"id":"https://b.example/q/1","type":"Question","oneOf":[]})", "Question",
       "the node does not handle Question objects"},
  };
  for (const Case& c : cases) {
    Inspection in = Inspect(c.body);
    EXPECT_EQ(in.verdict, V::kIgnored) << c.body;
    EXPECT_EQ(in.type_chain, c.chain) << c.body;
    EXPECT_EQ(in.reason, c.reason) << c.body;
  }
}

TEST(InspectTest, Br09ScalarAddressing) {
  Inspection in = InspectCase("br09_scalar_to.json");
  EXPECT_EQ(in.verdict, V::kUnderstood) << in.reason;
  EXPECT_EQ(in.kind, "activity");
  EXPECT_EQ(in.type_chain, "Create(Note)");
  EXPECT_EQ(in.to, Strings{kPublic});
  EXPECT_EQ(in.cc, Strings{"https://node-b.example.net/users/teacher2/followers"});
  EXPECT_TRUE(in.is_public);
  EXPECT_EQ(in.Field("object_to"), kPublic);
  EXPECT_EQ(in.Field("content"), "hi");
  EXPECT_EQ(in.Field("attributed_to"), "https://node-b.example.net/users/teacher2");
}

TEST(InspectTest, Br10ActorAndVideo) {
  Inspection actor = InspectCase("br10_group_actor.json");
  EXPECT_EQ(actor.verdict, V::kUnderstood);
  EXPECT_EQ(actor.kind, "actor");
  EXPECT_EQ(actor.Field("url"), "https://node-b.example.net/c/physics/videos");
  EXPECT_EQ(actor.Field("icon"), "https://node-b.example.net/img/a.png");
  EXPECT_EQ(actor.Field("shared_inbox"), "https://node-b.example.net/inbox");
  EXPECT_EQ(actor.Field("key_owner"), "https://node-b.example.net/c/physics");
  Inspection video = InspectCase("br10_video.json");
  EXPECT_EQ(video.verdict, V::kIgnored);
  EXPECT_EQ(video.Field("attributed_to"), "https://node-b.example.net/u/teacher2");
  EXPECT_EQ(video.Field("attachment_url"), "https://node-b.example.net/img/c.png");
}

TEST(InspectTest, Br12Br17Br24Shapes) {
  Inspection announce = InspectCase("br12_announce_id.json");
  EXPECT_EQ(announce.verdict, V::kUnderstood);
  EXPECT_EQ(announce.type_chain, "Announce");
  EXPECT_EQ(announce.object_id, "https://node-c.example.com/notes/77");
  EXPECT_EQ(announce.object_type, "");

  Inspection group = InspectCase("br17_announce_create.json");
  EXPECT_EQ(group.verdict, V::kUnderstood);
  EXPECT_EQ(group.type_chain, "Announce(Create(Note))");
  EXPECT_EQ(group.object_type, "Create");
  EXPECT_EQ(group.Field("inner_actor"), "https://node-b.example.net/users/teacher2");
  EXPECT_EQ(group.Field("inner_object_id"), "https://node-b.example.net/comments/3");
  EXPECT_EQ(group.Field("in_reply_to"), "https://node-a.example.org/post/1");
  EXPECT_EQ(group.Field("audience"), "https://node-a.example.org/c/maths");

  Inspection del = InspectCase("br24_delete_actor.json");
  EXPECT_EQ(del.verdict, V::kUnderstood);
  EXPECT_EQ(del.object_id, del.actor);
  Inspection tomb = InspectCase("br24_tombstone.json");
  EXPECT_EQ(tomb.verdict, V::kUnderstood);
  EXPECT_EQ(tomb.kind, "object");
  EXPECT_EQ(tomb.type, "Tombstone");
}

TEST(InspectTest, Br19MergedAudienceNamesTheGroup) {
  for (const char* name : {"br19_1_group_in_both_cc.json", "br19_2_group_only_in_note_cc.json",
                           "br19_3_group_only_in_audience.json"}) {
    Inspection in = InspectCase(name);
    EXPECT_EQ(in.verdict, V::kUnderstood) << name;
    EXPECT_EQ(in.Field("merged_audience"), std::string(kPublic) + " https://node-a.example.org/c/maths")
        << name;
    EXPECT_EQ(in.Field("content"), "Worksheet on fractions Link inside...") << name;
  }
}

TEST(InspectTest, TextOutputFormat) {
  Inspection in = Inspect(R"({"id":"https://b.example/a/1","type":"Create","actor":"https://b.example/u/1",
      "to":"as:Public","object":{"id":"https://b.example/n/1","type":"Note","attributedTo":"https://b.example/u/1",
      "inReplyTo":"https://a.example/n/0","content":"<p>Hi &amp; welcome</p>"}})");
  EXPECT_EQ(InspectionToText(in),
            "understood: Create(Note) id=https://b.example/a/1 actor=https://b.example/u/1\n"
            "  kind: activity\n"
            "  object: https://b.example/n/1 (Note)\n"
            "  to: https://www.w3.org/ns/activitystreams#Public\n"
            "  public: yes\n"
            "  attributed_to: https://b.example/u/1\n"
            "  in_reply_to: https://a.example/n/0\n"
            "  content: Hi & welcome\n"
            "  merged_audience: https://www.w3.org/ns/activitystreams#Public\n");
  EXPECT_EQ(InspectionToText(Inspect("{")),
            "refused: malformed JSON at offset 1: Missing a name for object member.\n");
  Inspection ignored = Inspect(
      R"({"id":"https://b.example/a/1","type":"Dislike","actor":"https://b.example/u/1","object":"https://a.example/n/1"})");
  EXPECT_EQ(InspectionToText(ignored),
            "understood (ignored): Dislike id=https://b.example/a/1 actor=https://b.example/u/1\n"
            "  reason: the node does not handle Dislike activities\n"
            "  kind: activity\n"
            "  object: https://a.example/n/1\n"
            "  public: no\n");
}

TEST(InspectTest, TextOutputCannotDriveTheTerminal) {
  Inspection in = Inspect(
      "{\"id\":\"https://e.example/u/x\",\"type\":\"Person\",\"inbox\":\"https://e.example/u/x/inbox\","
      "\"name\":\"\\u001b[2J\\u001b]0;pwned\\u0007 \\u009b31m x\",\"preferredUsername\":\"a\\nb\"}");
  ASSERT_EQ(in.verdict, V::kUnderstood);
  std::string text = InspectionToText(in);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(text.find("preferred_username: a?b\n"), std::string::npos) << text;
}

TEST(InspectTest, JsonOutputIsOneObjectWithSnakeCaseKeys) {
  Inspection in = InspectCase("br17_announce_create.json");
  cs::Result<rapidjson::Document> doc = ParseJson(InspectionToJson(in));
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  const rapidjson::Value& v = *doc;
  EXPECT_EQ(ReadString(v, "verdict"), "understood");
  EXPECT_EQ(ReadString(v, "reason"), "");
  EXPECT_EQ(ReadString(v, "kind"), "activity");
  EXPECT_EQ(ReadString(v, "type"), "Announce");
  EXPECT_EQ(ReadString(v, "type_chain"), "Announce(Create(Note))");
  EXPECT_EQ(ReadString(v, "id"), "https://node-a.example.org/activities/announce/1");
  EXPECT_EQ(ReadString(v, "actor"), "https://node-a.example.org/c/maths");
  EXPECT_EQ(ReadString(v, "object_id"), "https://node-b.example.net/activities/create/3");
  EXPECT_EQ(ReadString(v, "object_type"), "Create");
  EXPECT_EQ(ReadIds(v, "to"), Strings{kPublic});
  EXPECT_EQ(ReadIds(v, "cc"), Strings{"https://node-a.example.org/c/maths/followers"});
  EXPECT_EQ(ReadBool(v, "is_public"), true);
  const rapidjson::Value* fields = Member(v, "fields");
  ASSERT_NE(fields, nullptr);
  EXPECT_EQ(ReadString(*fields, "in_reply_to"), "https://node-a.example.org/post/1");

  cs::Result<rapidjson::Document> refused = ParseJson(InspectionToJson(Inspect("nope")));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(ReadString(*refused, "verdict"), "refused");
  EXPECT_EQ(ReadString(*refused, "reason"), "malformed JSON at offset 1: Invalid value.");
  EXPECT_EQ(ReadBool(*refused, "is_public"), false);
}

TEST(InspectTextTest, HtmlPreview) {
  EXPECT_EQ(HtmlPreview("<p>Hello <b>world</b></p><p>again</p>"), "Hello world again");
  EXPECT_EQ(HtmlPreview("a<br>b<br/>c"), "a b c");
  EXPECT_EQ(HtmlPreview("<span>@</span><span>bob</span>"), "@bob");
  EXPECT_EQ(HtmlPreview("&lt;script&gt; &amp;amp; &#233; &#x1F600; &bogus; & x"),
            "<script> &amp; \xc3\xa9 \xf0\x9f\x98\x80 &bogus; & x");
  EXPECT_EQ(HtmlPreview("&#0; &#xD800; &#9999999; &#99999999999;"),
            "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd &#99999999999;");  // too long: kept
  EXPECT_EQ(HtmlPreview("  many \n\t spaces  "), "many spaces");
  EXPECT_EQ(HtmlPreview("text <unterminated"), "text");
  EXPECT_EQ(HtmlPreview("a\x01\x1b[31mb"), "a[31mb");
  // 80 code points, never a cut UTF-8 sequence, no trailing space at the cut.
  std::string cyrillic;
  for (int i = 0; i < 100; ++i) cyrillic += "\xd0\x96";  // Ж
  EXPECT_EQ(HtmlPreview(cyrillic).size(), 160u);
  EXPECT_EQ(HtmlPreview(std::string(79, 'a') + " b"), std::string(79, 'a'));
  EXPECT_EQ(HtmlPreview("abcdef", 3), "abc");
  // Linear in the input: a megabyte of '&' or '<' (no ';' or '>' after them) is cheap.
  EXPECT_EQ(HtmlPreview(std::string(1 << 20, '&')), std::string(80, '&'));
  EXPECT_EQ(HtmlPreview("x" + std::string(1 << 20, '<')), "x");
}

// Mutated real documents: whatever the bytes, a verdict and, when refused, a reason.
TEST(InspectTest, MutatedCorpusDocumentsNeverCrash) {
  const std::vector<std::string> sources = {
      "activitypub/mastodon/activities/create_note.json",
      "activitypub/lemmy/activities/announce_create_page.json",
      "activitypub/peertube/objects/video.json",
      "activitypub/wordpress/activities/announce.json",
      "activitypub/gnusocial/objects/group.json",
  };
  std::mt19937 rng(20240613);  // fixed seed: the test is deterministic
  const std::string alphabet = std::string("{}[]\":,0-9eE.tfnul\\ ") + '\0' + "\xff\xc3";
  int understood = 0;
  for (const std::string& source : sources) {
    const std::string original = testutil::ReadFile(testutil::Fixture(source));
    ASSERT_FALSE(original.empty());
    for (int round = 0; round < 300; ++round) {
      std::string body = original;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !body.empty(); ++e) {
        size_t at = rng() % body.size();
        switch (rng() % 4) {
          case 0: body[at] = alphabet[rng() % alphabet.size()]; break;
          case 1: body.erase(at, 1 + rng() % 16); break;
          case 2: body.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
          case 3: body.resize(at); break;
        }
      }
      Inspection in = Inspect(body);
      if (in.verdict == V::kRefused) {
        EXPECT_FALSE(in.reason.empty());
      } else {
        ++understood;
      }
      (void)InspectionToText(in);
      EXPECT_TRUE(ParseJson(InspectionToJson(in)).ok());
    }
  }
  EXPECT_GT(understood, 0);  // some edits land in strings and leave the document usable
}

}  // namespace
}  // namespace federation
