// LogBodyStore: message payloads that live in the write-ahead log.
//
// A durable queue writes each payload inside its kSend record, so a body's
// reference is that record's LSN and reading it back is a pread of the log
// (the page cache keeps hot bodies hot). Put is not used. The store counts
// the live bodies of each segment, so that the engine knows which segments no
// message needs any more.
//
// Thread-safety: all methods are thread-safe; mu_ guards live_.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>

#include "engine/body_store.h"
#include "storage/log.h"

namespace ferry::engine {

class LogBodyStore final : public BodyStore {
 public:
  explicit LogBodyStore(storage::Log* log) : log_(log) {}
  // Recovery counts bodies before the log is open; set once, before use.
  void set_log(storage::Log* log) { log_ = log; }

  Result<BodyRef> Put(std::string_view) override {
    return Status::Internal("durable bodies are written by their send records");
  }
  Result<std::string> Get(BodyRef ref) const override { return log_->ReadPayload(ref); }
  std::vector<Result<std::string>> GetMany(std::span<const BodyRef> refs) const override {
    return log_->ReadPayloads(refs);
  }
  void Release(BodyRef ref) override;
  // Counts a body that a send or a recovered message refers to.
  void Retain(BodyRef ref);
  // Live bodies per segment; segments absent hold none.
  std::map<uint64_t, uint64_t> LiveBySegment() const;

 private:
  storage::Log* log_;
  mutable std::mutex mu_;
  std::map<uint64_t, uint64_t> live_;  // guarded by mu_
};

}  // namespace ferry::engine
