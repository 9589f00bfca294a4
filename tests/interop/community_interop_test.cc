// Communities (FEP-1b12 Group actors) with a real, independent ActivityPub implementation: the
// Fedify peer (tests/interop/fedify-peer) as a member's server. Fixture and helpers: fedify_env.h.
//
// What is proven, with Fedify's own lookup, signature checks and JSON-LD processing:
//  - alice (Fedify) resolves a community by its acct: handle as a Group, follows it, gets the
//    group's Accept (signed with the group's key) and is listed by `community members`;
//  - a local member's post into the community reaches alice as the group's Announce{Create{Note}},
//    signed with the group's key, and Fedify reads the embedded Create and Note;
//  - alice's post addressed to the group (to: group, cc: Public, audience: group) is checked by the
//    group and announced: a second local member sees it on the timeline, `community posts` lists
//    it, and alice receives the Announce of her own Create (which Fedify refetches from her
//    origin);
//  - a non-member's post into an approval, members-only community is refused (403) and nothing is
//    stored or announced; after a moderator approves her request, her post goes through.
#include "tests/interop/fedify_env.h"

namespace interop {
namespace {

// {"content": ..., "group": ..., ...} (string fields) plus `allow_failure: true` when asked.
std::string PostBody(const std::string& content, const std::string& group, bool allow_failure) {
  std::string json = JsonObject({{"content", content}, {"group", group}});
  if (allow_failure) json = json.substr(0, json.size() - 1) + ",\"allow_failure\":true}";
  return json;
}

const rapidjson::Value* FindById(const rapidjson::Value& list, const std::string& key,
                                 const std::string& value) {
  if (!list.IsArray()) return nullptr;
  for (const auto& e : list.GetArray())
    if (Str(e, key.c_str()) == value) return &e;
  return nullptr;
}

class FedifyCommunity : public FedifyInterop {
 protected:
  // `community add NAME ARGS...` and local members joining; fails the test on error.
  void AddCommunity(CloudschoolNode* node, const std::string& name, std::vector<std::string> args,
                    const std::vector<std::string>& local_members) {
    args.insert(args.begin(), {"community", "add", name});
    RunResult r = node->Cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    for (const auto& user : local_members) {
      if (user != "ann") {
        RunResult add = node->Cli({"user", "add", user});
        ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
      }
      RunResult join = node->Cli({"join", "--as", user, node->Handle(name)});
      ASSERT_EQ(join.exit_code, 0) << join.out << join.err;
    }
  }

  // alice's membership state in `name` as the group's node lists it ("" when not listed).
  std::string AliceMembership(CloudschoolNode* node, FedifyPeer* peer, const std::string& name) {
    rapidjson::Document members = node->CliJson({"community", "members", name, "--json"});
    const rapidjson::Value* m = FindById(members, "actor", peer->actor());
    return m ? Str(*m, "state") : "";
  }

  bool TimelineHas(CloudschoolNode* node, const std::string& user, const std::string& id) {
    rapidjson::Document tl = node->CliJson({"timeline", "--as", user, "--json"});
    return FindById(tl, "id", id) != nullptr;
  }

  bool PostsHave(CloudschoolNode* node, const std::string& name, const std::string& id) {
    rapidjson::Document posts = node->CliJson({"community", "posts", name, "--json"});
    return FindById(posts, "id", id) != nullptr;
  }

  // The group's Announces that reached alice and embed the Create of `object_id`.
  std::vector<rapidjson::Document> AnnouncesOf(FedifyPeer* peer, const std::string& group,
                                               const std::string& object_id) {
    return WaitReceived(
        peer,
        [&](const rapidjson::Value& e) {
          return Str(e, "type") == "Announce" && Str(e, "actor") == group &&
                 Str(e, "inner_object_id") == object_id;
        },
        [](const auto& got) { return !got.empty(); });
  }

