#include "federation/http_signature.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "federation/digest.h"
#include "federation/structured_fields.h"
#include "store/clock.h"

namespace federation {

namespace {

// More signatures than this on one request is abuse, not interop.
constexpr size_t kMaxSignatures = 8;
// A cavage Signature value this long is not one (RSA-4096 signatures are 684 characters).
constexpr size_t kMaxCavageFieldBytes = 8 * 1024;
// RFC 9421 parameters and cavage created/expires are Unix seconds; 15 digits as in RFC 8941.
constexpr size_t kMaxTimestampDigits = 15;

cs::Status Malformed(std::string what) {
  return cs::Status::Unauthorized("malformed signature: " + std::move(what));
}

bool Covers(const SignatureInfo& sig, std::string_view component) {
  return std::find(sig.covered.begin(), sig.covered.end(), component) != sig.covered.end();
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

// ---- draft-cavage parsing ----

// `name="value"` or `name=value` pairs separated by commas; names lower-cased, no repeats.
cs::Result<std::vector<std::pair<std::string, std::string>>> ParseCavageParams(
    std::string_view text) {
  if (text.size() > kMaxCavageFieldBytes) return Malformed("Signature field too long");
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = 0;
  while (true) {
    while (i < text.size() && (IsOws(text[i]) || text[i] == ',')) ++i;
    if (i >= text.size()) break;
    size_t start = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) ||
                               text[i] == '-' || text[i] == '_'))
      ++i;
    std::string name = AsciiLower(text.substr(start, i - start));
    while (i < text.size() && IsOws(text[i])) ++i;
    if (name.empty() || i >= text.size() || text[i] != '=') return Malformed("expected name=value");
    ++i;
    while (i < text.size() && IsOws(text[i])) ++i;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < text.size()) c = text[i++];
        value += c;
      }
      if (!closed) return Malformed("unterminated quoted value");
    } else {
      start = i;
      while (i < text.size() && text[i] != ',' && !IsOws(text[i])) ++i;
      value = std::string(text.substr(start, i - start));
      if (value.empty()) return Malformed("empty value for " + name);
    }
    for (const auto& [k, v] : params)
      if (k == name) return Malformed("parameter " + name + " repeated");
    params.emplace_back(std::move(name), std::move(value));
    while (i < text.size() && IsOws(text[i])) ++i;
    if (i < text.size() && text[i] != ',') return Malformed("expected ',' between parameters");
  }
  return params;
}

cs::Result<int64_t> ParseSeconds(std::string_view text) {
  if (text.empty() || text.size() > kMaxTimestampDigits ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Malformed("bad timestamp '" + std::string(text) + "'");
  int64_t v = 0;
  for (char c : text) v = v * 10 + (c - '0');
  return v;
}

cs::Result<SignatureInfo> ParseCavage(const HttpRequest& request, std::string_view text) {
  auto params = ParseCavageParams(text);
  if (!params.ok()) return params.status();
  SignatureInfo sig;
  sig.scheme = SignatureScheme::kCavage;
  std::optional<std::string> headers;
  std::optional<int64_t> created, expires;
  std::string encoded;
  for (auto& [name, value] : *params) {
    if (name == "keyid") {
      sig.key_id = std::move(value);
    } else if (name == "algorithm") {
      sig.algorithm = std::move(value);
    } else if (name == "headers") {
      headers = std::move(value);
    } else if (name == "signature") {
      encoded = std::move(value);
    } else if (name == "created" || name == "expires") {
      auto seconds = ParseSeconds(value);
      if (!seconds.ok()) return seconds.status();
      (name == "created" ? created : expires) = *seconds;
    }
  }
  if (sig.key_id.empty()) return Malformed("keyId missing");
  auto bytes = Base64Decode(encoded);
  if (!bytes.ok() || bytes->empty()) return Malformed("signature missing or not base64");
  sig.signature = std::move(*bytes);
  // Without `headers`, Mastodon and the draft-cavage examples (C.1) sign only `date`.
  std::string_view list = headers ? std::string_view(*headers) : std::string_view("date");
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && IsOws(list[i])) ++i;
    size_t start = i;
    while (i < list.size() && !IsOws(list[i])) ++i;
    if (i > start) sig.covered.push_back(AsciiLower(list.substr(start, i - start)));
  }
  if (sig.covered.empty()) return Malformed("empty headers list");
  if (Covers(sig, "(created)") && !created) return Malformed("(created) signed without created");
  if (Covers(sig, "(expires)") && !expires) return Malformed("(expires) signed without expires");
  // created is the (created) parameter only when (created) is signed (an unsigned one could be
  // changed in transit); otherwise the Date header. CheckTime re-reads what is signed.
  if (Covers(sig, "(created)"))
    sig.created = *created;
  else if (request.headers.Has("date"))
    sig.created = cs::ParseHttpDate(request.headers.Get("date"));
  sig.expires = expires.value_or(-1);
  return sig;
}

