// Which requests are the AWS gateway's even on a path the HTTP router keeps
// for itself (http/router.h: /health; /ready, /metrics, /console/ later).
//
// AWS addresses SQS at "/" and at queue URLs, "/<12-digit account>/<queue>"
// (and Ferry's "/queue/<region>/<account>/<queue>" for other regions), so no
// URL an SDK builds starts with a reserved path. But a Query client may send
// its request to any path (the SQS layer reads the queue name from the last
// segment, so "/health?Action=SendMessage" addresses a queue "health"), and
// an SDK may be pointed at an endpoint with a path. So the router gives the
// gateway every request that names an AWS operation, whatever its path:
//
//   - an AWS JSON request (DetectWire: a JSON content type, or X-Amz-Target
//     without a form body naming an Action);
//   - an "Action" parameter in the query string, or in a POST's form body,
//     empty or not, its name percent-encoded or not;
//   - a query string or POST body the form decoder refuses (the gateway
//     answers it MalformedQueryString, as it always did).
//
// What is left for the router is exactly what the gateway would refuse for
// naming no operation (404 UnknownOperationException to a GET, 400
// MissingParameter to a POST): no AWS request changes its answer.
//
// Thread-safety: a pure function.
#pragma once

#include "http/server.h"

namespace ferry::protocol {

bool IsAwsRequest(const http::Request& req);

}  // namespace ferry::protocol
