// The FerryPushConsumer queue attribute: what binds a queue to an HTTP(S)
// endpoint that Ferry pushes the queue's messages to (consumers.h). A JSON
// object, validated here for the SQS attribute handlers and read again by
// the consumers from the queue's settings, where it is kept verbatim.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::push {

// The attribute's name (QueueSettings::extra keeps it under this name).
inline constexpr std::string_view kPushConsumerAttribute = "FerryPushConsumer";

struct PushConsumerConfig {
  std::string endpoint;                   // http:// or https:// URL
  int64_t batch_size = 10;                // 1..10000
  int64_t maximum_batching_window_s = 0;  // 0..300
  int64_t maximum_concurrency = 2;        // 1..1000
  int64_t timeout_s = 30;                 // 1..900
  std::string signing_secret;             // 16..256 characters

  bool operator==(const PushConsumerConfig&) const = default;
};

// Parses and validates the attribute's value. Errors: kInvalidArgument,
// whose message names the field ("batchSize must be an integer from 1 to
// 10000"); the SQS handlers make it an InvalidAttributeValue.
Result<PushConsumerConfig> ParsePushConsumer(std::string_view text);

}  // namespace ferry::push
