// UTF-8 decoding checks used to validate message bodies and attribute values,
// and the code point decoder the response writers use to keep every answer
// well-formed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry {

// True when `s` is well-formed UTF-8 and every code point is one SQS allows:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool IsValidSqsText(std::string_view s);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view s);

// U+FFFD REPLACEMENT CHARACTER, in UTF-8: what the writers put in place of a
// byte that is not part of a well-formed sequence, or of a character the
// output format cannot carry.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// Decodes the code point that starts at s[*i] and advances *i past it.
// On a malformed sequence (truncated, overlong, surrogate, > U+10FFFF, stray
// continuation byte) returns -1 and advances by one byte, so that a caller
// replacing each failure resynchronises on the next lead byte.
int32_t DecodeUtf8(std::string_view s, size_t* i);

// True for the code points SQS allows in text, which are exactly XML 1.0's
// Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
// [#x10000-#x10FFFF].
constexpr bool IsXmlChar(int32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Character classes of the names SQS lets a client choose (message attribute
// names, tag keys and values), by Unicode general category: a letter or digit
// of any script (L*, Nd and the like, as glibc's C.UTF-8 locale classifies
// them; combining marks are not letters), and a space separator (Zs, Zl, Zp).
bool IsLetterOrDigit(int32_t cp);
bool IsSpaceSeparator(int32_t cp);

}  // namespace ferry
