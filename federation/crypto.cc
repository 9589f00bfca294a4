#include "federation/crypto.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <cstring>
#include <optional>

namespace federation {

void EvpPkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct OpenSslStringFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
struct BignumFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using EvpMdCtx = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using EvpPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;
using OpenSslString = std::unique_ptr<void, OpenSslStringFree>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
using Bignum = std::unique_ptr<BIGNUM, BignumFree>;

// A PEM key is a few kilobytes at most; anything larger is not a key we accept.
constexpr size_t kMaxPemBytes = 64 * 1024;
// RSA sizes we accept: 1024 for the draft-cavage test key, 16384 bounds verification cost.
constexpr int kMinRsaBits = 1024;
constexpr int kMaxRsaBits = 16384;
constexpr size_t kP256FieldBytes = 32;

// Drains OpenSSL's (thread-local) error queue into a status message.
cs::Status OpenSslError(cs::Status::Code code, std::string what) {
  unsigned long err = ERR_get_error();
  if (err != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    what += ": ";
    what += buf;
  }
  ERR_clear_error();
  return cs::Status(code, std::move(what));
}

struct KeyInfo {
  PublicKey::Kind kind;
  bool rsa_pss_only;
};

cs::Result<KeyInfo> Classify(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: {
      int bits = EVP_PKEY_get_bits(key);
      if (bits < kMinRsaBits || bits > kMaxRsaBits)
        return cs::Status::InvalidInput("unsupported RSA key size " + std::to_string(bits));
      return KeyInfo{PublicKey::Kind::kRsa, EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA_PSS};
    }
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1 ||
          std::string_view(group, len) != "prime256v1")
        return cs::Status::InvalidInput("unsupported EC curve (only P-256)");
      return KeyInfo{PublicKey::Kind::kEcP256, false};
    }
    case EVP_PKEY_ED25519:
      return KeyInfo{PublicKey::Kind::kEd25519, false};
    default:
      return cs::Status::InvalidInput("unsupported key type");
  }
}

SignatureAlgorithm ImpliedFor(PublicKey::Kind kind, bool rsa_pss_only) {
  switch (kind) {
    case PublicKey::Kind::kRsa:
      return rsa_pss_only ? SignatureAlgorithm::kRsaPssSha512 : SignatureAlgorithm::kRsaPkcs1Sha256;
    case PublicKey::Kind::kEcP256:
      return SignatureAlgorithm::kEcdsaP256Sha256;
    case PublicKey::Kind::kEd25519:
      break;
  }
  return SignatureAlgorithm::kEd25519;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

cs::Result<Bio> PemBio(std::string_view pem) {
  if (pem.empty() || pem.size() > kMaxPemBytes)
    return cs::Status::InvalidInput("PEM key missing or too large");
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError(cs::Status::Code::kInternal, "BIO_new_mem_buf");
  return bio;
}

// The PKCS#1 RSAPublicKey inside a SubjectPublicKeyInfo whose algorithm is rsaEncryption, or
// nullopt for any other key or shape (those take the generic decoder).
struct DerSpan {
  const unsigned char* data;
  long len;
};

std::optional<DerSpan> RsaPublicKeyInSpki(const unsigned char* der, long len) {
  static constexpr unsigned char kRsaEncryptionOid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                                        0xf7, 0x0d, 0x01, 0x01, 0x01};
  const unsigned char* p = der;
  const unsigned char* end = der + len;
  long body = 0;
  int tag = 0, cls = 0;
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  if ((ASN1_get_object(&p, &body, &tag, &cls, end - p) & 0x80) || tag != V_ASN1_SEQUENCE ||
      p + body != end)
    return std::nullopt;
  if ((ASN1_get_object(&p, &body, &tag, &cls, end - p) & 0x80) || tag != V_ASN1_SEQUENCE ||
      body < static_cast<long>(sizeof(kRsaEncryptionOid)) ||
      std::memcmp(p, kRsaEncryptionOid, sizeof(kRsaEncryptionOid)) != 0)
    return std::nullopt;
  p += body;  // the parameters (NULL) are not needed
  if ((ASN1_get_object(&p, &body, &tag, &cls, end - p) & 0x80) || tag != V_ASN1_BIT_STRING ||
      body < 2 || p + body != end || p[0] != 0)  // no unused bits
    return std::nullopt;
  return DerSpan{p + 1, body - 1};
}

// Passphrase callback that refuses: an encrypted key fails instead of prompting on a terminal.
int NoPassphrase(char*, int, int, void*) { return -1; }

