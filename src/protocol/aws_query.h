// The AWS Query protocol: form-encoded requests in, XML documents out.
//
// Requests are decoded into the JSON shape of the service model, with every
// scalar kept as text; responses are written from that same shape. The
// service's descriptor (api/service_descriptor.h) names its collections and
// its XML namespace. Stateless and thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "api/service_descriptor.h"
#include "common/status.h"
#include "protocol/form.h"

namespace ferry::protocol {

// Bounds on a request's dotted keys. The deepest real SQS key has seven
// segments (SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.
// StringListValue.1); anything past these is refused, never walked.
inline constexpr size_t kMaxQueryKeySegments = 16;
inline constexpr size_t kMaxQueryNodes = 50000;

// Decodes the request parameters other than Action, Version and signature
// fields. Fails (MalformedQueryString) on keys that contradict each other, a
// scalar sent twice, or keys past the bounds above. Besides the numbered
// forms it reads, as AWS does: a list or map member with an empty value as
// the empty collection ("AttributeName="), a bare or repeated list member as
// its elements ("AttributeName=All"), and a list or map element without its
// index as the only element ("Attribute.Name=X&Attribute.Value=Y").
// Uses heap, not stack, in proportion to the keys' depth.
Result<boost::json::object> DecodeQueryParams(const FormPairs& pairs,
                                              const api::ServiceDescriptor& service,
                                              std::string_view action);

std::string EncodeQueryResult(const api::ServiceDescriptor& service, std::string_view action,
                              const boost::json::object& result, std::string_view request_id);

std::string EncodeQueryError(const api::ServiceDescriptor& service, const api::ErrorDef& error,
                             std::string_view message, std::string_view request_id);

// The same documents as JSON, for a Query request that asks for JSON with
// its Accept header (AWS answers such requests so):
//   {"<Action>Response": {"<Action>Result": {...}, "ResponseMetadata": {"RequestId": ...}}}
//   {"Error": {"Type": ..., "Code": <query code>, "Message": ...}, "RequestId": ...}
// The result keeps the JSON shape of the service model.
boost::json::object QueryResultAsJson(std::string_view action, const boost::json::object& result,
                                      std::string_view request_id);
std::string EncodeQueryErrorAsJson(const api::ErrorDef& error, std::string_view message,
                                   std::string_view request_id);

}  // namespace ferry::protocol
