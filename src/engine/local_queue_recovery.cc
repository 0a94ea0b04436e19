// LocalQueue, part 3: the queue and the log — rebuilding a queue from
// log and checkpoint records, writing its checkpoint, and compaction's body
// relocation. The state machine is in local_queue.cc; the locking rules in
// local_queue.h.
#include <algorithm>
#include <string>
#include <variant>

#include "common/overloaded.h"
#include "engine/local_queue.h"
#include "engine/settings_codec.h"

namespace ferry::engine {

// Recovery runs on one thread before the queue is shared; the lock is taken
// only to satisfy the guarded-by rules.

void LocalQueue::NoteRecoveredLocked(MessageEntry& entry, const std::string& group_id,
                                     const std::string& source_queue) {
  entry.has_group = !group_id.empty();
  entry.has_source = !source_queue.empty();
  if (entry.has_group) groups_[entry.seq] = group_id;
  if (entry.has_source) sources_[entry.seq] = source_queue;
  journal_->RetainRecovered(entry.body);
  next_seq_ = std::max(next_seq_, entry.seq + 1);
  last_sent_ms_ = std::max(last_sent_ms_, entry.sent_ms);
}

void LocalQueue::RecoverSentLocked(const storage::SentMessage& m, const std::string& source_queue,
                                   uint32_t receive_count, TimeMs first_receive_ms,
                                   storage::Lsn lsn) {
  if (index_.Contains(m.seq)) return;
  MessageEntry entry;
  entry.seq = m.seq;
  entry.body = lsn;
  entry.sent_ms = m.sent_ms;
  entry.visible_at_ms = m.visible_at_ms;
  entry.message_id = m.message_id;
  NoteRecoveredLocked(entry, m.group_id, source_queue);
  // A dead letter arrives with the receives of its source (kSendDeadLetter;
  // zero in the older kSendMoved). It is visible on arrival, whatever the
  // count says: FinishRecovery reads visible_at_ms, which is the arrival.
  entry.receive_count = receive_count;
  entry.first_receive_ms = first_receive_ms;
  index_.Insert(entry);
}

void LocalQueue::RecoverSend(const storage::Send& r, storage::Lsn lsn) {
  std::lock_guard lock(mu_);
  RecoverSentLocked(r.message, {}, 0, 0, lsn);
}

void LocalQueue::RecoverSend(const storage::SendFifo& r, storage::Lsn lsn) {
  std::lock_guard lock(mu_);
  const storage::SentMessage& m = r.message;
  // The window outlives the message: a later delete leaves this entry.
  dedup_.Insert(DedupKeyLocked(m.group_id, r.dedup_id), {m.message_id, m.seq, m.sent_ms},
                m.sent_ms);
  RecoverSentLocked(m, {}, 0, 0, lsn);
}

void LocalQueue::RecoverSend(const storage::SendMoved& r, storage::Lsn lsn) {
  std::lock_guard lock(mu_);
  RecoverSentLocked(r.message, r.source_queue, 0, 0, lsn);
}

void LocalQueue::RecoverSend(const storage::SendDeadLetter& r, storage::Lsn lsn) {
  std::lock_guard lock(mu_);
  RecoverSentLocked(r.message, r.source_queue, r.receive_count, r.first_receive_ms, lsn);
}

void LocalQueue::RecoverMessage(const storage::CheckpointMessage& r) {
  std::lock_guard lock(mu_);
  MessageEntry entry;
  entry.seq = r.seq;
  entry.body = r.body;
  entry.sent_ms = r.sent_ms;
  entry.visible_at_ms = r.visible_at_ms;
  entry.message_id = r.message_id;
  NoteRecoveredLocked(entry, r.group_id, r.source_queue);
  entry.receive_count = r.receive_count;
  entry.first_receive_ms = r.first_receive_ms;
  checkpointed_.push_back(entry);
}

void LocalQueue::FinishCheckpoint() {
  std::lock_guard lock(mu_);
  // A checkpoint lists messages in the hash order of the index it was taken
  // from. Inserted into a table still growing, that order piles every key into
  // one probe run (quadratic time); into a table already sized for all of
  // them, the order costs nothing.
  index_.Reserve(index_.size() + checkpointed_.size());
  for (const MessageEntry& e : checkpointed_) {
    if (!index_.Contains(e.seq)) index_.Insert(e);
  }
  checkpointed_ = {};
}

void LocalQueue::RecoverDedup(const storage::CheckpointDedup& r) {
  std::lock_guard lock(mu_);
  dedup_.Insert(r.key, {r.message_id, r.seq, r.sent_ms}, r.sent_ms);
}

void LocalQueue::RecoverReceive(const storage::Receive& r) {
  std::lock_guard lock(mu_);
  MessageEntry* e = index_.Find(r.seq);
  if (e == nullptr) return;
  e->receive_count = r.receive_count;
  if (e->first_receive_ms == 0) e->first_receive_ms = r.receive_ms;
  e->visible_at_ms = r.visible_at_ms;
}

void LocalQueue::RecoverChangeVisibility(const storage::ChangeVisibility& r) {
  std::lock_guard lock(mu_);
  MessageEntry* e = index_.Find(r.seq);
  if (e == nullptr || e->receive_count != r.receive_count) return;
  e->visible_at_ms = r.visible_at_ms;
}

void LocalQueue::RecoverDelete(uint64_t seq) {
  BodyRef body = 0;
  {
    std::lock_guard lock(mu_);
    MessageEntry* e = index_.Find(seq);
    if (e == nullptr) return;
    body = e->body;
    groups_.erase(seq);
    sources_.erase(seq);
    index_.Erase(seq);
  }
  bodies_->Release(body);
}

void LocalQueue::RecoverRelocate(const storage::Relocate& r, storage::Lsn lsn) {
  BodyRef old = 0;
  {
    std::lock_guard lock(mu_);
    MessageEntry* e = index_.Find(r.seq);
    if (e == nullptr) return;
    old = e->body;
    e->body = lsn;
    journal_->RetainRecovered(lsn);
  }
  bodies_->Release(old);
}

Status LocalQueue::DropLostBodies(const std::function<bool(BodyRef)>& lost,
                                  std::vector<LostMessage>* out) {
  std::vector<BodyRef> released;
  Status status;
  {
    std::lock_guard lock(mu_);
    std::vector<uint64_t> seqs;
    index_.ForEach([&](const MessageEntry& e) {
      if (lost(e.body)) seqs.push_back(e.seq);
    });
    std::sort(seqs.begin(), seqs.end());
    for (uint64_t seq : seqs) {
      status = journal_->Delete(seq);
      if (!status.ok()) break;
      const MessageEntry* e = index_.Find(seq);
      journey_.Note(JourneyKind::kDropped, *e);
      out->push_back(LostMessage{name_, seq, e->message_id, e->body});
      released.push_back(e->body);
      groups_.erase(seq);
      sources_.erase(seq);
      index_.Erase(seq);
    }
  }
  ReleaseBodies(released);
  return status;
}

void LocalQueue::RecoverPurge() {
  SeqIndex dropped;
  {
    std::lock_guard lock(mu_);
    dropped = TakeAllLocked();
  }
  dropped.ForEach([this](const MessageEntry& e) { bodies_->Release(e.body); });
}

void LocalQueue::RecoverSettings(QueueSettings settings, TimeMs modified_ms) {
  std::lock_guard lock(mu_);
  settings_ = std::move(settings);
  modified_ms_ = modified_ms;
  journey_.Configure(settings_);
}

void LocalQueue::RecoverTags(std::map<std::string, std::string> tags) {
  std::lock_guard lock(mu_);
  tags_ = std::move(tags);
}

void LocalQueue::RecoverNextSeq(uint64_t next_seq) {
  std::lock_guard lock(mu_);
  next_seq_ = std::max(next_seq_, next_seq);
}

void LocalQueue::FinishRecovery() {
  const TimeMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  std::vector<uint64_t> seqs;
  seqs.reserve(index_.size());
  index_.ForEach([&](const MessageEntry& e) { seqs.push_back(e.seq); });
  std::sort(seqs.begin(), seqs.end());
  visible_.Clear();
  fifo_groups_.Clear();
  timers_.clear();
  early_expiry_.clear();
  visible_count_ = in_flight_count_ = delayed_count_ = 0;
  TimeMs latest_sent = 0;
  for (uint64_t seq : seqs) {
    MessageEntry* e = index_.Find(seq);
    if (e->sent_ms < latest_sent) early_expiry_.push_back({e->sent_ms, seq});
    latest_sent = std::max(latest_sent, e->sent_ms);
    FifoGroups::Group* g = fifo_ ? &fifo_groups_.Add(groups_.at(seq), seq) : nullptr;
    if (e->visible_at_ms > now) {
      e->state = e->receive_count > 0 ? MessageState::kInFlight : MessageState::kDelayed;
      ++(e->state == MessageState::kInFlight ? in_flight_count_ : delayed_count_);
      if (g != nullptr && e->state == MessageState::kInFlight) ++g->in_flight;  // the group lock
      timers_.push_back({e->visible_at_ms, seq});
    } else {
      e->state = MessageState::kVisible;
      ++visible_count_;
      if (!fifo_) visible_.PushBack(GroupOfLocked(*e), seq);
    }
  }
  fifo_groups_.OfferAll();
  std::make_heap(timers_.begin(), timers_.end(), TimerLater);
  std::make_heap(early_expiry_.begin(), early_expiry_.end(), TimerLater);
  oldest_seq_ = seqs.empty() ? next_seq_ : seqs.front();
}

size_t LocalQueue::message_count() const {
  std::lock_guard lock(mu_);
  return index_.size();
}

std::chrono::nanoseconds LocalQueue::KeepLiveBodies(std::span<const BodyCopy> batch,
                                                    std::vector<BodyCopy>* live) const {
  std::lock_guard lock(mu_);
  const auto start = std::chrono::steady_clock::now();
  for (const BodyCopy& b : batch) {
    const MessageEntry* e = index_.Find(b.seq);
    if (e != nullptr && e->body == b.lsn) live->push_back(b);
  }
  return std::chrono::steady_clock::now() - start;
}

Status LocalQueue::RelocateBodies(std::span<const BodyCopy> batch, std::vector<BodyRef>* released,
                                  size_t* moved, std::chrono::nanoseconds* held) {
  *moved = 0;
  *held = std::chrono::nanoseconds(0);
  std::lock_guard lock(mu_);
  const auto start = std::chrono::steady_clock::now();
  Status status;
  for (const BodyCopy& b : batch) {
    // Deleted, expired or purged since it was found: nothing to keep.
    MessageEntry* e = index_.Find(b.seq);
    if (e == nullptr || e->body != b.lsn) continue;
    Result<BodyRef> moved_to = journal_->Relocate(b.seq, b.payload, b.sealed);
    if (!moved_to.ok()) {
      status = moved_to.status();
      break;
    }
    released->push_back(e->body);
    e->body = *moved_to;
    ++*moved;
  }
  *held = std::chrono::steady_clock::now() - start;
  return status;
}

storage::Lsn LocalQueue::Snapshot(std::string* out, uint64_t* records) const {
  std::lock_guard lock(mu_);
  // Every record of this queue appended later has a higher LSN.
  const storage::Lsn from = journal_->NextPosition();
  const storage::Fields settings = SettingsToFields(settings_);
  storage::EncodeRecord(storage::CreateQueue{.queue_id = incarnation_,
                                             .name = name_,
                                             .created_ms = created_ms_,
                                             .settings = settings,
                                             .tags = TagsToFields(tags_)},
                        out);
  storage::EncodeRecord(
      storage::SetSettings{
          .queue_id = incarnation_, .modified_ms = modified_ms_, .settings = settings},
      out);
  storage::EncodeRecord(
      storage::CheckpointQueue{
          .queue_id = incarnation_, .next_seq = next_seq_, .replay_from = from},
      out);
  *records += 3 + index_.size();
  index_.ForEach([&](const MessageEntry& e) {
    storage::EncodeRecord(
        storage::CheckpointMessage{
            .queue_id = incarnation_,
            .seq = e.seq,
            .message_id = e.message_id,
            .sent_ms = e.sent_ms,
            .visible_at_ms = e.state == MessageState::kVisible ? 0 : e.visible_at_ms,
            .first_receive_ms = e.first_receive_ms,
            .receive_count = e.receive_count,
            .body = e.body,
            .group_id = e.has_group ? groups_.at(e.seq) : std::string(),
            .source_queue = e.has_source ? sources_.at(e.seq) : std::string()},
        out);
  });
  // The window holds deduplication ids of deleted messages too.
  dedup_.ForEach([&](const std::string& key, const DedupWindow::Entry& d) {
    storage::EncodeRecord(storage::CheckpointDedup{.queue_id = incarnation_,
                                                   .key = key,
                                                   .message_id = d.message_id,
                                                   .seq = d.seq,
                                                   .sent_ms = d.sent_ms},
                          out);
    ++*records;
  });
  journey_.Snapshot(incarnation_, out, records);
  return from;
}

Status LocalQueue::Recover(storage::Lsn lsn, const storage::Record& r) {
  return std::visit(Overloaded{
                        [&](const storage::SetSettings& s) {
                          RecoverSettings(SettingsFromFields(s.settings), s.modified_ms);
                          return Status::Ok();
                        },
                        [&](const storage::SetTags& t) {
                          RecoverTags(TagsFromFields(t.tags));
                          return Status::Ok();
                        },
                        [&](const storage::Send& s) {
                          RecoverSend(s, lsn);
                          return Status::Ok();
                        },
                        [&](const storage::SendFifo& s) {
                          RecoverSend(s, lsn);
                          return Status::Ok();
                        },
                        [&](const storage::SendMoved& s) {
                          RecoverSend(s, lsn);
                          return Status::Ok();
                        },
                        [&](const storage::SendDeadLetter& s) {
                          RecoverSend(s, lsn);
                          return Status::Ok();
                        },
                        [&](const storage::Receive& v) {
                          RecoverReceive(v);
                          return Status::Ok();
                        },
                        [&](const storage::ChangeVisibility& c) {
                          RecoverChangeVisibility(c);
                          return Status::Ok();
                        },
                        [&](const storage::Delete& d) {
                          RecoverDelete(d.seq);
                          return Status::Ok();
                        },
                        [&](const storage::Purge&) {
                          RecoverPurge();
                          return Status::Ok();
                        },
                        [&](const storage::Relocate& m) {
                          RecoverRelocate(m, lsn);
                          return Status::Ok();
                        },
                        [&](const storage::CheckpointMessage& m) {
                          RecoverMessage(m);
                          return Status::Ok();
                        },
                        [&](const storage::CheckpointDedup& d) {
                          RecoverDedup(d);
                          return Status::Ok();
                        },
                        [&](const storage::JourneyEvent& j) {
                          std::lock_guard lock(mu_);
                          journey_.Recover(j);
                          return Status::Ok();
                        },
                        [&](const auto& other) {
                          return Status::Internal("record type " +
                                                  std::to_string(static_cast<int>(other.kType)) +
                                                  " is not a queue's");
                        },
                    },
                    r);
}

}  // namespace ferry::engine
