// The node's configuration: cloudschool.toml in the data directory, written by `init`.
#pragma once

#include <string>
#include <vector>

#include "store/status.h"

namespace node {

struct Config {
  std::string domain;                       // public host[:port], lower-case ("school.example:8443")
  std::string scheme = "https";             // "http" only with `init --http` (development, tests)
  std::vector<std::string> allow_addresses; // CIDRs outbound requests may reach despite the SSRF guard
  std::string ca_file;                      // extra CA for outbound TLS
  std::string listen = "127.0.0.1:8080";    // default for `serve`
  std::string tls_cert, tls_key;            // default for `serve`
  std::vector<std::string> resolve;         // tests: "host:port:addr" name resolution overrides
  int signature_window_seconds = 3600;      // accepted clock skew of Date / created
  // First delay before a failed delivery is retried (then doubling). 30 s suits production;
  // integration tests set a fraction of a second so a restarted receiver gets its backlog at once.
  int64_t delivery_first_retry_ms = 30'000;
  // Shared resources: the largest file a teacher may add (and we download), and how much space
  // copies of other schools' files may take under media/ (least recently used go first).
  int64_t max_file_bytes = 50ll << 20;
  int64_t max_cache_bytes = 1ll << 30;
  // Live HTTP connections one client address may hold (ServerOptions::max_connections_per_ip);
  // 0 = no cap. Behind a reverse proxy on the same host every connection comes from the proxy.
  int64_t max_connections_per_ip = 64;
  std::string Origin() const { return scheme + "://" + domain; }
};

// Reads DIR/cloudschool.toml. kNotFound when there is no node in DIR.
cs::Result<Config> LoadConfig(const std::string& data_dir);
// Writes DIR/cloudschool.toml atomically (write to a temp file, fsync, rename).
cs::Status SaveConfig(const std::string& data_dir, const Config& config);

}  // namespace node
