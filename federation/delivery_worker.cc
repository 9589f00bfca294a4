#include "federation/delivery_worker.h"

#include <openssl/rand.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "federation/crypto.h"
#include "federation/http_signature.h"
#include "federation/url.h"

namespace federation {

struct DeliveryWorker::Attempt {
  std::string old_key;
  store::DeliveryRecord record;
  HttpRequest request;
  std::string host;  // inbox authority; empty when the record or its URL is unreadable
  store::SignatureSchemeChoice scheme = store::SignatureSchemeChoice::kCavage;
  bool scheme_known = false;
  bool probe = false;    // the one delivery that tests an unavailable host
  bool waiting = false;  // counted in waiting_on_ until its answer arrives
  cs::Result<HttpResponse> result = cs::Status::Internal("not sent");
  bool skip = false;  // dropped without sending (blocked or unavailable host, missing activity)
  std::string skip_reason;
};

namespace {

// Runs `f` when the scope ends, whichever way it ends.
struct OnExit {
  std::function<void()> f;
  ~OnExit() { f(); }
};

// A uniformly random fraction in [0, 1].
double Random01() {
  uint32_t r = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r);
  return r / 4294967295.0;
}

// ±20 % of `ms`; `draw` in [0, 1].
int64_t Jitter(int64_t ms, double draw) { return static_cast<int64_t>(ms * (0.8 + 0.4 * draw)); }

// Connection failures, timeouts, 408 and 5xx: the host is not (properly) there.
bool HostDown(const cs::Result<HttpResponse>& r) {
  if (!r.ok()) return r.status().Is(cs::Status::Code::kUnavailable);
  return r->status == 408 || r->status >= 500;
}

// Any other HTTP answer, 4xx and 429 included, proves the host is up.
bool HostAnswered(const cs::Result<HttpResponse>& r) { return r.ok() && !HostDown(r); }

bool Retryable(const cs::Result<HttpResponse>& r) {
  return HostDown(r) || (r.ok() && r->status == 429);
}

bool Delivered(const cs::Result<HttpResponse>& r) {
  return r.ok() && r->status >= 200 && r->status < 300;
}

std::string Describe(const cs::Result<HttpResponse>& r) {
  if (!r.ok()) return r.status().ToString();
  return "HTTP " + std::to_string(r->status);
}

// Hosts that failed since their last answer are served by a lane of their own, so that their
// timeouts never hold up a pass to healthy hosts.
bool Suspect(const std::optional<store::HostRecord>& host) {
  return host && (host->unavailable || host->consecutive_failures > 0);
}

// Retry-After (RFC 9110 section 10.2.3) as a delay from now_ms: delay-seconds or an HTTP-date.
// nullopt when absent, unreadable or not in the future.
std::optional<int64_t> RetryAfterMs(const HttpResponse& response, int64_t now_ms) {
  std::string value = response.headers.Get("retry-after");
  if (value.empty()) return std::nullopt;
  int64_t delay = 0;
  if (value.find_first_not_of("0123456789") == std::string::npos) {
    delay = value.size() > 9 ? 999'999'999'000 : std::stoll(value) * 1000;  // later caps it
  } else if (int64_t at = cs::ParseHttpDate(value); at >= 0) {
    delay = at * 1000 - now_ms;
  }
  if (delay <= 0) return std::nullopt;
  return delay;
}

// When to try a retryable failure again: exponential backoff with jitter, but no sooner than a
// 429's or 503's Retry-After (capped at max_retry_ms, so a hostile value cannot park a delivery
// for good, and spread over up to 30 s). `draw` (in [0, 1]) is drawn once per host and pass: the
// jitter spreads hosts apart, while deliveries that failed together at one host come due
// together and so go out again in queue order.
int64_t RetryDelayMs(const DeliveryOptions& o, uint64_t attempts, const cs::Result<HttpResponse>& r,
                     int64_t now_ms, double draw) {
  int64_t delay = Jitter(DeliveryWorker::BackoffMs(o, attempts), draw);
  if (r.ok() && (r->status == 429 || r->status == 503)) {
    if (std::optional<int64_t> after = RetryAfterMs(*r, now_ms)) {
      int64_t wait = std::min(*after, o.max_retry_ms);
      wait += static_cast<int64_t>(std::min<int64_t>(wait / 10, 30'000) * draw);
      delay = std::max(delay, wait);
    }
  }
  return delay;
}

cs::Status PutFailed(store::Txn& txn, store::DeliveryRecord rec, std::string why) {
  rec.last_error = std::move(why);
  return txn.Put(store::Db::kFailed, store::EncodeBe64(rec.seq), rec.Encode());
}

// A 410 from a personal inbox: the actor it belongs to is gone, so it follows nobody here any
// more and the next post is not queued to it. Only the signer's followers are looked at (a 410
// is rare; the actors table has no index by inbox). A shared inbox's 410 says nothing about any
// one actor, so it only ends that activity's delivery.
cs::Status ForgetGoneFollower(store::Txn& txn, const std::string& signer,
                              const std::string& inbox) {
  for (const auto& follow : store::ListFollowers(txn, signer)) {
    auto actor = store::GetActor(txn, follow.follower);
    if (!actor.ok() || actor->local || actor->inbox != inbox || actor->shared_inbox == inbox)
      continue;
    for (const auto& f : store::ListFollowing(txn, actor->id))
      CS_RETURN_IF_ERROR(store::DeleteFollow(txn, f.follower, f.followee));
  }
  return cs::Status::Ok();
}

}  // namespace

DeliveryWorker::DeliveryWorker(const store::Store& store, const HttpClient& client,
                               const cs::Clock& clock, DeliveryOptions options)
    : store_(store), client_(client), clock_(clock), options_(options) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

int64_t DeliveryWorker::BackoffMs(const DeliveryOptions& o, uint64_t attempts) {
  int64_t d = o.first_retry_ms;
  for (uint64_t i = 1; i < attempts && d < o.max_retry_ms; ++i) d *= 2;
  return std::min(d, o.max_retry_ms);
}

std::shared_ptr<const PrivateKey> DeliveryWorker::SignerKey(const std::string& actor_id) {
  std::lock_guard<std::mutex> lock(keys_mu_);
  if (auto it = keys_.find(actor_id); it != keys_.end()) return it->second;
  auto txn = store_.BeginRead();
  if (!txn.ok()) return nullptr;
  auto pem = txn->Get(store::Db::kPrivateKeys, actor_id);
  if (!pem.ok()) return nullptr;
  auto key = PrivateKey::FromPem(*pem);
  if (!key.ok()) return nullptr;
  auto shared = std::make_shared<const PrivateKey>(std::move(key).value());
  keys_[actor_id] = shared;
  return shared;
}

DeliveryStats DeliveryWorker::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

cs::Result<size_t> DeliveryWorker::RunOnce() { return RunPass(Lane::kAll); }

// Scans the due deliveries (oldest first) and claims up to `batch` of them for this pass: those
// of `lane` that no other pass holds, to hosts no other pass is waiting on. Scan and claim are
// one step under claims_mu_, so concurrent passes take disjoint sets.
cs::Status DeliveryWorker::Take(Lane lane, int64_t now, std::vector<Attempt>& attempts) {
  auto txn = store_.BeginRead();
  if (!txn.ok()) return txn.status();
  std::map<std::string, std::optional<store::HostRecord>> hosts;
  std::set<std::string> probing;
  std::lock_guard<std::mutex> lock(claims_mu_);
  std::string until = store::EncodeBe64(static_cast<uint64_t>(now) + 1);
  CS_RETURN_IF_ERROR(txn->ScanRange(
      store::Db::kDeliveries, "", until, [&](std::string_view k, std::string_view v) {
        Attempt a;
        a.old_key = std::string(k);
        if (claimed_.count(a.old_key)) return true;
        if (auto rec = store::DeliveryRecord::Decode(v)) {
          a.record = std::move(*rec);
          if (auto url = ParseUrl(a.record.inbox); url.ok()) a.host = url->Authority();
        } else {
          a.skip = true, a.skip_reason = "undecodable delivery";
        }
        if (a.host.empty()) {
          if (lane == Lane::kFresh) return true;  // dropped by the other lane (Prepare says why)
        } else {
          auto [it, added] = hosts.try_emplace(a.host);
          if (added) {
            if (auto got = store::GetHost(*txn, a.host); got.ok()) it->second = std::move(*got);
          }
          const std::optional<store::HostRecord>& host = it->second;
          if ((lane == Lane::kFresh && Suspect(host)) || (lane == Lane::kSuspect && !Suspect(host)))
            return true;
          if (waiting_on_.count(a.host)) return true;  // another pass waits on this host
          if (host && host->unavailable) {
            if (now < host->next_probe_ms) {
              a.skip = true, a.skip_reason = "host unavailable, not tried (next probe at " +
                                             cs::FormatRfc3339(host->next_probe_ms / 1000) + ")";
            } else if (!probing.insert(a.host).second) {
              return true;  // one probe per host; the rest wait for its answer
            } else {
              a.probe = true;
            }
          }
        }
        claimed_.insert(a.old_key);
        attempts.push_back(std::move(a));
        return attempts.size() < options_.batch;
      }));
  // Counted after the scan: while scanning, waiting_on_ holds only the other passes' hosts.
  for (Attempt& a : attempts) {
    if (a.skip) continue;
    a.waiting = true;
    ++waiting_on_[a.host];
  }
  return cs::Status::Ok();
}

// Builds the request of every attempt still to be sent, or marks why it is dropped.
cs::Status DeliveryWorker::Prepare(std::vector<Attempt>& attempts) const {
  auto txn = store_.BeginRead();
  if (!txn.ok()) return txn.status();
  std::map<std::string, std::string> bodies;  // activity id -> JSON
  for (auto& a : attempts) {
    if (a.skip) continue;
    auto url = ParseUrl(a.record.inbox);
    if (!url.ok()) {
      a.skip = true, a.skip_reason = "bad inbox URL";
      continue;
    }
    if (store::IsBlocked(*txn, url->Authority())) {
      a.skip = true, a.skip_reason = "domain blocked";
      continue;
    }
    if (!bodies.count(a.record.activity_id)) {
      auto act = store::GetActivity(*txn, a.record.activity_id);
      if (!act.ok()) {
        a.skip = true, a.skip_reason = "activity gone";
        continue;
      }
      bodies[a.record.activity_id] = act->json;
    }
    if (auto host = store::GetHost(*txn, a.host);
        host.ok() && host->scheme != store::SignatureSchemeChoice::kUnknown) {
      a.scheme = host->scheme;
      a.scheme_known = true;
    }
    a.request.method = "POST";
    a.request.scheme = url->scheme;
    a.request.authority = url->Authority();
    a.request.target = url->Target();
    a.request.headers.Set("content-type", "application/activity+json");
    a.request.headers.Set("accept", "application/activity+json");
    a.request.body = bodies[a.record.activity_id];
  }
  return cs::Status::Ok();
}

void DeliveryWorker::SetWaiting(Attempt& a, bool waiting) {
  std::lock_guard<std::mutex> lock(claims_mu_);
  if (a.waiting == waiting) return;
  a.waiting = waiting;
  if (waiting) {
    ++waiting_on_[a.host];
  } else if (--waiting_on_[a.host] <= 0) {
    waiting_on_.erase(a.host);
  }
}

void DeliveryWorker::Release(std::vector<Attempt>& attempts) {
  for (Attempt& a : attempts) SetWaiting(a, false);
  std::lock_guard<std::mutex> lock(claims_mu_);
  for (const Attempt& a : attempts) claimed_.erase(a.old_key);
}

// Signs (in parallel: RSA signing is the main CPU cost of a fan-out) and sends. A large list is
// signed by background threads while the calling thread already sends what is signed, in list
// order: the first request leaves after one signature, not after the whole batch, and signing
// overlaps the network. A host stops counting as waited on as soon as its answer arrives, not
// when the whole batch is done.
void DeliveryWorker::SignAndSend(const std::vector<Attempt*>& list) {
  // 0: not signed yet, 1: signed (request published), 2: dropped (skip set).
  std::vector<std::atomic<int>> state(list.size());
  std::vector<HttpRequest> requests(list.size());
  auto sign_one = [&](size_t i) {
    Attempt& a = *list[i];
    auto key = SignerKey(a.record.signer);
    cs::Status st = cs::Status::Ok();
    if (!key) {
      st = cs::Status::NotFound("no key for " + a.record.signer);
    } else {
      std::string key_id = a.record.signer + "#main-key";
      st = a.scheme == store::SignatureSchemeChoice::kRfc9421
               ? SignRfc9421(a.request, key_id, *key, clock_.NowSeconds())
               : SignCavage(a.request, key_id, *key, clock_.NowSeconds());
    }
    if (!st.ok()) {
      a.skip = true, a.skip_reason = st.message();
      state[i].store(2, std::memory_order_release);
      return;
    }
    requests[i] = a.request;
    state[i].store(1, std::memory_order_release);
  };
  const int threads =
      std::max(1, std::min<int>(options_.signing_threads, static_cast<int>(list.size() / 64)));
  // Below 64 deliveries: sign here, then send (no threads to start for a reply or two).
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  if (list.size() < 64) {
    for (size_t i = 0; i < list.size(); ++i) sign_one(i);
  } else {
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (size_t i; (i = next.fetch_add(1)) < list.size();) sign_one(i);
      });
  }
  // Waited on until answered (again, for the second knock).
  for (Attempt* a : list) SetWaiting(*a, true);
  auto ready = [&](size_t i) {
    switch (state[i].load(std::memory_order_acquire)) {
      case 1:
        return HttpClient::Readiness::kSend;
      case 2:
        return HttpClient::Readiness::kDrop;
      default:
        return HttpClient::Readiness::kWait;
    }
  };
  auto results = client_.ExecuteMany(
      requests, options_.max_parallel, options_.per_host,
      [&](size_t i, const cs::Result<HttpResponse>&) { SetWaiting(*list[i], false); }, ready);
  for (auto& th : pool) th.join();
  for (size_t i = 0; i < list.size(); ++i)
    if (!list[i]->skip) list[i]->result = std::move(results[i]);
}

