#include "protocol/gateway.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include "api/errors.h"
#include "auth/sigv4.h"
#include "protocol/aws_json.h"
#include "protocol/aws_query.h"
#include "protocol/error_response.h"
#include "protocol/form.h"
#include "protocol/host_port.h"
#include "protocol/json_writer.h"
#include "protocol/request_id.h"
#include "protocol/wire_detect.h"

namespace ferry::protocol {
namespace {

using api::ErrorId;

// What the gateway knows about a request before the service answers it.
struct Exchange {
  api::Wire wire = api::Wire::kJson;
  // A Query request whose Accept header asks for JSON: AWS answers it with
  // the Query response document as JSON ({"<Action>Response": ...}).
  bool query_as_json = false;
  // The service the request is for, whose names errors are written in; for
  // a Query request whose service is not known yet, the gateway's default.
  const api::ServiceDescriptor* service = nullptr;
  std::string action;
  std::string request_id;
};

// What the observers are told of a request beyond its Exchange, kept only
// while the gateway has observers: the CallContext itself goes to the service.
struct Observed {
  std::string account_id;
  std::string access_key;
  std::string source_ip;
  std::chrono::steady_clock::time_point arrival;
  uint64_t request_bytes = 0;
};

// When the request began to arrive: the server's mark, else now.
std::chrono::steady_clock::time_point ArrivalOf(const http::Request& req) {
  return req.arrival == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now()
                                                                : req.arrival;
}

std::string_view ResponseHeader(const http::Response& res, std::string_view name) {
  for (const auto& [k, v] : res.headers) {
    if (k == name) return v;
  }
  return {};
}

std::string_view WireName(api::Wire wire) { return wire == api::Wire::kJson ? "json" : "query"; }

// The record of an answered request; its views are into the arguments.
api::RequestRecord MakeRecord(const Exchange& ex, std::string_view service,
                              std::string_view account_id, std::string_view access_key,
                              std::string_view source_ip,
                              std::chrono::steady_clock::time_point arrival,
                              uint64_t request_bytes, const http::Response& res,
                              const Status& st) {
  return api::RequestRecord{
      .service = service,
      .action = ex.action,
      .account_id = account_id,
      .access_key = access_key,
      .request_id = ex.request_id,
      .source_ip = source_ip,
      .wire = WireName(ex.wire),
      .http_status = res.status,
      .error_code = st.ok() ? std::string_view() : api::ErrorFor(st).code,
      .latency = std::chrono::steady_clock::now() - arrival,
      .request_bytes = request_bytes,
      .response_bytes = res.body.size(),
  };
}

// Whether an Accept header prefers JSON: it names application/json and no
// XML type. Query answers are XML unless a client asks otherwise.
bool AcceptsJsonOnly(std::string_view accept) {
  return accept.find("application/json") != std::string_view::npos &&
         accept.find("xml") == std::string_view::npos;
}

http::Response ErrorResponse(const Exchange& ex, const Status& st) {
  if (ex.query_as_json) {
    const api::ErrorDef& def = api::ErrorFor(st);
    http::Response res;
    res.status = def.http_status;
    res.headers.reserve(2);
    res.headers.emplace_back("x-amzn-RequestId", ex.request_id);
    res.headers.emplace_back("Content-Type", "application/json");
    res.body = EncodeQueryErrorAsJson(def, st.message(), ex.request_id);
    return res;
  }
  return protocol::ErrorResponse(ex.wire, ex.service, st, ex.request_id);
}

http::Response SuccessResponse(const Exchange& ex, const boost::json::object& result) {
  http::Response res;
  res.headers.reserve(2);
  res.headers.emplace_back("x-amzn-RequestId", ex.request_id);
  if (ex.query_as_json) {
    res.headers.emplace_back("Content-Type", "application/json");
    res.body = SerializeJson(QueryResultAsJson(ex.action, result, ex.request_id));
  } else if (ex.wire == api::Wire::kJson) {
    res.headers.emplace_back("Content-Type", std::string(kJsonContentType));
    res.body = SerializeJson(result);
  } else {
    res.headers.emplace_back("Content-Type", "text/xml");
    res.body = EncodeQueryResult(*ex.service, ex.action, result, ex.request_id);
  }
  return res;
}

// A Query request without Action: AWS answers a GET (a browser, a probe) 404
// UnknownOperationException, and a POST that it is missing.
Status MissingActionError(std::string_view method) {
  if (method == "GET") {
    return api::Error(ErrorId::kUnknownOperationNoAction,
                      "Could not find operation for the request: it names no Action.");
  }
  return api::MissingParameter("Action");
}

// A Host header value as RFC 3986 writes an authority without userinfo:
// "[" IPv6 "]", or a name or IPv4 address (unreserved and sub-delims
// characters), then an optional ":" port. Queue URLs are built from it, so
// nothing else may get in: RFC 9112 has a server answer 400 to an invalid
// Host, and so does Ferry. An empty Host (HTTP/1.0) is allowed.
bool IsValidHost(std::string_view host) {
  auto is = [](std::string_view set, char c) { return set.find(c) != std::string_view::npos; };
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  size_t end = 0;
  if (host.starts_with('[')) {
    end = host.find(']');
    if (end == std::string_view::npos || end == 1) return false;
    for (char c : host.substr(1, end - 1)) {
      if (!alnum(c) && !is(":.", c)) return false;
    }
    ++end;
  } else {
    while (end < host.size() && (alnum(host[end]) || is("-._~!$&'()*+,;=", host[end]))) ++end;
  }
  std::string_view port = host.substr(end);
  if (port.empty()) return true;
  if (port.front() != ':' || port.size() > 6) return false;
  port.remove_prefix(1);
  return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Fills in who the caller is, from the principal its credential maps to.
void FillCaller(const auth::Principal& principal, const auth::CredentialScope& scope,
                api::CallContext& ctx) {
  ctx.access_key = scope.access_key;
  ctx.account_id = principal.account_id;
  ctx.principal_id = principal.principal_id;
  ctx.principal_arn = principal.arn;
  // AWS keeps each region's resources apart; the services scope a request
  // to the region its credential names.
  if (auth::IsRegionName(scope.region)) ctx.region = scope.region;
}

// The catalog row of each reason a signature is refused.
ErrorId AuthErrorId(auth::AuthError error) {
  switch (error) {
    case auth::AuthError::kMissingAuthenticationToken: return ErrorId::kMissingAuthenticationToken;
    case auth::AuthError::kIncompleteSignature: return ErrorId::kIncompleteSignature;
    case auth::AuthError::kInvalidClientTokenId: return ErrorId::kInvalidClientTokenId;
    case auth::AuthError::kSignatureDoesNotMatch: return ErrorId::kSignatureDoesNotMatch;
    case auth::AuthError::kRequestExpired:
    case auth::AuthError::kSignatureExpired: return ErrorId::kRequestExpired;
    case auth::AuthError::kExpiredToken: return ErrorId::kExpiredToken;
    case auth::AuthError::kAccessDenied: return ErrorId::kAccessDenied;
  }
  return ErrorId::kAccessDenied;
}

std::string_view FindParam(const FormPairs& pairs, std::string_view key) {
  for (const auto& [k, v] : pairs) {
    if (k == key) return v;
  }
  return {};
}

// The X-Amz-Security-Token a request carries: the header, else (a presigned
// URL) the query parameter; "" when there is none.
std::string SessionTokenOf(const http::Request& req, std::string_view query) {
  if (std::string_view header = req.Header("x-amz-security-token"); !header.empty()) {
    return std::string(header);
  }
  if (query.find("X-Amz-Security-Token=") == std::string_view::npos) return {};
  auto pairs = ParseForm(query);
  return pairs.ok() ? std::string(FindParam(*pairs, "X-Amz-Security-Token")) : std::string();
}

bool HasParam(const FormPairs& pairs, std::string_view key) {
  return std::any_of(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == key; });
}

// Whether a Query request names one of `service`'s resources: by the
// service's resource parameter, or by a URL path for a service whose
// resources have URLs of their own.
bool NamesResourceOf(const api::ServiceDescriptor& service, const FormPairs& pairs,
                     std::string_view path) {
  if (!service.resource_parameter.empty() && HasParam(pairs, service.resource_parameter)) {
    return true;
  }
  return service.resource_in_path && !path.empty() && path != "/";
}

}  // namespace

Gateway::Gateway(GatewayOptions options, std::vector<api::Service*> services)
    : options_(std::move(options)),
      services_(std::move(services)),
      open_resolver_(options_.account_id, options_.sessions),
      verifier_(auth::VerifierOptions{.debug_signatures = options_.debug_signatures}) {}

bool Gateway::VerifiesSignatures() const {
  return options_.resolver != nullptr && options_.resolver->verifies_signatures();
}

Status Gateway::Authenticate(const http::Request& req, std::string_view path,
                             std::string_view query, const api::Service* service,
                             api::CallContext& ctx) const {
  const Clock& clock = options_.clock ? *options_.clock : system_clock_;
  const auth::SignedRequest signed_request{req.method, path, query, req.headers, req.body};
  auth::Verification v =
      verifier_.Verify(*options_.resolver, signed_request,
                       service ? service->descriptor().signing_name : std::string_view(),
                       clock.NowMs());
  if (!v.caller) return api::Error(AuthErrorId(v.failure.error), std::move(v.failure.message));
  FillCaller(v.caller->principal, v.caller->scope, ctx);
  return Status::Ok();
}

void Gateway::SetListeningPort(uint16_t port) {
  listening_port_.store(port, std::memory_order_relaxed);
}

void Gateway::SetTlsListeningPort(uint16_t port) {
  tls_listening_port_.store(port, std::memory_order_relaxed);
}

const api::ServiceDescriptor& Gateway::DefaultService() const {
  static constexpr api::ServiceDescriptor kNone{};
  return services_.empty() ? kNone : services_.front()->descriptor();
}

api::Service* Gateway::FindServiceByTarget(std::string_view prefix) const {
  for (auto* s : services_) {
    if (!prefix.empty() && s->descriptor().target_prefix == prefix) return s;
  }
  return nullptr;
}

api::Service* Gateway::FindServiceBySigningName(std::string_view name) const {
  for (auto* s : services_) {
    if (s->descriptor().signing_name == name) return s;
  }
  return nullptr;
}

api::Service* Gateway::FindServiceForQuery(std::string_view action, const FormPairs& pairs,
                                           std::string_view path) const {
  api::Service* first = nullptr;
  for (auto* s : services_) {
    if (!s->Knows(action)) continue;
    if (NamesResourceOf(s->descriptor(), pairs, path)) return s;
    if (!first) first = s;
  }
  return first;
}

void Gateway::Notify(const api::RequestRecord& record) const {
  for (api::RequestObserver* observer : options_.observers) observer->OnRequest(record);
}

http::Response Gateway::Reject(int status, const http::Request& head) {
  const std::string_view target = head.Header("x-amz-target");
  const size_t dot = target.find('.');
  api::Service* service = FindServiceByTarget(target.substr(0, dot));
  std::optional<auth::CredentialScope> scope;
  if (!service) {  // a Query request: the service it is signed for, if any
    scope = auth::ParseAuthorizationHeader(head.Header("authorization"));
    if (scope) service = FindServiceBySigningName(scope->service);
  }
  http::Response res =
      RejectionResponse(status, head, service ? service->descriptor() : DefaultService());
  if (options_.observers.empty()) return res;
  // The body was not read (or not all of it): the action is known from a
  // JSON target only.
  Exchange ex;
  ex.wire = target.empty() ? api::Wire::kQuery : api::Wire::kJson;
  if (dot != std::string_view::npos) ex.action = std::string(target.substr(dot + 1));
  ex.request_id = std::string(ResponseHeader(res, "x-amzn-RequestId"));
  Notify(MakeRecord(ex, service ? service->descriptor().name : std::string_view(), {},
                    scope ? std::string_view(scope->access_key) : std::string_view(),
                    head.remote_address, ArrivalOf(head), head.body.size(), res,
                    RejectionError(status)));
  return res;
}

void Gateway::Handle(const http::Request& req, http::Responder respond) {
  Exchange ex;
  ex.request_id = NewRequestId();
  const bool observed = !options_.observers.empty();
  const auto arrival = observed ? ArrivalOf(req) : std::chrono::steady_clock::time_point{};
  api::CallContext ctx;
  api::Service* service = nullptr;
  const bool verifies = VerifiesSignatures();
  // Whether ctx names the caller's account yet: in open mode the default
  // one until the credential names another; else once verified.
  bool caller_known = !verifies;
  auto scope = auth::ParseAuthorizationHeader(req.Header("authorization"));
  auto fail = [&](const Status& st) {
    http::Response res = ErrorResponse(ex, st);
    if (!observed) return respond(std::move(res));
    const api::RequestRecord record =
        MakeRecord(ex, service ? service->descriptor().name : std::string_view(),
                   caller_known ? std::string_view(ctx.account_id) : std::string_view(),
                   // A refused request's key, as its credential names it.
                   !ctx.access_key.empty() || !scope ? std::string_view(ctx.access_key)
                                                     : std::string_view(scope->access_key),
                   req.remote_address, arrival, req.body.size(), res, st);
    respond(std::move(res));
    Notify(record);
  };

  // Built by move at the end: a JSON body's object keeps its own arena.
  std::optional<boost::json::object> params;
  std::string_view target = req.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  ctx.path = std::string(path);
  ctx.host = HostWithPort(req.Header("host"), (req.secure ? tls_listening_port_ : listening_port_)
                                                  .load(std::memory_order_relaxed));
  ctx.trace_header = std::string(req.Header("x-amzn-trace-id"));
  ctx.region = options_.region;
  ctx.account_id = options_.account_id;
  ctx.secure_transport = req.secure;
  if (req.secure) ctx.scheme = "https";
  ctx.source_ip = req.remote_address;

  std::string_view amz_target = req.Header("x-amz-target");

  if (DetectWire(req.Header("content-type"), amz_target, req.body) == api::Wire::kJson) {
    ex.wire = api::Wire::kJson;
    size_t dot = amz_target.find('.');
    service = FindServiceByTarget(amz_target.substr(0, dot));
    if (service) ex.service = &service->descriptor();
    if (dot != std::string_view::npos) ex.action = std::string(amz_target.substr(dot + 1));
    if (verifies) {
      if (Status st = Authenticate(req, path, query, service, ctx); !st.ok()) return fail(st);
      caller_known = true;
    }
    if (!service || !service->Knows(ex.action)) {
      return fail(api::Error(ErrorId::kUnknownOperation,
                             "The operation " + std::string(amz_target) + " is not known."));
    }
    auto decoded = DecodeJsonBody(req.body);
    if (!decoded.ok()) return fail(decoded.status());
    params.emplace(std::move(*decoded));
  } else {
    ex.wire = api::Wire::kQuery;
    // Until the action is read, errors are written in the names of the
    // service the request is signed for (an SNS request's malformed form is
    // an SNS ErrorResponse), or of the default one.
    api::Service* signed_for = scope ? FindServiceBySigningName(scope->service) : nullptr;
    ex.service = signed_for ? &signed_for->descriptor() : &DefaultService();
    ex.query_as_json = AcceptsJsonOnly(req.Header("accept"));
    auto pairs = ParseForm(query);
    if (!pairs.ok()) {
      return fail(api::Error(ErrorId::kMalformedQueryString, "The query string is malformed."));
    }
    if (req.method == "POST" && !req.body.empty()) {
      auto body_pairs = ParseForm(req.body);
      if (!body_pairs.ok()) {
        return fail(api::Error(ErrorId::kMalformedQueryString, "The request body is malformed."));
      }
      for (auto& p : *body_pairs) pairs->push_back(std::move(p));
    }
    if (!scope) {
      auto cred = FindParam(*pairs, "X-Amz-Credential");
      if (!cred.empty()) scope = auth::ParseCredential(cred);
    }
    ex.action = std::string(FindParam(*pairs, "Action"));
    if (!ex.action.empty()) {
      if (scope) service = FindServiceBySigningName(scope->service);
      if (!service || !service->Knows(ex.action)) {
        service = FindServiceForQuery(ex.action, *pairs, path);
      }
    }
    if (verifies) {
      if (service) ex.service = &service->descriptor();
      if (Status st = Authenticate(req, path, query, service, ctx); !st.ok()) return fail(st);
      caller_known = true;
    }
    if (ex.action.empty()) return fail(MissingActionError(req.method));
    if (!service) {
      return fail(api::InvalidAction(ex.action));
    }
    ex.service = &service->descriptor();
    auto decoded = DecodeQueryParams(*pairs, *ex.service, ex.action);
    if (!decoded.ok()) return fail(decoded.status());
    params.emplace(std::move(*decoded));
  }

  if (!IsValidHost(ctx.host)) {
    return fail(
        api::Error(ErrorId::kInvalidParameterValue, "The Host header is not a valid host."));
  }
  if (!verifies && scope) {
    // Open mode: the credential names the caller; its signature is not checked.
    const Clock& clock = options_.clock ? *options_.clock : system_clock_;
    auto resolved =
        open_resolver_.Resolve(scope->access_key, SessionTokenOf(req, query), clock.NowMs());
    if (!resolved.principal) {
      return fail(api::Error(AuthErrorId(resolved.failure.error), resolved.failure.message));
    }
    FillCaller(*resolved.principal, *scope, ctx);
  }
  ctx.wire = ex.wire;
  ctx.request_id = ex.request_id;
  if (observed) {
    Observed seen{ctx.account_id, ctx.access_key, ctx.source_ip, arrival, req.body.size()};
    api::Call call{std::string(ex.service->name), ex.action, std::move(*params), std::move(ctx)};
    return service->Invoke(
        std::move(call), [this, ex = std::move(ex), seen = std::move(seen),
                          respond = std::move(respond)](Result<boost::json::object> result) {
          http::Response res =
              result.ok() ? SuccessResponse(ex, *result) : ErrorResponse(ex, result.status());
          const api::RequestRecord record =
              MakeRecord(ex, ex.service->name, seen.account_id, seen.access_key, seen.source_ip,
                         seen.arrival, seen.request_bytes, res, result.status());
          respond(std::move(res));
          Notify(record);
        });
  }
  api::Call call{std::string(ex.service->name), ex.action, std::move(*params), std::move(ctx)};
  service->Invoke(std::move(call), [ex = std::move(ex), respond = std::move(respond)](
                                       Result<boost::json::object> result) {
    respond(result.ok() ? SuccessResponse(ex, *result) : ErrorResponse(ex, result.status()));
  });
}

}  // namespace ferry::protocol
