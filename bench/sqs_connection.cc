#include "sqs_connection.h"

#include <ctime>

namespace ferry::bench {
namespace {

// Neither Ferry nor the emulators verify signatures yet, but SDK-shaped
// requests carry both headers, and a server may insist on their presence.
// The credential scope's service tells SNS requests from SQS ones.
constexpr std::string_view kSqsAuthorization =
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000";
constexpr std::string_view kSnsAuthorization =
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sns/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000";

// A ReceiveMessage answer holds at most ten 1 MiB bodies plus attributes.
constexpr uint64_t kMaxResponseBytes = 64ull << 20;

std::string AmzDateNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

http::ClientOptions Options(std::chrono::milliseconds timeout, Wire wire) {
  const bool sqs = wire == Wire::kSqsJson;
  http::ClientOptions o;
  o.connect_timeout = timeout;
  o.request_timeout = timeout;
  o.max_response_bytes = kMaxResponseBytes;
  o.keep_headers = false;
  o.default_headers = {{"User-Agent", "ferry-loadgen"},
                       {"Content-Type", sqs ? "application/x-amz-json-1.0"
                                            : "application/x-www-form-urlencoded; charset=utf-8"},
                       {"Authorization", std::string(sqs ? kSqsAuthorization : kSnsAuthorization)},
                       {"X-Amz-Date", AmzDateNow()}};
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
    : wire_(wire), connection_(io.get_executor(), endpoint, Options(timeout, wire)) {}

boost::asio::awaitable<HttpResult> HttpConnection::Post(std::string_view action, std::string body) {
  target_.assign("AmazonSQS.");
  target_.append(action);
  const http::Header headers[] = {{"X-Amz-Target", target_}};
  std::span<const http::Header> sent(headers);
  if (wire_ == Wire::kSnsQuery) sent = {};
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
