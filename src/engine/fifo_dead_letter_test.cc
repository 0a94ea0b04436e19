// Dead letters of FIFO queues: a FIFO source's receive moves a group's first
// message to a FIFO dead-letter queue without breaking the group's order, and
// a move task redrives FIFO dead letters back, in order, in memory and across
// restarts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/dead_letter.h"
#include "engine/durable_test_util.h"
#include "engine/local_engine.h"
#include "engine/queue_test_util.h"

namespace ferry::engine {
namespace {

using Strings = std::vector<std::string>;

QueueSettings Fifo(const std::string& dlq = "", int64_t max_receives = 0) {
  QueueSettings s;
  s.fifo = true;
  s.dead_letter_queue = dlq;
  s.max_receive_count = max_receives;
  s.visibility_timeout_s = 30;
  return s;
}

Strings Payloads(const std::vector<ReceivedMessage>& got) {
  Strings out;
  for (const auto& m : got) out.push_back(m.payload);
  return out;
}

SendResult SendTo(Queue& q, const std::string& payload, const std::string& group) {
  SendRequest req;
  req.payload = payload;
  req.group_id = group;
  req.dedup_id = payload;
  auto r = q.Send(std::move(req));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : SendResult{};
}

std::vector<ReceivedMessage> ReceiveFrom(Queue& q, int max = 10) {
  ReceiveRequest req;
  req.max_messages = max;
  auto r = q.Receive(req);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<ReceivedMessage>{};
}

// Runs over both journals: an in-memory and a durable engine.
class FifoDeadLetterTest : public testing::JournalEngineTest {
 protected:
  MoveTaskInfo Task(const std::string& source) {
    auto tasks = engine_->ListMoveTasks(source, 1);
    EXPECT_TRUE(tasks.ok() && !tasks->empty());
    return tasks.ok() && !tasks->empty() ? tasks->front() : MoveTaskInfo{};
  }
};

INSTANTIATE_TEST_SUITE_P(Journals, FifoDeadLetterTest, testing::JournalKinds(),
                         testing::JournalName);

TEST_P(FifoDeadLetterTest, GroupMovesToTheDeadLetterQueueInOrderWhileOtherGroupsFlow) {
  auto dlq = Create("dlq.fifo", Fifo());
  auto src = Create("src.fifo", Fifo("dlq.fifo", 2));
  const SendResult a1 = SendTo(*src, "a1", "a");
  const SendResult a2 = SendTo(*src, "a2", "a");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Payloads(ReceiveFrom(*src)), (Strings{"a1", "a2"})) << "receive " << i + 1;
    clock_.Advance(30'000);
  }
  SendTo(*src, "b1", "b");

  // The third receive moves a1 and returns nothing of group a (a2 must not
  // overtake it); group b is not held up.
  EXPECT_EQ(Payloads(ReceiveFrom(*src)), Strings{"b1"});
  EXPECT_EQ(dlq->Stats().visible, 1);
  // a2 is first in its group now, and goes the same way.
  EXPECT_TRUE(ReceiveFrom(*src).empty());
  EXPECT_EQ(src->Stats().visible, 0);
  EXPECT_EQ(src->Stats().in_flight, 1);  // b1

