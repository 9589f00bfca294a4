// Discussions against a real node (case_env.h): likes and boosts counted exactly once and undone
// only by their own actor, the replies collection, mentions and hashtags out and in, content
// warnings both ways, edit history, and what a Delete does to the counts.
#include <gtest/gtest.h>

#include "federation/as2.h"
#include "federation/json.h"
#include "federation/mentions.h"
#include "node/routes.h"
#include "store/discussion.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::HttpResponse;
using federation::JsonString;

constexpr int kTeacher2 = 0, kTeacher3 = 1;

class DiscussionCases : public ::testing::Test {
 protected:
  DiscussionCases()
      : remote_("node-b.example.net"), node_(NodeOptions{.resolve = {remote_.resolve()}}) {
    node_.Seed(remote_, "/users/teacher2", kTeacher2);
    node_.Seed(remote_, "/users/teacher3", kTeacher3);
    teacher2_ = remote_.url("/users/teacher2");
    teacher3_ = remote_.url("/users/teacher3");
    teacher1_ = node_.User("teacher1");
  }

  HttpResponse Deliver(const std::string& body, const std::string& actor, int key) {
    return node_->inbox().Handle(
        SignedPost(body, actor + "#main-key", key, node_.clock().NowSeconds()), "");
  }

  std::string Post(const std::string& markdown, federation::PostOptions options = {}) {
    std::string id;
    cs::Status st = node_.Update([&](store::Txn& t) -> cs::Status {
      auto r = node_->outbox().Post(t, "teacher1", markdown, options);
      if (!r.ok()) return r.status();
      id = *r;
      return cs::Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  uint64_t Count(store::Reaction kind, const std::string& object) {
    auto txn = node_.store().BeginRead();
    return txn.ok() ? store::CountReactions(*txn, kind, object) : 0;
  }

  std::string Activity(const std::string& type, const std::string& id, const std::string& actor,
                       const std::string& object_json) {
    return "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":" + JsonString(id) +
           ",\"type\":\"" + type + "\",\"actor\":" + JsonString(actor) +
           ",\"object\":" + object_json + "}";
  }

  // The JSON of a stored activity (what we sent).
  std::string StoredJson(const std::string& id) {
    auto txn = node_.store().BeginRead();
    auto a = store::GetActivity(*txn, id);
    return a.ok() ? a->json : "";
  }

  std::vector<store::DeliveryRecord> Deliveries() {
    std::vector<store::DeliveryRecord> out;
    auto txn = node_.store().BeginRead();
    (void)txn->Scan(store::Db::kDeliveries, "", [&](std::string_view, std::string_view v) {
      if (auto d = store::DeliveryRecord::Decode(v)) out.push_back(*d);
      return true;
    });
    return out;
  }

  HttpResponse Get(const std::string& url) {
    node::Router router(node_.node());
    federation::HttpRequest r;
    r.method = "GET";
    r.scheme = "http";
    r.authority = kLocalDomain;
    r.target = url.substr(std::string(kLocalOrigin).size());
    r.headers.Set("accept", "application/activity+json");
    return router.Handle(r);
  }

  Remote remote_;
  CaseNode node_;
  std::string teacher1_, teacher2_, teacher3_;
};

TEST_F(DiscussionCases, LikeIsCountedOnceWhateverTheDuplicates) {
  std::string note = Post("A worksheet on fractions");
  std::string like = Activity("Like", remote_.url("/likes/1"), teacher2_, JsonString(note));
  EXPECT_EQ(Deliver(like, teacher2_, kTeacher2).status, 202);
  EXPECT_EQ(Count(store::Reaction::kLike, note), 1u);
  EXPECT_EQ(Deliver(like, teacher2_, kTeacher2).status, 202);  // the same delivery again
  // Another Like by the same actor (new id), and a Misskey-style one with content.
  EXPECT_EQ(Deliver(Activity("Like", remote_.url("/likes/2"), teacher2_, JsonString(note)),
                    teacher2_, kTeacher2)
                .status,
            202);
  std::string misskey = "{\"id\":" + JsonString(remote_.url("/likes/3")) +
                        ",\"type\":\"Like\",\"actor\":" + JsonString(teacher2_) +
                        ",\"object\":" + JsonString(note) +
                        ",\"content\":\"👍\",\"_misskey_reaction\":\"👍\"}";
  EXPECT_EQ(Deliver(misskey, teacher2_, kTeacher2).status, 202);
  EXPECT_EQ(Count(store::Reaction::kLike, note), 1u);
  // An EmojiReact from another actor counts as a like of its own.
  std::string react = "{\"id\":" + JsonString(remote_.url("/react/1")) +
                      ",\"type\":\"EmojiReact\",\"actor\":" + JsonString(teacher3_) +
                      ",\"object\":" + JsonString(note) + ",\"content\":\"🎉\"}";
  EXPECT_EQ(Deliver(react, teacher3_, kTeacher3).status, 202);
  EXPECT_EQ(Count(store::Reaction::kLike, note), 2u);
  // A Like of something we do not hold counts nothing.
  EXPECT_EQ(Deliver(Activity("Like", remote_.url("/likes/4"), teacher2_,
                             JsonString(std::string(kLocalOrigin) + "/users/teacher1/notes/nope")),
                    teacher2_, kTeacher2)
                .status,
            202);
  EXPECT_EQ(node_.Count(store::Db::kLikes), 2u);
}

TEST_F(DiscussionCases, UndoLikeOnlyByTheActorThatLiked) {
  std::string note = Post("Assessment ideas");
  std::string like_id = remote_.url("/likes/1");
  std::string like_json = "{\"id\":" + JsonString(like_id) +
                          ",\"type\":\"Like\",\"actor\":" + JsonString(teacher2_) +
                          ",\"object\":" + JsonString(note) + "}";
  ASSERT_EQ(
      Deliver(Activity("Like", like_id, teacher2_, JsonString(note)), teacher2_, kTeacher2).status,
      202);
  ASSERT_EQ(Count(store::Reaction::kLike, note), 1u);
  // teacher3 undoes teacher2's Like: embedded as teacher2's, by id only, or claimed as its own.
  EXPECT_EQ(
      Deliver(Activity("Undo", remote_.url("/undo/a"), teacher3_, like_json), teacher3_, kTeacher3)
          .status,
      403);
  EXPECT_EQ(Deliver(Activity("Undo", remote_.url("/undo/b"), teacher3_, JsonString(like_id)),
                    teacher3_, kTeacher3)
                .status,
            403);
  std::string claimed = "{\"id\":" + JsonString(like_id) +
                        ",\"type\":\"Like\",\"actor\":" + JsonString(teacher3_) +
                        ",\"object\":" + JsonString(note) + "}";
  EXPECT_EQ(
      Deliver(Activity("Undo", remote_.url("/undo/c"), teacher3_, claimed), teacher3_, kTeacher3)
          .status,
      403);
  EXPECT_EQ(Count(store::Reaction::kLike, note), 1u);
  // teacher2's own Undo, by id only, works; a second one changes nothing.
  EXPECT_EQ(Deliver(Activity("Undo", remote_.url("/undo/d"), teacher2_, JsonString(like_id)),
                    teacher2_, kTeacher2)
                .status,
            202);
  EXPECT_EQ(Count(store::Reaction::kLike, note), 0u);
  EXPECT_EQ(
      Deliver(Activity("Undo", remote_.url("/undo/e"), teacher2_, like_json), teacher2_, kTeacher2)
          .status,
      202);
  EXPECT_EQ(Count(store::Reaction::kLike, note), 0u);
  EXPECT_EQ(node_.Count(store::Db::kReactionIds), 0u);
}

TEST_F(DiscussionCases, AnnounceAndUndoAreCountedWithoutFetchingOurOwnPost) {
  std::string note = Post("Open day slides");
  std::string followers_only = Post("For followers", {.visibility = store::Visibility::kFollowers});
  std::string ann = remote_.url("/announce/1");
  ASSERT_EQ(
      Deliver(Activity("Announce", ann, teacher2_, JsonString(note)), teacher2_, kTeacher2).status,
      202);
  EXPECT_EQ(Count(store::Reaction::kBoost, note), 1u);
  EXPECT_TRUE(node_.Jobs().empty()) << "a boost of a local post needs no fetch";
  EXPECT_EQ(Deliver(Activity("Announce", remote_.url("/announce/2"), teacher2_, JsonString(note)),
                    teacher2_, kTeacher2)
                .status,
            202);
  EXPECT_EQ(Count(store::Reaction::kBoost, note), 1u);
  // A followers-only post is not boostable: nothing counted.
  EXPECT_EQ(Deliver(Activity("Announce", remote_.url("/announce/3"), teacher2_,
                             JsonString(followers_only)),
                    teacher2_, kTeacher2)
                .status,
            202);
  EXPECT_EQ(Count(store::Reaction::kBoost, followers_only), 0u);
  // Another actor cannot undo it; the booster can (embedded Announce).
  std::string embedded = "{\"id\":" + JsonString(ann) +
                         ",\"type\":\"Announce\",\"actor\":" + JsonString(teacher2_) +
                         ",\"object\":" + JsonString(note) + "}";
  EXPECT_EQ(Deliver(Activity("Undo", remote_.url("/undo/1"), teacher3_, JsonString(ann)), teacher3_,
                    kTeacher3)
                .status,
            403);
  EXPECT_EQ(Count(store::Reaction::kBoost, note), 1u);
  EXPECT_EQ(
      Deliver(Activity("Undo", remote_.url("/undo/2"), teacher2_, embedded), teacher2_, kTeacher2)
          .status,
      202);
  EXPECT_EQ(Count(store::Reaction::kBoost, note), 0u);
}

TEST_F(DiscussionCases, OutgoingLikeAndBoostReachTheAuthorAndUndoEmbedsThem) {
  std::string note = remote_.url("/notes/1");
  ASSERT_EQ(Deliver(CreateNote(teacher2_, note), teacher2_, kTeacher2).status, 202);
  ASSERT_TRUE(node_.Object(note));
  auto& outbox = node_->outbox();
  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return outbox.Like(t, "teacher1", note); }).ok());
  EXPECT_TRUE(node_.Update([&](store::Txn& t) { return outbox.Like(t, "teacher1", note); })
                  .Is(cs::Status::Code::kConflict));
  EXPECT_EQ(Count(store::Reaction::kLike, note), 1u);
  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return outbox.Boost(t, "teacher1", note); }).ok());
  EXPECT_EQ(Count(store::Reaction::kBoost, note), 1u);
  auto sent = Deliveries();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& d : sent) EXPECT_EQ(d.inbox, remote_.url("/inbox"));
  std::string like_json = StoredJson(sent[0].activity_id),
              boost_json = StoredJson(sent[1].activity_id);
  auto like = federation::ParseJson(like_json);
  ASSERT_TRUE(like.ok());
  EXPECT_EQ(federation::ReadString(*like, "type"), std::optional<std::string>("Like"));
  EXPECT_EQ(federation::ReadString(*like, "object"), std::optional<std::string>(note));
  EXPECT_EQ(federation::ReadIds(*like, "to"), std::vector<std::string>{teacher2_});
  auto boost = federation::ParseJson(boost_json);
  ASSERT_TRUE(boost.ok());
  EXPECT_EQ(federation::ReadString(*boost, "type"), std::optional<std::string>("Announce"));
  EXPECT_EQ(federation::ReadIds(*boost, "to"), std::vector<std::string>{kPublic});
  EXPECT_EQ(federation::ReadIds(*boost, "cc"),
            (std::vector<std::string>{teacher1_ + "/followers", teacher2_}));

  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return outbox.Unlike(t, "teacher1", note); }).ok());
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return outbox.Unboost(t, "teacher1", note); }).ok());
  EXPECT_TRUE(node_.Update([&](store::Txn& t) { return outbox.Unlike(t, "teacher1", note); })
                  .Is(cs::Status::Code::kConflict));
  EXPECT_EQ(Count(store::Reaction::kLike, note), 0u);
  EXPECT_EQ(Count(store::Reaction::kBoost, note), 0u);
  sent = Deliveries();
  ASSERT_EQ(sent.size(), 4u);
  auto undo = federation::ParseJson(StoredJson(sent[2].activity_id));
  ASSERT_TRUE(undo.ok());
  auto parsed = federation::ParseActivity(*undo);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->type, "Undo");
  ASSERT_TRUE(parsed->inner);
  EXPECT_EQ(parsed->inner->type, "Like");
  EXPECT_EQ(parsed->inner->id, sent[0].activity_id);
  EXPECT_EQ(parsed->inner->actor, teacher1_);
  EXPECT_EQ(parsed->inner->object_id, note);
  // A followers-only post cannot be boosted.
  std::string private_note = Post("followers only", {.visibility = store::Visibility::kFollowers});
  EXPECT_TRUE(node_.Update([&](store::Txn& t) { return outbox.Boost(t, "teacher1", private_note); })
                  .Is(cs::Status::Code::kForbidden));
}

