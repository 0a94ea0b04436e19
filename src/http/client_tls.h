// The OpenSSL side of the outbound client's TLS (client.h): the shared
// context (trust store, verification mode) and what each new session needs
// before its handshake. Internal to src/http.
//
// Thread-safety: a TlsContext is read-only once made (OpenSSL locks its
// store internally), so connections on any threads may share it; a session
// (SSL*) belongs to its connection.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <string>

#include "common/status.h"
#include "http/client.h"

namespace ferry::http {

class TlsContext {
 public:
  explicit TlsContext(bool verify)
      : context_(boost::asio::ssl::context::tls_client), verify_(verify) {}

  boost::asio::ssl::context& context() { return context_; }
  bool verify() const { return verify_; }

 private:
  boost::asio::ssl::context context_;
  const bool verify_;
};

// Sets a new session's SNI (a DNS name only: RFC 6066 forbids IP literals)
// and, when the context verifies, the name or IP address the certificate
// must carry. Errors: kInvalidArgument (no host to verify), kInternal.
Status PrepareTlsSession(SSL* ssl, const std::string& host, const TlsContext& context);

// Why a handshake failed, for a person: the certificate verification's
// reason when it refused the certificate, else the transport's or OpenSSL's.
// Clears the thread's OpenSSL error queue (ForgetTlsErrors).
std::string HandshakeFailureReason(SSL* ssl, const boost::system::error_code& ec);

// The first reason on the thread's OpenSSL error queue, which it empties
// (the server's TLS context uses it too).
std::string TakeOpensslError();

// Empties the thread's OpenSSL error queue after a failed TLS operation:
// Asio takes only the first entry, and what it leaves would be reported by
// the next OpenSSL user on this io thread (SigV4, SNS signing) as its own.
void ForgetTlsErrors();

}  // namespace ferry::http
