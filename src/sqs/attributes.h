// Queue attributes: the CreateQueue / SetQueueAttributes map validated into
// engine::QueueSettings, and the GetQueueAttributes map rendered from a queue.
// Attributes with meaning to the engine become QueueSettings fields; the rest
// (Policy, RedrivePolicy, KMS settings, ...) are kept verbatim in `extra`
// under their attribute names.
//
// Also the one place that decides a queue's kind (CheckQueueKind): FIFO when
// FifoQueue=true, which needs a ".fifo" name; the FIFO attributes
// (ContentBasedDeduplication, DeduplicationScope, FifoThroughputLimit) exist
// on FIFO queues only.
//
// Thread-safety: pure functions; RenderQueueAttributes reads the queue through
// its thread-safe interface.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"

namespace ferry::sqs {

using AttributeMap = std::map<std::string, std::string>;

// A RedriveAllowPolicy names at most this many source queues.
inline constexpr size_t kMaxRedriveSourceArns = 10;

// CreateQueue: true for a FIFO queue (FifoQueue=true), false for a standard
// one. Errors: InvalidParameterValue (FifoQueue=true without a ".fifo" name),
// InvalidAttributeValue (FifoQueue neither true nor false),
// InvalidAttributeName (FIFO-only attributes for a standard queue).
Result<bool> CheckQueueKind(std::string_view queue_name, const AttributeMap& attributes);
// SetQueueAttributes: InvalidAttributeName for FifoQueue (fixed at creation)
// and for FIFO-only attributes of a standard queue.
Status CheckSettableKind(const engine::Queue& queue, const AttributeMap& attributes);

// The settings of a queue created without attributes.
engine::QueueSettings DefaultQueueSettings();

// Applies `attributes` onto `settings` (whose `fifo` says the queue's kind);
// on error `settings` is unspecified. RedrivePolicy becomes
// settings->dead_letter_queue / max_receive_count (an empty value removes
// it); whether its target may be used is for the caller to check
// (CheckRedriveTarget in handlers.h).
// Errors: InvalidAttributeName (unknown or read-only name),
// InvalidAttributeValue ("Invalid value for the parameter X."),
// InvalidParameterValue (a RedrivePolicy or RedriveAllowPolicy that is JSON
// but breaks AWS's rules, with AWS's reason).
Status ApplyQueueAttributes(const AttributeMap& attributes, engine::QueueSettings* settings);

// InvalidParameterValue "Value <value> for parameter RedrivePolicy is
// invalid. Reason: <reason>".
Status InvalidRedrivePolicy(std::string_view value, std::string_view reason);

// The first name in `requested` whose value differs between `existing` and
// `desired`, or nullopt when none does.
std::optional<std::string> FirstDifferingAttribute(const AttributeMap& requested,
                                                   const engine::QueueSettings& existing,
                                                   const engine::QueueSettings& desired);

// The GetQueueAttributes "Attributes" map for `names` ("All" means every
// attribute that applies). Errors: InvalidAttributeName.
Result<boost::json::object> RenderQueueAttributes(const std::vector<std::string>& names,
                                                  engine::Queue& queue, std::string_view arn);

}  // namespace ferry::sqs