TEST_F(DiscussionCases, RepliesCollectionListsPublicRepliesAndTheObjectLinksIt) {
  std::string note = Post("Which reading scheme do you use?");
  std::string local_reply = Post("We use our own", {.in_reply_to = note});
  std::string remote_reply = remote_.url("/notes/r1");
  ASSERT_EQ(Deliver(CreateNote(teacher2_, remote_reply, "<p>Phonics first</p>",
                               "\"inReplyTo\":" + JsonString(note) + ","),
                    teacher2_, kTeacher2)
                .status,
            202);
  Post("a private reply", {.in_reply_to = note, .visibility = store::Visibility::kFollowers});

  HttpResponse object = Get(note);
  ASSERT_EQ(object.status, 200) << object.body;
  auto doc = federation::ParseJson(object.body);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(federation::ReadString(*doc, "replies"), std::optional<std::string>(note + "/replies"));

  HttpResponse coll = Get(note + "/replies");
  ASSERT_EQ(coll.status, 200) << coll.body;
  auto c = federation::ParseJson(coll.body);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(federation::ReadString(*c, "type"), std::optional<std::string>("OrderedCollection"));
  EXPECT_EQ(federation::ReadInt(*c, "totalItems"), std::optional<int64_t>(2));
  EXPECT_EQ(federation::ReadString(*c, "first"),
            std::optional<std::string>(note + "/replies?page=1"));
  HttpResponse page = Get(note + "/replies?page=1");
  ASSERT_EQ(page.status, 200) << page.body;
  auto p = federation::ParseJson(page.body);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(federation::ReadString(*p, "type"),
            std::optional<std::string>("OrderedCollectionPage"));
  EXPECT_EQ(federation::ReadIds(*p, "orderedItems"),
            (std::vector<std::string>{local_reply, remote_reply}));
  EXPECT_EQ(federation::ReadString(*p, "partOf"), std::optional<std::string>(note + "/replies"));
  // Unknown objects have no replies collection.
  EXPECT_EQ(Get(std::string(kLocalOrigin) + "/users/teacher1/notes/nope/replies").status, 404);
}

