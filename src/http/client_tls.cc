#include "http/client_tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <exception>

namespace ferry::http {
namespace {

bool IsIpAddress(const std::string& host) {
  unsigned char address[16];
  return inet_pton(AF_INET, host.c_str(), address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

// OpenSSL keeps its reasons on a per-thread queue; the first one says most.
std::string TakeOpensslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

Result<std::shared_ptr<TlsContext>> MakeTlsContext(const ClientOptions& options) {
  std::shared_ptr<TlsContext> tls;
  try {  // Asio throws when OpenSSL cannot make the SSL_CTX
    tls = std::make_shared<TlsContext>(options.tls_verify);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("TLS context: ") + e.what());
  }
  SSL_CTX* ctx = tls->context().native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return Status::Internal("TLS context: " + TakeOpensslError());
  }
  if (!options.tls_verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return tls;
  }
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return Status::Internal("the system trust store: " + TakeOpensslError());
  }
  if (!options.tls_ca_file.empty() &&
      SSL_CTX_load_verify_file(ctx, options.tls_ca_file.c_str()) != 1) {
    return Status::InvalidArgument("cannot load the CA file " + options.tls_ca_file + ": " +
                                   TakeOpensslError());
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return tls;
}

Status PrepareTlsSession(SSL* ssl, const std::string& host, const TlsContext& context) {
  const bool ip = IsIpAddress(host);
  if (!ip && !host.empty() && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return Status::Internal("TLS server name " + host + ": " + TakeOpensslError());
  }
  if (!context.verify()) return Status::Ok();
  if (host.empty()) return Status::InvalidArgument("a TLS endpoint without a host to verify");
  // Checked by OpenSSL during the chain verification, so a mismatch is a
  // verification failure with its own reason ("hostname mismatch").
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                     : X509_VERIFY_PARAM_set1_host(param, host.data(), host.size());
  if (set != 1) return Status::Internal("TLS host name " + host + ": " + TakeOpensslError());
  return Status::Ok();
}

std::string HandshakeFailureReason(SSL* ssl, const boost::system::error_code& ec) {
  ForgetTlsErrors();
  const long verified = SSL_get_verify_result(ssl);
  if (verified != X509_V_OK) {
    return std::string("certificate refused: ") + X509_verify_cert_error_string(verified);
  }
  return ec.message();
}

void ForgetTlsErrors() { ERR_clear_error(); }

}  // namespace ferry::http
