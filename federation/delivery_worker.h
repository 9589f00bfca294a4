// Sends queued deliveries. Each pass takes the deliveries that are due (oldest first), signs
// each at send time (fresh Date; draft-cavage, or RFC 9421 where the host is known to want it),
// sends them concurrently with a cap per host, and records the outcome in one transaction:
// 2xx done; 401/400 retried once at once with the other signature scheme (the winner is
// remembered per host); timeouts, 408, 429 and 5xx retried with exponential backoff and jitter
// (429/503 no sooner than their Retry-After) for about two days; other 4xx recorded as failed,
// and a 410 from a personal inbox also ends that actor's follows. A delivery leaves the queue
// only after its outcome is known, so a crash or restart loses none (receivers drop duplicates
// by id).
//
// Health per inbox host (BR-25): any HTTP answer other than 408/5xx proves the host alive and
// clears its failures. A host that has failed for about two days (or whose delivery expired) is
// marked unavailable: deliveries to it are then dropped to the failed list without a network
// call, except one probe every max_retry_ms, and only a delivery's answer clears the mark.
//
// A dead host never holds up the others: the background loop runs passes on several threads
// (lanes), hosts that failed lately have a lane of their own, and a pass never takes deliveries
// to a host that another pass is still waiting on. Deliveries are claimed in memory while a
// pass holds them, so no two passes send one.
// Runs on its own threads, never on one that serves requests. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "federation/http_client.h"
#include "store/clock.h"
#include "store/records.h"

namespace federation {

class PrivateKey;

struct DeliveryOptions {
  size_t batch = 1000;     // deliveries taken per pass
  int max_parallel = 128;  // requests in flight
  int per_host = 4;        // requests in flight per host
  int poll_ms = 200;       // how often the queue is looked at (commands write to it)
  int64_t give_up_after_ms = 48LL * 3600 * 1000;  // "about two days" of retries
  int64_t first_retry_ms = 30'000;                // then doubling, with ±20% jitter
  int64_t max_retry_ms = 6LL * 3600 * 1000;
  int signing_threads = 2;  // RSA signing is the fan-out's main CPU cost
  // Background threads for hosts without recent failures. More than one, so that a host that
  // dies while a pass waits on it cannot hold up the next pass; hosts with failures have one
  // more thread of their own.
  int fresh_lanes = 2;
};

struct DeliveryStats {
  uint64_t sent = 0, delivered = 0, retried = 0, failed = 0;
};

class DeliveryWorker {
 public:
  DeliveryWorker(const store::Store& store, const HttpClient& client, const cs::Clock& clock,
                 DeliveryOptions options = {});
  ~DeliveryWorker();

  // One pass over what is due now (every lane). Returns how many deliveries were taken (sent or
  // dropped). Passes may run concurrently: each skips what another holds.
  cs::Result<size_t> RunOnce();
  // Background lanes: each runs a pass every poll_ms, or at once after Wake().
  void Start();
  void Stop();
  void Wake();
  DeliveryStats stats() const;

  // The delay before attempt number `attempts` + 1 (without jitter).
  static int64_t BackoffMs(const DeliveryOptions& options, uint64_t attempts);

 private:
  struct Attempt;  // one delivery taken by a pass (delivery_worker.cc)
  // kFresh: hosts without failures since their last answer; kSuspect: the others.
  enum class Lane { kAll, kFresh, kSuspect };

  cs::Result<size_t> RunPass(Lane lane);
  cs::Status Take(Lane lane, int64_t now, std::vector<Attempt>& attempts);
  cs::Status Prepare(std::vector<Attempt>& attempts) const;
  void SignAndSend(const std::vector<Attempt*>& list);
  void SetWaiting(Attempt& attempt, bool waiting);
  void Release(std::vector<Attempt>& attempts);
  cs::Status Record(store::Txn& txn, const Attempt& attempt, int64_t now, int64_t done_at,
                    store::HostRecord& host, double draw, DeliveryStats& delta) const;
  void Loop(Lane lane);
  std::shared_ptr<const PrivateKey> SignerKey(const std::string& actor_id);

  const store::Store& store_;
  const HttpClient& client_;
  const cs::Clock& clock_;
  const DeliveryOptions options_;
  std::mutex keys_mu_;
  std::map<std::string, std::shared_ptr<const PrivateKey>> keys_;
  // What running passes hold: queue keys until their outcome is written, and per inbox host the
  // requests not yet answered (a pass skips hosts another pass is waiting on).
  std::mutex claims_mu_;
  std::set<std::string> claimed_;
  std::map<std::string, int> waiting_on_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t wakes_ = 0;  // every lane sees every Wake()
  std::vector<std::thread> threads_;
  mutable std::mutex stats_mu_;
  DeliveryStats stats_;
};

}  // namespace federation
