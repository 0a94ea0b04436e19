// LocalQueue, part 2: moving messages between queues — dead letters taken
// aside by a receive, move tasks taking visible messages, and the receiving
// side of both (AcceptMoved, DropMoved). The state machine is in
// local_queue.cc; the locking rules in local_queue.h.
#include <algorithm>

#include "engine/local_queue.h"

namespace ferry::engine {

void LocalQueue::TakeForMoveLocked(MessageEntry* e, TimeMs deadline,
                                   std::vector<MovingMessage>* out, std::vector<BodyRef>* bodies) {
  e->state = MessageState::kInFlight;
  --visible_count_;
  ++in_flight_count_;
  ScheduleLocked(e, deadline);
  MovingMessage m;
  m.sequence = e->seq;
  m.generation = e->receive_count;
  m.message_id = e->message_id;
  m.sent_ms = e->sent_ms;
  m.first_receive_ms = e->first_receive_ms;
  if (e->has_group) m.group_id = groups_.at(e->seq);
  if (e->has_source) m.dead_letter_source = sources_.at(e->seq);
  out->push_back(std::move(m));
  bodies->push_back(e->body);
}

void LocalQueue::ReadMovingPayloads(std::vector<MovingMessage>* out,
                                    const std::vector<BodyRef>& bodies) {
  size_t kept = 0;
  // FIFO groups with a message left behind: their later messages stay too,
  // so that none overtakes it.
  std::vector<std::string> held_back;
  for (size_t i = 0; i < out->size(); ++i) {
    const std::string& group = (*out)[i].group_id;
    if (fifo_ && std::find(held_back.begin(), held_back.end(), group) != held_back.end()) continue;
    Result<std::string> payload = bodies_->Get(bodies[i]);
    // A body that cannot be read leaves its message in flight: it reappears
    // at its deadline and is moved by a later attempt.
    if (!payload.ok()) {
      if (fifo_) held_back.push_back(group);
      continue;
    }
    (*out)[i].payload = std::move(payload).value();
    if (kept != i) (*out)[kept] = std::move((*out)[i]);
    ++kept;
  }
  out->resize(kept);
}

Result<std::vector<MovingMessage>> LocalQueue::TakeForMove(int max) {
  const TimeMs now = clock_.NowMs();
  std::vector<MovingMessage> out;
  std::vector<BodyRef> bodies;
  std::vector<BodyRef> released;
  Callbacks wake;
  {
    std::lock_guard lock(mu_);
    int64_t became_visible = AdvanceLocked(now, &released);
    const TimeMs deadline = now + SecondsToMs(settings_.visibility_timeout_s);
    const size_t limit = static_cast<size_t>(std::max(max, 0));
    if (fifo_) {
      TakeFifoForMoveLocked(limit, deadline, &out, &bodies);
    } else {
      while (out.size() < limit) {
        const uint64_t seq = visible_.PopNext();
        if (seq == 0) break;
        MessageEntry* e = index_.Find(seq);
        if (e == nullptr || e->state != MessageState::kVisible) continue;
        TakeForMoveLocked(e, deadline, &out, &bodies);
      }
    }
    wake = TakeWatchersLocked(became_visible);
  }
  RunAll(wake);
  ReleaseBodies(released);
  ReadMovingPayloads(&out, bodies);
  return out;
}

void LocalQueue::TakeFifoForMoveLocked(size_t max, TimeMs deadline, std::vector<MovingMessage>* out,
                                       std::vector<BodyRef>* bodies) {
  // As ReceiveFifoLocked: whole ready groups, each from its first message on,
  // so the destination receives every group in its order.
  while (out->size() < max) {
    FifoGroups::Group* g = fifo_groups_.PopOffered();
    if (g == nullptr) break;
    while (!g->seqs.empty() && !index_.Contains(g->seqs.front())) g->seqs.pop_front();
    const bool locked = g->in_flight > 0;
    for (size_t i = 0; !locked && i < g->seqs.size() && out->size() < max; ++i) {
      MessageEntry* e = index_.Find(g->seqs[i]);
      if (e == nullptr) continue;
      if (e->state != MessageState::kVisible) break;
      TakeForMoveLocked(e, deadline, out, bodies);
      ++g->in_flight;
    }
    fifo_groups_.Release(*g);
  }
}

Status LocalQueue::AcceptMoved(MovedMessage m) {
  if (fifo_ && m.group_id.empty()) {
    return Status::InvalidArgument("a FIFO queue takes only messages with a group id");
  }
  Result<BodyRef> ref = journal_->StoreBody(m.payload);
  if (!ref.ok()) return ref.status();
  const TimeMs now = clock_.NowMs();
  std::vector<BodyRef> released;
  Callbacks wake;
  {
    std::lock_guard lock(mu_);
    int64_t became_visible = AdvanceLocked(now, &released);
    // Retention counts from the original send time in a standard queue; a
    // FIFO queue restarts it, as AWS resets a FIFO dead letter's enqueue time
    // (and so its messages stay in send-time order).
    const TimeMs sent_ms = fifo_ ? std::max(last_sent_ms_, now) : m.sent_ms;
    JournalDeadLetter moved;
    moved.seq = next_seq_;
    moved.message_id = m.message_id;
    moved.sent_ms = sent_ms;
    moved.visible_at_ms = now;
    moved.group_id = m.group_id;
    moved.source_queue = m.source_queue;
    moved.receive_count = m.receive_count;
    moved.first_receive_ms = m.first_receive_ms;
    moved.payload = m.payload;
    moved.seal = SealsPayloads(settings_);
    ref = journal_->SendDeadLetter(moved, *ref);
    if (!ref.ok()) return ref.status();
    const uint64_t seq = next_seq_++;
    MessageEntry entry;
    entry.seq = seq;
    entry.body = *ref;
    entry.sent_ms = sent_ms;
    entry.message_id = m.message_id;
    entry.receive_count = m.receive_count;
    entry.first_receive_ms = m.first_receive_ms;
    entry.has_group = !m.group_id.empty();
    entry.has_source = true;
    entry.state = MessageState::kVisible;
    index_.Insert(entry);
    const std::string* group = nullptr;
    if (entry.has_group) group = &groups_.emplace(seq, std::move(m.group_id)).first->second;
    sources_.emplace(seq, std::move(m.source_queue));
    if (sent_ms < last_sent_ms_) {
      early_expiry_.push_back({sent_ms, seq});
      std::push_heap(early_expiry_.begin(), early_expiry_.end(), TimerLater);
    } else {
      last_sent_ms_ = sent_ms;
    }
    ++visible_count_;
    ++sent_;
    sent_bytes_ += m.payload.size();
    if (fifo_) {
      fifo_groups_.Offer(fifo_groups_.Add(*group, seq));
    } else {
      visible_.PushBack(group, seq);
    }
    ++became_visible;
    // Already past this queue's retention: gone at once, as on AWS.
    ExpireLocked(now, &released);
    wake = TakeWatchersLocked(became_visible);
  }
  RunAll(wake);
  ReleaseBodies(released);
  return Status::Ok();
}

Status LocalQueue::DropMoved(uint64_t sequence, uint32_t generation) {
  // Moved out under this generation and still in flight: remove it as a delete.
  return DeleteCurrent(sequence, generation, /*in_flight_only=*/true);
}

}  // namespace ferry::engine
