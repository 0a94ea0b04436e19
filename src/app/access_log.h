// AccessLog: the request observer (api/request_observer.h) that writes
// request records to the log (app/logging.h), one record per request.
//
// With `all` (ferry serve --access-log) every request the gateway answers
// is logged: at info, or at warn for a server error (5xx) and a refused
// signature. Without it only those two are logged, at warn, and at most
// kBurst a second: a flood of bad signatures or a failing disk cannot fill
// the log's disk. Lines over that are counted and the count logged once
// the next second begins. The record's msg is "request"; its fields are in
// docs/logging.md.
//
// Thread-safety: OnRequest runs on any thread, concurrently. A request that
// is not logged costs two comparisons and no lock; mu_ guards the rate
// limit's window, taken only for a request that would be logged at warn
// without `all`.
#pragma once

#include <cstdint>
#include <mutex>

#include "api/request_observer.h"
#include "common/clock.h"

namespace ferry::app {

class AccessLog final : public api::RequestObserver {
 public:
  // Warn lines a second without --access-log.
  static constexpr uint64_t kBurst = 20;

  // `clock` times the rate limit; it must outlive the AccessLog.
  AccessLog(bool all, const Clock& clock) : all_(all), clock_(clock) {}
  void OnRequest(const api::RequestRecord& record) override;

  // Whether a record is one an operator must see (a server error, a
  // refused signature): logged at warn.
  static bool Notable(const api::RequestRecord& record);

 private:
  // Whether a notable record may be logged now; a refused one is counted.
  // Sets *suppressed to the count of the last window when a new one starts.
  bool Admit(uint64_t* suppressed);

  const bool all_;
  const Clock& clock_;
  std::mutex mu_;
  TimeMs window_start_ms_ = 0;  // guarded by mu_
  uint64_t in_window_ = 0;      // guarded by mu_
  uint64_t suppressed_ = 0;     // guarded by mu_
};

}  // namespace ferry::app
