// Cryptographic primitives federation/ signs and verifies with: base64, SHA-2 digests, and the
// public/private key pairs of HTTP signatures (RSA, RSA-PSS, ECDSA P-256, Ed25519), over OpenSSL 3.
// Keys are move-only values that own their OpenSSL handle; a const key may be used from several
// threads at once (OpenSSL 3 key objects are safe for concurrent sign/verify).
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "store/status.h"

namespace federation {

// Standard base64 (RFC 4648 section 4) with '=' padding.
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64 with or without '=' padding. Whitespace, the URL-safe alphabet,
// misplaced padding or a dangling character -> kInvalidInput.
cs::Result<std::string> Base64Decode(std::string_view text);

// Raw digests: 32 and 64 bytes.
std::string Sha256(std::string_view data);
std::string Sha512(std::string_view data);

// The signature algorithms of HTTP signatures, named as in the RFC 9421 registry.
enum class SignatureAlgorithm {
  kRsaPkcs1Sha256,   // "rsa-v1_5-sha256"; draft-cavage "rsa-sha256"
  kRsaPssSha512,     // "rsa-pss-sha512": PSS, SHA-512, MGF1-SHA-512, 64-byte salt
  kEcdsaP256Sha256,  // "ecdsa-p256-sha256": signatures are raw r||s (64 bytes)
  kEd25519,          // "ed25519"
};

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

class PrivateKey;

// A public key of one of the supported kinds. Owns its EVP_PKEY.
class PublicKey {
 public:
  enum class Kind { kRsa, kEcP256, kEd25519 };

  // SPKI "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY" PEM. RSA (also with the RSASSA-PSS OID) of
  // 1024 to 16384 bits, EC P-256, Ed25519; anything else or a malformed PEM -> kInvalidInput.
  static cs::Result<PublicKey> FromPem(std::string_view pem);

  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;

  Kind kind() const { return kind_; }
  // True for an RSA key restricted to PSS (SPKI with the id-RSASSA-PSS OID).
  bool rsa_pss_only() const { return rsa_pss_only_; }
  // The algorithm this key implies when a signature does not name one: RSA -> PKCS#1 v1.5
  // SHA-256 (PSS SHA-512 for a PSS-only key), EC P-256 -> ECDSA SHA-256, Ed25519 -> Ed25519.
  SignatureAlgorithm ImpliedAlgorithm() const;
  // SPKI PEM.
  std::string ToPem() const;

 private:
  friend class PrivateKey;
  friend cs::Status Verify(const PublicKey& key, SignatureAlgorithm alg, std::string_view data,
                           std::string_view signature);
  PublicKey(EvpPkeyPtr key, Kind kind, bool rsa_pss_only)
      : key_(std::move(key)), kind_(kind), rsa_pss_only_(rsa_pss_only) {}

  EvpPkeyPtr key_;
  Kind kind_ = Kind::kRsa;
  bool rsa_pss_only_ = false;
};

// A private key of one of the supported kinds. Owns its EVP_PKEY.
class PrivateKey {
 public:
  // PKCS#8 "PRIVATE KEY" (also the RSASSA-PSS OID), PKCS#1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE
  // KEY". Encrypted keys, other kinds or a malformed PEM -> kInvalidInput (never prompts).
  static cs::Result<PrivateKey> FromPem(std::string_view pem);
  // A fresh RSA key; bits must be in [2048, 8192], else kInvalidInput.
  static cs::Result<PrivateKey> GenerateRsa(int bits = 2048);

  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;

  PublicKey::Kind kind() const { return kind_; }
  bool rsa_pss_only() const { return rsa_pss_only_; }
  // See PublicKey::ImpliedAlgorithm.
  SignatureAlgorithm ImpliedAlgorithm() const;
  // Unencrypted PKCS#8 PEM.
  std::string ToPem() const;
  // SPKI PEM of the public half.
  std::string PublicKeyPem() const;

 private:
  friend cs::Result<std::string> Sign(const PrivateKey& key, SignatureAlgorithm alg,
                                      std::string_view data);
  PrivateKey(EvpPkeyPtr key, PublicKey::Kind kind, bool rsa_pss_only)
      : key_(std::move(key)), kind_(kind), rsa_pss_only_(rsa_pss_only) {}

  EvpPkeyPtr key_;
  PublicKey::Kind kind_ = PublicKey::Kind::kRsa;
  bool rsa_pss_only_ = false;
};

// Whether `alg` can be used with a key of `kind` (RSA algorithms with RSA keys, and so on).
bool AlgorithmFitsKey(PublicKey::Kind kind, SignatureAlgorithm alg);

// Signs `data` (the whole message, hashed here). ECDSA output is raw r||s (64 bytes).
// An algorithm that does not fit the key -> kInvalidInput.
cs::Result<std::string> Sign(const PrivateKey& key, SignatureAlgorithm alg, std::string_view data);

// Ok when `signature` is a valid signature of `data`. A mismatch, a malformed signature or an
// algorithm that does not fit the key -> kUnauthorized. ECDSA accepts raw r||s and DER.
cs::Status Verify(const PublicKey& key, SignatureAlgorithm alg, std::string_view data,
                  std::string_view signature);

}  // namespace federation
