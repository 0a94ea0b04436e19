// Escaping for text put into structured output: JSON strings (the /ready
// answer, JSON log lines) and logfmt values (key=value log lines). Both
// outputs stay valid UTF-8 and one line whatever the input holds: a byte
// that is not part of well-formed UTF-8 becomes U+FFFD, and every control
// character is escaped.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ferry {

// Appends `s` as a JSON string, quotes included (RFC 8259): `"` and `\`
// escaped, \n \r \t \b \f in short form, other control characters
// (U+0000-U+001F, U+007F) as \u00XX.
void AppendJsonString(std::string& out, std::string_view s);

// Appends `s` as a logfmt value: bare when it is non-empty and has no
// space, '=', '"', '\' or control character; else quoted, with `"` and `\`
// escaped, \n \r \t in short form and other control characters as \u00XX
// (the form logfmt parsers, which unquote Go-style, read back).
void AppendLogfmtValue(std::string& out, std::string_view s);

}  // namespace ferry
