#include "message/body.h"

#include "common/utf8.h"

namespace ferry::message {

Status CheckBodyCharacters(std::string_view body) {
  if (IsValidSqsText(body)) return Status::Ok();
  return Status::InvalidArgument(
      "Invalid characters found. Valid characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 "
      "to #xFFFD | #x10000 to #x10FFFF");
}

size_t MessageSize(std::string_view body, std::span<const MessageAttribute> attributes) {
  return body.size() + AttributesSize(attributes);
}

namespace {

size_t StringSize(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? it->value().get_string().size() : 0;
}

}  // namespace

size_t UnreadMessageSize(const boost::json::object& fields, std::string_view body_key) {
  size_t n = StringSize(fields, body_key);
  auto attrs = fields.find("MessageAttributes");
  if (attrs == fields.end() || !attrs->value().is_object()) return n;
  for (const auto& kv : attrs->value().get_object()) {
    n += kv.key().size();
    if (!kv.value().is_object()) continue;
    const boost::json::object& v = kv.value().get_object();
    n += StringSize(v, "DataType") + StringSize(v, "StringValue") +
         StringSize(v, "BinaryValue") / 4 * 3;
  }
  return n;
}

}  // namespace ferry::message
