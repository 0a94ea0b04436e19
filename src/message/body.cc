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

}  // namespace ferry::message
