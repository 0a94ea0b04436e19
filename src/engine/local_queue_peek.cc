// LocalQueue, part 4: Peek, looking at stored messages without receiving
// them (the admin API's PeekMessages). It changes no message: the only state
// it touches is what every operation does first (expiry and due promotions,
// AdvanceLocked), which is not logged either. The locking rules are in
// local_queue.h.
#include <algorithm>
#include <climits>

#include "engine/local_queue.h"

namespace ferry::engine {
namespace {

bool Included(const PeekRequest& req, MessageState state) {
  switch (state) {
    case MessageState::kVisible:
      return req.include_visible;
    case MessageState::kInFlight:
      return req.include_in_flight;
    case MessageState::kDelayed:
      return req.include_delayed;
  }
  return false;
}

PeekedState PeekedStateOf(MessageState state) {
  switch (state) {
    case MessageState::kVisible:
      return PeekedState::kVisible;
    case MessageState::kInFlight:
      return PeekedState::kInFlight;
    case MessageState::kDelayed:
      return PeekedState::kDelayed;
  }
  return PeekedState::kVisible;
}

}  // namespace

Result<PeekResult> LocalQueue::Peek(const PeekRequest& req) {
  const TimeMs now = clock_.NowMs();
  std::vector<BodyRef> released;
  std::vector<Peeked> peeked;
  Callbacks wake;
  PeekResult result;
  {
    std::lock_guard lock(mu_);
    wake = TakeWatchersLocked(AdvanceLocked(now, &released));
    result.next_sequence = PeekLocked(req, &peeked);
  }
  RunAll(wake);
  ReleaseBodies(released);

  // Bodies are read unlocked, as Receive reads them. A message whose body
  // was released meanwhile (deleted, purged, expired) is gone: skipped.
  std::vector<BodyRef> refs;
  refs.reserve(peeked.size());
  for (const Peeked& p : peeked) refs.push_back(p.message.body);
  std::vector<Result<std::string>> payloads = bodies_->GetMany(refs);
  result.messages.reserve(peeked.size());
  for (size_t i = 0; i < peeked.size(); ++i) {
    Taken& t = peeked[i].message;
    Result<std::string>& payload = payloads[i];
    if (!payload.ok()) {
      if (payload.status().code() == Code::kNotFound) continue;
      return Status::Unavailable("a message body cannot be read: " + payload.status().message());
    }
    PeekedMessage m;
    m.message_id = FormatMessageId(t.message_id);
    m.sequence = t.seq;
    m.payload = std::move(payload).value();
    m.group_id = std::move(t.group_id);
    m.sent_ms = t.sent_ms;
    m.first_receive_ms = t.first_receive_ms;
    m.receive_count = static_cast<int32_t>(std::min<uint32_t>(t.receive_count, INT32_MAX));
    m.visible_at_ms = peeked[i].visible_at_ms;
    m.state = peeked[i].state;
    m.dead_letter_source = std::move(t.source);
    result.messages.push_back(std::move(m));
  }
  return result;
}

uint64_t LocalQueue::PeekLocked(const PeekRequest& req, std::vector<Peeked>* out) const {
  const size_t max = static_cast<size_t>(std::clamp(req.max_messages, 1, kMaxPeekMessages));
  // The index is a hash table: walk the sequences from the page's start
  // (no stored message is below oldest_seq_), at most kMaxPeekScan of them.
  const uint64_t end = next_seq_;
  uint64_t seq = std::max(req.start_after_sequence + 1, oldest_seq_);
  uint64_t scanned = 0;
  for (; seq < end && scanned < kMaxPeekScan; ++seq, ++scanned) {
    const MessageEntry* e = index_.Find(seq);
    if (e == nullptr || !Included(req, e->state)) continue;
    // One more message after a full page: the next page is not empty.
    if (out->size() == max) return out->back().message.seq;
    const TimeMs visible_at =
        e->state == MessageState::kVisible && e->visible_at_ms == 0 ? e->sent_ms : e->visible_at_ms;
    out->push_back(Peeked{TakenOfLocked(*e), visible_at, PeekedStateOf(e->state)});
  }
  if (seq >= end) return 0;  // scanned to the newest message
  // The scan budget ran out: go on after the last sequence examined.
  return seq - 1;
}

}  // namespace ferry::engine
