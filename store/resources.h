// Shared resources (lesson plans, slides, worksheets) as the node keeps them: the resource with
// its current version number, every version (text, metadata, file list) kept forever, and the
// metadata of stored blobs. Binary records (store/codec.h) in three named databases; the bytes of
// the files are in the blob store (store/files.h). No JSON here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/lmdb_store.h"

namespace store {

struct ResourceFile {
  std::string name;        // file name as shown and downloaded (sanitized: no path, no leading dot)
  std::string media_type;  // from the extension (local) or as received (remote)
  std::string sha256_hex;
  std::string url;  // where it is served: ours for local files, the origin's for remote
  uint64_t size = 0;
};

struct ResourceVersionRecord {
  std::string resource_id, version_id;  // version_id: RESOURCE/versions/N (ours) or as received
  uint64_t version = 0;                 // 1, 2, 3...
  std::string title, description_markdown, description_html, license, language;
  std::vector<std::string> subjects, levels, authors;
  std::vector<ResourceFile> files;
  int64_t published_ms = 0;  // when this version was made
  std::string activity_id;   // the Create or Update that carried it
  std::string Encode() const;
  static std::optional<ResourceVersionRecord> Decode(std::string_view bytes);
};

struct ResourceRecord {
  std::string id, type, attributed_to;
  std::string audience;  // the community (Group id), or ""
  std::vector<std::string> to, cc;
  uint64_t current_version = 0;
  int64_t created_ms = 0, updated_ms = 0, deleted_ms = 0;
  bool local = false;
  std::string versions_url;  // the history collection (ours: RESOURCE/versions)
  std::string Encode() const;
  static std::optional<ResourceRecord> Decode(std::string_view bytes);
};

// What we know about a blob in the blob store.
struct FileRecord {
  std::string sha256_hex, media_type, name;
  uint64_t size = 0;
  bool local =
      false;  // a file of a resource of this node (served, never evicted); else a cache copy
  int64_t created_ms = 0, last_used_ms = 0;
  std::string Encode() const;
  static std::optional<FileRecord> Decode(std::string_view bytes);
};

cs::Result<ResourceRecord> GetResource(const Txn& txn, std::string_view id);
cs::Status PutResource(Txn& txn, const ResourceRecord& r);
cs::Result<ResourceVersionRecord> GetResourceVersion(const Txn& txn, std::string_view id,
                                                     uint64_t version);
// The current version of a resource.
cs::Result<ResourceVersionRecord> GetCurrentVersion(const Txn& txn, const ResourceRecord& r);
cs::Status PutResourceVersion(Txn& txn, const ResourceVersionRecord& v);
// Oldest first.
std::vector<ResourceVersionRecord> ListResourceVersions(const Txn& txn, std::string_view id);
std::vector<ResourceRecord> ListResources(const Txn& txn);
cs::Result<FileRecord> GetFileRecord(const Txn& txn, std::string_view sha256_hex);
cs::Status PutFileRecord(Txn& txn, const FileRecord& f);

}  // namespace store
