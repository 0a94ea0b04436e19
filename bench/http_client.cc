#include "http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <ctime>

namespace ferry::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// A ReceiveMessage answer holds at most ten 256 KiB bodies plus attributes.
constexpr uint64_t kMaxResponseBytes = 64ull << 20;

// Neither Ferry nor the emulators verify signatures yet, but SDK-shaped
// requests carry both headers, and a server may insist on their presence.
constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0000";

std::string AmzDateNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

}  // namespace

std::optional<Endpoint> ResolveEndpoint(std::string_view url, std::string& error) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    error = "not a URL: " + std::string(url);
    return std::nullopt;
  }
  if (parsed->scheme() != "http") {
    error = "only http:// endpoints are supported: " + std::string(url);
    return std::nullopt;
  }
  Endpoint endpoint;
  endpoint.port = parsed->has_port() ? std::string(parsed->port()) : "80";
  endpoint.host = std::string(parsed->encoded_host()) + ":" + endpoint.port;
  const std::string address(parsed->encoded_host_address());  // no brackets around IPv6
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  endpoint.addresses = resolver.resolve(address, endpoint.port, ec);
  if (ec) {
    error = "cannot resolve " + address + ": " + ec.message();
    return std::nullopt;
  }
  return endpoint;
}

HttpConnection::HttpConnection(asio::io_context& io, const Endpoint& endpoint,
                               std::chrono::milliseconds timeout)
    : endpoint_(endpoint), timeout_(timeout), stream_(io) {
  request_.method(http::verb::post);
  request_.target("/");
  request_.version(11);
  request_.keep_alive(true);
  request_.set(http::field::host, endpoint.host);
  request_.set(http::field::user_agent, "ferry-loadgen");
  request_.set(http::field::content_type, "application/x-amz-json-1.0");
  request_.set(http::field::authorization, kAuthorization);
  request_.set("X-Amz-Date", AmzDateNow());
}

asio::awaitable<HttpResult> HttpConnection::Post(std::string_view action, std::string body) {
  HttpResult result;
  if (!open_) {
    stream_.expires_after(timeout_);
    auto [ec, unused] = co_await stream_.async_connect(endpoint_.addresses, kNoThrow);
    if (ec) {
      result.error = ec;
      co_return result;
    }
    ++connects_;
    open_ = true;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    buffer_.clear();
  }

  request_.set("X-Amz-Target", std::string("AmazonSQS.").append(action));
  request_.body() = std::move(body);
  request_.prepare_payload();

  stream_.expires_after(timeout_);
  auto [write_ec, written] = co_await http::async_write(stream_, request_, kNoThrow);
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  boost::system::error_code ec = write_ec;
  if (!ec) {
    auto [read_ec, read] = co_await http::async_read(stream_, buffer_, parser, kNoThrow);
    ec = read_ec;
  }
  if (ec) {
    Close();
    result.error = ec;
    co_return result;
  }
  http::response<http::string_body> response = parser.release();
  if (!response.keep_alive()) Close();
  result.status = response.result_int();
  result.body = std::move(response.body());
  co_return result;
}

void HttpConnection::Close() {
  // Also reached while a connect is pending (open_ still false): closing the
  // socket is what aborts it.
  stream_.close();
  open_ = false;
}

}  // namespace ferry::bench
