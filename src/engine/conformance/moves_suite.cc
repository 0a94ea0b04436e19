// Conformance: dead-letter queues and message move tasks.
#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

TEST_P(EngineConformanceTest, AMessageReceivedMaxReceiveCountTimesMovesToTheDeadLetterQueue) {
  auto dlq = Create("dlq");
  auto src = Create("src", WithDeadLetterQueue("dlq", 2));
  const SendResult sent = Send(*src, "m");
  ReceiveAndAbandon(*src, 2);
  EXPECT_TRUE(Receive(*src).empty()) << "the third receive moves it instead of returning it";
  engine_->Tick();
  EXPECT_TRUE(WaitUntil([&] { return dlq->Stats().visible == 1; }));
  EXPECT_EQ(src->Stats().visible + src->Stats().in_flight, 0);
  auto got = Receive(*dlq);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, sent.message_id);
  EXPECT_EQ(got[0].payload, "m");
  EXPECT_EQ(got[0].dead_letter_source, "src");
  EXPECT_EQ(got[0].receive_count, 3) << "receives count across queues";
}

TEST_P(EngineConformanceTest, AFifoQueueDeadLettersAGroupsMessagesInOrder) {
  auto dlq = Create("dlq.fifo", Fifo());
  auto src = Create("src.fifo", Fifo("dlq.fifo", 1));
  SendFifo(*src, "m1", "g", "1");
  SendFifo(*src, "m2", "g", "2");
  for (int i = 0; i < 2; ++i) {
    auto got = Receive(*src, 1);
    ASSERT_EQ(got.size(), 1u);
    ASSERT_TRUE(src->ChangeVisibility(got[0].receipt_handle, 0).ok());
    Receive(*src, 10);  // moves the group's first message
    engine_->Tick();
  }
  ASSERT_TRUE(WaitUntil([&] { return dlq->Stats().visible == 2; }));
  auto got = Receive(*dlq, 10);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, "m1");
  EXPECT_EQ(got[1].payload, "m2");
  EXPECT_EQ(got[0].group_id, "g");
}

