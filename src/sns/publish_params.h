// The parameters of one published message (a Publish request, or one entry
// of a PublishBatch), read and validated as SNS does, with its texts:
// Message, Subject, MessageStructure, MessageAttributes, the 256 KiB limit
// and the FIFO ids. Which topic is published to is the action's business
// (publish.cc); these rules need only the topic's kind.
//
// Refusals carry SNS's error rows: InvalidParameter for the message, its
// subject, structure, size and FIFO ids; ParameterValueInvalid for the
// message attributes; ValidationError for a missing Message.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/params.h"
#include "common/status.h"
#include "message/attributes.h"
#include "sns/model.h"

namespace ferry::sns {

// SNS's limit on a message: its body plus its attributes' names, types and
// values (262,144 bytes).
inline constexpr size_t kMaxPublishBytes = 256 * 1024;

// A validated message to publish.
struct PublishMessage {
  // The Message parameter as given (with MessageStructure=json, the JSON text).
  std::string message;
  std::optional<std::string> subject;
  // MessageStructure=json: the copy each protocol gets: its own key's string
  // ("sqs", "http", "https") when there is one, else "default".
  bool structured = false;
  std::string default_copy;
  std::array<std::optional<std::string>, 3> protocol_copies;  // by Protocol
  // Sorted by name. String.Array values are the JSON text as sent.
  std::vector<message::MessageAttribute> attributes;
  // MessageGroupId (FIFO topics; optional on standard ones, forwarded to
  // standard queues); empty when absent.
  std::string group_id;
  // FIFO topics: MessageDeduplicationId, or the SHA-256 (hex) of the message
  // with ContentBasedDeduplication. Empty on standard topics.
  std::string dedup_id;

  // The body a subscription of protocol `p` gets.
  std::string_view Body(Protocol p) const {
    if (!structured) return message;
    const auto& copy = protocol_copies[static_cast<size_t>(p)];
    return copy ? std::string_view(*copy) : std::string_view(default_copy);
  }
};

// What a topic asks of the messages published to it.
struct PublishRules {
  bool fifo = false;
  bool content_based_dedup = false;
};

// Reads the message fields of `params` (a Publish request or a PublishBatch
// entry).
Result<PublishMessage> ReadPublishMessage(const api::Params& params, const PublishRules& rules);

// The FIFO ids a message to a FIFO topic must carry (InvalidParameter when
// one is missing); ok on standard topics. PublishBatch checks every entry
// with it before publishing any, as a missing id fails the whole request.
Status CheckFifoIdsPresent(const PublishRules& rules, bool has_group, bool has_dedup);

// Reads and validates the MessageAttributes map of `params`, sorted by name.
Result<std::vector<message::MessageAttribute>> ReadSnsAttributes(const api::Params& params);

}  // namespace ferry::sns
