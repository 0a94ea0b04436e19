// The queue attribute FerryRedeliveryBackoff ↔ engine::RedeliveryBackoff
// (docs/extensions/backoff.md): a JSON document
//   {"function": "exponential" | "linear", "baseSeconds": B,
//    "maxSeconds": M, "jitter": "none" | "full" | "equal"}
// with B an integer 1..43200, M an integer B..43200 (43200 when absent) and
// jitter "none" when absent. The empty string means no backoff.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/backoff.h"

namespace ferry::sqs {

inline constexpr std::string_view kRedeliveryBackoff = "FerryRedeliveryBackoff";

// The backoff a value sets; "" disables it. Errors: InvalidAttributeValue,
// "Invalid value for the parameter FerryRedeliveryBackoff. Reason: <the
// field and its rule>."
Result<engine::RedeliveryBackoff> ParseRedeliveryBackoff(std::string_view value);

// The canonical JSON of an enabled backoff (every field, in the order
// above); "" when not enabled.
std::string RenderRedeliveryBackoff(const engine::RedeliveryBackoff& b);

}  // namespace ferry::sqs
