// The load generator's connection: SQS requests in AWS JSON 1.0, or SNS
// requests in the Query protocol, one at a time, over one keep-alive
// http::ClientConnection to a fixed endpoint.
//
// It is meant to cost little per request, so that it measures the server and
// not itself: every header but X-Amz-Target is written once into the
// connection's fixed request prefix, the body is sent without a copy, and the
// answer is parsed straight into status and body without a header map.
// Timeouts are deadlines that the runner sweeps (CheckTimeout), as
// http/client.h describes.
//
// Thread-safety: none. A connection belongs to one coroutine, on one
// single-threaded io_context; Close() and CheckTimeout() must be called from
// that thread too.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/client.h"

namespace ferry::bench {

using http::Endpoint;

// Parses and resolves an http:// URL; on failure returns nullopt and sets `error`.
std::optional<Endpoint> ResolveEndpoint(std::string_view url, std::string& error);

struct HttpResult {
  std::string error;  // a transport failure or timeout; status and body are then unset
  unsigned status = 0;
  std::string body;
  bool failed() const { return !error.empty(); }
};

// What a connection speaks: SQS's AWS JSON 1.0 (X-Amz-Target names the
// action) or SNS's Query (the form body does).
enum class Wire { kSqsJson, kSnsQuery };

class HttpConnection {
 public:
  HttpConnection(boost::asio::io_context& io, const Endpoint& endpoint,
                 std::chrono::milliseconds timeout, Wire wire = Wire::kSqsJson);

  // POSTs `body` to /: with X-Amz-Target: AmazonSQS.<action> for SQS; an
  // SNS body names its action itself.
  boost::asio::awaitable<HttpResult> Post(std::string_view action, std::string body);

  // Aborts the request in flight, if any; the pending Post() completes with an error.
  void Close() { connection_.Close(); }
  // Aborts the request in flight if it has run past the timeout.
  void CheckTimeout(std::chrono::steady_clock::time_point now) { connection_.CheckTimeout(now); }
  // How many TCP connections this object opened so far.
  uint64_t connects() const { return connection_.connects(); }

 private:
  const Wire wire_;
  const std::string authority_;  // the Host header the client sends
  http::ClientConnection connection_;
  std::string target_;  // "AmazonSQS." + action, reused
};

}  // namespace ferry::bench
