#include "federation/handle.h"

namespace federation {

bool LooksLikeUrl(std::string_view t) {
  return t.rfind("https://", 0) == 0 || t.rfind("http://", 0) == 0;
}

cs::Result<Handle> ParseHandle(std::string_view text) {
  std::string_view s = text;
  if (s.rfind("acct:", 0) == 0) s.remove_prefix(5);
  if (!s.empty() && s.front() == '@') s.remove_prefix(1);
  auto at = s.find('@');
  if (at == std::string_view::npos)
    return cs::Status::InvalidInput("'" + std::string(text) + "' is not a handle (expected user@host)");
  std::string_view user = s.substr(0, at), host = s.substr(at + 1);
  if (user.empty() || host.empty())
    return cs::Status::InvalidInput("'" + std::string(text) + "' has an empty user or host");
  if (host.find('@') != std::string_view::npos)
    return cs::Status::InvalidInput("'" + std::string(text) + "' has more than one host part");
  for (char c : user) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '/' || c == '?' || c == '#' || c == ':' || c == '%')
      return cs::Status::InvalidInput("invalid character in the user part of '" + std::string(text) + "'");
  }
  for (char c : host) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '/' || c == '?' || c == '#' || c == '\\' || c == '%')
      return cs::Status::InvalidInput("invalid character in the host part of '" + std::string(text) + "'");
  }
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.front() != '[') {
    std::string_view port = host.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535)
      return cs::Status::InvalidInput("invalid port in '" + std::string(text) + "'");
  }
  Handle h{std::string(user), NormalizeHost(host)};
  if (h.host.empty() || h.host.front() == '.' || h.host.find("..") != std::string::npos)
    return cs::Status::InvalidInput("invalid host in '" + std::string(text) + "'");
  return h;
}

}  // namespace federation