TEST_F(DiscussionCases, MentionsAndHashtagsBecomeTagsLinksAndRecipients) {
  federation::PostOptions options;
  options.mentions.push_back(
      {{"teacher2", remote_.authority(), "teacher2@" + remote_.authority()},
       {teacher2_, remote_.url("/@teacher2"), "@teacher2@" + remote_.authority()}});
  std::string note = Post(
      "Hi @teacher2@" + remote_.authority() + " and @nobody, see #Fractions `#notatag`", options);
  auto stored = node_.Object(note);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->content_html, "<p>Hi <span class=\"h-card\"><a href=\"" +
                                      remote_.url("/@teacher2") +
                                      "\" rel=\"nofollow noopener noreferrer\" class=\"u-url "
                                      "mention\">@<span>teacher2</span></a></span>"
                                      " and @nobody, see <a href=\"" +
                                      std::string(kLocalOrigin) +
                                      "/tags/fractions\" rel=\"nofollow noopener noreferrer\" "
                                      "class=\"mention hashtag\">#<span>Fractions</span></a>"
                                      " <code>#notatag</code></p>");
  std::vector<store::TagRef> want = {
      {"Mention", "@teacher2@" + remote_.authority(), teacher2_},
      {"Hashtag", "#fractions", std::string(kLocalOrigin) + "/tags/fractions"}};
  EXPECT_EQ(stored->tags, want);
  EXPECT_NE(std::find(stored->cc.begin(), stored->cc.end(), teacher2_), stored->cc.end());
  // The Create we send carries the tags and cc; the mentioned actor's server gets it.
  auto create = federation::ParseJson(StoredJson(stored->create_activity_id));
  ASSERT_TRUE(create.ok());
  auto parsed = federation::ParseActivity(*create);
  ASSERT_TRUE(parsed.ok() && parsed->object);
  ASSERT_EQ(parsed->object->tags.size(), 2u);
  EXPECT_EQ(parsed->object->tags[0].type, "Mention");
  EXPECT_EQ(parsed->object->tags[0].href, teacher2_);
  EXPECT_EQ(parsed->object->tags[0].name, "@teacher2@" + remote_.authority());
  EXPECT_EQ(parsed->object->tags[1].type, "Hashtag");
  EXPECT_EQ(parsed->object->tags[1].name, "#fractions");
  auto sent = Deliveries();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].inbox, remote_.url("/inbox"));
  // A local mention by name puts the post on that teacher's timeline (same node).
}

