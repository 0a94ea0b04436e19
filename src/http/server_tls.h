// The HTTPS listener's TLS context (Server::ListenTls): the certificate
// chain and private key, read from PEM files, and the protocol settings
// every session gets: TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key
// exchange with AES-GCM or ChaCha20-Poly1305; no compression; no
// renegotiation.
//
// Reload() reads the files again and, when they make a good context, swaps it
// in for new connections; connections already open keep theirs. A file that
// cannot be read, or a key that does not match the certificate, leaves the
// old context in use.
//
// Thread-safety: all methods are safe from any thread; mu_ guards current_.
// A context handed out by Current() is read-only, and any number of
// connections on any threads share it.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"

namespace ferry::http {

class ServerTlsContext {
 public:
  // Errors: kInvalidArgument naming the file and why (missing, unreadable,
  // not PEM, key not matching the certificate); kInternal when OpenSSL cannot
  // make a context.
  static Result<std::shared_ptr<ServerTlsContext>> Load(std::string cert_file,
                                                        std::string key_file);

  // Reads the files again. On success new connections get the new context;
  // on an error the old one stays and the error says why.
  Status Reload();

  // The context for a new connection.
  std::shared_ptr<boost::asio::ssl::context> Current() const;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  ServerTlsContext(std::string cert_file, std::string key_file)
      : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // guarded by mu_
};

// The TLS 1.2 cipher list the server offers (OpenSSL names), strongest
// first. TLS 1.3 uses OpenSSL's default suites, all AEAD.
inline constexpr const char* kServerTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace ferry::http
