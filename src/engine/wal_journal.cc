#include "engine/wal_journal.h"

#include <string>
#include <utility>

#include "engine/settings_codec.h"

namespace ferry::engine {

Result<storage::Lsn> WalJournal::Append(const storage::Record& r) { return log_->Append(r); }

Result<BodyRef> WalJournal::AppendBody(const storage::Record& r) {
  auto lsn = Append(r);
  if (!lsn.ok()) return lsn.status();
  bodies_->Retain(*lsn);
  return BodyRef{*lsn};
}

Status WalJournal::SealIf(bool seal, storage::SentMessage* m, std::string* sealed) const {
  if (!seal) return Status::Ok();
  const storage::Keyring* keyring = log_->options().keyring;
  if (keyring == nullptr) {
    return Status::FailedPrecondition("the log has no keyring to seal message bodies with");
  }
  FERRY_RETURN_IF_ERROR(keyring->Seal(queue_id_, m->seq, m->body, sealed));
  m->body = *sealed;
  m->sealed = true;
  return Status::Ok();
}

namespace {

// What a send record holds of a message: JournalSend and JournalDeadLetter
// name these fields alike.
template <class M>
storage::SentMessage SentMessageOf(const M& m) {
  return storage::SentMessage{.seq = m.seq,
                              .message_id = m.message_id,
                              .sent_ms = m.sent_ms,
                              .visible_at_ms = m.visible_at_ms,
                              .group_id = std::string(m.group_id),
                              .body = m.payload};
}

}  // namespace

Result<BodyRef> WalJournal::Send(const JournalSend& m, bool fifo, BodyRef) {
  storage::SentMessage message = SentMessageOf(m);
  thread_local std::string sealed;  // reused: a send allocates no buffer for it
  FERRY_RETURN_IF_ERROR(SealIf(m.seal, &message, &sealed));
  if (fifo) {
    return AppendBody(storage::SendFifo{
        .queue_id = queue_id_, .message = std::move(message), .dedup_id = std::string(m.dedup_id)});
  }
  return AppendBody(storage::Send{.queue_id = queue_id_, .message = std::move(message)});
}

Result<BodyRef> WalJournal::SendDeadLetter(const JournalDeadLetter& m, BodyRef) {
  storage::SentMessage message = SentMessageOf(m);
  thread_local std::string sealed;
  FERRY_RETURN_IF_ERROR(SealIf(m.seal, &message, &sealed));
  return AppendBody(storage::SendDeadLetter{.queue_id = queue_id_,
                                            .message = std::move(message),
                                            .source_queue = std::string(m.source_queue),
                                            .receive_count = m.receive_count,
                                            .first_receive_ms = m.first_receive_ms});
}

Status WalJournal::Receive(uint64_t seq, uint32_t receive_count, TimeMs now, TimeMs visible_at_ms) {
  return Append(storage::Receive{.queue_id = queue_id_,
                                 .seq = seq,
                                 .receive_count = receive_count,
                                 .receive_ms = now,
                                 .visible_at_ms = visible_at_ms})
      .status();
}

Status WalJournal::ChangeVisibility(uint64_t seq, uint32_t receive_count, TimeMs visible_at_ms) {
  return Append(storage::ChangeVisibility{.queue_id = queue_id_,
                                          .seq = seq,
                                          .receive_count = receive_count,
                                          .visible_at_ms = visible_at_ms})
      .status();
}

Status WalJournal::Delete(uint64_t seq) {
  return Append(storage::Delete{.queue_id = queue_id_, .seq = seq}).status();
}

Status WalJournal::Purge(TimeMs now) {
  return Append(storage::Purge{.queue_id = queue_id_, .purged_ms = now}).status();
}

Status WalJournal::SetSettings(const QueueSettings& settings, TimeMs now) {
  return Append(storage::SetSettings{.queue_id = queue_id_,
                                     .modified_ms = now,
                                     .settings = SettingsToFields(settings)})
      .status();
}

Status WalJournal::SetTags(const std::map<std::string, std::string>& tags) {
  return Append(storage::SetTags{.queue_id = queue_id_, .tags = TagsToFields(tags)}).status();
}

Status WalJournal::JourneyEvent(const storage::JourneyEvent& e) {
  storage::JourneyEvent r = e;
  r.queue_id = queue_id_;
  return Append(r).status();
}

Result<BodyRef> WalJournal::Relocate(uint64_t seq, std::string_view payload, bool sealed) {
  return AppendBody(
      storage::Relocate{.queue_id = queue_id_, .seq = seq, .body = payload, .sealed = sealed});
}

}  // namespace ferry::engine
