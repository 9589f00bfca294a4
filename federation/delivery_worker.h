// Sends queued deliveries. Each pass takes the deliveries that are due (oldest first), signs
// each at send time (fresh Date; draft-cavage, or RFC 9421 where the host is known to want it),
// sends them concurrently with a cap per host, and records the outcome in one transaction:
// 2xx done; 401/400 retried once at once with the other signature scheme (the winner is
// remembered per host); timeouts, 429 and 5xx retried with exponential backoff and jitter for
// about two days; other 4xx recorded as failed. A delivery leaves the queue only after its
// outcome is known, so a crash or restart loses none (receivers drop duplicates by id).
// Runs on its own thread, never on one that serves requests. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "federation/http_client.h"
#include "store/clock.h"
#include "store/records.h"

namespace federation {

class PrivateKey;

struct DeliveryOptions {
  size_t batch = 1000;                 // deliveries taken per pass
  int max_parallel = 128;              // requests in flight
  int per_host = 4;                    // requests in flight per host
  int poll_ms = 200;                   // how often the queue is looked at (commands write to it)
  int64_t give_up_after_ms = 48LL * 3600 * 1000;  // "about two days" of retries
  int64_t first_retry_ms = 30'000;     // then doubling, with ±20% jitter
  int64_t max_retry_ms = 6LL * 3600 * 1000;
  int signing_threads = 2;             // RSA signing is the fan-out's main CPU cost
};

struct DeliveryStats {
  uint64_t sent = 0, delivered = 0, retried = 0, failed = 0;
};

class DeliveryWorker {
 public:
  DeliveryWorker(const store::Store& store, const HttpClient& client, const cs::Clock& clock,
                 DeliveryOptions options = {});
  ~DeliveryWorker();

  // One pass over what is due now. Returns how many deliveries were attempted.
  cs::Result<size_t> RunOnce();
  // Background loop: a pass every poll_ms, or at once after Wake().
  void Start();
  void Stop();
  void Wake();
  DeliveryStats stats() const;

  // The delay before attempt number `attempts` + 1 (without jitter).
  static int64_t BackoffMs(const DeliveryOptions& options, uint64_t attempts);

 private:
  std::shared_ptr<const PrivateKey> SignerKey(const std::string& actor_id);

  const store::Store& store_;
  const HttpClient& client_;
  const cs::Clock& clock_;
  const DeliveryOptions options_;
  std::mutex keys_mu_;
  std::map<std::string, std::shared_ptr<const PrivateKey>> keys_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, wake_ = false;
  std::thread thread_;
  mutable std::mutex stats_mu_;
  DeliveryStats stats_;
};

}  // namespace federation
