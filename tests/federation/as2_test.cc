#include "federation/as2.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/test_util.h"

namespace federation {
namespace {

using Strings = std::vector<std::string>;

rapidjson::Document Doc(std::string_view text) {
  cs::Result<rapidjson::Document> doc = ParseJson(text);
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  if (!doc.ok()) return rapidjson::Document();
  return std::move(doc).value();
}

rapidjson::Document CaseDoc(const std::string& name) {
  return Doc(testutil::ReadFile(testutil::Fixture("cases/" + name)));
}

ActivityDoc MustActivity(const rapidjson::Value& doc) {
  cs::Result<ActivityDoc> a = ParseActivity(doc);
  EXPECT_TRUE(a.ok()) << a.status().message();
  return a.ok() ? std::move(a).value() : ActivityDoc();
}

ObjectDoc MustObject(const rapidjson::Value& doc) {
  cs::Result<ObjectDoc> o = ParseObject(doc);
  EXPECT_TRUE(o.ok()) << o.status().message();
  return o.ok() ? std::move(o).value() : ObjectDoc();
}

ActorDoc MustActor(const rapidjson::Value& doc) {
  cs::Result<ActorDoc> a = ParseActor(doc);
  EXPECT_TRUE(a.ok()) << a.status().message();
  return a.ok() ? std::move(a).value() : ActorDoc();
}

std::string ActivityError(std::string_view text) {
  rapidjson::Document doc = Doc(text);
  cs::Result<ActivityDoc> a = ParseActivity(doc);
  EXPECT_FALSE(a.ok()) << text;
  if (a.ok()) return "";
  EXPECT_EQ(a.status().code(), cs::Status::Code::kInvalidInput);
  return a.status().message();
}

// ---- BR-09: to/cc as single strings, compact as:Public ----

TEST(As2Br09Test, ScalarToAndCcAndCompactPublic) {
  rapidjson::Document doc = CaseDoc("br09_scalar_to.json");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.type, "Create");
  EXPECT_EQ(a.to, Strings{kPublic});
  EXPECT_EQ(a.cc, Strings{"https://node-b.example.net/users/teacher2/followers"});
  EXPECT_TRUE(a.IsPublic());
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->to, Strings{kPublic});  // "as:Public"
  EXPECT_TRUE(a.object->cc.empty());
  EXPECT_TRUE(a.object->IsPublic());
  EXPECT_EQ(a.object->content_html, "<p>hi</p>");
}

TEST(As2Br09Test, PublicSpellingsAreOneCollectionAndDeduplicated) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/n/1","type":"Note",
      "to":["Public","as:Public","https://www.w3.org/ns/activitystreams#Public"],
      "cc":["https://b.example/u/x/followers","https://b.example/u/x/followers",{"id":"https://b.example/u/y"},"not a url",5]})");
  ObjectDoc o = MustObject(doc);
  EXPECT_EQ(o.to, Strings{kPublic});
  EXPECT_EQ(o.cc, (Strings{"https://b.example/u/x/followers", "https://b.example/u/y"}));
  EXPECT_TRUE(o.IsPublic());
}

TEST(As2Br09Test, MissingAddressingIsEmptyAndNotPublic) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/n/1","type":"Note","content":"x"})");
  ObjectDoc o = MustObject(doc);
  EXPECT_TRUE(o.to.empty());
  EXPECT_TRUE(o.cc.empty());
  EXPECT_FALSE(o.IsPublic());
  rapidjson::Document follow = Doc(R"({"id":"https://b.example/a/1","type":"Follow",
      "actor":"https://b.example/u/x","object":"https://a.example/u/y","to":null})");
  ActivityDoc a = MustActivity(follow);
  EXPECT_TRUE(a.to.empty());
  EXPECT_FALSE(a.IsPublic());
}

TEST(As2Br09Test, PublicOnlyInBccIsNotPublic) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/n/1","type":"Note","bto":"as:Public","bcc":["Public"]})");
  ObjectDoc o = MustObject(doc);
  EXPECT_EQ(o.bto, Strings{kPublic});
  EXPECT_EQ(o.bcc, Strings{kPublic});
  EXPECT_FALSE(o.IsPublic());
}

// ---- BR-10: url, icon, attachment url, attributedTo, sharedInbox shapes ----

