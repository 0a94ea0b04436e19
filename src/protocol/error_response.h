// The HTTP answer carrying an AWS error, in either wire protocol: used by the
// gateway for every failed call and for the HTTP server's own refusals
// (400/413/431), which it renders as AWS error documents too.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "api/call.h"
#include "common/status.h"
#include "http/server.h"

namespace ferry::protocol {

// JSON: {"__type","message"}, Content-Type application/x-amz-json-1.0 and
// x-amzn-query-error; Query: an <ErrorResponse> document. The status is the
// catalog row's.
http::Response ErrorResponse(api::Wire wire, std::string_view service, const Status& status,
                             std::string_view request_id);

// The answer to a request the HTTP server refused before it reached the
// gateway: `http_status` 413 (body too large), 431 (head too large) or 400
// (not HTTP), as an AWS error in the protocol the head shows as far as it
// was read (an X-Amz-Target header, or a JSON Content-Type: JSON; else
// Query's XML), naming the service of the target's prefix (else SQS).
http::Response RejectionResponse(int http_status, const http::Request& head);

}  // namespace ferry::protocol
