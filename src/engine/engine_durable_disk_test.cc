// The durable engine while it runs: checkpoints and the log after them,
// the maintenance pass that deletes segments, and the disk failing under it
// (write faults, failed recovery reads, a full disk). Kept apart from the
// restart tests (engine_durable_restart_test.cc), which run each case over
// the log alone and over a checkpoint, and from compaction.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <set>

#include "engine/durable_test_util.h"
#include "storage/faulty_file_ops.h"

namespace ferry::engine {
namespace {

using testing::BodyOf;
using testing::DurableEngineTest;
using testing::Payloads;

class DurableEngine : public DurableEngineTest {
 protected:
  DurableEngine() { Open(); }
};

TEST_F(DurableEngine, RecoversFromACheckpointAndTheLogAfterIt) {
  auto q = Create("q");
  std::vector<SendResult> sent;
  for (int i = 0; i < 30; ++i) sent.push_back(Send(*q, BodyOf(i)));
  auto received = Receive(*q, 10, 60);
  ASSERT_TRUE(engine_->Checkpoint().ok());
  // After the checkpoint: more sends, deletes and receives, on messages from
  // before it and after it, and a queue created and one deleted.
  for (int i = 30; i < 40; ++i) sent.push_back(Send(*q, BodyOf(i)));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q->Delete(received[i].receipt_handle).ok());
  ASSERT_TRUE(q->ChangeVisibility(received[5].receipt_handle, 0).ok());
  auto later = Create("later", {}, {{"k", "v"}});
  Send(*later, "in the tail");
  Create("doomed");
  ASSERT_TRUE(engine_->DeleteQueue("doomed").ok());
  q.reset();
  later.reset();

  RecoveryReport report;
  Restart(&report);
  EXPECT_TRUE(report.from_checkpoint);
  EXPECT_GT(report.log_records, 0u);
  EXPECT_EQ(report.queues, 2u);
  EXPECT_EQ(report.messages, 35u + 1u);
  q = Find("q");
  QueueStats stats = q->Stats();
  EXPECT_EQ(stats.in_flight, 4);
  EXPECT_EQ(stats.visible, 31);
  // The handles of the checkpointed in-flight messages still delete them.
  for (int i = 6; i < 10; ++i) EXPECT_TRUE(q->Delete(received[i].receipt_handle).ok());
  EXPECT_EQ(q->Stats().in_flight, 0);
  auto rest = ReceiveAll(*q);
  ASSERT_EQ(rest.size(), 31u);
  std::set<std::string> expected;
  for (int i = 10; i < 40; ++i) expected.insert(BodyOf(i));
  expected.insert(received[5].payload);
  EXPECT_EQ(Payloads(rest), expected);
  EXPECT_EQ(Find("later")->tags().at("k"), "v");
  EXPECT_EQ(Payloads(ReceiveAll(*Find("later"))), (std::set<std::string>{"in the tail"}));
  EXPECT_EQ(engine_->FindQueue("doomed"), nullptr);
}

TEST_F(DurableEngine, MaintainDeletesSegmentsNoMessageNeedsAndRestartsAfterwards) {
  engine_.reset();
  options_.segment_bytes = 8192;
  options_.checkpoint_bytes = 1 << 30;  // checkpoints only when asked
  Open();
  auto keep = Create("keep");
  auto churn = Create("churn");
  const std::string first(4000, 'f');  // half of segment 1: not worth compacting
  Send(*keep, first);
  for (int i = 0; i < 400; ++i) Send(*churn, BodyOf(i));
  for (const auto& m : ReceiveAll(*churn)) ASSERT_TRUE(churn->Delete(m.receipt_handle).ok());
  Send(*keep, "the last message");
  ASSERT_TRUE(WaitDurable().ok());
  const size_t before = SegmentsOnDisk().size();
  ASSERT_GT(before, 5u);
  ASSERT_TRUE(engine_->Checkpoint().ok());
  ASSERT_TRUE(engine_->Maintain().ok());
  auto after = SegmentsOnDisk();
  EXPECT_LT(after.size(), before);
  ASSERT_GE(after.size(), 2u);
  EXPECT_EQ(after.front(), 1u);  // holds a live body: kept, leaving a hole after it
  EXPECT_GT(after[1], 2u);
  keep.reset();
  churn.reset();

  Restart();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("keep"))),
            (std::set<std::string>{first, "the last message"}));
  EXPECT_TRUE(ReceiveAll(*Find("churn")).empty());
}

