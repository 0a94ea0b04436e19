// Scheduled delivery beyond SQS's 15 minutes (docs/extensions/schedule.md).
//
// A standard queue opts in with the queue attribute FerryScheduledDelivery
// "true" (kept in QueueSettings::extra; FIFO queues cannot). A message sent
// to it may then be delayed up to the queue's MessageRetentionPeriod, set
// from an unmodified SDK by any one of:
//   - the DelaySeconds parameter, beyond 900;
//   - the message attribute Ferry.DelaySeconds (Number: whole seconds);
//   - the message attribute Ferry.DeliverAt (String: an RFC 3339 time such
//     as 2026-12-08T09:30:00Z; or Number: Unix epoch seconds). A time
//     already past means now; one beyond the retention period is refused.
// The attributes stay on the stored message like any other (the consumer
// sees them, and MD5OfMessageAttributes covers them as sent).
//
// Thread-safety: pure functions; the queue is read through its thread-safe
// interface.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "engine/engine.h"
#include "message/attributes.h"

namespace ferry::sqs {

inline constexpr std::string_view kScheduledDelivery = "FerryScheduledDelivery";
inline constexpr std::string_view kDelayAttribute = "Ferry.DelaySeconds";
inline constexpr std::string_view kDeliverAtAttribute = "Ferry.DeliverAt";
// SQS's longest per-message delay.
inline constexpr int64_t kMaxSqsDelaySeconds = 900;

// Whether the queue has opted in to scheduled delivery.
bool ScheduledDelivery(const engine::QueueSettings& settings);

// Validates a FerryScheduledDelivery value for a queue of the given kind and
// applies it to `settings` ("false", the default, removes the entry).
// Errors: InvalidAttributeValue for a value other than "true"/"false", and
// for "true" on a FIFO queue.
Status ApplyScheduledDelivery(std::string_view value, engine::QueueSettings* settings);

// When one message of a send becomes visible.
struct Schedule {
  int64_t delay_s = -1;      // -1: the queue's delay
  TimeMs deliver_at_ms = 0;  // non-zero: at this time instead
};

// The schedule of one message: `delay_s` is its DelaySeconds parameter,
// `attributes` its message attributes. `queue` is read only when the
// message asks for more than SQS allows (a delay beyond 900 s or a Ferry.*
// scheduling attribute), so an ordinary send costs nothing more.
// Errors: InvalidParameterValue (SQS's own for DelaySeconds out of range on
// a queue that has not opted in; Ferry's for the rest, saying why).
Result<Schedule> ResolveSchedule(const std::optional<int64_t>& delay_s,
                                 const std::vector<message::MessageAttribute>& attributes,
                                 const engine::Queue& queue, TimeMs now);

// An RFC 3339 date-time ("2026-12-08T09:30:00Z", "...T09:30:00.250+01:00")
// as ms since the epoch; nullopt when it is not one.
std::optional<TimeMs> ParseRfc3339(std::string_view text);

}  // namespace ferry::sqs
