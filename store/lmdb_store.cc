#include "store/lmdb_store.h"

#include <lmdb.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>

namespace store {
namespace {

// MDB_val borrows from the string; valid while `s` lives.
MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

cs::Status FromMdb(int rc, std::string_view what) {
  if (rc == MDB_SUCCESS) return cs::Status::Ok();
  std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  switch (rc) {
    case MDB_NOTFOUND: return cs::Status::NotFound(msg);
    case MDB_KEYEXIST: return cs::Status::Conflict(msg);
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH: return cs::Status::Corruption(msg);
    case MDB_MAP_FULL: return cs::Status::IOError(msg + " (raise map size)");
    default: return cs::Status::IOError(msg);
  }
}

struct CursorClose {
  void operator()(MDB_cursor* c) const { mdb_cursor_close(c); }
};
using Cursor = std::unique_ptr<MDB_cursor, CursorClose>;

const char* kDbNames[] = {"meta",     "actors",   "local_names", "keys",       "private_keys",
                          "objects",  "activities", "seen",      "follows",    "followers_idx",
                          "timelines", "outbox",  "replies",     "deliveries", "hosts",
                          "policy",   "jobs",       "failed_deliveries", "communities", "community_bans",
                          "community_invites", "community_posts", "resources", "resource_versions",
                          "files",
                          "likes",    "boosts",     "reaction_ids", "edits",
                          "peers"};
static_assert(sizeof(kDbNames) / sizeof(kDbNames[0]) == static_cast<int>(Db::kCount));

}  // namespace

const char* DbName(Db db) { return kDbNames[static_cast<int>(db)]; }

std::string EncodeBe64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeBe64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

std::string JoinKey(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a);
  k.push_back(kKeySep);
  k.append(b);
  return k;
}

// ---- Txn ----

Txn::Txn(Txn&& o) noexcept : store_(o.store_), txn_(o.txn_), writable_(o.writable_) {
  o.txn_ = nullptr;
}

Txn& Txn::operator=(Txn&& o) noexcept {
  if (this != &o) {
    Abort();
    store_ = o.store_;
    txn_ = o.txn_;
    writable_ = o.writable_;
    o.txn_ = nullptr;
  }
  return *this;
}

Txn::~Txn() { Abort(); }

void Txn::Abort() {
  if (txn_ != nullptr) {
    mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
}

cs::Status Txn::Commit() {
  if (txn_ == nullptr) return cs::Status::Internal("commit of a finished transaction");
  MDB_txn* t = txn_;
  txn_ = nullptr;  // mdb_txn_commit frees the handle even when it fails
  return FromMdb(mdb_txn_commit(t), "commit");
}

cs::Result<std::string> Txn::Get(Db db, std::string_view key) const {
  MDB_val k = Val(key), v;
  int rc = mdb_get(txn_, store_->dbi_[static_cast<int>(db)], &k, &v);
  if (rc != MDB_SUCCESS) return FromMdb(rc, std::string("get from ") + DbName(db));
  return std::string(View(v));
}

std::optional<std::string> Txn::Find(Db db, std::string_view key) const {
  auto r = Get(db, key);
  if (!r.ok()) return std::nullopt;
  return std::move(r).value();
}

bool Txn::Contains(Db db, std::string_view key) const {
  MDB_val k = Val(key), v;
  return mdb_get(txn_, store_->dbi_[static_cast<int>(db)], &k, &v) == MDB_SUCCESS;
}

cs::Status Txn::Put(Db db, std::string_view key, std::string_view value) {
  MDB_val k = Val(key), v = Val(value);
  return FromMdb(mdb_put(txn_, store_->dbi_[static_cast<int>(db)], &k, &v, 0),
                 std::string("put into ") + DbName(db));
}

cs::Status Txn::Insert(Db db, std::string_view key, std::string_view value) {
  MDB_val k = Val(key), v = Val(value);
  return FromMdb(mdb_put(txn_, store_->dbi_[static_cast<int>(db)], &k, &v, MDB_NOOVERWRITE),
                 std::string("insert into ") + DbName(db));
}

cs::Status Txn::Delete(Db db, std::string_view key) {
  MDB_val k = Val(key);
  int rc = mdb_del(txn_, store_->dbi_[static_cast<int>(db)], &k, nullptr);
  if (rc == MDB_NOTFOUND) return cs::Status::Ok();
  return FromMdb(rc, std::string("delete from ") + DbName(db));
}

cs::Status Txn::Scan(Db db, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& visit,
                     bool reverse) const {
  MDB_cursor* raw = nullptr;
  CS_RETURN_IF_ERROR(
      FromMdb(mdb_cursor_open(txn_, store_->dbi_[static_cast<int>(db)], &raw), "cursor"));
  Cursor cursor(raw);
  MDB_val k, v;
  int rc;
  if (!reverse) {
    k = Val(prefix);
    rc = prefix.empty() ? mdb_cursor_get(raw, &k, &v, MDB_FIRST)
                        : mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE);
  } else {
    // Position after the last key with this prefix: the prefix followed by 0xff bytes.
    std::string upper(prefix);
    upper.append(512, '\xff');
    k = Val(upper);
    if (prefix.empty()) {
      rc = mdb_cursor_get(raw, &k, &v, MDB_LAST);
    } else {
      rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE);
      if (rc == MDB_NOTFOUND) rc = mdb_cursor_get(raw, &k, &v, MDB_LAST);
      else if (rc == MDB_SUCCESS) rc = mdb_cursor_get(raw, &k, &v, MDB_PREV);
    }
  }
  while (rc == MDB_SUCCESS) {
    std::string_view key = View(k);
    if (key.substr(0, prefix.size()) != prefix) {
      if (!reverse) break;
      if (key < prefix) break;
    } else if (!visit(key, View(v))) {
      return cs::Status::Ok();
    }
    rc = mdb_cursor_get(raw, &k, &v, reverse ? MDB_PREV : MDB_NEXT);
  }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return FromMdb(rc, "scan");
  return cs::Status::Ok();
}

