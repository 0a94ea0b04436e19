// ActionInvoker: calls one AWS (or Ferry admin) action by service and name,
// with parameters in the JSON shape of the service model (api/call.h), and
// returns the result in the same shape: {"QueueUrl": "..."} for CreateQueue,
// {"TopicArn": "..."} for CreateTopic, lists as arrays, maps as objects.
// Errors come back as a Status whose message starts with AWS's error code
// ("QueueDoesNotExist: The specified queue does not exist.").
//
// Two implementations: one in the server process that hands the call to the
// api::Service itself, as a given account (used to apply the declarative
// resources file at start and on SIGHUP), and one that speaks to a running
// server over HTTP with SigV4 (the admin CLI: `ferry apply`, `ferry queues`,
// ...). Code written against this interface (src/resources) runs unchanged on
// both.
//
// Thread-safety: implementations say; Invoke blocks until the answer is in,
// so it must not be called on an io thread of the server it calls.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "common/status.h"

namespace ferry::api {

class ActionInvoker {
 public:
  virtual ~ActionInvoker() = default;
  // service: "sqs", "sns", "sts" or "ferry" (docs/admin-api.md).
  virtual Result<boost::json::object> Invoke(std::string_view service, std::string_view action,
                                             boost::json::object params) = 0;
};

}  // namespace ferry::api
