// Federation cases on JSON shapes (BR-09, BR-10, BR-12 of /work/shared/cases/federation-cases.md):
// the fixtures in tests/fixtures/cases delivered to a real node's inbox, with the documents the
// node fetches served from 127.0.0.1, and what ends up in the store asserted.
#include <gtest/gtest.h>

#include "federation/as2.h"
#include "federation/json.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::HttpResponse;

constexpr int kTeacher2 = 0, kNodeC = 1, kPhysics = 2;

std::string Fixture(const std::string& name, const Remote& node_b) {
  return Rehost(testutil::ReadFile(testutil::Fixture("cases/" + name)), "https://node-b.example.net",
                node_b.origin());
}

class ShapeCases : public ::testing::Test {
 protected:
  ShapeCases()
      : node_b_("node-b.example.net"),
        node_c_("node-c.example.com"),
        evil_("evil.example.com"),
        node_(NodeOptions{.resolve = {node_b_.resolve(), node_c_.resolve(), evil_.resolve()}}) {
    teacher2_ = node_b_.ServeActor("/users/teacher2", kTeacher2);
  }

  HttpResponse Deliver(const std::string& body, const std::string& key_id, int key) {
    return node_->inbox().Handle(SignedPost(body, key_id, key, node_.clock().NowSeconds()), "");
  }
  HttpResponse FromTeacher2(const std::string& body) { return Deliver(body, teacher2_ + "#main-key", kTeacher2); }
  std::vector<std::string> Timeline1() { return node_.Timeline(node_.User("teacher1")); }
  bool OnTimeline1(const std::string& id) {
    auto t = Timeline1();
    return std::find(t.begin(), t.end(), id) != t.end();
  }

  Remote node_b_, node_c_, evil_;
  CaseNode node_;
  std::string teacher2_;
};

// ---- BR-09: to / cc as a single string ----

TEST_F(ShapeCases, BR09_ScalarToAndCcAreAcceptedAndNormalised) {
  node_.Follow("teacher1", teacher2_);
  std::string body = Fixture("br09_scalar_to.json", node_b_);
  auto doc = federation::ParseJson(body);
  ASSERT_TRUE(doc.ok());
  auto activity = federation::ParseActivity(*doc);
  ASSERT_TRUE(activity.ok()) << activity.status().ToString();
  EXPECT_EQ(activity->to, std::vector<std::string>{kPublic});
  EXPECT_EQ(activity->cc, std::vector<std::string>{teacher2_ + "/followers"});
  ASSERT_TRUE(activity->object);
  EXPECT_EQ(activity->object->to, std::vector<std::string>{kPublic});  // "as:Public"

  HttpResponse resp = FromTeacher2(body);
  EXPECT_EQ(resp.status, 202) << resp.body;
  auto note = node_.Object(node_b_.url("/notes/20"));
  ASSERT_TRUE(note);
  EXPECT_EQ(note->to, std::vector<std::string>{kPublic});
  EXPECT_EQ(note->visibility, store::Visibility::kPublic);
  EXPECT_EQ(note->content_html, "<p>hi</p>");
  EXPECT_TRUE(OnTimeline1(note->id));
}