  // Checks what Fedify made of the group's Announce{Create{Note}} of `note_id` by `author`.
  void ExpectGroupAnnounce(const rapidjson::Value& e, const std::string& group,
                           const std::string& author, const std::string& note_id,
                           const std::string& text) {
    EXPECT_TRUE(Bool(e, "http_signature_verified")) << ToJson(e);
    EXPECT_EQ(Str(e, "signature_key_id"), group + "#main-key") << "signed with the group's key";
    EXPECT_EQ(Str(e, "signature_key_owner"), group);
    EXPECT_TRUE(Bool(e, "key_owner_is_actor")) << ToJson(e);
    EXPECT_EQ(Int(e, "status"), 202) << ToJson(e);
    EXPECT_EQ(Str(e, "processed_by"), "Announce") << ToJson(e);
    // As sent: the activity as received, embedded.
    EXPECT_EQ(Str(e, "object_type"), "Create") << ToJson(e);
    EXPECT_EQ(Str(e, "inner_actor"), author);
    EXPECT_EQ(Str(e, "inner_object_type"), "Note");
    EXPECT_NE(Str(e, "inner_content").find(text), std::string::npos) << ToJson(e);
    // As Fedify understood it.
    EXPECT_EQ(Str(e, "processed_object_type"), "Create") << ToJson(e);
    EXPECT_EQ(Str(e, "processed_object_actor"), author);
    EXPECT_EQ(Str(e, "processed_inner_object_type"), "Note") << ToJson(e);
    EXPECT_EQ(Str(e, "processed_inner_object_id"), note_id);
    EXPECT_NE(Str(e, "processed_content").find(text), std::string::npos) << ToJson(e);
    // Addressed as a public group's announce: Public, cc the group's followers (its members).
    const rapidjson::Value& body = Member(e, "body");
    EXPECT_TRUE(ArrayHasString(Member(body, "to"), "https://www.w3.org/ns/activitystreams#Public"))
        << ToJson(body);
    EXPECT_TRUE(ArrayHasString(Member(body, "cc"), group + "/followers")) << ToJson(body);
  }
};

TEST_F(FedifyCommunity, FedifyJoinsOpenCommunityGetsAnnouncesAndPostsIntoIt) {
  FedifyPeer* peer = Rfc9421FirstPeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);
  AddCommunity(node, "maths", {"--title", "Maths teachers", "--moderator", "ann"}, {"ann", "ben"});
  ASSERT_FALSE(HasFailure());
  const std::string group = node->Community("maths");

  // (a) Fedify resolves the community by handle: a Group with its inbox, members, shared inbox
  // and its own key.
  rapidjson::Document g =
      peer->Control("POST", "/control/lookup", JsonObject({{"handle", node->Handle("maths")}}));
  ASSERT_EQ(Str(g, "id"), group) << ToJson(g);
  EXPECT_EQ(Str(g, "type"), "Group");
  EXPECT_EQ(Str(g, "preferredUsername"), "maths");
  EXPECT_EQ(Str(g, "name"), "Maths teachers");
  EXPECT_EQ(Str(g, "inbox"), group + "/inbox");
  EXPECT_EQ(Str(g, "outbox"), group + "/outbox");
  EXPECT_EQ(Str(g, "followers"), group + "/followers");
  EXPECT_EQ(Str(Member(g, "endpoints"), "sharedInbox"), node->origin() + "/inbox");
  EXPECT_EQ(Str(Member(g, "publicKey"), "id"), group + "#main-key");
  EXPECT_EQ(Str(Member(g, "publicKey"), "owner"), group);

  // alice follows (joins) it by handle: the group's Accept arrives, and she is a member.
  rapidjson::Document follow =
      peer->Control("POST", "/control/follow", JsonObject({{"target", node->Handle("maths")}}));
  ASSERT_EQ(Str(follow, "target"), group) << ToJson(follow);
  ASSERT_TRUE(
      PollUntil([&] { return ArrayHasString(peer->Control("GET", "/control/following"), group); },
                kFederationTimeout))
      << "Fedify never got the group's Accept";
  EXPECT_EQ(AliceMembership(node, peer, "maths"), "accepted");
  auto accepts = WaitReceived(
      peer,
      [&](const rapidjson::Value& e) {
        return Str(e, "type") == "Accept" && Str(e, "actor") == group;
      },
      [](const auto& got) { return !got.empty(); });
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_TRUE(Bool(accepts[0], "http_signature_verified")) << ToJson(accepts[0]);
  EXPECT_EQ(Str(accepts[0], "signature_key_id"), group + "#main-key");
  EXPECT_EQ(Str(accepts[0], "object_id"), Str(follow, "follow_id"));
  EXPECT_EQ(Int(accepts[0], "status"), 202);
  EXPECT_EQ(Str(accepts[0], "processed_by"), "Accept");

  // (b) ann posts into the community: alice receives the group's Announce of ann's Create.
  RunResult post = node->Cli({"post", "--as", "ann", "--community", node->Handle("maths"),
                              "Who has a fractions worksheet?"});
  ASSERT_EQ(post.exit_code, 0) << post.out << post.err;
  const std::string ann_note = post.out.substr(0, post.out.find('\n'));
  ASSERT_EQ(ann_note.rfind(node->origin() + "/", 0), 0u) << post.out;
  auto ann_announces = AnnouncesOf(peer, group, ann_note);
  ASSERT_EQ(ann_announces.size(), 1u) << "one Announce, one knock";
  ExpectGroupAnnounce(ann_announces[0], group, node->ann(), ann_note, "fractions worksheet");

