// Gateway: the protocol edge. Turns each HTTP request into an api::Call,
// hands it to the service it belongs to, and writes the service's answer (or
// error) back in the wire protocol the client used.
//
//   X-Amz-Target: <prefix>.SendMessage + JSON body      → AWS JSON 1.0
//   Action=SendMessage&... (form body or GET query)      → Query, XML out
// The Content-Type decides between them (wire_detect.h), not the presence of
// X-Amz-Target.
//
// The gateway knows no service by name: each service's descriptor
// (api/service_descriptor.h) gives its target prefix, signing name, XML
// namespace, JSON error prefix, Query collections and how requests name its
// resources. The service of a JSON request is the one whose target prefix
// the X-Amz-Target names; of a Query request, the one its SigV4 credential
// scope names (Authorization header or X-Amz-Credential) if that one knows
// the action. Otherwise (unsigned, or signed for a service without the
// action) the services that know the action decide: of those, the first
// registered one whose resource the request names, by the descriptor's
// resource_parameter (QueueUrl, TopicArn) or, for a service with
// resource_in_path, by a URL path other than "/"; else the first registered
// one that knows the action. So an action only one service knows goes to
// it, and one that several share (SQS's and SNS's AddPermission and
// RemovePermission) goes by the resource it names.
//
// Errors for a request whose service is not known are written in the first
// registered service's names (Query), or with no service prefix (JSON). A
// Query request whose Accept header asks for application/json only is
// answered in JSON (the Query document's shape); a GET without Action is 404
// UnknownOperationException. The credential scope's region (when it can be
// one) becomes CallContext::region, else GatewayOptions::region.
//
// Authentication (docs/security.md): with a KeyResolver that verifies
// signatures (GatewayOptions::resolver), every request's SigV4 signature is
// verified (auth/sigv4_verify.h) before its service is invoked, for the
// service the request was routed to (JSON: once its target is known, before
// the body is decoded; Query: once its action and service are known, or
// found unknown), and refused in the client's protocol with AWS's code,
// status and text. The verified Principal fills CallContext's account,
// principal and access key. Without one (open mode) any well-formed
// credential is accepted and only names the caller (auth/open_resolver.h);
// an unsigned request is the default account's.
//
// Observers (api/request_observer.h): each of GatewayOptions::observers is
// told of every request the gateway answers, once, right after the answer
// is handed to the server: those the services answered and those the
// gateway refused itself (a refused signature, an unknown action, a
// malformed body, the server's own 400/413/431 through Reject). Latency runs
// from http::Request::arrival (when the server began reading the request;
// the gateway's own arrival when unset) to that moment. With no observers
// the gateway does no work for them; with some, it keeps a copy of the
// caller's account, access key and address beside a request in flight.
//
// Thread-safety: immutable after construction but for the listening port,
// an atomic, and the verifier's key cache, which locks; Handle runs on any
// thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "api/call.h"
#include "api/request_observer.h"
#include "auth/credentials.h"
#include "auth/open_resolver.h"
#include "auth/sigv4_verify.h"
#include "common/clock.h"
#include "http/server.h"
#include "protocol/form.h"

namespace ferry::protocol {

struct GatewayOptions {
  std::string region = "us-east-1";
  // The default account: that of unsigned callers and of access keys that
  // name no account (auth/identity.h).
  std::string account_id = "000000000000";
  // The keys that sign requests; null: open mode. The resolver outlives the
  // gateway; one that reloads (the credentials file on SIGHUP) swaps its
  // keys inside, behind its own lock: the gateway keeps the same object.
  const auth::KeyResolver* resolver = nullptr;
  // SignatureDoesNotMatch answers name the canonical request and string to
  // sign (ferry serve --debug-signatures).
  bool debug_signatures = false;
  // The time signatures are checked against; null: the system clock.
  const Clock* clock = nullptr;
  // Open mode: opens the session tokens of STS's temporary credentials, so
  // that a request signed with them acts as the assumed role
  // (auth/open_resolver.h); null: tokens are ignored.
  const auth::SessionSealer* sessions = nullptr;
  // Told of every answered request (see above), in this order. They must
  // outlive the gateway and every answer still in flight.
  std::vector<api::RequestObserver*> observers;
};

class Gateway final : public http::Handler {
 public:
  Gateway(GatewayOptions options, std::vector<api::Service*> services);
  void Handle(const http::Request& req, http::Responder respond) override;
  // The HTTP server's own refusals, as AWS error documents (error_response.h).
  http::Response Reject(int status, const http::Request& head) override;

  // The port the server listens on, once bound: queue URLs name it when the
  // Host header names none. Until set, the Host header is used as sent.
  void SetListeningPort(uint16_t port);
  // The same for requests that came over TLS: the HTTPS listener's port.
  void SetTlsListeningPort(uint16_t port);

 private:
  // The first registered service's descriptor (an empty one if none).
  const api::ServiceDescriptor& DefaultService() const;
  api::Service* FindServiceByTarget(std::string_view prefix) const;
  api::Service* FindServiceBySigningName(std::string_view name) const;
  // The service of a Query request no credential scope assigns (see above).
  api::Service* FindServiceForQuery(std::string_view action, const FormPairs& pairs,
                                    std::string_view path) const;

  // Whether signatures are verified (a resolver that does; else open mode).
  bool VerifiesSignatures() const;
  // Verifies the request's signature for `service` (null: not known yet, any
  // service's scope will do) and fills ctx with its caller; a failed Status
  // in AWS's words when the request is refused.
  Status Authenticate(const http::Request& req, std::string_view path, std::string_view query,
                      const api::Service* service, api::CallContext& ctx) const;

  // Tells every observer of `record`.
  void Notify(const api::RequestRecord& record) const;

  GatewayOptions options_;
  std::vector<api::Service*> services_;
  SystemClock system_clock_;
  auth::OpenResolver open_resolver_;
  auth::Verifier verifier_;
  std::atomic<uint16_t> listening_port_{0};
  std::atomic<uint16_t> tls_listening_port_{0};
};

}  // namespace ferry::protocol