TEST(As2Br10Test, GroupActorWithArrayUrlAndIcons) {
  rapidjson::Document doc = CaseDoc("br10_group_actor.json");
  ActorDoc g = MustActor(doc);
  EXPECT_EQ(g.id, "https://node-b.example.net/c/physics");
  EXPECT_EQ(g.type, "Group");
  EXPECT_EQ(g.preferred_username, "physics");
  EXPECT_EQ(g.inbox, "https://node-b.example.net/c/physics/inbox");
  EXPECT_EQ(g.shared_inbox, "https://node-b.example.net/inbox");
  EXPECT_EQ(g.url, "https://node-b.example.net/c/physics/videos");  // first text/html href
  EXPECT_EQ(g.icon, "https://node-b.example.net/img/a.png");
  ASSERT_EQ(g.keys.size(), 1u);
  EXPECT_EQ(g.keys[0].id, "https://node-b.example.net/c/physics#main-key");
  EXPECT_EQ(g.keys[0].owner, "https://node-b.example.net/c/physics");
  EXPECT_EQ(g.keys[0].pem, "...");
}

TEST(As2Br10Test, IconShapes) {
  struct Case {
    const char* icon;
    const char* want;
  };
  const Case cases[] = {
      {R"("https://b.example/i/1.png")", "https://b.example/i/1.png"},
      {R"({"type":"Image","url":"https://b.example/i/2.png"})", "https://b.example/i/2.png"},
      {R"({"type":"Image","url":{"type":"Link","href":"https://b.example/i/3.png"}})",
       "https://b.example/i/3.png"},
      {R"({"type":"Image","url":[{"type":"Link","href":"https://b.example/i/4.png"}]})",
       "https://b.example/i/4.png"},
      {R"({"type":"Link","href":"https://b.example/i/5.png"})", "https://b.example/i/5.png"},
      // Bridgy Fed arrays; the first usable entry wins, unusable ones are skipped.
      {R"([{"type":"Image"},{"type":"Image","url":{"type":"Link","href":"https://b.example/i/6.png"}}])",
       "https://b.example/i/6.png"},
      {R"j([{"type":"Image","url":"javascript:alert(1)"},"https://b.example/i/7.png"])j",
       "https://b.example/i/7.png"},
      {R"({"type":"Image","url":"data:image/png;base64,AAAA"})", ""},
      {R"(42)", ""},
      {R"(null)", ""},
  };
  for (const Case& c : cases) {
    std::string text = std::string(R"({"id":"https://b.example/u/x","type":"Person",)"
                                   R"("inbox":"https://b.example/u/x/inbox","icon":)") +
                       c.icon + "}";
    rapidjson::Document doc = Doc(text);
    EXPECT_EQ(MustActor(doc).icon, c.want) << c.icon;
  }
}

TEST(As2Br10Test, ProfileUrlShapes) {
  struct Case {
    const char* url;
    const char* want;
  };
  const Case cases[] = {
      {R"("https://b.example/@x")", "https://b.example/@x"},
      {R"({"type":"Link","href":"https://b.example/@x"})", "https://b.example/@x"},
      {R"({"type":"Link","mediaType":"text/html; charset=utf-8","href":"https://b.example/@x"})",
       "https://b.example/@x"},
      {R"([{"type":"Link","mediaType":"application/x-mpegURL","href":"https://b.example/x.m3u8"},
           {"type":"Link","mediaType":"text/html","href":"https://b.example/@x"}])",
       "https://b.example/@x"},
      {R"(["https://b.example/@x","https://b.example/@y"])", "https://b.example/@x"},
      {R"({"type":"Link","mediaType":"application/x-bittorrent","href":"https://b.example/x.torrent"})", ""},
      {R"j("javascript:alert(1)")j", ""},
      {R"([[["https://b.example/@x"]]])", ""},
  };
  for (const Case& c : cases) {
    std::string text = std::string(R"({"id":"https://b.example/u/x","type":"Person",)"
                                   R"("inbox":"https://b.example/u/x/inbox","url":)") +
                       c.url + "}";
    rapidjson::Document doc = Doc(text);
    EXPECT_EQ(MustActor(doc).url, c.want) << c.url;
  }
}

TEST(As2Br10Test, SharedInboxFromEndpointsElseTopLevel) {
  rapidjson::Document both = Doc(R"({"id":"https://b.example/u/x","type":"Person","inbox":"https://b.example/u/x/inbox",
      "endpoints":{"sharedInbox":"https://b.example/inbox"},"sharedInbox":"https://b.example/other"})");
  EXPECT_EQ(MustActor(both).shared_inbox, "https://b.example/inbox");
  rapidjson::Document top = Doc(R"({"id":"https://b.example/u/x","type":"Person","inbox":"https://b.example/u/x/inbox",
      "sharedInbox":"https://b.example/ap/users/inbox"})");
  EXPECT_EQ(MustActor(top).shared_inbox, "https://b.example/ap/users/inbox");
  rapidjson::Document bad = Doc(R"({"id":"https://b.example/u/x","type":"Person","inbox":"https://b.example/u/x/inbox",
      "endpoints":{"sharedInbox":7},"sharedInbox":"https://b.example/fallback"})");
  EXPECT_EQ(MustActor(bad).shared_inbox, "https://b.example/fallback");
  rapidjson::Document none = Doc(R"({"id":"https://b.example/u/x","type":"Person","inbox":"https://b.example/u/x/inbox","endpoints":[]})");
  EXPECT_EQ(MustActor(none).shared_inbox, "");
}

TEST(As2Br10Test, VideoAttributedToArrayAndAttachmentLinkUrl) {
  rapidjson::Document doc = CaseDoc("br10_video.json");
  ObjectDoc v = MustObject(doc);
  EXPECT_EQ(v.type, "Video");
  EXPECT_EQ(v.attributed_to, "https://node-b.example.net/u/teacher2");  // the Person entry
  EXPECT_EQ(v.attributed_to_all,
            (Strings{"https://node-b.example.net/c/physics", "https://node-b.example.net/u/teacher2"}));
  ASSERT_EQ(v.attachments.size(), 1u);
  EXPECT_EQ(v.attachments[0].type, "Image");
  EXPECT_EQ(v.attachments[0].media_type, "image/png");
  EXPECT_EQ(v.attachments[0].url, "https://node-b.example.net/img/c.png");
}

TEST(As2Br10Test, AttributedToShapes) {
  struct Case {
    const char* value;
    const char* want;
  };
  const Case cases[] = {
      {R"("https://b.example/u/1")", "https://b.example/u/1"},
      {R"({"type":"Person","id":"https://b.example/u/2"})", "https://b.example/u/2"},
      {R"(["https://b.example/u/3","https://b.example/c/3"])", "https://b.example/u/3"},
      {R"([{"type":"Group","id":"https://b.example/c/4"},{"type":"Service","id":"https://b.example/s/4"}])",
       "https://b.example/c/4"},
      {R"([{"type":"Person","id":"javascript:x"},{"type":"Group","id":"https://b.example/c/5"}])",
       "https://b.example/c/5"},
      {R"([])", ""},
      {R"(12)", ""},
  };
  for (const Case& c : cases) {
    std::string text =
        std::string(R"({"id":"https://b.example/n/1","type":"Note","attributedTo":)") + c.value + "}";
    rapidjson::Document doc = Doc(text);
    EXPECT_EQ(MustObject(doc).attributed_to, c.want) << c.value;
  }
}

TEST(As2Br10Test, AttachmentShapes) {
  rapidjson::Document doc = Doc(R"j({"id":"https://b.example/n/1","type":"Note","attachment":[
      {"type":"Document","mediaType":"image/jpeg","url":"https://b.example/a/1.jpg","name":"alt text","digestMultibase":"zQm"},
      {"type":"Link","href":"https://b.example/a/2.jpg"},
      {"type":"Image","url":[{"type":"Link","mediaType":"image/png","href":"https://b.example/a/3.png"}]},
      "https://b.example/a/4.png",
      {"type":"PropertyValue","name":"Website","value":"<a href=\"https://x.example\">x</a>"},
      {"type":"Image","url":"javascript:alert(1)"},
      7]})j");
  ObjectDoc o = MustObject(doc);
  ASSERT_EQ(o.attachments.size(), 6u);
  EXPECT_EQ(o.attachments[0].type, "Document");
  EXPECT_EQ(o.attachments[0].media_type, "image/jpeg");
  EXPECT_EQ(o.attachments[0].url, "https://b.example/a/1.jpg");
  EXPECT_EQ(o.attachments[0].name, "alt text");
  EXPECT_EQ(o.attachments[0].digest_multibase, "zQm");
  EXPECT_EQ(o.attachments[1].url, "https://b.example/a/2.jpg");  // Link href (Lemmy)
  EXPECT_EQ(o.attachments[2].url, "https://b.example/a/3.png");  // url as an array of Links
  EXPECT_EQ(o.attachments[3].type, "");
  EXPECT_EQ(o.attachments[3].url, "https://b.example/a/4.png");  // a bare URL
  EXPECT_EQ(o.attachments[4].type, "PropertyValue");
  EXPECT_EQ(o.attachments[4].url, "");
  EXPECT_EQ(o.attachments[5].url, "");  // javascript: dropped
  rapidjson::Document single = Doc(R"({"id":"https://b.example/n/1","type":"Note",
      "attachment":{"type":"Image","url":{"type":"Link","href":"https://b.example/a/9.png"}}})");
  ObjectDoc s = MustObject(single);
  ASSERT_EQ(s.attachments.size(), 1u);
  EXPECT_EQ(s.attachments[0].url, "https://b.example/a/9.png");
}

// ---- BR-21: names are plain text kept as given; unsafe URLs never reach a field ----

TEST(As2Br21Test, ActorNameAndSummaryKeptRawUnsafeUrlsDropped) {
  rapidjson::Document doc = CaseDoc("br21_actor_xss.json");
  ActorDoc a = MustActor(doc);
  EXPECT_EQ(a.name, "<img src=x onerror=alert(1)>");  // plain text; the renderer escapes it
  EXPECT_EQ(a.summary_html, "<script>alert(1)</script>");  // raw; the sanitizer's job
  EXPECT_EQ(a.url, "");
  EXPECT_EQ(a.icon, "");
}

TEST(As2Br21Test, EmojiWithJavascriptIconHasNoIconUrl) {
  rapidjson::Document doc = CaseDoc("br21_note_xss.json");
  ObjectDoc o = MustObject(doc);
  EXPECT_EQ(o.content_html,
            "<p>Hello :wave: <a href=\"javascript:alert(document.domain)\">notes</a></p>");
  ASSERT_EQ(o.tags.size(), 1u);
  EXPECT_EQ(o.tags[0].type, "Emoji");
  EXPECT_EQ(o.tags[0].name, ":wave:\" onerror=\"alert(1)");  // kept; validated where rendered
  EXPECT_EQ(o.tags[0].icon_url, "");
}

TEST(As2ObjectTest, TagsMentionHashtagEmoji) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/n/1","type":"Note","tag":[
      {"type":"Mention","href":"https://a.example/c/maths","name":"@maths@a.example"},
      {"type":"Hashtag","href":"https://b.example/tags/maths","name":"#maths"},
      {"type":"Emoji","name":":wave:","icon":{"type":"Image","mediaType":"image/png","url":"https://b.example/e/wave.png"}},
      {"type":"Mention","href":"javascript:x"}, "x", 5]})");
  ObjectDoc o = MustObject(doc);
  ASSERT_EQ(o.tags.size(), 4u);
  EXPECT_EQ(o.tags[0].type, "Mention");
  EXPECT_EQ(o.tags[0].href, "https://a.example/c/maths");
  EXPECT_EQ(o.tags[0].name, "@maths@a.example");
  EXPECT_EQ(o.tags[1].type, "Hashtag");
  EXPECT_EQ(o.tags[1].name, "#maths");
  EXPECT_EQ(o.tags[2].icon_url, "https://b.example/e/wave.png");
  EXPECT_EQ(o.tags[3].href, "");
}

TEST(As2ObjectTest, ContentFallsBackToContentMapAndSourceShapes) {
  rapidjson::Document map = Doc(R"({"id":"https://b.example/n/1","type":"Note",
      "contentMap":{"de":7,"fr":"<p>bonjour</p>","en":"<p>hello</p>"},
      "source":{"content":"bonjour","mediaType":"text/markdown"},"mediaType":"text/html"})");
  ObjectDoc o = MustObject(map);
  EXPECT_EQ(o.content_html, "<p>bonjour</p>");  // first string value
  EXPECT_EQ(o.source_content, "bonjour");
  EXPECT_EQ(o.source_media_type, "text/markdown");
  EXPECT_EQ(o.media_type, "text/html");
  rapidjson::Document pleroma = Doc(R"({"id":"https://b.example/n/1","type":"Note","content":"<p>a</p>",
      "contentMap":{"en":"<p>b</p>"},"source":"a","sensitive":null,"summary":null,"inReplyTo":null})");
  ObjectDoc p = MustObject(pleroma);
  EXPECT_EQ(p.content_html, "<p>a</p>");  // content wins over contentMap
  EXPECT_EQ(p.source_content, "a");
  EXPECT_EQ(p.source_media_type, "");
  EXPECT_FALSE(p.sensitive);
  EXPECT_EQ(p.summary, "");
  EXPECT_EQ(p.in_reply_to, "");
}

TEST(As2ObjectTest, ReferencesAsObjects) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/n/2","type":"Note",
      "inReplyTo":{"id":"https://a.example/n/1","type":"Note"},"context":{"id":"https://b.example/ctx/1"},
      "audience":["https://a.example/c/maths","https://a.example/c/other"],"sensitive":true,
      "url":{"type":"Link","href":"https://b.example/@x/2"},"published":"2024-01-01T00:00:00Z","name":"T"})");
  ObjectDoc o = MustObject(doc);
  EXPECT_EQ(o.in_reply_to, "https://a.example/n/1");
  EXPECT_EQ(o.context, "https://b.example/ctx/1");
  EXPECT_EQ(o.audience, "https://a.example/c/maths");
  EXPECT_TRUE(o.sensitive);
  EXPECT_EQ(o.url, "https://b.example/@x/2");
  EXPECT_EQ(o.published, "2024-01-01T00:00:00Z");
  EXPECT_EQ(o.name, "T");
}

