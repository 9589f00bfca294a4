#include "federation/actor_cache.h"

#include "federation/handle.h"
#include "federation/html_sanitizer.h"
#include "federation/json.h"
#include "federation/url.h"
#include "federation/webfinger.h"

namespace federation {

store::ActorRecord ActorRecordFromDoc(const ActorDoc& doc, std::string_view raw_json,
                                      int64_t now_ms) {
  store::ActorRecord r;
  r.id = doc.id;
  r.type = doc.type;
  r.preferred_username = doc.preferred_username;
  r.name = doc.name;
  r.summary_html = SanitizeHtml(doc.summary_html);
  r.inbox = doc.inbox;
  r.outbox = doc.outbox;
  r.followers = doc.followers;
  r.following = doc.following;
  r.shared_inbox = doc.shared_inbox;
  r.url = doc.url;
  r.icon = doc.icon;
  r.manually_approves_followers = doc.manually_approves_followers;
  for (const auto& k : doc.keys) {
    if (k.owner.empty() || k.owner == doc.id) {
      r.key_id = k.id;
      r.public_key_pem = k.pem;
      break;
    }
  }
  r.fetched_at_ms = now_ms;
  r.raw_json = std::string(raw_json);
  return r;
}

ActorCache::ActorCache(const store::Store& store, const Fetcher& fetcher, const cs::Clock& clock,
                       bool allow_http)
    : store_(store), fetcher_(fetcher), clock_(clock), allow_http_(allow_http) {}

cs::Status ActorCache::AllowFetch(std::string_view url_text) const {
  auto url = ParseUrl(url_text);
  if (!url.ok()) return url.status();
  if (url->scheme == "http" && !allow_http_)
    return cs::Status::Forbidden("plain http is not allowed: " + std::string(url_text));
  std::lock_guard<std::mutex> lock(mu_);
  int64_t minute = clock_.NowSeconds() / 60;
  auto& [m, count] = fetch_budget_[url->host];
  if (m != minute) {
    m = minute;
    count = 0;
  }
  if (++count > kMaxFetchesPerHostPerMinute)
    return cs::Status::Unavailable("too many fetches from " + url->host + " this minute");
  return cs::Status::Ok();
}

cs::Result<store::ActorRecord> ActorCache::FetchAndStoreActor(std::string_view id) const {
  CS_RETURN_IF_ERROR(AllowFetch(id));
  auto fetched = fetcher_.FetchActivityJson(id);
  if (!fetched.ok()) return fetched.status();
  auto doc = ParseActor(*fetched->json);
  if (!doc.ok()) return cs::Status::InvalidInput(std::string(id) + ": " + doc.status().message());
  if (!SameOrigin(doc->id, id))
    return cs::Status::InvalidInput("actor " + doc->id +
                                    " fetched from another origin: " + std::string(id));
  auto rec = ActorRecordFromDoc(*doc, fetched->body, clock_.NowMillis());
  CS_RETURN_IF_ERROR(store_.Update([&](store::Txn& txn) -> cs::Status {
    if (auto existing = store::GetActor(txn, rec.id); existing.ok() && existing->local)
      return cs::Status::Conflict("a remote document claims the local actor " + rec.id);
    CS_RETURN_IF_ERROR(store::PutActor(txn, rec));
    for (const auto& k : doc->keys) {
      if (!k.owner.empty() && k.owner != doc->id)
        continue;  // another actor's key: not ours to cache
      CS_RETURN_IF_ERROR(store::PutKey(
          txn,
          {.key_id = k.id, .owner = doc->id, .pem = k.pem, .fetched_at_ms = clock_.NowMillis()}));
    }
    return cs::Status::Ok();
  }));
  return rec;
}

cs::Result<store::ActorRecord> ActorCache::GetActor(std::string_view id, bool refresh) const {
  if (!refresh) {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return txn.status();
    auto rec = store::GetActor(*txn, id);
    if (rec.ok()) return rec;
  }
  return FetchAndStoreActor(id);
}

cs::Result<store::KeyRecord> ActorCache::GetKey(std::string_view key_id, bool refresh) const {
  if (!refresh) {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return txn.status();
    auto rec = store::GetKey(*txn, key_id);
    if (rec.ok()) return rec;
  }
  // The key's document: the actor itself (keyId = ACTOR#main-key) or a separate key document.
  std::string doc_url(key_id.substr(0, key_id.find('#')));
  CS_RETURN_IF_ERROR(AllowFetch(doc_url));
  auto fetched = fetcher_.FetchActivityJson(doc_url);
  if (!fetched.ok()) return fetched.status();
  std::string owner;
  if (auto actor = ParseActor(*fetched->json); actor.ok()) {
    owner = actor->id;
  } else {
    // A key document {id, owner, publicKeyPem}: its owner must confirm it.
    auto o = ReadString(*fetched->json, "owner");
    if (!o) return cs::Status::Unauthorized("key document " + doc_url + " names no owner");
    owner = *o;
    if (!SameOrigin(owner, key_id))
      return cs::Status::Unauthorized("key " + std::string(key_id) +
                                      " claims an owner on another origin");
  }
  auto actor = FetchAndStoreActor(owner);
  if (!actor.ok()) return actor.status();
  auto txn = store_.BeginRead();
  if (!txn.ok()) return txn.status();
  auto rec = store::GetKey(*txn, key_id);
  if (!rec.ok())
    return cs::Status::Unauthorized("actor " + owner + " does not list key " + std::string(key_id));
  return rec;
}

cs::Result<store::ActorRecord> ActorCache::Lookup(std::string_view text, Want want) const {
  if (LooksLikeUrl(text)) return GetActor(text, /*refresh=*/true);
  auto handle = ParseHandle(text);
  if (!handle.ok()) return handle.status();
  std::string wf = WebFingerUrl(allow_http_ ? "http" : "https", *handle);
  auto jrd = fetcher_.FetchPlain(wf, "application/jrd+json, application/json");
  if (!jrd.ok()) {
    if (jrd.status().Is(cs::Status::Code::kNotFound))
      return cs::Status::NotFound("no such account: " + handle->Acct());
    return jrd.status();
  }
  auto links = ParseJrdSelfLinks(*jrd);
  if (!links.ok()) return cs::Status::NotFound(handle->Acct() + ": " + links.status().message());
  if (links->empty()) return cs::Status::NotFound(handle->Acct() + " has no ActivityPub actor");
  cs::Status last = cs::Status::NotFound(handle->Acct() + " has no actor of the kind asked for");
  constexpr size_t kMaxSelfLinks = 4;  // a hostile JRD must not make us fetch a hundred actors
  for (size_t i = 0; i < links->size() && i < kMaxSelfLinks; ++i) {
    auto actor = GetActor((*links)[i], /*refresh=*/true);
    if (!actor.ok()) {
      last = actor.status();
      continue;
    }
    const bool group = actor->type == "Group";
    if (want == Want::kAny || (want == Want::kGroup) == group) return actor;
  }
  return last;
}

}  // namespace federation
