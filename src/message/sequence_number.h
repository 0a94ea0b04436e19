// The SequenceNumber of a FIFO message, as SQS (SendMessage, ReceiveMessage)
// and SNS (Publish to a FIFO topic) answer it: 20 decimal digits like AWS's,
// increasing with the engine's per-queue sequence.
#pragma once

#include <cstdint>
#include <string>

namespace ferry::message {

inline std::string FormatSequenceNumber(uint64_t sequence) {
  // 10^19 plus the sequence: 20 digits for every sequence below 8.4 * 10^18.
  constexpr uint64_t kBase = 10'000'000'000'000'000'000ull;
  return std::to_string(kBase + sequence);
}

}  // namespace ferry::message
