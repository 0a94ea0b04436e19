#include "common/utf8.h"

#include <cstdint>

namespace ferry {
namespace {

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
  for (size_t i = 0; i < s.size();) {
    if (Decode(s, i) < 0) return false;
  }
  return true;
}

bool IsValidSqsText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int32_t cp = Decode(s, i);
    if (cp < 0) return false;
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
              (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

}  // namespace ferry
