#include "engine/wal_journal.h"

#include "engine/settings_codec.h"

namespace ferry::engine {

Result<storage::Lsn> WalJournal::Append(storage::Record& r) {
  r.queue_id = queue_id_;
  return log_->Append(r);
}

Result<BodyRef> WalJournal::AppendBody(storage::Record& r) {
  auto lsn = Append(r);
  if (!lsn.ok()) return lsn.status();
  bodies_->Retain(*lsn);
  return BodyRef{*lsn};
}

Result<BodyRef> WalJournal::Send(const JournalSend& m, bool fifo, BodyRef) {
  storage::Record r;
  r.type = fifo ? storage::RecordType::kSendFifo : storage::RecordType::kSend;
  r.seq = m.seq;
  r.message_id = m.message_id;
  r.time_ms = m.sent_ms;
  r.visible_at_ms = m.visible_at_ms;
  r.name = m.group_id;
  r.dedup_id = m.dedup_id;
  r.payload = m.payload;
  return AppendBody(r);
}

Result<BodyRef> WalJournal::SendDeadLetter(const JournalDeadLetter& m, BodyRef) {
  storage::Record r;
  r.type = storage::RecordType::kSendDeadLetter;
  r.seq = m.seq;
  r.message_id = m.message_id;
  r.time_ms = m.sent_ms;
  r.visible_at_ms = m.visible_at_ms;
  r.name = m.group_id;
  r.source = m.source_queue;
  r.receive_count = m.receive_count;
  r.first_receive_ms = m.first_receive_ms;
  r.payload = m.payload;
  return AppendBody(r);
}

Status WalJournal::Receive(uint64_t seq, uint32_t receive_count, TimeMs now, TimeMs visible_at_ms) {
  storage::Record r;
  r.type = storage::RecordType::kReceive;
  r.seq = seq;
  r.receive_count = receive_count;
  r.time_ms = now;
  r.visible_at_ms = visible_at_ms;
  return Append(r).status();
}

Status WalJournal::ChangeVisibility(uint64_t seq, uint32_t receive_count, TimeMs visible_at_ms) {
  storage::Record r;
  r.type = storage::RecordType::kChangeVisibility;
  r.seq = seq;
  r.receive_count = receive_count;
  r.visible_at_ms = visible_at_ms;
  return Append(r).status();
}

Status WalJournal::Delete(uint64_t seq) {
  storage::Record r;
  r.type = storage::RecordType::kDelete;
  r.seq = seq;
  return Append(r).status();
}

Status WalJournal::Purge(TimeMs now) {
  storage::Record r;
  r.type = storage::RecordType::kPurge;
  r.time_ms = now;
  return Append(r).status();
}

Status WalJournal::SetSettings(const QueueSettings& settings, TimeMs now) {
  storage::Record r;
  r.type = storage::RecordType::kSetSettings;
  r.time_ms = now;
  r.settings = SettingsToFields(settings);
  return Append(r).status();
}

Status WalJournal::SetTags(const std::map<std::string, std::string>& tags) {
  storage::Record r;
  r.type = storage::RecordType::kSetTags;
  r.tags = TagsToFields(tags);
  return Append(r).status();
}

Result<BodyRef> WalJournal::Relocate(uint64_t seq, std::string_view payload) {
  storage::Record r;
  r.type = storage::RecordType::kRelocate;
  r.seq = seq;
  r.payload = payload;
  return AppendBody(r);
}

}  // namespace ferry::engine