TEST_F(DiscussionCases, LocalMentionReachesTheLocalTeacher) {
  CaseNode two(NodeOptions{.users = {"teacher1", "ana"}});
  std::string id;
  ASSERT_TRUE(two.Update([&](store::Txn& t) -> cs::Status {
                   auto r = two->outbox().Post(t, "teacher1", "Welcome @ana!", {});
                   if (!r.ok()) return r.status();
                   id = *r;
                   return cs::Status::Ok();
                 })
                  .ok());
  auto tl = two.Timeline(two.User("ana"));
  EXPECT_NE(std::find(tl.begin(), tl.end(), id), tl.end());
  auto o = two.Object(id);
  ASSERT_TRUE(o);
  ASSERT_EQ(o->tags.size(), 1u);
  EXPECT_EQ(o->tags[0].name, "@ana@" + std::string(kLocalDomain));
  EXPECT_EQ(o->tags[0].href, two.User("ana"));
}

TEST_F(DiscussionCases, IncomingTagsAndContentWarningsAreKeptSanitized) {
  node_.Follow("teacher1", teacher2_);
  std::string note = remote_.url("/notes/cw");
  std::string extra =
      "\"summary\":\"<b>Exam</b> spoilers<script>alert(1)</script>\",\"sensitive\":true,"
      "\"tag\":[{\"type\":\"Mention\",\"href\":" +
      JsonString(teacher1_) + ",\"name\":\"@teacher1@" + kLocalDomain +
      "\"},"
      "{\"type\":\"Mention\",\"href\":\"javascript:alert(1)\",\"name\":\"@evil\"},"
      "{\"type\":\"Hashtag\",\"href\":" +
      JsonString(remote_.url("/tags/maths")) +
      ",\"name\":\"#maths\"},"
      "{\"type\":\"Emoji\",\"name\":\":blob:\",\"icon\":{\"url\":\"http://x.example/e.png\"}}],";
  std::string content =
      "<p><span class=\"h-card\"><a href=\"" + teacher1_ +
      "\" class=\"u-url mention evil\" onclick=\"x()\">@<span>teacher1</span></a></span> "
      "<a href=\"" +
      remote_.url("/tags/maths") +
      "\" class=\"mention hashtag\" rel=\"tag\" style=\"color:red\">#<span>maths</span></a></p>";
  ASSERT_EQ(Deliver(CreateNote(teacher2_, note, content, extra), teacher2_, kTeacher2).status, 202);
  auto o = node_.Object(note);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->summary, "Exam spoilers");
  EXPECT_TRUE(o->sensitive);
  EXPECT_EQ(o->content_html, "<p><span class=\"h-card\"><a href=\"" + teacher1_ +
                                 "\" rel=\"nofollow noopener noreferrer\" class=\"u-url "
                                 "mention\">@<span>teacher1</span></a></span> "
                                 "<a href=\"" +
                                 remote_.url("/tags/maths") +
                                 "\" rel=\"nofollow noopener noreferrer\" class=\"mention "
                                 "hashtag\">#<span>maths</span></a></p>");
  // The javascript: href is dropped with its tag; Emoji is not kept here.
  std::vector<store::TagRef> want = {
      {"Mention", "@teacher1@" + std::string(kLocalDomain), teacher1_},
      {"Hashtag", "#maths", remote_.url("/tags/maths")}};
  EXPECT_EQ(o->tags, want);
}

