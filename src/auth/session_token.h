// Temporary credentials (STS AssumeRole) that the server can check without
// remembering them, so that a restart loses none.
//
// A session token is a sealed claim: the temporary access key id ("ASIA…"),
// the role ARN, the session name and the expiry, followed by an
// HMAC-SHA256 of them under the server's session key. The secret access key
// is not in the token: it is HMAC(session key, claim), so whoever holds the
// token alone cannot sign, and the server recomputes the secret from the
// token of each request. Nothing in a claim is secret (the caller chose the
// role and session name), so it is signed, not encrypted. Tampering with any
// byte of a token, or presenting it with another access key id, fails.
//
// The session key is 32 random bytes kept in the data directory
// (`sts-session.key`, mode 0600, made on first start), so tokens outlive a
// restart; `--in-memory` makes a fresh key each start. Whoever reads the key
// can mint credentials for every role: it is as sensitive as the
// credentials file.
//
// Thread-safety: a SessionSealer is immutable; any number of threads may
// call it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::auth {

// What a session token says.
struct SessionClaims {
  std::string access_key_id;  // "ASIA" and 16 of A-Z 2-7
  std::string role_arn;       // arn:aws:iam::<account>:role/<name>
  std::string session_name;   // 2-64 of [\w+=,.@-]
  int64_t expires_ms = 0;     // since the epoch
};

struct TemporaryCredentials {
  SessionClaims claims;
  std::string secret_access_key;
  std::string session_token;
};

class SessionSealer {
 public:
  static constexpr size_t kKeyBytes = 32;
  // `key`: kKeyBytes bytes.
  explicit SessionSealer(std::string key) : key_(std::move(key)) {}

  // New credentials for `role_arn`/`session_name` until `expires_ms`, with a
  // fresh random access key id.
  TemporaryCredentials Issue(std::string_view role_arn, std::string_view session_name,
                             int64_t expires_ms) const;
  // The claims of a token this key sealed; nullopt for anything else
  // (malformed, tampered with, sealed under another key). Expiry is the
  // caller's to check.
  std::optional<SessionClaims> Open(std::string_view token) const;
  // The secret of the credentials the claims describe.
  std::string SecretOf(const SessionClaims& claims) const;

 private:
  std::string key_;
};

// A fresh random session key.
std::string NewSessionKey();
// The session key kept in `dir` (sts-session.key), made with mode 0600 if
// there is none. A file of the wrong size is reported, never replaced: a new
// key would silently end every session.
Result<std::string> LoadOrCreateSessionKey(const std::string& dir);

}  // namespace ferry::auth