TEST_F(DurableEngine, ADiskFaultFailsRequestsUntilItClearsAndLosesNothingAcknowledged) {
  storage::testing::FaultyFileOps ops;
  ReopenWithFileOps(&ops);
  auto q = Create("q");
  Send(*q, "acknowledged");
  ASSERT_TRUE(WaitDurable().ok());

  ops.FailWrites(ENOSPC);
  Send(*q, "caught by the fault");                      // accepted into the batch...
  EXPECT_EQ(WaitDurable().code(), Code::kUnavailable);  // ...but not acknowledged
  SendRequest refused;
  refused.payload = "refused";
  EXPECT_EQ(q->Send(refused).status().code(), Code::kUnavailable);
  EXPECT_EQ(engine_->CreateQueue("other", {}, {}).status().code(), Code::kUnavailable);
  EXPECT_EQ(engine_->Checkpoint().code(), Code::kUnavailable);

  ops.Heal();
  ASSERT_TRUE(testing::WaitUntil([&] { return WaitDurable().ok(); }));
  // Sends are taken again once the log's helper has rebuilt the full-disk
  // reserve and the spare segment (log.h); a refused send stores nothing.
  ASSERT_TRUE(testing::WaitUntil([&] {
    SendRequest after;
    after.payload = "after the fault";
    return q->Send(after).ok();
  }));
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();

  Restart();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))),
            (std::set<std::string>{"acknowledged", "caught by the fault", "after the fault"}));
  engine_.reset();  // its log uses `ops`
}

TEST_F(DurableEngine, HealthIsUnavailableWhileTheLogCannotWriteAndOkOnceItCan) {
  storage::testing::FaultyFileOps ops;
  ReopenWithFileOps(&ops);
  auto q = Create("q");
  EXPECT_TRUE(engine_->Health().ok());

  ops.FailSyncs(EIO);
  Send(*q, "caught by the fault");
  ASSERT_EQ(WaitDurable().code(), Code::kUnavailable);
  const Status sick = engine_->Health();
  EXPECT_EQ(sick.code(), Code::kUnavailable);
  EXPECT_NE(sick.message().find("cannot write"), std::string::npos) << sick.message();

  ops.Heal();
  ASSERT_TRUE(testing::WaitUntil([&] { return engine_->Health().ok(); }));
  q.reset();
  engine_.reset();  // its log uses `ops`
}

// The copies of a fan-out (SendCopy): each queue's copy is its own record
// and message, so a checkpoint, the log after it and a restart keep every
// copy, and deleting one queue's copy leaves the others.
TEST_F(DurableEngine, CopiesSurviveACheckpointAndTheLogAfterItEachDeletedOnItsOwn) {
  std::vector<std::shared_ptr<Queue>> queues;
  for (const char* name : {"a", "b", "c"}) queues.push_back(Create(name));
  for (const auto& q : queues) ASSERT_TRUE(q->SendCopy({.payload = "before"}).ok());
  ASSERT_TRUE(engine_->Checkpoint().ok());
  for (const auto& q : queues) ASSERT_TRUE(q->SendCopy({.payload = "after"}).ok());
  for (const auto& m : ReceiveAll(*queues[0]))
    ASSERT_TRUE(queues[0]->Delete(m.receipt_handle).ok());
  auto in_b = ReceiveAll(*queues[1]);
  for (const auto& m : in_b) {
    if (m.payload == "after") ASSERT_TRUE(queues[1]->Delete(m.receipt_handle).ok());
  }
  ASSERT_TRUE(WaitDurable().ok());
  queues.clear();

  Restart();
  clock_.Advance(3'601'000);
  EXPECT_TRUE(ReceiveAll(*Find("a")).empty());
  EXPECT_EQ(Payloads(ReceiveAll(*Find("b"))), (std::set<std::string>{"before"}));
  EXPECT_EQ(Payloads(ReceiveAll(*Find("c"))), (std::set<std::string>{"before", "after"}));
}

