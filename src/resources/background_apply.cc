#include "resources/background_apply.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace ferry::resources {

void LogReport(const std::string& path, const ApplyReport& report) {
  for (const Change& c : report.changes) {
    if (c.kind == Change::Kind::kUnchanged) continue;
    const std::string line = std::string(KindName(c.kind)) + " " + c.resource +
                             (c.detail.empty() ? "" : ": " + c.detail);
    if (c.kind == Change::Kind::kFailed) {
      spdlog::error("resources: {}", line);
    } else {
      spdlog::info("resources: {}", line);
    }
  }
  if (report.ok()) {
    spdlog::info("resources applied from {}: {}", path, report.Summary());
  } else {
    spdlog::error("resources applied from {} with failures: {}", path, report.Summary());
  }
}

BackgroundApply::BackgroundApply(std::string path, api::LocalInvoker& invoker,
                                 std::function<void()> after_each)
    : path_(std::move(path)),
      invoker_(invoker),
      after_each_(std::move(after_each)),
      thread_([this] { Loop(); }) {}

BackgroundApply::~BackgroundApply() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  invoker_.Stop();
  thread_.join();
}

void BackgroundApply::Request() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  cv_.notify_all();
}

uint64_t BackgroundApply::applies_done() const {
  std::lock_guard lock(mu_);
  return done_;
}

void BackgroundApply::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return requested_ || stop_; });
    if (stop_) return;
    requested_ = false;
    lock.unlock();
    Result<ApplyReport> report = ApplyFile(path_, invoker_);
    if (report.ok()) {
      LogReport(path_, *report);
    } else {
      spdlog::error("resources file not applied, nothing changed: {}", report.status().message());
    }
    lock.lock();
    ++done_;
    if (after_each_) {
      lock.unlock();
      after_each_();
      lock.lock();
    }
  }
}

}  // namespace ferry::resources
