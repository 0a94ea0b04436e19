// Compaction of the durable engine's log: disk use returns to the size of
// the live data, copies and relocated bodies (dead letters, FIFO sends)
// survive it and a restart after it, and mostly live segments are left
// alone. Kept apart for its own fixture (small segments, CompactionTest).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "engine/durable_test_util.h"

namespace ferry::engine {
namespace {

using testing::BodyOf;
using testing::DurableEngineTest;
using testing::Payloads;

// A body of about 1 KiB that names its message.
std::string KiB(int i) { return BodyOf(i) + std::string(1000, static_cast<char>('a' + i % 26)); }

class CompactionTest : public DurableEngineTest {
 protected:
  CompactionTest() {
    options_.segment_bytes = 64u << 10;
    options_.checkpoint_bytes = 1u << 20;
    Open();
  }

  // Sends n messages of about 1 KiB, receives them all and deletes all but
  // every 20th; returns the survivors' payloads by receipt handle.
  std::map<std::string, std::string> SendAndDeleteMost(Queue& q, int n) {
    for (int i = 0; i < n; ++i) Send(q, KiB(i));
    std::map<std::string, std::string> kept;
    int i = 0;
    for (const auto& m : ReceiveAll(q)) {
      if (i++ % 20 == 0) {
        kept[m.receipt_handle] = m.payload;
      } else {
        EXPECT_TRUE(q.Delete(m.receipt_handle).ok());
      }
    }
    EXPECT_TRUE(WaitDurable().ok());
    return kept;
  }

  void MaintainUntilSettled() {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(engine_->Maintain().ok());
  }

  uint64_t BytesOnDisk() const {
    uint64_t bytes = 0;
    for (uint64_t s : SegmentsOnDisk()) {
      bytes += std::filesystem::file_size(dir_.path() + "/" + storage::SegmentFileName(s));
    }
    return bytes;
  }

  void ReportPause() {
    const CompactionStats stats = engine_->compaction_stats();
    ::testing::Test::RecordProperty(
        "worst_compaction_pause_us",
        static_cast<int>(
            std::chrono::duration_cast<std::chrono::microseconds>(stats.worst_pause).count()));
  }
};

TEST_F(CompactionTest, DiskUseReturnsToTheSizeOfTheLiveData) {
  auto q = Create("q");
  auto kept = SendAndDeleteMost(*q, 3000);  // ~3 MiB sent, 150 KiB live
  ASSERT_EQ(kept.size(), 150u);
  const uint64_t before = BytesOnDisk();
  ASSERT_GT(before, 40u * options_.segment_bytes);

  MaintainUntilSettled();
  const CompactionStats stats = engine_->compaction_stats();
  ReportPause();
  EXPECT_GT(stats.segments_compacted, 10u);
  EXPECT_GE(stats.bodies_relocated, 100u);
  EXPECT_GT(stats.worst_pause.count(), 0);
  // 150 KiB live is three segments' worth; allow some slack for the
  // receive/delete records around the copies and the active segment.
  const uint64_t after = BytesOnDisk();
  EXPECT_LE(after, 8u * options_.segment_bytes) << "before " << before;
  RecordProperty("segment_bytes_before", static_cast<int>(before));
  RecordProperty("segment_bytes_after", static_cast<int>(after));

  // Every survivor is still there with its body, in flight under the handle
  // it was given before compaction.
  EXPECT_EQ(q->Stats().in_flight, 150);
  for (const auto& [handle, payload] : kept) {
    ASSERT_TRUE(q->ChangeVisibility(handle, 0).ok());
  }
  auto got = ReceiveAll(*q);
  std::set<std::string> expected;
  for (const auto& [handle, payload] : kept) expected.insert(payload);
  EXPECT_EQ(Payloads(got), expected);
  q.reset();

  Restart();
  q = Find("q");
  clock_.Advance(3'601'000);
  EXPECT_EQ(Payloads(ReceiveAll(*q)), expected);
  EXPECT_LE(BytesOnDisk(), after + options_.segment_bytes);
}

// Compaction moves each queue's live copy on its own: copies of one payload
// in two queues, each queue deleting a different 95 % of its copies, keep
// their bodies in both, through compaction and a restart.
TEST_F(CompactionTest, CopiesInSeveralQueuesKeepTheirBodiesThroughCompaction) {
  auto a = Create("a");
  auto b = Create("b");
  for (int i = 0; i < 1000; ++i) {
    const std::string body = KiB(i);
    ASSERT_TRUE(a->SendCopy({.payload = body}).ok());
    ASSERT_TRUE(b->SendCopy({.payload = body}).ok());
  }
  // Keeps every 20th copy, from `first` on, in message order; deletes the rest.
  auto keep_every_20th = [&](Queue& q, int first) {
    std::set<std::string> kept;
    for (const auto& m : ReceiveAll(q)) {
      const int i = std::stoi(m.payload.substr(std::string_view("message ").size()));  // KiB(i)
      if (i % 20 == first) {
        kept.insert(m.payload);
        EXPECT_TRUE(q.ChangeVisibility(m.receipt_handle, 0).ok());
      } else {
        EXPECT_TRUE(q.Delete(m.receipt_handle).ok());
      }
    }
    return kept;
  };
  const std::set<std::string> kept_a = keep_every_20th(*a, 0);
  const std::set<std::string> kept_b = keep_every_20th(*b, 1);
  ASSERT_EQ(kept_a.size(), 50u);
  ASSERT_EQ(kept_b.size(), 50u);
  ASSERT_TRUE(WaitDurable().ok());
  MaintainUntilSettled();
  EXPECT_GT(engine_->compaction_stats().bodies_relocated, 0u);
  EXPECT_EQ(Payloads(ReceiveAll(*a)), kept_a);
  EXPECT_EQ(Payloads(ReceiveAll(*b)), kept_b);
  a.reset();
  b.reset();

  Restart();
  clock_.Advance(3'601'000);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("a"))), kept_a);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("b"))), kept_b);
}

