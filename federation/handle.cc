#include "federation/handle.h"

#include <cctype>

namespace federation {

namespace {

// `s` starts with `prefix` (ASCII, lower case) in any case.
bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// A normalized host: DNS labels of [a-z0-9_-] (Punycode included) or a bracketed IPv6 literal,
// then an optional ":port" of 1-65535.
bool ValidHost(std::string_view host) {
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    name = host.substr(1, close - 1);
    if (name.find_first_not_of("0123456789abcdef:.") != std::string_view::npos) return false;
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    if (!rest.empty()) port = rest.substr(1);
    if (rest.size() == 1) return false;
  } else {
    if (auto colon = host.find(':'); colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (name.empty() || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string_view::npos ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string_view::npos)
      return false;
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) return false;
  }
  return true;
}

}  // namespace

bool LooksLikeUrl(std::string_view t) {
  return StartsWithNoCase(t, "https://") || StartsWithNoCase(t, "http://");
}

cs::Result<Handle> ParseHandle(std::string_view text) {
  std::string_view s = text;
  if (StartsWithNoCase(s, "acct:")) s.remove_prefix(5);
  if (!s.empty() && s.front() == '@') s.remove_prefix(1);
  auto at = s.find('@');
  if (at == std::string_view::npos)
    return cs::Status::InvalidInput("'" + std::string(text) +
                                    "' is not a handle (expected user@host)");
  std::string_view user = s.substr(0, at), host = s.substr(at + 1);
  if (user.empty() || host.empty())
    return cs::Status::InvalidInput("'" + std::string(text) + "' has an empty user or host");
  if (host.find('@') != std::string_view::npos)
    return cs::Status::InvalidInput("'" + std::string(text) + "' has more than one host part");
  for (char c : user) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '/' || c == '?' || c == '#' || c == ':' || c == '%')
      return cs::Status::InvalidInput("invalid character in the user part of '" +
                                      std::string(text) + "'");
  }
  for (char c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '/' || c == '?' || c == '#' || c == '\\' || c == '%')
      return cs::Status::InvalidInput("invalid character in the host part of '" +
                                      std::string(text) + "'");
  }
  Handle h{std::string(user), NormalizeHost(host)};
  if (!ValidHost(h.host))
    return cs::Status::InvalidInput("invalid host or port in '" + std::string(text) + "'");
  return h;
}

}  // namespace federation
