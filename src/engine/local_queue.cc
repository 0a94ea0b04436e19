#include "engine/local_queue.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <utility>

#include "common/crypto.h"
#include "engine/receipt_handle.h"
#include "engine/wal_journal.h"

namespace ferry::engine {
namespace {

// Stale elements in visible_ or timers_ are dropped once they are more than
// half of the structure and the structure is larger than this.
constexpr size_t kCompactFloor = 1024;

uint64_t RandomNonZero64() {
  uint64_t v = 0;
  while (v == 0) RandomBytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
  return v;
}

std::array<uint8_t, 16> NewMessageId() {
  std::array<uint8_t, 16> id;
  BufferedRandomBytes(id.data(), id.size());
  id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return id;
}

}  // namespace

std::unique_ptr<Journal> NewJournal(const QueueLog& durable, uint64_t queue_id, BodyStore* bodies) {
  if (durable.bodies == nullptr) return std::make_unique<MemoryJournal>(bodies);
  return std::make_unique<WalJournal>(durable.log, durable.bodies, queue_id);
}

std::string FormatMessageId(const std::array<uint8_t, 16>& id) { return FormatUuid(id.data()); }

void LocalQueue::RunAll(Callbacks& fns) {
  for (auto& fn : fns) fn();
}

LocalQueue::LocalQueue(std::string name, QueueSettings settings,
                       std::map<std::string, std::string> tags, const Clock& clock,
                       std::shared_ptr<BodyStore> bodies, QueueLog durable,
                       std::shared_ptr<QueueMover> mover, RandomSource random)
    : name_(std::move(name)),
      created_ms_(durable.created_ms ? durable.created_ms : clock.NowMs()),
      clock_(clock),
      bodies_(std::move(bodies)),
      mover_(std::move(mover)),
      incarnation_(durable.id ? durable.id : RandomNonZero64()),
      journal_(NewJournal(durable, incarnation_, bodies_.get())),
      fifo_(settings.fifo),
      journey_(journal_.get(), clock, settings),
      settings_(std::move(settings)),
      tags_(std::move(tags)),
      modified_ms_(created_ms_),
      random_(random ? std::move(random) : SeededRandomSource()) {}

LocalQueue::~LocalQueue() {
  index_.ForEach([this](const MessageEntry& e) { bodies_->Release(e.body); });
}

TimeMs LocalQueue::modified_ms() const {
  std::lock_guard lock(mu_);
  return modified_ms_;
}

QueueSettings LocalQueue::settings() const {
  std::lock_guard lock(mu_);
  return settings_;
}

Status LocalQueue::SetSettings(QueueSettings settings) {
  TimeMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  FERRY_RETURN_IF_ERROR(journal_->SetSettings(settings, now));
  settings_ = std::move(settings);
  modified_ms_ = now;
  journey_.Configure(settings_);
  return Status::Ok();
}

std::map<std::string, std::string> LocalQueue::tags() const {
  std::lock_guard lock(mu_);
  return tags_;
}

Status LocalQueue::Tag(const std::map<std::string, std::string>& tags) {
  std::lock_guard lock(mu_);
  std::map<std::string, std::string> next = tags_;
  for (const auto& [k, v] : tags) next[k] = v;
  FERRY_RETURN_IF_ERROR(journal_->SetTags(next));
  tags_ = std::move(next);
  return Status::Ok();
}

Status LocalQueue::Untag(const std::vector<std::string>& keys) {
  std::lock_guard lock(mu_);
  std::map<std::string, std::string> next = tags_;
  for (const auto& k : keys) next.erase(k);
  FERRY_RETURN_IF_ERROR(journal_->SetTags(next));
  tags_ = std::move(next);
  return Status::Ok();
}

Result<SendResult> LocalQueue::Send(SendRequest req) {
  Result<Stored> stored =
      Store(req.payload, DelayMsOf(req, clock_.NowMs()), std::move(req.group_id), req.dedup_id);
  if (!stored.ok()) return stored.status();
  return SendResult{FormatMessageId(stored->message_id), stored->seq, stored->duplicate};
}

Status LocalQueue::SendCopy(const CopyRequest& req) {
  return Store(req.payload, -1, std::string(req.group_id), req.dedup_id).status();
}

Result<LocalQueue::Stored> LocalQueue::Store(std::string_view payload, int64_t delay_request_ms,
                                             std::string group_id, std::string_view dedup_id) {
  if (fifo_ && (group_id.empty() || dedup_id.empty())) {
    return Status::InvalidArgument("a FIFO send needs a group id and a deduplication id");
  }
  const std::array<uint8_t, 16> id = NewMessageId();
  // A durable queue's body is the payload of its send record, appended below.
  Result<BodyRef> ref = journal_->StoreBody(payload);
  if (!ref.ok()) return ref.status();
  const TimeMs now = clock_.NowMs();

  std::vector<BodyRef> released;
  Callbacks wake;
  uint64_t seq;
  {
    std::unique_lock lock(mu_);
    int64_t became_visible = AdvanceLocked(now, &released);
    std::string dedup_key;
    if (fifo_) {
      dedup_key = DedupKeyLocked(group_id, dedup_id);
      if (const DedupWindow::Entry* original = dedup_.Find(dedup_key, now)) {
        // A duplicate stores nothing. The original's records are older than
        // anything the caller waits for next, so its AfterDurable covers them.
        Stored dup{original->message_id, original->seq, true};
        wake = TakeWatchersLocked(became_visible);
        lock.unlock();
        journal_->DiscardBody(*ref);
        RunAll(wake);
        ReleaseBodies(released);
        return dup;
      }
    }
    const int64_t delay_ms =
        delay_request_ms >= 0 ? delay_request_ms : SecondsToMs(settings_.delay_s);
    const TimeMs sent_ms = std::max(last_sent_ms_, now);
    JournalSend sent;
    sent.seq = next_seq_;
    sent.message_id = id;
    sent.sent_ms = sent_ms;
    sent.visible_at_ms = sent_ms + delay_ms;
    sent.group_id = group_id;
    sent.dedup_id = dedup_id;
    sent.payload = payload;
    sent.seal = SealsPayloads(settings_);
    ref = journal_->Send(sent, fifo_, *ref);
    if (!ref.ok()) return ref.status();
    seq = next_seq_++;
    last_sent_ms_ = sent_ms;
    ++sent_;
    sent_bytes_ += payload.size();

    MessageEntry entry;
    entry.seq = seq;
    entry.body = *ref;
    entry.sent_ms = last_sent_ms_;
    entry.message_id = id;
    entry.has_group = !group_id.empty();
    MessageEntry* e = index_.Insert(entry);
    const std::string* group = nullptr;
    if (entry.has_group) group = &groups_.emplace(seq, std::move(group_id)).first->second;
    FifoGroups::Group* fifo_group = nullptr;
    if (fifo_) {
      dedup_.Insert(dedup_key, {id, seq, sent_ms}, now);
      fifo_group = &fifo_groups_.Add(*group, seq);
    }
    if (delay_ms > 0) {
      e->state = MessageState::kDelayed;
      ++delayed_count_;
      ScheduleLocked(e, entry.sent_ms + delay_ms);
    } else {
      e->state = MessageState::kVisible;
      ++visible_count_;
      if (fifo_group != nullptr) {
        fifo_groups_.Offer(*fifo_group);
      } else {
        visible_.PushBack(group, seq);
      }
      ++became_visible;
    }
    journey_.NoteSent(*e, sent.visible_at_ms, group);
    wake = TakeWatchersLocked(became_visible);
  }
  RunAll(wake);
  ReleaseBodies(released);
  return Stored{id, seq, false};
}

Result<std::vector<ReceivedMessage>> LocalQueue::Receive(const ReceiveRequest& req) {
  const size_t max = static_cast<size_t>(std::max(req.max_messages, 1));
  const TimeMs now = clock_.NowMs();

  std::vector<Taken> taken;
  std::vector<BodyRef> released;
  std::vector<MovingMessage> dead;  // received too often: to the dead-letter queue
  std::vector<BodyRef> dead_bodies;
  std::string dlq;
  Callbacks wake;
  Status log_failure;
  {
    std::lock_guard lock(mu_);
    int64_t became_visible = AdvanceLocked(now, &released);
    const bool attempt = fifo_ && !req.attempt_id.empty();
    if (!attempt || !ReplayAttemptLocked(req.attempt_id, now, &taken)) {
      const int64_t timeout_s =
          req.visibility_timeout_s >= 0 ? req.visibility_timeout_s : settings_.visibility_timeout_s;
      const TimeMs deadline = now + SecondsToMs(timeout_s);
      log_failure = fifo_ ? ReceiveFifoLocked(max, now, deadline, &taken, &dead, &dead_bodies)
                          : ReceiveStandardLocked(max, now, deadline, &taken, &dead, &dead_bodies);
      if (attempt) {
        std::vector<ReceiveAttempts::Taken> record;
        record.reserve(taken.size());
        for (const Taken& t : taken) record.push_back({t.seq, t.receive_count});
        attempts_.Record(req.attempt_id, now, std::move(record));
      }
    }
    if (!dead.empty()) dlq = settings_.dead_letter_queue;
    received_ += taken.size();
    if (taken.empty()) ++empty_receives_;
    wake = TakeWatchersLocked(became_visible);
  }
  RunAll(wake);
  ReleaseBodies(released);
  if (!dead.empty()) {
    ReadMovingPayloads(&dead, dead_bodies);
    // Counted once the DLQ has them: a move that fails is tried again by a
    // later receive, and counted then.
    const size_t moved = mover_ ? mover_->ToDeadLetterQueue(*this, dlq, std::move(dead)) : 0;
    if (moved > 0) {
      std::lock_guard lock(mu_);
      moved_to_dead_letter_ += moved;
    }
  }
  // Nothing could be taken because the log refuses records: say so rather
  // than answer as if the queue were empty.
  if (taken.empty() && !log_failure.ok()) return log_failure;

  // Bodies are read unlocked. A body released meanwhile (the message was
  // purged or expired) is skipped: the message is gone. Any other failure
  // leaves the message in flight; it reappears when its visibility expires.
  std::vector<ReceivedMessage> out;
  out.reserve(taken.size());
  Status failure;
  std::vector<BodyRef> refs;
  refs.reserve(taken.size());
  for (const Taken& t : taken) refs.push_back(t.body);
  std::vector<Result<std::string>> payloads = bodies_->GetMany(refs);
  for (size_t i = 0; i < taken.size(); ++i) {
    Taken& t = taken[i];
    Result<std::string>& payload = payloads[i];
    if (!payload.ok()) {
      if (payload.status().code() != Code::kNotFound) failure = payload.status();
      continue;
    }
    ReceivedMessage m;
    m.message_id = FormatMessageId(t.message_id);
    m.receipt_handle = EncodeReceiptHandle({incarnation_, t.seq, t.receive_count});
    m.payload = std::move(payload).value();
    m.group_id = std::move(t.group_id);
    m.sequence = t.seq;
    m.sent_ms = t.sent_ms;
    m.first_receive_ms = t.first_receive_ms;
    m.receive_count = static_cast<int32_t>(std::min<uint32_t>(t.receive_count, INT32_MAX));
    m.dead_letter_source = std::move(t.source);
    out.push_back(std::move(m));
  }
  if (out.empty() && !failure.ok()) return failure;
  return out;
}

Status LocalQueue::ReceiveStandardLocked(size_t max, TimeMs now, TimeMs deadline,
                                         std::vector<Taken>* taken,
                                         std::vector<MovingMessage>* dead,
                                         std::vector<BodyRef>* dead_bodies) {
  while (taken->size() < max) {
    const uint64_t seq = visible_.PopNext();
    if (seq == 0) break;
    MessageEntry* e = index_.Find(seq);
    if (e == nullptr || e->state != MessageState::kVisible) continue;
    if (MustDeadLetter(settings_, e->receive_count)) {
      if (dead->size() == kMaxDeadLettersPerReceive) {
        visible_.PushFront(GroupOfLocked(*e), seq);
        break;
      }
      TakeForMoveLocked(e, deadline, dead, dead_bodies);
      continue;
    }
    if (Status st = TakeLocked(e, now, deadline, taken); !st.ok()) {
      visible_.PushFront(GroupOfLocked(*e), seq);  // the log is failing: leave it visible
      return st;
    }
  }
  return Status::Ok();
}

Status LocalQueue::ReceiveFifoLocked(size_t max, TimeMs now, TimeMs deadline,
                                     std::vector<Taken>* taken, std::vector<MovingMessage>* dead,
                                     std::vector<BodyRef>* dead_bodies) {
  // As many messages of one group as fit, in order, then the next ready group.
  while (taken->size() < max) {
    FifoGroups::Group* g = fifo_groups_.PopOffered();
    if (g == nullptr) break;
    while (!g->seqs.empty() && !index_.Contains(g->seqs.front())) g->seqs.pop_front();
    Status log_failure;
    bool dead_full = false;
    // A locked group is offered again when its last in-flight message leaves
    // flight; one whose first message is delayed, when that becomes visible.
    const bool locked = g->in_flight > 0;
    for (size_t i = 0; !locked && i < g->seqs.size() && taken->size() < max; ++i) {
      MessageEntry* e = index_.Find(g->seqs[i]);
      if (e == nullptr) continue;
      if (e->state != MessageState::kVisible) break;  // strict order: wait for it
      if (MustDeadLetter(settings_, e->receive_count)) {
        dead_full = dead->size() == kMaxDeadLettersPerReceive;
        if (dead_full) break;
        // The group stays locked until DropMoved removes the message; if the
        // move fails the message reappears first, so the order holds.
        TakeForMoveLocked(e, deadline, dead, dead_bodies);
        ++g->in_flight;
        break;
      }
      log_failure = TakeLocked(e, now, deadline, taken);
      if (!log_failure.ok()) break;
      ++g->in_flight;
    }
    const bool still_ready = (!log_failure.ok() || dead_full) && g->in_flight == 0;
    fifo_groups_.Release(*g);
    if (still_ready) fifo_groups_.Offer(*g);
    if (!log_failure.ok()) return log_failure;
    if (dead_full) break;
  }
  return Status::Ok();
}

bool LocalQueue::ReplayAttemptLocked(const std::string& attempt_id, TimeMs now,
                                     std::vector<Taken>* taken) {
  const std::vector<ReceiveAttempts::Taken>* prior = attempts_.Find(attempt_id, now);
  if (prior == nullptr || prior->empty()) return false;
  for (const ReceiveAttempts::Taken& t : *prior) {
    const MessageEntry* e = index_.Find(t.seq);
    if (e == nullptr || e->state != MessageState::kInFlight || e->receive_count != t.generation) {
      return false;  // something changed since: this is a new receive
    }
  }
  for (const ReceiveAttempts::Taken& t : *prior) {
    taken->push_back(TakenOfLocked(*index_.Find(t.seq)));
  }
  return true;
}

Status LocalQueue::TakeLocked(MessageEntry* e, TimeMs now, TimeMs deadline,
                              std::vector<Taken>* taken) {
  // The Receive record carries each message's own deadline, so recovery
  // restores the backoff with it.
  deadline = RedeliveryDeadline(settings_.redelivery_backoff, e->receive_count + 1, now, deadline,
                                random_);
  FERRY_RETURN_IF_ERROR(journal_->Receive(e->seq, e->receive_count + 1, now, deadline));
  e->state = MessageState::kInFlight;
  --visible_count_;
  ++in_flight_count_;
  ++e->receive_count;
  if (e->first_receive_ms == 0) e->first_receive_ms = now;
  ScheduleLocked(e, deadline);
  journey_.NoteAt(JourneyKind::kReceived, *e, now, deadline);
  taken->push_back(TakenOfLocked(*e));
  return Status::Ok();
}

LocalQueue::Taken LocalQueue::TakenOfLocked(const MessageEntry& e) const {
  Taken t{e.seq, e.body, e.sent_ms, e.first_receive_ms, e.receive_count, e.message_id, {}, {}};
  if (e.has_group) t.group_id = groups_.at(e.seq);
  if (e.has_source) t.source = sources_.at(e.seq);
  return t;
}

const std::string* LocalQueue::GroupOfLocked(const MessageEntry& e) const {
  if (!e.has_group) return nullptr;
  return &groups_.at(e.seq);
}

FifoGroups::Group& LocalQueue::FifoGroupOfLocked(const MessageEntry& e) {
  return *fifo_groups_.Find(groups_.at(e.seq));
}

std::string LocalQueue::DedupKeyLocked(std::string_view group, std::string_view dedup_id) const {
  if (settings_.dedup_scope == DedupScope::kQueue) return std::string(dedup_id);
  std::string key;
  key.reserve(group.size() + 1 + dedup_id.size());
  key.append(group).push_back('\0');  // group ids are printable: no collisions
  key.append(dedup_id);
  return key;
}

Status LocalQueue::Delete(std::string_view receipt_handle) {
  std::optional<ReceiptHandle> h = DecodeReceiptHandle(receipt_handle);
  if (!h || h->incarnation != incarnation_) {
    return Status::InvalidArgument("the receipt handle is not valid for this queue");
  }
  // Gone: deletes are idempotent. Stale (re-received since): AWS documents
  // that the call succeeds but the message stays.
  return DeleteCurrent(h->seq, h->generation, /*in_flight_only=*/false);
}

Status LocalQueue::DeleteCurrent(uint64_t seq, uint32_t generation, bool in_flight_only) {
  std::vector<BodyRef> released;
  Callbacks wake;
  {
    std::lock_guard lock(mu_);
    MessageEntry* e = index_.Find(seq);
    if (e == nullptr || e->receive_count != generation ||
        (in_flight_only && e->state != MessageState::kInFlight)) {
      return Status::Ok();
    }
    FERRY_RETURN_IF_ERROR(journal_->Delete(seq));
    // DropMoved (in_flight_only) ends a move, which its receive counted
    // (and the mover notes in the journey).
    if (!in_flight_only) ++deleted_;
    if (!in_flight_only) journey_.Note(JourneyKind::kDeleted, *e);
    // Deleting a FIFO group's last in-flight message lets its next one go.
    if (RemoveLocked(e, &released)) wake = TakeWatchersLocked(1);
    CompactLocked();
  }
  RunAll(wake);
  ReleaseBodies(released);
  return Status::Ok();
}

Status LocalQueue::ChangeVisibility(std::string_view receipt_handle, int64_t timeout_s) {
  std::optional<ReceiptHandle> h = DecodeReceiptHandle(receipt_handle);
  if (!h || h->incarnation != incarnation_) {
    return Status::InvalidArgument("the receipt handle is not valid for this queue");
  }
  const TimeMs now = clock_.NowMs();
  std::vector<BodyRef> released;
  Callbacks wake;
  Status status;
  {
    std::lock_guard lock(mu_);
    int64_t became_visible = AdvanceLocked(now, &released);
    MessageEntry* e = index_.Find(h->seq);
    // Any handle a receive of this message issued is accepted, as AWS does:
    // one whose visibility already expired changes nothing (the message stays
    // visible), and one of an earlier receive acts on the current flight, so
    // a consumer can still give up a message it was handed twice. Only a
    // message that is gone, or a generation never issued, is refused.
    if (e == nullptr) {
      status = Status::NotFound("the message does not exist");
    } else if (h->generation > e->receive_count) {
      status = Status::NotFound("no receive issued this receipt handle");
    } else if (e->state != MessageState::kInFlight) {
      // Visible again (expired, or made visible): nothing to change or log.
    } else {
      const TimeMs visible_at_ms = now + SecondsToMs(std::max<int64_t>(timeout_s, 0));
      status = journal_->ChangeVisibility(h->seq, e->receive_count, visible_at_ms);
      if (!status.ok()) {
        // The log refuses records: nothing changes.
      } else if (timeout_s <= 0) {
        MakeVisibleLocked(e);
        ++became_visible;
      } else {
        ScheduleLocked(e, visible_at_ms);
      }
      if (status.ok()) journey_.NoteAt(JourneyKind::kVisibilityChanged, *e, now, visible_at_ms);
    }
    wake = TakeWatchersLocked(became_visible);
  }
  RunAll(wake);
  ReleaseBodies(released);
  return status;
}

Status LocalQueue::Purge() {
  SeqIndex dropped;
  {
    std::lock_guard lock(mu_);
    FERRY_RETURN_IF_ERROR(journal_->Purge(clock_.NowMs()));
    journey_.NoteAll(JourneyKind::kPurged, index_);
    dropped = TakeAllLocked();
  }
  dropped.ForEach([this](const MessageEntry& e) { bodies_->Release(e.body); });
  return Status::Ok();
}

void LocalQueue::Drop() {
  // The queue's deletion is already in the log; its messages go with it.
  SeqIndex dropped;
  {
    std::lock_guard lock(mu_);
    dropped = TakeAllLocked();
  }
  dropped.ForEach([this](const MessageEntry& e) { bodies_->Release(e.body); });
  std::map<uint64_t, std::function<void()>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(watchers_);
  }
  for (auto& [token, fn] : all) fn();
}

