// WebFinger (RFC 7033): reading the `resource` a peer asks about, building our JRD, and reading
// the JRD another server answers with. Pure functions: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "federation/handle.h"

namespace federation {

struct WebFingerQuery {
  std::string user, host;  // for acct: resources (host normalized)
  bool is_url = false;     // an actor URL was asked about
  std::string url;
};

// `resource` already percent-decoded: acct:user@host, acct:@user@host, or an http(s) URL.
// kInvalidInput for anything else (the route answers 400).
cs::Result<WebFingerQuery> ParseWebFingerResource(std::string_view resource);
// Decodes %XX and '+' (as space) of a query component.
std::string PercentDecode(std::string_view s);
std::string PercentEncode(std::string_view s);
// Our JRD: subject, aliases, one rel="self" link (application/activity+json) and a profile page.
std::string BuildJrd(std::string_view subject, const std::vector<std::string>& aliases,
                     std::string_view self_href, std::string_view profile_page);
// The rel="self" ActivityStreams hrefs of a JRD (at most 64 KiB), in order.
cs::Result<std::vector<std::string>> ParseJrdSelfLinks(std::string_view jrd_json);
// The first of them; kNotFound when there is none.
cs::Result<std::string> ParseJrdSelf(std::string_view jrd_json, std::string_view preferred_type);
// scheme://host/.well-known/webfinger?resource=acct%3Auser%40host
std::string WebFingerUrl(std::string_view scheme, const Handle& handle);

}  // namespace federation
