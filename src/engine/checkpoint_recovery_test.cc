// Recovery from a checkpoint: the state a checkpoint holds comes back whole,
// and the log after it is applied on top.
#include <set>

#include "engine/durable_test_util.h"

namespace ferry::engine::testing {
namespace {

class CheckpointRecoveryTest : public DurableEngineTest {};

TEST_F(CheckpointRecoveryTest, EveryCheckpointedMessageComesBackAfterARestart) {
  Open();
  auto q = Create("backlog");
  constexpr int kN = 50'000;
  for (int i = 0; i < kN; ++i) Send(*q, "m" + std::to_string(i));
  // A few in flight, a few deleted before the checkpoint.
  auto got = Receive(*q, 10, 600);
  ASSERT_EQ(got.size(), 10u);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q->Delete(got[i].receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());
  ASSERT_TRUE(engine_->Checkpoint().ok());
  // The log after the checkpoint: one more send, one more delete.
  Send(*q, "after");
  ASSERT_TRUE(q->Delete(got[5].receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();

  RecoveryReport report;
  engine_.reset();
  Open(&report);
  EXPECT_TRUE(report.from_checkpoint);
  EXPECT_EQ(report.messages, static_cast<uint64_t>(kN - 6 + 1));
  q = Find("backlog");
  QueueStats stats = q->Stats();
  EXPECT_EQ(stats.visible, kN - 10 + 1);
  EXPECT_EQ(stats.in_flight, 4);
  // The in-flight handles handed out before the checkpoint still delete.
  for (int i = 6; i < 10; ++i) EXPECT_TRUE(q->Delete(got[i].receipt_handle).ok());
  std::set<std::string> bodies;
  for (const auto& m : ReceiveAll(*q)) bodies.insert(m.payload);
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kN - 10 + 1));
  EXPECT_TRUE(bodies.count("after"));
  EXPECT_TRUE(bodies.count("m" + std::to_string(kN - 1)));
  EXPECT_EQ(q->Stats().in_flight, kN - 10 + 1);
}

}  // namespace
}  // namespace ferry::engine::testing
