// NodeInfo 2.1 and its discovery document. Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace federation {

std::string BuildNodeInfoDiscovery(std::string_view base_url);
struct NodeInfoStats {
  int64_t users_total = 0, active_month = 0, active_halfyear = 0, local_posts = 0;
  bool open_registrations = false;
};
std::string BuildNodeInfo(const NodeInfoStats& stats, std::string_view version);

}  // namespace federation
