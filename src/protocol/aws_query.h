// The AWS Query protocol: form-encoded requests in, XML documents out.
//
// Requests are decoded into the JSON shape of the service model (see
// query_shapes.h), with every scalar kept as text; responses are written from
// that same shape. Stateless and thread-safe.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "api/errors.h"
#include "common/status.h"
#include "protocol/form.h"

namespace ferry::protocol {

// The XML namespace of a service's responses.
std::string_view XmlNamespace(std::string_view service);

// Decodes the request parameters other than Action, Version and signature
// fields. Fails (MalformedQueryString) on keys that contradict each other.
Result<boost::json::object> DecodeQueryParams(const FormPairs& pairs, std::string_view service,
                                              std::string_view action);

std::string EncodeQueryResult(std::string_view service, std::string_view action,
                              const boost::json::object& result, std::string_view request_id);

std::string EncodeQueryError(std::string_view service, const api::ErrorDef& error,
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
