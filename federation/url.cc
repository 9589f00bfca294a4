#include "federation/url.h"

#include <arpa/inet.h>

#include "federation/http_message.h"

namespace federation {
namespace {

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Characters refused anywhere in the URL: controls, space, DEL, and '\' (WHATWG reads it as '/' in
// http URLs, libcurl does not: a parser differential we avoid by refusing it).
bool IsForbiddenAnywhere(unsigned char c) { return c <= 0x20 || c == 0x7f || c == '\\'; }

cs::Status Invalid(std::string_view why, std::string_view text) {
  return cs::Status::InvalidInput("url: " + std::string(why) + ": " +
                                  std::string(text.substr(0, 200)));
}

// A registered name: ASCII letters, digits, '-', '_' and dots between non-empty labels.
bool IsValidRegName(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.') return false;
  char prev = '.';
  for (char c : host) {
    bool ok = IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '_' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

cs::Result<uint16_t> ParsePort(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return cs::Status::InvalidInput("bad port");
  uint32_t value = 0;
  for (char c : digits) {
    if (!IsAsciiDigit(c)) return cs::Status::InvalidInput("bad port");
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value == 0 || value > 65535) return cs::Status::InvalidInput("bad port");
  return static_cast<uint16_t>(value);
}

// Splits "host[:port]" or "[v6][:port]" into url->host / url->port.
cs::Status ParseHostPort(std::string_view authority, Url* url) {
  std::string_view host, port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return cs::Status::InvalidInput("unclosed '['");
    std::string literal(authority.substr(1, close - 1));
    in6_addr addr{};
    if (inet_pton(AF_INET6, literal.c_str(), &addr) != 1)
      return cs::Status::InvalidInput("bad IPv6 literal");
    char canonical[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &addr, canonical, sizeof canonical);
    url->host = canonical;
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return cs::Status::InvalidInput("junk after ']'");
      port = rest.substr(1);
      has_port = true;
    }
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
    std::string lower = AsciiLower(host);
    if (!IsValidRegName(lower)) return cs::Status::InvalidInput("bad host");
    url->host = std::move(lower);
  }
  url->explicit_port = has_port;
  if (has_port) {
    cs::Result<uint16_t> p = ParsePort(port);
    if (!p.ok()) return p.status();
    url->port = *p;
  } else {
    url->port = url->scheme == "https" ? 443 : 80;
  }
  return cs::Status::Ok();
}

}  // namespace

std::string Url::Authority() const {
  std::string out;
  if (host.find(':') != std::string::npos) {
    out.append("[").append(host).append("]");
  } else {
    out = host;
  }
  uint16_t default_port = scheme == "https" ? 443 : 80;
  if (port != default_port) out.append(":").append(std::to_string(port));
  return out;
}

std::string Url::Origin() const { return scheme + "://" + Authority(); }

std::string Url::Target() const { return query.empty() ? path : path + "?" + query; }

std::string Url::WithoutFragment() const { return Origin() + Target(); }

cs::Result<Url> ParseUrl(std::string_view text) {
  for (char c : text)
    if (IsForbiddenAnywhere(static_cast<unsigned char>(c)))
      return Invalid("space, control character or backslash", text);

  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return Invalid("not absolute", text);
  Url url;
  url.scheme = AsciiLower(text.substr(0, colon));
  if (url.scheme != "http" && url.scheme != "https") return Invalid("scheme not http(s)", text);
  std::string_view rest = text.substr(colon + 1);
  if (rest.substr(0, 2) != "//") return Invalid("not absolute", text);
  rest.remove_prefix(2);

  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return Invalid("userinfo refused", text);
  for (char c : authority)
    if (static_cast<unsigned char>(c) >= 0x80 || c == '%') return Invalid("non-ASCII host", text);
  if (authority.empty()) return Invalid("empty host", text);
  cs::Status hs = ParseHostPort(authority, &url);
  if (!hs.ok()) return Invalid(hs.message(), text);

  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    url.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    url.query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }
  url.path = rest.empty() ? "/" : std::string(rest);
  return url;
}

bool SameOrigin(std::string_view a, std::string_view b) {
  cs::Result<Url> ua = ParseUrl(a);
  cs::Result<Url> ub = ParseUrl(b);
  if (!ua.ok() || !ub.ok()) return false;
  return ua->scheme == ub->scheme && ua->host == ub->host && ua->port == ub->port;
}

}  // namespace federation