  // (c) alice posts into the community, addressed to the group.
  rapidjson::Document mine =
      peer->Control("POST", "/control/post",
                    PostBody("<p>I have one for year 5</p>", node->Handle("maths"), false));
  const std::string alice_note = Str(mine, "note_id");
  ASSERT_EQ(alice_note.rfind(peer->origin() + "/users/alice/notes/", 0), 0u) << ToJson(mine);
  ASSERT_TRUE(ArrayHasString(Member(mine, "delivered_to"), group)) << ToJson(mine);
  // The group took it: the other local members see it, the community lists it.
  ASSERT_TRUE(PollUntil([&] { return TimelineHas(node, "ben", alice_note); }, kFederationTimeout))
      << "ben's timeline: " << node->Cli({"timeline", "--as", "ben", "--json"}).out;
  EXPECT_TRUE(TimelineHas(node, "ann", alice_note));
  EXPECT_TRUE(PostsHave(node, "maths", alice_note))
      << node->Cli({"community", "posts", "maths", "--json"}).out;
  {
    rapidjson::Document tl = node->CliJson({"timeline", "--as", "ben", "--json"});
    const rapidjson::Value* item = FindById(tl, "id", alice_note);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "actor"), peer->actor());
    EXPECT_NE(Str(*item, "content").find("year 5"), std::string::npos) << ToJson(*item);
  }
  // ...and announced it to every member, alice included.
  auto alice_announces = AnnouncesOf(peer, group, alice_note);
  ASSERT_EQ(alice_announces.size(), 1u);
  ExpectGroupAnnounce(alice_announces[0], group, peer->actor(), alice_note, "year 5");
  EXPECT_EQ(Str(alice_announces[0], "object_id"), Str(mine, "activity_id"))
      << "the group announces alice's Create as she sent it";
}

TEST_F(FedifyCommunity, NonMemberPostIntoMembersOnlyCommunityIsRefused) {
  FedifyPeer* peer = Rfc9421FirstPeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);
  AddCommunity(node, "staffroom",
               {"--join", "approval", "--visibility", "members", "--moderator", "ann"}, {"ann"});
  ASSERT_FALSE(HasFailure());
  const std::string group = node->Community("staffroom");

  // (d) alice is not a member: the group refuses her post (403; Fedify reports the failure after
  // its second knock), and nothing is stored, listed, shown or announced.
  rapidjson::Document refused =
      peer->Control("POST", "/control/post",
                    PostBody("<p>not a member yet</p>", node->Handle("staffroom"), true));
  const std::string refused_note = Str(refused, "note_id");
  ASSERT_FALSE(refused_note.empty()) << ToJson(refused);
  EXPECT_NE(Str(refused, "delivery_error").find("403"), std::string::npos) << ToJson(refused);
  EXPECT_FALSE(node->HasObject(refused_note)) << "a refused post must not be stored";
  EXPECT_FALSE(PostsHave(node, "staffroom", refused_note));
  EXPECT_FALSE(TimelineHas(node, "ann", refused_note));

  // She asks to join: pending until the moderator approves, then the group's Accept arrives.
  rapidjson::Document follow =
      peer->Control("POST", "/control/follow", JsonObject({{"target", node->Handle("staffroom")}}));
  ASSERT_EQ(Str(follow, "target"), group) << ToJson(follow);
  ASSERT_TRUE(PollUntil([&] { return AliceMembership(node, peer, "staffroom") == "pending"; },
                        kFederationTimeout));
  RunResult approve =
      node->Cli({"community", "approve", "staffroom", peer->actor(), "--as", "ann"});
  ASSERT_EQ(approve.exit_code, 0) << approve.out << approve.err;
  ASSERT_TRUE(
      PollUntil([&] { return ArrayHasString(peer->Control("GET", "/control/following"), group); },
                kFederationTimeout))
      << "Fedify never got the group's Accept";

  // Now her post is taken, and the group's Announce (members only: to its followers) reaches
  // her; the refused one never was announced (the group's deliveries to her go in order).
  rapidjson::Document taken = peer->Control(
      "POST", "/control/post", PostBody("<p>now a member</p>", node->Handle("staffroom"), false));
  const std::string taken_note = Str(taken, "note_id");
  ASSERT_TRUE(ArrayHasString(Member(taken, "delivered_to"), group)) << ToJson(taken);
  auto announces = AnnouncesOf(peer, group, taken_note);
  ASSERT_EQ(announces.size(), 1u);
  const auto& e = announces[0];
  EXPECT_TRUE(Bool(e, "http_signature_verified")) << ToJson(e);
  EXPECT_EQ(Str(e, "signature_key_id"), group + "#main-key");
  EXPECT_EQ(Int(e, "status"), 202) << ToJson(e);
  EXPECT_EQ(Str(e, "processed_inner_object_id"), taken_note) << ToJson(e);
  EXPECT_TRUE(ArrayHasString(Member(Member(e, "body"), "to"), group + "/followers"))
      << ToJson(Member(e, "body"));
  EXPECT_FALSE(ArrayHasString(Member(Member(e, "body"), "to"),
                              "https://www.w3.org/ns/activitystreams#Public"));
  EXPECT_TRUE(PollUntil([&] { return TimelineHas(node, "ann", taken_note); }, kFederationTimeout));
  EXPECT_TRUE(PostsHave(node, "staffroom", taken_note));
  EXPECT_TRUE(node->HasObject(taken_note)) << "HasObject cannot see stored objects";
  EXPECT_TRUE(peer->Received([&](const rapidjson::Value& x) {
                    return Str(x, "inner_object_id") == refused_note;
                  })
                  .empty())
      << "the refused post was announced";
  EXPECT_FALSE(node->HasObject(refused_note));
}

}  // namespace
}  // namespace interop
