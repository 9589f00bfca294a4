// Durable background jobs: the remote fetches an incoming activity needs but the sender must
// not wait for (an object given only by id, a reply's parent, a boosted post), and the purge
// of a deleted remote actor's content. Jobs live in the store; a failed fetch is retried with
// backoff (404/410 and refusals are final). Runs on its own thread. Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "federation/activity_handlers.h"
#include "federation/actor_cache.h"
#include "store/writer.h"

namespace federation {

// Fetches the object `id` from its origin, checks it is its author's, stores it and puts it on
// the timelines it reaches (and on those of `boosted_by`'s local followers). Ok when already stored.
cs::Status FetchAndStoreObject(const store::Store& store, const ActorCache& actors, const Fetcher& fetcher,
                               const ActivityHandlers& handlers, const std::string& id,
                               const std::string& boosted_by);

class JobWorker {
 public:
  JobWorker(const store::Store& store, const ActorCache& actors, const Fetcher& fetcher,
            const ActivityHandlers& handlers, const cs::Clock& clock);
  ~JobWorker();
  // Runs the jobs that are due; returns how many ran.
  cs::Result<size_t> RunOnce();
  void Start(int poll_ms = 250);
  void Stop();

  static constexpr uint64_t kMaxAttempts = 8;

 private:
  cs::Status Run(const store::JobRecord& job);
  cs::Status PurgeActor(const std::string& actor);

  const store::Store& store_;
  const ActorCache& actors_;
  const Fetcher& fetcher_;
  const ActivityHandlers& handlers_;
  const cs::Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace federation
