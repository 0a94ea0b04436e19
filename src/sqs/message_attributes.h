// SQS's side of the message model (src/message): its rules, its parameter
// names (MessageAttributes, MessageSystemAttributes) and the AWS errors it
// answers for a refused attribute.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "api/params.h"
#include "common/status.h"
#include "message/attributes.h"

namespace ferry::sqs {

using message::AttributeView;
using message::MessageAttribute;

// SQS: at most 10 attributes; "String.Array" is only a custom label.
inline constexpr message::AttributeRules kAttributeRules{};

// Reads and validates params["MessageAttributes"]; returns them sorted by
// name. `action` names the operation in AWS's messages ("SendMessage").
// Errors: InvalidParameterValue; UnsupportedOperation for list values.
Result<std::vector<MessageAttribute>> ParseMessageAttributes(const api::Params& params,
                                                             std::string_view action);
// Reads and validates params["MessageSystemAttributes"] (AWSTraceHeader only).
Result<std::vector<MessageAttribute>> ParseMessageSystemAttributes(const api::Params& params,
                                                                   std::string_view action);

}  // namespace ferry::sqs
