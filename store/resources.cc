#include "store/resources.h"

#include "store/codec.h"
#include "store/record_access.h"

namespace store {
namespace {

constexpr uint64_t kRecordVersion = 1;
constexpr uint64_t kMaxFilesPerVersion = 1000;  // a sanity bound for decoding

template <class T, class F>
std::optional<T> DecodeWith(std::string_view bytes, F&& fields) {
  return detail::DecodeVersioned<T>(bytes, kRecordVersion, std::forward<F>(fields));
}

using detail::GetDecoded;

std::string VersionKey(std::string_view id, uint64_t version) {
  return JoinKey(id, EncodeBe64(version));
}

}  // namespace

std::string ResourceVersionRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(resource_id).Str(version_id).U64(version).Str(title);
  e.Str(description_markdown).Str(description_html).Str(license).Str(language);
  e.Strs(subjects).Strs(levels).Strs(authors);
  e.U64(files.size());
  for (const auto& f : files)
    e.Str(f.name).Str(f.media_type).Str(f.sha256_hex).Str(f.url).U64(f.size);
  e.I64(published_ms).Str(activity_id);
  return e.Take();
}

std::optional<ResourceVersionRecord> ResourceVersionRecord::Decode(std::string_view bytes) {
  return DecodeWith<ResourceVersionRecord>(bytes, [](Decoder& d, ResourceVersionRecord& r) {
    d.Str(r.resource_id).Str(r.version_id).U64(r.version).Str(r.title);
    d.Str(r.description_markdown).Str(r.description_html).Str(r.license).Str(r.language);
    d.Strs(r.subjects).Strs(r.levels).Strs(r.authors);
    uint64_t n = 0;
    d.U64(n);
    if (n > kMaxFilesPerVersion) return false;
    r.files.resize(n);
    for (auto& f : r.files)
      d.Str(f.name).Str(f.media_type).Str(f.sha256_hex).Str(f.url).U64(f.size);
    d.I64(r.published_ms).Str(r.activity_id);
    return true;
  });
}

std::string ResourceRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(id).Str(type).Str(attributed_to).Str(audience).Strs(to).Strs(cc);
  e.U64(current_version).I64(created_ms).I64(updated_ms).I64(deleted_ms).Bool(local);
  e.Str(versions_url);
  return e.Take();
}

std::optional<ResourceRecord> ResourceRecord::Decode(std::string_view bytes) {
  return DecodeWith<ResourceRecord>(bytes, [](Decoder& d, ResourceRecord& r) {
    d.Str(r.id).Str(r.type).Str(r.attributed_to).Str(r.audience).Strs(r.to).Strs(r.cc);
    d.U64(r.current_version).I64(r.created_ms).I64(r.updated_ms).I64(r.deleted_ms).Bool(r.local);
    d.Str(r.versions_url);
    return true;
  });
}

std::string FileRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(sha256_hex).Str(media_type).Str(name).U64(size).Bool(local);
  e.I64(created_ms).I64(last_used_ms);
  return e.Take();
}

std::optional<FileRecord> FileRecord::Decode(std::string_view bytes) {
  return DecodeWith<FileRecord>(bytes, [](Decoder& d, FileRecord& r) {
    d.Str(r.sha256_hex).Str(r.media_type).Str(r.name).U64(r.size).Bool(r.local);
    d.I64(r.created_ms).I64(r.last_used_ms);
    return true;
  });
}

cs::Result<ResourceRecord> GetResource(const Txn& txn, std::string_view id) {
  return GetDecoded<ResourceRecord>(txn, Db::kResources, id);
}

cs::Status PutResource(Txn& txn, const ResourceRecord& r) {
  return txn.Put(Db::kResources, r.id, r.Encode());
}

cs::Result<ResourceVersionRecord> GetResourceVersion(const Txn& txn, std::string_view id,
                                                     uint64_t version) {
  return GetDecoded<ResourceVersionRecord>(txn, Db::kResourceVersions, VersionKey(id, version));
}

cs::Result<ResourceVersionRecord> GetCurrentVersion(const Txn& txn, const ResourceRecord& r) {
  return GetResourceVersion(txn, r.id, r.current_version);
}

cs::Status PutResourceVersion(Txn& txn, const ResourceVersionRecord& v) {
  return txn.Put(Db::kResourceVersions, VersionKey(v.resource_id, v.version), v.Encode());
}

std::vector<ResourceVersionRecord> ListResourceVersions(const Txn& txn, std::string_view id) {
  std::vector<ResourceVersionRecord> out;
  (void)txn.Scan(Db::kResourceVersions, JoinKey(id, ""),
                 [&](std::string_view k, std::string_view v) {
                   // The prefix "id\x1f" also matches longer ids only if they contain \x1f, which
                   // ids never do.
                   if (auto rec = ResourceVersionRecord::Decode(v)) out.push_back(std::move(*rec));
                   return true;
                 });
  return out;
}

std::vector<ResourceRecord> ListResources(const Txn& txn) {
  std::vector<ResourceRecord> out;
  (void)txn.Scan(Db::kResources, "", [&](std::string_view, std::string_view v) {
    if (auto rec = ResourceRecord::Decode(v)) out.push_back(std::move(*rec));
    return true;
  });
  return out;
}

cs::Result<FileRecord> GetFileRecord(const Txn& txn, std::string_view sha256_hex) {
  return GetDecoded<FileRecord>(txn, Db::kFiles, sha256_hex);
}

cs::Status PutFileRecord(Txn& txn, const FileRecord& f) {
  return txn.Put(Db::kFiles, f.sha256_hex, f.Encode());
}

}  // namespace store