TEST_F(DiscussionCases, ContentWarningGoesOutWithSummaryAndSensitive) {
  std::string cw = Post("The answers", {.summary = "Quiz answers"});
  std::string sensitive_only = Post("A photo of a dissection", {.sensitive = true});
  for (const auto& [id, summary] :
       {std::pair{cw, std::string("Quiz answers")}, std::pair{sensitive_only, std::string()}}) {
    HttpResponse r = Get(id);
    ASSERT_EQ(r.status, 200);
    auto doc = federation::ParseJson(r.body);
    ASSERT_TRUE(doc.ok());
    auto parsed = federation::ParseObject(*doc);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->summary, summary);
    EXPECT_TRUE(parsed->sensitive);
  }
}

TEST_F(DiscussionCases, EditsKeepTheEarlierVersionsLocalAndRemote) {
  std::string note = Post("First version");
  node_.clock().Advance(60000);
  ASSERT_TRUE(node_
                  .Update([&](store::Txn& t) {
                    return node_->outbox().Edit(t, "teacher1", note, "Second version");
                  })
                  .ok());
  {
    auto txn = node_.store().BeginRead();
    auto edits = store::ListEdits(*txn, note);
    ASSERT_EQ(edits.size(), 1u);
    EXPECT_EQ(edits[0].content_html, "<p>First version</p>");
    EXPECT_EQ(edits[0].updated_ms, kNowMs);
  }
  node_.Follow("teacher1", teacher2_);
  std::string remote = remote_.url("/notes/e1");
  ASSERT_EQ(Deliver(CreateNote(teacher2_, remote, "<p>v1</p>", "\"summary\":\"cw1\","), teacher2_,
                    kTeacher2)
                .status,
            202);
  for (int v = 2; v <= 3; ++v) {
    std::string object = "{\"id\":" + JsonString(remote) +
                         ",\"type\":\"Note\",\"attributedTo\":" + JsonString(teacher2_) +
                         ",\"to\":[\"" + kPublic + "\"],\"content\":\"<p>v" + std::to_string(v) +
                         "</p>\",\"updated\":\"2026-12-04T00:0" + std::to_string(v) + ":00Z\"}";
    ASSERT_EQ(
        Deliver(Activity("Update", remote + "/update/" + std::to_string(v), teacher2_, object),
                teacher2_, kTeacher2)
            .status,
        202);
  }
  auto txn = node_.store().BeginRead();
  auto edits = store::ListEdits(*txn, remote);
  ASSERT_EQ(edits.size(), 2u);
  EXPECT_EQ(edits[0].content_html, "<p>v1</p>");
  EXPECT_EQ(edits[0].summary, "cw1");
  EXPECT_EQ(edits[1].content_html, "<p>v2</p>");
  EXPECT_EQ(store::GetObject(*txn, remote)->content_html, "<p>v3</p>");
}

