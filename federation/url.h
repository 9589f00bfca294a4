// A small, strict parser for absolute http(s) URLs: the ids, inboxes and key ids that federation
// fetches and posts to. It accepts less than a browser on purpose: anything a second parser
// (libcurl, another server) could read differently is refused (userinfo, backslashes, control
// characters, percent-encoded or non-ASCII hosts). No dependencies; plain values, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace federation {

struct Url {
  std::string scheme;    // "http" or "https", lower case
  std::string host;      // lower-case ASCII; an IPv6 literal without brackets, in canonical form
  std::string path;      // starts with '/', never empty
  std::string query;     // after '?', without it; "" when absent
  std::string fragment;  // after '#', without it; "" when absent
  uint16_t port = 0;     // explicit, or the scheme default (80 / 443)
  bool explicit_port = false;
  bool has_userinfo = false;  // always false in a Url that ParseUrl returned (userinfo is refused)

  // Host, plus ":port" only when the port is not the scheme default; IPv6 in brackets.
  std::string Authority() const;
  // scheme://Authority()
  std::string Origin() const;
  // path + ("?" + query when there is a query): what goes on the request line.
  std::string Target() const;
  // Origin() + Target(): the canonical text of this URL without the fragment.
  std::string WithoutFragment() const;
};

// Parses an absolute http or https URL. kInvalidInput for other schemes, relative URLs, userinfo
// (BR-20.5), spaces, control characters, backslashes, empty or malformed hosts and bad ports.
// Hosts such as "2130706433" or "0x7f.0.0.1" parse as names: the address guard judges where they
// lead after resolution.
cs::Result<Url> ParseUrl(std::string_view text);

// True when both parse and have the same scheme, host and port.
bool SameOrigin(std::string_view a, std::string_view b);

}  // namespace federation