  auto got = ReceiveFrom(*dlq);
  ASSERT_EQ(Payloads(got), (Strings{"a1", "a2"}));
  EXPECT_EQ(got[0].message_id, a1.message_id);
  EXPECT_EQ(got[1].message_id, a2.message_id);
  EXPECT_EQ(got[0].group_id, "a");
  EXPECT_EQ(got[0].dead_letter_source, "src.fifo");
  // The count goes on from the source's (maxReceiveCount + 1), as on AWS.
  EXPECT_EQ(got[0].receive_count, src->settings().max_receive_count + 1);
  EXPECT_LT(got[0].sequence, got[1].sequence);
}

TEST_P(FifoDeadLetterTest, DeadLetterQueueLocksTheGroupLikeAnyFifoQueue) {
  auto dlq = Create("dlq.fifo", Fifo());
  auto src = Create("src.fifo", Fifo("dlq.fifo", 1));
  SendTo(*src, "a1", "a");
  SendTo(*src, "a2", "a");
  ASSERT_EQ(ReceiveFrom(*src).size(), 2u);
  clock_.Advance(30'000);
  EXPECT_TRUE(ReceiveFrom(*src).empty());  // a1 moves
  EXPECT_EQ(Payloads(ReceiveFrom(*dlq)), Strings{"a1"});
  EXPECT_TRUE(ReceiveFrom(*src).empty());  // a2 moves behind a1, which is in flight there
  EXPECT_TRUE(ReceiveFrom(*dlq).empty());
  clock_.Advance(30'000);
  EXPECT_EQ(Payloads(ReceiveFrom(*dlq)), (Strings{"a1", "a2"}));
}

TEST_P(FifoDeadLetterTest, FailedMoveKeepsTheMessageFirstInItsGroup) {
  auto src = Create("src.fifo", Fifo("later.fifo", 1));
  SendTo(*src, "a1", "a");
  SendTo(*src, "a2", "a");
  ASSERT_EQ(ReceiveFrom(*src).size(), 2u);
  clock_.Advance(30'000);
  // No DLQ yet: a1 stays, in flight, and keeps a2 back.
  EXPECT_TRUE(ReceiveFrom(*src).empty());
  EXPECT_EQ(src->Stats().in_flight, 1);
  EXPECT_EQ(src->Stats().visible, 1);
  EXPECT_TRUE(ReceiveFrom(*src).empty());

  clock_.Advance(30'000);
  auto dlq = Create("later.fifo", Fifo());
  EXPECT_TRUE(ReceiveFrom(*src).empty());
  EXPECT_TRUE(ReceiveFrom(*src).empty());
  EXPECT_EQ(src->Stats().visible + src->Stats().in_flight, 0);
  EXPECT_EQ(Payloads(ReceiveFrom(*dlq)), (Strings{"a1", "a2"}));
}

// AWS resets the enqueue time of a message moved to a FIFO DLQ; retention
// then counts from the move.
TEST_P(FifoDeadLetterTest, FifoDeadLetterQueueRestartsTheSendTime) {
  QueueSettings short_lived = Fifo();
  short_lived.retention_s = 60;
  auto dlq = Create("dlq.fifo", short_lived);
  auto src = Create("src.fifo", Fifo("dlq.fifo", 1));
  SendTo(*src, "a1", "a");
  ASSERT_EQ(ReceiveFrom(*src).size(), 1u);
  clock_.Advance(50'000);
  const TimeMs moved_at = clock_.NowMs();
  EXPECT_TRUE(ReceiveFrom(*src).empty());
  clock_.Advance(30'000);  // 80 s after the send, 30 s after the move
  auto got = ReceiveFrom(*dlq);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sent_ms, moved_at);
}

TEST_P(FifoDeadLetterTest, MoveTaskReturnsEachGroupInOrderToItsFifoSource) {
  auto dlq = Create("dlq.fifo", Fifo());
  auto src = Create("src.fifo", Fifo("dlq.fifo", 1));
  const SendResult a1 = SendTo(*src, "a1", "a");
  SendTo(*src, "a2", "a");
  SendTo(*src, "b1", "b");
  ASSERT_EQ(ReceiveFrom(*src).size(), 3u);
  clock_.Advance(30'000);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ReceiveFrom(*src).empty());
  ASSERT_EQ(dlq->Stats().visible, 3);

  // One message a second: each tick moves one, and group a's second waits
  // for its first to have left the DLQ.
  auto task = engine_->StartMoveTask("dlq.fifo", "", 1);
  ASSERT_TRUE(task.ok()) << task.status().message();
  EXPECT_EQ(task->to_move, 3);
  for (int s = 0; s < 5; ++s) {
    clock_.Advance(1'000);
    engine_->Tick();
  }
  EXPECT_EQ(Task("dlq.fifo").status, MoveTaskStatus::kCompleted);
  EXPECT_EQ(Task("dlq.fifo").moved, 3);
  EXPECT_EQ(dlq->Stats().visible + dlq->Stats().in_flight, 0);

  auto back = ReceiveFrom(*src);
  Strings group_a;
  for (const auto& m : back) {
    if (m.group_id == "a") group_a.push_back(m.payload);
    EXPECT_NE(m.message_id, a1.message_id) << "redrive makes new messages";
    EXPECT_EQ(m.receive_count, 1);
  }
  EXPECT_EQ(group_a, (Strings{"a1", "a2"}));
  EXPECT_EQ(back.size(), 3u);
}

class DurableFifoDeadLetterTest : public testing::DurableEngineTest,
                                  public ::testing::WithParamInterface<bool> {
 protected:
  DurableFifoDeadLetterTest() { checkpoint_on_restart_ = GetParam(); }
};

TEST_P(DurableFifoDeadLetterTest, FifoDeadLettersKeepGroupOrderAndSourceAcrossRestart) {
  Open();
  Create("dlq.fifo", Fifo());
  auto src = Create("src.fifo", Fifo("dlq.fifo", 1));
  SendTo(*src, "a1", "a");
  SendTo(*src, "a2", "a");
  ASSERT_EQ(ReceiveFrom(*src).size(), 2u);
  clock_.Advance(30'000);
  EXPECT_TRUE(ReceiveFrom(*src).empty());
  EXPECT_TRUE(ReceiveFrom(*src).empty());
  ASSERT_TRUE(WaitDurable().ok());
  src.reset();
  Restart();

  EXPECT_EQ(Find("src.fifo")->Stats().visible + Find("src.fifo")->Stats().in_flight, 0);
  auto got = ReceiveFrom(*Find("dlq.fifo"), 1);
  ASSERT_EQ(Payloads(got), Strings{"a1"});
  EXPECT_EQ(got[0].dead_letter_source, "src.fifo");
  EXPECT_EQ(got[0].group_id, "a");
  ASSERT_TRUE(WaitDurable().ok());
  Restart();  // a1 in flight in the DLQ: its group stays locked
  EXPECT_TRUE(ReceiveFrom(*Find("dlq.fifo")).empty());
  clock_.Advance(30'000);
  EXPECT_EQ(Payloads(ReceiveFrom(*Find("dlq.fifo"))), (Strings{"a1", "a2"}));
}

INSTANTIATE_TEST_SUITE_P(FromLogOrCheckpoint, DurableFifoDeadLetterTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "FromCheckpoint" : "FromLog";
                         });

}  // namespace
}  // namespace ferry::engine
