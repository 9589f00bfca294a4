// What every record file of store/ shares: versioned decoding and typed reads. Internal to store/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "store/codec.h"
#include "store/lmdb_store.h"

namespace store::detail {

// Decodes a record written as U64(version) followed by its fields. nullopt when the version is 0
// or newer than `max_version` (a newer binary's record), or the bytes run short. `fields` may
// return bool (false: the record is invalid) or nothing.
template <class T, class F>
std::optional<T> DecodeVersioned(std::string_view bytes, uint64_t max_version, F&& fields) {
  T rec;
  Decoder d(bytes);
  uint64_t version = 0;
  d.U64(version);
  if (version == 0 || version > max_version) return std::nullopt;
  if constexpr (std::is_same_v<std::invoke_result_t<F, Decoder&, T&>, bool>) {
    if (!fields(d, rec)) return std::nullopt;
  } else {
    fields(d, rec);
  }
  if (!d.ok()) return std::nullopt;
  return rec;
}

// The record at `key`: kNotFound when absent, kCorruption when it does not decode.
template <class T>
cs::Result<T> GetDecoded(const Txn& txn, Db db, std::string_view key) {
  auto bytes = txn.Get(db, key);
  if (!bytes.ok()) return bytes.status();
  auto rec = T::Decode(*bytes);
  if (!rec) return cs::Status::Corruption(std::string("undecodable record in ") + DbName(db));
  return std::move(*rec);
}

inline std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace store::detail
