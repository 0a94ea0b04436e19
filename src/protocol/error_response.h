// The HTTP answer carrying an AWS error, in either wire protocol: used by the
// gateway for every failed call and for the HTTP server's own refusals
// (400/413/431), which it renders as AWS error documents too.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "api/call.h"
#include "api/service_descriptor.h"
#include "common/status.h"
#include "http/server.h"

namespace ferry::protocol {

// JSON: {"__type","message"}, Content-Type application/x-amz-json-1.0 and
// x-amzn-query-error; Query: an <ErrorResponse> document. The status is the
// catalog row's. `service` is the descriptor of the service the request is
// for; nullptr when none is known (JSON: no __type prefix; XML: no
// namespace, so the gateway passes its default service's for Query).
http::Response ErrorResponse(api::Wire wire, const api::ServiceDescriptor* service,
                             const Status& status, std::string_view request_id);

// The answer to a request the HTTP server refused before it reached the
// gateway: `http_status` 413 (body too large), 431 (head too large) or 400
// (not HTTP), as an AWS error in the protocol the head shows as far as it
// was read (an X-Amz-Target header, or a JSON Content-Type: JSON; else
// Query's XML), in the names of `service` (the gateway picks the service of
// the target's prefix, else its default one).
http::Response RejectionResponse(int http_status, const http::Request& head,
                                 const api::ServiceDescriptor& service);

// The error RejectionResponse writes for `http_status`.
Status RejectionError(int http_status);

}  // namespace ferry::protocol
