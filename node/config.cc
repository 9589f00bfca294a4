#include "node/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace node {
namespace {

// Strict reading: every key must be known and of the expected type, so a typo or a quoted
// number is an error naming the file and the key instead of a silent default.
class Reader {
 public:
  Reader(const std::string& path, const toml::table& t) : path_(path), t_(t) {}

  const cs::Status& status() const { return status_; }

  void String(std::string_view key, std::string& out) {
    const toml::node* n = Get(key);
    if (!n) return;
    if (auto s = n->value_exact<std::string>())
      out = *s;
    else
      Wrong(key, "a string", *n);
  }
  template <typename Int>
  void Integer(std::string_view key, Int& out) {
    const toml::node* n = Get(key);
    if (!n) return;
    auto v = n->value_exact<int64_t>();
    if (!v) return Wrong(key, "an integer", *n);
    if (*v < std::numeric_limits<Int>::min() || *v > std::numeric_limits<Int>::max())
      return Error("'" + std::string(key) + "' is out of range: " + std::to_string(*v));
    out = static_cast<Int>(*v);
  }
  void Strings(std::string_view key, std::vector<std::string>& out) {
    const toml::node* n = Get(key);
    if (!n) return;
    const toml::array* arr = n->as_array();
    if (!arr) return Wrong(key, "an array of strings", *n);
    out.clear();
    for (const auto& el : *arr) {
      auto s = el.value_exact<std::string>();
      if (!s) return Wrong(key, "an array of strings", el);
      out.push_back(*s);
    }
  }
  // Call after reading every known key: any other key is an error.
  void RejectUnknown() {
    for (const auto& [key, value] : t_) {
      if (!status_.ok()) return;
      if (!known_.count(std::string(key.str())))
        Error("unknown key '" + std::string(key.str()) + "' (known: " + KnownList() + ")",
              value.source().begin.line);
    }
  }
  void Error(const std::string& message, int line = 0) {
    if (!status_.ok()) return;  // the first error is the one reported
    status_ = cs::Status::Corruption(path_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " +
                                     message);
  }

 private:
  const toml::node* Get(std::string_view key) {
    known_.insert(std::string(key));
    return status_.ok() ? t_.get(key) : nullptr;
  }
  void Wrong(std::string_view key, const char* expected, const toml::node& n) {
    std::ostringstream got;
    got << n.type();
    Error("'" + std::string(key) + "' must be " + expected + ", got " + got.str(),
          n.source().begin.line);
  }
  std::string KnownList() const {
    std::string out;
    for (const auto& k : known_) out += (out.empty() ? "" : ", ") + k;
    return out;
  }

  std::string path_;
  const toml::table& t_;
  std::set<std::string> known_;
  cs::Status status_;
};

}  // namespace

cs::Result<Config> LoadConfig(const std::string& data_dir) {
  std::string path = data_dir + "/cloudschool.toml";
  if (!std::filesystem::exists(path))
    return cs::Status::NotFound("no node in " + data_dir + " (run 'cloudschool init --domain HOST' first)");
  toml::table t;
  try {  // toml++ is built with exceptions here: convert at the call
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path << ":" << e.source().begin.line << ": " << e.description();
    return cs::Status::Corruption(msg.str());
  }
  Config c;
  Reader r(path, t);
  r.String("domain", c.domain);
  r.String("scheme", c.scheme);
  r.Strings("allow_addresses", c.allow_addresses);
  r.String("ca_file", c.ca_file);
  r.String("listen", c.listen);
  r.String("tls_cert", c.tls_cert);
  r.String("tls_key", c.tls_key);
  r.Strings("resolve", c.resolve);
  r.Integer("signature_window_seconds", c.signature_window_seconds);
  r.Integer("delivery_first_retry_ms", c.delivery_first_retry_ms);
  r.Integer("max_file_bytes", c.max_file_bytes);
  r.Integer("max_cache_bytes", c.max_cache_bytes);
  r.Integer("max_connections_per_ip", c.max_connections_per_ip);
  r.RejectUnknown();
  if (c.domain.empty()) r.Error("'domain' is missing");
  if (c.max_file_bytes < 1) r.Error("'max_file_bytes' must be positive");
  if (c.max_cache_bytes < 0) r.Error("'max_cache_bytes' must not be negative");
  if (c.max_connections_per_ip < 0) r.Error("'max_connections_per_ip' must not be negative");
  if (c.signature_window_seconds < 1) r.Error("'signature_window_seconds' must be positive");
  if (c.delivery_first_retry_ms < 1) r.Error("'delivery_first_retry_ms' must be positive");
  if (c.scheme != "https" && c.scheme != "http")
    r.Error("'scheme' must be \"https\" or \"http\", got \"" + c.scheme + "\"");
  if (!r.status().ok()) return r.status();
  return c;
}

cs::Status SaveConfig(const std::string& data_dir, const Config& c) {
  toml::table t;
  t.insert("domain", c.domain);
  t.insert("scheme", c.scheme);
  toml::array allow;
  for (const auto& a : c.allow_addresses) allow.push_back(a);
  t.insert("allow_addresses", allow);
  t.insert("ca_file", c.ca_file);
  t.insert("listen", c.listen);
  t.insert("tls_cert", c.tls_cert);
  t.insert("tls_key", c.tls_key);
  toml::array resolve;
  for (const auto& r : c.resolve) resolve.push_back(r);
  t.insert("resolve", resolve);
  t.insert("signature_window_seconds", int64_t{c.signature_window_seconds});
  if (c.delivery_first_retry_ms != Config{}.delivery_first_retry_ms)  // a tests-only knob
    t.insert("delivery_first_retry_ms", c.delivery_first_retry_ms);
  if (c.max_file_bytes != Config{}.max_file_bytes) t.insert("max_file_bytes", c.max_file_bytes);
  if (c.max_cache_bytes != Config{}.max_cache_bytes) t.insert("max_cache_bytes", c.max_cache_bytes);
  if (c.max_connections_per_ip != Config{}.max_connections_per_ip)
    t.insert("max_connections_per_ip", c.max_connections_per_ip);
  std::ostringstream out;
  out << "# Cloudschool node configuration (docs/admin.md).\n" << t << "\n";
  std::string body = out.str();
  std::string path = data_dir + "/cloudschool.toml", tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return cs::Status::IOError("cannot write " + tmp);
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    return cs::Status::IOError("cannot write " + path);
  return cs::Status::Ok();
}

}  // namespace node
