// Dead letters and moves between queues: the one place that decides when a
// message received too often leaves its queue, and that carries messages from
// one queue to another (to a dead-letter queue, or back out of one by a
// message move task). Every kind of queue calls it the same way:
//
//   1. Under its own mutex, Receive asks MustDeadLetter(settings, count) of
//      each message it is about to hand out. A message that must go is not
//      returned: it is left in flight with no receipt handle issued (no log
//      record; after a crash it is simply visible again) and collected as a
//      MovingMessage. TakeForMove does the same for a move task.
//   2. With the mutex released, the queue reads the payloads and calls
//      QueueMover::ToDeadLetterQueue (or the engine calls Redrive).
//   3. The mover appends the message to the destination (AcceptMoved or Send)
//      and then calls DropMoved on the source, which appends the delete. Both
//      records reach the log in that order, so they share a group-commit
//      batch or the send comes first: a crash between them leaves the message
//      in both queues (at least once), never in neither.
//
// Thread-safety: QueueMover is thread-safe; mu_ guards find_. It takes no
// queue lock itself; the queues it calls take their own, one at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "engine/journey.h"
#include "engine/types.h"

namespace ferry::engine {

// A queue that messages can be moved into and out of: the hooks the mover
// and move tasks use, kept off the public Queue interface. A queue's Receive
// must divert a message for which MustDeadLetter holds, as described above.
class MovableQueue : public Queue {
 public:
  // Takes up to `max` visible messages, oldest first, out of circulation (in
  // flight for the queue's visibility timeout, no handle issued, nothing
  // logged) and returns them with their payloads.
  virtual Result<std::vector<MovingMessage>> TakeForMove(int max) = 0;
  // Stores a message dead-lettered from another queue, visible at once.
  // Fails only when the log does (kUnavailable).
  virtual Status AcceptMoved(MovedMessage m) = 0;
  // Deletes a message taken for a move, unless it changed since (it was
  // deleted, or received again: its receive count is not `generation`).
  virtual Status DropMoved(uint64_t sequence, uint32_t generation) = 0;
  // Records a move of message `id` in this queue's journey (journey.h), if
  // it keeps one: the mover calls it once both sides took the move.
  virtual void NoteJourney(JourneyKind kind, const std::array<uint8_t, 16>& id,
                           uint32_t receive_count, std::string_view detail) {}
};

// True when a message that has already been received `receive_count` times
// must be moved to the queue's dead-letter queue by the receive now taking
// it, instead of being returned.
inline bool MustDeadLetter(const QueueSettings& settings, uint32_t receive_count) {
  return !settings.dead_letter_queue.empty() && settings.max_receive_count > 0 &&
         receive_count >= static_cast<uint64_t>(settings.max_receive_count);
}

// At most this many messages are diverted to a dead-letter queue by one
// receive, so that a receive's work stays bounded.
inline constexpr size_t kMaxDeadLettersPerReceive = 100;

class QueueMover {
 public:
  using Finder = std::function<std::shared_ptr<MovableQueue>(const std::string& name)>;
  explicit QueueMover(Finder find) : find_(std::move(find)) {}

  // The engine is going away: later moves find no queue (messages stay put).
  void Detach();

  // Stores each message in the dead-letter queue named `dlq` (same id, body,
  // attributes, group and, unless the DLQ is FIFO, send time), then drops it
  // from `from`. A message the DLQ
  // cannot take (it was deleted, the log fails) stays in `from`, in flight
  // until its visibility deadline; a later receive tries again. Returns how
  // many the DLQ stored.
  size_t ToDeadLetterQueue(MovableQueue& from, const std::string& dlq,
                         std::vector<MovingMessage> messages);

  // A move task's step: stores each message as a new message (new id, sent
  // now, same body, attributes and group; into a FIFO queue deduplicated by
  // the original message id) in `destination`, or, when that is empty,
  // in the queue it was dead-lettered from; then drops it from `from`.
  // Returns how many moved. Stops at the first message that cannot move and
  // describes why in *failure (the rest stay in flight in `from`).
  int64_t Redrive(MovableQueue& from, const std::string& destination,
                  std::vector<MovingMessage> messages, std::string* failure);

 private:
  std::shared_ptr<MovableQueue> Find(const std::string& name);

  std::mutex mu_;
  Finder find_;  // guarded by mu_; empty once detached
};

}  // namespace ferry::engine