// Updates can arrive out of order (two edits in one second, delivered by parallel workers): the
// `updated` times decide which version is current, a late older one only joins the history, and
// a repeated one changes nothing.
TEST_F(DiscussionCases, UpdatesArrivingOutOfOrderKeepTheNewestAndTheWholeHistory) {
  node_.Follow("teacher1", teacher2_);
  std::string remote = remote_.url("/notes/order");
  ASSERT_EQ(Deliver(CreateNote(teacher2_, remote, "<p>Monday</p>",
                               "\"published\":\"2026-12-04T10:00:00Z\","),
                    teacher2_, kTeacher2)
                .status,
            202);
  auto update = [&](const std::string& day, const std::string& stamp, int n) {
    std::string object = "{\"id\":" + JsonString(remote) +
                         ",\"type\":\"Note\",\"attributedTo\":" + JsonString(teacher2_) +
                         ",\"to\":[\"" + kPublic + "\"],\"content\":\"<p>" + day +
                         "</p>\",\"updated\":\"" + stamp + "\"}";
    return Deliver(Activity("Update", remote + "/update/" + std::to_string(n), teacher2_, object),
                   teacher2_, kTeacher2)
        .status;
  };
  // Wednesday (made 250 ms after Tuesday, in the same second) arrives first.
  ASSERT_EQ(update("Wednesday", "2026-12-04T10:05:00.750Z", 2), 202);
  ASSERT_EQ(update("Tuesday", "2026-12-04T10:05:00.500Z", 1), 202);
  ASSERT_EQ(update("Tuesday", "2026-12-04T10:05:00.500Z", 1), 202);    // a duplicate delivery
  ASSERT_EQ(update("Wednesday", "2026-12-04T10:05:00.750Z", 3), 202);  // the same version again
  auto txn = node_.store().BeginRead();
  auto object = store::GetObject(*txn, remote);
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(object->content_html, "<p>Wednesday</p>");
  EXPECT_EQ(object->updated_ms, cs::ParseRfc3339Millis("2026-12-04T10:05:00.750Z"));
  auto edits = store::ListEdits(*txn, remote);
  ASSERT_EQ(edits.size(), 2u);
  EXPECT_EQ(edits[0].content_html, "<p>Monday</p>");
  EXPECT_EQ(edits[1].content_html, "<p>Tuesday</p>");
  EXPECT_EQ(edits[1].updated_ms, cs::ParseRfc3339Millis("2026-12-04T10:05:00.500Z"));
}

