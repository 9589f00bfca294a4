// Throwaway TLS certificates for tests, made in-process with OpenSSL's C API (no openssl binary):
// a CA, and server certificates it signs for any mix of DNS names and IP addresses. Everything is
// written as PEM files into a directory the test owns (e.g. a testutil::TempDir). Keys are EC P-256,
// unencrypted. Header-only so any test binary can use it.
//
//   auto ca = testutil::MakeCa(dir.str());
//   auto cert = testutil::MakeServerCert(*ca, dir.str(), {"localhost", "127.0.0.1", "::1"});
//   options.tls_cert_file = cert->cert_file; options.tls_key_file = cert->key_file;
//   curl_easy_setopt(curl, CURLOPT_CAINFO, ca->cert_file.c_str());
#pragma once

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "store/status.h"

namespace testutil {

// A certificate authority: cert_file is what clients trust (CURLOPT_CAINFO); key_file signs.
struct TestCa {
  std::string cert_file;
  std::string key_file;
};

// A leaf certificate and its private key, as a server's tls_cert_file / tls_key_file.
struct TestCert {
  std::string cert_file;
  std::string key_file;
};

namespace tls_detail {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Bio = std::unique_ptr<BIO, BioFree>;
using Ext = std::unique_ptr<X509_EXTENSION, ExtFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;

// A Status carrying `what` and everything on OpenSSL's error queue (which it empties).
inline cs::Status OpenSslError(const std::string& what) {
  std::string text = what;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    text += ": ";
    text += buf;
  }
  return cs::Status::Internal(text);
}

inline bool IsIpLiteral(const std::string& name) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

inline cs::Result<Pkey> NewKey() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("cannot generate a P-256 key");
  return key;
}

// An unsigned v3 certificate for `common_name` and `key`, valid from an hour ago (clock skew
// between test processes) for `days` days, with a random serial.
inline cs::Result<Cert> NewCert(const std::string& common_name, EVP_PKEY* key, int days) {
  Cert cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return OpenSslError("RAND_bytes");
  serial_bytes[0] &= 0x7f;  // positive
  Bn serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!serial || X509_set_version(cert.get(), 2) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ||
      !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * days) ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("Cloudschool tests"), -1,
                                 -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1)
    return OpenSslError("cannot fill certificate for " + common_name);
  return cert;
}

// Adds one extension in openssl.cnf syntax ("critical,CA:TRUE"); `issuer` may be `cert` itself.
inline cs::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return OpenSslError(std::string("cannot add extension ") + OBJ_nid2sn(nid) + "=" + value);
  return cs::Status::Ok();
}

inline cs::Status WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  Bio bio(BIO_new_file(path.c_str(), "w"));
  if (!bio) return OpenSslError("cannot create " + path);
  int ok = cert ? PEM_write_bio_X509(bio.get(), cert)
                : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (ok != 1) return OpenSslError("cannot write " + path);
  if (key) chmod(path.c_str(), 0600);
  return cs::Status::Ok();
}

inline cs::Result<Cert> ReadCert(const std::string& path) {
  Bio bio(BIO_new_file(path.c_str(), "r"));
  Cert cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return OpenSslError("cannot read certificate " + path);
  return cert;
}

inline cs::Result<Pkey> ReadKey(const std::string& path) {
  Bio bio(BIO_new_file(path.c_str(), "r"));
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return OpenSslError("cannot read key " + path);
  return key;
}

}  // namespace tls_detail

// Makes a self-signed CA valid for `days` days and writes <dir>/ca.pem and <dir>/ca-key.pem.
inline cs::Result<TestCa> MakeCa(const std::string& dir,
                                 const std::string& common_name = "Cloudschool Test CA",
                                 int days = 7) {
  using namespace tls_detail;
  auto key = NewKey();
  if (!key.ok()) return key.status();
  auto cert = NewCert(common_name, key->get(), days);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(c)) != 1)
    return OpenSslError("X509_set_issuer_name");
  CS_RETURN_IF_ERROR(AddExtension(c, c, NID_basic_constraints, "critical,CA:TRUE"));
  CS_RETURN_IF_ERROR(AddExtension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign"));
  CS_RETURN_IF_ERROR(AddExtension(c, c, NID_subject_key_identifier, "hash"));
  CS_RETURN_IF_ERROR(AddExtension(c, c, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(c, key->get(), EVP_sha256()) == 0) return OpenSslError("cannot sign CA");
  TestCa ca{dir + "/ca.pem", dir + "/ca-key.pem"};
  CS_RETURN_IF_ERROR(WritePem(ca.cert_file, c, nullptr));
  CS_RETURN_IF_ERROR(WritePem(ca.key_file, nullptr, key->get()));
  return ca;
}

// Issues a server certificate signed by `ca` for `names`: each a DNS name ("localhost",
// "node1.test") or an IPv4/IPv6 literal ("127.0.0.1", "::1"). All go into subjectAltName (what
// clients check); the first is also the subject CN. Valid for `days` days, serverAuth only.
// Writes <dir>/<stem>.pem and <dir>/<stem>-key.pem; kInvalidInput when `names` is empty or holds
// an empty name or a comma.
inline cs::Result<TestCert> MakeServerCert(const TestCa& ca, const std::string& dir,
                                           const std::vector<std::string>& names,
                                           const std::string& stem = "server", int days = 7) {
  using namespace tls_detail;
  if (names.empty()) return cs::Status::InvalidInput("a certificate needs at least one name");
  std::string san;
  for (const std::string& name : names) {
    if (name.empty() || name.find(',') != std::string::npos)
      return cs::Status::InvalidInput("bad certificate name \"" + name + "\"");
    if (!san.empty()) san += ",";
    san += (IsIpLiteral(name) ? "IP:" : "DNS:") + name;
  }
  auto ca_cert = ReadCert(ca.cert_file);
  if (!ca_cert.ok()) return ca_cert.status();
  auto ca_key = ReadKey(ca.key_file);
  if (!ca_key.ok()) return ca_key.status();
  auto key = NewKey();
  if (!key.ok()) return key.status();
  auto cert = NewCert(names[0], key->get(), days);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  X509* issuer = ca_cert->get();
  if (X509_set_issuer_name(c, X509_get_subject_name(issuer)) != 1)
    return OpenSslError("X509_set_issuer_name");
  CS_RETURN_IF_ERROR(AddExtension(c, issuer, NID_basic_constraints, "critical,CA:FALSE"));
  CS_RETURN_IF_ERROR(AddExtension(c, issuer, NID_key_usage, "critical,digitalSignature"));
  CS_RETURN_IF_ERROR(AddExtension(c, issuer, NID_ext_key_usage, "serverAuth"));
  CS_RETURN_IF_ERROR(AddExtension(c, issuer, NID_subject_alt_name, san));
  CS_RETURN_IF_ERROR(AddExtension(c, issuer, NID_subject_key_identifier, "hash"));
  CS_RETURN_IF_ERROR(AddExtension(c, issuer, NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(c, ca_key->get(), EVP_sha256()) == 0)
    return OpenSslError("cannot sign certificate for " + names[0]);
  TestCert out{dir + "/" + stem + ".pem", dir + "/" + stem + "-key.pem"};
  CS_RETURN_IF_ERROR(WritePem(out.cert_file, c, nullptr));
  CS_RETURN_IF_ERROR(WritePem(out.key_file, nullptr, key->get()));
  return out;
}

}  // namespace testutil