// Writes the outcome of one sent attempt: the delivery leaves the queue (done or failed) or goes
// back with its next due time, and `host` (written by the caller) learns whether it is alive.
cs::Status DeliveryWorker::Record(store::Txn& txn, const Attempt& a, int64_t now, int64_t done_at,
                                  store::HostRecord& host, double draw,
                                  DeliveryStats& delta) const {
  store::DeliveryRecord rec = a.record;
  rec.attempts++;
  if (rec.first_attempt_ms == 0) rec.first_attempt_ms = now;
  delta.sent++;
  if (HostAnswered(a.result)) {
    host.consecutive_failures = 0;
    host.unavailable = false;
  } else if (HostDown(a.result)) {
    if (host.consecutive_failures++ == 0) host.first_failure_ms = done_at;
  }
  if (Delivered(a.result)) {
    host.last_success_ms = done_at;
    host.delivered++;
    host.scheme = a.scheme;
    delta.delivered++;
    return cs::Status::Ok();
  }
  bool expired = done_at - rec.created_ms > options_.give_up_after_ms;
  if (HostDown(a.result) &&
      (expired || a.probe || done_at - host.first_failure_ms >= options_.give_up_after_ms)) {
    // Down for about two days, or still down at its probe: stop knocking until the next probe.
    host.unavailable = true;
    host.next_probe_ms = done_at + options_.max_retry_ms;
  }
  if (Retryable(a.result) && !expired && !host.unavailable) {
    rec.last_error = Describe(a.result);
    rec.due_ms = done_at + RetryDelayMs(options_, rec.attempts, a.result, done_at, draw);
    delta.retried++;
    return txn.Put(store::Db::kDeliveries, rec.Key(), rec.Encode());
  }
  host.failed++;
  delta.failed++;
  if (a.result.ok() && a.result->status == 410)
    CS_RETURN_IF_ERROR(ForgetGoneFollower(txn, rec.signer, rec.inbox));
  return PutFailed(txn, std::move(rec), Describe(a.result));
}