// Sets up `ctx` to sign or verify with `alg`; the digest and padding follow RFC 9421 section 3.3.
cs::Status InitDigestContext(EVP_MD_CTX* ctx, EVP_PKEY* key, SignatureAlgorithm alg,
                             bool for_signing) {
  const EVP_MD* md = nullptr;
  if (alg == SignatureAlgorithm::kRsaPssSha512)
    md = EVP_sha512();
  else if (alg != SignatureAlgorithm::kEd25519)
    md = EVP_sha256();
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  int rc = for_signing ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, key)
                       : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key);
  if (rc != 1) return OpenSslError(cs::Status::Code::kInternal, "digest sign/verify init");
  if (alg == SignatureAlgorithm::kRsaPkcs1Sha256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
      return OpenSslError(cs::Status::Code::kInvalidInput, "key does not allow PKCS#1 v1.5");
  } else if (alg == SignatureAlgorithm::kRsaPssSha512) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 64) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha512()) != 1)
      return OpenSslError(cs::Status::Code::kInvalidInput, "key does not allow PSS SHA-512");
  }
  return cs::Status::Ok();
}

// DER ECDSA-Sig-Value -> raw r||s with each half padded to the P-256 field size.
cs::Result<std::string> EcdsaDerToRaw(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return OpenSslError(cs::Status::Code::kInternal, "d2i_ECDSA_SIG");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * kP256FieldBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, kP256FieldBytes) < 0 ||
      BN_bn2binpad(s, out + kP256FieldBytes, kP256FieldBytes) < 0)
    return OpenSslError(cs::Status::Code::kInternal, "BN_bn2binpad");
  return raw;
}

// Raw r||s (64 bytes) -> DER ECDSA-Sig-Value.
cs::Result<std::string> EcdsaRawToDer(std::string_view raw) {
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  Bignum r(BN_bin2bn(in, kP256FieldBytes, nullptr));
  Bignum s(BN_bin2bn(in + kP256FieldBytes, kP256FieldBytes, nullptr));
  EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
    return OpenSslError(cs::Status::Code::kInternal, "ECDSA_SIG_set0");
  r.release();  // now owned by sig
  s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return OpenSslError(cs::Status::Code::kInternal, "i2d_ECDSA_SIG");
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len)
    return OpenSslError(cs::Status::Code::kInternal, "i2d_ECDSA_SIG");
  return der;
}

// 1 valid, 0 invalid, -1 error; the error queue is cleared.
int VerifyRaw(EVP_PKEY* key, SignatureAlgorithm alg, std::string_view data,
              std::string_view signature) {
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || !InitDigestContext(ctx.get(), key, alg, /*for_signing=*/false).ok()) return -1;
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
  ERR_clear_error();
  return rc == 1 ? 1 : 0;
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kBase64Alphabet[i])] = int8_t(i);
  return table;
}
constexpr std::array<int8_t, 256> kBase64Table = MakeBase64Table();

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    ERR_clear_error();
    return "";
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

bool AlgorithmFitsKey(PublicKey::Kind kind, SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kRsaPkcs1Sha256:
    case SignatureAlgorithm::kRsaPssSha512:
      return kind == PublicKey::Kind::kRsa;
    case SignatureAlgorithm::kEcdsaP256Sha256:
      return kind == PublicKey::Kind::kEcP256;
    case SignatureAlgorithm::kEd25519:
      return kind == PublicKey::Kind::kEd25519;
  }
  return false;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Alphabet[(n >> shift) & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

cs::Result<std::string> Base64Decode(std::string_view text) {
  size_t padding = 0;
  while (padding < 2 && !text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++padding;
  }
  if (padding > 0 && (text.size() + padding) % 4 != 0)
    return cs::Status::InvalidInput("base64: bad padding");
  if (text.size() % 4 == 1) return cs::Status::InvalidInput("base64: truncated");
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int8_t v = kBase64Table[static_cast<unsigned char>(c)];
    if (v < 0) return cs::Status::InvalidInput("base64: invalid character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string Sha256(std::string_view data) { return Digest(EVP_sha256(), data); }
std::string Sha512(std::string_view data) { return Digest(EVP_sha512(), data); }

cs::Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  auto bio = PemBio(pem);
  if (!bio.ok()) return bio.status();
  // The PEM armour is read here and the DER decoded by type: OpenSSL 3.0's generic decoder
  // (OSSL_DECODER, PEM_read_bio_PUBKEY) costs about 1 ms per key, d2i_PUBKEY a quarter of that
  // and the PKCS#1 decoder a fiftieth, and inbound verification loads a key per request.
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* der = nullptr;
  long len = 0;
  if (PEM_read_bio(bio->get(), &name, &header, &der, &len) != 1)
    return OpenSslError(cs::Status::Code::kInvalidInput, "not a PEM block");
  OpenSslString owned_name(name), owned_header(header), owned_der(der);
  std::string_view type(name);
  DerSpan input{der, len};
  if (type == "PUBLIC KEY") {
    if (auto rsa = RsaPublicKeyInSpki(der, len)) {  // the common fediverse key: fast path
      input = *rsa;
      type = "RSA PUBLIC KEY";
    }
  } else if (type != "RSA PUBLIC KEY") {
    return cs::Status::InvalidInput("PEM block is not a public key: " + std::string(type));
  }
  const unsigned char* p = input.data;
  EvpPkeyPtr key(type == "PUBLIC KEY" ? d2i_PUBKEY(nullptr, &p, input.len)
                                      : d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, input.len));
  if (!key || p != input.data + input.len)
    return OpenSslError(cs::Status::Code::kInvalidInput, "malformed public key");
  ERR_clear_error();
  auto info = Classify(key.get());
  if (!info.ok()) return info.status();
  return PublicKey(std::move(key), info->kind, info->rsa_pss_only);
}

SignatureAlgorithm PublicKey::ImpliedAlgorithm() const { return ImpliedFor(kind_, rsa_pss_only_); }

std::string PublicKey::ToPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!key_ || !bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    ERR_clear_error();
    return "";
  }
  return BioContents(bio.get());
}

