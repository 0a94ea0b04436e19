// Receipt handles: the opaque strings that name one receive of one message.
//
// A handle carries the queue incarnation (a random 64-bit id drawn when the
// queue is created, so a handle from a deleted queue or another queue is
// foreign), the message sequence and the receive generation (the message's
// receive count at that receive, so older handles of a re-received message
// are recognisably stale). Encoded as 21 bytes in unpadded base64url: 28
// characters, safe in URLs and form bodies without escaping.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::engine {

struct ReceiptHandle {
  uint64_t incarnation = 0;
  uint64_t seq = 0;
  uint32_t generation = 0;

  bool operator==(const ReceiptHandle&) const = default;
};

std::string EncodeReceiptHandle(const ReceiptHandle& handle);
// Returns nullopt for anything EncodeReceiptHandle cannot have produced.
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

}  // namespace ferry::engine
