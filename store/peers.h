// What we know of other servers' software, from their NodeInfo (`software.name`), per host:
// a group sends plain microblog servers (Mastodon, Misskey, ...) other announces than servers
// that implement FEP-1b12 groups (federation/peer_software.h decides; this file only keeps it).
// Plain functions over a Txn: thread-safe as the Txn is. No JSON here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/lmdb_store.h"

namespace store {

// Keyed by the authority (host[:port], lower-cased) that deliveries go to.
struct PeerRecord {
  std::string authority;
  std::string software;       // NodeInfo software.name, lower-cased; "" while unknown
  std::string version;        // software.version as given (for the admin)
  int64_t checked_ms = 0;     // last NodeInfo answer (0: never)
  int64_t next_check_ms = 0;  // when to ask again; a check is queued until then
  std::string last_error;     // why the last check failed ("" when it did not)
  std::string Encode() const;
  static std::optional<PeerRecord> Decode(std::string_view bytes);
};

// kNotFound when we know nothing of `authority`.
cs::Result<PeerRecord> GetPeer(const Txn& txn, std::string_view authority);
cs::Status PutPeer(Txn& txn, const PeerRecord& peer);

}  // namespace store
