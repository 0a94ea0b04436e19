#include "common/utf8.h"

#include <locale.h>
#include <wctype.h>

#include <cstdint>
#include <cstring>

namespace ferry {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// The length of the prefix of `s`, in whole 8-byte words, whose bytes are all
// printable ASCII (0x20-0x7F): code points every check here accepts. Message
// bodies are mostly such text, and a word is checked in a handful of
// instructions where decoding takes a dozen per byte. A byte b is flagged
// when b >= 0x80 or b < 0x20; the "has a byte less than n" test
// (x - n*kOnes) & ~x & kHighBits is exact for n <= 0x80.
size_t PrintableAsciiPrefix(std::string_view s) {
  size_t i = 0;
  for (; i + 16 <= s.size(); i += 16) {
    uint64_t a, b;
    std::memcpy(&a, s.data() + i, 8);
    std::memcpy(&b, s.data() + i + 8, 8);
    uint64_t bad = ((a | b) & kHighBits) | ((a - 0x20 * kOnes) & ~a & kHighBits) |
                   ((b - 0x20 * kOnes) & ~b & kHighBits);
    if (bad != 0) break;
  }
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t a;
    std::memcpy(&a, s.data() + i, 8);
    if (((a & kHighBits) | ((a - 0x20 * kOnes) & ~a & kHighBits)) != 0) break;
  }
  return i;
}

// Decodes one code point at s[i]; returns -1 when malformed.
int32_t Decode(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int len;
  int32_t cp;
  if ((b & 0xE0) == 0xC0) {
    len = 2, cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, cp = b & 0x07;
  } else {
    return -1;
  }
  if (i + len > s.size()) return -1;
  for (int k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += len;
  return cp;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = PrintableAsciiPrefix(s); i < s.size();) {
    if (Decode(s, i) < 0) return false;
  }
  return true;
}

bool IsValidSqsText(std::string_view s) {
  // The prefix ends on a code point boundary: it holds only ASCII.
  for (size_t i = PrintableAsciiPrefix(s); i < s.size();) {
    if (!IsXmlChar(Decode(s, i))) return false;
  }
  return true;
}

bool IsLetterOrDigit(int32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  }
  // glibc builds C.UTF-8 in (2.35 and later): its classes are Unicode's,
  // whatever locale the process runs in. Without it only ASCII counts.
  static const locale_t kUnicode = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  return kUnicode != locale_t{} && iswalnum_l(static_cast<wint_t>(cp), kUnicode) != 0;
}

bool IsSpaceSeparator(int32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int32_t DecodeUtf8(std::string_view s, size_t* i) {
  const int32_t cp = Decode(s, *i);
  if (cp < 0) ++*i;
  return cp;
}

}  // namespace ferry