QueueStats LocalQueue::Stats() {
  const TimeMs now = clock_.NowMs();
  std::vector<BodyRef> released;
  Callbacks wake;
  QueueStats stats;
  {
    std::lock_guard lock(mu_);
    wake = TakeWatchersLocked(AdvanceLocked(now, &released));
    stats.visible = visible_count_;
    stats.in_flight = in_flight_count_;
    stats.delayed = delayed_count_;
    const MessageEntry* oldest = index_.Find(oldest_seq_);
    if (oldest != nullptr) stats.oldest_sent_ms = oldest->sent_ms;
    stats.sent = sent_;
    stats.sent_bytes = sent_bytes_;
    stats.received = received_;
    stats.empty_receives = empty_receives_;
    stats.deleted = deleted_;
    stats.moved_to_dead_letter = moved_to_dead_letter_;
  }
  RunAll(wake);
  ReleaseBodies(released);
  return stats;
}

uint64_t LocalQueue::Watch(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  uint64_t token = next_watch_token_++;
  watchers_.emplace(token, std::move(fn));
  return token;
}

void LocalQueue::Unwatch(uint64_t token) {
  std::function<void()> fn;  // destroyed after unlocking: it may own anything
  std::lock_guard lock(mu_);
  auto it = watchers_.find(token);
  if (it == watchers_.end()) return;
  fn = std::move(it->second);
  watchers_.erase(it);
}

