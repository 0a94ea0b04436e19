// Decoding of application/x-www-form-urlencoded text (Query protocol bodies
// and URL query strings), over Boost.URL.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ferry::protocol {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

// Splits on '&', decodes %XX escapes and '+' as space. Fails on malformed
// escapes or on more than `max_pairs` pairs.
Result<FormPairs> ParseForm(std::string_view text, size_t max_pairs = 10000);

}  // namespace ferry::protocol
