// Body digests of HTTP messages: the RFC 3230-style `Digest` field that draft-cavage senders
// (Mastodon and most of the fediverse) use, and RFC 9530 `Content-Digest` used with RFC 9421.
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "federation/http_message.h"
#include "store/status.h"

namespace federation {

// "SHA-256=<base64 of SHA-256(body)>", the value draft-cavage signers send in `Digest`.
std::string DigestHeaderValue(std::string_view body);
// "sha-256=:<base64 of SHA-256(body)>:", the RFC 9530 `Content-Digest` value.
std::string ContentDigestHeaderValue(std::string_view body);

// Checks `Content-Digest` (RFC 9530 dictionary, sha-256 / sha-512) and `Digest` (RFC 3230:
// comma-separated `algorithm=base64`, algorithm token in any case, values compared as decoded
// bytes) against `body`. Every known algorithm present must match. Returns kUnauthorized when a
// value does not match, when only unknown algorithms (md5, sha, ...) are present, when a field is
// malformed, or when neither field is present and `require` is true. Never crashes on garbage.
cs::Status VerifyDigest(const HttpHeaders& headers, std::string_view body, bool require);

}  // namespace federation
