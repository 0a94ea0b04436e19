// The AWS error catalog (errors.inc) as a table, and Status constructors that
// name a row of it. Handlers say which AWS error they mean; the protocol layer
// turns the row into the wire form of either protocol.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::api {

enum class ErrorId : int {
  kNone = 0,
#define FERRY_API_ERROR(id, code, json_type, query_code, http, sender) id,
#include "api/errors.inc"
#undef FERRY_API_ERROR
};

struct ErrorDef {
  ErrorId id;
  std::string_view code;
  std::string_view json_type;
  std::string_view query_code;
  int http_status;
  bool sender_fault;
};

// The catalog row for `id`; kNone yields InternalError.
const ErrorDef& LookupError(ErrorId id);

// The row a failed Status maps to: its detail if an API layer set one, else a
// row chosen by its generic code (kUnavailable → ServiceUnavailable, ...).
const ErrorDef& ErrorFor(const Status& status);

// A failed Status that names catalog row `id`.
Status Error(ErrorId id, std::string message);

// AWS's texts for the errors every service answers, written once.
// MissingParameter: "The request must contain the parameter <name>."
Status MissingParameter(std::string_view name);
// InvalidAction: "The action <action> is not valid for this endpoint."
Status InvalidAction(std::string_view action);
// InvalidParameterValue:
//   "Value <value> for parameter <name> is invalid. Reason: <reason>"
Status InvalidParameterValue(std::string_view name, std::string_view value,
                             std::string_view reason);
// InvalidParameterValue for a value of the wrong JSON type:
//   "Value for parameter <name> is invalid. Reason: must be <want>."
Status InvalidParameterType(std::string_view name, std::string_view want);

}  // namespace ferry::api
