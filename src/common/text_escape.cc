#include "common/text_escape.h"

#include <cstdint>

#include "common/utf8.h"

namespace ferry {
namespace {

void AppendHexEscape(std::string& out, int32_t cp) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u00";
  out += kHex[(cp >> 4) & 0xF];
  out += kHex[cp & 0xF];
}

bool IsControl(int32_t cp) { return cp < 0x20 || cp == 0x7F; }

// Appends the body of a quoted string: the escapes JSON and logfmt share
// (quote, backslash, \n \r \t, \u00XX), plus \b and \f when `json`;
// malformed UTF-8 becomes U+FFFD.
void AppendQuotedBody(std::string& out, std::string_view s, bool json) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    const int32_t cp = DecodeUtf8(s, &i);
    if (cp < 0) {
      out += kReplacementCharacter;
      continue;
    }
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b':
        if (json) {
          out += "\\b";
          continue;
        }
        break;
      case '\f':
        if (json) {
          out += "\\f";
          continue;
        }
        break;
      default: break;
    }
    if (IsControl(cp)) {
      AppendHexEscape(out, cp);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
}

bool NeedsLogfmtQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    // Bytes >= 0x80 are left to the quoted form so that malformed UTF-8 is
    // replaced; well-formed text outside ASCII is rare in these fields.
    if (b <= 0x20 || b >= 0x7F || c == '=' || c == '"' || c == '\\') return true;
  }
  return false;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  AppendQuotedBody(out, s, /*json=*/true);
  out += '"';
}

void AppendLogfmtValue(std::string& out, std::string_view s) {
  if (!NeedsLogfmtQuotes(s)) {
    out.append(s);
    return;
  }
  out += '"';
  AppendQuotedBody(out, s, /*json=*/false);
  out += '"';
}

}  // namespace ferry
