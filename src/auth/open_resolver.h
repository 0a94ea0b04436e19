// The KeyResolver of open mode (no --credentials): every access key is
// accepted, and the key itself says whose it is (identity.h: a 12-digit key
// names that account's root user, any other a user of the default account).
// Signatures are not checked (verifies_signatures() is false); the gateway
// only reads the credential to name the caller, as Ferry always has.
//
// Thread-safety: immutable; Resolve is thread-safe.
#pragma once

#include <string>

#include "auth/credentials.h"

namespace ferry::auth {

class OpenResolver final : public KeyResolver {
 public:
  explicit OpenResolver(std::string default_account_id);
  // Never fails. The principal has no secret: nothing is verified with it.
  Resolution Resolve(std::string_view access_key_id, std::string_view session_token,
                     int64_t now_ms) const override;
  bool verifies_signatures() const override { return false; }

 private:
  std::string default_account_id_;
};

}  // namespace ferry::auth
