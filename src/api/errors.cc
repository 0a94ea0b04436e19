#include "api/errors.h"

#include <array>

namespace ferry::api {
namespace {

constexpr std::array kCatalog = {
    ErrorDef{ErrorId::kNone, "InternalError", "InternalFailure", "InternalError", 500, false},
#define FERRY_API_ERROR(id, code, json_type, query_code, http, sender) \
  ErrorDef{ErrorId::id, code, json_type, query_code, http, sender},
#include "api/errors.inc"
#undef FERRY_API_ERROR
};

}  // namespace

const ErrorDef& LookupError(ErrorId id) {
  auto i = static_cast<size_t>(id);
  return i < kCatalog.size() ? kCatalog[i] : kCatalog[0];
}

const ErrorDef& ErrorFor(const Status& status) {
  if (status.detail() > 0) return LookupError(static_cast<ErrorId>(status.detail()));
  switch (status.code()) {
    case Code::kInvalidArgument:
      return LookupError(ErrorId::kInvalidParameterValue);
    case Code::kUnavailable:
    case Code::kResourceExhausted:
      return LookupError(ErrorId::kServiceUnavailable);
    case Code::kUnimplemented:
      return LookupError(ErrorId::kNotImplemented);
    default:
      return LookupError(ErrorId::kInternalError);
  }
}

Status Error(ErrorId id, std::string message) {
  const ErrorDef& def = LookupError(id);
  Code code = def.http_status >= 500 ? Code::kUnavailable : Code::kInvalidArgument;
  if (def.http_status == 500) code = Code::kInternal;
  return Status(code, std::move(message), static_cast<int>(id));
}

Status MissingParameter(std::string_view name) {
  return Error(ErrorId::kMissingParameter,
               "The request must contain the parameter " + std::string(name) + ".");
}

Status InvalidAction(std::string_view action) {
  return Error(ErrorId::kInvalidAction,
               "The action " + std::string(action) + " is not valid for this endpoint.");
}

Status InvalidParameterValue(std::string_view name, std::string_view value,
                             std::string_view reason) {
  return Error(ErrorId::kInvalidParameterValue, "Value " + std::string(value) + " for parameter " +
                                                    std::string(name) +
                                                    " is invalid. Reason: " + std::string(reason));
}

Status InvalidParameterType(std::string_view name, std::string_view want) {
  return Error(ErrorId::kInvalidParameterValue, "Value for parameter " + std::string(name) +
                                                    " is invalid. Reason: must be " +
                                                    std::string(want) + ".");
}

}  // namespace ferry::api