TEST(As2ObjectTest, Refusals) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {R"([1])", "object is not a JSON object"},
      {R"({"id":"https://b.example/n/1"})", "object has no string type"},
      {R"({"id":"https://b.example/n/1","type":5})", "object has no string type"},
      {R"({"type":"Note"})", "Note has no id"},
      {R"({"type":"Note","id":7})", "Note has no id"},
      {R"({"type":"Note","id":"/notes/1"})", "Note id is not an absolute http(s) URL"},
      {R"({"type":"Note","id":"urn:uuid:1"})", "Note id is not an absolute http(s) URL"},
      {R"({"type":"Create","id":"https://b.example/a/1"})", "Create is not a content object type"},
      {R"({"type":"Person","id":"https://b.example/u/1"})", "Person is not a content object type"},
  };
  for (const Case& c : cases) {
    rapidjson::Document doc = Doc(c.text);
    cs::Result<ObjectDoc> o = ParseObject(doc);
    ASSERT_FALSE(o.ok()) << c.text;
    EXPECT_EQ(o.status().code(), cs::Status::Code::kInvalidInput);
    EXPECT_EQ(o.status().message(), c.reason) << c.text;
  }
}

// ---- actors ----

TEST(As2ActorTest, Refusals) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {R"("x")", "actor is not a JSON object"},
      {R"({"id":"https://b.example/u/1","inbox":"https://b.example/u/1/inbox"})", "actor has no string type"},
      {R"({"type":"Note","id":"https://b.example/u/1","inbox":"https://b.example/i"})", "Note is not an actor type"},
      {R"({"type":"Person","inbox":"https://b.example/i"})", "Person has no id"},
      {R"({"type":"Person","id":"acct:x@b.example","inbox":"https://b.example/i"})",
       "Person id is not an absolute http(s) URL"},
      {R"({"type":"Person","id":"https://b.example/u/1"})", "Person has no inbox (absolute http(s) URL)"},
      {R"({"type":"Group","id":"https://b.example/c/1","inbox":"/inbox"})", "Group has no inbox (absolute http(s) URL)"},
  };
  for (const Case& c : cases) {
    rapidjson::Document doc = Doc(c.text);
    cs::Result<ActorDoc> a = ParseActor(doc);
    ASSERT_FALSE(a.ok()) << c.text;
    EXPECT_EQ(a.status().message(), c.reason) << c.text;
  }
}

TEST(As2ActorTest, KeysAsArrayAndFieldsAsGiven) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/u/1","type":"Service","inbox":"https://b.example/u/1/inbox",
      "preferredUsername":"Bot","name":"Bot 🤖","manuallyApprovesFollowers":true,
      "followers":"https://b.example/u/1/followers","following":{"id":"https://b.example/u/1/following"},
      "featured":"https://b.example/u/1/featured","moderators":"https://b.example/u/1/mods",
      "publicKey":[{"id":"https://b.example/u/1#main-key","owner":"https://b.example/u/1","publicKeyPem":"PEM1"},
                   "https://b.example/u/1#second-key",{"owner":"https://b.example/u/1"},7]})");
  ActorDoc a = MustActor(doc);
  EXPECT_EQ(a.type, "Service");
  EXPECT_EQ(a.preferred_username, "Bot");
  EXPECT_EQ(a.name, "Bot 🤖");
  EXPECT_TRUE(a.manually_approves_followers);
  EXPECT_EQ(a.followers, "https://b.example/u/1/followers");
  EXPECT_EQ(a.following, "https://b.example/u/1/following");
  EXPECT_EQ(a.featured, "https://b.example/u/1/featured");
  EXPECT_EQ(a.moderators, "https://b.example/u/1/mods");
  ASSERT_EQ(a.keys.size(), 2u);  // entries without an id are dropped
  EXPECT_EQ(a.keys[0].pem, "PEM1");
  EXPECT_EQ(a.keys[1].id, "https://b.example/u/1#second-key");
  EXPECT_EQ(a.keys[1].owner, "");
}

// ---- activities ----

TEST(As2ActivityTest, Refusals) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {R"([])", "activity is not a JSON object"},
      {R"({"id":"https://b.example/a/1","actor":"https://b.example/u/1"})", "activity has no string type"},
      {R"({"id":"https://b.example/a/1","type":["Create"],"actor":"https://b.example/u/1"})",
       "activity has no string type"},
      {R"({"id":"https://b.example/a/1","type":"Note","actor":"https://b.example/u/1"})",
       "Note is not an activity type"},
      {R"({"type":"Follow","actor":"https://b.example/u/1","object":"https://a.example/u/2"})", "Follow has no id"},
      {R"({"id":"/a/1","type":"Follow","actor":"https://b.example/u/1","object":"https://a.example/u/2"})",
       "Follow id is not an absolute http(s) URL"},
      {R"({"id":12,"type":"Follow","actor":"https://b.example/u/1","object":"https://a.example/u/2"})",
       "Follow id is not an absolute http(s) URL"},
      {R"({"id":"https://b.example/a/1","type":"Follow","object":"https://a.example/u/2"})", "Follow has no actor"},
      {R"({"id":"https://b.example/a/1","type":"Follow","actor":7,"object":"https://a.example/u/2"})",
       "Follow has no actor"},
      {R"({"id":"https://b.example/a/1","type":"Follow","actor":"javascript:x","object":"https://a.example/u/2"})",
       "Follow actor is not an absolute http(s) URL"},
      {R"({"id":"https://b.example/a/1","type":"Create","actor":"https://b.example/u/1"})", "Create has no object"},
      {R"({"id":"https://b.example/a/1","type":"Create","actor":"https://b.example/u/1","object":null})",
       "Create has no object"},
      {R"({"id":"https://b.example/a/1","type":"Like","actor":"https://b.example/u/1","object":5})",
       "Like object is neither an id, an object nor an array"},
      {R"({"id":"https://b.example/a/1","type":"Like","actor":"https://b.example/u/1","object":"file:///etc/passwd"})",
       "Like object id is not an absolute http(s) URL"},
      {R"({"id":"https://b.example/a/1","type":"Like","actor":"https://b.example/u/1","object":{"content":"x"}})",
       "Like object has no id"},
      {R"({"id":"https://b.example/a/1","type":"Flag","actor":"https://b.example/u/1","object":[1,null]})",
       "Flag object array has no ids"},
      {R"({"id":"https://b.example/a/1","type":"Create","actor":"https://b.example/u/1","object":{"type":"Note","content":"x"}})",
       "object: Note has no id"},
      {R"({"id":"https://b.example/a/1","type":"Announce","actor":"https://b.example/u/1","object":{"type":"Create","object":"https://b.example/n/1"}})",
       "object: Create has no actor"},
      {R"({"id":"https://b.example/a/1","type":"Announce","actor":"https://b.example/u/1","object":{"type":"Create","id":"ftp://b.example/a/0","actor":"https://b.example/u/1","object":"https://b.example/n/1"}})",
       "object: Create id is not an absolute http(s) URL"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ActivityError(c.text), c.reason) << c.text;
  }
}

TEST(As2ActivityTest, InnerActivitiesAreBounded) {
  // Six Announces deep. Without ids, the chain cannot be cut short: refused.
  std::string anonymous = "\"https://b.example/n/1\"";
  std::string with_ids = anonymous;
  for (int i = 0; i < 6; ++i) {
    std::string id = i == 5 ? R"("id":"https://b.example/a/top",)" : "";
    anonymous = R"({"type":"Announce",)" + id + R"("actor":"https://b.example/u/1","object":)" +
                anonymous + "}";
    with_ids = R"({"type":"Announce","id":"https://b.example/a/)" + std::to_string(i) +
               R"(","actor":"https://b.example/u/1","object":)" + with_ids + "}";
  }
  EXPECT_EQ(ActivityError(anonymous),
            "object: object: object: object: object: activities nested deeper than 4");
  // With ids, the level past the limit is kept as a reference.
  rapidjson::Document doc = Doc(with_ids);
  ActivityDoc a = MustActivity(doc);
  const ActivityDoc* level = &a;
  int inner_count = 0;
  while (level->inner) {
    level = level->inner.get();
    ++inner_count;
  }
  EXPECT_EQ(inner_count, 4);
  EXPECT_EQ(level->object_id, "https://b.example/a/0");
  EXPECT_FALSE(level->object_embedded);
}

TEST(As2ActivityTest, MalformedInnerActivityWithIdIsAReference) {
  rapidjson::Document doc = Doc(R"({"id":"https://a.example/accept/1","type":"Accept","actor":"https://a.example/c/maths",
      "object":{"id":"https://b.example/follows/1","type":"Follow","object":"https://a.example/c/maths"}})");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.inner, nullptr);
  EXPECT_FALSE(a.object_embedded);
  EXPECT_EQ(a.object_id, "https://b.example/follows/1");
  EXPECT_EQ(a.object_type, "Follow");
}

TEST(As2ActivityTest, ActorShapes) {
  rapidjson::Document arr = Doc(R"({"id":"https://b.example/a/1","type":"Like",
      "actor":[{"type":"Person","id":"https://b.example/u/1"},"https://b.example/u/2"],"object":"https://a.example/n/1"})");
  EXPECT_EQ(MustActivity(arr).actor, "https://b.example/u/1");
  rapidjson::Document obj = Doc(R"({"id":"https://b.example/a/1","type":"Like",
      "actor":{"type":"Person","id":"https://b.example/u/3"},"object":"https://a.example/n/1"})");
  EXPECT_EQ(MustActivity(obj).actor, "https://b.example/u/3");
}

