// A keep-alive HTTP/1.1 client connection that posts AWS JSON 1.0 requests,
// one at a time, to a fixed endpoint.
//
// The connection is opened on first use and reopened before the next request
// whenever the server answered without keep-alive (moto's development server
// closes after every answer) or a transfer failed, so a closed loop can keep
// calling Post() whatever the server does. Every step is bounded by the
// request timeout, which whoever drives the io_context enforces by calling
// CheckTimeout() now and then (a timer armed per read and write would cost the
// generator more CPU than the request itself).
//
// The client is meant to cost little per request, so that it measures the
// server and not itself: the request head is written by hand around a fixed
// prefix, the body is sent without a copy, and the answer is parsed straight
// into the result (status, body) without building a header map.
//
// Thread-safety: none. A connection belongs to one coroutine, on one
// single-threaded io_context; Close() and CheckTimeout() must be called from
// that thread too.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::bench {

// Where requests go: host and port of an http:// URL, resolved once.
struct Endpoint {
  std::string host;  // host:port as written in the URL, sent as the Host header
  std::string port;
  boost::asio::ip::tcp::resolver::results_type addresses;
};

// Parses and resolves an http:// URL; on failure returns nullopt and sets `error`.
std::optional<Endpoint> ResolveEndpoint(std::string_view url, std::string& error);

struct HttpResult {
  boost::system::error_code error;  // transport failure; status and body are then unset
  unsigned status = 0;
  std::string body;
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::io_context& io, const Endpoint& endpoint,
                 std::chrono::milliseconds timeout);

  // POSTs `body` to / with X-Amz-Target: AmazonSQS.<action>.
  boost::asio::awaitable<HttpResult> Post(std::string_view action, std::string body);

  // Aborts the request in flight, if any; the pending Post() completes with an error.
  void Close();

  // Aborts the request in flight if it has run past the timeout; its Post()
  // then fails with boost::beast::error::timeout.
  void CheckTimeout(std::chrono::steady_clock::time_point now);

  // How many TCP connections this object opened so far.
  uint64_t connects() const { return connects_; }

 private:
  const Endpoint& endpoint_;
  const std::chrono::milliseconds timeout_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  const std::string head_prefix_;  // request line and the headers every request carries
  std::string head_;               // head_prefix_ plus this request's own headers
  // When the request in flight times out; max() when none is in flight.
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool timed_out_ = false;
  bool open_ = false;
  uint64_t connects_ = 0;
};

}  // namespace ferry::bench
