// BodyStore: where message payloads live, apart from the in-memory index.
//
// The engine keeps a small fixed-size entry per message and a BodyRef to its
// payload. The in-memory store keeps payloads in RAM; the durable store (the
// write-ahead log) keeps them on disk and reads them back on receive.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ferry::engine {

using BodyRef = uint64_t;

class BodyStore {
 public:
  virtual ~BodyStore() = default;
  virtual Result<BodyRef> Put(std::string_view payload) = 0;
  virtual Result<std::string> Get(BodyRef ref) const = 0;
  virtual void Release(BodyRef ref) = 0;
};

std::unique_ptr<BodyStore> NewMemoryBodyStore();

}  // namespace ferry::engine
