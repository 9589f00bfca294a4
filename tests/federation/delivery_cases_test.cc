// Federation cases on sending (BR-03 and BR-08 sending sides, BR-25 of
// /work/shared/cases/federation-cases.md): a real node posts, the real delivery worker sends over
// HTTP to inboxes served on 127.0.0.1, and time moves only on the ManualClock.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "federation/http_signature.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::DeliveryOptions;
using federation::DeliveryWorker;

constexpr int kDown = 0;

// Rebuilds the request an inbox received, as its server would hand it over: the authority is the
// Host header actually sent.
federation::HttpRequest Received(const testhttp::Recorded& r) {
  federation::HttpRequest out;
  out.method = r.method;
  out.scheme = "http";
  out.authority = r.Header("host");
  out.target = r.target;
  for (const auto& [k, v] : r.headers) out.headers.Add(federation::AsciiLower(k), v);
  out.body = r.body;
  return out;
}

// Polls `done` until it holds or `limit` passes (generous: the machine may be loaded).
template <typename F>
bool WaitUntil(F done, std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class DeliveryCases : public ::testing::Test {
 protected:
  DeliveryCases()
      : inbox_host_("api.down.example.net"), node_(NodeOptions{.resolve = {inbox_host_.resolve()}}) {
    inbox_host_.Serve("/inbox", testhttp::Respond(202, ""));
  }

  // `n` remote actors on down.example.net following teacher1, all with the shared inbox of
  // api.down.example.net (BR-25: the inbox is on another host than the accounts).
  void SeedFollowers(int n, bool shared = true) {
    ASSERT_TRUE(node_.Update([&](store::Txn& txn) -> cs::Status {
      for (int i = 0; i < n; ++i) {
        store::ActorRecord a;
        a.id = "http://down.example.net/users/u" + std::to_string(i);
        a.type = "Person";
        a.inbox = shared ? a.id + "/inbox" : inbox_host_.url("/users/u" + std::to_string(i) + "/inbox");
        if (shared) a.shared_inbox = inbox_host_.url("/inbox");
        CS_RETURN_IF_ERROR(store::PutActor(txn, a));
        CS_RETURN_IF_ERROR(store::PutFollow(txn, {.follower = a.id, .followee = node_.User("teacher1"),
                                                  .activity_id = a.id + "#follow",
                                                  .state = store::FollowState::kAccepted}));
      }
      return cs::Status::Ok();
    }).ok());
  }

  std::string Post(const std::string& text) {
    std::string id;
    cs::Status st = node_.Update([&](store::Txn& txn) -> cs::Status {
      auto r = node_->outbox().Post(txn, "teacher1", text, {});
      if (!r.ok()) return r.status();
      id = *r;
      return cs::Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  std::vector<store::DeliveryRecord> Queued() {
    std::vector<store::DeliveryRecord> out;
    auto txn = node_.store().BeginRead();
    (void)txn->Scan(store::Db::kDeliveries, "", [&](std::string_view, std::string_view v) {
      if (auto d = store::DeliveryRecord::Decode(v)) out.push_back(*d);
      return true;
    });
    return out;
  }
  std::optional<store::HostRecord> Host(const std::string& host) {
    auto txn = node_.store().BeginRead();
    auto h = store::GetHost(*txn, host);
    if (!h.ok()) return std::nullopt;
    return *h;
  }
  size_t RunOnce(DeliveryWorker& worker) {
    auto n = worker.RunOnce();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : 0;
  }
  // Moves the clock to the next due delivery and runs the worker; false when nothing is queued.
  bool RunNextDue(DeliveryWorker& worker) {
    auto q = Queued();
    if (q.empty()) return false;
    node_.clock().Set(std::max(node_.clock().NowMillis(), q.front().due_ms));
    RunOnce(worker);
    return true;
  }
  federation::PublicKey Teacher1Key() {
    auto t1 = node_.Actor(node_.User("teacher1"));
    auto pub = federation::PublicKey::FromPem(t1->public_key_pem);
    EXPECT_TRUE(pub.ok());
    return std::move(pub).value();
  }

  // A host that accepts the connection, reads the request and answers only when the test opens
  // it (then 202), and a follower whose shared inbox is there. The test decides the order, not a
  // timeout.
  struct BlackHole {
    std::promise<void> opened;
    std::shared_future<void> open_signal = opened.get_future().share();
    Remote remote{"127.0.0.1"};
    bool is_open = false;
    BlackHole() {
      remote.ServeDynamic("/inbox", [signal = open_signal](const testhttp::Recorded&) {
        signal.wait();
        return testhttp::Respond(202, "");
      });
    }
    void Open() {
      if (!is_open) opened.set_value();
      is_open = true;
    }
  };
  void SeedFollowerOn(const BlackHole& hole) {
    cs::Status st = node_.Update([&](store::Txn& txn) -> cs::Status {
      store::ActorRecord a;
      a.id = "http://hole.example.net/users/h0";
      a.type = "Person";
      a.inbox = a.id + "/inbox";
      a.shared_inbox = hole.remote.url("/inbox");
      CS_RETURN_IF_ERROR(store::PutActor(txn, a));
      return store::PutFollow(txn, {.follower = a.id,
                                    .followee = node_.User("teacher1"),
                                    .activity_id = a.id + "#follow",
                                    .state = store::FollowState::kAccepted});
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  // BR-25 "a dead host never slows deliveries to the others", with the background lanes: a post
  // goes to a healthy host and to a black hole; while a pass waits on the hole, a second post is
  // sent to the healthy host and recorded by another pass, and the hole is not sent a second
  // request before it answers the first. Then the hole answers and everything is delivered once.
  void BlackHoleDoesNotHoldUpTheOthers(BlackHole& hole, const DeliveryOptions& opts) {
    const std::string healthy = inbox_host_.url("/inbox");
    DeliveryWorker worker(node_.store(), node_->client(), node_.clock(), opts);
    struct OpenFirst {  // the worker's Stop() must not wait for the client's timeout
      BlackHole& hole;
      ~OpenFirst() { hole.Open(); }
    } open_first{hole};
    worker.Start();
    Post("first");
    worker.Wake();
    ASSERT_TRUE(WaitUntil([&] {
      return inbox_host_.requests().size() == 1 && hole.remote.requests().size() == 1;
    })) << "first post: "
        << inbox_host_.requests().size() << " to the healthy host, "
        << hole.remote.requests().size() << " to the hole";
    uint64_t first_seq = 0;
    for (const auto& d : Queued()) first_seq = std::max(first_seq, d.seq);

    Post("second");
    worker.Wake();
    auto second_to_healthy_queued = [&] {
      for (const auto& d : Queued())
        if (d.inbox == healthy && d.seq > first_seq) return true;
      return false;
    };
    ASSERT_TRUE(WaitUntil([&] { return !second_to_healthy_queued(); }))
        << "the second post's delivery to the healthy host waited for the hole";
    EXPECT_EQ(inbox_host_.requests().size(), 2u);
    EXPECT_EQ(hole.remote.requests().size(), 1u);  // still waiting on the first; no second request
    size_t to_hole = 0;
    for (const auto& d : Queued()) to_hole += d.inbox == hole.remote.url("/inbox");
    EXPECT_EQ(to_hole, 2u);  // both still queued: nothing is lost while a host hangs

    hole.Open();
    ASSERT_TRUE(WaitUntil([&] { return Queued().empty() && worker.stats().delivered == 4; }))
        << "delivered " << worker.stats().delivered << ", queued " << Queued().size();
    worker.Stop();
    EXPECT_EQ(hole.remote.requests().size(), 2u);
    EXPECT_EQ(inbox_host_.requests().size(), 2u);
    EXPECT_EQ(node_.Count(store::Db::kFailed), 0u);
  }

  Remote inbox_host_;
  CaseNode node_;
};

// ---- BR-03 (sending): the signed host is the Host header actually sent ----

TEST_F(DeliveryCases, BR03_DeliveryToANonDefaultPortSignsTheHostHeaderSent) {
  SeedFollowers(1);
  Post("hello");
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock());
  EXPECT_EQ(RunOnce(worker), 1u);
  auto reqs = inbox_host_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].Header("host"), inbox_host_.authority());  // "api.down.example.net:PORT"
  federation::HttpRequest got = Received(reqs[0]);
  auto sigs = federation::ParseSignatures(got);
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  EXPECT_NE(std::find((*sigs)[0].covered.begin(), (*sigs)[0].covered.end(), "host"), (*sigs)[0].covered.end());
  EXPECT_TRUE(federation::VerifySignature(got, (*sigs)[0], Teacher1Key(), node_.clock().NowSeconds(), 300).ok());
}

// ---- BR-08 (sending): double knock, and the winner remembered per host ----

TEST_F(DeliveryCases, BR08_A401ToCavageIsRetriedOnceWithRfc9421AndTheWinnerIsRemembered) {
  inbox_host_.ServeDynamic("/inbox", [](const testhttp::Recorded& r) {
    return testhttp::Respond(r.Has("signature-input") ? 202 : 401, "");
  });
  SeedFollowers(1);
  Post("first");
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock());
  RunOnce(worker);
  auto reqs = inbox_host_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_FALSE(reqs[0].Has("signature-input"));  // draft-cavage first
  EXPECT_TRUE(reqs[1].Has("signature-input"));   // then RFC 9421
  federation::HttpRequest second = Received(reqs[1]);
  auto sigs = federation::ParseSignatures(second);
  ASSERT_TRUE(sigs.ok());
  EXPECT_EQ((*sigs)[0].scheme, federation::SignatureScheme::kRfc9421);
  EXPECT_TRUE(federation::VerifySignature(second, (*sigs)[0], Teacher1Key(), node_.clock().NowSeconds(), 300).ok());
  EXPECT_TRUE(Queued().empty());
  auto host = Host(inbox_host_.authority());
  ASSERT_TRUE(host);
  EXPECT_EQ(host->scheme, store::SignatureSchemeChoice::kRfc9421);

  Post("second");
  RunOnce(worker);
  reqs = inbox_host_.requests();
  ASSERT_EQ(reqs.size(), 3u);  // straight to RFC 9421
  EXPECT_TRUE(reqs[2].Has("signature-input"));
  EXPECT_EQ(worker.stats().delivered, 2u);
}

TEST_F(DeliveryCases, BR08_A401ToBothSchemesIsFinalNotALoop) {
  inbox_host_.Serve("/inbox", testhttp::Respond(401, ""));
  SeedFollowers(1);
  Post("nobody listens");
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock());
  RunOnce(worker);
  EXPECT_EQ(inbox_host_.requests().size(), 2u);
  EXPECT_TRUE(Queued().empty());
  EXPECT_EQ(node_.Count(store::Db::kFailed), 1u);
}

// ---- BR-25: dead hosts ----

TEST_F(DeliveryCases, BR25_TwoHundredFollowersOnOneSharedInboxGetOneDelivery) {
  SeedFollowers(200);
  Post("to everyone");
  ASSERT_EQ(Queued().size(), 1u);
  EXPECT_EQ(Queued()[0].inbox, inbox_host_.url("/inbox"));
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock());
  RunOnce(worker);
  EXPECT_EQ(inbox_host_.requests().size(), 1u);
}

TEST_F(DeliveryCases, BR25_FailuresAreTrackedPerInboxHostWithExponentialBackoffAndJitter) {
  // api.down.example.net refuses connections.
  int closed = testhttp::ClosedPort();
  CaseNode node(NodeOptions{.resolve = {"api.down.example.net:" + std::to_string(closed) + ":127.0.0.1"}});
  std::string inbox = "http://api.down.example.net:" + std::to_string(closed) + "/inbox";
  ASSERT_TRUE(node.Update([&](store::Txn& txn) -> cs::Status {
    store::ActorRecord a;
    a.id = "http://down.example.net/users/u0";
    a.type = "Person";
    a.inbox = a.id + "/inbox";
    a.shared_inbox = inbox;
    CS_RETURN_IF_ERROR(store::PutActor(txn, a));
    return store::PutFollow(txn, {.follower = a.id, .followee = node.User("teacher1"),
                                  .state = store::FollowState::kAccepted});
  }).ok());
  ASSERT_TRUE(node.Update([&](store::Txn& txn) {
    return node->outbox().Post(txn, "teacher1", "hello", {}).status();
  }).ok());
  DeliveryOptions opts;
  DeliveryWorker worker(node.store(), node->client(), node.clock(), opts);
  auto queued = [&] {
    std::vector<store::DeliveryRecord> out;
    auto txn = node.store().BeginRead();
    (void)txn->Scan(store::Db::kDeliveries, "", [&](std::string_view, std::string_view v) {
      out.push_back(*store::DeliveryRecord::Decode(v));
      return true;
    });
    return out;
  };
  std::vector<int64_t> delays;
  int64_t start = node.clock().NowMillis();
  for (int attempt = 0; attempt < 60; ++attempt) {
    auto q = queued();
    if (q.empty()) break;
    node.clock().Set(std::max(node.clock().NowMillis(), q[0].due_ms));
    int64_t sent_at = node.clock().NowMillis();
    ASSERT_TRUE(worker.RunOnce().ok());
    auto after = queued();
    if (!after.empty()) delays.push_back(after[0].due_ms - sent_at);
  }
  ASSERT_GE(delays.size(), 5u);
  EXPECT_LE(delays.size(), 30u);  // bounded
  EXPECT_TRUE(queued().empty());
  EXPECT_GE(node.clock().NowMillis() - start, opts.give_up_after_ms);
  // 30 s, then doubling, each within +-20 %.
  EXPECT_GE(delays[0], 24'000);
  EXPECT_LE(delays[0], 36'000);
  for (size_t i = 1; i < 5; ++i) {
    int64_t base = DeliveryWorker::BackoffMs(opts, i + 1);
    EXPECT_EQ(base, opts.first_retry_ms << i);
    EXPECT_GE(delays[i], base * 8 / 10) << i;
    EXPECT_LE(delays[i], base * 12 / 10) << i;
  }
  for (int64_t d : delays) EXPECT_LE(d, opts.max_retry_ms * 12 / 10);
  // Tracked under the inbox's host, not the followers' domain; now marked unavailable.
  auto txn = node.store().BeginRead();
  auto host = store::GetHost(*txn, "api.down.example.net:" + std::to_string(closed));
  ASSERT_TRUE(host.ok());
  EXPECT_TRUE(host->unavailable);
  EXPECT_GE(host->consecutive_failures, delays.size());
  EXPECT_FALSE(store::GetHost(*txn, "down.example.net").ok());
  EXPECT_EQ(txn->Count(store::Db::kFailed), 1u);
}

TEST_F(DeliveryCases, BR25_UnavailableHostIsSkippedWithoutNetworkUntilASuccessfulProbe) {
  inbox_host_.Serve("/inbox", testhttp::Respond(503, ""));
  SeedFollowers(200);
  DeliveryOptions opts;
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock(), opts);
  Post("during the outage");
  int rounds = 0;
  while (RunNextDue(worker) && rounds < 60) ++rounds;
  auto host = Host(inbox_host_.authority());
  ASSERT_TRUE(host);
  ASSERT_TRUE(host->unavailable);
  size_t sent = inbox_host_.requests().size();
  EXPECT_EQ(sent, static_cast<size_t>(rounds));

  // down.example.net keeps POSTing to us: that does not clear the mark.
  node_.Seed(inbox_host_, "/users/u0", kDown);
  std::string u0 = inbox_host_.url("/users/u0");
  auto in = node_->inbox().Handle(SignedPost(CreateNote(u0, inbox_host_.url("/notes/1")), u0 + "#main-key",
                                             kDown, node_.clock().NowSeconds()), "");
  EXPECT_EQ(in.status, 202) << in.body;
  EXPECT_TRUE(Host(inbox_host_.authority())->unavailable);

  // New deliveries to it are dropped without a network call.
  Post("still down");
  EXPECT_EQ(RunOnce(worker), 1u);
  EXPECT_EQ(inbox_host_.requests().size(), sent);
  EXPECT_TRUE(Queued().empty());
  EXPECT_EQ(node_.Count(store::Db::kFailed), 2u);

  // It comes back; after the probe interval one delivery probes it, and success clears the mark.
  inbox_host_.Serve("/inbox", testhttp::Respond(202, ""));
  node_.clock().Advance(opts.max_retry_ms);
  Post("back?");
  RunOnce(worker);
  EXPECT_EQ(inbox_host_.requests().size(), sent + 1);
  host = Host(inbox_host_.authority());
  EXPECT_FALSE(host->unavailable);
  EXPECT_EQ(host->consecutive_failures, 0u);
  Post("back!");
  RunOnce(worker);
  EXPECT_EQ(inbox_host_.requests().size(), sent + 2);
  EXPECT_EQ(worker.stats().delivered, 2u);
}

TEST_F(DeliveryCases, BR25_GoneFromAPersonalInboxRemovesThatFollower) {
  SeedFollowers(2, /*shared=*/false);
  inbox_host_.Serve("/users/u0/inbox", testhttp::Respond(410, ""));
  inbox_host_.Serve("/users/u1/inbox", testhttp::Respond(202, ""));
  Post("hello");
  ASSERT_EQ(Queued().size(), 2u);
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock());
  RunOnce(worker);
  EXPECT_TRUE(Queued().empty());  // 410 is final
  auto txn = node_.store().BeginRead();
  EXPECT_FALSE(store::GetFollow(*txn, "http://down.example.net/users/u0", node_.User("teacher1")).ok());
  EXPECT_TRUE(store::GetFollow(*txn, "http://down.example.net/users/u1", node_.User("teacher1")).ok());
  txn->Abort();
  Post("again");
  ASSERT_EQ(Queued().size(), 1u);
  EXPECT_EQ(Queued()[0].inbox, inbox_host_.url("/users/u1/inbox"));
}

TEST_F(DeliveryCases, BR25_TooManyRequestsHonoursRetryAfter) {
  SeedFollowers(1);
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock());
  // Seconds form.
  inbox_host_.Serve("/inbox", testhttp::Respond(429, "", {{"Retry-After", "3600"}}));
  Post("slow down");
  int64_t sent_at = node_.clock().NowMillis();
  RunOnce(worker);
  ASSERT_EQ(Queued().size(), 1u);
  EXPECT_GE(Queued()[0].due_ms, sent_at + 3600'000);
  EXPECT_LE(Queued()[0].due_ms, sent_at + 3600'000 + 60'000);
  // HTTP-date form.
  node_.clock().Set(Queued()[0].due_ms);
  sent_at = node_.clock().NowMillis();
  inbox_host_.Serve("/inbox", testhttp::Respond(429, "", {{"Retry-After", cs::FormatHttpDate(sent_at / 1000 + 7200)}}));
  RunOnce(worker);
  ASSERT_EQ(Queued().size(), 1u);
  EXPECT_GE(Queued()[0].due_ms, sent_at + 7200'000 - 1000);
  EXPECT_LE(Queued()[0].due_ms, sent_at + 7200'000 + 60'000);
}

TEST_F(DeliveryCases, BR25_OtherClientErrorsAreFinalForThatActivityAndTheHostStaysAvailable) {
  SeedFollowers(1);
  inbox_host_.Serve("/inbox", testhttp::Respond(404, ""));
  DeliveryWorker worker(node_.store(), node_->client(), node_.clock());
  Post("lost");
  RunOnce(worker);
  EXPECT_TRUE(Queued().empty());
  EXPECT_EQ(node_.Count(store::Db::kFailed), 1u);
  EXPECT_EQ(inbox_host_.requests().size(), 1u);
  auto host = Host(inbox_host_.authority());
  ASSERT_TRUE(host);
  EXPECT_FALSE(host->unavailable);
  EXPECT_EQ(host->consecutive_failures, 0u);  // it answered: it is alive
}

// A host that never failed before goes silent: the pass waiting on it holds only that host, and
// another fresh lane sends what is queued for the others meanwhile.
TEST_F(DeliveryCases, BR25_ANewlySilentHostDoesNotHoldUpDeliveriesToOthers) {
  BlackHole hole;
  SeedFollowers(1);
  SeedFollowerOn(hole);
  DeliveryOptions opts;
  opts.poll_ms = 10;
  BlackHoleDoesNotHoldUpTheOthers(hole, opts);
}

// A host that failed before is served by the lane for failing hosts, so even a single fresh
// lane never waits on it.
TEST_F(DeliveryCases, BR25_AFailingHostWaitsInItsOwnLane) {
  BlackHole hole;
  SeedFollowers(1);
  SeedFollowerOn(hole);
  cs::Status st = node_.Update([&](store::Txn& txn) {
    store::HostRecord h;
    h.host = hole.remote.authority();
    h.consecutive_failures = 1;
    h.first_failure_ms = node_.clock().NowMillis();
    return store::PutHost(txn, h);
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  DeliveryOptions opts;
  opts.poll_ms = 10;
  opts.fresh_lanes = 1;
  BlackHoleDoesNotHoldUpTheOthers(hole, opts);
}

}  // namespace
}  // namespace cases