cs::Status Txn::ScanRange(Db db, std::string_view from, std::string_view to,
                          const std::function<bool(std::string_view, std::string_view)>& visit) const {
  MDB_cursor* raw = nullptr;
  CS_RETURN_IF_ERROR(
      FromMdb(mdb_cursor_open(txn_, store_->dbi_[static_cast<int>(db)], &raw), "cursor"));
  Cursor cursor(raw);
  MDB_val k = Val(from), v;
  int rc = from.empty() ? mdb_cursor_get(raw, &k, &v, MDB_FIRST)
                        : mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS) {
    std::string_view key = View(k);
    if (key >= to) break;
    if (!visit(key, View(v))) break;
    rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT);
  }
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return FromMdb(rc, "scan");
  return cs::Status::Ok();
}

uint64_t Txn::Count(Db db) const {
  MDB_stat st;
  if (mdb_stat(txn_, store_->dbi_[static_cast<int>(db)], &st) != MDB_SUCCESS) return 0;
  return st.ms_entries;
}

cs::Result<uint64_t> Txn::NextSequence() {
  if (!writable_) return cs::Status::Internal("sequence in a read transaction");
  uint64_t next = 1;
  if (auto cur = Find(Db::kMeta, "sequence")) next = DecodeBe64(*cur) + 1;
  CS_RETURN_IF_ERROR(Put(Db::kMeta, "sequence", EncodeBe64(next)));
  return next;
}

cs::Result<Txn> Txn::BeginNested() {
  if (!writable_) return cs::Status::Internal("nested read transaction");
  MDB_txn* child = nullptr;
  int rc = mdb_txn_begin(store_->env_, txn_, 0, &child);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "begin nested transaction");
  return Txn(store_, child, true);
}

// ---- Store ----

