// JSON text of Boost.JSON values, byte for byte what boost::json::serialize
// writes for well-formed UTF-8 strings (no whitespace; '"', '\\' and control
// characters escaped the same way; other characters copied as they are),
// written in one pass into one string. Unlike Boost, the text is always valid
// UTF-8, as JSON requires: a byte that is not part of a well-formed UTF-8
// sequence (a stray 0xFF, a truncated or overlong sequence, an encoded
// surrogate) is written as U+FFFD. Stored values are valid UTF-8 already;
// such bytes reach the writer only in error messages that echo input.
// Strings are scanned sixteen bytes at a time for characters that need care,
// so a 1 KiB ASCII message body costs a few hundred instructions.
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