TimeMs LocalQueue::NextWakeMs() {
  std::lock_guard lock(mu_);
  while (!timers_.empty() && !IsCurrentTimerLocked(timers_.front())) {
    std::pop_heap(timers_.begin(), timers_.end(), TimerLater);
    timers_.pop_back();
  }
  return timers_.empty() ? INT64_MAX : timers_.front().at;
}

void LocalQueue::Tick() {
  const TimeMs now = clock_.NowMs();
  std::vector<BodyRef> released;
  Callbacks wake;
  {
    std::lock_guard lock(mu_);
    AdvanceLocked(now, &released);
    // A FIFO queue's visible messages may all sit in locked groups.
    wake =
        TakeWatchersLocked(fifo_ ? static_cast<int64_t>(fifo_groups_.offered()) : visible_count_);
  }
  RunAll(wake);
  ReleaseBodies(released);
}

size_t LocalQueue::IndexMemoryBytes() const {
  std::lock_guard lock(mu_);
  return index_.MemoryBytes() + visible_.MemoryBytes() + timers_.capacity() * sizeof(Timer);
}

int64_t LocalQueue::AdvanceLocked(TimeMs now, std::vector<BodyRef>* released) {
  if (fifo_) {
    dedup_.Expire(now);
    attempts_.Expire(now);
  }
  ExpireLocked(now, released);
  return PromoteLocked(now);
}

