// SigV4 verification: whether a request was signed by the secret of the
// access key it names, as the AWS SDKs sign SQS, SNS and STS requests.
//
// Both forms AWS accepts:
//   - the Authorization header ("AWS4-HMAC-SHA256 Credential=AKID/<day>/
//     <region>/<service>/aws4_request, SignedHeaders=host;x-amz-date,
//     Signature=<hex>") with X-Amz-Date and, for temporary credentials,
//     X-Amz-Security-Token headers;
//   - a presigned URL: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
//     X-Amz-Expires (1..604800 s), X-Amz-SignedHeaders, X-Amz-Signature and
//     X-Amz-Security-Token in the query string.
// The canonical request is built as botocore builds it for these services
// (sigv4_canonical.h); docs/security.md, "Authentication: SigV4", lists the
// checks in order and docs/compatibility.md the answers where AWS is unclear.
// Failures carry AWS's error and text (AuthFailure); a SignatureDoesNotMatch
// names the canonical request and string to sign only when
// VerifierOptions::debug_signatures is on, as AWS's answers do.
//
// Derived signing keys are cached per (access key, day, region, service),
// each with the secret it was derived from, so a secret changed by a reload
// of the credentials is noticed at its next use. The cache is bounded
// (VerifierOptions::key_cache_capacity; when full, an entry is dropped).
//
// Thread-safety: Verify may be called from any number of threads at once;
// mu_ guards the key cache, held only to look up or store one key.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "auth/credentials.h"
#include "auth/sigv4.h"

namespace ferry::auth {

// What the verifier reads of a request; views valid during the call.
struct SignedRequest {
  std::string_view method;
  std::string_view path;   // as sent, before '?': still percent-encoded
  std::string_view query;  // as sent, after '?'; "" when none
  std::span<const std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string_view body;
};

// Which authentication a request carries: none, the Authorization header, or
// presigned query parameters (X-Amz-Algorithm, -Credential or -Signature).
enum class SignatureForm { kNone, kHeader, kPresigned };
SignatureForm DetectSignatureForm(const SignedRequest& req);

struct VerifiedCaller {
  Principal principal;
  CredentialScope scope;
  bool presigned = false;
};

struct Verification {
  std::optional<VerifiedCaller> caller;
  AuthFailure failure{AuthError::kSignatureDoesNotMatch, {}};  // when !caller
};

struct VerifierOptions {
  bool debug_signatures = false;
  size_t key_cache_capacity = 4096;
};

class Verifier {
 public:
  // AWS refuses a request whose X-Amz-Date is further than this from its
  // own clock, either way.
  static constexpr int64_t kMaxSkewMs = 15 * 60 * 1000;
  static constexpr int64_t kMaxPresignedExpiresS = 604800;

  explicit Verifier(VerifierOptions options = {});

  // Verifies `req`, signed for `service` (the signing name: "sqs", "sns",
  // "sts"; empty: whichever the credential scope names), at `now_ms`, with
  // the keys `resolver` knows. A resolver that does not verify signatures
  // (open mode) names the caller of any well-formed credential.
  Verification Verify(const KeyResolver& resolver, const SignedRequest& req,
                      std::string_view service, int64_t now_ms) const;

  size_t cached_keys() const;

 private:
  // The signing key of `scope` for `secret`, from the cache or derived.
  std::string SigningKey(std::string_view credential, const CredentialScope& scope,
                         std::string_view secret) const;

  VerifierOptions options_;
  struct CachedKey {
    std::string secret;  // what the key was derived from
    std::string key;
  };
  mutable std::mutex mu_;
  // Keyed by the credential ("AKID/day/region/service/aws4_request"); guarded by mu_.
  mutable std::unordered_map<std::string, CachedKey> keys_;
};

}  // namespace ferry::auth
