// Interop with a real, independent ActivityPub implementation: Fedify (TypeScript), run as the
// test peer in tests/interop/fedify-peer (see its README.md for the control API). Each test runs
// a fresh `cloudschool serve` node (HTTPS, a CA made here) as a child process and drives it with
// the node's own CLI, and drives the Fedify peer over its /control/ JSON API.
//
// What is proven:
//  - peer -> node: Fedify resolves acct:ann@127.0.0.1:N (WebFinger, actor, key), follows ann and
//    receives the node's Accept; ann's post reaches Fedify with an HTTP signature that Fedify's
//    own verifyRequest() accepts (draft-cavage, the node's first knock); Undo removes alice.
//  - node -> peer: ann follows alice by handle, Fedify accepts, and Fedify's post lands in ann's
//    timeline, with Fedify signing RFC 9421 first and (another peer) draft-cavage first. That the
//    node accepted the *first* knock is read from Fedify's debug log: Fedify logs "double-knocking"
//    before it re-sends with the other scheme, and it never does in these runs.
//  - fallback: against a peer that answers 401 to draft-cavage, the node re-sends with RFC 9421
//    (which Fedify verifies), and its next deliveries to that host go RFC 9421 first.
//
// Setup: `npm ci` in tests/interop/fedify-peer (skipped when node_modules is newer than the lock
// file); a missing npm fails every test with a message. Peers start on first use and are shared
// by the tests of one process; nodes are per test.
#include "tests/interop/fedify_env.h"

namespace interop {
namespace {

// ------------------------------------------------------------------------------------ tests

TEST_F(FedifyInterop, PeerLooksUpAnnByAcctHandle) {
  FedifyPeer* peer = Rfc9421FirstPeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);
  rapidjson::Document ann = peer->Control("POST", "/control/lookup", JsonObject({{"handle", node->ann_handle()}}));
  ASSERT_TRUE(ann.IsObject());
  EXPECT_EQ(Str(ann, "id"), node->ann()) << ToJson(ann);
  EXPECT_EQ(Str(ann, "type"), "Person");
  EXPECT_EQ(Str(ann, "preferredUsername"), "ann");
  EXPECT_EQ(Str(ann, "inbox"), node->ann() + "/inbox");
  ASSERT_TRUE(ann.HasMember("endpoints") && ann["endpoints"].IsObject()) << ToJson(ann);
  EXPECT_EQ(Str(ann["endpoints"], "sharedInbox"), node->origin() + "/inbox");
  ASSERT_TRUE(ann.HasMember("publicKey") && ann["publicKey"].IsObject()) << ToJson(ann);
  EXPECT_EQ(Str(ann["publicKey"], "id"), node->ann() + "#main-key");
  EXPECT_EQ(Str(ann["publicKey"], "owner"), node->ann());

  // By URL too, and a missing user is an error, not a wrong actor.
  rapidjson::Document by_url = peer->Control("POST", "/control/lookup", JsonObject({{"target", node->ann()}}));
  EXPECT_EQ(Str(by_url, "id"), node->ann());
  HttpResult missing = Https("POST", peer->origin() + "/control/lookup",
                             JsonObject({{"handle", "acct:nobody@127.0.0.1:" + node->origin().substr(node->origin().rfind(':') + 1)}}),
                             g_shared->ca.cert_file);
  EXPECT_EQ(missing.status, 500) << missing.body;
}

TEST_F(FedifyInterop, PeerFollowsAnnAndFedifyVerifiesHerPost) {
  FedifyPeer* peer = Rfc9421FirstPeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);
  size_t knocks_before = peer->DoubleKnocks();
  PeerFollowsAnn(peer, node);

  // The Follow the node accepted was signed by Fedify (RFC 9421 first) and arrived once.
  EXPECT_EQ(peer->DoubleKnocks(), knocks_before) << "the node refused a first knock from Fedify";

