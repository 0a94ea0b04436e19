// Dead-letter queues and message move tasks, in memory and across restarts.
#include "engine/dead_letter.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/durable_test_util.h"
#include "engine/engine.h"
#include "engine/queue_test_util.h"

namespace ferry::engine {
namespace {

using testing::DurableEngineTest;

QueueSettings WithDlq(const std::string& dlq, int64_t max_receives, int64_t visibility_s = 30) {
  QueueSettings s;
  s.dead_letter_queue = dlq;
  s.max_receive_count = max_receives;
  s.visibility_timeout_s = visibility_s;
  return s;
}

// Runs over both journals: an in-memory and a durable engine.
class DeadLetterTest : public testing::JournalEngineTest {
 protected:
  static SendResult Send(Queue& q, const std::string& payload) {
    SendRequest req;
    req.payload = payload;
    auto r = q.Send(std::move(req));
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SendResult{};
  }

  static std::vector<ReceivedMessage> Receive(Queue& q, int max = 10) {
    ReceiveRequest req;
    req.max_messages = max;
    auto r = q.Receive(req);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<ReceivedMessage>{};
  }

  // Receives `n` times, letting the 30 s visibility timeout pass after each.
  void ReceiveAndAbandon(Queue& q, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(Receive(q).size(), 1u) << "receive " << i + 1;
      clock_.Advance(30'000);
    }
  }

