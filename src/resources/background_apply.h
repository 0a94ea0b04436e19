// BackgroundApply: applies the resources file inside the server, on a
// thread of its own: once at start and again each time Request() is called
// (SIGHUP). The invoker blocks until each answer is in, and the answers of
// durable actions come on the io threads, so the apply must never run on
// one of those; the SIGHUP reloader, which does, only calls Request().
//
// One apply at a time: a Request() during an apply queues one more (several
// queue one), so the file's latest contents are always applied last. Each
// apply logs its report: the summary, and one line per created, updated or
// failed resource; a file that does not validate is logged as an error and
// changes nothing.
//
// Thread-safety: Request() and applies_done() may be called from any thread.
// The destructor stops the invoker (ending a wait under way) and joins the
// thread; the invoker and the services behind it must outlive this object.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "api/local_invoker.h"
#include "resources/apply.h"

namespace ferry::resources {

// Logs one apply's report (info; failures as errors).
void LogReport(const std::string& path, const ApplyReport& report);

class BackgroundApply {
 public:
  // `after_each` runs on the apply thread after every apply (the server
  // wakes its io loop with it while it waits for the first one at start).
  BackgroundApply(std::string path, api::LocalInvoker& invoker,
                  std::function<void()> after_each = {});
  ~BackgroundApply();

  BackgroundApply(const BackgroundApply&) = delete;
  BackgroundApply& operator=(const BackgroundApply&) = delete;

  // Asks for one more apply of the file; returns at once.
  void Request();
  // How many applies have finished (whatever their outcome).
  uint64_t applies_done() const;

 private:
  void Loop();

  const std::string path_;
  api::LocalInvoker& invoker_;
  const std::function<void()> after_each_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  uint64_t done_ = 0;       // guarded by mu_
  std::thread thread_;      // last: starts once the rest is set
};

}  // namespace ferry::resources