TEST(As2ActivityTest, UnknownExtensionTypeWithoutObjectParses) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/a/1","type":"Warn","actor":"https://b.example/u/1"})");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.type, "Warn");
  EXPECT_EQ(a.object_id, "");
}

TEST(As2ActivityTest, UpdatePersonEmbedsActor) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/u/1#updates/1","type":"Update","actor":"https://b.example/u/1",
      "to":"as:Public","object":{"id":"https://b.example/u/1","type":"Person","inbox":"https://b.example/u/1/inbox","name":"New"}})");
  ActivityDoc a = MustActivity(doc);
  EXPECT_TRUE(a.object_embedded);
  EXPECT_EQ(a.object_type, "Person");
  EXPECT_EQ(a.object_id, "https://b.example/u/1");
  ASSERT_TRUE(a.object_actor.has_value());
  EXPECT_EQ(a.object_actor->name, "New");
  EXPECT_FALSE(a.object.has_value());
  EXPECT_EQ(a.inner, nullptr);
}

TEST(As2ActivityTest, EmbeddedActorWithoutInboxIsAReference) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/a/1","type":"Follow","actor":"https://b.example/u/1",
      "object":{"type":"Group","id":"https://a.example/c/maths"}})");
  ActivityDoc a = MustActivity(doc);
  EXPECT_FALSE(a.object_embedded);
  EXPECT_FALSE(a.object_actor.has_value());
  EXPECT_EQ(a.object_id, "https://a.example/c/maths");
  EXPECT_EQ(a.object_type, "Group");
}

