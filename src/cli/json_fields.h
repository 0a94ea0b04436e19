// Reading the fields of the services' answers leniently: a command prints
// what is there and a placeholder for what is not, rather than failing on
// an answer with a field missing or of another type.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::cli {

// A string field; "" when absent or not a string.
std::string Str(const boost::json::object& o, std::string_view key);

// A figure the services send as a number (admin API) or as a string
// (queue attributes); -1 when absent.
int64_t Int(const boost::json::object& o, std::string_view key);

// An array field; an empty array when absent or not an array.
const boost::json::array& ArrayOf(const boost::json::object& o, std::string_view key);

}  // namespace ferry::cli
