// LocalQueue, part 4: a message dead-lettered on request (Queue::DeadLetter),
// for push consumers whose endpoint refused a batch for good (src/push). The
// move itself is the mover's, as for a dead letter after maxReceiveCount
// receives (dead_letter.h): stored in the DLQ first, then dropped here.
#include "engine/local_queue.h"
#include "engine/receipt_handle.h"

namespace ferry::engine {

Status LocalQueue::DeadLetter(std::string_view receipt_handle) {
  std::optional<ReceiptHandle> h = DecodeReceiptHandle(receipt_handle);
  if (!h || h->incarnation != incarnation_) {
    return Status::InvalidArgument("the receipt handle is not valid for this queue");
  }
  std::vector<MovingMessage> moving;
  std::vector<BodyRef> bodies;
  std::string dlq;
  {
    std::lock_guard lock(mu_);
    const MessageEntry* e = index_.Find(h->seq);
    if (e == nullptr || e->receive_count != h->generation || e->state != MessageState::kInFlight) {
      return Status::NotFound("the message is not in flight under this receipt handle");
    }
    if (settings_.dead_letter_queue.empty()) {
      return Status::FailedPrecondition("the queue has no dead-letter queue");
    }
    dlq = settings_.dead_letter_queue;
    // Stays in flight under its current generation while it moves: DropMoved
    // removes it only if no receive took it meanwhile.
    AppendMovingLocked(*e, &moving, &bodies);
  }
  ReadMovingPayloads(&moving, bodies);
  if (moving.empty()) return Status::Unavailable("the message's body could not be read");
  const size_t moved = mover_ ? mover_->ToDeadLetterQueue(*this, dlq, std::move(moving)) : 0;
  if (moved == 0) {
    return Status::FailedPrecondition("the dead-letter queue " + dlq +
                                      " could not store the message");
  }
  std::lock_guard lock(mu_);
  moved_to_dead_letter_ += moved;
  return Status::Ok();
}

}  // namespace ferry::engine
