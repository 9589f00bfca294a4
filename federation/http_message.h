// Plain HTTP request and response structs: what node/ hands to federation/ and what the
// outbound client sends and returns. No Beast, no curl types cross this boundary.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace federation {

struct HttpHeaders {
  // Names are stored lower-cased; order and repeats are kept as received.
  std::vector<std::pair<std::string, std::string>> items;

  // First value of `name` (any case), or "" when absent.
  std::string Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // All values of `name` joined with ", " (RFC 9110 field combination).
  std::string Combined(std::string_view name) const;
  // Replaces every value of `name` with one value.
  void Set(std::string_view name, std::string value);
  void Add(std::string_view name, std::string value);
  void Remove(std::string_view name);
};

struct HttpRequest {
  std::string method;     // "GET", "POST" (upper case)
  std::string scheme;     // "https" or "http": how the request reached the public origin
  std::string authority;  // host[:port] of the origin the request was addressed to
  std::string target;     // path and query as sent: "/users/ann/inbox?x=1"
  HttpHeaders headers;
  std::string body;
  std::string remote_address;  // peer IP, for logs and rate limits (inbound only)

  std::string Url() const { return scheme + "://" + authority + target; }
  std::string Path() const;   // target without the query
  std::string Query() const;  // the part after '?', or ""
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  // For our log only, never sent: what the body does not say (e.g. why a key fetch failed).
  std::string log_detail;
};

// Lower-cases ASCII.
std::string AsciiLower(std::string_view s);

}  // namespace federation
