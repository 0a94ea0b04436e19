// The AWS JSON 1.0 protocol: a JSON object in, a JSON object out.
// Errors are {"__type": "<namespace>#<json_type>", "message": "..."} (the
// catalog's JSON type, e.g. InvalidParameterValueException) and, since the
// SQS model is awsQueryCompatible, the x-amzn-query-error header carries the
// Query-era code ("AWS.SimpleQueueService.NonExistentQueue;Sender") that
// query-compatible SDKs report. Stateless and thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "common/status.h"

namespace ferry::protocol {

inline constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";

// The service a X-Amz-Target prefix names ("AmazonSQS" → "sqs"), or "".
std::string_view ServiceForTargetPrefix(std::string_view prefix);

// Parses a request body; an empty body is an empty object. Fails with
// SerializationException when the body is not one JSON object. The object
// lives in an arena of its own (its storage()): move-construct it to keep
// that; assigning it to an object of other storage copies it.
Result<boost::json::object> DecodeJsonBody(std::string_view body);

std::string EncodeJsonError(std::string_view service, const api::ErrorDef& error,
                            std::string_view message);
// The value of the x-amzn-query-error header for `error`.
std::string QueryErrorHeader(const api::ErrorDef& error);

}  // namespace ferry::protocol
