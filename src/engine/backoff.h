// Redelivery backoff: a queue setting that makes each receive of a message
// that came back unacknowledged hide it for longer than the one before, so a
// consumer that crashes or fails on it does not hammer a failing downstream
// (docs/extensions/backoff.md; the SQS attribute FerryRedeliveryBackoff).
//
// A receive that brings a message's receive count to n hides it for the
// visibility timeout T plus
//   backoff(1) = 0,  backoff(n >= 2) = min(M, B * 2^(n-2))   (exponential)
//                                      min(M, B * (n-1))     (linear)
// jittered (none: as is; full: uniform in [0, backoff]; equal: backoff/2 +
// uniform in [0, backoff/2]), in milliseconds, and T + backoff is at most
// kMaxVisibilityS. The first receive is SQS's; the jitter never shortens T.
//
// Thread-safety: the functions are pure; a RandomSource is called by one
// thread at a time (a queue calls its own under its mutex).
#pragma once

#include <cstdint>
#include <functional>

#include "common/clock.h"

namespace ferry::engine {

// SQS's longest visibility timeout, 12 hours: the most a backoff may hide a
// message for, the visibility timeout included.
inline constexpr int64_t kMaxVisibilityS = 43200;

enum class BackoffFunction : uint8_t { kNone, kExponential, kLinear };
enum class BackoffJitter : uint8_t { kNone, kFull, kEqual };

// A queue's redelivery backoff; function kNone: none (the default).
// Validated by the API layer: 1 <= base_s <= max_s <= kMaxVisibilityS.
struct RedeliveryBackoff {
  BackoffFunction function = BackoffFunction::kNone;
  int64_t base_s = 0;
  int64_t max_s = 0;
  BackoffJitter jitter = BackoffJitter::kNone;

  bool enabled() const { return function != BackoffFunction::kNone; }
  bool operator==(const RedeliveryBackoff&) const = default;
};

// Uniformly distributed 64-bit values: the jitter's randomness. Injected so
// that tests are deterministic.
using RandomSource = std::function<uint64_t()>;
// A small pseudo-random generator (splitmix64) seeded from the system's
// secure generator: cheap enough to draw under a queue's mutex.
RandomSource SeededRandomSource();

// The backoff, before jitter and in milliseconds, of the receive that brings
// a message's receive count to `receive_count`: 0 for the first receive and
// when `b` is not enabled, else the schedule above, capped at max_s.
int64_t BackoffMs(const RedeliveryBackoff& b, uint32_t receive_count);
// `backoff_ms` jittered, `random` a uniformly distributed value.
int64_t JitteredMs(int64_t backoff_ms, BackoffJitter jitter, uint64_t random);
// When a message received at `now` with the visibility deadline `deadline`
// (now + T) becomes visible again: deadline plus its jittered backoff, at
// most now + kMaxVisibilityS (never before `deadline`). `random` is called
// only for a jittered, non-zero backoff.
TimeMs RedeliveryDeadline(const RedeliveryBackoff& b, uint32_t receive_count, TimeMs now,
                          TimeMs deadline, const RandomSource& random);

}  // namespace ferry::engine
