#include "federation/job_worker.h"

#include "federation/group.h"
#include "federation/json.h"
#include "federation/peer_software.h"
#include "federation/url.h"
#include "store/discussion.h"

namespace federation {

JobWorker::JobWorker(const store::Store& store, const ActorCache& actors, const Fetcher& fetcher,
                     const ActivityHandlers& handlers, const cs::Clock& clock)
    : store_(store), actors_(actors), fetcher_(fetcher), handlers_(handlers), clock_(clock) {}

JobWorker::~JobWorker() { Stop(); }

cs::Status FetchAndStoreObject(const store::Store& db, const ActorCache& actors,
                               const Fetcher& fetcher, const ActivityHandlers& handlers,
                               const std::string& id, const std::string& boosted_by) {
  {
    auto txn = db.BeginRead();
    if (!txn.ok()) return txn.status();
    if (store::GetObject(*txn, id).ok()) {
      if (boosted_by.empty()) return cs::Status::Ok();
    }
  }
  auto fetched = fetcher.FetchActivityJson(id);
  if (!fetched.ok()) return fetched.status();
  auto object = ParseObject(*fetched->json);
  if (!object.ok()) return object.status();
  if (object->id != id && !SameOrigin(object->id, id))
    return cs::Status::InvalidInput("fetched " + id + " but got " + object->id);
  if (object->attributed_to.empty() || !SameOrigin(object->attributed_to, object->id))
    return cs::Status::InvalidInput(object->id + " is attributed to an actor on another origin");
  auto author = actors.GetActor(object->attributed_to);
  if (!author.ok()) return author.status();
  return db.Update([&](store::Txn& txn) {
    return handlers.StoreRemoteObject(txn, *object, *author, "", boosted_by);
  });
}

cs::Status JobWorker::PurgeActor(const std::string& actor) {
  // Tombstones every stored object by the deleted actor. A full scan: deleted actors are rare.
  int64_t now = clock_.NowMillis();
  return store_.Update([&](store::Txn& txn) -> cs::Status {
    std::vector<store::ObjectRecord> gone;
    CS_RETURN_IF_ERROR(txn.Scan(store::Db::kObjects, "", [&](std::string_view, std::string_view v) {
      if (auto o = store::ObjectRecord::Decode(v); o && o->attributed_to == actor && !o->deleted())
        gone.push_back(std::move(*o));
      return true;
    }));
    for (auto& o : gone) {
      o.deleted_ms = now;
      o.content_html.clear();
      o.raw_json.clear();
      CS_RETURN_IF_ERROR(store::PutObject(txn, o));
      CS_RETURN_IF_ERROR(store::DropReactions(txn, o.id));
    }
    return store::DropReactionsBy(txn, actor);  // its likes and boosts no longer count
  });
}

cs::Status JobWorker::Run(const store::JobRecord& job) {
  if (job.kind == "fetch_object")
    return FetchAndStoreObject(store_, actors_, fetcher_, handlers_, job.subject, "");
  if (job.kind == "fetch_announced")
    return FetchAndStoreObject(store_, actors_, fetcher_, handlers_, job.subject, job.detail);
  if (job.kind == "purge_actor") return PurgeActor(job.subject);
  if (IsPeerSoftwareJob(job.kind)) return RunPeerSoftwareJob(store_, fetcher_, job, clock_);
  if (IsGroupJob(job.kind))
    return RunGroupJob(store_, actors_, fetcher_, handlers_, job, clock_);
  return cs::Status::InvalidInput("unknown job kind " + job.kind);
}

cs::Result<size_t> JobWorker::RunOnce() {
  int64_t now = clock_.NowMillis();
  std::vector<std::pair<std::string, store::JobRecord>> due;
  {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return txn.status();
    CS_RETURN_IF_ERROR(txn->ScanRange(store::Db::kJobs, "", store::EncodeBe64(now + 1),
                                      [&](std::string_view k, std::string_view v) {
                                        if (auto j = store::JobRecord::Decode(v))
                                          due.emplace_back(std::string(k), std::move(*j));
                                        return due.size() < 64;
                                      }));
  }
  for (auto& [key, job] : due) {
    cs::Status st = Run(job);
    bool retry = !st.ok() && st.Is(cs::Status::Code::kUnavailable) && job.attempts + 1 < kMaxAttempts;
    CS_RETURN_IF_ERROR(store_.Update([&](store::Txn& txn) -> cs::Status {
      CS_RETURN_IF_ERROR(txn.Delete(store::Db::kJobs, key));
      if (!retry) return cs::Status::Ok();
      store::JobRecord next = job;
      next.attempts++;
      next.due_ms = clock_.NowMillis() + (30'000LL << std::min<uint64_t>(next.attempts, 10));
      return txn.Put(store::Db::kJobs, next.Key(), next.Encode());
    }));
  }
  return due.size();
}

void JobWorker::Start(int poll_ms) {
  thread_ = std::thread([this, poll_ms] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      (void)RunOnce();
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(poll_ms), [&] { return stop_; });
    }
  });
}

void JobWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace federation