// A Delete that overtakes its Create leaves a tombstone, so the late Create does not bring the
// post back; a Delete of another origin's object leaves nothing.
TEST_F(DiscussionCases, DeleteOvertakingItsCreateKeepsThePostDeleted) {
  node_.Follow("teacher1", teacher2_);
  std::string remote = remote_.url("/notes/early-delete");
  ASSERT_EQ(Deliver(Activity("Delete", remote + "/delete", teacher2_, JsonString(remote)),
                    teacher2_, kTeacher2)
                .status,
            202);
  ASSERT_EQ(Deliver(CreateNote(teacher2_, remote, "<p>oops</p>"), teacher2_, kTeacher2).status,
            202);
  std::string elsewhere = "https://elsewhere.example/notes/1";
  ASSERT_EQ(Deliver(Activity("Delete", remote_.url("/delete/2"), teacher2_, JsonString(elsewhere)),
                    teacher2_, kTeacher2)
                .status,
            202);
  auto txn = node_.store().BeginRead();
  auto object = store::GetObject(*txn, remote);
  ASSERT_TRUE(object.ok());
  EXPECT_TRUE(object->deleted());
  EXPECT_EQ(object->content_html, "");
  EXPECT_EQ(object->attributed_to, teacher2_);
  EXPECT_FALSE(store::GetObject(*txn, elsewhere).ok());
}

// Strangers cannot fill a teacher's home timeline by putting her in `cc`: she sees a post of
// someone she does not follow only when it mentions her or replies to her.
TEST_F(DiscussionCases, AddressedOnlyPostsOfStrangersStayOffTheHomeTimeline) {
  std::string mine = Post("Who has a worksheet on fractions?");
  auto deliver = [&](const std::string& n, const std::string& extra) {
    std::string body = "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":" +
                       JsonString(remote_.url("/notes/" + n + "/activity")) +
                       ",\"type\":\"Create\",\"actor\":" + JsonString(teacher2_) +
                       ",\"to\":[\"" + kPublic + "\"],\"cc\":[" + JsonString(teacher1_) +
                       "],\"object\":{\"id\":" + JsonString(remote_.url("/notes/" + n)) +
                       ",\"type\":\"Note\",\"attributedTo\":" + JsonString(teacher2_) +
                       ",\"to\":[\"" + kPublic + "\"],\"cc\":[" + JsonString(teacher1_) + "]," +
                       extra + "\"content\":\"<p>" + n + "</p>\"}}";
    return Deliver(body, teacher2_, kTeacher2).status;
  };
  ASSERT_EQ(deliver("spam", ""), 202);
  ASSERT_EQ(deliver("mention", "\"tag\":[{\"type\":\"Mention\",\"href\":" +
                                   JsonString(teacher1_) + ",\"name\":\"@teacher1\"}],"),
            202);
  ASSERT_EQ(deliver("reply", "\"inReplyTo\":" + JsonString(mine) + ","), 202);
  auto timeline = node_.Timeline(teacher1_);
  auto has = [&](const std::string& n) {
    return std::find(timeline.begin(), timeline.end(), remote_.url("/notes/" + n)) !=
           timeline.end();
  };
  EXPECT_FALSE(has("spam"));
  EXPECT_TRUE(has("mention"));
  EXPECT_TRUE(has("reply"));
  auto txn = node_.store().BeginRead();
  EXPECT_TRUE(store::GetObject(*txn, remote_.url("/notes/spam")).ok());  // kept, just not shown
}

