// Value types exchanged with the engine. None of them knows about HTTP or AWS
// wire names: the SQS layer translates queue attributes and message
// attributes into these and back.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "engine/backoff.h"

namespace ferry::engine {

// Which messages of a FIFO queue count as duplicates of each other: those
// with the same deduplication id in the whole queue, or only within one
// message group.
enum class DedupScope : uint8_t { kQueue, kMessageGroup };

// Queue settings with meaning to the engine. Everything else the API layer
// wants kept with a queue (policies, KMS settings, ...) lives in `extra`,
// stored and returned verbatim.
struct QueueSettings {
  int64_t visibility_timeout_s = 30;
  int64_t delay_s = 0;
  int64_t max_message_size = 1048576;
  int64_t retention_s = 345600;
  int64_t receive_wait_s = 0;
  // Dead-letter queue (the RedrivePolicy): a message already received
  // max_receive_count times is moved to the queue named dead_letter_queue by
  // its next receive instead of being returned. Empty name: no DLQ.
  std::string dead_letter_queue;
  int64_t max_receive_count = 0;
  // FIFO queues: strict order per message group, one group's messages in
  // flight at a time, deduplication. Fixed when the queue is created.
  bool fifo = false;
  // FIFO only. The API layer derives deduplication ids from bodies when the
  // first is set; the second is accepted and kept (no throttling to lift).
  bool content_based_dedup = false;
  DedupScope dedup_scope = DedupScope::kQueue;
  bool throughput_per_group = false;
  // Receives of a message that came back unacknowledged hide it for longer
  // each time (backoff.h); not enabled by default.
  RedeliveryBackoff redelivery_backoff;
  std::map<std::string, std::string> extra;

  bool operator==(const QueueSettings&) const = default;
};

struct SendRequest {
  // The stored message: body plus encoded attributes, opaque to the engine.
  std::string payload;
  // Seconds before the message becomes visible; -1 takes the queue's delay.
  // Any length up to the queue's retention period: the 900 s limit is SQS's,
  // checked by the SQS layer (scheduled delivery lifts it).
  int64_t delay_s = -1;
  // Scheduled delivery at an absolute time (ms since the epoch, by the
  // engine's clock): when non-zero it replaces delay_s; a time already past
  // makes the message visible at once.
  TimeMs deliver_at_ms = 0;
  std::string group_id;  // optional on standard queues; required on FIFO queues
  // FIFO queues: required; a send whose id (within the dedup scope) was sent
  // in the last 5 minutes is a duplicate, stored no second time.
  std::string dedup_id;
};

// A message another service holds and stores in several queues (the copies
// of an SNS publish): the views are read during the call and never kept.
// The queue's own delay applies.
struct CopyRequest {
  std::string_view payload{};
  std::string_view group_id{};  // as SendRequest::group_id
  std::string_view dedup_id{};  // as SendRequest::dedup_id (FIFO queues)
};

struct SendResult {
  std::string message_id;
  uint64_t sequence = 0;  // increasing per queue
  // A FIFO duplicate: message_id and sequence are those of the original.
  bool duplicate = false;
};

struct ReceiveRequest {
  int max_messages = 1;             // 1..10
  int64_t visibility_timeout_s = -1;  // -1 takes the queue's timeout
  // FIFO queues: a retry with the same id within 5 minutes returns the same
  // messages and receipt handles while they are still in flight from it.
  std::string attempt_id;
};

struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string payload;
  std::string group_id;
  uint64_t sequence = 0;
  TimeMs sent_ms = 0;
  TimeMs first_receive_ms = 0;
  int32_t receive_count = 0;
  // The queue a dead-lettered message was moved from; empty otherwise.
  std::string dead_letter_source;
};

// Peek: messages looked at without being received. Nothing changes: no
// visibility, receive count or receipt handle, and nothing is logged.
struct PeekRequest {
  int max_messages = 10;  // 1..kMaxPeekMessages
  // Paging: only messages with a greater sequence (0: from the oldest).
  uint64_t start_after_sequence = 0;
  bool include_visible = true;
  bool include_in_flight = true;
  bool include_delayed = true;
};
inline constexpr int kMaxPeekMessages = 100;

enum class PeekedState : uint8_t { kVisible, kInFlight, kDelayed };

struct PeekedMessage {
  std::string message_id;
  uint64_t sequence = 0;
  std::string payload;
  std::string group_id;
  TimeMs sent_ms = 0;
  TimeMs first_receive_ms = 0;  // 0: never received
  int32_t receive_count = 0;
  // In flight or delayed: when it becomes visible; visible: when it became
  // so (its send time, or the end of its last delay or flight).
  TimeMs visible_at_ms = 0;
  PeekedState state = PeekedState::kVisible;
  // The queue a dead-lettered message was moved from; empty otherwise.
  std::string dead_letter_source;
};

