// PgQueue: a queue of the PostgreSQL engine (engine::Queue over the tables
// of migrations.cc). It holds the queue's id (its incarnation: receipt
// handles carry it) and reads its settings through the core's row cache,
// so a change made by another node is seen within a second. Every call is
// one or a few statements on a pooled connection (README.md lists them);
// nothing of a message is kept in memory.
//
// Thread-safety: every method from any thread; mu_ guards the last row
// seen (kept for a queue that was deleted meanwhile).
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "engine/engine.h"
#include "engine/postgres/pg_coalescer.h"
#include "engine/postgres/pg_core.h"

namespace ferry::engine::pg {

class PgQueue final : public Queue {
 public:
  PgQueue(std::shared_ptr<PgCore> core, std::shared_ptr<const QueueRow> row);

  const std::string& name() const override { return name_; }
  TimeMs created_ms() const override { return created_ms_; }
  TimeMs modified_ms() const override { return Current()->modified_ms; }
  QueueSettings settings() const override { return Current()->settings; }
  bool fifo() const override { return fifo_; }
  Status SetSettings(QueueSettings settings) override;
  std::map<std::string, std::string> tags() const override { return Current()->tags; }
  Status Tag(const std::map<std::string, std::string>& tags) override;
  Status Untag(const std::vector<std::string>& keys) override;

  Result<SendResult> Send(SendRequest req) override;
  Status SendCopy(const CopyRequest& req) override;
  // One transaction for the whole batch (PgCore::SendMany).
  std::vector<Result<SendResult>> SendBatch(std::vector<SendRequest> reqs) override;
  Result<std::vector<ReceivedMessage>> Receive(const ReceiveRequest& req) override;
  Status Delete(std::string_view receipt_handle) override;
  // One statement for the batch's valid handles (BatchedWrites).
  std::vector<Status> DeleteBatch(std::span<const std::string_view> receipt_handles) override;
  Status ChangeVisibility(std::string_view receipt_handle, int64_t timeout_s) override;
  Status DeadLetter(std::string_view receipt_handle) override;
  Status Purge() override;
  QueueStats Stats() override;
  Result<PeekResult> Peek(const PeekRequest& req) override;
  Result<CancelOutcome> Cancel(std::string_view message_id) override;
  // The message's events when the queue keeps journeys (pg_journey.h);
  // empty when it keeps none, or the database cannot be reached.
  std::vector<JourneyEntry> Journey(std::string_view message_id) const override;

  uint64_t Watch(std::function<void()> fn) override;
  void Unwatch(uint64_t token) override;
  TimeMs NextWakeMs() override;

  uint64_t id() const { return id_; }
  // What a send of `payload` to this queue stores (views of the caller's
  // strings): a new id, sent now, visible after `delay_ms` (negative: the
  // queue's delay). Errors: kInvalidArgument for a FIFO send without a
  // group or a deduplication id.
  Result<NewMessage> Prepare(const QueueRow& row, std::string_view payload, int64_t delay_ms,
                             std::string_view group, std::string_view dedup_id, TimeMs now) const;
  // The queue's row: the cached one when it is still this incarnation's,
  // else the last one seen.
  std::shared_ptr<const QueueRow> Current() const;

 private:
  struct Taking;  // one receive's plan (postgres_queue_receive.cc)
  // One request of a shared standard receive (RunReceives).
  struct ReceiveJob {
    int max = 1;             // messages it asks for, 1-10
    int64_t timeout_ms = 0;  // its visibility timeout
    Status status;
    std::vector<ReceivedMessage> messages;
  };

  // Whether the queue keeps journeys, by its cached row (no I/O): the
  // test a delete or a visibility change makes before its shared statement.
  bool KeepsJourneys() const;
  // A journeyed queue's deletes with their events: how many went.
  Result<int64_t> DeleteJourneyed(const std::vector<int64_t>& seqs,
                                  const std::vector<int64_t>& generations);
  Result<Stored> StoreMessage(std::string_view payload, int64_t delay_ms, std::string_view group,
                              std::string_view dedup_id);
  // Applies `change` to the queue's row under a row lock and caches it.
  Status ChangeRow(const std::function<void(QueueRow&)>& change);
  // The receives (postgres_queue_receive.cc).
  // A FIFO queue without a dead-letter queue or a redelivery backoff: one
  // statement (ferry_receive_fifo).
  Result<std::vector<ReceivedMessage>> ReceiveFifo(PgConn& conn, const QueueRow& row,
                                                   const ReceiveRequest& req, TimeMs now);
  // A standard queue without a redelivery backoff: one statement for this
  // request and the concurrent ones (receives_), which also moves the
  // messages due for the dead-letter queue and wakes its pollers.
  Result<std::vector<ReceivedMessage>> ReceiveStandard(const QueueRow& row,
                                                       const ReceiveRequest& req);
  void RunReceives(const std::vector<ReceiveJob*>& group);
  // The others: select, decide and update in one transaction. Sets *woken
  // to a DLQ that took messages (its watchers run once the connection is
  // given back).
  Result<std::vector<ReceivedMessage>> ReceiveInTransaction(PgConn& conn, const QueueRow& row,
                                                            const ReceiveRequest& req, TimeMs now,
                                                            uint64_t* woken);
  // A journeyed queue's Received events for what a transactional receive
  // took (`got`, with the deadlines of `plan`), in its transaction.
  Status NoteReceived(PgConn& conn, const std::vector<ReceivedMessage>& got, const Taking& plan);
  Status SelectStandard(PgConn& conn, const QueueRow& row, int max, TimeMs now, Taking* plan);
  Status SelectFifo(PgConn& conn, const QueueRow& row, int max, TimeMs now, Taking* plan);
  Result<std::vector<ReceivedMessage>> ReplayAttempt(PgConn& conn, const std::string& attempt_id,
                                                     TimeMs now);
  ReceivedMessage Received(MessageRow m) const;
  void Wake() const;

  const std::shared_ptr<PgCore> core_;
  const uint64_t id_;
  const std::string name_;
  const bool fifo_;
  const TimeMs created_ms_;
  // Concurrent receives of a standard queue on this node share a statement
  // (a round trip, a commit, a walk of the index), and do not contend for
  // the same first rows (FOR UPDATE SKIP LOCKED) as separate statements do.
  std::unique_ptr<Coalescer<ReceiveJob>> receives_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const QueueRow> row_;  // guarded by mu_
};

}  // namespace ferry::engine::pg
