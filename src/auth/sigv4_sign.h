// A SigV4 signer for Ferry's own tools: unit tests, the benchmarks and the
// admin command line sign requests with it, as the AWS SDKs do (the
// canonical request of sigv4_canonical.h). Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::auth {

struct SigningCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
  std::string region = "us-east-1";
  std::string service = "sqs";
};

// Signs a request in the header form at `now_ms`: appends x-amz-date (and
// x-amz-security-token when there is a token) to `headers` (names
// lower-cased; host among them), signs every header it holds, and returns
// the Authorization header's value. `path` and `query` as they will be sent.
std::string SignRequest(const SigningCredentials& creds, std::string_view method,
                        std::string_view path, std::string_view query,
                        std::vector<std::pair<std::string, std::string>>& headers,
                        std::string_view body, int64_t now_ms);

// The query string of a presigned URL for the request at `now_ms`, valid for
// `expires_s` seconds: `query` followed by the X-Amz-* parameters, the
// signature last. Only host is signed; the payload hash is the body's.
std::string PresignQuery(const SigningCredentials& creds, std::string_view method,
                         std::string_view path, std::string_view query, std::string_view host,
                         std::string_view body, int64_t expires_s, int64_t now_ms);

}  // namespace ferry::auth
