#include "federation/resource_fetch.h"

#include <algorithm>

#include "federation/crypto.h"
#include "federation/url.h"
#include "store/resources.h"

namespace federation {

cs::Result<std::string> FetchAndStoreResource(const store::Store& store, const Fetcher& fetcher,
                                              const ActorCache& actors, const std::string& url,
                                              const cs::Clock& clock) {
  auto fetched = fetcher.FetchActivityJson(url);
  if (!fetched.ok()) return fetched.status();
  if (!LooksLikeResource(*fetched->json))
    return cs::Status::InvalidInput(url + " is not a shared resource");
  auto doc = ParseResource(*fetched->json, clock.NowMillis());
  if (!doc.ok()) return doc.status();
  if (doc->attributed_to.empty() || !SameOrigin(doc->attributed_to, doc->id))
    return cs::Status::InvalidInput(doc->id + " is attributed to an actor on another origin");
  auto author = actors.GetActor(doc->attributed_to);  // known authors only: fetched and checked
  if (!author.ok()) return author.status();
  CS_RETURN_IF_ERROR(store.Update(
      [&](store::Txn& txn) { return StoreResourceDoc(txn, *doc, "", clock.NowMillis()); }));
  return doc->version.resource_id;
}

cs::Result<size_t> FetchResourceHistory(const store::Store& store, const Fetcher& fetcher,
                                        const std::string& resource_id, const cs::Clock& clock) {
  std::string versions_url;
  std::string author;
  {
    auto txn = store.BeginRead();
    if (!txn.ok()) return txn.status();
    auto r = store::GetResource(*txn, resource_id);
    if (!r.ok()) return r.status();
    versions_url = r->versions_url;
    author = r->attributed_to;
  }
  if (versions_url.empty() || !SameOrigin(versions_url, resource_id))
    return cs::Status::NotFound(resource_id + " offers no history");
  auto fetched = fetcher.FetchActivityJson(versions_url);
  if (!fetched.ok()) return fetched.status();
  const rapidjson::Value* items = Member(*fetched->json, "orderedItems");
  if (items == nullptr) items = Member(*fetched->json, "items");
  if (items == nullptr || !items->IsArray()) return size_t{0};
  std::vector<ResourceDoc> docs;
  for (const auto& item : items->GetArray()) {
    if (!item.IsObject() || docs.size() >= 1000) continue;
    auto doc = ParseResource(item, clock.NowMillis());
    if (!doc.ok() || doc->version.resource_id != resource_id || doc->attributed_to != author ||
        !SameOrigin(doc->id, resource_id) || doc->version.version == 0)
      continue;
    docs.push_back(std::move(*doc));
  }
  size_t added = 0;
  CS_RETURN_IF_ERROR(store.Update([&](store::Txn& txn) -> cs::Status {
    for (const auto& d : docs) {
      bool known = store::GetResourceVersion(txn, resource_id, d.version.version).ok();
      CS_RETURN_IF_ERROR(StoreResourceDoc(txn, d, "", clock.NowMillis()));
      if (!known) ++added;
    }
    return cs::Status::Ok();
  }));
  return added;
}

cs::Result<std::string> DownloadFile(const HttpClient& client, const store::ResourceFile& file,
                                     const Fetcher* signer) {
  auto url = ParseUrl(file.url);
  if (!url.ok())
    return cs::Status::InvalidInput("file URL " + file.url + ": " + url.status().message());
  cs::Result<HttpResponse> resp = cs::Status::Internal("not sent");
  for (bool rfc9421 : {false, true}) {
    HttpRequest req;
    req.method = "GET";
    req.scheme = url->scheme;
    req.authority = url->Authority();
    req.target = url->Target();
    req.headers.Set("accept", "*/*");
    req.headers.Set("host", req.authority);
    if (signer != nullptr) CS_RETURN_IF_ERROR(signer->SignAsInstance(req, rfc9421));
    resp = client.Execute(req);
    if (signer == nullptr || !resp.ok() || (resp->status != 401 && resp->status != 403)) break;
  }
  if (!resp.ok()) {
    if (resp.status().Is(cs::Status::Code::kTooLarge))
      return cs::Status::TooLarge(file.name + " is larger than the file limit (" +
                                  store::HumanBytes(client.options().max_response_bytes) + ")");
    return cs::Status(resp.status().code(), file.name + ": " + resp.status().message());
  }
  if (resp->status == 410)  // its author deleted it: not a failure to retry
    return cs::Status::Gone(file.name + ": 410 Gone from " + file.url);
  if (resp->status < 200 || resp->status >= 300)
    return cs::Status::Unavailable(file.name + ": HTTP " + std::to_string(resp->status) + " from " +
                                   file.url);
  std::string digest = store::ToHex(Sha256(resp->body));
  if (digest != file.sha256_hex)
    return cs::Status::InvalidInput(file.name +
                                    ": the download does not match its digest (expected " +
                                    DigestMultibase(store::FromHex(file.sha256_hex)) + ", got " +
                                    DigestMultibase(store::FromHex(digest)) + "); nothing kept");
  return std::move(resp->body);
}

cs::Status CacheFile(const store::Store& store, const store::BlobStore& blobs,
                     const store::ResourceFile& file, std::string_view bytes, uint64_t cache_cap,
                     int64_t now_ms) {
  if (bytes.size() > cache_cap) return cs::Status::Ok();
  std::vector<store::FileRecord> evict;
  CS_RETURN_IF_ERROR(store.Update([&](store::Txn& txn) -> cs::Status {
    evict.clear();
    std::vector<store::FileRecord> copies;
    uint64_t total = 0;
    CS_RETURN_IF_ERROR(txn.Scan(store::Db::kFiles, "", [&](std::string_view, std::string_view v) {
      if (auto f = store::FileRecord::Decode(v);
          f && !f->local && f->sha256_hex != file.sha256_hex) {
        total += f->size;
        copies.push_back(std::move(*f));
      }
      return true;
    }));
    std::sort(copies.begin(), copies.end(),
              [](const auto& a, const auto& b) { return a.last_used_ms < b.last_used_ms; });
    for (const auto& c : copies) {
      if (total + bytes.size() <= cache_cap) break;
      total -= c.size;
      evict.push_back(c);
      CS_RETURN_IF_ERROR(txn.Delete(store::Db::kFiles, c.sha256_hex));
    }
    store::FileRecord rec;
    if (auto existing = store::GetFileRecord(txn, file.sha256_hex); existing.ok())
      rec = *existing;
    else
      rec.created_ms = now_ms;
    rec.sha256_hex = file.sha256_hex;
    rec.size = bytes.size();
    if (rec.media_type.empty()) rec.media_type = file.media_type;
    if (rec.name.empty()) rec.name = file.name;
    rec.last_used_ms = now_ms;
    return store::PutFileRecord(txn, rec);
  }));
  // The record exists before the blob does: a reader that finds no blob simply downloads again.
  for (const auto& c : evict) (void)blobs.Remove(c.sha256_hex);
  auto put = blobs.PutBytes(bytes);
  if (!put.ok()) return put.status();
  if (put->sha256_hex != file.sha256_hex)
    return cs::Status::Internal("digest changed while caching");
  return cs::Status::Ok();
}

cs::Result<std::string> ReadStoredFile(const store::Store& store, const store::BlobStore& blobs,
                                       const store::ResourceFile& file, int64_t now_ms) {
  auto bytes = blobs.Read(file.sha256_hex);
  if (!bytes.ok()) return bytes.status();
  if (store::ToHex(Sha256(*bytes)) != file.sha256_hex)
    return cs::Status::Corruption("the stored copy of " + file.name + " does not match its digest");
  (void)store.Update([&](store::Txn& txn) -> cs::Status {
    auto rec = store::GetFileRecord(txn, file.sha256_hex);
    if (!rec.ok()) return cs::Status::Ok();
    rec->last_used_ms = now_ms;
    return store::PutFileRecord(txn, *rec);
  });
  return bytes;
}

}  // namespace federation
