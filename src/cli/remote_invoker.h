// RemoteInvoker: the api::ActionInvoker of the admin CLI. It calls actions of
// a running Ferry (or anything speaking SQS and SNS) over HTTP(S), every
// service in AWS JSON 1.0 (X-Amz-Target AmazonSQS.<Action>,
// SNS_20100331.<Action>, AWSSecurityTokenServiceV20110615.<Action>,
// Ferry.<Action>), which Ferry's gateway serves for all four, so parameters
// and results keep the service model's JSON shape with no XML in between.
// Every request is SigV4-signed with the service's signing name.
//
// Errors: an AWS error answer becomes a Status whose message is
// "<Code>: <message>" (the code from __type, without its namespace); a
// transport failure is kUnavailable "cannot reach Ferry at <endpoint>: ...".
//
// Thread-safety: none. One object, one thread: it owns a private io_context
// and one keep-alive connection, and Invoke blocks until the answer is in.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/invoker.h"
#include "cli/aws_config.h"
#include "common/status.h"
#include "http/client.h"

namespace ferry::cli {

// A request ready to send: what BuildRequest makes of a call.
struct WireRequest {
  std::string target;  // request target (the endpoint URL's path)
  // Lower-cased names; host, x-amz-date, authorization among them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The X-Amz-Target prefix of a service ("sqs" → "AmazonSQS"); "" for an
// unknown one.
std::string_view TargetPrefix(std::string_view service);

// The signed JSON 1.0 request of one call at `now_ms`.
WireRequest BuildRequest(const ClientConfig& config, const http::Url& url, std::string_view service,
                         std::string_view action, const boost::json::object& params,
                         int64_t now_ms);

// The result of an answer: its JSON object on 2xx (an empty body is {}), or
// the error it carries. A non-JSON error body (a proxy's HTML page) is
// reported with its HTTP status.
Result<boost::json::object> ParseResponse(unsigned status, std::string_view body);

class RemoteInvoker final : public api::ActionInvoker {
 public:
  // Checks the endpoint URL, resolves its host and loads the TLS trust
  // store; connects on the first call.
  static Result<std::unique_ptr<RemoteInvoker>> Create(ClientConfig config);
  ~RemoteInvoker() override;

  Result<boost::json::object> Invoke(std::string_view service, std::string_view action,
                                     boost::json::object params) override;

  // An unsigned GET of a path on the same server (/health, /ready): any
  // HTTP status is an answer.
  Result<http::InboundResponse> Get(std::string_view path);

  const ClientConfig& config() const { return config_; }

 private:
  RemoteInvoker(ClientConfig config, http::Url url, http::Endpoint endpoint,
                std::shared_ptr<http::TlsContext> tls);
  // Sends on the connection, running the private io_context until the answer
  // is in (or the request's deadline passed).
  Result<http::InboundResponse> Send(const WireRequest& request, std::string_view method);

  ClientConfig config_;
  http::Url url_;
  boost::asio::io_context io_;
  std::unique_ptr<http::ClientConnection> connection_;
};

}  // namespace ferry::cli