TEST(As2ActivityTest, InnerActivityMayOmitItsId) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/a/2","type":"Undo","actor":"https://b.example/u/1",
      "object":{"type":"Follow","actor":"https://b.example/u/1","object":"https://a.example/c/maths"}})");
  ActivityDoc a = MustActivity(doc);
  ASSERT_NE(a.inner, nullptr);
  EXPECT_EQ(a.inner->type, "Follow");
  EXPECT_EQ(a.inner->id, "");
  EXPECT_EQ(a.inner->object_id, "https://a.example/c/maths");
  EXPECT_EQ(a.object_id, "");
  EXPECT_TRUE(a.object_ids.empty());
  EXPECT_TRUE(a.object_embedded);
}

TEST(As2ActivityTest, TargetOriginSummaryAudience) {
  rapidjson::Document doc = Doc(R"({"id":"https://b.example/a/3","type":"Add","actor":"https://b.example/u/1",
      "object":"https://b.example/n/1","target":{"id":"https://b.example/c/1/featured","type":"OrderedCollection"},
      "origin":"https://b.example/c/0","summary":"why","audience":"https://b.example/c/1","published":"2024-05-01T00:00:00Z"})");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.target, "https://b.example/c/1/featured");
  EXPECT_EQ(a.origin, "https://b.example/c/0");
  EXPECT_EQ(a.summary, "why");
  EXPECT_EQ(a.audience, "https://b.example/c/1");
  EXPECT_EQ(a.published, "2024-05-01T00:00:00Z");
}

