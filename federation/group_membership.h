// Who belongs to a community on another node, asked of the community's own server. A teacher of
// ours posts into a members-only community on node A; A announces the post to every member's
// server, and a member's server C fetches it from us, its origin (BR-12: the group's copy is not
// trusted). Only A knows who the members are, so before we answer C we fetch the group's
// `followers` collection (its member list, which A shows only to members and their servers)
// with a GET signed by one of our own teachers who is an accepted member, and look for the
// signer, or another member on the signer's server, in it.
//
// A serving thread waits for this, so a lookup is bounded (pages, items, a deadline; the fetcher
// given should use a client with short timeouts), the list is kept in memory per group for a few
// minutes, concurrent requests for one group wait for the one lookup in flight. A signer not on a
// list older than `miss_refresh_ms` makes us ask again (it may have just joined), so a group is
// asked at most once per `miss_refresh_ms` whatever strangers send (they cannot make us hammer
// the group's server); after a failed lookup, at most once per `retry_ms`.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "federation/fetcher.h"
#include "federation/uris.h"
#include "store/clock.h"
#include "store/lmdb_store.h"

namespace federation {

struct GroupMembershipOptions {
  int64_t expiry_ms = 60'000;  // a member list is used this long (a ban takes effect within it)
  int64_t retry_ms = 30'000;    // after a failed lookup (group's server down, too slow)
  int64_t miss_refresh_ms = 15'000;  // a signer not in a list this old: asked again, once

  size_t max_groups = 256;      // lists kept; the one fetched longest ago goes first
  size_t max_pages = 50;        // pages of a collection followed (Cloudschool pages hold 20)
  size_t max_members = 10'000;  // ids kept per group
  int64_t deadline_ms = 6'000;  // no page is requested after this (real time, per lookup)
};

class GroupMembership {
 public:
  // `fetcher` is used for the collection fetches only; give it a client with short timeouts.
  GroupMembership(const store::Store& store, const Fetcher& fetcher, const Uris& uris,
                  const cs::Clock& clock, GroupMembershipOptions options = {});
  ~GroupMembership();

  // Whether `signer` (an actor whose signature was verified) may see what our teachers addressed
  // to the remote community `group_id`: it is an accepted member of it, or on the same server
  // (origin) as one, as the group's own server says. False when `group_id` is not a remote
  // Group we know, or none of our teachers is an accepted member (we have nobody to ask as).
  // kUnavailable when the group's server could not be asked just now (the caller answers 503).
  cs::Result<bool> Entitled(const std::string& group_id, const std::string& signer) const;

  // Member-list fetches started so far (each may span several pages).
  uint64_t lookups() const;

 private:
  struct Entry {
    bool loading = true;
    int64_t done_ms = 0;  // when the lookup finished (cs::Clock)
    cs::Status status;    // not ok: the lookup failed (kept for retry_ms)
    std::set<std::string> members, origins;
  };
  // Fetches the member list of `group_id` at `followers_url`, signed as `as`. No lock held.
  cs::Status Lookup(const std::string& group_id, const std::string& followers_url,
                    const std::string& as, Entry& out) const;
  bool Fresh(const Entry& e, int64_t now_ms) const;
  void EvictOne() const;  // mu_ held

  const store::Store& store_;
  const Fetcher& fetcher_;
  const Uris& uris_;
  const cs::Clock& clock_;
  const GroupMembershipOptions options_;
  mutable std::mutex mu_;
  mutable std::condition_variable done_;
  mutable std::map<std::string, std::shared_ptr<Entry>> entries_;  // group id -> list
  mutable uint64_t lookups_ = 0;
};

// The remote communities that `audience`, `to` and `cc` address (the group itself or its
// followers collection), as far as the store knows them as Group actors; at most `limit`.
std::vector<std::string> AddressedRemoteGroups(const store::Txn& txn, const Uris& uris,
                                               const std::string& audience,
                                               const std::vector<std::string>& to,
                                               const std::vector<std::string>& cc,
                                               size_t limit = 4);

}  // namespace federation
