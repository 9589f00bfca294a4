// Remote actors and their keys, as the node keeps them: fetched documents turned into records
// (remote HTML sanitized, names kept as plain text), and the lookups that fetch on a miss.
// Thread-safe; network calls never run inside a store transaction.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "federation/as2.h"
#include "federation/fetcher.h"
#include "store/records.h"

namespace federation {

// A record for a fetched actor document (sanitizes summary; keeps the raw JSON).
store::ActorRecord ActorRecordFromDoc(const ActorDoc& doc, std::string_view raw_json,
                                      int64_t now_ms);

class ActorCache {
 public:
  ActorCache(const store::Store& store, const Fetcher& fetcher, const cs::Clock& clock,
             bool allow_http);

  // The actor with this id: from the store, or fetched (and stored) when absent or `refresh`.
  cs::Result<store::ActorRecord> GetActor(std::string_view id, bool refresh = false) const;
  // The public key with this id: cached, or fetched with its owner. The key's owner must list
  // the key (a separate key document must be confirmed by its owner's actor document).
  // At most kMaxFetchesPerHostPerMinute fetches per host (then kUnavailable).
  cs::Result<store::KeyRecord> GetKey(std::string_view key_id, bool refresh = false) const;
  // Resolves `@user@host`, `user@host`, `acct:user@host` or an actor URL to a stored actor.
  // When a JRD lists several `self` links (a Person and a Group sharing a name, BR-16), each is
  // fetched and the first of the wanted kind wins (kAny: the first that resolves).
  enum class Want { kAny, kGroup, kNotGroup };
  cs::Result<store::ActorRecord> Lookup(std::string_view handle_or_url,
                                        Want want = Want::kAny) const;

  static constexpr int kMaxFetchesPerHostPerMinute = 30;

 private:
  cs::Status AllowFetch(std::string_view url) const;
  cs::Result<store::ActorRecord> FetchAndStoreActor(std::string_view id) const;

  const store::Store& store_;
  const Fetcher& fetcher_;
  const cs::Clock& clock_;
  const bool allow_http_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::pair<int64_t, int>> fetch_budget_;  // host -> (minute, count)
};

}  // namespace federation
