// The content-addressed blob store: the files of shared resources, kept under the data directory
// as ROOT/sha256/ab/cdef... (the SHA-256 of the content, in lower-case hex, split after two
// characters). One job: bytes in, digest out, bytes back by digest. Names given by people or other
// servers never become paths here; only a validated 64-character hex digest does.
//
// Writes are crash-safe: the content goes to a temporary file under ROOT/tmp (hashed while it is
// copied), is fsynced, renamed into place and the directory fsynced. A blob is therefore either
// absent or complete under its digest; a crash leaves at most a temporary file, never a partial
// blob. Several processes may write at once (the serving node and a command): the same content
// simply lands under the same name.
//
// Stateless apart from its configuration: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace store {

inline constexpr uint64_t kDefaultMaxFileBytes = 50ull << 20;  // 50 MiB

struct BlobInfo {
  std::string sha256_hex;  // 64 lower-case hex characters
  uint64_t size = 0;
};

class BlobStore {
 public:
  // `root` is created on the first write (DATA/media).
  BlobStore(std::string root, uint64_t max_bytes = kDefaultMaxFileBytes)
      : root_(std::move(root)), max_bytes_(max_bytes) {}

  // Copies the file at `path` in. kTooLarge (before anything is written) when it is larger than
  // max_bytes(); kNotFound / kIOError when it cannot be read; kInvalidInput when it is not a
  // regular file.
  cs::Result<BlobInfo> PutFile(const std::string& path) const;
  // Stores `bytes` (downloads). kTooLarge over max_bytes().
  cs::Result<BlobInfo> PutBytes(std::string_view bytes) const;

  // True when the blob is stored. False for anything that is not a valid digest.
  bool Has(std::string_view sha256_hex) const;
  // The whole blob. kNotFound when absent, kInvalidInput for a malformed digest.
  cs::Result<std::string> Read(std::string_view sha256_hex) const;
  // Removes a blob (cache eviction). Ok when absent.
  cs::Status Remove(std::string_view sha256_hex) const;
  // Where the blob lives (for a validated digest), or "" for a malformed one.
  std::string PathFor(std::string_view sha256_hex) const;
  // Removes temporary files older than `max_age_seconds` (left by crashed writers).
  void CleanTemp(int64_t max_age_seconds = 24 * 3600) const;

  const std::string& root() const { return root_; }
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  cs::Result<BlobInfo> Commit(const std::string& tmp, const std::string& hex, uint64_t size) const;

  std::string root_;
  uint64_t max_bytes_;
};

// True for exactly 64 lower-case hex characters.
bool IsSha256Hex(std::string_view s);
// Lower-case hex of raw bytes, and back (nullopt-like "" for malformed input).
std::string ToHex(std::string_view bytes);
std::string FromHex(std::string_view hex);
// "50 MiB", "1.5 KiB", "12 bytes".
std::string HumanBytes(uint64_t n);
// "is 51.3 MiB; files are limited to 50 MiB", in exact bytes when rounding would show the two
// sizes alike ("is 52428801 bytes; files are limited to 52428800 bytes").
std::string SizeOverLimit(uint64_t size, uint64_t limit);

}  // namespace store
