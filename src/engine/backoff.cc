#include "engine/backoff.h"

#include <algorithm>

#include "common/crypto.h"

namespace ferry::engine {
namespace {

// B * 2^s exceeds kMaxVisibilityS for any B >= 1 once s reaches this, so
// larger exponents are capped without shifting.
constexpr uint32_t kMaxShift = 16;
static_assert((int64_t{1} << kMaxShift) > kMaxVisibilityS);

}  // namespace

RandomSource SeededRandomSource() {
  uint64_t state = 0;
  BufferedRandomBytes(reinterpret_cast<unsigned char*>(&state), sizeof state);
  return [state]() mutable {
    uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  };
}

int64_t BackoffMs(const RedeliveryBackoff& b, uint32_t receive_count) {
  if (!b.enabled() || receive_count < 2) return 0;
  const uint32_t step = receive_count - 2;  // earlier receives beyond the first
  int64_t seconds = b.max_s;
  if (b.function == BackoffFunction::kLinear) {
    seconds = b.base_s * (int64_t{step} + 1);
  } else if (step < kMaxShift) {
    seconds = b.base_s << step;
  }
  return SecondsToMs(std::min(seconds, b.max_s));
}

int64_t JitteredMs(int64_t backoff_ms, BackoffJitter jitter, uint64_t random) {
  if (backoff_ms <= 0) return 0;
  switch (jitter) {
    case BackoffJitter::kNone:
      return backoff_ms;
    case BackoffJitter::kFull:
      return static_cast<int64_t>(random % (static_cast<uint64_t>(backoff_ms) + 1));
    case BackoffJitter::kEqual: {
      const int64_t half = backoff_ms / 2;
      return backoff_ms - half + static_cast<int64_t>(random % (static_cast<uint64_t>(half) + 1));
    }
  }
  return backoff_ms;
}

TimeMs RedeliveryDeadline(const RedeliveryBackoff& b, uint32_t receive_count, TimeMs now,
                          TimeMs deadline, const RandomSource& random) {
  const int64_t backoff_ms = BackoffMs(b, receive_count);
  if (backoff_ms == 0) return deadline;
  const uint64_t draw = b.jitter == BackoffJitter::kNone ? 0 : random();
  const TimeMs latest = std::max(deadline, now + SecondsToMs(kMaxVisibilityS));
  return std::min(deadline + JitteredMs(backoff_ms, b.jitter, draw), latest);
}

}  // namespace ferry::engine