TEST_F(CompactionTest, ADrainedQueueLeavesAlmostNothingOnDisk) {
  auto q = Create("q");
  for (int i = 0; i < 2000; ++i) Send(*q, KiB(i));
  for (const auto& m : ReceiveAll(*q)) ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
  ASSERT_TRUE(WaitDurable().ok());
  MaintainUntilSettled();
  EXPECT_LE(SegmentsOnDisk().size(), 2u);
  q.reset();
  Restart();
  EXPECT_TRUE(ReceiveAll(*Find("q")).empty());
}

// Relocations after the checkpoint recovery starts from must be replayed:
// the checkpoint still names the old, deleted segments as the bodies'.
TEST_F(CompactionTest, RecoveryReplaysRelocationsAfterTheCheckpoint) {
  engine_.reset();
  options_.checkpoint_bytes = uint64_t{1} << 40;  // no checkpoint but the one below
  Open();
  auto q = Create("q");
  auto doomed = Create("doomed");
  for (int i = 0; i < 2000; ++i) Send(*q, KiB(i));
  for (int i = 0; i < 100; ++i) Send(*doomed, KiB(i));
  ASSERT_TRUE(WaitDurable().ok());
  ASSERT_TRUE(engine_->Checkpoint().ok());
  const auto before = SegmentsOnDisk();
  // Delete 95% afterwards, so the checkpoint lists them all.
  std::set<std::string> expected;
  std::vector<std::string> delete_later;
  int i = 0;
  for (const auto& m : ReceiveAll(*q)) {
    if (i++ % 20 != 0) {
      ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
    } else if (delete_later.size() < 10) {
      delete_later.push_back(m.receipt_handle);
    } else {
      expected.insert(m.payload);
      ASSERT_TRUE(q->ChangeVisibility(m.receipt_handle, 0).ok());
    }
  }
  for (int k = 0; k < 95; ++k) ReceiveAll(*doomed);
  ASSERT_TRUE(WaitDurable().ok());
  MaintainUntilSettled();
  ASSERT_GT(engine_->compaction_stats().segments_compacted, 10u);
  ReportPause();
  // The old segments before the checkpoint are gone although it names them.
  const auto after = SegmentsOnDisk();
  EXPECT_LT(after.size(), before.size() / 2);
  EXPECT_GT(after.front(), before.front());
  // Deleting after a relocation, and deleting a queue whose bodies moved.
  for (const auto& h : delete_later) ASSERT_TRUE(q->Delete(h).ok());
  doomed.reset();
  ASSERT_TRUE(engine_->DeleteQueue("doomed").ok());
  q.reset();

  Restart();  // from the old checkpoint and the log after it
  EXPECT_EQ(engine_->FindQueue("doomed"), nullptr);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), expected);
  // And again, now that a checkpoint names the new places.
  ASSERT_TRUE(engine_->Checkpoint().ok());
  Restart();
  clock_.Advance(3'601'000);
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), expected);
}

