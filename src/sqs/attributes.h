// Queue attributes: the CreateQueue / SetQueueAttributes map validated into
// engine::QueueSettings, and the GetQueueAttributes map rendered from a queue.
// Attributes with meaning to the engine become QueueSettings fields; the rest
// (Policy, RedrivePolicy, KMS settings, ...) are kept verbatim in `extra`
// under their attribute names.
//
// Also the one place that decides which kinds of queue Ferry serves: standard
// queues only, for now (CheckQueueKind).
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

// UnsupportedOperation when the queue name (".fifo") or the attributes
// (FifoQueue=true, FIFO-only attributes) ask for a FIFO queue.
Status CheckQueueKind(std::string_view queue_name, const AttributeMap& attributes);

// The settings of a queue created without attributes.
engine::QueueSettings DefaultQueueSettings();

// Applies `attributes` onto `settings`; on error `settings` is unspecified.
// RedrivePolicy becomes settings->dead_letter_queue / max_receive_count (an
// empty value removes it); whether its target may be used is for the caller
// to check (CheckRedriveTarget in handlers.h).
// Errors: InvalidAttributeName (unknown or read-only name),
// InvalidAttributeValue ("Invalid value for the parameter X."),
// InvalidParameterValue (a RedrivePolicy or RedriveAllowPolicy that is JSON
// but breaks AWS's rules, with AWS's reason).
Status ApplyQueueAttributes(const AttributeMap& attributes, engine::QueueSettings* settings);

// InvalidParameterValue "Value <value> for parameter RedrivePolicy is
// invalid. Reason: <reason>".
Status InvalidRedrivePolicy(std::string_view value, std::string_view reason);

// True for a FIFO queue's name (".fifo"); a dead-letter queue and the queues
// a move task connects must be of one kind.
inline bool IsFifoQueueName(std::string_view name) { return name.ends_with(".fifo"); }

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