struct PeekResult {
  std::vector<PeekedMessage> messages;  // oldest (lowest sequence) first
  // Where the next page starts (its start_after_sequence): set when there
  // may be more after this page, 0 when the queue has nothing after it.
  // A page may be empty with a next sequence set: a queue scans a bounded
  // number of sequences per call (kMaxPeekScan), so that a long run of
  // deleted messages costs several calls, not one long lock hold.
  uint64_t next_sequence = 0;
};
// The most sequences one Peek examines.
inline constexpr uint64_t kMaxPeekScan = 65536;

// A message id in its canonical 36-character UUID form.
std::string FormatMessageId(const std::array<uint8_t, 16>& id);
// The raw bytes of a message id in that form (either letter case), or
// nullopt when it is not one.
std::optional<std::array<uint8_t, 16>> ParseMessageId(std::string_view id);

// What Queue::Cancel did.
enum class CancelOutcome : uint8_t {
  kCancelled,       // it was delayed; it is gone for good
  kAlreadyVisible,  // visible or in flight: nothing changed
  kNotFound,        // no stored message has that id
};

// One event of a message's journey on a queue that keeps journeys
// (Queue::Journey, engine/journey.h).
struct JourneyEntry {
  TimeMs at_ms = 0;
  std::string event;  // Sent, Received, ... (JourneyKindName)
  uint32_t receive_count = 0;
  TimeMs visible_until_ms = 0;  // 0: none
  std::string detail;
};

// A message on its way out of a queue (to a dead-letter queue, or moved by a
// move task): taken out of circulation by the source (in flight, no receipt
// handle issued) until the destination has stored it and the source drops it
// with DropMoved(sequence, generation). See dead_letter.h.
struct MovingMessage {
  uint64_t sequence = 0;
  uint32_t generation = 0;  // the receive count when taken
  std::array<uint8_t, 16> message_id{};
  TimeMs sent_ms = 0;
  TimeMs first_receive_ms = 0;
  std::string group_id;
  std::string payload;
  std::string dead_letter_source;  // where it was dead-lettered from, if it was
};

// A dead-lettered message as its dead-letter queue stores it: same id, body,
// attributes and send time; its receive count and first receive carry on
// (AWS counts receives "across all queues"), so the DLQ's first receive of a
// message dead-lettered after maxReceiveCount receives reports one more.
struct MovedMessage {
  std::array<uint8_t, 16> message_id{};
  TimeMs sent_ms = 0;
  uint32_t receive_count = 0;
  TimeMs first_receive_ms = 0;
  std::string group_id;
  std::string payload;
  std::string source_queue;  // the queue it was dead-lettered from
};

// What segment compaction has done (durable engines).
struct CompactionStats {
  uint64_t segments_examined = 0;
  uint64_t segments_compacted = 0;
  uint64_t bodies_relocated = 0;
  // The longest time compaction held one queue's mutex: the worst pause it
  // added to a request.
  std::chrono::nanoseconds worst_pause{0};
};

struct QueueStats {
  int64_t visible = 0;    // ApproximateNumberOfMessages
  int64_t in_flight = 0;  // ApproximateNumberOfMessagesNotVisible
  int64_t delayed = 0;    // ApproximateNumberOfMessagesDelayed
  TimeMs oldest_sent_ms = 0;  // 0 when empty
  // Counters since the engine started (not kept across restarts): what
  // CloudWatch's SQS metrics and the admin API report per queue.
  uint64_t sent = 0;                 // messages stored by Send / SendCopy / moves in
  uint64_t sent_bytes = 0;           // their payload bytes
  uint64_t received = 0;             // messages returned by Receive
  uint64_t empty_receives = 0;       // Receive calls that returned nothing
  uint64_t deleted = 0;              // messages deleted by Delete
  uint64_t moved_to_dead_letter = 0; // messages this queue moved to its DLQ
};

enum class MoveTaskStatus : uint8_t {
  kRunning = 1,
  kCompleted = 2,
  kCancelling = 3,
  kCancelled = 4,
  kFailed = 5,
};

// A message move task (StartMessageMoveTask): moves the visible messages of a
// queue, oldest first, to a destination queue or each back to the queue it
// was dead-lettered from, at most max_per_second a second.
struct MoveTaskInfo {
  std::string task_id;
  std::string source_queue;
  std::string destination_queue;  // empty: each message back to its source
  int64_t max_per_second = 0;     // 0: not given (the engine's default rate)
  TimeMs started_ms = 0;
  int64_t to_move = 0;  // visible messages when the task started
  int64_t moved = 0;
  MoveTaskStatus status = MoveTaskStatus::kRunning;
  std::string failure_reason;  // set when status is kFailed
};

}  // namespace ferry::engine
