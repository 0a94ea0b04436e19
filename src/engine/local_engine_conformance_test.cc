// Runs the engine conformance suite over LocalEngine: in memory, and durable
// over a write-ahead log in a temporary directory, restarting from the log
// alone or from a checkpoint written first.
#include <memory>

#include "engine/conformance/suite.h"
#include "engine/local_engine.h"
#include "storage/log_test_util.h"

namespace ferry::engine::conformance {
namespace {

class MemoryFactory final : public EngineFactory {
 public:
  std::unique_ptr<Engine> Make(const Clock& clock) override {
    return std::make_unique<LocalEngine>(clock, NewMemoryBodyStore());
  }
};

class DurableFactory final : public EngineFactory {
 public:
  explicit DurableFactory(bool checkpoint) : checkpoint_(checkpoint) {}
  std::unique_ptr<Engine> Make(const Clock& clock) override { return Reopen(clock); }
  void BeforeRestart(Engine& engine) override {
    if (!checkpoint_) return;
    Status st = static_cast<LocalEngine&>(engine).Checkpoint();
    EXPECT_TRUE(st.ok()) << st.message();
  }
  // The directory is the engine's whole state: opening it again restarts.
  std::unique_ptr<Engine> Reopen(const Clock& clock) override {
    DurableOptions options;
    options.dir = dir_.path();
    options.segment_bytes = 1u << 20;  // each segment is zero-filled when created
    auto opened = LocalEngine::OpenDurable(clock, std::move(options));
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

 private:
  const bool checkpoint_;
  storage::testing::TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(
    LocalEngine, EngineConformanceTest,
    ::testing::Values(
        EngineParam{"Memory", [] { return std::make_unique<MemoryFactory>(); }},
        EngineParam{"Durable", [] { return std::make_unique<DurableFactory>(false); }},
        EngineParam{"Checkpointed", [] { return std::make_unique<DurableFactory>(true); }}),
    ParamName);

}  // namespace
}  // namespace ferry::engine::conformance