TEST_F(DurableEngine, CopiesTheLogCannotWriteAreNotAcknowledgedAndLaterOnesAreRefused) {
  storage::testing::FaultyFileOps ops;
  ReopenWithFileOps(&ops);
  auto a = Create("a");
  auto b = Create("b");
  ASSERT_TRUE(a->SendCopy({.payload = "acknowledged"}).ok());
  ASSERT_TRUE(b->SendCopy({.payload = "acknowledged"}).ok());
  ASSERT_TRUE(WaitDurable().ok());

  ops.FailWrites(EIO);
  ASSERT_TRUE(a->SendCopy({.payload = "caught by the fault"}).ok());  // into the batch...
  EXPECT_EQ(WaitDurable().code(), Code::kUnavailable);                // ...not acknowledged
  EXPECT_EQ(b->SendCopy({.payload = "refused"}).code(), Code::kUnavailable);
  EXPECT_EQ(b->Stats().visible, 1);  // a refused copy stores nothing

  ops.Heal();
  ASSERT_TRUE(testing::WaitUntil([&] { return WaitDurable().ok(); }));
  a.reset();
  b.reset();
  Restart();
  // The batch the fault caught is written once the disk is back (nothing
  // accepted is dropped); the refused copy never existed.
  EXPECT_EQ(Payloads(ReceiveAll(*Find("a"))),
            (std::set<std::string>{"acknowledged", "caught by the fault"}));
  EXPECT_EQ(Payloads(ReceiveAll(*Find("b"))), (std::set<std::string>{"acknowledged"}));
  engine_.reset();  // its log uses `ops`
}

// Recovery reads the checkpoint and the log through the engine's file seam:
// a read that fails refuses to start, naming the file, and changes nothing,
// so that once the disk answers again the engine starts with all it had.
TEST_F(DurableEngine, ARecoveryReadThatFailsRefusesToStartAndChangesNothing) {
  auto q = Create("q");
  Send(*q, "before the checkpoint");
  ASSERT_TRUE(engine_->Checkpoint().ok());
  Send(*q, "after the checkpoint");
  ASSERT_TRUE(WaitDurable().ok());
  q.reset();
  engine_.reset();

  storage::testing::FaultyFileOps ops;
  options_.file_ops = &ops;
  ops.Fail(storage::testing::FileOp::kOpen, EIO, "checkpoint");
  auto refused = LocalEngine::OpenDurable(clock_, options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("checkpoint"), std::string::npos)
      << refused.status().message();

  ops.Heal();
  ops.Fail(storage::testing::FileOp::kOpen, EIO, ".wal");
  refused = LocalEngine::OpenDurable(clock_, options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(".wal"), std::string::npos)
      << refused.status().message();
  EXPECT_GT(ops.failures(), 1u);

  ops.Heal();
  Open();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))),
            (std::set<std::string>{"before the checkpoint", "after the checkpoint"}));
  engine_.reset();  // its log uses `ops`
}

