// HTTP signatures on ActivityPub requests, both families the fediverse uses:
//  - draft-cavage-http-signatures-12 (`Signature: keyId=...,headers=...,signature=...`, or
//    `Authorization: Signature ...`), what Mastodon and most servers send;
//  - RFC 9421 HTTP Message Signatures (`Signature-Input` + `Signature`), what Fedify tries first.
// Inbound: ParseSignatures, then VerifySignature for each signature whose key can be found;
// RFC 9421 signatures come first, cavage is the fallback (BR-08). Outbound: SignCavage or
// SignRfc9421 at send time. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "federation/crypto.h"
#include "federation/http_message.h"
#include "federation/signature_base.h"
#include "store/status.h"

namespace federation {

enum class SignatureScheme { kCavage, kRfc9421 };

// One signature found on a request.
struct SignatureInfo {
  SignatureScheme scheme = SignatureScheme::kCavage;
  std::string key_id;
  std::string algorithm;  // as written ("hs2019", "rsa-sha256", "rsa-v1_5-sha256"); "" when absent
  // cavage: lower-cased header names ("(request-target)", "host"); RFC 9421: component
  // identifiers with their parameters, e.g. "@method", "content-digest", "@query-param;name=\"a\"".
  std::vector<std::string> covered;
  // Seconds since the epoch, -1 when unknown. cavage: the (created) parameter when (created) is
  // signed, else the Date header; RFC 9421: the created / expires parameters.
  int64_t created = -1, expires = -1;
  std::string label;      // RFC 9421 label ("sig1"); "" for cavage
  std::string signature;  // decoded signature bytes
  // RFC 9421: the RFC 8941 serialization of the received inner list and its parameters, the
  // value of the @signature-params line (equal to the received text whenever the sender
  // serialized canonically, as RFC 9421 requires).
  std::string params_raw;
};

// All signatures on the request: RFC 9421 ones first (in Signature-Input order), then cavage
// (Signature field lines, then Authorization). kUnauthorized when a Signature, Signature-Input
// or `Authorization: Signature` field is present but malformed; kNotFound when the request
// carries no signature at all.
cs::Result<std::vector<SignatureInfo>> ParseSignatures(const HttpRequest& request);

// Verifies one signature with `key`. Checks, in order: the algorithm against the key (cavage
// hs2019 / absent / rsa-sha256 and RFC 9421 without alg are implied by the key: RSA -> PKCS#1
// v1.5 SHA-256, EC P-256 -> ECDSA SHA-256, Ed25519 -> Ed25519; a contradicting algorithm fails);
// the time window (|now - t| <= window_seconds for the signed Date and/or created; expires);
// the required coverage (cavage: (request-target), host, date or (created), and digest when
// the request has a body; RFC 9421: @method, @target-uri or (@authority or host) with (@path or
// @request-target), and content-digest when there is a body); the body digest (VerifyDigest,
// required when there is a body); then the signing string / signature base rebuilt from the
// request (host and @authority from request.authority, BR-03) and the cryptographic check.
// Every failure -> kUnauthorized with a message for the log.
cs::Status VerifySignature(const HttpRequest& request, const SignatureInfo& sig,
                           const PublicKey& key, int64_t now_seconds, int64_t window_seconds);

// Sign an outgoing request in place; method, scheme, authority and target must be set.
// Both set Host (request.authority without the default port, BR-03) and Date, and for a POST or
// a request with a body a digest of the body. Existing signature fields are replaced.
// SignCavage: Digest, then `Signature: keyId="...",algorithm="rsa-sha256"` ("hs2019" for non-RSA
// keys), `headers="(request-target) host date digest"` (no digest without a body on GET).
// SignRfc9421: Content-Digest, then `Signature-Input: sig1=("@method" "@target-uri" "@authority"
// "content-digest");created=N;keyid="...";alg="..."` and `Signature: sig1=:...:`.
// A key id that cannot be quoted, or missing request fields -> kInvalidInput.
cs::Status SignCavage(HttpRequest& request, std::string_view key_id, const PrivateKey& key,
                      int64_t now_seconds);
cs::Status SignRfc9421(HttpRequest& request, std::string_view key_id, const PrivateKey& key,
                       int64_t now_seconds);

// The RFC 9421 registry name of `alg` ("rsa-v1_5-sha256", "rsa-pss-sha512", ...).
std::string_view Rfc9421AlgorithmName(SignatureAlgorithm alg);

}  // namespace federation
