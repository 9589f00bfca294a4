#include "node/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <toml++/toml.h>

namespace node {
namespace {

std::vector<std::string> ReadStrings(const toml::table& t, std::string_view key) {
  std::vector<std::string> out;
  if (auto arr = t[key].as_array()) {
    for (const auto& el : *arr)
      if (auto s = el.value<std::string>()) out.push_back(*s);
  }
  return out;
}

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
    return cs::Status::InvalidInput(msg.str());
  }
  Config c;
  c.domain = t["domain"].value_or(std::string());
  c.scheme = t["scheme"].value_or(std::string("https"));
  c.allow_addresses = ReadStrings(t, "allow_addresses");
  c.ca_file = t["ca_file"].value_or(std::string());
  c.listen = t["listen"].value_or(std::string("127.0.0.1:8080"));
  c.tls_cert = t["tls_cert"].value_or(std::string());
  c.tls_key = t["tls_key"].value_or(std::string());
  c.resolve = ReadStrings(t, "resolve");
  c.signature_window_seconds = static_cast<int>(t["signature_window_seconds"].value_or(int64_t{3600}));
  c.delivery_first_retry_ms = t["delivery_first_retry_ms"].value_or(int64_t{30'000});
  c.max_file_bytes = t["max_file_bytes"].value_or(Config{}.max_file_bytes);
  c.max_cache_bytes = t["max_cache_bytes"].value_or(Config{}.max_cache_bytes);
  if (c.max_file_bytes < 1 || c.max_cache_bytes < 0)
    return cs::Status::InvalidInput(
        path + ": 'max_file_bytes' must be positive, 'max_cache_bytes' not negative");
  if (c.domain.empty()) return cs::Status::InvalidInput(path + ": 'domain' is missing");
  if (c.delivery_first_retry_ms < 1)
    return cs::Status::InvalidInput(path + ": 'delivery_first_retry_ms' must be positive");
  if (c.scheme != "https" && c.scheme != "http")
    return cs::Status::InvalidInput(path + ": 'scheme' must be \"https\" or \"http\"");
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