TEST_F(ShapeCases, BR09_PublicAsPublicAndFullUriAreTheSameCollection) {
  int n = 0;
  for (const char* spelling : {"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}) {
    std::string id = node_b_.url("/notes/pub-" + std::to_string(++n));
    std::string body = Rehost(CreateNote(teacher2_, id), std::string("\"to\":[\"") + kPublic + "\"],\"content\"",
                              std::string("\"to\":\"") + spelling + "\",\"content\"");
    EXPECT_EQ(FromTeacher2(body).status, 202) << spelling;
    auto note = node_.Object(id);
    ASSERT_TRUE(note) << spelling;
    EXPECT_EQ(note->to, std::vector<std::string>{kPublic}) << spelling;
    EXPECT_EQ(note->visibility, store::Visibility::kPublic) << spelling;
  }
}

TEST_F(ShapeCases, BR09_MissingToAndCcIsAnEmptyListAndNotPublic) {
  node_.Follow("teacher1", teacher2_);
  std::string id = node_b_.url("/notes/noaddr");
  std::string body = "{\"id\":" + federation::JsonString(id + "/activity") +
                     ",\"type\":\"Create\",\"actor\":" + federation::JsonString(teacher2_) +
                     ",\"object\":{\"id\":" + federation::JsonString(id) +
                     ",\"type\":\"Note\",\"attributedTo\":" + federation::JsonString(teacher2_) +
                     ",\"to\":null,\"content\":\"no audience\"}}";
  HttpResponse resp = FromTeacher2(body);
  EXPECT_EQ(resp.status, 202) << resp.body;
  auto note = node_.Object(id);
  ASSERT_TRUE(note);
  EXPECT_TRUE(note->to.empty());
  EXPECT_TRUE(note->cc.empty());
  EXPECT_EQ(note->visibility, store::Visibility::kDirect);
  EXPECT_FALSE(OnTimeline1(id));  // not addressed to anyone here
}

// ---- BR-10: url, icon, attachment url, attributedTo, sharedInbox in several shapes ----

TEST_F(ShapeCases, BR10_GroupActorWithLinkArraysIsImportedWithTheRightFields) {
  std::string doc = Fixture("br10_group_actor.json", node_b_);
  doc = Rehost(doc, "\"publicKeyPem\":\"...\"",
               "\"publicKeyPem\":" + federation::JsonString(RemoteKey(kPhysics).PublicKeyPem()));
  node_b_.ServeJson("/c/physics", doc);
  auto actor = node_->actors().GetActor(node_b_.url("/c/physics"));
  ASSERT_TRUE(actor.ok()) << actor.status().ToString();
  EXPECT_EQ(actor->type, "Group");
  EXPECT_EQ(actor->url, node_b_.url("/c/physics/videos"));  // first text/html href, in order
  EXPECT_EQ(actor->icon, node_b_.url("/img/a.png"));        // first usable Image url
  EXPECT_EQ(actor->shared_inbox, node_b_.url("/inbox"));    // from endpoints
  EXPECT_EQ(actor->key_id, node_b_.url("/c/physics#main-key"));
  EXPECT_TRUE(node_.Actor(node_b_.url("/c/physics")));
}

TEST_F(ShapeCases, BR10_IconAsNestedLinkAndTopLevelSharedInboxAreRead) {
  std::string id = node_b_.url("/users/hubzilla");
  node_b_.ServeJson("/users/hubzilla",
                    "{\"id\":" + federation::JsonString(id) + ",\"type\":\"Person\",\"inbox\":" +
                        federation::JsonString(id + "/inbox") + ",\"sharedInbox\":" +
                        federation::JsonString(node_b_.url("/shared")) +
                        ",\"url\":" + federation::JsonString(node_b_.url("/profile/hubzilla")) +
                        ",\"icon\":[{\"type\":\"Image\"},{\"type\":\"Image\",\"url\":{\"type\":\"Link\",\"href\":" +
                        federation::JsonString(node_b_.url("/img/b.png")) + "}}]}");
  auto actor = node_->actors().GetActor(id);
  ASSERT_TRUE(actor.ok()) << actor.status().ToString();
  EXPECT_EQ(actor->shared_inbox, node_b_.url("/shared"));
  EXPECT_EQ(actor->url, node_b_.url("/profile/hubzilla"));
  EXPECT_EQ(actor->icon, node_b_.url("/img/b.png"));
}

TEST_F(ShapeCases, BR10_UnknownShapesLeaveFieldsEmptyAndTheActorIsStillStored) {
  std::string id = node_b_.url("/users/odd");
  node_b_.ServeJson("/users/odd", "{\"id\":" + federation::JsonString(id) +
                                      ",\"type\":\"Person\",\"inbox\":" + federation::JsonString(id + "/inbox") +
                                      ",\"url\":42,\"icon\":true,\"endpoints\":\"x\",\"name\":[\"a\"],"
                                      "\"publicKey\":7,\"followers\":{\"first\":1}}");
  auto actor = node_->actors().GetActor(id);
  ASSERT_TRUE(actor.ok()) << actor.status().ToString();
  EXPECT_EQ(actor->url, "");
  EXPECT_EQ(actor->icon, "");
  EXPECT_EQ(actor->shared_inbox, "");
  EXPECT_EQ(actor->name, "");
  EXPECT_EQ(actor->key_id, "");
  EXPECT_TRUE(node_.Actor(id));
}

TEST_F(ShapeCases, BR10_VideoAttributedToChannelAndPersonIsStoredAsThePersons) {
  std::string person = node_b_.ServeActor("/u/teacher2", kTeacher2);
  std::string video = Fixture("br10_video.json", node_b_);
  auto doc = federation::ParseJson(video);
  ASSERT_TRUE(doc.ok());
  auto parsed = federation::ParseObject(*doc);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->attributed_to, person);
  EXPECT_EQ(parsed->attributed_to_all,
            (std::vector<std::string>{node_b_.url("/c/physics"), person}));  // channel kept as context
  ASSERT_EQ(parsed->attachments.size(), 1u);
  EXPECT_EQ(parsed->attachments[0].url, node_b_.url("/img/c.png"));        // the Link's href

  std::string create = "{\"id\":" + federation::JsonString(node_b_.url("/v/1/create")) +
                       ",\"type\":\"Create\",\"actor\":" + federation::JsonString(person) +
                       ",\"to\":[\"" + kPublic + "\"],\"object\":" + video + "}";
  HttpResponse resp = Deliver(create, person + "#main-key", kTeacher2);
  EXPECT_EQ(resp.status, 202) << resp.body;
  auto stored = node_.Object(node_b_.url("/v/1"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->type, "Video");
  EXPECT_EQ(stored->attributed_to, person);
}

TEST_F(ShapeCases, BR10_NoteWithUnusableUrlAndAttachmentShapesIsStillStored) {
  std::string id = node_b_.url("/notes/odd");
  std::string body = CreateNote(teacher2_, id, "<p>odd</p>",
                                "\"url\":{\"weird\":1},\"attachment\":[42,{\"url\":7},\"javascript:x\"],"
                                "\"tag\":{\"type\":\"Hashtag\"},\"inReplyTo\":{\"no\":\"id\"},");
  HttpResponse resp = FromTeacher2(body);
  EXPECT_EQ(resp.status, 202) << resp.body;
  auto note = node_.Object(id);
  ASSERT_TRUE(note);
  EXPECT_EQ(note->url, "");
  EXPECT_EQ(note->in_reply_to, "");
  EXPECT_EQ(note->content_html, "<p>odd</p>");
}

// ---- BR-12: Announce whose object is only an id ----

class AnnounceCases : public ShapeCases {
 protected:
  AnnounceCases() {
    author_ = node_c_.ServeActor("/users/carol", kNodeC);
    note_ = node_c_.url("/notes/77");
    node_.Follow("teacher1", teacher2_);
  }
  std::string NoteJson(const std::string& id, const std::string& content) {
    return "{\"id\":" + federation::JsonString(id) + ",\"type\":\"Note\",\"attributedTo\":" +
           federation::JsonString(author_) + ",\"to\":[\"" + kPublic + "\"],\"content\":" +
           federation::JsonString(content) + "}";
  }
  std::string Announce(const std::string& n) {
    return Rehost(Fixture("br12_announce_id.json", node_b_), "https://node-c.example.com/notes/77",
                  node_c_.url("/notes/" + n));
  }
  // Delivers the Announce (202 expected at once), then runs the jobs it queued.
  void DeliverAndRunJobs(const std::string& body) {
    const size_t fetched_before = node_c_.Count("/notes/");
    HttpResponse resp = FromTeacher2(body);
    EXPECT_EQ(resp.status, 202) << resp.body;
    ASSERT_EQ(node_.Jobs().size(), 1u);
    EXPECT_EQ(node_.Jobs()[0].kind, "fetch_announced");
    EXPECT_EQ(node_c_.Count("/notes/"), fetched_before);  // nothing fetched while the sender waited
    EXPECT_EQ(node_.RunJobs(), 1u);
    EXPECT_TRUE(node_.Jobs().empty());  // done or dropped, never retried for these answers
  }

  std::string author_, note_;
};

TEST_F(AnnounceCases, BR12_ObjectIsFetchedFromItsOriginStoredAndShared) {
  node_c_.ServeJson("/notes/77", NoteJson(note_, "<p>seventy-seven</p>"));
  DeliverAndRunJobs(Announce("77"));
  auto stored = node_.Object(note_);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->attributed_to, author_);
  EXPECT_EQ(stored->content_html, "<p>seventy-seven</p>");
  EXPECT_TRUE(OnTimeline1(note_));  // teacher1 follows the booster
  // The fetch was signed (by our instance actor).
  auto reqs = node_c_.requests();
  ASSERT_FALSE(reqs.empty());
  EXPECT_NE(reqs.front().Header("signature").find("keyId=\"http://node-a.example.org/actor#main-key\""),
            std::string::npos);
}