// ---- RFC 9421 parsing ----

// A Signature field line of RFC 9421 form: a dictionary of byte sequences.
bool IsRfc9421SignatureLine(std::string_view value) {
  auto dict = ParseSfDictionary(value);
  if (!dict.ok() || dict->empty()) return false;
  return std::all_of(dict->begin(), dict->end(), [](const auto& member) {
    return !member.second.is_inner_list &&
           member.second.item.value.type == SfBareItem::Type::kByteSequence;
  });
}

cs::Result<SignatureInfo> ParseRfc9421Member(const std::string& label, const SfMember& input,
                                             const SfDictionary& signatures) {
  if (!input.is_inner_list) return Malformed("Signature-Input " + label + " is not an inner list");
  SignatureInfo sig;
  sig.scheme = SignatureScheme::kRfc9421;
  sig.label = label;
  for (const SfItem& item : input.inner_list.items) {
    if (item.value.type != SfBareItem::Type::kString || !IsComponentName(item.value.text))
      return Malformed("bad component identifier in " + label);
    sig.covered.push_back(item.value.text + SerializeSfParameters(item.params));
  }
  for (const auto& [key, value] : input.inner_list.params) {
    bool is_int = value.type == SfBareItem::Type::kInteger && value.integer >= 0;
    bool is_string = value.type == SfBareItem::Type::kString;
    if ((key == "created" || key == "expires") && !is_int)
      return Malformed(key + " of " + label + " is not a non-negative integer");
    if ((key == "keyid" || key == "alg") && !is_string)
      return Malformed(key + " of " + label + " is not a string");
    if (key == "created") sig.created = value.integer;
    if (key == "expires") sig.expires = value.integer;
    if (key == "keyid") sig.key_id = value.text;
    if (key == "alg") sig.algorithm = value.text;
  }
  sig.params_raw = SerializeSfInnerList(input.inner_list);
  const SfMember* value = FindSfMember(signatures, label);
  if (!value || value->is_inner_list ||
      value->item.value.type != SfBareItem::Type::kByteSequence || value->item.value.text.empty())
    return Malformed("no Signature for label " + label);
  sig.signature = value->item.value.text;
  return sig;
}

cs::Status ParseRfc9421(const HttpRequest& request, const std::vector<std::string>& lines,
                        std::vector<SignatureInfo>& out) {
  auto inputs = ParseSfDictionary(request.headers.Combined("signature-input"));
  if (!inputs.ok()) return Malformed("Signature-Input: " + inputs.status().message());
  if (inputs->empty()) return Malformed("empty Signature-Input");
  std::string joined;
  for (const std::string& line : lines) joined += (joined.empty() ? "" : ", ") + line;
  auto signatures = ParseSfDictionary(joined);
  if (!signatures.ok()) return Malformed("Signature: " + signatures.status().message());
  for (const auto& [label, member] : *inputs) {
    auto sig = ParseRfc9421Member(label, member, *signatures);
    if (!sig.ok()) return sig.status();
    out.push_back(std::move(*sig));
  }
  return cs::Status::Ok();
}

// ---- verification ----

std::optional<SignatureAlgorithm> Rfc9421Algorithm(std::string_view name) {
  for (auto alg : {SignatureAlgorithm::kRsaPkcs1Sha256, SignatureAlgorithm::kRsaPssSha512,
                   SignatureAlgorithm::kEcdsaP256Sha256, SignatureAlgorithm::kEd25519})
    if (Rfc9421AlgorithmName(alg) == name) return alg;
  return std::nullopt;
}

// BR-01: hs2019, a missing algorithm and rsa-sha256 all mean "what the key implies"; for RSA
// that is PKCS#1 v1.5 with SHA-256, as Mastodon does (misskey #8635).
cs::Result<SignatureAlgorithm> ChooseAlgorithm(const SignatureInfo& sig, const PublicKey& key) {
  std::string name = AsciiLower(sig.algorithm);
  std::optional<SignatureAlgorithm> alg;
  if (sig.scheme == SignatureScheme::kCavage) {
    if (name.empty() || name == "hs2019")
      alg = key.kind() == PublicKey::Kind::kRsa ? SignatureAlgorithm::kRsaPkcs1Sha256
                                                : key.ImpliedAlgorithm();
    else if (name == "rsa-sha256")
      alg = SignatureAlgorithm::kRsaPkcs1Sha256;
    else if (name == "ecdsa-sha256")
      alg = SignatureAlgorithm::kEcdsaP256Sha256;
    else if (name == "ed25519")
      alg = SignatureAlgorithm::kEd25519;
  } else {
    alg = name.empty() ? std::optional(key.ImpliedAlgorithm()) : Rfc9421Algorithm(name);
  }
  if (!alg) return cs::Status::Unauthorized("unsupported signature algorithm '" + sig.algorithm + "'");
  if (!AlgorithmFitsKey(key.kind(), *alg))
    return cs::Status::Unauthorized("signature algorithm '" + sig.algorithm + "' contradicts the key");
  return *alg;
}

