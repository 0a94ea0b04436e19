// Credentials: who an access key belongs to.
//
// The contract between the SigV4 verifier (sigv4_verify.h), which needs a
// key's secret to check a signature, and what knows the keys: the
// credentials file of `ferry serve --credentials` with its roles and the
// temporary credentials STS AssumeRole hands out (credential_file.h), or, in
// open mode, a resolver that accepts every key (open_resolver.h).
//
// A Principal is what an access key maps to: the secret that signs, the
// account whose resources the caller sees, and the identity AWS reports
// (GetCallerIdentity's UserId and Arn, a message's SenderId).
//
// Thread-safety: a KeyResolver is called from every io thread at once;
// implementations are thread-safe and do not block on I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::auth {

struct Principal {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;    // 12 digits
  std::string principal_id;  // AIDA... for users; AROA...:<session> for assumed roles; a root user's: the account id
  std::string arn;           // arn:aws:iam::<account>:user/<name>, :root, or
                             // arn:aws:sts::<account>:assumed-role/<role>/<session>
  // Temporary credentials only: the token a request must carry in
  // X-Amz-Security-Token, and when the credentials stop working (ms since
  // the epoch). Long-term credentials: empty and 0.
  std::string session_token;
  int64_t expires_ms = 0;
};

// Why a request is refused before any service sees it. The gateway writes
// each as AWS's error of the same name, in the protocol the client used.
enum class AuthError {
  kMissingAuthenticationToken,  // 403: no Authorization header, no presigned parameters
  kIncompleteSignature,         // 400: a part of the signature is missing or malformed
  kInvalidClientTokenId,        // 403: the access key (or its session token) is not known
  kSignatureDoesNotMatch,       // 403: the signature is wrong
  kRequestExpired,              // 400: X-Amz-Date more than 15 minutes off
  kSignatureExpired,            // 403: a presigned URL past its X-Amz-Expires
  kExpiredToken,                // 403: temporary credentials past their expiry
  kAccessDenied,                // 403: not allowed (e.g. AssumeRole of a role the account may not assume)
};

struct AuthFailure {
  AuthError error;
  std::string message;  // AWS's text for it
};

// Finds the principal of an access key.
class KeyResolver {
 public:
  virtual ~KeyResolver() = default;
  // The principal signing with `access_key_id`, given the request's
  // X-Amz-Security-Token (empty when it carries none) at `now_ms`; or why
  // the key cannot sign: kInvalidClientTokenId for an unknown key, a
  // temporary key without its token or with another token; kExpiredToken
  // for temporary credentials past their expiry.
  struct Resolution {
    std::optional<Principal> principal;
    AuthFailure failure;  // when !principal
  };
  virtual Resolution Resolve(std::string_view access_key_id, std::string_view session_token,
                             int64_t now_ms) const = 0;
  // Whether signatures are checked at all: false in open mode, where any
  // well-formed signature is accepted and Resolve names the caller only.
  virtual bool verifies_signatures() const { return true; }
};

}  // namespace ferry::auth
