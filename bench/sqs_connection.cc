#include "sqs_connection.h"

#include <ctime>

namespace ferry::bench {
namespace {

// Neither Ferry nor the emulators verify signatures yet, but SDK-shaped
// requests carry both headers, and a server may insist on their presence.
constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
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

http::ClientOptions Options(std::chrono::milliseconds timeout) {
  http::ClientOptions o;
  o.connect_timeout = timeout;
  o.request_timeout = timeout;
  o.max_response_bytes = kMaxResponseBytes;
  o.keep_headers = false;
  o.default_headers = {{"User-Agent", "ferry-loadgen"},
                       {"Content-Type", "application/x-amz-json-1.0"},
                       {"Authorization", std::string(kAuthorization)},
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
                               std::chrono::milliseconds timeout)
    : connection_(io.get_executor(), endpoint, Options(timeout)) {}

boost::asio::awaitable<HttpResult> HttpConnection::Post(std::string_view action, std::string body) {
  target_.assign("AmazonSQS.");
  target_.append(action);
  const http::Header headers[] = {{"X-Amz-Target", target_}};
  Result<http::InboundResponse> answer =
      co_await connection_.Send({.method = "POST", .target = "/", .headers = headers, .body = body});
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