// Two local edits within one millisecond still get distinct, increasing `updated` times.
TEST_F(DiscussionCases, LocalEditsGetStrictlyIncreasingUpdatedTimes) {
  std::string note = Post("v1");
  for (const char* text : {"v2", "v3"})
    ASSERT_TRUE(node_
                    .Update([&](store::Txn& t) {
                      return node_->outbox().Edit(t, "teacher1", note, text);
                    })
                    .ok());
  auto txn = node_.store().BeginRead();
  auto edits = store::ListEdits(*txn, note);
  ASSERT_EQ(edits.size(), 2u);
  int64_t current = store::GetObject(*txn, note)->updated_ms;
  EXPECT_LT(edits[0].updated_ms, edits[1].updated_ms);
  EXPECT_LT(edits[1].updated_ms, current);
  HttpResponse r = Get(note);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"updated\":\"" + cs::FormatRfc3339Millis(current) + "\""),
            std::string::npos)
      << r.body;
}

TEST_F(DiscussionCases, DeleteDropsTheCounts) {
  std::string note = Post("Short-lived");
  ASSERT_EQ(Deliver(Activity("Like", remote_.url("/likes/1"), teacher2_, JsonString(note)),
                    teacher2_, kTeacher2)
                .status,
            202);
  ASSERT_EQ(Deliver(Activity("Announce", remote_.url("/ann/1"), teacher3_, JsonString(note)),
                    teacher3_, kTeacher3)
                .status,
            202);
  ASSERT_EQ(Count(store::Reaction::kLike, note) + Count(store::Reaction::kBoost, note), 2u);
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return node_->outbox().DeleteObject(t, "teacher1", note); })
          .ok());
  EXPECT_EQ(node_.Count(store::Db::kLikes) + node_.Count(store::Db::kBoosts), 0u);
  EXPECT_EQ(node_.Count(store::Db::kReactionIds), 0u);
  // And a remote Delete of a remote post does the same.
  std::string remote = remote_.url("/notes/d1");
  node_.Follow("teacher1", teacher2_);
  ASSERT_EQ(Deliver(CreateNote(teacher2_, remote), teacher2_, kTeacher2).status, 202);
  ASSERT_TRUE(
      node_.Update([&](store::Txn& t) { return node_->outbox().Like(t, "teacher1", remote); })
          .ok());
  ASSERT_EQ(Deliver(Activity("Delete", remote_.url("/del/1"), teacher2_, JsonString(remote)),
                    teacher2_, kTeacher2)
                .status,
            202);
  EXPECT_EQ(Count(store::Reaction::kLike, remote), 0u);
}

TEST_F(DiscussionCases, ADeletedActorsReactionsNoLongerCount) {
  std::string note = Post("Counting on it");
  ASSERT_EQ(Deliver(Activity("Like", remote_.url("/likes/1"), teacher2_, JsonString(note)),
                    teacher2_, kTeacher2)
                .status,
            202);
  ASSERT_EQ(Deliver(Activity("Announce", remote_.url("/ann/1"), teacher2_, JsonString(note)),
                    teacher2_, kTeacher2)
                .status,
            202);
  ASSERT_EQ(Deliver(Activity("Like", remote_.url("/likes/3"), teacher3_, JsonString(note)),
                    teacher3_, kTeacher3)
                .status,
            202);
  ASSERT_EQ(Deliver(Activity("Delete", teacher2_ + "#delete", teacher2_, JsonString(teacher2_)),
                    teacher2_, kTeacher2)
                .status,
            202);
  node_.RunJobs();
  EXPECT_EQ(Count(store::Reaction::kLike, note), 1u);  // teacher3's stays
  EXPECT_EQ(Count(store::Reaction::kBoost, note), 0u);
}

TEST(MentionParsing, FindsHandlesAndHashtagsButNotAddressesOrFragments) {
  auto m = federation::FindMentions(
      "@ann hi @Bob@School.Example:8443. mail ann@x.org, @ann again, a/@x");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].user, "ann");
  EXPECT_EQ(m[0].host, "");
  EXPECT_EQ(m[1].user, "Bob");
  EXPECT_EQ(m[1].host, "school.example:8443");
  EXPECT_EQ(
      federation::FindHashtags("#Maths and #maths, #123, http://x/#frag, &#39; (#Lesen_2) #größe"),
      (std::vector<std::string>{"Maths", "Lesen_2", "größe"}));
}

}  // namespace
}  // namespace cases
