#include "federation/digest.h"

#include <openssl/crypto.h>

#include <optional>
#include <vector>

#include "federation/crypto.h"
#include "federation/structured_fields.h"

namespace federation {

namespace {

// A Digest field this long is not one we will parse (a sha-512 value is 88 characters).
constexpr size_t kMaxDigestFieldBytes = 4096;

struct DigestValue {
  std::string algorithm;  // lower-cased
  std::string bytes;      // decoded
};

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsKnown(std::string_view algorithm) {
  return algorithm == "sha-256" || algorithm == "sha-512";
}

// RFC 9530: a Dictionary of algorithm -> Byte Sequence.
cs::Status ParseContentDigest(std::string_view field, std::vector<DigestValue>& out) {
  auto dict = ParseSfDictionary(field);
  if (!dict.ok() || dict->empty()) return cs::Status::Unauthorized("malformed Content-Digest");
  for (const auto& [algorithm, member] : *dict) {
    bool is_bytes = !member.is_inner_list &&
                    member.item.value.type == SfBareItem::Type::kByteSequence;
    if (IsKnown(algorithm) && !is_bytes)
      return cs::Status::Unauthorized("Content-Digest " + algorithm + " is not a byte sequence");
    out.push_back({algorithm, is_bytes ? member.item.value.text : std::string()});
  }
  return cs::Status::Ok();
}

// RFC 3230: instance-digest = digest-algorithm "=" encoded-digest, comma-separated.
cs::Status ParseLegacyDigest(std::string_view field, std::vector<DigestValue>& out) {
  if (field.size() > kMaxDigestFieldBytes) return cs::Status::Unauthorized("Digest too long");
  bool any = false;
  while (!field.empty()) {
    size_t comma = field.find(',');
    std::string_view element = TrimOws(field.substr(0, comma));
    field = comma == std::string_view::npos ? std::string_view() : field.substr(comma + 1);
    if (element.empty()) continue;
    size_t eq = element.find('=');
    if (eq == 0 || eq == std::string_view::npos)
      return cs::Status::Unauthorized("malformed Digest element");
    std::string algorithm = AsciiLower(TrimOws(element.substr(0, eq)));
    std::string_view encoded = TrimOws(element.substr(eq + 1));
    std::string bytes;
    if (IsKnown(algorithm)) {
      auto decoded = Base64Decode(encoded);
      if (!decoded.ok()) return cs::Status::Unauthorized("Digest " + algorithm + " is not base64");
      bytes = std::move(*decoded);
    }
    out.push_back({std::move(algorithm), std::move(bytes)});
    any = true;
  }
  if (!any) return cs::Status::Unauthorized("empty Digest");
  return cs::Status::Ok();
}

}  // namespace

std::string DigestHeaderValue(std::string_view body) { return "SHA-256=" + Base64Encode(Sha256(body)); }

std::string ContentDigestHeaderValue(std::string_view body) {
  return "sha-256=:" + Base64Encode(Sha256(body)) + ":";
}

cs::Status VerifyDigest(const HttpHeaders& headers, std::string_view body, bool require) {
  std::vector<DigestValue> values;
  bool present = false;
  if (headers.Has("content-digest")) {
    present = true;
    CS_RETURN_IF_ERROR(ParseContentDigest(headers.Combined("content-digest"), values));
  }
  if (headers.Has("digest")) {
    present = true;
    CS_RETURN_IF_ERROR(ParseLegacyDigest(headers.Combined("digest"), values));
  }
  if (!present) {
    if (require) return cs::Status::Unauthorized("body digest missing");
    return cs::Status::Ok();
  }
  std::optional<std::string> sha256, sha512;  // each computed at most once
  auto digest_of = [&](const std::string& algorithm) -> const std::string& {
    bool is_256 = algorithm == "sha-256";
    std::optional<std::string>& slot = is_256 ? sha256 : sha512;
    if (!slot) slot = is_256 ? Sha256(body) : Sha512(body);
    return *slot;
  };
  bool checked = false;
  for (const DigestValue& v : values) {
    if (!IsKnown(v.algorithm)) continue;
    const std::string& expected = digest_of(v.algorithm);
    if (v.bytes.size() != expected.size() ||
        CRYPTO_memcmp(v.bytes.data(), expected.data(), expected.size()) != 0)
      return cs::Status::Unauthorized("body digest " + v.algorithm + " does not match");
    checked = true;
  }
  if (!checked) return cs::Status::Unauthorized("no supported digest algorithm (sha-256, sha-512)");
  return cs::Status::Ok();
}

}  // namespace federation
