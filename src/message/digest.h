// The MD5 digests SQS returns and the SDKs check: MD5OfMessageBody (MD5OfBody
// on receive), MD5OfMessageAttributes and MD5OfMessageSystemAttributes, in
// the byte layouts AWS documents. An SDK that verifies them (JavaScript,
// Java, Go) refuses a message whose digest differs by one bit.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "message/attributes.h"

namespace ferry::message {

// MD5 (hex) of attributes as AWS computes MD5OfMessageAttributes and
// MD5OfMessageSystemAttributes: for each attribute in byte order of its
// name, the 4-byte big-endian length and bytes of the name, then of the data
// type, then one transport byte (1 string, 2 binary), then the length and
// bytes of the value. `sorted` must be sorted by name.
std::string AttributesMd5Hex(std::span<const AttributeView> sorted);
std::string AttributesMd5Hex(std::span<const MessageAttribute> sorted);

// The digests of a message as it is sent.
struct SendDigests {
  Md5Digest body{};                   // stored in the payload
  std::string body_hex;               // MD5OfMessageBody
  std::string attributes_hex;         // MD5OfMessageAttributes; empty without attributes
  std::string system_attributes_hex;  // MD5OfMessageSystemAttributes; empty without any
};
// `attributes` and `system_attributes` sorted by name.
SendDigests DigestSend(std::string_view body, std::span<const MessageAttribute> attributes,
                       std::span<const MessageAttribute> system_attributes);

// MD5OfBody of a received message, from the 16 raw bytes its payload stores.
std::string BodyMd5Hex(std::string_view stored_md5);

}  // namespace ferry::message
