// LocalQueue, part 3: the queue and the log — rebuilding a queue from
// log and checkpoint records, writing its checkpoint, and compaction's body
// relocation. The state machine is in local_queue.cc; the locking rules in
// local_queue.h.
#include <algorithm>
#include <string>

#include "engine/local_queue.h"
#include "engine/settings_codec.h"

namespace ferry::engine {

// Recovery runs on one thread before the queue is shared; the lock is taken
// only to satisfy the guarded-by rules.

MessageEntry LocalQueue::EntryFromRecordLocked(const storage::Record& r, storage::Lsn lsn) {
  MessageEntry entry;
  entry.seq = r.seq;
  entry.body = lsn;
  entry.sent_ms = r.time_ms;
  entry.visible_at_ms = r.visible_at_ms;
  entry.message_id = r.message_id;
  entry.has_group = !r.name.empty();
  entry.has_source = !r.source.empty();
  if (entry.has_group) groups_[r.seq] = r.name;
  if (entry.has_source) sources_[r.seq] = r.source;
  journal_->RetainRecovered(lsn);
  next_seq_ = std::max(next_seq_, r.seq + 1);
  last_sent_ms_ = std::max(last_sent_ms_, r.time_ms);
  return entry;
}

void LocalQueue::RecoverSend(const storage::Record& r, storage::Lsn lsn) {
  std::lock_guard lock(mu_);
  if (r.type == storage::RecordType::kSendFifo) {
    // The window outlives the message: a later delete leaves this entry.
    dedup_.Insert(DedupKeyLocked(r.name, r.dedup_id), {r.message_id, r.seq, r.time_ms}, r.time_ms);
  }
  if (index_.Contains(r.seq)) return;
  MessageEntry entry = EntryFromRecordLocked(r, lsn);
  // A dead letter arrives with the receives of its source (kSendDeadLetter;
  // zero in the older kSendMoved). It is visible on arrival, whatever the
  // count says: FinishRecovery reads visible_at_ms, which is the arrival.
  entry.receive_count = r.receive_count;
  entry.first_receive_ms = r.first_receive_ms;
  index_.Insert(entry);
}

void LocalQueue::RecoverMessage(const storage::Record& r) {
  std::lock_guard lock(mu_);
  MessageEntry entry = EntryFromRecordLocked(r, r.lsn);
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

void LocalQueue::RecoverDedup(const storage::Record& r) {
  std::lock_guard lock(mu_);
  dedup_.Insert(r.dedup_id, {r.message_id, r.seq, r.time_ms}, r.time_ms);
}

void LocalQueue::RecoverReceive(const storage::Record& r) {
  std::lock_guard lock(mu_);
  MessageEntry* e = index_.Find(r.seq);
  if (e == nullptr) return;
  e->receive_count = r.receive_count;
  if (e->first_receive_ms == 0) e->first_receive_ms = r.time_ms;
  e->visible_at_ms = r.visible_at_ms;
}

void LocalQueue::RecoverChangeVisibility(const storage::Record& r) {
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

void LocalQueue::RecoverRelocate(const storage::Record& r, storage::Lsn lsn) {
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
    Result<BodyRef> moved_to = journal_->Relocate(b.seq, b.payload);
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
  storage::Record q;
  q.type = storage::RecordType::kCreateQueue;
  q.queue_id = incarnation_;
  q.name = name_;
  q.time_ms = created_ms_;
  q.settings = SettingsToFields(settings_);
  q.tags = TagsToFields(tags_);
  storage::EncodeRecord(q, out);
  storage::Record m;
  m.type = storage::RecordType::kSetSettings;
  m.queue_id = incarnation_;
  m.time_ms = modified_ms_;
  m.settings = q.settings;
  storage::EncodeRecord(m, out);
  storage::Record cursor;
  cursor.type = storage::RecordType::kCheckpointQueue;
  cursor.queue_id = incarnation_;
  cursor.seq = next_seq_;
  cursor.lsn = from;
  storage::EncodeRecord(cursor, out);
  *records += 3 + index_.size();
  index_.ForEach([&](const MessageEntry& e) {
    storage::Record r;
    r.type = storage::RecordType::kCheckpointMessage;
    r.queue_id = incarnation_;
    r.seq = e.seq;
    r.message_id = e.message_id;
    r.time_ms = e.sent_ms;
    r.visible_at_ms = e.state == MessageState::kVisible ? 0 : e.visible_at_ms;
    r.first_receive_ms = e.first_receive_ms;
    r.receive_count = e.receive_count;
    r.lsn = e.body;
    if (e.has_group) r.name = groups_.at(e.seq);
    if (e.has_source) r.source = sources_.at(e.seq);
    storage::EncodeRecord(r, out);
  });
  // The window holds deduplication ids of deleted messages too.
  dedup_.ForEach([&](const std::string& key, const DedupWindow::Entry& d) {
    storage::Record r;
    r.type = storage::RecordType::kCheckpointDedup;
    r.queue_id = incarnation_;
    r.dedup_id = key;
    r.message_id = d.message_id;
    r.seq = d.seq;
    r.time_ms = d.sent_ms;
    storage::EncodeRecord(r, out);
    ++*records;
  });
  return from;
}

Status LocalQueue::Recover(storage::Lsn lsn, const storage::Record& r) {
  switch (r.type) {
    case storage::RecordType::kSetSettings:
      RecoverSettings(SettingsFromFields(r.settings), r.time_ms);
      break;
    case storage::RecordType::kSetTags:
      RecoverTags(TagsFromFields(r.tags));
      break;
    case storage::RecordType::kSend:
    case storage::RecordType::kSendMoved:
    case storage::RecordType::kSendDeadLetter:
    case storage::RecordType::kSendFifo:
      RecoverSend(r, lsn);
      break;
    case storage::RecordType::kReceive:
      RecoverReceive(r);
      break;
    case storage::RecordType::kChangeVisibility:
      RecoverChangeVisibility(r);
      break;
    case storage::RecordType::kDelete:
      RecoverDelete(r.seq);
      break;
    case storage::RecordType::kPurge:
      RecoverPurge();
      break;
    case storage::RecordType::kRelocate:
      RecoverRelocate(r, lsn);
      break;
    case storage::RecordType::kCheckpointMessage:
      RecoverMessage(r);
      break;
    case storage::RecordType::kCheckpointDedup:
      RecoverDedup(r);
      break;
    default:
      return Status::Internal("record type " + std::to_string(static_cast<int>(r.type)) +
                              " is not a queue's");
  }
  return Status::Ok();
}

}  // namespace ferry::engine