cs::Status CheckCoverage(const HttpRequest& request, const SignatureInfo& sig) {
  bool has_body = !request.body.empty();
  if (sig.scheme == SignatureScheme::kCavage) {
    for (const char* required : {"(request-target)", "host"})
      if (!Covers(sig, required))
        return cs::Status::Unauthorized(std::string("signature does not cover ") + required);
    if (!Covers(sig, "date") && !Covers(sig, "(created)"))
      return cs::Status::Unauthorized("signature covers neither date nor (created)");
    if (has_body && !Covers(sig, "digest"))
      return cs::Status::Unauthorized("signature does not cover digest");
    return cs::Status::Ok();
  }
  if (!Covers(sig, "@method")) return cs::Status::Unauthorized("signature does not cover @method");
  bool target = Covers(sig, "@target-uri") ||
                ((Covers(sig, "@authority") || Covers(sig, "host")) &&
                 (Covers(sig, "@path") || Covers(sig, "@request-target")));
  if (!target) return cs::Status::Unauthorized("signature does not cover the target URI");
  if (has_body && !Covers(sig, "content-digest"))
    return cs::Status::Unauthorized("signature does not cover content-digest");
  return cs::Status::Ok();
}

cs::Status CheckWindow(int64_t t, std::string_view what, int64_t now, int64_t window) {
  if (t < 0) return cs::Status::Unauthorized(std::string(what) + " missing or unreadable");
  if (now - t > window) return cs::Status::Unauthorized(std::string(what) + " too old");
  if (t - now > window) return cs::Status::Unauthorized(std::string(what) + " in the future");
  return cs::Status::Ok();
}

cs::Status CheckTime(const HttpRequest& request, const SignatureInfo& sig, int64_t now,
                     int64_t window) {
  if (sig.scheme == SignatureScheme::kRfc9421) {
    CS_RETURN_IF_ERROR(CheckWindow(sig.created, "created", now, window));
  } else {
    if (Covers(sig, "date"))
      CS_RETURN_IF_ERROR(
          CheckWindow(cs::ParseHttpDate(request.headers.Get("date")), "Date", now, window));
    if (Covers(sig, "(created)")) CS_RETURN_IF_ERROR(CheckWindow(sig.created, "created", now, window));
  }
  if (sig.expires >= 0 && now > sig.expires) return cs::Status::Unauthorized("signature expired");
  return cs::Status::Ok();
}

cs::Status VerifyChecked(const HttpRequest& request, const SignatureInfo& sig,
                         const PublicKey& key, int64_t now, int64_t window) {
  auto alg = ChooseAlgorithm(sig, key);
  if (!alg.ok()) return alg.status();
  CS_RETURN_IF_ERROR(CheckCoverage(request, sig));
  CS_RETURN_IF_ERROR(CheckTime(request, sig, now, window));
  CS_RETURN_IF_ERROR(VerifyDigest(request.headers, request.body, !request.body.empty()));
  auto signed_bytes = sig.scheme == SignatureScheme::kCavage
                          ? CavageSigningString(request, sig.covered, sig.created, sig.expires)
                          : Rfc9421SignatureBase(request, sig.covered, sig.params_raw);
  if (!signed_bytes.ok()) return signed_bytes.status();
  return Verify(key, *alg, *signed_bytes, sig.signature);
}

// ---- signing ----

// A key id both schemes can carry in a quoted string without escaping.
bool IsQuotable(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
  });
}

bool NeedsDigest(const HttpRequest& request) {
  return !request.body.empty() || request.method == "POST";
}

cs::Status PrepareOutgoing(HttpRequest& request, std::string_view key_id, int64_t now) {
  if (request.method.empty() || request.scheme.empty() || request.authority.empty() ||
      request.target.empty() || request.target[0] != '/')
    return cs::Status::InvalidInput("request to sign needs method, scheme, authority and target");
  if (!IsQuotable(key_id)) return cs::Status::InvalidInput("key id cannot be quoted");
  request.headers.Set("host", NormalizedAuthority(request.scheme, request.authority));
  request.headers.Set("date", cs::FormatHttpDate(now));
  return cs::Status::Ok();
}

}  // namespace

