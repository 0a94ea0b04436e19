// The AWS JSON 1.0 protocol: a JSON object in, a JSON object out.
// Errors are {"__type": "<prefix><json_type>", "message": "..."} (the
// service descriptor's json_error_prefix, then the catalog's JSON type, e.g.
// InvalidParameterValueException) and the x-amzn-query-error header carries
// the catalog's Query-era code ("<query_code>;Sender") that query-compatible
// SDKs (SQS's model is awsQueryCompatible) report. Stateless and thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "api/service_descriptor.h"
#include "common/status.h"

namespace ferry::protocol {

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";

// Parses a request body; an empty body is an empty object. Fails with
// SerializationException when the body is not one JSON object. The object
// lives in an arena of its own (its storage()): move-construct it to keep
// that; assigning it to an object of other storage copies it.
Result<boost::json::object> DecodeJsonBody(std::string_view body);

// `service`: the descriptor of the service the request is for; nullptr when
// none is known (the type then has no prefix).
std::string EncodeJsonError(const api::ServiceDescriptor* service, const api::ErrorDef& error,
                            std::string_view message);
// The value of the x-amzn-query-error header for `error`.
std::string QueryErrorHeader(const api::ErrorDef& error);

}  // namespace ferry::protocol