// Dead letters (SendMoved) and FIFO sends (SendFifo) carry their bodies like
// Send does: compaction must relocate them, and recovery must follow the
// relocation, or their few survivors would pin every old segment.
TEST_F(CompactionTest, BodiesOfDeadLettersAndFifoSendsAreRelocatedToo) {
  QueueSettings redrive;
  redrive.dead_letter_queue = "dlq";
  redrive.max_receive_count = 1;
  QueueSettings fifo;
  fifo.fifo = true;
  auto dlq = Create("dlq");
  auto src = Create("src", redrive);
  auto f = Create("f.fifo", fifo);
  for (int i = 0; i < 1500; ++i) {
    Send(*src, KiB(i));
    SendRequest req;
    req.payload = KiB(i);
    req.group_id = "g" + std::to_string(i % 150);  // 10 a group: one receive each
    req.dedup_id = std::to_string(i);
    ASSERT_TRUE(f->Send(std::move(req)).ok());
  }
  // Received once with no visibility timeout, every message of src is moved
  // to the DLQ by a later receive.
  for (int i = 0; i < 1000 && src->Stats().visible > 0; ++i) Receive(*src, 10, 0);
  ASSERT_EQ(dlq->Stats().visible, 1500);
  std::set<std::string> expected_dlq;
  std::set<std::string> expected_fifo;
  auto keep_one_in_20 = [](Queue& q, std::set<std::string>* kept) {
    int i = 0;
    for (const auto& m : ReceiveAll(q)) {
      if (i++ % 20 == 0) {
        kept->insert(m.payload);
        EXPECT_TRUE(q.ChangeVisibility(m.receipt_handle, 0).ok());
      } else {
        EXPECT_TRUE(q.Delete(m.receipt_handle).ok());
      }
    }
  };
  keep_one_in_20(*dlq, &expected_dlq);
  keep_one_in_20(*f, &expected_fifo);
  ASSERT_EQ(expected_dlq.size(), 75u);
  ASSERT_EQ(expected_fifo.size(), 75u);
  ASSERT_TRUE(WaitDurable().ok());
  const uint64_t before = BytesOnDisk();

  MaintainUntilSettled();
  EXPECT_GE(engine_->compaction_stats().bodies_relocated, 150u);
  const uint64_t after = BytesOnDisk();
  EXPECT_LE(after, 10u * options_.segment_bytes) << "before " << before;
  dlq.reset();
  src.reset();
  f.reset();

  Restart();
  auto moved = ReceiveAll(*Find("dlq"));
  EXPECT_EQ(Payloads(moved), expected_dlq);
  for (const auto& m : moved) EXPECT_EQ(m.dead_letter_source, "src");
  EXPECT_EQ(Payloads(ReceiveAll(*Find("f.fifo"))), expected_fifo);
}

TEST_F(CompactionTest, SegmentsStillMostlyLiveAreLeftAlone) {
  auto q = Create("q");
  int deleted = 0;
  for (int i = 0; i < 1000; ++i) Send(*q, KiB(i));
  int i = 0;
  for (const auto& m : ReceiveAll(*q)) {
    if (i++ % 2 == 0) {
      ASSERT_TRUE(q->Delete(m.receipt_handle).ok());
      ++deleted;
    }
  }
  ASSERT_TRUE(WaitDurable().ok());
  const auto before = SegmentsOnDisk();
  MaintainUntilSettled();
  const CompactionStats stats = engine_->compaction_stats();
  EXPECT_EQ(stats.segments_compacted, 0u);
  EXPECT_EQ(stats.bodies_relocated, 0u);
  EXPECT_GT(stats.segments_examined, 0u);
  // Each segment is read once, not on every pass.
  EXPECT_LE(stats.segments_examined, before.size());
  EXPECT_EQ(q->Stats().in_flight, 1000 - deleted);
}

}  // namespace
}  // namespace ferry::engine
