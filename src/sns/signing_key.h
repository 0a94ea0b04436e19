// The RSA key that signs SNS messages and its self-signed X.509 certificate,
// kept in the data directory so that signatures stay verifiable across
// restarts. The certificate is what Ferry serves at SigningCertURL.
//
// Files (PEM): sns-signing-key.pem (PKCS#8 private key, mode 0600) and
// sns-signing-cert.pem. Each is written to a temporary name, fsync'd, renamed
// into place and the directory fsync'd, the key before the certificate; so
// after a crash the directory holds nothing, the key alone (a certificate is
// then made for it) or both.
//
// A key file that cannot be read or parsed, a certificate without its key,
// or a certificate of another key is an error: nothing is replaced, because
// a replaced key silently breaks every subscriber that pinned the old
// certificate. Removing both files is the explicit way to start over.
//
// Thread-safety: a SigningKey is immutable. Several threads may sign with one
// at once: each signature has its own context and only reads the key, which
// openssl-threads(7) allows. LoadOrCreateSigningKey must not run twice at
// once on one directory (the server holds its data directory's lock).
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::sns {

inline constexpr std::string_view kSigningKeyFile = "sns-signing-key.pem";
inline constexpr std::string_view kSigningCertFile = "sns-signing-cert.pem";

class SigningKey {
 public:
  // Takes ownership of `key`.
  SigningKey(EVP_PKEY* key, std::string certificate_pem);

  // The private key; owned by this object.
  EVP_PKEY* key() const { return key_.get(); }
  // The certificate of the key's public half, PEM-encoded.
  const std::string& certificate_pem() const { return certificate_pem_; }
  // The URL path to serve the certificate at, named like SNS's:
  // "/SimpleNotificationService-<32 hex digits>.pem". Validators accept only
  // a SigningCertURL ending in ".pem"; the digits (MD5 of the PEM) change
  // with the key, so a cached certificate is never taken for a new one.
  const std::string& certificate_path() const { return certificate_path_; }

 private:
  struct KeyFree {
    void operator()(EVP_PKEY* k) const;
  };
  std::unique_ptr<EVP_PKEY, KeyFree> key_;
  std::string certificate_pem_;
  std::string certificate_path_;
};

// A fresh RSA-2048 key with a self-signed certificate for `host` (a DNS name
// or an IP address, without port), valid from a day ago for 20 years.
Result<SigningKey> CreateSigningKey(std::string_view host);

// Loads the key and certificate from `dir`, creating them (and `dir`) on first
// use; see the header comment for what is refused. `host` names the
// certificate of a new key only: an existing certificate is kept as it is.
Result<SigningKey> LoadOrCreateSigningKey(const std::string& dir, std::string_view host);

}  // namespace ferry::sns
