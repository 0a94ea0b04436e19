// The KeyResolver of open mode (no --credentials): every access key is
// accepted, and the key itself says whose it is (identity.h: a 12-digit key
// names that account's root user, any other a user of the default account).
// Signatures are not checked (verifies_signatures() is false); the gateway
// only reads the credential to name the caller, as Ferry always has.
//
// Temporary credentials from STS AssumeRole (open mode admits any role) act
// as the role they were issued for: a request whose X-Amz-Security-Token is
// a token this server sealed for the request's access key is the assumed
// role's session (its account, principal id and ARN), and is refused with
// ExpiredToken once the credentials have expired, as with --credentials.
// Any other token names nobody and is ignored: the key alone names the
// caller.
//
// Thread-safety: immutable; Resolve is thread-safe.
#pragma once

#include <string>

#include "auth/credentials.h"
#include "auth/session_token.h"

namespace ferry::auth {

class OpenResolver final : public KeyResolver {
 public:
  // `sessions` (may be null: no temporary credentials are recognised)
  // opens STS session tokens; it outlives the resolver.
  explicit OpenResolver(std::string default_account_id,
                        const SessionSealer* sessions = nullptr);
  // Fails only for an expired session of this server's (kExpiredToken). The
  // principal has no secret: nothing is verified with it.
  Resolution Resolve(std::string_view access_key_id, std::string_view session_token,
                     int64_t now_ms) const override;
  bool verifies_signatures() const override { return false; }

 private:
  std::string default_account_id_;
  const SessionSealer* sessions_;
};

}  // namespace ferry::auth
