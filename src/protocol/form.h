// Decoding of application/x-www-form-urlencoded text (Query protocol bodies
// and URL query strings).
//
// Lenient the way AWS is: clients send characters that RFC 3986 wants
// percent-encoded ('"', '{', '}', '|', '\\', space, ...) and bytes outside
// ASCII as they are, so every byte other than '&', '=', '+' and '%' stands
// for itself, NUL included. Only a '%' that does not start a two-digit hex
// escape is an error. The whole view is read, never past it: it need not be
// NUL-terminated. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ferry::protocol {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// The most pairs a request may carry. Far above any real SQS request (a
// batch of ten messages with ten attributes each is ~500 pairs).
inline constexpr size_t kMaxFormPairs = 10000;

// Splits on '&' and at the first '=' of each piece, decodes %XX escapes and
// '+' as space, keeps every other byte. Empty pieces ("a=1&&b=2") are
// skipped; a piece without '=' is a key with an empty value. Fails
// (InvalidArgument) on a malformed escape or on more than `max_pairs` pairs.
Result<FormPairs> ParseForm(std::string_view text, size_t max_pairs = kMaxFormPairs);

}  // namespace ferry::protocol
