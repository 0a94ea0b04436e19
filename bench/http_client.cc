#include "http_client.h"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
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

// Parses an answer straight into its status and body, skipping the header
// map a beast::http::response would build. One per answer.
class ResponseParser final : public http::basic_parser<false> {
 public:
  explicit ResponseParser(std::string& body) : body_(body) {}
  unsigned status() const { return status_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       boost::system::error_code& ec) override {
    ec = http::error::bad_method;  // never called for a response parser
  }
  void on_response_impl(int code, beast::string_view, int, boost::system::error_code&) override {
    status_ = static_cast<unsigned>(code);
  }
  void on_field_impl(http::field, beast::string_view, beast::string_view,
                     boost::system::error_code&) override {}
  void on_header_impl(boost::system::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         boost::system::error_code&) override {
    if (length) body_.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, boost::system::error_code&) override {
    body_.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view,
                            boost::system::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 boost::system::error_code&) override {
    body_.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(boost::system::error_code&) override {}

  std::string& body_;
  unsigned status_ = 0;
};

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
    : endpoint_(endpoint),
      timeout_(timeout),
      socket_(io),
      head_prefix_(std::string("POST / HTTP/1.1\r\nHost: ") + endpoint.host +
                   "\r\nUser-Agent: ferry-loadgen\r\n"
                   "Content-Type: application/x-amz-json-1.0\r\nAuthorization: " +
                   std::string(kAuthorization) + "\r\nX-Amz-Date: " + AmzDateNow() +
                   "\r\nX-Amz-Target: AmazonSQS.") {}

asio::awaitable<HttpResult> HttpConnection::Post(std::string_view action, std::string body) {
  HttpResult result;
  timed_out_ = false;
  deadline_ = std::chrono::steady_clock::now() + timeout_;
  if (!open_) {
    socket_ = tcp::socket(socket_.get_executor());
    auto [ec, unused] = co_await asio::async_connect(socket_, endpoint_.addresses, kNoThrow);
    if (ec) {
      deadline_ = std::chrono::steady_clock::time_point::max();
      result.error = timed_out_ ? make_error_code(beast::error::timeout) : ec;
      co_return result;
    }
    ++connects_;
    open_ = true;
    socket_.set_option(tcp::no_delay(true), ec);
    buffer_.clear();
  }

  head_.assign(head_prefix_);
  head_.append(action);
  head_.append("\r\nContent-Length: ");
  head_.append(std::to_string(body.size()));
  head_.append("\r\n\r\n");
  const std::array<asio::const_buffer, 2> request{asio::buffer(head_), asio::buffer(body)};
  auto [write_ec, written] = co_await asio::async_write(socket_, request, kNoThrow);
  ResponseParser parser(result.body);
  parser.body_limit(kMaxResponseBytes);
  parser.eager(true);
  boost::system::error_code ec = write_ec;
  if (!ec) {
    auto [read_ec, read] = co_await http::async_read(socket_, buffer_, parser, kNoThrow);
    ec = read_ec;
  }
  deadline_ = std::chrono::steady_clock::time_point::max();
  if (ec) {
    Close();
    result.error = timed_out_ ? make_error_code(beast::error::timeout) : ec;
    result.body.clear();
    co_return result;
  }
  if (!parser.keep_alive()) Close();
  result.status = parser.status();
  co_return result;
}

void HttpConnection::Close() {
  // Also reached while a connect is pending (open_ still false): closing the
  // socket is what aborts it.
  boost::system::error_code ignored;
  socket_.close(ignored);
  open_ = false;
}

void HttpConnection::CheckTimeout(std::chrono::steady_clock::time_point now) {
  if (now < deadline_) return;
  deadline_ = std::chrono::steady_clock::time_point::max();
  timed_out_ = true;
  Close();
}

}  // namespace ferry::bench
