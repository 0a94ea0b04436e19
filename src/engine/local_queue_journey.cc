// LocalQueue, part 5: its message journeys (journey.h) as the engine's
// interfaces show them: Queue::Journey and MovableQueue::NoteJourney. The
// hooks that feed the journey sit where each change happens.
#include "engine/local_queue.h"

namespace ferry::engine {

std::vector<JourneyEntry> LocalQueue::Journey(std::string_view message_id) const {
  std::optional<std::array<uint8_t, 16>> id = ParseMessageId(message_id);
  if (!id) return {};
  std::lock_guard lock(mu_);
  return journey_.Find(*id);
}

void LocalQueue::NoteJourney(JourneyKind kind, const std::array<uint8_t, 16>& id,
                             uint32_t receive_count, std::string_view detail) {
  std::lock_guard lock(mu_);
  journey_.NoteMove(kind, id, receive_count, detail);
}

}  // namespace ferry::engine
