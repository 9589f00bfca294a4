// The LMDB environment of one node: opening, named databases, transactions.
// The only file pair that includes <lmdb.h>. Several processes may open one environment (the
// serving node and the command line); LMDB serializes writers across processes.
//
// Ownership: Store owns the MDB_env; a Txn owns its MDB_txn until Commit() or Abort() or its
// destructor (which aborts). Values read through a Txn are copied out (owned std::string), so
// nothing points into the map after the transaction ends. Store is thread-safe; a Txn is used
// by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/status.h"

struct MDB_env;
struct MDB_txn;

namespace store {

// One named database per kind of record; docs/storage-layout.md describes every key and value.
enum class Db : int {
  kMeta = 0,     // schema_version, sequence counter
  kActors,       // actor id -> ActorRecord (local and cached remote)
  kLocalNames,   // lower-cased local name -> actor id (teachers and communities share it)
  kKeys,         // key id -> KeyRecord (remote public keys, cached)
  kPrivateKeys,  // local actor id -> PKCS#8 PEM
  kObjects,      // object id -> ObjectRecord (notes, pages; tombstones)
  kActivities,   // activity id -> ActivityRecord (our own, served at their ids)
  kSeen,         // inbound activity id -> be64(first seen ms): duplicate deliveries change nothing
  kFollows,      // follower \x1f followee -> FollowRecord
  kFollowersIdx, // followee \x1f follower -> "" (to list an actor's followers)
  kTimelines,    // local actor id \x1f be64(published ms) be64(seq) -> object id (home timeline)
  kOutbox,       // actor id \x1f be64(seq) -> activity id
  kReplies,      // parent object id \x1f be64(seq) -> reply object id
  kDeliveries,   // be64(due ms) be64(seq) -> DeliveryRecord
  kHosts,        // inbox host -> HostRecord (health, backoff, signature scheme)
  kPolicy,       // "block\x1f" domain / "trust\x1f" domain -> ""
  kJobs,         // be64(due ms) be64(seq) -> JobRecord (remote fetches done after the 202)
  kFailed,       // be64(seq) -> DeliveryRecord that was given up on (kept for the admin)
  kCommunities,  // local group actor id -> CommunityRecord (store/community.h)
  kCommunityBans,     // group id \x1f actor id -> BanRecord
  kCommunityInvites,  // group id \x1f actor id -> InviteRecord
  kCommunityPosts,    // group id \x1f be64(sort ms) be64(seq) -> object id (local and remote groups)
  kResources,        // resource id -> ResourceRecord (store/resources.h; local and cached remote)
  kResourceVersions, // resource id \x1f be64(version) -> ResourceVersionRecord (every version kept)
  kFiles,            // sha256 hex -> FileRecord (blobs under DATA/media, store/files.h)
  kLikes,        // object id \x1f actor id -> Like activity id (store/discussion.h)
  kBoosts,       // object id \x1f actor id -> Announce activity id
  kReactionIds,  // Like/Announce activity id -> "like"|"boost" \x1f object id \x1f actor id
  kEdits,        // object id \x1f be64(n) -> EditRecord (earlier versions, oldest first)
  kPeers,        // host[:port] -> PeerRecord (NodeInfo software, store/peers.h)
  kCount         // not a database
};
const char* DbName(Db db);

// Schema version written by init and checked on open; see docs/storage-layout.md.
inline constexpr int kSchemaVersion = 1;

class Txn {
 public:
  Txn(Txn&& other) noexcept;
  Txn& operator=(Txn&& other) noexcept;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn();

  // kNotFound when absent.
  cs::Result<std::string> Get(Db db, std::string_view key) const;
  std::optional<std::string> Find(Db db, std::string_view key) const;
  bool Contains(Db db, std::string_view key) const;
  cs::Status Put(Db db, std::string_view key, std::string_view value);
  // kConflict when the key exists.
  cs::Status Insert(Db db, std::string_view key, std::string_view value);
  // Ok whether or not the key existed.
  cs::Status Delete(Db db, std::string_view key);
  // Visits keys starting with `prefix` in order (or reverse order); `visit` returns false to stop.
  cs::Status Scan(Db db, std::string_view prefix,
                  const std::function<bool(std::string_view key, std::string_view value)>& visit,
                  bool reverse = false) const;
  // Visits keys in [from, to) in order.
  cs::Status ScanRange(Db db, std::string_view from, std::string_view to,
                       const std::function<bool(std::string_view, std::string_view)>& visit) const;
  // Number of entries in a database.
  uint64_t Count(Db db) const;

  // A monotonically increasing number, unique within this environment (write txns only).
  cs::Result<uint64_t> NextSequence();

  // Child transaction (write txns only): its writes vanish if it is aborted.
  cs::Result<Txn> BeginNested();

  cs::Status Commit();
  void Abort();
  bool writable() const { return writable_; }

 private:
  friend class Store;
  Txn(const class Store* store, MDB_txn* txn, bool writable)
      : store_(store), txn_(txn), writable_(writable) {}
  const class Store* store_ = nullptr;
  MDB_txn* txn_ = nullptr;
  bool writable_ = false;
};

struct StoreOptions {
  uint64_t map_size_bytes = 16ull << 30;  // address space, not disk: the file grows as used
  bool create = false;                    // create databases (init); otherwise they must exist
};

class Store {
 public:
  // Opens (or with options.create, creates) the environment in `dir`/db.
  static cs::Result<std::unique_ptr<Store>> Open(const std::string& dir, StoreOptions options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  cs::Result<Txn> BeginRead() const;
  cs::Result<Txn> BeginWrite() const;
  // Runs `body` in a write transaction and commits it when body returns ok.
  cs::Status Update(const std::function<cs::Status(Txn&)>& body) const;
  cs::Status View(const std::function<cs::Status(Txn&)>& body) const;

  // A consistent copy of the environment into `dir` (mdb_env_copy2 with compaction), safe
  // while other processes read and write.
  cs::Status CopyTo(const std::string& dir) const;
  int schema_version() const { return schema_version_; }
  const std::string& path() const { return path_; }

 private:
  friend class Txn;
  Store() = default;
  MDB_env* env_ = nullptr;
  unsigned int dbi_[static_cast<int>(Db::kCount)] = {};
  int schema_version_ = 0;
  std::string path_;
};

// Big-endian fixed width, so keys sort numerically.
std::string EncodeBe64(uint64_t v);
uint64_t DecodeBe64(std::string_view bytes);
// Joins key parts with the unit separator \x1f (ids never contain it: they are URLs).
std::string JoinKey(std::string_view a, std::string_view b);
inline constexpr char kKeySep = '\x1f';

}  // namespace store