TEST_P(EngineConformanceTest, AMoveTaskMovesMessagesOnTickAtItsRateUntilDone) {
  auto dlq = Create("dlq");
  auto dest = Create("dest");
  for (int i = 0; i < 5; ++i) Send(*dlq, "m" + std::to_string(i));
  auto started = engine_->StartMoveTask("dlq", "dest", 2);
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_FALSE(started->task_id.empty());
  EXPECT_EQ(started->source_queue, "dlq");
  EXPECT_EQ(started->destination_queue, "dest");
  EXPECT_EQ(started->max_per_second, 2);
  EXPECT_EQ(started->to_move, 5);
  EXPECT_EQ(started->moved, 0);
  EXPECT_EQ(started->status, MoveTaskStatus::kRunning);
  EXPECT_EQ(started->started_ms, clock_.NowMs());

  Advance(1'000);
  const MoveTaskInfo after_1s = NewestTask("dlq");
  EXPECT_GT(after_1s.moved, 0);
  EXPECT_LE(after_1s.moved, 2) << "at most 2 a second";
  EXPECT_EQ(after_1s.status, MoveTaskStatus::kRunning);
  EXPECT_EQ(dest->Stats().visible, after_1s.moved);

  for (int i = 0; i < 10 && NewestTask("dlq").status == MoveTaskStatus::kRunning; ++i) {
    Advance(1'000);
  }
  const MoveTaskInfo done = NewestTask("dlq");
  EXPECT_EQ(done.status, MoveTaskStatus::kCompleted);
  EXPECT_EQ(done.moved, 5);
  EXPECT_EQ(dest->Stats().visible, 5);
  EXPECT_EQ(dlq->Stats().visible + dlq->Stats().in_flight, 0);
}

TEST_P(EngineConformanceTest, AMoveTaskWithoutADestinationReturnsMessagesToTheirSource) {
  auto dlq = Create("dlq");
  auto src = Create("src", WithDeadLetterQueue("dlq", 1));
  const SendResult sent = Send(*src, "m");
  ReceiveAndAbandon(*src, 1);
  EXPECT_TRUE(Receive(*src).empty());
  ASSERT_TRUE(WaitUntil([&] { return dlq->Stats().visible == 1; }));
  ASSERT_TRUE(engine_->StartMoveTask("dlq", "", 0).ok());
  for (int i = 0; i < 10 && NewestTask("dlq").status == MoveTaskStatus::kRunning; ++i) {
    Advance(1'000);
  }
  EXPECT_EQ(NewestTask("dlq").status, MoveTaskStatus::kCompleted);
  auto got = Receive(*src);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "m");
  EXPECT_NE(got[0].message_id, sent.message_id) << "moved back as a new message";
}

TEST_P(EngineConformanceTest, ACancelledMoveTaskStopsMovingAndEndsCancelled) {
  auto dlq = Create("dlq");
  auto dest = Create("dest");
  for (int i = 0; i < 5; ++i) Send(*dlq, "m" + std::to_string(i));
  auto started = engine_->StartMoveTask("dlq", "dest", 1);
  ASSERT_TRUE(started.ok());
  Advance(1'000);
  const int64_t moved = NewestTask("dlq").moved;
  auto cancelled = engine_->CancelMoveTask("dlq", started->task_id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status().message();
  EXPECT_EQ(cancelled->status, MoveTaskStatus::kRunning) << "the task as it was";
  EXPECT_EQ(NewestTask("dlq").status, MoveTaskStatus::kCancelling);
  Advance(1'000);
  Advance(1'000);
  const MoveTaskInfo after = NewestTask("dlq");
  EXPECT_EQ(after.status, MoveTaskStatus::kCancelled);
  EXPECT_EQ(after.moved, moved);
  EXPECT_EQ(dest->Stats().visible, moved);
  EXPECT_EQ(dlq->Stats().visible, 5 - moved);
  EXPECT_EQ(engine_->CancelMoveTask("dlq", started->task_id).status().code(),
            Code::kFailedPrecondition);
}

TEST_P(EngineConformanceTest, MoveTaskCallsOnUnknownQueuesOrTasksOrARunningTaskFail) {
  EXPECT_EQ(engine_->StartMoveTask("none", "", 0).status().code(), Code::kNotFound);
  EXPECT_EQ(engine_->ListMoveTasks("none", 10).status().code(), Code::kNotFound);
  EXPECT_EQ(engine_->CancelMoveTask("none", "id").status().code(), Code::kNotFound);
  auto dlq = Create("dlq");
  Create("dest");
  Send(*dlq, "m");
  ASSERT_TRUE(engine_->StartMoveTask("dlq", "dest", 1).ok());
  EXPECT_EQ(engine_->StartMoveTask("dlq", "dest", 1).status().code(), Code::kFailedPrecondition)
      << "one running task per source";
  EXPECT_EQ(engine_->CancelMoveTask("dlq", "no-such-task").status().code(), Code::kNotFound);
}

TEST_P(EngineConformanceTest, ListMoveTasksGivesTheNewestFirst) {
  Create("dlq");
  Create("dest");
  auto first = engine_->StartMoveTask("dlq", "dest", 0);
  ASSERT_TRUE(first.ok());
  Advance(1'000);  // nothing to move: done
  ASSERT_EQ(NewestTask("dlq").status, MoveTaskStatus::kCompleted);
  auto second = engine_->StartMoveTask("dlq", "dest", 0);
  ASSERT_TRUE(second.ok()) << second.status().message();
  auto all = engine_->ListMoveTasks("dlq", 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].task_id, second->task_id);
  EXPECT_EQ((*all)[1].task_id, first->task_id);
  auto one = engine_->ListMoveTasks("dlq", 1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].task_id, second->task_id);
}

TEST_P(EngineConformanceTest, DeletingAQueueForgetsItsMoveTasks) {
  Create("dlq");
  Create("dest");
  ASSERT_TRUE(engine_->StartMoveTask("dlq", "dest", 0).ok());
  ASSERT_TRUE(engine_->DeleteQueue("dlq").ok());
  clock_.Advance(engine_->queue_reuse_delay().count());
  Create("dlq");
  auto tasks = engine_->ListMoveTasks("dlq", 10);
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
}

}  // namespace
}  // namespace ferry::engine::conformance