// BR-05: the parse layer exposes actor and attributed_to; tying them to the key is the verifier's.
TEST(As2CasesTest, Br05ForgedCreateExposesActorAndAuthor) {
  rapidjson::Document doc = CaseDoc("br05_forged_create.json");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.actor, "https://node-b.example.net/users/teacher2");
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->attributed_to, "https://node-b.example.net/users/teacher2");
  EXPECT_EQ(a.object->content_html, "forged");
}

TEST(As2CasesTest, Br12AnnounceOfAnIdOnly) {
  rapidjson::Document doc = CaseDoc("br12_announce_id.json");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.type, "Announce");
  EXPECT_EQ(a.object_id, "https://node-c.example.com/notes/77");
  EXPECT_FALSE(a.object_embedded);
  EXPECT_FALSE(a.object.has_value());
  EXPECT_EQ(a.inner, nullptr);
  EXPECT_EQ(a.to, Strings{kPublic});
}

TEST(As2CasesTest, Br17GroupAnnounceOfCreate) {
  rapidjson::Document doc = CaseDoc("br17_announce_create.json");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.actor, "https://node-a.example.org/c/maths");
  EXPECT_EQ(a.object_id, "https://node-b.example.net/activities/create/3");
  EXPECT_EQ(a.object_type, "Create");
  ASSERT_NE(a.inner, nullptr);
  EXPECT_EQ(a.inner->actor, "https://node-b.example.net/users/teacher2");
  ASSERT_TRUE(a.inner->object.has_value());
  EXPECT_EQ(a.inner->object->id, "https://node-b.example.net/comments/3");
  EXPECT_EQ(a.inner->object->in_reply_to, "https://node-a.example.org/post/1");
  EXPECT_EQ(a.inner->object->audience, "https://node-a.example.org/c/maths");
  EXPECT_EQ(MergedAudience(a),
            (Strings{kPublic, "https://node-a.example.org/c/maths/followers",
                     "https://node-a.example.org/c/maths"}));
}

