#include "cli/remote_invoker.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <optional>

#include "auth/sigv4_sign.h"

namespace ferry::cli {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// Long polls wait up to 20 s on the server; the answer must be allowed that
// and then some.
constexpr std::chrono::seconds kRequestTimeout{60};
constexpr std::chrono::milliseconds kSweepInterval{200};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

Code CodeFor(unsigned status, std::string_view code) {
  if (status == 404 || EndsWith(code, "NotFound") || EndsWith(code, "DoesNotExist") ||
      code.find("NonExistent") != std::string_view::npos) {
    return Code::kNotFound;
  }
  if (status >= 500) return status == 503 ? Code::kUnavailable : Code::kInternal;
  return Code::kInvalidArgument;
}

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string_view TargetPrefix(std::string_view service) {
  if (service == "sqs") return "AmazonSQS";
  if (service == "sns") return "SNS_20100331";
  if (service == "sts") return "AWSSecurityTokenServiceV20110615";
  if (service == "ferry") return "Ferry";
  return "";
}

WireRequest BuildRequest(const ClientConfig& config, const http::Url& url, std::string_view service,
                         std::string_view action, const json::object& params, int64_t now_ms) {
  WireRequest req;
  req.target = url.target;
  req.body = json::serialize(params);
  req.headers = {{"host", url.authority},
                 {"content-type", "application/x-amz-json-1.0"},
                 {"x-amz-target", std::string(TargetPrefix(service)) + "." + std::string(action)}};
  auth::SigningCredentials creds;
  creds.access_key_id = config.access_key_id;
  creds.secret_access_key = config.secret_access_key;
  creds.session_token = config.session_token;
  creds.region = config.region;
  creds.service = std::string(service);
  const size_t query_at = url.target.find('?');
  const std::string_view target(url.target);
  const std::string_view path = target.substr(0, query_at);
  const std::string_view query =
      query_at == std::string::npos ? std::string_view() : target.substr(query_at + 1);
  std::string authorization =
      auth::SignRequest(creds, "POST", path, query, req.headers, req.body, now_ms);
  req.headers.emplace_back("authorization", std::move(authorization));
  return req;
}

Result<json::object> ParseResponse(unsigned status, std::string_view body) {
  boost::system::error_code ec;
  json::value doc;
  if (!body.empty()) doc = json::parse(body, ec);
  if (status >= 200 && status < 300) {
    if (body.empty()) return json::object();
    if (ec || !doc.is_object()) {
      return Status::Internal("the server's answer is not a JSON object: " +
                              std::string(body.substr(0, 200)));
    }
    return std::move(doc.as_object());
  }
  std::string code;
  std::string message;
  if (!ec && doc.is_object()) {
    code = StringField(doc.as_object(), "__type");
    if (size_t hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
    message = StringField(doc.as_object(), "message");
    if (message.empty()) message = StringField(doc.as_object(), "Message");
  }
  if (code.empty()) {
    std::string excerpt(body.substr(0, 200));
    return Status(CodeFor(status, ""),
                  "HTTP " + std::to_string(status) + (excerpt.empty() ? "" : ": " + excerpt));
  }
  return Status(CodeFor(status, code), message.empty() ? code : code + ": " + message);
}

Result<std::unique_ptr<RemoteInvoker>> RemoteInvoker::Create(ClientConfig config) {
  auto url = http::ParseUrl(config.endpoint);
  if (!url.ok()) {
    return Status::InvalidArgument("bad endpoint URL " + config.endpoint + ": " +
                                   url.status().message());
  }
  auto endpoint = http::ResolveEndpoint(*url);
  if (!endpoint.ok()) {
    return Status::Unavailable("cannot reach Ferry at " + config.endpoint + ": " +
                               endpoint.status().message());
  }
  std::shared_ptr<http::TlsContext> tls;
  if (url->tls) {
    http::ClientOptions options;
    options.tls_ca_file = config.ca_bundle;
    options.tls_verify = config.verify_ssl;
    auto made = http::MakeTlsContext(options);
    if (!made.ok()) return made.status();
    tls = std::move(*made);
  }
  return std::unique_ptr<RemoteInvoker>(
      new RemoteInvoker(std::move(config), std::move(*url), std::move(*endpoint), std::move(tls)));
}

RemoteInvoker::RemoteInvoker(ClientConfig config, http::Url url, http::Endpoint endpoint,
                             std::shared_ptr<http::TlsContext> tls)
    : config_(std::move(config)), url_(std::move(url)) {
  http::ClientOptions options;
  options.request_timeout = kRequestTimeout;
  options.tls_ca_file = config_.ca_bundle;
  options.tls_verify = config_.verify_ssl;
  options.default_headers = {{"User-Agent", std::string("ferry-cli/") + FERRY_VERSION}};
  connection_ = std::make_unique<http::ClientConnection>(io_.get_executor(), std::move(endpoint),
                                                         std::move(options), std::move(tls));
}

RemoteInvoker::~RemoteInvoker() {
  connection_->Close();
  connection_.reset();
}

Result<http::InboundResponse> RemoteInvoker::Send(const WireRequest& request,
                                                  std::string_view method) {
  std::vector<http::Header> headers;
  for (const auto& [name, value] : request.headers) {
    if (name != "host") headers.emplace_back(name, value);  // the connection sends its own
  }
  http::OutboundRequest out{method, request.target, headers, request.body};
  std::optional<Result<http::InboundResponse>> answer;
  asio::steady_timer sweep(io_);
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        answer.emplace(co_await connection_->Send(out));
        sweep.cancel();
      },
      asio::detached);
  // The connection's deadlines are checked by its owner (http/client.h).
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        while (!answer) {
          sweep.expires_after(kSweepInterval);
          co_await sweep.async_wait(asio::as_tuple(asio::use_awaitable));
          connection_->CheckTimeout(std::chrono::steady_clock::now());
        }
      },
      asio::detached);
  io_.restart();
  io_.run();
  if (!answer) return Status::Internal("the request did not finish");
  if (!answer->ok()) {
    // "cannot connect to host:port: Connection refused" → "connection refused".
    std::string reason = answer->status().message();
    const std::string marker = url_.authority + ": ";
    if (size_t at = reason.find(marker); at != std::string::npos) {
      reason.erase(0, at + marker.size());
    }
    if (!reason.empty() && reason[0] >= 'A' && reason[0] <= 'Z') reason[0] += 'a' - 'A';
    return Status::Unavailable("cannot reach Ferry at " + config_.endpoint + ": " + reason);
  }
  return std::move(**answer);
}

Result<json::object> RemoteInvoker::Invoke(std::string_view service, std::string_view action,
                                           json::object params) {
  if (TargetPrefix(service).empty()) {
    return Status::InvalidArgument("unknown service " + std::string(service));
  }
  WireRequest request = BuildRequest(config_, url_, service, action, params, NowMs());
  auto answer = Send(request, "POST");
  if (!answer.ok()) return answer.status();
  return ParseResponse(answer->status, answer->body);
}

Result<http::InboundResponse> RemoteInvoker::Get(std::string_view path) {
  WireRequest request;
  request.target = std::string(path);
  return Send(request, "GET");
}

}  // namespace ferry::cli