  std::string note_id = AnnPosts(node, "Hello **Fedify**, from ann");
  auto creates = WaitReceived(peer, [&](const rapidjson::Value& e) {
    return Str(e, "type") == "Create" && Str(e, "object_id") == note_id;
  }, [](const auto& got) { return !got.empty(); });
  ASSERT_FALSE(creates.empty()) << "Fedify never received ann's Create";
  ASSERT_EQ(creates.size(), 1u) << "one knock expected (the host's scheme is known from the Accept)";
  const auto& e = creates[0];
  EXPECT_TRUE(Bool(e, "http_signature_verified")) << ToJson(e);
  EXPECT_TRUE(Bool(e, "key_owner_is_actor")) << ToJson(e);
  EXPECT_EQ(Str(e, "actor"), node->ann());
  EXPECT_EQ(Str(e, "signature_key_id"), node->ann() + "#main-key");
  EXPECT_EQ(Str(e, "signature_scheme"), "draft-cavage") << "the node's first knock";
  EXPECT_EQ(Str(e, "object_type"), "Note");
  EXPECT_NE(Str(e, "content").find("<strong>Fedify</strong>"), std::string::npos) << ToJson(e);
  EXPECT_GE(Int(e, "status"), 200);
  EXPECT_LT(Int(e, "status"), 300) << ToJson(e);
  EXPECT_EQ(Str(e, "processed_by"), "Create") << ToJson(e);

  // The node's Accept too: verified by Fedify, one knock.
  auto accepts = WaitReceived(peer, [&](const rapidjson::Value& e) {
    return Str(e, "type") == "Accept" && Str(e, "actor") == node->ann();
  }, [](const auto& got) { return !got.empty(); });
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_TRUE(Bool(accepts[0], "http_signature_verified")) << ToJson(accepts[0]);
  EXPECT_EQ(Int(accepts[0], "status"), 202) << ToJson(accepts[0]);
}

TEST_F(FedifyInterop, PeerUnfollowRemovesAliceFromAnnsFollowers) {
  FedifyPeer* peer = Rfc9421FirstPeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);
  size_t knocks_before = peer->DoubleKnocks();
  PeerFollowsAnn(peer, node);
  rapidjson::Document undo = peer->Control("POST", "/control/unfollow", JsonObject({{"target", node->ann()}}));
  ASSERT_TRUE(undo.IsObject() && undo.HasMember("undone") && undo["undone"].IsArray() &&
              undo["undone"].Size() == 1) << ToJson(undo);
  // /control/unfollow returns after the node answered the Undo: no waiting needed, but the
  // check polls anyway in case a future node handles inbox work after the answer.
  EXPECT_TRUE(PollUntil([&] { return node->FollowState(true, peer->actor()).empty(); }, kFederationTimeout))
      << "ann's followers: " << node->Cli({"followers", "--as", "ann", "--json"}).out;
  EXPECT_EQ(peer->DoubleKnocks(), knocks_before);
}

TEST_F(FedifyInterop, AnnFollowsPeerAndReceivesItsPostSignedRfc9421) {
  FedifyPeer* peer = Rfc9421FirstPeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);
  AnnFollowsPeer(peer, node);
  PeerPostReachesAnnsTimeline(peer, node, "RFC 9421 signed note from Fedify");
}

TEST_F(FedifyInterop, AnnFollowsPeerAndReceivesItsPostSignedDraftCavage) {
  FedifyPeer* peer = CavageFirstPeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);
  AnnFollowsPeer(peer, node);
  PeerPostReachesAnnsTimeline(peer, node, "draft-cavage signed note from Fedify");
}