TEST(As2CasesTest, Br19AddressingOfActivityAndObjectIsMerged) {
  const std::string group = "https://node-a.example.org/c/maths";
  for (const char* name : {"br19_1_group_in_both_cc.json", "br19_2_group_only_in_note_cc.json",
                           "br19_3_group_only_in_audience.json"}) {
    rapidjson::Document doc = CaseDoc(name);
    ActivityDoc a = MustActivity(doc);
    Strings merged = MergedAudience(a);
    EXPECT_EQ(merged, (Strings{kPublic, group})) << name;
    ASSERT_TRUE(a.object.has_value());
    EXPECT_EQ(a.object->name, "") << name;  // no title: the handler derives one
    EXPECT_EQ(a.object->in_reply_to, "") << name;
  }
  rapidjson::Document reply = CaseDoc("br19_4_reply_mentioning_group.json");
  ActivityDoc r = MustActivity(reply);
  Strings merged = MergedAudience(r);
  EXPECT_EQ(std::count(merged.begin(), merged.end(), group), 0);  // only mentioned
  ASSERT_TRUE(r.object.has_value());
  EXPECT_EQ(r.object->in_reply_to, "https://node-c.example.com/notes/900");
  ASSERT_EQ(r.object->tags.size(), 1u);
  EXPECT_EQ(r.object->tags[0].href, group);
}

