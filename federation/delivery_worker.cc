#include "federation/delivery_worker.h"

#include <openssl/rand.h>

#include <set>

#include "federation/crypto.h"
#include "federation/http_signature.h"
#include "federation/url.h"

namespace federation {
namespace {

struct Attempt {
  std::string old_key;
  store::DeliveryRecord record;
  HttpRequest request;
  std::string host;
  store::SignatureSchemeChoice scheme = store::SignatureSchemeChoice::kCavage;
  bool scheme_known = false;
  cs::Result<HttpResponse> result = cs::Status::Internal("not sent");
  bool skip = false;         // dropped without sending (blocked host, missing activity)
  std::string skip_reason;
};

int64_t Jitter(int64_t ms) {
  uint32_t r = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof r);
  double f = 0.8 + 0.4 * (r / 4294967295.0);
  return static_cast<int64_t>(ms * f);
}

bool Retryable(const cs::Result<HttpResponse>& r) {
  if (!r.ok()) return r.status().Is(cs::Status::Code::kUnavailable);
  int s = r->status;
  return s == 408 || s == 429 || s >= 500;
}

bool Delivered(const cs::Result<HttpResponse>& r) { return r.ok() && r->status >= 200 && r->status < 300; }

std::string Describe(const cs::Result<HttpResponse>& r) {
  if (!r.ok()) return r.status().ToString();
  return "HTTP " + std::to_string(r->status);
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

cs::Result<size_t> DeliveryWorker::RunOnce() {
  const int64_t now = clock_.NowMillis();
  std::vector<Attempt> attempts;
  std::map<std::string, std::string> bodies;  // activity id -> JSON
  {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return txn.status();
    std::string until = store::EncodeBe64(static_cast<uint64_t>(now) + 1);
    CS_RETURN_IF_ERROR(txn->ScanRange(store::Db::kDeliveries, "", until,
                                      [&](std::string_view k, std::string_view v) {
                                        auto rec = store::DeliveryRecord::Decode(v);
                                        Attempt a;
                                        a.old_key = std::string(k);
                                        if (rec) a.record = std::move(*rec);
                                        else a.skip = true, a.skip_reason = "undecodable delivery";
                                        attempts.push_back(std::move(a));
                                        return attempts.size() < options_.batch;
                                      }));
    for (auto& a : attempts) {
      if (a.skip) continue;
      auto url = ParseUrl(a.record.inbox);
      if (!url.ok()) {
        a.skip = true, a.skip_reason = "bad inbox URL";
        continue;
      }
      a.host = url->Authority();
      if (store::IsBlocked(*txn, url->host)) {
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
      if (auto host = store::GetHost(*txn, a.host); host.ok() && host->scheme != store::SignatureSchemeChoice::kUnknown) {
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
  }
  if (attempts.empty()) return size_t{0};

  // Sign (in parallel: RSA signing is the main CPU cost of a fan-out) and send.
  auto sign_range = [&](std::vector<Attempt*>& list, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Attempt& a = *list[i];
      auto key = SignerKey(a.record.signer);
      if (!key) {
        a.skip = true, a.skip_reason = "no key for " + a.record.signer;
        continue;
      }
      std::string key_id = a.record.signer + "#main-key";
      cs::Status st = a.scheme == store::SignatureSchemeChoice::kRfc9421
                          ? SignRfc9421(a.request, key_id, *key, clock_.NowSeconds())
                          : SignCavage(a.request, key_id, *key, clock_.NowSeconds());
      if (!st.ok()) a.skip = true, a.skip_reason = st.message();
    }
  };
  auto sign_and_send = [&](std::vector<Attempt*> list) {
    int threads = std::max(1, std::min<int>(options_.signing_threads, static_cast<int>(list.size() / 64)));
    std::vector<std::thread> pool;
    size_t per = (list.size() + threads - 1) / threads;
    for (int t = 1; t < threads; ++t)
      pool.emplace_back(sign_range, std::ref(list), std::min(list.size(), t * per),
                        std::min(list.size(), (t + 1) * per));
    sign_range(list, 0, std::min(list.size(), per));
    for (auto& th : pool) th.join();
    std::vector<HttpRequest> requests;
    std::vector<Attempt*> sent;
    for (Attempt* a : list) {
      if (a->skip) continue;
      requests.push_back(a->request);
      sent.push_back(a);
    }
    auto results = client_.ExecuteMany(requests, options_.max_parallel, options_.per_host);
    for (size_t i = 0; i < sent.size(); ++i) sent[i]->result = std::move(results[i]);
  };
  std::vector<Attempt*> first;
  for (auto& a : attempts)
    if (!a.skip) first.push_back(&a);
  sign_and_send(first);
  // Double knock: a 401/400 under a scheme not yet known to work is retried with the other.
  std::vector<Attempt*> second;
  for (Attempt* a : first) {
    if (a->skip || a->scheme_known || !a->result.ok()) continue;
    if (a->result->status == 401 || a->result->status == 400) {
      a->scheme = a->scheme == store::SignatureSchemeChoice::kRfc9421 ? store::SignatureSchemeChoice::kCavage
                                                                      : store::SignatureSchemeChoice::kRfc9421;
      a->request.headers.Remove("signature");
      a->request.headers.Remove("signature-input");
      a->request.headers.Remove("digest");
      a->request.headers.Remove("content-digest");
      second.push_back(a);
    }
  }
  if (!second.empty()) sign_and_send(second);

  // Record every outcome in one transaction.
  DeliveryStats delta;
  const int64_t done_at = clock_.NowMillis();
  CS_RETURN_IF_ERROR(store_.Update([&](store::Txn& txn) -> cs::Status {
    std::map<std::string, store::HostRecord> hosts;
    auto host_rec = [&](const std::string& h) -> store::HostRecord& {
      auto it = hosts.find(h);
      if (it != hosts.end()) return it->second;
      store::HostRecord rec;
      if (auto got = store::GetHost(txn, h); got.ok()) rec = *got;
      rec.host = h;
      return hosts[h] = rec;
    };
    for (auto& a : attempts) {
      CS_RETURN_IF_ERROR(txn.Delete(store::Db::kDeliveries, a.old_key));
      store::DeliveryRecord rec = a.record;
      rec.attempts++;
      if (rec.first_attempt_ms == 0) rec.first_attempt_ms = now;
      if (a.skip) {
        rec.last_error = a.skip_reason;
        CS_RETURN_IF_ERROR(txn.Put(store::Db::kFailed, store::EncodeBe64(rec.seq), rec.Encode()));
        delta.failed++;
        continue;
      }
      delta.sent++;
      store::HostRecord& host = host_rec(a.host);
      if (Delivered(a.result)) {
        host.consecutive_failures = 0;
        host.unavailable = false;
        host.last_success_ms = done_at;
        host.delivered++;
        host.scheme = a.scheme;
        delta.delivered++;
        continue;
      }
      rec.last_error = Describe(a.result);
      if (host.consecutive_failures++ == 0) host.first_failure_ms = done_at;
      bool expired = done_at - rec.created_ms > options_.give_up_after_ms;
      if (Retryable(a.result) && !expired) {
        int64_t delay = Jitter(BackoffMs(options_, rec.attempts));
        if (a.result.ok() && a.result->status == 429) {
          std::string ra = a.result->headers.Get("retry-after");
          if (!ra.empty() && ra.find_first_not_of("0123456789") == std::string::npos && ra.size() < 9)
            delay = std::max<int64_t>(delay, std::stoll(ra) * 1000);
        }
        rec.due_ms = done_at + delay;
        CS_RETURN_IF_ERROR(txn.Put(store::Db::kDeliveries, rec.Key(), rec.Encode()));
        delta.retried++;
      } else {
        if (expired) host.unavailable = true;
        host.failed++;
        CS_RETURN_IF_ERROR(txn.Put(store::Db::kFailed, store::EncodeBe64(rec.seq), rec.Encode()));
        delta.failed++;
      }
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

void DeliveryWorker::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      size_t n = 0;
      if (auto r = RunOnce(); r.ok()) n = *r;
      lock.lock();
      if (n >= options_.batch) continue;  // more is due: no pause
      cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stop_ || wake_; });
      wake_ = false;
    }
  });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

}  // namespace federation