TEST_F(FedifyInterop, DeliveryFallsBackToRfc9421AndRemembersTheScheme) {
  FedifyPeer* peer = RejectsCavagePeer();
  ASSERT_NE(peer, nullptr);
  CloudschoolNode* node = NewNode();
  ASSERT_NE(node, nullptr);

  // First delivery to this host: the Follow, draft-cavage first (refused), then RFC 9421.
  AnnFollowsPeer(peer, node);
  auto follows = WaitReceived(peer, [&](const rapidjson::Value& e) {
    return Str(e, "type") == "Follow" && Str(e, "actor") == node->ann();
  }, [](const auto& got) { return got.size() >= 2; });
  ASSERT_EQ(follows.size(), 2u) << "expected two knocks of ann's Follow";
  EXPECT_EQ(Str(follows[0], "signature_scheme"), "draft-cavage") << ToJson(follows[0]);
  EXPECT_EQ(Int(follows[0], "status"), 401);
  EXPECT_TRUE(Bool(follows[0], "rejected_scheme"));
  EXPECT_TRUE(Bool(follows[0], "http_signature_verified")) << "the refused cavage knock was valid too";
  EXPECT_EQ(Str(follows[1], "id"), Str(follows[0], "id")) << "the same Follow, re-sent";
  EXPECT_EQ(Str(follows[1], "signature_scheme"), "rfc9421") << ToJson(follows[1]);
  EXPECT_TRUE(Bool(follows[1], "http_signature_verified")) << ToJson(follows[1]);
  EXPECT_TRUE(Bool(follows[1], "key_owner_is_actor")) << ToJson(follows[1]);
  EXPECT_EQ(Str(follows[1], "signature_key_id"), node->ann() + "#main-key");
  EXPECT_EQ(Int(follows[1], "status"), 202) << ToJson(follows[1]);
  EXPECT_EQ(Str(follows[1], "processed_by"), "Follow");

  // The next deliveries to that host go RFC 9421 first: the Accept of alice's Follow, then a post.
  PeerFollowsAnn(peer, node);
  auto accepts = WaitReceived(peer, [&](const rapidjson::Value& e) {
    return Str(e, "type") == "Accept" && Str(e, "actor") == node->ann();
  }, [](const auto& got) { return !got.empty(); });
  ASSERT_EQ(accepts.size(), 1u) << "one knock expected";
  EXPECT_EQ(Str(accepts[0], "signature_scheme"), "rfc9421") << ToJson(accepts[0]);
  EXPECT_TRUE(Bool(accepts[0], "http_signature_verified")) << ToJson(accepts[0]);
  EXPECT_EQ(Int(accepts[0], "status"), 202) << ToJson(accepts[0]);

  std::string note_id = AnnPosts(node, "remembered: RFC 9421 first");
  auto creates = WaitReceived(peer, [&](const rapidjson::Value& e) {
    return Str(e, "type") == "Create" && Str(e, "object_id") == note_id;
  }, [](const auto& got) { return !got.empty(); });
  ASSERT_EQ(creates.size(), 1u) << "one knock expected";
  EXPECT_EQ(Str(creates[0], "signature_scheme"), "rfc9421") << ToJson(creates[0]);
  EXPECT_TRUE(Bool(creates[0], "http_signature_verified")) << ToJson(creates[0]);
  EXPECT_TRUE(Bool(creates[0], "key_owner_is_actor")) << ToJson(creates[0]);
  EXPECT_EQ(Int(creates[0], "status"), 202) << ToJson(creates[0]);
  EXPECT_FALSE(Bool(creates[0], "rejected_scheme"));
}

// The instrument the tests above read: Fedify logs a refused first knock before re-sending. Two
// Fedify peers, no node: the draft-cavage-first one follows the one that refuses draft-cavage.
// If a Fedify upgrade changed that log line, the "no double-knock" checks above would pass
// vacuously; this test would fail instead.
TEST_F(FedifyInterop, FedifyDoubleKnocksAreVisibleInItsLog) {
  FedifyPeer* sender = CavageFirstPeer();
  ASSERT_NE(sender, nullptr);
  FedifyPeer* receiver = RejectsCavagePeer();
  ASSERT_NE(receiver, nullptr);
  size_t knocks_before = sender->DoubleKnocks();
  rapidjson::Document follow = sender->Control("POST", "/control/follow", JsonObject({{"target", receiver->handle()}}));
  ASSERT_EQ(Str(follow, "target"), receiver->actor()) << ToJson(follow);
  auto knocks = WaitReceived(receiver, [&](const rapidjson::Value& e) {
    return Str(e, "type") == "Follow" && Str(e, "id") == Str(follow, "follow_id");
  }, [](const auto& got) { return got.size() >= 2; });
  ASSERT_EQ(knocks.size(), 2u);
  EXPECT_EQ(Str(knocks[0], "signature_scheme"), "draft-cavage");
  EXPECT_EQ(Int(knocks[0], "status"), 401);
  EXPECT_EQ(Str(knocks[1], "signature_scheme"), "rfc9421");
  EXPECT_EQ(Int(knocks[1], "status"), 202);
  EXPECT_EQ(sender->DoubleKnocks(), knocks_before + 1);
}

}  // namespace
}  // namespace interop