cs::Result<size_t> DeliveryWorker::RunPass(Lane lane) {
  const int64_t now = clock_.NowMillis();
  std::vector<Attempt> attempts;
  OnExit release{[&] { Release(attempts); }};
  CS_RETURN_IF_ERROR(Take(lane, now, attempts));
  if (attempts.empty()) return size_t{0};
  CS_RETURN_IF_ERROR(Prepare(attempts));

  std::vector<Attempt*> first;
  for (auto& a : attempts)
    if (!a.skip) first.push_back(&a);
  SignAndSend(first);
  // Double knock: a 401/400 under a scheme not yet known to work is retried with the other.
  std::vector<Attempt*> second;
  for (Attempt* a : first) {
    if (a->skip || a->scheme_known || !a->result.ok()) continue;
    if (a->result->status == 401 || a->result->status == 400) {
      a->scheme = a->scheme == store::SignatureSchemeChoice::kRfc9421
                      ? store::SignatureSchemeChoice::kCavage
                      : store::SignatureSchemeChoice::kRfc9421;
      a->request.headers.Remove("signature");
      a->request.headers.Remove("signature-input");
      a->request.headers.Remove("digest");
      a->request.headers.Remove("content-digest");
      second.push_back(a);
    }
  }
  if (!second.empty()) SignAndSend(second);

  // Record every outcome in one transaction.
  DeliveryStats delta;
  const int64_t done_at = clock_.NowMillis();
  CS_RETURN_IF_ERROR(store_.Update([&](store::Txn& txn) -> cs::Status {
    delta = {};
    std::map<std::string, store::HostRecord> hosts;
    std::map<std::string, double> draws;  // one jitter draw per host (see RetryDelayMs)
    for (const auto& a : attempts) {
      CS_RETURN_IF_ERROR(txn.Delete(store::Db::kDeliveries, a.old_key));
      if (a.skip) {
        store::DeliveryRecord rec = a.record;
        rec.attempts++;
        if (rec.first_attempt_ms == 0) rec.first_attempt_ms = now;
        delta.failed++;
        CS_RETURN_IF_ERROR(PutFailed(txn, std::move(rec), a.skip_reason));
        continue;
      }
      auto [it, added] = hosts.try_emplace(a.host);
      if (added) {
        if (auto got = store::GetHost(txn, a.host); got.ok()) it->second = *got;
        it->second.host = a.host;
        draws[a.host] = Random01();
      }
      CS_RETURN_IF_ERROR(Record(txn, a, now, done_at, it->second, draws[a.host], delta));
    }
    for (const auto& [h, rec] : hosts) CS_RETURN_IF_ERROR(store::PutHost(txn, rec));
    return cs::Status::Ok();
  }));
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.sent += delta.sent;
    stats_.delivered += delta.delivered;
    stats_.retried += delta.retried;
    stats_.failed += delta.failed;
  }
  return attempts.size();
}

void DeliveryWorker::Loop(Lane lane) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    const uint64_t wakes = wakes_;  // a Wake() during the pass means another pass at once
    lock.unlock();
    size_t n = 0;
    if (auto r = RunPass(lane); r.ok()) n = *r;
    lock.lock();
    if (n >= options_.batch) continue;  // more is due: no pause
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                 [&] { return stop_ || wakes_ != wakes; });
  }
}

void DeliveryWorker::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!threads_.empty()) return;
  stop_ = false;
  for (int i = 0; i < std::max(1, options_.fresh_lanes); ++i)
    threads_.emplace_back(&DeliveryWorker::Loop, this, Lane::kFresh);
  threads_.emplace_back(&DeliveryWorker::Loop, this, Lane::kSuspect);
}

void DeliveryWorker::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& th : threads) th.join();
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

}  // namespace federation
