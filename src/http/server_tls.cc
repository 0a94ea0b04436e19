#include "http/server_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "http/client_tls.h"

namespace ferry::http {
namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's own message for a missing file is "system library"; say it the
// way a person would.
Status CheckReadable(const std::string& what, const std::string& file) {
  if (file.empty()) return Status::InvalidArgument("no " + what + " file given");
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    return Status::InvalidArgument("cannot read the " + what + " " + file + ": " +
                                   std::strerror(errno));
  }
  std::fclose(f);
  return Status::Ok();
}

Result<std::shared_ptr<ssl::context>> MakeContext(const std::string& cert_file,
                                                  const std::string& key_file) {
  if (Status s = CheckReadable("certificate", cert_file); !s.ok()) return s;
  if (Status s = CheckReadable("key", key_file); !s.ok()) return s;
  std::shared_ptr<ssl::context> context;
  try {  // Asio throws when OpenSSL cannot make the SSL_CTX
    context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("TLS context: ") + e.what());
  }
  SSL_CTX* ctx = context->native_handle();
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kServerTls12Ciphers) != 1) {
    return Status::Internal("TLS context: " + TakeOpensslError());
  }
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument("cannot load the certificate chain " + cert_file + ": " +
                                   TakeOpensslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const unsigned long e = ERR_peek_last_error();
    if (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return Status::InvalidArgument("the key " + key_file + " does not match the certificate " +
                                     cert_file);
    }
    return Status::InvalidArgument("cannot load the private key " + key_file + ": " +
                                   TakeOpensslError());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("the key " + key_file + " does not match the certificate " +
                                   cert_file);
  }
  return context;
}

}  // namespace

Result<std::shared_ptr<ServerTlsContext>> ServerTlsContext::Load(std::string cert_file,
                                                                 std::string key_file) {
  std::shared_ptr<ServerTlsContext> tls(
      new ServerTlsContext(std::move(cert_file), std::move(key_file)));
  if (Status s = tls->Reload(); !s.ok()) return s;
  return tls;
}

Status ServerTlsContext::Reload() {
  auto made = MakeContext(cert_file_, key_file_);
  if (!made.ok()) return made.status();
  std::lock_guard lock(mu_);
  current_ = std::move(*made);
  return Status::Ok();
}

std::shared_ptr<boost::asio::ssl::context> ServerTlsContext::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

}  // namespace ferry::http
