// WalJournal: a durable queue's journal (journal.h). Every change is one
// record appended to the write-ahead log under the queue's mutex, so the log
// holds each queue's changes in the order they happened; the engine answers a
// request only once its records are durable (Engine::AfterDurable). A
// payload is written inside its send record and the message's BodyRef is that
// record's LSN, counted live in the LogBodyStore. The record layouts are in
// storage/log_format.h and docs/wal_format.md. A send to a queue that seals
// its payloads (SealsPayloads) writes the payload sealed by the log's
// keyring (storage/keyring.h), bound to the queue id and seq; the log opens
// it again on reading (storage::Log::ReadPayloads).
//
// Thread-safety: as journal.h; it takes only the log's and the LogBodyStore's
// mutexes. AttachLog is called before the queue is shared.
#pragma once

#include <cstdint>

#include "engine/journal.h"
#include "engine/log_body_store.h"
#include "storage/log.h"
#include "storage/record.h"

namespace ferry::engine {

class WalJournal final : public Journal {
 public:
  // `log` may be null for a queue being recovered (AttachLog sets it);
  // `log` and `bodies` must outlive the journal.
  WalJournal(storage::Log* log, LogBodyStore* bodies, uint64_t queue_id)
      : log_(log), bodies_(bodies), queue_id_(queue_id) {}

  Result<BodyRef> StoreBody(std::string_view) override { return BodyRef{0}; }
  void DiscardBody(BodyRef) override {}
  Result<BodyRef> Send(const JournalSend& m, bool fifo, BodyRef stored) override;
  Result<BodyRef> SendDeadLetter(const JournalDeadLetter& m, BodyRef stored) override;
  Status Receive(uint64_t seq, uint32_t receive_count, TimeMs now, TimeMs visible_at_ms) override;
  Status ChangeVisibility(uint64_t seq, uint32_t receive_count, TimeMs visible_at_ms) override;
  Status Delete(uint64_t seq) override;
  Status Purge(TimeMs now) override;
  Status SetSettings(const QueueSettings& settings, TimeMs now) override;
  Status SetTags(const std::map<std::string, std::string>& tags) override;
  Status JourneyEvent(const storage::JourneyEvent& e) override;
  Result<BodyRef> Relocate(uint64_t seq, std::string_view payload, bool sealed) override;
  storage::Lsn NextPosition() const override { return log_->NextLsn(); }
  void RetainRecovered(BodyRef body) override { bodies_->Retain(body); }
  void AttachLog(storage::Log* log) override { log_ = log; }

 private:
  Result<storage::Lsn> Append(const storage::Record& r);
  // Appends a record holding a payload and counts that body live.
  Result<BodyRef> AppendBody(const storage::Record& r);
  // With `seal`, replaces m->body by its sealed form (kept in *sealed) and
  // marks it so; the one place a durable queue seals what it writes.
  Status SealIf(bool seal, storage::SentMessage* m, std::string* sealed) const;

  storage::Log* log_;
  LogBodyStore* const bodies_;
  const uint64_t queue_id_;
};

}  // namespace ferry::engine
