#include "federation/fetcher.h"

#include "federation/crypto.h"
#include "federation/http_signature.h"
#include "federation/json.h"
#include "federation/url.h"
#include "store/records.h"

namespace federation {
namespace {

constexpr const char* kAcceptActivity =
    "application/activity+json, application/ld+json; "
    "profile=\"https://www.w3.org/ns/activitystreams\"";

cs::Status StatusFromHttp(int status, std::string_view url) {
  std::string where = " from " + std::string(url);
  if (status == 410) return cs::Status::Gone("410 Gone" + where);
  if (status == 404) return cs::Status::NotFound("404 Not Found" + where);
  if (status == 401 || status == 403)
    return cs::Status::Unauthorized(std::to_string(status) + " (signed fetch refused)" + where);
  if (status == 429 || status >= 500 || status == 408)
    return cs::Status::Unavailable("HTTP " + std::to_string(status) + where);
  return cs::Status::InvalidInput("HTTP " + std::to_string(status) + where);
}

}  // namespace

cs::Status Fetcher::RefuseBlocked(std::string_view url_text) const {
  auto url = ParseUrl(url_text);
  if (!url.ok()) return url.status();
  auto txn = store_.BeginRead();
  if (!txn.ok()) return txn.status();
  if (store::IsBlocked(*txn, url->Authority()))
    return cs::Status::Forbidden(url->Authority() + " is blocked on this node (domain block)");
  return cs::Status::Ok();
}

Fetcher::Fetcher(const store::Store& store, const HttpClient& client, const Uris& uris,
                 const cs::Clock& clock)
    : store_(store), client_(client), uris_(uris), clock_(clock) {}

Fetcher::~Fetcher() = default;

const PrivateKey* Fetcher::InstanceKey() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!instance_key_) {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return nullptr;
    auto pem = txn->Get(store::Db::kPrivateKeys, uris_.InstanceActor());
    if (!pem.ok()) return nullptr;
    auto key = PrivateKey::FromPem(*pem);
    if (!key.ok()) return nullptr;
    instance_key_ = std::make_unique<PrivateKey>(std::move(key).value());
  }
  return instance_key_.get();
}

cs::Status Fetcher::SignAsInstance(HttpRequest& request, bool rfc9421) const {
  const PrivateKey* key = InstanceKey();
  if (key == nullptr)
    return cs::Status::Internal("the instance actor has no key (was the node initialised?)");
  std::string key_id = Uris::KeyId(uris_.InstanceActor());
  int64_t now = clock_.NowSeconds();
  return rfc9421 ? SignRfc9421(request, key_id, *key, now) : SignCavage(request, key_id, *key, now);
}

cs::Result<FetchedDocument> Fetcher::FetchActivityJson(std::string_view url_text) const {
  const PrivateKey* key = InstanceKey();
  if (key == nullptr)
    return cs::Status::Internal("the instance actor has no key (was the node initialised?)");
  return Fetch(url_text, Uris::KeyId(uris_.InstanceActor()), *key);
}

cs::Result<FetchedDocument> Fetcher::FetchActivityJsonAs(std::string_view url_text,
                                                         const std::string& signer) const {
  // Read per call: these fetches are rare (a few per community and expiry) and keys immutable.
  cs::Result<std::string> pem = cs::Status::NotFound("");
  {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return txn.status();
    pem = txn->Get(store::Db::kPrivateKeys, signer);
  }
  if (!pem.ok()) return cs::Status::NotFound(signer + " is not a local actor with a key");
  auto key = PrivateKey::FromPem(*pem);
  if (!key.ok()) return key.status();
  return Fetch(url_text, Uris::KeyId(signer), *key);
}

cs::Result<FetchedDocument> Fetcher::Fetch(std::string_view url_text, const std::string& key_id,
                                           const PrivateKey& key) const {
  auto url = ParseUrl(url_text);
  if (!url.ok()) return url.status();
  std::string plain_url = url->Origin() + url->Target();  // no fragment
  CS_RETURN_IF_ERROR(RefuseBlocked(plain_url));
  cs::Result<HttpResponse> response = cs::Status::Internal("not sent");
  for (bool rfc9421 : {false, true}) {
    HttpRequest req;
    req.method = "GET";
    req.scheme = url->scheme;
    req.authority = url->Authority();
    req.target = url->Target();
    req.headers.Set("accept", kAcceptActivity);
    int64_t now = clock_.NowSeconds();
    CS_RETURN_IF_ERROR(rfc9421 ? SignRfc9421(req, key_id, key, now)
                               : SignCavage(req, key_id, key, now));
    response = client_.Execute(req);
    if (!response.ok()) return response.status();
    if (response->status != 401 && response->status != 403) break;
  }
  if (response->status < 200 || response->status >= 300)
    return StatusFromHttp(response->status, plain_url);
  std::string final_url = response->headers.Get("x-final-url");
  if (final_url.empty()) final_url = plain_url;
  CS_RETURN_IF_ERROR(RefuseBlocked(final_url));  // redirected to a blocked server
  auto doc = ParseJson(response->body);
  if (!doc.ok()) return cs::Status::InvalidInput(plain_url + ": " + doc.status().message());
  FetchedDocument out;
  out.url = final_url;
  out.body = std::move(response->body);
  out.json = std::make_shared<rapidjson::Document>(std::move(doc).value());
  auto id = ReadString(*out.json, "id");
  if (!id) return cs::Status::InvalidInput(plain_url + ": document has no id");
  if (!SameOrigin(*id, final_url))
    return cs::Status::InvalidInput(plain_url + ": document id " + *id +
                                    " is not on the origin it came from");
  return out;
}

cs::Result<std::string> Fetcher::FetchPlain(std::string_view url_text,
                                            std::string_view accept) const {
  auto url = ParseUrl(url_text);
  if (!url.ok()) return url.status();
  CS_RETURN_IF_ERROR(RefuseBlocked(url_text));
  HttpRequest req;
  req.method = "GET";
  req.scheme = url->scheme;
  req.authority = url->Authority();
  req.target = url->Target();
  req.headers.Set("accept", std::string(accept));
  req.headers.Set("host", req.authority);
  auto response = client_.Execute(req);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300)
    return StatusFromHttp(response->status, url_text);
  return std::move(response->body);
}

}  // namespace federation
