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

// UnsupportedOperation when the queue name (".fifo") or the attributes
// (FifoQueue=true, FIFO-only attributes) ask for a FIFO queue.
Status CheckQueueKind(std::string_view queue_name, const AttributeMap& attributes);

// The settings of a queue created without attributes.
engine::QueueSettings DefaultQueueSettings();

// Applies `attributes` onto `settings`; on error `settings` is unspecified.
// Errors: InvalidAttributeName (unknown or read-only name),
// InvalidAttributeValue ("Invalid value for the parameter X.").
Status ApplyQueueAttributes(const AttributeMap& attributes, engine::QueueSettings* settings);

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
