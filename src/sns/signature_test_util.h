// For tests: checks an SNS signature as a subscriber does, independently
// of the signing code (signing_test.cc, publish_test.cc).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "sns/signing.h"

namespace ferry::sns::testing {

// Verifies as a subscriber does: with the public key of the certificate
// served at SigningCertURL, independently of the signing code.
inline bool Verifies(const std::string& cert_pem, SignatureVersion version, std::string_view data,
              const std::string& signature_b64) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return false;
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  std::optional<std::string> sig = Base64Decode(signature_b64);
  if (!sig) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const EVP_MD* md = version == SignatureVersion::kV2 ? EVP_sha256() : EVP_sha1();
  return EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pub) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                          sig->size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

}  // namespace ferry::sns::testing
