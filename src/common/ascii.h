// ASCII helpers for protocol tokens (media types, reserved name prefixes),
// where only the ASCII letters fold case. Pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace ferry {

// Whether `text` starts with `lower_prefix` (written in lower case),
// comparing ASCII letters in any case.
inline bool StartsWithIgnoringAsciiCase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

}  // namespace ferry
