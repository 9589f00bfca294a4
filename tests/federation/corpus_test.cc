// Every real document in tests/fixtures/activitypub (Lemmy's federation samples from 14
// implementations, anonymized; see INDEX.md there) is inspected and parsed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "federation/as2.h"
#include "federation/inspect.h"
#include "tests/test_util.h"

namespace federation {
namespace {

namespace fs = std::filesystem;
using V = Inspection::Verdict;
using Strings = std::vector<std::string>;

const std::string kCorpus = "activitypub/";

std::string Read(const std::string& rel) {
  return testutil::ReadFile(testutil::Fixture(kCorpus + rel));
}

rapidjson::Document Doc(const std::string& rel) {
  cs::Result<rapidjson::Document> doc = ParseJson(Read(rel));
  EXPECT_TRUE(doc.ok()) << rel << ": " << doc.status().message();
  if (!doc.ok()) return rapidjson::Document();
  return std::move(doc).value();
}

ActivityDoc Activity(const std::string& rel) {
  rapidjson::Document doc = Doc(rel);
  cs::Result<ActivityDoc> a = ParseActivity(doc);
  EXPECT_TRUE(a.ok()) << rel << ": " << a.status().message();
  return a.ok() ? std::move(a).value() : ActivityDoc();
}

ActorDoc Actor(const std::string& rel) {
  rapidjson::Document doc = Doc(rel);
  cs::Result<ActorDoc> a = ParseActor(doc);
  EXPECT_TRUE(a.ok()) << rel << ": " << a.status().message();
  return a.ok() ? std::move(a).value() : ActorDoc();
}

ObjectDoc Object(const std::string& rel) {
  rapidjson::Document doc = Doc(rel);
  cs::Result<ObjectDoc> o = ParseObject(doc);
  EXPECT_TRUE(o.ok()) << rel << ": " << o.status().message();
  return o.ok() ? std::move(o).value() : ObjectDoc();
}

std::vector<std::string> CorpusJsonFiles() {
  std::vector<std::string> files;
  fs::path root = testutil::Fixture("activitypub");
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(fs::relative(entry.path(), root).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The documents the node does not act on; every other document of the corpus is understood.
const std::set<std::string> kIgnored = {
    "friendica/activities/undo_dislike_page.json",  // Undo(Dislike)
    "lemmy/activities/add_featured_post.json",      // Add (pinning)
    "lemmy/activities/block_user.json",
    "lemmy/activities/create_private_message_0.19.json",  // Create(ChatMessage)
    "lemmy/activities/dislike_page.json",
    "lemmy/activities/lock_page.json",
    "lemmy/activities/remove_featured_post.json",
    "lemmy/activities/remove_mod.json",
    "lemmy/activities/resolve_report_page.json",
    "lemmy/activities/undo_delete_page.json",
    "lemmy/activities/undo_delete_private_message.json",
    "lemmy/activities/undo_lock_note.json",
    "lemmy/activities/undo_remove_note.json",
    "lemmy/activities/warn.json",
    "mastodon/activities/flag.json",
    "peertube/objects/video.json",
};

TEST(CorpusTest, FixturesAreTheWholeSharedCorpus) {
  std::vector<std::string> files = CorpusJsonFiles();
  EXPECT_EQ(files.size(), 85u);
  EXPECT_TRUE(fs::exists(testutil::Fixture("activitypub/LICENSE-NOTE.md")));
  std::string index = Read("INDEX.md");
  std::regex listed("`([a-z]+/(objects|activities|collections)/[A-Za-z0-9_.]+\\.json)`");
  std::set<std::string> in_index;
  for (auto it = std::sregex_iterator(index.begin(), index.end(), listed); it != std::sregex_iterator();
       ++it) {
    in_index.insert((*it)[1]);
  }
  EXPECT_EQ(in_index, std::set<std::string>(files.begin(), files.end()));
}

TEST(CorpusTest, EveryDocumentGetsTheExpectedVerdict) {
  std::vector<std::string> files = CorpusJsonFiles();
  ASSERT_FALSE(files.empty());
  for (const std::string& rel : files) {
    Inspection in = Inspect(Read(rel));
    V want = kIgnored.count(rel) ? V::kIgnored : V::kUnderstood;
    EXPECT_EQ(VerdictName(in.verdict), std::string(VerdictName(want))) << rel << ": " << in.reason;
    if (in.verdict == V::kRefused) {
      EXPECT_FALSE(in.reason.empty()) << rel;
    }
    if (in.verdict == V::kIgnored) {
      EXPECT_FALSE(in.reason.empty()) << rel;
    }
    EXPECT_FALSE(in.kind.empty()) << rel;
    EXPECT_FALSE(in.type.empty()) << rel;
    EXPECT_FALSE(in.id.empty()) << rel;
    if (in.kind == "activity") {
      EXPECT_FALSE(in.actor.empty()) << rel;
    }
    EXPECT_NE(InspectionToText(in).find(in.type), std::string::npos) << rel;
    EXPECT_TRUE(ParseJson(InspectionToJson(in)).ok()) << rel;
  }
}

TEST(CorpusTest, KindsFollowTheFolders) {
  for (const std::string& rel : CorpusJsonFiles()) {
    Inspection in = Inspect(Read(rel));
    if (rel.find("/collections/") != std::string::npos) {
      EXPECT_EQ(in.kind, "collection") << rel;
    }
    // mastodon/activities/private_message.json is a bare Note stored among activities.
    if (rel.find("/activities/") != std::string::npos &&
        rel != "mastodon/activities/private_message.json") {
      EXPECT_EQ(in.kind, "activity") << rel;
    }
  }
}

// ---- documents checked field by field ----

TEST(CorpusDocTest, MastodonCreateNote) {
  ActivityDoc a = Activity("mastodon/activities/create_note.json");
  EXPECT_EQ(a.type, "Create");
  EXPECT_EQ(a.id, "https://mastodon-2.example/users/bomer/statuses/107224289116410645/activity");
  EXPECT_EQ(a.actor, "https://mastodon-2.example/users/bomer");
  EXPECT_EQ(a.to, Strings{"https://mastodon-2.example/users/bomer/followers"});
  EXPECT_EQ(a.cc, (Strings{kPublic, "https://mastodon-3.example/users/wivaemis"}));
  EXPECT_TRUE(a.IsPublic());
  ASSERT_TRUE(a.object.has_value());
  const ObjectDoc& n = *a.object;
  EXPECT_EQ(n.id, "https://mastodon-2.example/users/bomer/statuses/107224289116410645");
  EXPECT_EQ(a.object_id, n.id);
  EXPECT_EQ(n.type, "Note");
  EXPECT_EQ(n.attributed_to, "https://mastodon-2.example/users/bomer");
  EXPECT_EQ(n.in_reply_to, "https://mastodon-3.example/users/wivaemis/statuses/107224244380204526");
  EXPECT_EQ(n.url, "https://mastodon-2.example/@bomer/107224289116410645");
  EXPECT_EQ(n.summary, "");  // null
  EXPECT_FALSE(n.sensitive);
  EXPECT_EQ(n.content_html.rfind("<p><span class=\"h-card\">", 0), 0u);
  ASSERT_EQ(n.tags.size(), 1u);
  EXPECT_EQ(n.tags[0].type, "Mention");
  EXPECT_EQ(n.tags[0].href, "https://mastodon-3.example/users/wivaemis");
  EXPECT_EQ(n.tags[0].name, "@wivaemis@mastodon-3.example");
  EXPECT_TRUE(n.attachments.empty());
}

TEST(CorpusDocTest, LemmyAnnounceCreatePage) {
  ActivityDoc a = Activity("lemmy/activities/announce_create_page.json");
  EXPECT_EQ(a.type, "Announce");
  EXPECT_EQ(a.id, "http://lemmy-1.example/activities/announce/8030b171-803a-4108-94b1-342688f375cf");
  EXPECT_EQ(a.actor, "http://lemmy-1.example/c/main");
  EXPECT_EQ(a.object_id, "http://lemmy-1.example/activities/create/2807c9ec-3ad8-4859-a9e0-28b59b6e499f");
  EXPECT_EQ(a.cc, Strings{"http://lemmy-1.example/c/main/followers"});
  EXPECT_TRUE(a.object_embedded);
  ASSERT_NE(a.inner, nullptr);
  EXPECT_EQ(a.inner->type, "Create");
  EXPECT_EQ(a.inner->actor, "http://lemmy-1.example/u/lemmy_beta");
  EXPECT_EQ(a.inner->cc, Strings{"http://lemmy-1.example/c/main"});
  ASSERT_TRUE(a.inner->object.has_value());
  EXPECT_EQ(a.inner->object->type, "Page");
  EXPECT_EQ(a.inner->object->id, "http://lemmy-1.example/post/7");
  EXPECT_EQ(a.inner->object->name, "post 4");
  EXPECT_EQ(a.inner->object->to, (Strings{"http://lemmy-1.example/c/main", kPublic}));
  Inspection in = Inspect(Read("lemmy/activities/announce_create_page.json"));
  EXPECT_EQ(in.type_chain, "Announce(Create(Page))");
  EXPECT_TRUE(in.is_public);
}

TEST(CorpusDocTest, LemmyCreatePage) {
  ActivityDoc a = Activity("lemmy/activities/create_page.json");
  EXPECT_EQ(a.actor, "http://lemmy-2.example/u/lemmy_alpha");
  EXPECT_EQ(a.audience, "https://lemmy-1.example/c/main");
  ASSERT_TRUE(a.object.has_value());
  const ObjectDoc& p = *a.object;
  EXPECT_EQ(p.type, "Page");
  EXPECT_EQ(p.id, "http://lemmy-2.example/post/1");
  EXPECT_EQ(p.name, "test post");
  EXPECT_EQ(p.content_html, "<p>test body</p>\n");
  EXPECT_EQ(p.media_type, "text/html");
  EXPECT_EQ(p.source_content, "test body");
  EXPECT_EQ(p.source_media_type, "text/markdown");
  EXPECT_EQ(p.audience, "https://lemmy-1.example/c/main");
  ASSERT_EQ(p.attachments.size(), 1u);
  EXPECT_EQ(p.attachments[0].type, "Link");
  EXPECT_EQ(p.attachments[0].url, "https://lemmy-4.example/pictrs/image/xl8W7FZfk9.jpg");
  EXPECT_TRUE(p.IsPublic());
}

TEST(CorpusDocTest, PleromaFollow) {
  ActivityDoc a = Activity("pleroma/activities/follow.json");
  EXPECT_EQ(a.type, "Follow");
  EXPECT_EQ(a.id, "https://pleroma-3.example/activities/dab6a4d3-0db0-41ee-8aab-7bfa4929b4fd");
  EXPECT_EQ(a.actor, "https://pleroma-3.example/users/hefiwuh");
  EXPECT_EQ(a.object_id, "https://lemmy-5.example/u/hefiwuh");
  EXPECT_FALSE(a.object_embedded);
  EXPECT_EQ(a.to, Strings{"https://lemmy-5.example/u/hefiwuh"});
  EXPECT_TRUE(a.cc.empty());
  EXPECT_FALSE(a.IsPublic());
}

TEST(CorpusDocTest, DiscoursePersonTopLevelSharedInbox) {
  ActorDoc p = Actor("discourse/objects/person.json");
  EXPECT_EQ(p.type, "Person");
  EXPECT_EQ(p.id, "https://discourse-1.example/ap/actor/495843076e9e469fbd35ccf467ae9fb1");
  EXPECT_EQ(p.shared_inbox, "https://discourse-1.example/ap/users/inbox");
  EXPECT_EQ(p.preferred_username, "oskib");
  EXPECT_EQ(p.url, "https://discourse-1.example/u/oskib");
  EXPECT_EQ(p.icon, "https://discourse-1.example/user_avatar/discourse-1.example/oskib/96/2295_2.png");
  ASSERT_EQ(p.keys.size(), 1u);
  EXPECT_EQ(p.keys[0].owner, p.id);
  EXPECT_EQ(p.keys[0].pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
}

TEST(CorpusDocTest, GnusocialGroupKeyOwnedByAnotherActor) {
  ActorDoc g = Actor("gnusocial/objects/group.json");
  EXPECT_EQ(g.type, "Group");
  EXPECT_EQ(g.id, "https://instance.gnusocial.test/actor/21");
  EXPECT_EQ(g.inbox, "https://instance.gnusocial.test/actor/21/inbox.json");
  EXPECT_EQ(g.shared_inbox, "https://instance.gnusocial.test/inbox.json");
  EXPECT_EQ(g.url, "https://instance.gnusocial.test/!hackers");
  ASSERT_EQ(g.keys.size(), 1u);
  EXPECT_EQ(g.keys[0].id, "https://instance.gnusocial.test/actor/2#public-key");
  EXPECT_EQ(g.keys[0].owner, "https://instance.gnusocial.test/actor/2");  // kept as given
  EXPECT_NE(g.keys[0].owner, g.id);
}

TEST(CorpusDocTest, PeertubeVideo) {
  ObjectDoc v = Object("peertube/objects/video.json");
  EXPECT_EQ(v.type, "Video");
  EXPECT_EQ(v.id, "https://peertube-1.example/videos/watch/e7946124-7b72-4ad7-9d22-844a84bb2de1");
  EXPECT_EQ(v.attributed_to, "https://peertube-1.example/accounts/tvatepohakmarohisb");
  EXPECT_EQ(v.attributed_to_all,
            (Strings{"https://peertube-1.example/accounts/tvatepohakmarohisb",
                     "https://peertube-1.example/video-channels/lnufotipodninonubf_npozvoz"}));
  EXPECT_EQ(v.url, "https://peertube-1.example/videos/watch/e7946124-7b72-4ad7-9d22-844a84bb2de1");
  EXPECT_EQ(v.media_type, "text/markdown");
  EXPECT_EQ(v.to, Strings{kPublic});
  EXPECT_EQ(v.cc, Strings{"https://peertube-1.example/accounts/tvatepohakmarohisb/followers"});
  EXPECT_TRUE(v.IsPublic());
  Inspection in = Inspect(Read("peertube/objects/video.json"));
  EXPECT_EQ(in.verdict, V::kIgnored);
  EXPECT_EQ(in.Field("content").size(), 80u);  // ASCII: 80 characters
}

TEST(CorpusDocTest, FriendicaCreateArticleWithContentMap) {
  ActivityDoc a = Activity("friendica/activities/create_page_2.json");
  EXPECT_EQ(a.actor, "https://friendica-2.example/profile/negaimvb");
  EXPECT_EQ(a.to, Strings{"https://lemmy-2.example/c/testcom"});
  EXPECT_EQ(a.cc, (Strings{kPublic, "https://lemmy-2.example/c/testcom/followers"}));
  ASSERT_TRUE(a.object.has_value());
  const ObjectDoc& o = *a.object;
  EXPECT_EQ(o.type, "Article");
  EXPECT_EQ(o.name, "From Friendica to Lemmy");
  EXPECT_EQ(o.content_html, "Hello Lemmy!");  // content wins over contentMap
  EXPECT_EQ(o.source_media_type, "text/bbcode");
  EXPECT_EQ(o.in_reply_to, "");  // null
  EXPECT_EQ(o.context, "https://friendica-2.example/objects/ec054ce7-5162-3bf2-504c-16d024994850#context");
  ASSERT_EQ(o.tags.size(), 1u);
  EXPECT_EQ(o.tags[0].href, "https://lemmy-2.example/c/testcom");
}

TEST(CorpusDocTest, FriendicaPageWithoutContentUsesContentMap) {
  rapidjson::Document doc = Doc("friendica/objects/page_1.json");
  cs::Result<ObjectDoc> o = ParseObject(doc);
  ASSERT_TRUE(o.ok());
  const rapidjson::Value* map = Member(doc, "contentMap");
  ASSERT_NE(map, nullptr);
  if (!ReadString(doc, "content")) {
    EXPECT_EQ(o->content_html, ReadString(*map, "de").value_or("?"));
  } else {
    EXPECT_EQ(o->content_html, ReadString(doc, "content"));
  }
  EXPECT_FALSE(o->content_html.empty());
}

TEST(CorpusDocTest, MbinAcceptOfEmbeddedFollow) {
  ActivityDoc a = Activity("mbin/activities/accept.json");
  EXPECT_EQ(a.type, "Accept");
  EXPECT_EQ(a.actor, "https://some-mbin.instance/m/someMag");
  EXPECT_EQ(a.object_id, "https://some-other.instance/f/object/c51ea652-e594-4920-a989-f5350f0cec05");
  ASSERT_NE(a.inner, nullptr);
  EXPECT_EQ(a.inner->type, "Follow");
  EXPECT_EQ(a.inner->actor, "https://some-other.instance/u/someUser");
  EXPECT_EQ(a.inner->object_id, "https://some-mbin.instance/m/someMag");
  EXPECT_TRUE(a.to.empty());
}

TEST(CorpusDocTest, MitraAcceptOfFollowId) {
  ActivityDoc a = Activity("mitra/activities/accept.json");
  EXPECT_EQ(a.type, "Accept");
  EXPECT_EQ(a.actor, "https://mitra-1.example/users/localtestgroup");
  EXPECT_EQ(a.object_id, "https://lemmy-3.example/activities/follow/7d782f02-b91d-4455-b6c0-772540f00c2d");
  EXPECT_FALSE(a.object_embedded);
  EXPECT_EQ(a.inner, nullptr);
  EXPECT_EQ(a.to, Strings{"https://lemmy-3.example/u/caffibcucl"});
}

TEST(CorpusDocTest, LotideCreateNoteReplyWithScalarTo) {
  ActivityDoc a = Activity("lotide/activities/create_note_reply.json");
  EXPECT_EQ(a.id, "https://lotide-4.example/comments/52/create");
  EXPECT_EQ(a.to, Strings{"https://lotide-4.example/users/1"});  // a string, not an array
  EXPECT_EQ(a.cc, (Strings{kPublic, "https://lotide-4.example/communities/1"}));
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->in_reply_to, "https://lotide-4.example/posts/51");
  EXPECT_EQ(a.object->attributed_to, "https://lotide-4.example/users/1");
  EXPECT_EQ(a.object->to, Strings{"https://lotide-4.example/users/1"});
  EXPECT_EQ(a.object->content_html, "<p>test comment</p>\n");
  EXPECT_TRUE(a.object->IsPublic());
}

TEST(CorpusDocTest, WordpressAnnounceOfUpdateOfArticle) {
  ActivityDoc a = Activity("wordpress/activities/announce.json");
  EXPECT_EQ(a.id, "https://wordpress-1.example/lemmy-part-4/#activity#activity");
  EXPECT_EQ(a.actor, "https://wordpress-1.example/@wordpress-1.example");
  EXPECT_EQ(a.audience, "https://wordpress-1.example/@wordpress-1.example");
  EXPECT_TRUE(a.cc.empty());
  ASSERT_NE(a.inner, nullptr);
  EXPECT_EQ(a.inner->type, "Update");
  EXPECT_EQ(a.inner->actor, "https://wordpress-1.example/author/gjehlimre/");
  ASSERT_TRUE(a.inner->object.has_value());
  EXPECT_EQ(a.inner->object->type, "Article");
  EXPECT_EQ(a.inner->object->id, "https://wordpress-1.example/lemmy-part-4/");
  EXPECT_EQ(a.inner->object->name, "Lemmy (Part 4)");
  EXPECT_EQ(a.inner->object->attributed_to, "https://wordpress-1.example/author/gjehlimre/");
  EXPECT_EQ(Inspect(Read("wordpress/activities/announce.json")).type_chain,
            "Announce(Update(Article))");
}

TEST(CorpusDocTest, LemmyDeleteUserIsDeleteOfTheActor) {
  ActivityDoc a = Activity("lemmy/activities/delete_user.json");
  EXPECT_EQ(a.type, "Delete");
  EXPECT_EQ(a.actor, "http://lemmy-2.example/u/lemmy_alpha");
  EXPECT_EQ(a.object_id, a.actor);
  EXPECT_FALSE(a.object_embedded);
  EXPECT_TRUE(a.IsPublic());
}

TEST(CorpusDocTest, MastodonUndoFollow) {
  ActivityDoc a = Activity("mastodon/activities/undo_follow.json");
  EXPECT_EQ(a.id, "https://mastodon-4.example/users/acuduf#follows/449/undo");
  EXPECT_EQ(a.actor, "https://mastodon-4.example/users/acuduf");
  EXPECT_EQ(a.object_id, "https://mastodon-4.example/1ea87517-63c5-4118-8831-460ee641b2cf");
  ASSERT_NE(a.inner, nullptr);
  EXPECT_EQ(a.inner->type, "Follow");
  EXPECT_EQ(a.inner->actor, a.actor);
  EXPECT_EQ(a.inner->object_id, "https://lemmy-2.example/c/testcom");
  EXPECT_EQ(Inspect(Read("mastodon/activities/undo_follow.json")).verdict, V::kUnderstood);
}

TEST(CorpusDocTest, LemmyGroup) {
  ActorDoc g = Actor("lemmy/objects/group.json");
  EXPECT_EQ(g.type, "Group");
  EXPECT_EQ(g.id, "https://lemmy-1.example/c/tenforward");
  EXPECT_EQ(g.preferred_username, "tenforward");
  EXPECT_EQ(g.name, "Ten Forward");
  EXPECT_EQ(g.inbox, "https://lemmy-1.example/c/tenforward/inbox");
  EXPECT_EQ(g.outbox, "https://lemmy-1.example/c/tenforward/outbox");
  EXPECT_EQ(g.followers, "https://lemmy-1.example/c/tenforward/followers");
  EXPECT_EQ(g.shared_inbox, "https://lemmy-1.example/inbox");
  EXPECT_EQ(g.featured, "https://lemmy-1.example/c/tenforward//featured");  // double slash kept
  EXPECT_EQ(g.moderators, "https://lemmy-1.example/c/tenforward/moderators");
  EXPECT_EQ(g.icon, "https://lemmy-1.example/pictrs/image/waqyZwLAy4.webp");
  EXPECT_EQ(g.image, "https://lemmy-1.example/pictrs/image/Wt8zoMcCmE.jpg");
  EXPECT_EQ(g.summary_html.rfind("<p>Lounge and recreation facility</p>", 0), 0u);
  ASSERT_EQ(g.keys.size(), 1u);
  EXPECT_EQ(g.keys[0].owner, g.id);
}

TEST(CorpusDocTest, SmithereenIconWithNestedImage) {
  ActorDoc p = Actor("smithereen/objects/person.json");
  EXPECT_EQ(p.icon.rfind("https://smithereen-1.example/i/ql_49PQcETAWgY_nC-Qj63H_Oa6FyOAEoWFkUSSkUvQ/", 0), 0u);
  EXPECT_EQ(p.shared_inbox, "https://smithereen-1.example/activitypub/sharedInbox");
  EXPECT_EQ(p.name, "Нхыпылык Лтывтивым");
}

TEST(CorpusDocTest, MastodonFlagWithObjectArray) {
  ActivityDoc a = Activity("mastodon/activities/flag.json");
  EXPECT_EQ(a.object_ids, (Strings{"https://example.com/users/1", "https://example.com/posts/380590",
                                   "https://example.com/posts/380591"}));
  EXPECT_EQ(a.object_id, "https://example.com/users/1");
  EXPECT_EQ(a.to, Strings{"https://example.com/users/1"});
}

TEST(CorpusDocTest, LemmyPageWithImageAndLinkAttachments) {
  ObjectDoc p = Object("lemmy/objects/page_image_and_link.json");
  ASSERT_EQ(p.attachments.size(), 2u);
  EXPECT_EQ(p.attachments[0].type, "Image");
  EXPECT_EQ(p.attachments[0].media_type, "image/png");
  EXPECT_EQ(p.attachments[0].url, "https://lemmy-1.example/pictrs/image/eOtYb9iEiB.png");
  EXPECT_EQ(p.attachments[1].type, "Link");
  EXPECT_EQ(p.attachments[1].media_type, "text/html");
  EXPECT_FALSE(p.attachments[1].url.empty());
  EXPECT_EQ(p.audience, "https://lemmy-1.example/c/tenforward");
}

TEST(CorpusDocTest, PleromaNoteWithNullSensitiveAndStringSource) {
  ObjectDoc n = Object("pleroma/objects/note.json");
  EXPECT_EQ(n.type, "Note");
  EXPECT_FALSE(n.sensitive);  // null
  EXPECT_FALSE(n.in_reply_to.empty());
  EXPECT_EQ(n.source_media_type, "");
}

TEST(CorpusDocTest, LemmyUndoLockIsIgnoredNotRefused) {
  Inspection in = Inspect(Read("lemmy/activities/undo_lock_note.json"));
  EXPECT_EQ(in.verdict, V::kIgnored);
  EXPECT_EQ(in.type_chain, "Undo(Lock)");
  EXPECT_EQ(in.reason, "Undo of Lock is not handled");
  EXPECT_EQ(in.audience, "http://lemmy-alpha/c/main");
}

TEST(CorpusDocTest, LemmyGroupOutboxCollection) {
  Inspection in = Inspect(Read("lemmy/collections/group_outbox.json"));
  EXPECT_EQ(in.kind, "collection");
  EXPECT_EQ(in.id, "https://lemmy-2.example/c/testcom/outbox");
  EXPECT_EQ(in.Field("total_items"), "2");
  EXPECT_EQ(in.Field("items"), "2");
  EXPECT_EQ(in.Field("first_item_type"), "Announce");
}

// ---- Groups and group activities (communities) from other implementations.

TEST(CorpusDocTest, LotideGroupWithoutSharedInbox) {
  ActorDoc g = Actor("lotide/objects/group.json");
  EXPECT_EQ(g.type, "Group");
  EXPECT_EQ(g.id, "https://lotide-1.example/communities/12");
  EXPECT_EQ(g.preferred_username, "Iotide");  // case kept
  EXPECT_EQ(g.name, "Iotide");
  EXPECT_EQ(g.inbox, "https://lotide-1.example/communities/12/inbox");
  EXPECT_EQ(g.outbox, "https://lotide-1.example/communities/12/outbox");
  EXPECT_EQ(g.followers, "https://lotide-1.example/communities/12/followers");
  EXPECT_EQ(g.shared_inbox, "");  // none: deliveries go to the group's inbox
  EXPECT_EQ(g.featured, "https://lotide-1.example/communities/12/featured");
  EXPECT_EQ(g.moderators, "");
  ASSERT_EQ(g.keys.size(), 1u);
  EXPECT_EQ(g.keys[0].id, "https://lotide-1.example//communities/12#main-key");  // as given
  EXPECT_EQ(g.keys[0].owner, g.id);
}

TEST(CorpusDocTest, DiscourseGroupWithStringContext) {
  ActorDoc g = Actor("discourse/objects/group.json");
  EXPECT_EQ(g.type, "Group");
  EXPECT_EQ(g.id, "https://discourse-1.example/ap/actor/797217cf18c0e819dfafc52425590146");
  EXPECT_EQ(g.preferred_username, "kbbuegadamzi-gw");
  EXPECT_EQ(g.inbox, g.id + "/inbox");
  EXPECT_EQ(g.followers, g.id + "/followers");
  EXPECT_EQ(g.shared_inbox, "");
  EXPECT_EQ(g.url, "https://discourse-1.example/c/meeting/kbbuegadamzi-gw/88");
  EXPECT_EQ(g.icon,
            "https://discourse-1.example/uploads/default/original/1X/"
            "8faac84234dc73d074dadaa2bcf24dc746b8647f.png");
  ASSERT_EQ(g.keys.size(), 1u);
  EXPECT_EQ(g.keys[0].owner, g.id);
}

TEST(CorpusDocTest, WordpressGroupWithModeratorsCollection) {
  ActorDoc g = Actor("wordpress/objects/group.json");
  EXPECT_EQ(g.type, "Group");
  EXPECT_EQ(g.id, "https://wordpress-2.example/?author=0");
  EXPECT_EQ(g.preferred_username, "wordpress-2.example");
  EXPECT_EQ(g.inbox, "https://wordpress-2.example/wp-json/activitypub/1.0/actors/0/inbox");
  EXPECT_EQ(g.followers, "https://wordpress-2.example/wp-json/activitypub/1.0/actors/0/followers");
  EXPECT_EQ(g.shared_inbox, "https://wordpress-2.example/wp-json/activitypub/1.0/inbox");
  EXPECT_EQ(g.moderators,
            "https://wordpress-2.example/wp-json/activitypub/1.0/collections/moderators");
  EXPECT_EQ(g.featured,
            "https://wordpress-2.example/wp-json/activitypub/1.0/actors/0/collections/featured");
  ASSERT_EQ(g.keys.size(), 1u);
  EXPECT_EQ(g.keys[0].owner, g.id);
}

TEST(CorpusDocTest, MobilizonGroupWithExtraEndpoints) {
  ActorDoc g = Actor("mobilizon/objects/group.json");
  EXPECT_EQ(g.type, "Group");
  EXPECT_EQ(g.id, "https://mobilizon-1.example/@pustdetabaluerk");
  EXPECT_EQ(g.preferred_username, "pustdetabaluerk");
  EXPECT_EQ(g.name, "Pustdetabaluerk");
  EXPECT_EQ(g.inbox, g.id + "/inbox");
  EXPECT_EQ(g.followers, g.id + "/followers");
  EXPECT_EQ(g.shared_inbox, "https://mobilizon-1.example/inbox");
  EXPECT_FALSE(g.manually_approves_followers);
  ASSERT_EQ(g.keys.size(), 1u);
  EXPECT_EQ(g.keys[0].id, g.id + "#main-key");
  EXPECT_EQ(g.keys[0].owner, g.id);
}

// lotide: a post into a community is a Create{Page} to the community (a string), cc Public.
TEST(CorpusDocTest, LotideCreatePageToACommunity) {
  ActivityDoc a = Activity("lotide/activities/create_page.json");
  EXPECT_EQ(a.type, "Create");
  EXPECT_EQ(a.actor, "https://lotide-3.example/apub/users/1");
  EXPECT_EQ(a.to, Strings{"https://lotide-4.example/communities/1"});
  EXPECT_EQ(a.cc, Strings{kPublic});
  EXPECT_EQ(a.audience, "");
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->type, "Page");
  EXPECT_EQ(a.object->id, "https://lotide-3.example/apub/posts/60");
  EXPECT_EQ(a.object->name, "test post from b");
  EXPECT_EQ(a.object->summary, "test post from b");
  EXPECT_EQ(a.object->attributed_to, a.actor);
  EXPECT_EQ(a.object->to, Strings{"https://lotide-4.example/communities/1"});
  EXPECT_TRUE(a.object->IsPublic());
  std::vector<std::string> audience = MergedAudience(a);
  EXPECT_NE(std::find(audience.begin(), audience.end(), "https://lotide-4.example/communities/1"),
            audience.end());
}

// lotide: an image post is a Note with a title (name), to a Lemmy community.
TEST(CorpusDocTest, LotideTitledNoteToALemmyCommunity) {
  ActivityDoc a = Activity("lotide/activities/create_page_image.json");
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->type, "Note");
  EXPECT_EQ(a.object->name, "image");
  EXPECT_EQ(a.object->id, "http://ltthostname.local:3334/apub/posts/46");
  EXPECT_EQ(a.to, Strings{"http://localhost:8536/c/elsewhere"});
  EXPECT_EQ(a.object->to, Strings{"http://localhost:8536/c/elsewhere"});
  EXPECT_TRUE(a.object->IsPublic());
  ASSERT_EQ(a.object->attachments.size(), 1u);
  EXPECT_EQ(a.object->attachments[0].type, "Image");
}

TEST(CorpusDocTest, LotideDeleteWithoutAddressing) {
  ActivityDoc a = Activity("lotide/activities/delete_note.json");
  EXPECT_EQ(a.type, "Delete");
  EXPECT_EQ(a.actor, "https://lotide-1.example/users/3");
  EXPECT_EQ(a.object_id, "https://lotide-1.example/posts/12");
  EXPECT_TRUE(a.to.empty());
  EXPECT_TRUE(a.cc.empty());
  EXPECT_EQ(Inspect(Read("lotide/activities/delete_note.json")).verdict, V::kUnderstood);
}

// GNU social: a post into a group is a Create{Page} cc the group (its actor/21 id).
TEST(CorpusDocTest, GnusocialCreatePageCcTheGroup) {
  ActivityDoc a = Activity("gnusocial/activities/create_page.json");
  EXPECT_EQ(a.actor, "https://instance.gnusocial.test/actor/42");
  EXPECT_EQ(a.to, Strings{kPublic});
  EXPECT_EQ(a.cc, Strings{"https://instance.gnusocial.test/actor/21"});
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->type, "Page");
  EXPECT_EQ(a.object->id, "https://instance.gnusocial.test/object/note/1338");
  EXPECT_EQ(a.object->name, "hello, world.");
  EXPECT_EQ(a.object->attributed_to, a.actor);
  EXPECT_EQ(a.object->cc, Strings{"https://instance.gnusocial.test/actor/21"});
}

// Lemmy: an edit of a post in a community keeps the community in cc and audience.
TEST(CorpusDocTest, LemmyUpdatePageInACommunity) {
  ActivityDoc a = Activity("lemmy/activities/update_page.json");
  EXPECT_EQ(a.type, "Update");
  EXPECT_EQ(a.actor, "http://lemmy-2.example/u/lemmy_alpha");
  EXPECT_EQ(a.cc, Strings{"http://lemmy-1.example/c/main"});
  EXPECT_EQ(a.audience, "https://lemmy-1.example/c/main");
  ASSERT_TRUE(a.object.has_value());
  EXPECT_EQ(a.object->type, "Page");
  EXPECT_EQ(a.object->id, "http://lemmy-2.example/post/1");
  EXPECT_EQ(a.object->name, "test post 1");
  EXPECT_EQ(a.object->audience, "https://lemmy-1.example/c/main");
}

}  // namespace
}  // namespace federation