void LocalQueue::ExpireLocked(TimeMs now, std::vector<BodyRef>* released) {
  const TimeMs retention_ms = SecondsToMs(settings_.retention_s);
  bool expired = false;
  while (!index_.empty()) {
    // Each sequence is stepped over once in the queue's life: amortised O(1).
    MessageEntry* e = index_.Find(oldest_seq_);
    if (e == nullptr) {
      ++oldest_seq_;
      continue;
    }
    if (e->sent_ms + retention_ms > now) break;
    journey_.Note(JourneyKind::kExpired, *e);
    RemoveLocked(e, released);
    ++oldest_seq_;
    expired = true;
  }
  while (!early_expiry_.empty() && early_expiry_.front().at + retention_ms <= now) {
    const Timer t = early_expiry_.front();
    std::pop_heap(early_expiry_.begin(), early_expiry_.end(), TimerLater);
    early_expiry_.pop_back();
    MessageEntry* e = index_.Find(t.seq);
    if (e == nullptr || e->sent_ms != t.at) continue;
    journey_.Note(JourneyKind::kExpired, *e);
    RemoveLocked(e, released);
    expired = true;
  }
  if (index_.empty()) oldest_seq_ = next_seq_;
  // Elements of expired visible messages are dropped by compaction, so that
  // a queue nobody receives from does not accumulate them.
  if (expired) CompactLocked();
}

