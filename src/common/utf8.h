// UTF-8 decoding checks used to validate message bodies and attribute values.
#pragma once

#include <string_view>

namespace ferry {

// True when `s` is well-formed UTF-8 and every code point is one SQS allows:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool IsValidSqsText(std::string_view s);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

}  // namespace ferry