cs::Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  auto bio = PemBio(pem);
  if (!bio.ok()) return bio.status();
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, NoPassphrase, nullptr));
  if (!key) return OpenSslError(cs::Status::Code::kInvalidInput, "not an unencrypted private key PEM");
  auto info = Classify(key.get());
  if (!info.ok()) return info.status();
  return PrivateKey(std::move(key), info->kind, info->rsa_pss_only);
}

cs::Result<PrivateKey> PrivateKey::GenerateRsa(int bits) {
  if (bits < 2048 || bits > 8192) return cs::Status::InvalidInput("RSA key size out of range");
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1)
    return OpenSslError(cs::Status::Code::kInternal, "RSA key generation");
  return PrivateKey(EvpPkeyPtr(raw), PublicKey::Kind::kRsa, false);
}

SignatureAlgorithm PrivateKey::ImpliedAlgorithm() const { return ImpliedFor(kind_, rsa_pss_only_); }

std::string PrivateKey::ToPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!key_ || !bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ERR_clear_error();
    return "";
  }
  return BioContents(bio.get());
}

std::string PrivateKey::PublicKeyPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!key_ || !bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    ERR_clear_error();
    return "";
  }
  return BioContents(bio.get());
}

cs::Result<std::string> Sign(const PrivateKey& key, SignatureAlgorithm alg, std::string_view data) {
  if (!key.key_) return cs::Status::InvalidInput("empty private key");
  if (!AlgorithmFitsKey(key.kind_, alg))
    return cs::Status::InvalidInput("signature algorithm does not fit the key");
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError(cs::Status::Code::kInternal, "EVP_MD_CTX_new");
  CS_RETURN_IF_ERROR(InitDigestContext(ctx.get(), key.key_.get(), alg, /*for_signing=*/true));
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1)
    return OpenSslError(cs::Status::Code::kInternal, "EVP_DigestSign");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1)
    return OpenSslError(cs::Status::Code::kInternal, "EVP_DigestSign");
  sig.resize(len);
  if (alg == SignatureAlgorithm::kEcdsaP256Sha256) return EcdsaDerToRaw(sig);
  return sig;
}

cs::Status Verify(const PublicKey& key, SignatureAlgorithm alg, std::string_view data,
                  std::string_view signature) {
  if (!key.key_) return cs::Status::Unauthorized("empty public key");
  if (!AlgorithmFitsKey(key.kind_, alg))
    return cs::Status::Unauthorized("signature algorithm does not fit the key");
  if (signature.empty()) return cs::Status::Unauthorized("empty signature");
  // RFC 8017 8.1.2/8.2.2: an RSA signature is exactly k octets. OpenSSL's PSS path would take a
  // shorter one as the same integer (a leading zero octet dropped); refuse it like PKCS#1 does.
  bool rsa = alg == SignatureAlgorithm::kRsaPkcs1Sha256 || alg == SignatureAlgorithm::kRsaPssSha512;
  if (rsa && signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.key_.get())))
    return cs::Status::Unauthorized("RSA signature has the wrong length");
  int rc = 0;
  if (alg == SignatureAlgorithm::kEcdsaP256Sha256) {
    // RFC 9421 sends raw r||s; DER (draft-cavage era signers) is accepted too.
    if (signature.size() == 2 * kP256FieldBytes) {
      auto der = EcdsaRawToDer(signature);
      if (der.ok()) rc = VerifyRaw(key.key_.get(), alg, data, *der);
    }
    if (rc != 1 && static_cast<unsigned char>(signature[0]) == 0x30)
      rc = VerifyRaw(key.key_.get(), alg, data, signature);
  } else {
    rc = VerifyRaw(key.key_.get(), alg, data, signature);
  }
  ERR_clear_error();
  if (rc != 1) return cs::Status::Unauthorized("signature does not verify");
  return cs::Status::Ok();
}

}  // namespace federation
