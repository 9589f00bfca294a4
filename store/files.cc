#include "store/files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

namespace store {
namespace {

struct MdFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
  }
  void Add(const void* p, size_t n) { ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), p, n) == 1; }
  // Raw digest, or "" on failure.
  std::string Finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), out, &len) != 1) return "";
    return std::string(reinterpret_cast<char*>(out), len);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx_;
  bool ok_ = false;
};

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

cs::Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return cs::Status::IOError(Errno("open " + dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return cs::Status::IOError(Errno("fsync " + dir));
  return cs::Status::Ok();
}

std::string RandomName() {
  unsigned char b[12];
  if (RAND_bytes(b, sizeof b) != 1) std::abort();
  return ToHex(std::string_view(reinterpret_cast<char*>(b), sizeof b));
}

// A new temporary file under ROOT/tmp, opened O_EXCL. Returns its fd and path.
cs::Result<std::pair<int, std::string>> NewTemp(const std::string& root) {
  std::error_code ec;
  std::filesystem::create_directories(root + "/tmp", ec);
  if (ec) return cs::Status::IOError("cannot create " + root + "/tmp: " + ec.message());
  std::string path = root + "/tmp/" + RandomName() + ".part";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return cs::Status::IOError(Errno("create " + path));
  return std::make_pair(fd, path);
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

cs::Status TooLarge(uint64_t size, uint64_t max) {
  return cs::Status::TooLarge("the file " + SizeOverLimit(size, max) +
                              " (max_file_bytes in cloudschool.toml)");
}

}  // namespace

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string ToHex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string FromHex(std::string_view hex) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return "";
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return "";
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string SizeOverLimit(uint64_t size, uint64_t limit) {
  std::string s = HumanBytes(size), l = HumanBytes(limit);
  auto whole = [](std::string x) {  // "50.0 MiB" reads as "50 MiB"
    if (auto p = x.find(".0 "); p != std::string::npos) x.erase(p, 2);
    return x;
  };
  if (whole(s) == whole(l))
    s = std::to_string(size) + " bytes", l = std::to_string(limit) + " bytes";
  return "is " + s + "; files are limited to " + l;
}

std::string HumanBytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + (n == 1 ? " byte" : " bytes");
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1024 && u < 3) v /= 1024, ++u;
  char buf[32];
  if (v == static_cast<double>(static_cast<uint64_t>(v)))
    std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), units[u]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string BlobStore::PathFor(std::string_view hex) const {
  if (!IsSha256Hex(hex)) return "";
  return root_ + "/sha256/" + std::string(hex.substr(0, 2)) + "/" + std::string(hex.substr(2));
}

cs::Result<BlobInfo> BlobStore::Commit(const std::string& tmp, const std::string& hex,
                                       uint64_t size) const {
  std::string final_path = PathFor(hex);
  std::string dir = final_path.substr(0, final_path.rfind('/'));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return cs::Status::IOError("cannot create " + dir + ": " + ec.message());
  }
  // rename() replaces an existing blob atomically; same digest means same bytes.
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    cs::Status st = cs::Status::IOError(Errno("rename into " + final_path));
    ::unlink(tmp.c_str());
    return st;
  }
  CS_RETURN_IF_ERROR(FsyncDir(dir));
  return BlobInfo{hex, size};
}

cs::Result<BlobInfo> BlobStore::PutFile(const std::string& path) const {
  int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    if (errno == ENOENT) return cs::Status::NotFound("no such file: " + path);
    return cs::Status::IOError(Errno("cannot read " + path));
  }
  struct stat st {};
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(in);
    return cs::Status::InvalidInput(path + " is not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes_) {
    ::close(in);
    return TooLarge(static_cast<uint64_t>(st.st_size), max_bytes_);
  }
  auto tmp = NewTemp(root_);
  if (!tmp.ok()) {
    ::close(in);
    return tmp.status();
  }
  auto [out, tmp_path] = *tmp;
  Sha256Stream sha;
  uint64_t total = 0;
  std::string buf(1 << 16, '\0');
  cs::Status failure;
  while (true) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failure = cs::Status::IOError(Errno("cannot read " + path));
      break;
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > max_bytes_) {  // the file grew while we copied it
      failure = TooLarge(total, max_bytes_);
      break;
    }
    sha.Add(buf.data(), static_cast<size_t>(n));
    if (!WriteAll(out, buf.data(), static_cast<size_t>(n))) {
      failure = cs::Status::IOError(Errno("cannot write " + tmp_path));
      break;
    }
  }
  ::close(in);
  if (failure.ok() && ::fsync(out) != 0) failure = cs::Status::IOError(Errno("fsync " + tmp_path));
  ::close(out);
  std::string digest = failure.ok() ? sha.Finish() : "";
  if (failure.ok() && digest.size() != 32) failure = cs::Status::Internal("SHA-256 failed");
  if (!failure.ok()) {
    ::unlink(tmp_path.c_str());
    return failure;
  }
  return Commit(tmp_path, ToHex(digest), total);
}

cs::Result<BlobInfo> BlobStore::PutBytes(std::string_view bytes) const {
  if (bytes.size() > max_bytes_) return TooLarge(bytes.size(), max_bytes_);
  Sha256Stream sha;
  sha.Add(bytes.data(), bytes.size());
  std::string digest = sha.Finish();
  if (digest.size() != 32) return cs::Status::Internal("SHA-256 failed");
  auto tmp = NewTemp(root_);
  if (!tmp.ok()) return tmp.status();
  auto [out, tmp_path] = *tmp;
  bool ok = WriteAll(out, bytes.data(), bytes.size()) && ::fsync(out) == 0;
  ::close(out);
  if (!ok) {
    ::unlink(tmp_path.c_str());
    return cs::Status::IOError(Errno("cannot write " + tmp_path));
  }
  return Commit(tmp_path, ToHex(digest), bytes.size());
}

bool BlobStore::Has(std::string_view hex) const {
  std::string p = PathFor(hex);
  struct stat st {};
  return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

cs::Result<std::string> BlobStore::Read(std::string_view hex) const {
  std::string p = PathFor(hex);
  if (p.empty()) return cs::Status::InvalidInput("not a SHA-256 digest: " + std::string(hex));
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return cs::Status::NotFound("no file " + std::string(hex));
    return cs::Status::IOError(Errno("cannot read " + p));
  }
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return cs::Status::IOError(Errno("cannot read " + p));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

cs::Status BlobStore::Remove(std::string_view hex) const {
  std::string p = PathFor(hex);
  if (p.empty()) return cs::Status::InvalidInput("not a SHA-256 digest: " + std::string(hex));
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return cs::Status::IOError(Errno("unlink " + p));
  return cs::Status::Ok();
}

void BlobStore::CleanTemp(int64_t max_age_seconds) const {
  std::error_code ec;
  std::filesystem::directory_iterator it(root_ + "/tmp", ec), end;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    std::string p = it->path().string();
    if (::stat(p.c_str(), &st) == 0 && now - static_cast<int64_t>(st.st_mtime) > max_age_seconds)
      ::unlink(p.c_str());
  }
}

}  // namespace store