int64_t LocalQueue::PromoteLocked(TimeMs now) {
  int64_t n = 0;
  while (!timers_.empty() && timers_.front().at <= now) {
    const Timer t = timers_.front();
    std::pop_heap(timers_.begin(), timers_.end(), TimerLater);
    timers_.pop_back();
    if (!IsCurrentTimerLocked(t)) continue;
    MakeVisibleLocked(index_.Find(t.seq));
    ++n;
  }
  return n;
}

void LocalQueue::MakeVisibleLocked(MessageEntry* e) {
  const bool was_in_flight = e->state == MessageState::kInFlight;
  if (was_in_flight) {
    --in_flight_count_;
  } else {
    --delayed_count_;
  }
  e->state = MessageState::kVisible;
  ++visible_count_;
  if (fifo_) {
    FifoGroups::Group& g = FifoGroupOfLocked(*e);
    if (was_in_flight) --g.in_flight;
    fifo_groups_.Offer(g);
  } else if (was_in_flight) {
    visible_.PushReturned(GroupOfLocked(*e), e->seq);
  } else {
    visible_.PushBack(GroupOfLocked(*e), e->seq);
  }
}

void LocalQueue::ScheduleLocked(MessageEntry* e, TimeMs at) {
  e->visible_at_ms = at;
  timers_.push_back({at, e->seq});
  std::push_heap(timers_.begin(), timers_.end(), TimerLater);
  CompactLocked();
}

