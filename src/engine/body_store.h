// BodyStore: where message payloads live, apart from the in-memory index.
//
// The engine keeps a small fixed-size entry per message and a BodyRef to its
// payload. The in-memory store keeps payloads in RAM; the durable store (the
// write-ahead log) keeps them on disk and reads them back on receive.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ferry::engine {

using BodyRef = uint64_t;

class BodyStore {
 public:
  virtual ~BodyStore() = default;
  virtual Result<BodyRef> Put(std::string_view payload) = 0;
  virtual Result<std::string> Get(BodyRef ref) const = 0;
  // Get of each ref, in order. A store that can read several bodies at once
  // (the log: neighbours with one pread) overrides it.
  virtual std::vector<Result<std::string>> GetMany(std::span<const BodyRef> refs) const {
    std::vector<Result<std::string>> out;
    out.reserve(refs.size());
    for (BodyRef ref : refs) out.push_back(Get(ref));
    return out;
  }
  virtual void Release(BodyRef ref) = 0;
};

std::unique_ptr<BodyStore> NewMemoryBodyStore();

}  // namespace ferry::engine
