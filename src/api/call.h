// Call: one decoded API request, independent of the wire protocol it came in.
//
// The protocol layer turns an HTTP request (AWS JSON 1.0 or Query) into a Call
// whose `params` follow the JSON shape of the service model: lists are arrays,
// maps are objects. Values that the Query protocol can only send as text
// (numbers, booleans) stay strings there; api::Params reads both forms.
// A Service answers a Call through a Reply, once, from any thread.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "api/service_descriptor.h"
#include "common/status.h"

namespace ferry::api {

enum class Wire { kJson, kQuery };

struct CallContext {
  std::string request_id;
  Wire wire = Wire::kJson;
  std::string scheme = "http";  // "https" when the request came over TLS
  bool secure_transport = false;  // came over TLS (aws:SecureTransport)
  std::string source_ip;          // the peer's address (aws:SourceIp)
  std::string host;        // Host header as the client sent it (host[:port])
  std::string path;        // URL path, e.g. /000000000000/orders
  std::string region;      // the credential scope's region, else the server's
  std::string account_id;  // account the caller's credentials map to
  std::string access_key;  // from the SigV4 credential, when present
  // The caller's identity (auth::IdentifyCaller), empty for an unsigned
  // request: its unique id (GetCallerIdentity's UserId, a message's
  // SenderId) and ARN.
  std::string principal_id;
  std::string principal_arn;

  // The principal id, or AWS's id for anonymous callers when there is none.
  std::string_view PrincipalId() const {
    return principal_id.empty() ? kAnonymousPrincipalId : std::string_view(principal_id);
  }
  static constexpr std::string_view kAnonymousPrincipalId = "AIDAIT2UOQQY3AUEKVGXU";
  std::string trace_header;  // the X-Amzn-Trace-Id request header, when present
};

struct Call {
  std::string service;  // "sqs", "sns", "sts"
  std::string action;   // e.g. "SendMessage"
  boost::json::object params;
  CallContext ctx;
};

using Reply = std::function<void(Result<boost::json::object>)>;

// One AWS service. Invoke must call `reply` exactly once; it may do so later,
// from another thread (long polls do).
class Service {
 public:
  virtual ~Service() = default;
  // What the protocol layer needs to speak this service's wire.
  virtual const ServiceDescriptor& descriptor() const = 0;
  std::string_view name() const { return descriptor().name; }
  // True when `action` belongs to this service's API (implemented or not).
  virtual bool Knows(std::string_view action) const = 0;
  virtual void Invoke(Call call, Reply reply) = 0;
};

}  // namespace ferry::api
