// PgQueue, part 3: looking at messages (Peek), cancelling a scheduled one
// (Cancel) and dead-lettering one on request (DeadLetter).
#include <algorithm>

#include "engine/postgres/pg_journey.h"
#include "engine/postgres/postgres_queue.h"
#include "engine/receipt_handle.h"

namespace ferry::engine::pg {
namespace {

// $1 queue, $2 after this sequence, $3 retention cutoff, $4 now, $5..$7
// which states, $8 limit.
constexpr const char* kPeek =
    "SELECT seq, message_id, payload, group_id, sent_ms, first_receive_ms, receive_count, "
    "dead_letter_source, visible_at_ms, in_flight FROM ferry_messages "
    "WHERE queue_id = $1 AND seq > $2 AND sent_ms > $3 AND ("
    "(visible_at_ms <= $4 AND $5) OR (visible_at_ms > $4 AND in_flight AND $6) OR "
    "(visible_at_ms > $4 AND NOT in_flight AND $7)) ORDER BY seq LIMIT $8";

constexpr const char* kFindById =
    "SELECT seq FROM ferry_messages WHERE queue_id = $1 AND message_id = $2 ORDER BY seq LIMIT 1";
// Only while it is still delayed: one whose time came is AlreadyVisible.
constexpr const char* kCancel =
    "DELETE FROM ferry_messages WHERE queue_id = $1 AND seq = $2 AND visible_at_ms > $3 AND "
    "NOT in_flight";

// The same for a queue that keeps journeys, with the Cancelled event.
constexpr const char* kJourneyCancel =
    "WITH d AS (DELETE FROM ferry_messages WHERE queue_id = $1 AND seq = $2 AND "
    "visible_at_ms > $3 AND NOT in_flight RETURNING message_id, receive_count) "
    "INSERT INTO ferry_journey (queue_id, message_id, kind, receive_count, at_ms, "
    "visible_until_ms, detail) SELECT $1, message_id, 10, receive_count, $3, 0, '' FROM d";

constexpr const char* kLockInFlight =
    "SELECT seq FROM ferry_messages WHERE queue_id = $1 AND seq = $2 AND receive_count = $3 AND "
    "in_flight AND visible_at_ms > $4 FOR UPDATE";

PeekedState StateOf(const MessageRow& m, TimeMs now) {
  if (m.visible_at_ms <= now) return PeekedState::kVisible;
  return m.in_flight ? PeekedState::kInFlight : PeekedState::kDelayed;
}

}  // namespace

Result<PeekResult> PgQueue::Peek(const PeekRequest& req) {
  const std::shared_ptr<const QueueRow> row = Current();
  const TimeMs now = core_->clock().NowMs();
  const int max = std::clamp(req.max_messages, 1, kMaxPeekMessages);
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  Result<PgResult> r = (*conn)->Exec(
      kPeek, Params()
                 .Int(static_cast<int64_t>(id_))
                 .Int(static_cast<int64_t>(std::min<uint64_t>(req.start_after_sequence, INT64_MAX)))
                 .Int(now - SecondsToMs(row->settings.retention_s))
                 .Int(now)
                 .Bool(req.include_visible)
                 .Bool(req.include_in_flight)
                 .Bool(req.include_delayed)
                 .Int(max + 1));
  if (!r.ok()) return r.status();
  PeekResult out;
  for (int i = 0; i < r->rows() && i < max; ++i) {
    MessageRow m = MessageAt(*r, i);
    PeekedMessage p;
    p.message_id = FormatMessageId(m.id);
    p.sequence = m.seq;
    p.group_id = std::move(m.group_id);
    p.sent_ms = m.sent_ms;
    p.first_receive_ms = m.first_receive_ms;
    p.receive_count = static_cast<int32_t>(std::min<int64_t>(m.receive_count, INT32_MAX));
    p.visible_at_ms = m.visible_at_ms;
    p.state = StateOf(m, now);
    p.dead_letter_source = std::move(m.dead_letter_source);
    p.payload = std::move(m.payload);
    out.messages.push_back(std::move(p));
  }
  // One more row than the page: the next page is not empty.
  if (r->rows() > max) out.next_sequence = out.messages.back().sequence;
  return out;
}

Result<CancelOutcome> PgQueue::Cancel(std::string_view message_id) {
  const std::optional<std::array<uint8_t, 16>> id = ParseMessageId(message_id);
  if (!id) return Status::InvalidArgument("not a message id: " + std::string(message_id));
  // Before a connection is held: reading the row may take one.
  const char* cancel = Journeyed(*Current()) ? kJourneyCancel : kCancel;
  const TimeMs now = core_->clock().NowMs();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  const auto qid = static_cast<int64_t>(id_);
  Result<PgResult> found = (*conn)->Exec(kFindById, Params().Int(qid).Uuid(*id));
  if (!found.ok()) return found.status();
  if (found->rows() == 0) return CancelOutcome::kNotFound;
  Result<PgResult> r = (*conn)->Exec(cancel, Params().Int(qid).Int(found->Int(0, 0)).Int(now));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) return CancelOutcome::kAlreadyVisible;
  conn->Release();
  // In a FIFO queue the group's next message may now lead it.
  if (fifo_) Wake();
  return CancelOutcome::kCancelled;
}

Status PgQueue::DeadLetter(std::string_view receipt_handle) {
  std::optional<ReceiptHandle> h = DecodeReceiptHandle(receipt_handle);
  if (!h || h->incarnation != id_) {
    return Status::InvalidArgument("the receipt handle is not valid for this queue");
  }
  const std::shared_ptr<const QueueRow> row = Current();
  const TimeMs now = core_->clock().NowMs();
  Result<PgPool::Lease> conn = core_->pool().Acquire();
  if (!conn.ok()) return conn.status();
  const auto qid = static_cast<int64_t>(id_);
  std::shared_ptr<const QueueRow> dlq;
  FERRY_RETURN_IF_ERROR(InTransaction(**conn, [&]() -> Status {
    Result<PgResult> locked = (*conn)->Exec(
        kLockInFlight,
        Params().Int(qid).Int(static_cast<int64_t>(h->seq)).Int(h->generation).Int(now));
    if (!locked.ok()) return locked.status();
    if (locked->rows() == 0) {
      return Status::NotFound("the message is not in flight under this receipt handle");
    }
    const std::string& dlq_name = row->settings.dead_letter_queue;
    if (dlq_name.empty()) return Status::FailedPrecondition("the queue has no dead-letter queue");
    Result<PgResult> found =
        (*conn)->Exec(std::string("SELECT ") + kQueueColumns + " FROM ferry_queues WHERE name = $1",
                      Params().Text(dlq_name));
    if (!found.ok()) return found.status();
    if (found->rows() == 0) {
      return Status::FailedPrecondition("the dead-letter queue " + dlq_name + " does not exist");
    }
    dlq = QueueRowAt(*found, 0);
    if (dlq->fifo && !fifo_) {
      return Status::FailedPrecondition("the dead-letter queue " + dlq_name +
                                        " could not store the message");
    }
    return core_->MoveToDeadLetterQueue(**conn, *row, *dlq, {static_cast<int64_t>(h->seq)}, now)
        .status();
  }));
  conn->Release();
  core_->watchers().Fire(dlq->id);
  return Status::Ok();
}

}  // namespace ferry::engine::pg
