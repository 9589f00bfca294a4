// Fetching remote ActivityStreams documents: a GET signed by a local actor (the instance actor
// by default, so servers that require signed fetches answer), Accept negotiation, size and
// depth limits (the client's), and the origin checks that make a fetched document trustworthy:
// the document's id must be on the origin it was fetched from (after redirects). Blocked servers
// (`domain block`) are never asked.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <rapidjson/document.h>

#include "federation/http_client.h"
#include "federation/uris.h"
#include "store/clock.h"
#include "store/lmdb_store.h"

namespace federation {

class PrivateKey;

struct FetchedDocument {
  std::string url;    // where it was finally fetched from
  std::string body;
  std::shared_ptr<rapidjson::Document> json;
};

class Fetcher {
 public:
  Fetcher(const store::Store& store, const HttpClient& client, const Uris& uris,
          const cs::Clock& clock);
  ~Fetcher();

  // GET `url` as ActivityStreams JSON. kGone for 410, kNotFound for 404, kUnauthorized for
  // 401/403 (after retrying with the other signature scheme), kUnavailable for timeouts and 5xx,
  // kInvalidInput for non-JSON or a document whose id is on another origin than `url`.
  cs::Result<FetchedDocument> FetchActivityJson(std::string_view url) const;
  // The same, signed by the local actor `signer` (its key from the store) instead of the
  // instance actor: for what a server shows only to its members' own actors, such as the member
  // list of a members-only community (federation/group_membership.h).
  cs::Result<FetchedDocument> FetchActivityJsonAs(std::string_view url,
                                                  const std::string& signer) const;
  // A plain GET (WebFinger, NodeInfo): unsigned, Accept as given; any 2xx body.
  cs::Result<std::string> FetchPlain(std::string_view url, std::string_view accept) const;
  // Signs `request` as the instance actor with the given scheme (cavage or RFC 9421).
  cs::Status SignAsInstance(HttpRequest& request, bool rfc9421) const;

 private:
  const PrivateKey* InstanceKey() const;
  // kForbidden when the server of `url` is blocked (`domain block`): it is never asked anything.
  cs::Status RefuseBlocked(std::string_view url) const;
  cs::Result<FetchedDocument> Fetch(std::string_view url, const std::string& key_id,
                                    const PrivateKey& key) const;

  const store::Store& store_;
  const HttpClient& client_;
  const Uris& uris_;
  const cs::Clock& clock_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<PrivateKey> instance_key_;
};

}  // namespace federation