TEST_F(AnnounceCases, BR12_NotFoundGoneAndMismatchedIdDropTheShareQuietly) {
  node_c_.ServeJson("/notes/404", "{\"error\":\"not found\"}", 404);
  node_c_.ServeJson("/notes/410", "{\"type\":\"Tombstone\",\"id\":" + federation::JsonString(node_c_.url("/notes/410")) + "}", 410);
  node_c_.ServeJson("/notes/evil", NoteJson("https://evil.example.com/x", "hijack"));
  for (const char* n : {"404", "410", "evil"}) {
    SCOPED_TRACE(n);
    std::string body = Rehost(Announce(n), "/statuses/5/activity", std::string("/statuses/") + n + "/activity");
    DeliverAndRunJobs(body);
    EXPECT_FALSE(node_.Object(node_c_.url(std::string("/notes/") + n)));
  }
  EXPECT_FALSE(node_.Object("https://evil.example.com/x"));
  EXPECT_TRUE(Timeline1().empty());
}

TEST_F(AnnounceCases, BR12_EmbeddedCopyFromAnotherHostIsNotTrustedButRefetched) {
  node_c_.ServeJson("/notes/77", NoteJson(note_, "<p>the original</p>"));
  std::string body = Rehost(Announce("77"), federation::JsonString(note_),
                            NoteJson(note_, "<p>a forged copy</p>"));
  DeliverAndRunJobs(body);
  auto stored = node_.Object(note_);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->content_html, "<p>the original</p>");
}

TEST_F(AnnounceCases, BR12_BoostOfAnAlreadyStoredObjectIsStillShared) {
  // The note arrived earlier (fetched for someone else); teacher2 now boosts it.
  node_c_.ServeJson("/notes/77", NoteJson(note_, "<p>seventy-seven</p>"));
  ASSERT_TRUE(federation::FetchAndStoreObject(node_.store(), node_->actors(), node_->fetcher(),
                                              node_.handlers(), note_, "").ok());
  ASSERT_TRUE(node_.Object(note_));
  EXPECT_FALSE(OnTimeline1(note_));
  DeliverAndRunJobs(Announce("77"));
  EXPECT_TRUE(OnTimeline1(note_));
}

}  // namespace
}  // namespace cases
