// Clock: the only source of time for the engine, so that visibility, delay,
// retention and dedup windows are tested with a FakeClock and no sleeps.
// Times are milliseconds since the Unix epoch.
//
// Thread-safety: SystemClock is stateless; FakeClock is safe to read from any
// thread and is advanced by the test that owns it.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace ferry {

using TimeMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// Seconds from callers are validated by the API layer; clamping to a century
// keeps time arithmetic free of overflow whatever arrives.
inline TimeMs SecondsToMs(int64_t s) {
  constexpr int64_t kMaxSeconds = int64_t{100} * 365 * 24 * 3600;
  return std::clamp<int64_t>(s, 0, kMaxSeconds) * 1000;
}

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimeMs start = 1'700'000'000'000) : now_(start) {}
  TimeMs NowMs() const override { return now_.fetch_add(tick_.load()); }
  void Advance(TimeMs ms) { now_ += ms; }
  void Set(TimeMs ms) { now_ = ms; }
  // Every later read moves the clock on by `ms` (0: never): a test's way to
  // catch code that reads the clock twice where it means one moment.
  void TickOnEveryRead(TimeMs ms) { tick_ = ms; }

 private:
  mutable std::atomic<TimeMs> now_;
  std::atomic<TimeMs> tick_{0};
};

}  // namespace ferry