  MoveTaskInfo Task(const std::string& source) {
    auto tasks = engine_->ListMoveTasks(source, 1);
    EXPECT_TRUE(tasks.ok());
    EXPECT_FALSE(tasks->empty());
    return tasks.ok() && !tasks->empty() ? tasks->front() : MoveTaskInfo{};
  }
};

INSTANTIATE_TEST_SUITE_P(Journals, DeadLetterTest, testing::JournalKinds(), testing::JournalName);

TEST_P(DeadLetterTest, MustDeadLetterOnlyWithAPolicyAndAfterMaxReceives) {
  EXPECT_FALSE(MustDeadLetter(QueueSettings{}, 1000));
  EXPECT_FALSE(MustDeadLetter(WithDlq("dlq", 3), 2));
  EXPECT_TRUE(MustDeadLetter(WithDlq("dlq", 3), 3));
  EXPECT_TRUE(MustDeadLetter(WithDlq("dlq", 3), 4));
}

TEST_P(DeadLetterTest, ReceiveAfterMaxReceiveCountMovesTheMessageInstead) {
  auto dlq = Create("dlq");
  auto src = Create("src", WithDlq("dlq", 2));
  const TimeMs sent_at = clock_.NowMs();
  SendResult sent = Send(*src, "payload");
  ReceiveAndAbandon(*src, 2);

  EXPECT_TRUE(Receive(*src).empty());  // the third receive moves it
  EXPECT_EQ(src->Stats().visible + src->Stats().in_flight, 0);
  auto got = Receive(*dlq);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, sent.message_id);
  EXPECT_EQ(got[0].payload, "payload");
  EXPECT_EQ(got[0].sent_ms, sent_at);
  // Receives count across queues, as on AWS: maxReceiveCount + 1.
  EXPECT_EQ(got[0].receive_count, 3);
  EXPECT_EQ(got[0].first_receive_ms, sent_at);
  EXPECT_EQ(got[0].dead_letter_source, "src");
  if (live_bodies()) {
    EXPECT_EQ(*live_bodies(), 1);
  }
}

TEST_P(DeadLetterTest, DivertedMessagesDoNotTakeTheOtherMessagesPlace) {
  Create("dlq");
  auto src = Create("src", WithDlq("dlq", 1));
  Send(*src, "old");
  ReceiveAndAbandon(*src, 1);
  Send(*src, "new");
  auto got = Receive(*src, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "new");
  EXPECT_EQ(engine_->FindQueue("dlq")->Stats().visible, 1);
}

TEST_P(DeadLetterTest, MessageStaysInItsQueueWhileTheDeadLetterQueueIsMissing) {
  auto src = Create("src", WithDlq("gone", 1));
  Send(*src, "m");
  ReceiveAndAbandon(*src, 1);
  EXPECT_TRUE(Receive(*src).empty());
  EXPECT_EQ(src->Stats().in_flight, 1);
  clock_.Advance(30'000);
  Create("gone");
  EXPECT_TRUE(Receive(*src).empty());
  EXPECT_EQ(engine_->FindQueue("gone")->Stats().visible, 1);
  EXPECT_EQ(src->Stats().in_flight + src->Stats().visible, 0);
}

TEST_P(DeadLetterTest, DropMovedLeavesAMessageThatChangedSinceItWasTaken) {
  auto q = std::dynamic_pointer_cast<MovableQueue>(Create("q"));
  Send(*q, "m");
  auto taken = q->TakeForMove(10);
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ(q->Stats().in_flight, 1);
  clock_.Advance(30'000);  // back to visible, then received
  ASSERT_EQ(Receive(*q).size(), 1u);
  ASSERT_TRUE(q->DropMoved((*taken)[0].sequence, (*taken)[0].generation).ok());
  EXPECT_EQ(q->Stats().in_flight, 1) << "a receive since makes the move stale";
  auto again = q->TakeForMove(10);
  EXPECT_TRUE(again.ok() && again->empty()) << "in-flight messages are not taken";
}

TEST_P(DeadLetterTest, DeadLetterQueueRetentionCountsFromTheOriginalSendTime) {
  QueueSettings dlq_settings;
  dlq_settings.retention_s = 60;
  auto dlq = Create("dlq", dlq_settings);
  auto src = Create("src", WithDlq("dlq", 1, 40));
  Send(*src, "old");  // t = 0
  ASSERT_EQ(Receive(*src).size(), 1u);
  clock_.Advance(40'000);              // t = 40
  Send(*dlq, "direct");                // sent at 40, ahead of the moved one in the DLQ
  EXPECT_TRUE(Receive(*src).empty());  // moved at 40, sent at 0
  EXPECT_EQ(dlq->Stats().visible, 2);
  clock_.Advance(20'000);  // t = 60: the moved message is 60 s old
  EXPECT_EQ(dlq->Stats().visible, 1);
  auto got = Receive(*dlq);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "direct");
  if (live_bodies()) {
    EXPECT_EQ(*live_bodies(), 1);
  }
}

TEST_P(DeadLetterTest, MoveTaskHonoursTheRateAndCompletes) {
  auto dlq = Create("dlq");
  auto dest = Create("dest");
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) ids.insert(Send(*dlq, "m" + std::to_string(i)).message_id);
  auto started = engine_->StartMoveTask("dlq", "dest", 2);
  ASSERT_TRUE(started.ok()) << started.status().message();
  EXPECT_EQ(started->to_move, 10);
  EXPECT_EQ(started->status, MoveTaskStatus::kRunning);

  for (int tick = 0; tick < 10; ++tick) {  // 1 s in 100 ms ticks
    clock_.Advance(100);
    engine_->Tick();
  }
  EXPECT_EQ(Task("dlq").moved, 2);
  EXPECT_EQ(dest->Stats().visible, 2);
  for (int s = 0; s < 4; ++s) {
    clock_.Advance(1'000);
    engine_->Tick();
  }
  MoveTaskInfo done = Task("dlq");
  EXPECT_EQ(done.moved, 10);
  EXPECT_EQ(done.status, MoveTaskStatus::kCompleted);
  EXPECT_EQ(dlq->Stats().visible, 0);
  auto moved = Receive(*dest);
  EXPECT_EQ(moved.size(), 10u);
  EXPECT_EQ(moved.front().payload, "m0");  // oldest first
  for (const auto& m : moved)
    EXPECT_FALSE(ids.contains(m.message_id)) << "redrive makes new messages";
}

TEST_P(DeadLetterTest, MoveTaskWithoutDestinationReturnsEachMessageToItsSource) {
  Create("dlq");
  auto a = Create("a", WithDlq("dlq", 1));
  auto b = Create("b", WithDlq("dlq", 1));
  Send(*a, "from a");
  Send(*b, "from b");
  ReceiveAndAbandon(*a, 1);
  ReceiveAndAbandon(*b, 1);
  EXPECT_TRUE(Receive(*a).empty());
  EXPECT_TRUE(Receive(*b).empty());
  ASSERT_TRUE(engine_->StartMoveTask("dlq", "", 0).ok());
  clock_.Advance(1'000);
  engine_->Tick();
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCompleted);
  auto got_a = Receive(*a);
  auto got_b = Receive(*b);
  ASSERT_EQ(got_a.size(), 1u);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_a[0].payload, "from a");
  EXPECT_EQ(got_b[0].payload, "from b");
  EXPECT_EQ(got_a[0].receive_count, 1);
}

TEST_P(DeadLetterTest, MoveTaskBackToSourcesFailsForAMessageThatHasNone) {
  auto dlq = Create("dlq");
  Send(*dlq, "sent directly");
  ASSERT_TRUE(engine_->StartMoveTask("dlq", "", 0).ok());
  clock_.Advance(1'000);
  engine_->Tick();
  MoveTaskInfo t = Task("dlq");
  EXPECT_EQ(t.status, MoveTaskStatus::kFailed);
  EXPECT_FALSE(t.failure_reason.empty());
  EXPECT_EQ(t.moved, 0);
}

TEST_P(DeadLetterTest, OneActiveTaskPerSource) {
  auto dlq = Create("dlq");
  Create("dest");
  Send(*dlq, "m");
  ASSERT_TRUE(engine_->StartMoveTask("dlq", "dest", 1).ok());
  EXPECT_EQ(engine_->StartMoveTask("dlq", "dest", 1).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(engine_->StartMoveTask("nope", "dest", 1).status().code(), Code::kNotFound);
  clock_.Advance(1'000);
  engine_->Tick();
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCompleted);
  EXPECT_TRUE(engine_->StartMoveTask("dlq", "dest", 1).ok());  // the first one finished
  EXPECT_EQ(engine_->ListMoveTasks("dlq", 10)->size(), 2u);
}

TEST_P(DeadLetterTest, CancelStopsTheTask) {
  auto dlq = Create("dlq");
  auto dest = Create("dest");
  for (int i = 0; i < 5; ++i) Send(*dlq, "m");
  auto task = engine_->StartMoveTask("dlq", "dest", 1);
  ASSERT_TRUE(task.ok());
  clock_.Advance(1'000);
  engine_->Tick();
  auto cancelled = engine_->CancelMoveTask("dlq", task->task_id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->moved, 1);
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCancelling);
  clock_.Advance(5'000);
  engine_->Tick();
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCancelled);
  EXPECT_EQ(dest->Stats().visible, 1);
  EXPECT_EQ(dlq->Stats().visible, 4);
  EXPECT_EQ(engine_->CancelMoveTask("dlq", task->task_id).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(engine_->CancelMoveTask("dlq", "no-such-task").status().code(), Code::kNotFound);
}

TEST_P(DeadLetterTest, ListKeepsTheTenNewestTasksNewestFirst) {
  Create("dlq");
  Create("dest");
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    auto t = engine_->StartMoveTask("dlq", "dest", 1);
    ASSERT_TRUE(t.ok());
    ids.push_back(t->task_id);
    clock_.Advance(1'000);
    engine_->Tick();  // nothing to move: completes
  }
  auto list = engine_->ListMoveTasks("dlq", 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 10u);
  EXPECT_EQ(list->front().task_id, ids.back());
  EXPECT_EQ(list->back().task_id, ids[2]);
  EXPECT_EQ(engine_->ListMoveTasks("dlq", 1)->size(), 1u);
  EXPECT_EQ(engine_->ListMoveTasks("missing", 1).status().code(), Code::kNotFound);
}

TEST_P(DeadLetterTest, DeletingTheSourceForgetsItsTasks) {
  Create("dlq");
  ASSERT_TRUE(engine_->StartMoveTask("dlq", "", 0).ok());
  ASSERT_TRUE(engine_->DeleteQueue("dlq").ok());
  clock_.Advance(60'000);
  Create("dlq");
  EXPECT_TRUE(engine_->ListMoveTasks("dlq", 10)->empty());
}

class DurableDeadLetterTest : public DurableEngineTest, public ::testing::WithParamInterface<bool> {
 protected:
  DurableDeadLetterTest() { checkpoint_on_restart_ = GetParam(); }

  MoveTaskInfo Task(const std::string& source) {
    auto tasks = engine_->ListMoveTasks(source, 1);
    EXPECT_TRUE(tasks.ok() && !tasks->empty());
    return tasks.ok() && !tasks->empty() ? tasks->front() : MoveTaskInfo{};
  }
};

TEST_P(DurableDeadLetterTest, DeadLetteredMessageSurvivesRestartWithItsSource) {
  Open();
  Create("dlq");
  auto src = Create("src", WithDlq("dlq", 1));
  const SendResult sent = Send(*src, "payload");
  const TimeMs sent_at = clock_.NowMs();
  ASSERT_EQ(Receive(*src).size(), 1u);
  clock_.Advance(30'000);
  EXPECT_TRUE(Receive(*src).empty());
  ASSERT_TRUE(WaitDurable().ok());
  src.reset();
  Restart();

  EXPECT_EQ(Find("src")->Stats().visible + Find("src")->Stats().in_flight, 0);
  EXPECT_EQ(Find("src")->settings().dead_letter_queue, "dlq");
  EXPECT_EQ(Find("src")->settings().max_receive_count, 1);
  auto got = Receive(*Find("dlq"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, sent.message_id);
  EXPECT_EQ(got[0].payload, "payload");
  EXPECT_EQ(got[0].dead_letter_source, "src");
  EXPECT_EQ(got[0].receive_count, 2) << "the source's receive carries over the restart";
  EXPECT_EQ(got[0].first_receive_ms, sent_at);
  ASSERT_TRUE(WaitDurable().ok());
  Restart();  // once more, now that it was received in the DLQ
  clock_.Advance(30'000);
  got = Receive(*Find("dlq"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].dead_letter_source, "src");
  EXPECT_EQ(got[0].receive_count, 3);
  EXPECT_EQ(got[0].first_receive_ms, sent_at);
}

TEST_P(DurableDeadLetterTest, MoveTaskResumesAfterRestartAndCompletes) {
  Open();
  Create("dest");
  auto dlq = Create("dlq");
  for (int i = 0; i < 6; ++i) Send(*dlq, "m" + std::to_string(i));
  auto task = engine_->StartMoveTask("dlq", "dest", 2);
  ASSERT_TRUE(task.ok());
  clock_.Advance(1'000);
  engine_->Tick();
  ASSERT_EQ(Task("dlq").moved, 2);
  ASSERT_TRUE(WaitDurable().ok());
  dlq.reset();
  Restart();

  MoveTaskInfo t = Task("dlq");
  EXPECT_EQ(t.task_id, task->task_id);
  EXPECT_EQ(t.status, MoveTaskStatus::kRunning);
  EXPECT_EQ(t.moved, 2);
  EXPECT_EQ(t.to_move, 6);
  EXPECT_EQ(t.max_per_second, 2);
  EXPECT_EQ(t.destination_queue, "dest");
  for (int s = 0; s < 3; ++s) {
    clock_.Advance(1'000);
    engine_->Tick();
  }
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCompleted);
  EXPECT_EQ(Task("dlq").moved, 6);
  EXPECT_EQ(Find("dest")->Stats().visible, 6);
  EXPECT_EQ(Find("dlq")->Stats().visible, 0);
  ASSERT_TRUE(WaitDurable().ok());
  Restart();
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCompleted);
  EXPECT_EQ(Find("dest")->Stats().visible, 6);
  EXPECT_EQ(Find("dlq")->Stats().visible, 0);
}

TEST_P(DurableDeadLetterTest, CancelledTaskStaysCancelledAfterRestart) {
  Open();
  Create("dest");
  auto dlq = Create("dlq");
  Send(*dlq, "m");
  auto task = engine_->StartMoveTask("dlq", "dest", 1);
  ASSERT_TRUE(task.ok());
  ASSERT_TRUE(engine_->CancelMoveTask("dlq", task->task_id).ok());
  ASSERT_TRUE(WaitDurable().ok());
  dlq.reset();
  Restart();
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCancelling);
  engine_->Tick();
  EXPECT_EQ(Task("dlq").status, MoveTaskStatus::kCancelled);
  EXPECT_EQ(Find("dlq")->Stats().visible, 1);
}

// The queue's create record still in the log must not reset what the
// checkpoint restored.
TEST_P(DurableDeadLetterTest, QueueCreatedBeforeTheCheckpointKeepsItsMessages) {
  Open();
  auto q = Create("q");
  Send(*q, "a");
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  Restart();
  EXPECT_EQ(Find("q")->Stats().visible, 1);
}

INSTANTIATE_TEST_SUITE_P(FromLogOrCheckpoint, DurableDeadLetterTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "FromCheckpoint" : "FromLog";
                         });

}  // namespace
}  // namespace ferry::engine