bool LocalQueue::RemoveLocked(MessageEntry* e, std::vector<BodyRef>* released) {
  const bool was_in_flight = e->state == MessageState::kInFlight;
  const bool unlocked = fifo_ && fifo_groups_.Removed(FifoGroupOfLocked(*e), was_in_flight);
  switch (e->state) {
    case MessageState::kDelayed:
      --delayed_count_;
      break;
    case MessageState::kVisible:
      --visible_count_;
      break;
    case MessageState::kInFlight:
      --in_flight_count_;
      break;
  }
  if (e->has_group) groups_.erase(e->seq);
  if (e->has_source) sources_.erase(e->seq);
  released->push_back(e->body);
  index_.Erase(e->seq);
  return unlocked;
}

bool LocalQueue::IsCurrentTimerLocked(const Timer& t) const {
  const MessageEntry* e = index_.Find(t.seq);
  return e != nullptr && e->state != MessageState::kVisible && e->visible_at_ms == t.at;
}

void LocalQueue::CompactLocked() {
  if (visible_.size() > kCompactFloor &&
      visible_.size() > 2 * static_cast<size_t>(visible_count_)) {
    visible_.EraseIf([this](uint64_t seq) { return !index_.Contains(seq); });
  }
  if (timers_.size() > kCompactFloor &&
      timers_.size() > 2 * static_cast<size_t>(in_flight_count_ + delayed_count_)) {
    std::erase_if(timers_, [this](const Timer& t) { return !IsCurrentTimerLocked(t); });
    // A deadline set, changed and set back leaves two current elements for
    // one message; keep one so the size stays bounded by the live count.
    std::sort(timers_.begin(), timers_.end(),
              [](const Timer& a, const Timer& b) { return a.seq < b.seq; });
    timers_.erase(std::unique(timers_.begin(), timers_.end(),
                              [](const Timer& a, const Timer& b) { return a.seq == b.seq; }),
                  timers_.end());
    std::make_heap(timers_.begin(), timers_.end(), TimerLater);
    if (timers_.capacity() > 2 * timers_.size() + kCompactFloor) timers_.shrink_to_fit();
  }
}

LocalQueue::Callbacks LocalQueue::TakeWatchersLocked(int64_t n) {
  Callbacks out;
  while (n-- > 0 && !watchers_.empty()) {
    out.push_back(std::move(watchers_.begin()->second));
    watchers_.erase(watchers_.begin());
  }
  return out;
}

void LocalQueue::ReleaseBodies(const std::vector<BodyRef>& refs) {
  for (BodyRef ref : refs) bodies_->Release(ref);
}

SeqIndex LocalQueue::TakeAllLocked() {
  SeqIndex all = std::move(index_);
  index_ = SeqIndex();
  visible_.Clear();
  fifo_groups_.Clear();
  // A purge forgets the deduplication ids too, so that a message sent again
  // after it is stored (what AWS does). The Purge record replays this.
  dedup_.Clear();
  attempts_.Clear();
  timers_ = {};
  groups_ = {};
  sources_ = {};
  early_expiry_ = {};
  oldest_seq_ = next_seq_;
  visible_count_ = in_flight_count_ = delayed_count_ = 0;
  return all;
}

}  // namespace ferry::engine
