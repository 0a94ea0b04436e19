// Fuzzes SigV4: the Authorization header and credential parsers, and the
// verifier on what a client controls of both signature forms.
//   - the input as an Authorization header, and as a presigned query string,
//     verified with keys that check signatures and in open mode: any answer
//     is a caller or one of the documented refusals with a text, and the
//     same request verified twice gets the same answer;
//   - the input as the body, and (when it carries no X-Amz- parameter of its
//     own) as the query string, of requests signed by auth::SignRequest and
//     auth::PresignQuery: the verifier must accept them.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/open_resolver.h"
#include "auth/sigv4.h"
#include "auth/sigv4_canonical.h"
#include "auth/sigv4_sign.h"
#include "auth/sigv4_verify.h"
#include "auth/static_resolver_test_util.h"

namespace {

using ferry::auth::AuthError;
using ferry::auth::SignedRequest;
using ferry::auth::Verification;

constexpr int64_t kNowMs = int64_t{1'704'067'200} * 1000;  // 2024-01-01T00:00:00Z
constexpr std::string_view kHost = "localhost:9324";
using Headers = std::vector<std::pair<std::string, std::string>>;

void Check(bool ok) {
  if (!ok) std::abort();
}

const ferry::auth::StaticResolver& Keys() {
  static const ferry::auth::StaticResolver* keys = [] {
    auto* r = new ferry::auth::StaticResolver;
    r->Add(ferry::auth::TestUser("AKID", "secret"));
    return r;
  }();
  return *keys;
}

ferry::auth::SigningCredentials Signer() {
  return ferry::auth::SigningCredentials{
      .access_key_id = "AKID", .secret_access_key = "secret", .session_token = {}};
}

void CheckAnswer(const ferry::auth::Verifier& verifier, const ferry::auth::KeyResolver& keys,
                 const SignedRequest& req) {
  const Verification first = verifier.Verify(keys, req, "sqs", kNowMs);
  const Verification again = verifier.Verify(keys, req, "sqs", kNowMs);
  Check(first.caller.has_value() == again.caller.has_value());
  if (first.caller) return;
  Check(first.failure.error == again.failure.error && first.failure.message == again.failure.message);
  Check(!first.failure.message.empty());
  switch (first.failure.error) {
    case AuthError::kMissingAuthenticationToken:
    case AuthError::kIncompleteSignature:
    case AuthError::kInvalidClientTokenId:
    case AuthError::kSignatureDoesNotMatch:
    case AuthError::kRequestExpired:
      return;
    default:
      std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ferry::auth::ParseAuthorizationHeader(text);
  (void)ferry::auth::ParseCredential(text);

  static const ferry::auth::Verifier verifier;
  static const ferry::auth::OpenResolver open("000000000000");
  const std::string amz_date = ferry::auth::sigv4::FormatAmzDate(kNowMs);

  // The input as the Authorization header, then as a presigned query.
  Headers headers = {{"host", std::string(kHost)}, {"x-amz-date", amz_date},
                     {"authorization", std::string(text)}};
  SignedRequest req{"POST", "/", "", headers, ""};
  CheckAnswer(verifier, Keys(), req);
  CheckAnswer(verifier, open, req);
  headers.pop_back();
  req = SignedRequest{"GET", "/", text, headers, ""};
  CheckAnswer(verifier, Keys(), req);
  CheckAnswer(verifier, open, req);

  // Signed requests carrying the input verify.
  Headers signed_headers = {{"host", std::string(kHost)}};
  std::string auth = ferry::auth::SignRequest(Signer(), "POST", "/", "", signed_headers, text, kNowMs);
  signed_headers.emplace_back("authorization", std::move(auth));
  Check(verifier.Verify(Keys(), SignedRequest{"POST", "/", "", signed_headers, text}, "sqs", kNowMs)
            .caller.has_value());
  if (ferry::auth::sigv4::PercentDecode(text).find("X-Amz-") == std::string::npos) {
    Headers h = {{"host", std::string(kHost)}};
    std::string a = ferry::auth::SignRequest(Signer(), "GET", "/", text, h, "", kNowMs);
    h.emplace_back("authorization", std::move(a));
    Check(verifier.Verify(Keys(), SignedRequest{"GET", "/", text, h, ""}, "sqs", kNowMs)
              .caller.has_value());
    const std::string query =
        ferry::auth::PresignQuery(Signer(), "GET", "/", text, kHost, "", 60, kNowMs);
    const Headers host = {{"host", std::string(kHost)}};
    Check(verifier.Verify(Keys(), SignedRequest{"GET", "/", query, host, ""}, "sqs", kNowMs)
              .caller.has_value());
  }
  return 0;
}
