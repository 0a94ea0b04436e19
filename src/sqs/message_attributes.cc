#include "sqs/message_attributes.h"

#include "api/errors.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;

Status Invalid(std::string message) {
  return api::Error(ErrorId::kInvalidParameterValue, std::move(message));
}

// The AWS error of a refusal from the message model; an error of Params
// already names its own.
Status SqsError(const Status& s) {
  if (s.detail() != 0) return s;
  if (s.code() == Code::kUnimplemented) {
    return api::Error(ErrorId::kUnsupportedOperation, s.message());
  }
  return Invalid(s.message());
}

}  // namespace

Result<std::vector<MessageAttribute>> ParseMessageAttributes(const api::Params& params,
                                                             std::string_view action) {
  auto out = message::ReadAttributes(params, "MessageAttributes", kAttributeRules, action);
  if (!out.ok()) return SqsError(out.status());
  return out;
}

Result<std::vector<MessageAttribute>> ParseMessageSystemAttributes(const api::Params& params,
                                                                   std::string_view action) {
  auto map = params.ObjectMap("MessageSystemAttributes");
  if (!map.ok()) return map.status();
  std::vector<MessageAttribute> out;
  for (auto& [name, obj] : *map) {
    if (name != "AWSTraceHeader") {
      return Invalid("Message system attribute name " + message::Quoted(name) +
                     " is invalid. The only supported name is 'AWSTraceHeader'.");
    }
    Result<MessageAttribute> a =
        message::ReadAttributeValue(params.Nested(*obj), name, kAttributeRules, action);
    if (!a.ok()) return SqsError(a.status());
    if (a->data_type != "String") {
      return Invalid("The message system attribute " + message::Quoted(name) +
                     " must have the data type 'String'.");
    }
    a->name = std::move(name);
    out.push_back(std::move(a).value());
  }
  message::SortByName(&out);
  return out;
}

}  // namespace ferry::sqs