std::string_view Rfc9421AlgorithmName(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kRsaPkcs1Sha256:
      return "rsa-v1_5-sha256";
    case SignatureAlgorithm::kRsaPssSha512:
      return "rsa-pss-sha512";
    case SignatureAlgorithm::kEcdsaP256Sha256:
      return "ecdsa-p256-sha256";
    case SignatureAlgorithm::kEd25519:
      break;
  }
  return "ed25519";
}

cs::Result<std::vector<SignatureInfo>> ParseSignatures(const HttpRequest& request) {
  std::vector<std::string> rfc9421_lines, cavage_values;
  for (const auto& [name, value] : request.headers.items) {
    if (name == "signature") {
      (IsRfc9421SignatureLine(value) ? rfc9421_lines : cavage_values).push_back(value);
    } else if (name == "authorization" && value.size() >= 10 &&
               AsciiLower(std::string_view(value).substr(0, 10)) == "signature ") {
      cavage_values.push_back(value.substr(10));
    }
  }
  std::vector<SignatureInfo> out;
  if (request.headers.Has("signature-input")) {
    CS_RETURN_IF_ERROR(ParseRfc9421(request, rfc9421_lines, out));
  } else if (!rfc9421_lines.empty()) {
    return Malformed("Signature without Signature-Input");
  }
  for (const std::string& value : cavage_values) {
    auto sig = ParseCavage(request, value);
    if (!sig.ok()) return sig.status();
    out.push_back(std::move(*sig));
  }
  if (out.size() > kMaxSignatures) return Malformed("too many signatures");
  if (out.empty()) return cs::Status::NotFound("request is not signed");
  return out;
}

cs::Status VerifySignature(const HttpRequest& request, const SignatureInfo& sig,
                           const PublicKey& key, int64_t now_seconds, int64_t window_seconds) {
  cs::Status status = VerifyChecked(request, sig, key, now_seconds, window_seconds);
  if (!status.ok() && !status.Is(cs::Status::Code::kUnauthorized))
    return cs::Status::Unauthorized(status.message());
  return status;
}

cs::Status SignCavage(HttpRequest& request, std::string_view key_id, const PrivateKey& key,
                      int64_t now_seconds) {
  CS_RETURN_IF_ERROR(PrepareOutgoing(request, key_id, now_seconds));
  std::vector<std::string> headers = {"(request-target)", "host", "date"};
  if (NeedsDigest(request)) {
    request.headers.Set("digest", DigestHeaderValue(request.body));
    headers.push_back("digest");
  }
  // rsa-sha256 for RSA: older receivers reject hs2019 (PeerTube #4431, BR-01).
  bool rsa = key.kind() == PublicKey::Kind::kRsa;
  SignatureAlgorithm alg = rsa ? SignatureAlgorithm::kRsaPkcs1Sha256 : key.ImpliedAlgorithm();
  auto signing_string = CavageSigningString(request, headers);
  if (!signing_string.ok()) return signing_string.status();
  auto signature = Sign(key, alg, *signing_string);
  if (!signature.ok()) return signature.status();
  std::string list;
  for (const std::string& h : headers) list += (list.empty() ? "" : " ") + h;
  request.headers.Remove("signature-input");
  request.headers.Set("signature", "keyId=\"" + std::string(key_id) + "\",algorithm=\"" +
                                       (rsa ? "rsa-sha256" : "hs2019") + "\",headers=\"" + list +
                                       "\",signature=\"" + Base64Encode(*signature) + "\"");
  return cs::Status::Ok();
}

cs::Status SignRfc9421(HttpRequest& request, std::string_view key_id, const PrivateKey& key,
                       int64_t now_seconds) {
  CS_RETURN_IF_ERROR(PrepareOutgoing(request, key_id, now_seconds));
  std::vector<std::string> components = {"@method", "@target-uri", "@authority"};
  if (NeedsDigest(request)) {
    request.headers.Set("content-digest", ContentDigestHeaderValue(request.body));
    components.push_back("content-digest");
  }
  SignatureAlgorithm alg = key.ImpliedAlgorithm();
  SfInnerList list;
  for (const std::string& c : components) list.items.push_back({SfBareItem::String(c), {}});
  list.params = {{"created", SfBareItem::Integer(now_seconds)},
                 {"keyid", SfBareItem::String(std::string(key_id))},
                 {"alg", SfBareItem::String(std::string(Rfc9421AlgorithmName(alg)))}};
  std::string params = SerializeSfInnerList(list);
  auto base = Rfc9421SignatureBase(request, components, params);
  if (!base.ok()) return base.status();
  auto signature = Sign(key, alg, *base);
  if (!signature.ok()) return signature.status();
  request.headers.Set("signature-input", "sig1=" + params);
  request.headers.Set("signature", "sig1=:" + Base64Encode(*signature) + ":");
  return cs::Status::Ok();
}

}  // namespace federation
