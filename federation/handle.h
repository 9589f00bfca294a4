// Handles (`@user@host`, `user@host`, `acct:user@host`, with an optional `:port`) as teachers
// type them. The user part keeps the case typed (BR-13: servers may be case-sensitive); the
// host is normalized (lower-case, IDNA punycode, BR-15).
#pragma once

#include <string>
#include <string_view>

#include "federation/punycode.h"
#include "store/status.h"

namespace federation {

struct Handle {
  std::string user;
  std::string host;  // normalized, with ":port" when given
  std::string Acct() const { return "acct:" + user + "@" + host; }
};

// kInvalidInput with the reason for anything that is not a handle.
cs::Result<Handle> ParseHandle(std::string_view text);
// True for http:// and https:// URLs (which are looked up by fetching, not WebFinger).
bool LooksLikeUrl(std::string_view text);

}  // namespace federation
