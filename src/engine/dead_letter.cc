#include "engine/dead_letter.h"

#include "common/crypto.h"

namespace ferry::engine {

void QueueMover::Detach() {
  std::lock_guard lock(mu_);
  find_ = nullptr;
}

std::shared_ptr<MovableQueue> QueueMover::Find(const std::string& name) {
  std::lock_guard lock(mu_);
  return find_ ? find_(name) : nullptr;
}

namespace {

// A move task's message in the journeys of both queues: it leaves `from`
// and arrives in `to` as a new message, `new_id`.
void NoteRedriven(MovableQueue& from, MovableQueue& to, const MovingMessage& m,
                  const std::string& new_id) {
  from.NoteJourney(JourneyKind::kMovedTo, m.message_id, m.generation, to.name() + " as " + new_id);
  if (std::optional<std::array<uint8_t, 16>> id = ParseMessageId(new_id)) {
    to.NoteJourney(JourneyKind::kMovedFrom, *id, 0,
                   from.name() + " (was " + FormatMessageId(m.message_id) + ")");
  }
}

}  // namespace

size_t QueueMover::ToDeadLetterQueue(MovableQueue& from, const std::string& dlq,
                                     std::vector<MovingMessage> messages) {
  std::shared_ptr<MovableQueue> target = Find(dlq);
  if (!target) return 0;
  size_t stored = 0;
  for (MovingMessage& m : messages) {
    MovedMessage moved;
    moved.message_id = m.message_id;
    moved.sent_ms = m.sent_ms;
    moved.receive_count = m.generation;
    moved.first_receive_ms = m.first_receive_ms;
    moved.group_id = std::move(m.group_id);
    moved.payload = std::move(m.payload);
    moved.source_queue = from.name();
    if (!target->AcceptMoved(std::move(moved)).ok()) return stored;
    ++stored;
    // A failure here leaves the message in both queues: at least once.
    (void)from.DropMoved(m.sequence, m.generation);
    // Leaving, then arriving: the journeys' times keep the order.
    from.NoteJourney(JourneyKind::kMovedToDeadLetterQueue, m.message_id, m.generation, dlq);
    target->NoteJourney(JourneyKind::kMovedFrom, m.message_id, m.generation,
                        "dead letter from " + from.name());
  }
  return stored;
}

int64_t QueueMover::Redrive(MovableQueue& from, const std::string& destination,
                            std::vector<MovingMessage> messages, std::string* failure) {
  int64_t moved = 0;
  for (MovingMessage& m : messages) {
    const std::string& to = destination.empty() ? m.dead_letter_source : destination;
    if (to.empty()) {
      *failure =
          "A message in the source queue was not moved there from another queue, so it has "
          "no original source queue to return to.";
      break;
    }
    std::shared_ptr<MovableQueue> target = Find(to);
    if (!target) {
      *failure = "The destination queue " + to + " does not exist.";
      break;
    }
    SendRequest req;
    req.payload = std::move(m.payload);
    req.group_id = std::move(m.group_id);
    // A FIFO destination needs a deduplication id: the original message's id
    // makes a move repeated after a crash (the message was in both queues)
    // a duplicate there rather than a second copy.
    req.dedup_id = ToHex(m.message_id.data(), m.message_id.size());
    Result<SendResult> sent = target->Send(std::move(req));
    if (!sent.ok()) {
      *failure =
          "The destination queue " + to + " could not store a message: " + sent.status().message();
      break;
    }
    (void)from.DropMoved(m.sequence, m.generation);
    NoteRedriven(from, *target, m, sent->message_id);
    ++moved;
  }
  return moved;
}

}  // namespace ferry::engine