cs::Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, StoreOptions options) {
  std::string path = dir + "/db";
  std::error_code ec;
  if (options.create) {
    std::filesystem::create_directories(path, ec);
    if (ec) return cs::Status::IOError("cannot create " + path + ": " + ec.message());
  } else if (!std::filesystem::exists(path + "/data.mdb", ec)) {
    return cs::Status::NotFound("no node in " + dir +
                                " (run 'cloudschool init --domain HOST' first)");
  }
  std::unique_ptr<Store> store(new Store());
  store->path_ = path;
  CS_RETURN_IF_ERROR(FromMdb(mdb_env_create(&store->env_), "create environment"));
  CS_RETURN_IF_ERROR(FromMdb(mdb_env_set_maxdbs(store->env_, 64), "set max dbs"));
  CS_RETURN_IF_ERROR(
      FromMdb(mdb_env_set_mapsize(store->env_, options.map_size_bytes), "set map size"));
  CS_RETURN_IF_ERROR(FromMdb(mdb_env_set_maxreaders(store->env_, 256), "set max readers"));
  // MDB_NOTLS: read transactions are not tied to threads (handler pools hand work around).
  CS_RETURN_IF_ERROR(
      FromMdb(mdb_env_open(store->env_, path.c_str(), MDB_NOTLS, 0600), "open " + path));
  int dead = 0;
  mdb_reader_check(store->env_, &dead);  // clear slots of crashed processes

  MDB_txn* raw = nullptr;
  CS_RETURN_IF_ERROR(FromMdb(mdb_txn_begin(store->env_, nullptr, 0, &raw), "begin"));
  Txn txn(store.get(), raw, true);
  for (int i = 0; i < static_cast<int>(Db::kCount); ++i) {
    int rc = mdb_dbi_open(raw, kDbNames[i], options.create ? MDB_CREATE : 0, &store->dbi_[i]);
    if (rc == MDB_NOTFOUND) {
      // A database added by a newer schema: create it (migration by addition).
      rc = mdb_dbi_open(raw, kDbNames[i], MDB_CREATE, &store->dbi_[i]);
    }
    CS_RETURN_IF_ERROR(FromMdb(rc, std::string("open database ") + kDbNames[i]));
  }
  auto version = txn.Find(Db::kMeta, "schema_version");
  if (!version) {
    if (!options.create) return cs::Status::Corruption(path + " has no schema version");
    CS_RETURN_IF_ERROR(txn.Put(Db::kMeta, "schema_version", std::to_string(kSchemaVersion)));
    store->schema_version_ = kSchemaVersion;
  } else {
    store->schema_version_ = std::atoi(version->c_str());
    if (store->schema_version_ > kSchemaVersion)
      return cs::Status::Corruption("data has schema version " + *version +
                                    ", newer than this program's " +
                                    std::to_string(kSchemaVersion));
    // Older versions migrate here, one step at a time, inside this transaction.
  }
  CS_RETURN_IF_ERROR(txn.Commit());
  return store;
}

Store::~Store() {
  if (env_ != nullptr) mdb_env_close(env_);
}

cs::Result<Txn> Store::BeginRead() const {
  MDB_txn* raw = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "begin read");
  return Txn(this, raw, false);
}

cs::Result<Txn> Store::BeginWrite() const {
  MDB_txn* raw = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
  if (rc != MDB_SUCCESS) return FromMdb(rc, "begin write");
  return Txn(this, raw, true);
}

cs::Status Store::Update(const std::function<cs::Status(Txn&)>& body) const {
  auto txn = BeginWrite();
  if (!txn.ok()) return txn.status();
  CS_RETURN_IF_ERROR(body(*txn));
  return txn->Commit();
}

cs::Status Store::View(const std::function<cs::Status(Txn&)>& body) const {
  auto txn = BeginRead();
  if (!txn.ok()) return txn.status();
  return body(*txn);
}

cs::Status Store::CopyTo(const std::string& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return cs::Status::IOError("cannot create " + dir + ": " + ec.message());
  if (std::filesystem::exists(dir + "/data.mdb"))
    return cs::Status::Conflict(dir + " already holds a database");
  // The copy holds the private keys: 0700/0600 like the live environment. LMDB creates the file
  // itself (O_EXCL, 0666 & ~umask), in a directory only we can enter; chmod it after.
  const std::string file = dir + "/data.mdb";
  if (::chmod(dir.c_str(), 0700) != 0) return cs::Status::IOError("cannot chmod " + dir);
  CS_RETURN_IF_ERROR(FromMdb(mdb_env_copy2(env_, dir.c_str(), MDB_CP_COMPACT), "copy to " + dir));
  if (::chmod(file.c_str(), 0600) != 0) return cs::Status::IOError("cannot chmod " + file);
  return cs::Status::Ok();
}

}  // namespace store
