#include "sqs_connection.h"

#include <cstdlib>
#include <ctime>
#include <utility>
#include <vector>

#include "auth/sigv4_sign.h"

namespace ferry::bench {
namespace {

// Unless FERRY_BENCH_SIGN=<access key>:<secret> asks for real signatures
// (a server started with --credentials), requests carry a fixed, invalid
// signature: open mode accepts any, and so do the emulators. The credential
// scope's service tells SNS requests from SQS ones.
constexpr std::string_view kSqsAuthorization =
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000";
constexpr std::string_view kSnsAuthorization =
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sns/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000";

// A ReceiveMessage answer holds at most ten 1 MiB bodies plus attributes.
constexpr uint64_t kMaxResponseBytes = 64ull << 20;

// The keys of FERRY_BENCH_SIGN, if set: every request is then signed as the
// SDKs sign it (host, content-type, x-amz-date, x-amz-target).
const std::optional<auth::SigningCredentials>& SigningKeys() {
  static const std::optional<auth::SigningCredentials> keys =
      []() -> std::optional<auth::SigningCredentials> {
    const char* spec = std::getenv("FERRY_BENCH_SIGN");
    if (!spec) return std::nullopt;
    const std::string_view text(spec);
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    return auth::SigningCredentials{.access_key_id = std::string(text.substr(0, colon)),
                                    .secret_access_key = std::string(text.substr(colon + 1)),
                                    .session_token = {}};
  }();
  return keys;
}

std::string AmzDateNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string_view ContentType(Wire wire) {
  return wire == Wire::kSqsJson ? "application/x-amz-json-1.0"
                                : "application/x-www-form-urlencoded; charset=utf-8";
}

http::ClientOptions Options(std::chrono::milliseconds timeout, Wire wire) {
  const bool sqs = wire == Wire::kSqsJson;
  http::ClientOptions o;
  o.connect_timeout = timeout;
  o.request_timeout = timeout;
  o.max_response_bytes = kMaxResponseBytes;
  o.keep_headers = false;
  o.default_headers = {{"User-Agent", "ferry-loadgen"},
                       {"Content-Type", std::string(ContentType(wire))}};
  if (!SigningKeys()) {
    o.default_headers.emplace_back("Authorization",
                                   std::string(sqs ? kSqsAuthorization : kSnsAuthorization));
    o.default_headers.emplace_back("X-Amz-Date", AmzDateNow());
  }
  return o;
}

}  // namespace

std::optional<Endpoint> ResolveEndpoint(std::string_view url, std::string& error) {
  Result<http::Url> parsed = http::ParseUrl(url);
  if (!parsed.ok()) {
    error = parsed.status().message();
    return std::nullopt;
  }
  Result<Endpoint> endpoint = http::ResolveEndpoint(*parsed);
  if (!endpoint.ok()) {
    error = endpoint.status().message();
    return std::nullopt;
  }
  return std::move(endpoint).value();
}

HttpConnection::HttpConnection(boost::asio::io_context& io, const Endpoint& endpoint,
                               std::chrono::milliseconds timeout, Wire wire)
    : wire_(wire),
      authority_(endpoint.authority),
      connection_(io.get_executor(), endpoint, Options(timeout, wire)) {}

boost::asio::awaitable<HttpResult> HttpConnection::Post(std::string_view action, std::string body) {
  target_.assign("AmazonSQS.");
  target_.append(action);
  std::vector<http::Header> headers;
  if (wire_ == Wire::kSqsJson) headers.push_back({"X-Amz-Target", target_});
  std::string date;
  std::string authorization;
  if (const auto& keys = SigningKeys()) {
    auth::SigningCredentials creds = *keys;
    creds.service = wire_ == Wire::kSqsJson ? "sqs" : "sns";
    std::vector<std::pair<std::string, std::string>> signed_headers = {
        {"host", authority_}, {"content-type", std::string(ContentType(wire_))}};
    if (wire_ == Wire::kSqsJson) signed_headers.emplace_back("x-amz-target", target_);
    const int64_t now_ms = static_cast<int64_t>(std::time(nullptr)) * 1000;
    authorization = auth::SignRequest(creds, "POST", "/", "", signed_headers, body, now_ms);
    for (const auto& [name, value] : signed_headers) {
      if (name == "x-amz-date") date = value;
    }
    headers.push_back({"X-Amz-Date", date});
    headers.push_back({"Authorization", authorization});
  }
  std::span<const http::Header> sent(headers);
  Result<http::InboundResponse> answer =
      co_await connection_.Send({.method = "POST", .target = "/", .headers = sent, .body = body});
  HttpResult result;
  if (!answer.ok()) {
    result.error = answer.status().message();
    co_return result;
  }
  result.status = answer->status;
  result.body = std::move(answer->body);
  co_return result;
}

}  // namespace ferry::bench
