// LocalQueue, part 5: scheduled delivery — a send's delay as an absolute
// time (SendRequest::deliver_at_ms) and Cancel, the removal of a message
// that is still delayed. A scheduled message is an ordinary delayed message:
// one MessageEntry with its visible-at time and one element in timers_, so
// a delay of a week costs the RAM of a delay of a second, and the send
// record and checkpoint carry its visible-at time as for any delay.
//
// Cancel has no id index to use (one would cost RAM per message): it scans
// the index's tables, which are contiguous 64-byte entries, comparing the
// raw 16-byte ids under the queue's mutex. That is linear in the queue's
// message count and measured in local_queue_schedule_test.cc (about 17 ms
// per million stored messages on a busy two-core machine; docs/extensions/
// schedule.md has the figure). The cancel itself is a Delete record, the
// same record DeleteMessage writes, so recovery needs nothing new. The
// locking rules are in local_queue.h.
#include <algorithm>
#include <cctype>

#include "engine/local_queue.h"

namespace ferry::engine {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

}  // namespace

std::optional<std::array<uint8_t, 16>> ParseMessageId(std::string_view id) {
  // 8-4-4-4-12 hex digits.
  if (id.size() != 36) return std::nullopt;
  std::array<uint8_t, 16> out{};
  size_t byte = 0;
  for (size_t i = 0; i < id.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int hi = HexValue(id[i]);
    const int lo = HexValue(id[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return out;
}

int64_t LocalQueue::DelayMsOf(const SendRequest& req, TimeMs now) {
  if (req.deliver_at_ms > 0) return std::max<TimeMs>(req.deliver_at_ms - now, 0);
  return req.delay_s >= 0 ? SecondsToMs(req.delay_s) : -1;
}

Result<CancelOutcome> LocalQueue::Cancel(std::string_view message_id) {
  const std::optional<std::array<uint8_t, 16>> id = ParseMessageId(message_id);
  if (!id) return Status::InvalidArgument("not a message id: " + std::string(message_id));
  const TimeMs now = clock_.NowMs();
  std::vector<BodyRef> released;
  Callbacks wake;
  Result<CancelOutcome> outcome = CancelOutcome::kNotFound;
  {
    std::lock_guard lock(mu_);
    // Due messages become visible first, so a message whose time has come is
    // AlreadyVisible, never cancelled late.
    int64_t became_visible = AdvanceLocked(now, &released);
    MessageEntry* e = index_.FindIf([&](const MessageEntry& m) { return m.message_id == *id; });
    if (e == nullptr) {
      outcome = CancelOutcome::kNotFound;
    } else if (e->state != MessageState::kDelayed) {
      outcome = CancelOutcome::kAlreadyVisible;
    } else if (Status logged = journal_->Delete(e->seq); !logged.ok()) {
      outcome = logged;  // the log refuses records: nothing changes
    } else {
      // Its timers_ element goes stale and is skipped (or compacted away).
      // In a FIFO queue the group's next message may now lead it: one
      // watcher is woken to look.
      if (fifo_) ++became_visible;
      journey_.NoteCancelled(*e);
      RemoveLocked(e, &released);
      CompactLocked();
      outcome = CancelOutcome::kCancelled;
    }
    wake = TakeWatchersLocked(became_visible);
  }
  RunAll(wake);
  ReleaseBodies(released);
  return outcome;
}

}  // namespace ferry::engine