TEST(As2CasesTest, Br24DeleteOfTheActorItself) {
  rapidjson::Document doc = CaseDoc("br24_delete_actor.json");
  ActivityDoc a = MustActivity(doc);
  EXPECT_EQ(a.type, "Delete");
  EXPECT_EQ(a.object_id, a.actor);  // account deletion, recognisable by shape before any I/O
  EXPECT_FALSE(a.object_embedded);
  rapidjson::Document tomb = CaseDoc("br24_tombstone.json");
  ObjectDoc t = MustObject(tomb);
  EXPECT_EQ(t.type, "Tombstone");
  EXPECT_EQ(t.id, "https://gone.example.com/users/x");
}

// BR-27 #5: a 900 KiB but valid Create must pass.
TEST(As2CasesTest, Br27LargeValidCreateParses) {
  std::string content = "<p>" + std::string(900 * 1024, 'a') + "</p>";
  std::string body = R"({"id":"https://node-b.example.net/activities/900","type":"Create",
      "actor":"https://node-b.example.net/users/teacher2","to":["https://www.w3.org/ns/activitystreams#Public"],
      "object":{"id":"https://node-b.example.net/notes/900","type":"Note",
      "attributedTo":"https://node-b.example.net/users/teacher2","content":")" + content + "\"}}";
  ASSERT_GT(body.size(), 900u * 1024);
  rapidjson::Document doc = Doc(body);
  ActivityDoc a = MustActivity(doc);
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->content_html, content);
  EXPECT_TRUE(a.IsPublic());
}

TEST(As2VocabTest, TypeClasses) {
  for (const char* t : {"Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Announce",
                        "Like", "Dislike", "Add", "Remove", "Block", "Flag", "Move", "Invite", "Join",
                        "Leave", "EmojiReact"}) {
    EXPECT_TRUE(IsActivityType(t)) << t;
  }
  for (const char* t : {"Note", "Person", "Question", "create", "Lock", ""}) {
    EXPECT_FALSE(IsActivityType(t)) << t;
  }
  for (const char* t : {"Person", "Group", "Service", "Application", "Organization"}) {
    EXPECT_TRUE(IsActorType(t)) << t;
  }
  for (const char* t : {"Note", "person", "Create", "Collection"}) EXPECT_FALSE(IsActorType(t)) << t;
}

}  // namespace
}  // namespace federation