// A full disk (a small file system modelled by FaultyFileOps): sends are
// refused, receives and deletes go on, the maintenance pass checkpoints as
// soon as that frees a segment, and sends are taken again once it has.
TEST_F(DurableEngine, ConsumersDrainAFullDiskAndSendsResumeAfterwards) {
  storage::testing::FaultyFileOps ops;
  engine_.reset();
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    std::filesystem::remove(e.path());  // the fixture's engine had 2 MiB segments
  }
  options_.segment_bytes = 64u << 10;  // the reserve is 80 KiB
  options_.file_ops = &ops;
  options_.retry_interval = std::chrono::milliseconds(10);
  ops.LimitSpace(dir_.path(), 400u << 10);
  Open();
  auto q = Create("q");
  ASSERT_TRUE(
      testing::WaitUntil([&] { return std::filesystem::exists(dir_.path() + "/RESERVE"); }));

  std::set<std::string> acknowledged;
  Status refused;
  for (int i = 0; i < 10000 && refused.ok(); ++i) {
    SendRequest req;
    req.payload = BodyOf(i) + std::string(1000, 'x');
    auto sent = q->Send(req);
    if (!sent.ok()) {
      refused = sent.status();
      break;
    }
    ASSERT_TRUE(WaitDurable().ok());
    acknowledged.insert(req.payload);
  }
  ASSERT_EQ(refused.code(), Code::kUnavailable);
  EXPECT_NE(refused.message().find("disk is full"), std::string::npos) << refused.message();
  EXPECT_GT(acknowledged.size(), 100u);
  EXPECT_EQ(engine_->CreateQueue("new", {}, {}).status().code(), Code::kUnavailable);

  // Every receive and delete is answered, and none is refused.
  std::set<std::string> drained;
  while (true) {
    ReceiveRequest req;
    req.max_messages = 10;
    req.visibility_timeout_s = 3600;
    auto got = q->Receive(req);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ASSERT_TRUE(WaitDurable().ok());
    if (got->empty()) break;
    for (const auto& m : *got) {
      drained.insert(m.payload);
      ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
    }
    ASSERT_TRUE(WaitDurable().ok());
  }
  EXPECT_EQ(drained, acknowledged);
  EXPECT_LE(ops.SpaceUsed(), 400u << 10);

  // The maintenance pass frees the drained segments; the log makes its
  // reserve again, and sends are taken.
  SendRequest after;
  after.payload = "after the drain";
  Status maintained;
  ASSERT_TRUE(testing::WaitUntil([&] {
    maintained = engine_->Maintain();
    return q->Send(after).ok();
  })) << maintained.message()
      << " " << ops.SpaceUsed() << " " << SegmentsOnDisk().size();
  ASSERT_TRUE(WaitDurable().ok());
  EXPECT_LE(ops.SpaceUsed(), 400u << 10);
  q.reset();

  Restart();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), (std::set<std::string>{"after the drain"}));
  engine_.reset();  // its log uses `ops`
}

// A checkpoint that does not fit leaves nothing behind: a partial
// checkpoint.tmp would keep the space a full disk needs.
TEST_F(DurableEngine, ACheckpointThatDoesNotFitIsRemoved) {
  storage::testing::FaultyFileOps ops;
  engine_.reset();
  options_.file_ops = &ops;
  Open();
  auto q = Create("q");
  for (int i = 0; i < 200; ++i) Send(*q, BodyOf(i));
  ASSERT_TRUE(WaitDurable().ok());
  // Once the log's helper has written its reserve and spare, nothing else writes.
  const std::string spare = dir_.path() + "/spare.wal.tmp";
  ASSERT_TRUE(testing::WaitUntil([&] {
    std::error_code ec;
    return std::filesystem::exists(dir_.path() + "/RESERVE") &&
           std::filesystem::file_size(spare, ec) == options_.segment_bytes;
  }));
  ops.LimitSpace(dir_.path(), ops.SpaceUsed() + 100);
  EXPECT_EQ(engine_->Checkpoint().code(), Code::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/checkpoint.tmp"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/checkpoint"));
  ops.LimitSpace(dir_.path(), 0);
  EXPECT_TRUE(engine_->Checkpoint().ok());
  q.reset();
  engine_.reset();
}

}  // namespace
}  // namespace ferry::engine
