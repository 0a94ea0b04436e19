// JSON text of Boost.JSON values, byte for byte what boost::json::serialize
// writes (no whitespace; '"', '\\' and control characters escaped the same
// way; other bytes, UTF-8 included, copied as they are), written in one pass
// into one string. Strings are scanned eight bytes at a time for characters
// to escape, so a 1 KiB message body costs a few hundred instructions.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json.hpp>
#include <string>

namespace ferry::protocol {

// Appends the JSON text of `value` to `out`.
void AppendJson(const boost::json::value& value, std::string* out);
void AppendObject(const boost::json::object& object, std::string* out);
std::string SerializeJson(const boost::json::object& object);

}  // namespace ferry::protocol
