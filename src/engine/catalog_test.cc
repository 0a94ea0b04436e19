// The catalog of a durable engine across restarts: from the log alone, from
// a checkpoint and the log after it, after maintenance deleted the segments
// it was logged in, and when the log cannot take a change.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engine/durable_test_util.h"
#include "storage/faulty_file_ops.h"

namespace ferry::engine {
namespace {

using testing::DurableEngineTest;

CatalogEntry Entry(const std::string& key, std::map<std::string, std::string> fields) {
  return CatalogEntry{key, std::move(fields)};
}

std::vector<std::string> Keys(const std::vector<CatalogEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.key);
  return out;
}

class DurableCatalogTest : public DurableEngineTest {
 protected:
  DurableCatalogTest() { Open(); }

  void Put(CatalogKind kind, CatalogEntry entry) {
    Status st = engine_->PutEntry(kind, std::move(entry));
    EXPECT_TRUE(st.ok()) << st.message();
  }
  void Erase(CatalogKind kind, const std::string& key) {
    Status st = engine_->EraseEntry(kind, key);
    EXPECT_TRUE(st.ok()) << st.message();
  }
  std::vector<CatalogEntry> Topics() const { return engine_->Entries(CatalogKind::kTopic); }
  std::vector<CatalogEntry> Subscriptions() const {
    return engine_->Entries(CatalogKind::kSubscription);
  }
};

// Each test runs twice: recovering from the log alone, and from a checkpoint
// written just before the restart.
class CatalogRestartTest : public DurableCatalogTest, public ::testing::WithParamInterface<bool> {
 protected:
  CatalogRestartTest() { checkpoint_on_restart_ = GetParam(); }
};

TEST_P(CatalogRestartTest, PutsReplacementsAndErasuresSurvive) {
  Put(CatalogKind::kTopic, Entry("orders", {{"DisplayName", "Orders"}, {"Policy", "{}"}}));
  Put(CatalogKind::kTopic, Entry("gone", {{"DisplayName", "soon gone"}}));
  Put(CatalogKind::kTopic, Entry("audit", {}));
  Put(CatalogKind::kTopic, Entry("orders", {{"DisplayName", "Orders v2"}}));  // replaced whole
  Erase(CatalogKind::kTopic, "gone");
  Erase(CatalogKind::kTopic, "never there");
  const std::vector<CatalogEntry> before = Topics();

  Restart();
  EXPECT_EQ(Topics(), before);
  EXPECT_EQ(Topics(), (std::vector<CatalogEntry>{Entry("audit", {}),
                                                 Entry("orders", {{"DisplayName", "Orders v2"}})}));
  // An erased key can be put again, and that survives the next restart too.
  Put(CatalogKind::kTopic, Entry("gone", {{"DisplayName", "back"}}));
  Restart();
  EXPECT_EQ(Keys(Topics()), (std::vector<std::string>{"audit", "gone", "orders"}));
}

TEST_P(CatalogRestartTest, KindsStayApartAndInKeyOrder) {
  Put(CatalogKind::kSubscription, Entry("same", {{"Protocol", "sqs"}}));
  Put(CatalogKind::kTopic, Entry("same", {{"DisplayName", "t"}}));
  Put(CatalogKind::kSubscription, Entry("b", {}));
  Put(CatalogKind::kSubscription, Entry("a", {}));
  Erase(CatalogKind::kTopic, "b");  // another kind's key: nothing to erase

  Restart();
  EXPECT_EQ(Topics(), (std::vector<CatalogEntry>{Entry("same", {{"DisplayName", "t"}})}));
  ASSERT_EQ(Keys(Subscriptions()), (std::vector<std::string>{"a", "b", "same"}));
  EXPECT_EQ(Subscriptions().back().fields.at("Protocol"), "sqs");
}

// The catalog sits beside queues and their messages in the same log and
// checkpoint without either disturbing the other.
TEST_P(CatalogRestartTest, QueuesAndTheCatalogRecoverTogether) {
  auto q = Create("q");
  Send(*q, "before");
  Put(CatalogKind::kTopic, Entry("t", {{"k", "v"}}));
  Send(*q, "after");
  q.reset();

  Restart();
  EXPECT_EQ(ReceiveAll(*Find("q")).size(), 2u);
  EXPECT_EQ(Topics(), (std::vector<CatalogEntry>{Entry("t", {{"k", "v"}})}));
}

INSTANTIATE_TEST_SUITE_P(Recovery, CatalogRestartTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "FromCheckpoint" : "FromLog";
                         });

// A catalog record of a kind this version does not know is damage.
TEST_F(DurableCatalogTest, ARecordOfAnUnknownKindStopsRecovery) {
  Put(CatalogKind::kTopic, Entry("t", {{"a", "1"}}));
  Put(static_cast<CatalogKind>(7), Entry("x", {{"a", "1"}}));
  engine_.reset();
  auto opened = LocalEngine::OpenDurable(clock_, options_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kInternal);
  EXPECT_NE(opened.status().message().find("unknown kind 7"), std::string::npos)
      << opened.status().message();
}

// Records after the checkpoint's replay point are applied over the state
// the checkpoint holds: replaced, erased and new entries alike.
TEST_F(DurableCatalogTest, ChangesAfterACheckpointApplyOverIt) {
  Put(CatalogKind::kTopic, Entry("kept", {{"v", "1"}}));
  Put(CatalogKind::kTopic, Entry("replaced", {{"v", "1"}, {"old", "x"}}));
  Put(CatalogKind::kTopic, Entry("erased", {{"v", "1"}}));
  ASSERT_TRUE(engine_->Checkpoint().ok());
  Put(CatalogKind::kTopic, Entry("replaced", {{"v", "2"}}));
  Erase(CatalogKind::kTopic, "erased");
  Put(CatalogKind::kTopic, Entry("new", {{"v", "3"}}));
  Put(CatalogKind::kSubscription, Entry("s", {}));

  RecoveryReport report;
  Restart(&report);
  EXPECT_TRUE(report.from_checkpoint);
  EXPECT_GT(report.log_records, 0u);
  EXPECT_EQ(Topics(),
            (std::vector<CatalogEntry>{Entry("kept", {{"v", "1"}}), Entry("new", {{"v", "3"}}),
                                       Entry("replaced", {{"v", "2"}})}));
  EXPECT_EQ(Keys(Subscriptions()), (std::vector<std::string>{"s"}));

  // A second checkpoint over the recovered state, then a restart from it.
  ASSERT_TRUE(engine_->Checkpoint().ok());
  const std::vector<CatalogEntry> topics = Topics();
  Restart();
  EXPECT_EQ(Topics(), topics);
}

// Maintenance deletes the segments before the checkpoint's replay point that
// hold no live body: the catalog records in them are in that checkpoint.
TEST_F(DurableCatalogTest, SurvivesMaintenanceThatDeletesTheSegmentsItWasLoggedIn) {
  engine_.reset();
  options_.segment_bytes = 8192;
  options_.checkpoint_bytes = 1 << 30;  // checkpoints only when asked
  Open();
  Put(CatalogKind::kTopic, Entry("early", {{"DisplayName", "in segment 1"}}));
  Put(CatalogKind::kTopic, Entry("erased early", {}));
  Erase(CatalogKind::kTopic, "erased early");
  Put(CatalogKind::kSubscription, Entry("sub", {{"Endpoint", std::string(3000, 'e')}}));
  auto churn = Create("churn");
  for (int i = 0; i < 300; ++i)
    Send(*churn, "message " + std::to_string(i) + std::string(100, '.'));
  for (const auto& m : ReceiveAll(*churn)) ASSERT_TRUE(churn->Delete(m.receipt_handle).ok());
  Put(CatalogKind::kTopic, Entry("late", {}));
  ASSERT_TRUE(WaitDurable().ok());
  ASSERT_GT(SegmentsOnDisk().size(), 5u);
  ASSERT_TRUE(engine_->Checkpoint().ok());
  ASSERT_TRUE(engine_->Maintain().ok());
  ASSERT_GT(SegmentsOnDisk().front(), 1u) << "the segments of the early records are gone";
  churn.reset();

  Restart();
  ASSERT_EQ(Keys(Topics()), (std::vector<std::string>{"early", "late"}));
  EXPECT_EQ(Topics().front().fields,
            (std::map<std::string, std::string>{{"DisplayName", "in segment 1"}}));
  ASSERT_EQ(Subscriptions().size(), 1u);
  EXPECT_EQ(Subscriptions().front().fields.at("Endpoint"), std::string(3000, 'e'));
}

// Checkpoints taken while the catalog changes: each holds the catalog as of
// the LSN it names, so a restart from the last one plus the log after it
// (and after maintenance deleted the segments before it) ends in the
// catalog as it was.
TEST_F(DurableCatalogTest, CheckpointsTakenWhileTheCatalogChangesLoseNothing) {
  engine_.reset();
  options_.segment_bytes = 8192;
  options_.checkpoint_bytes = 1 << 30;  // checkpoints only when asked
  Open();
  std::atomic<int> running{2};
  auto writer = [&](const std::string& prefix) {
    for (int i = 0; i < 400; ++i) {
      const std::string key = prefix + std::to_string(i % 23);
      if (i % 7 == 3) {
        EXPECT_TRUE(engine_->EraseEntry(CatalogKind::kSubscription, key).ok());
      } else {
        EXPECT_TRUE(
            engine_
                ->PutEntry(CatalogKind::kSubscription,
                           Entry(key, {{"v", std::to_string(i)}, {"pad", std::string(100, '.')}}))
                .ok());
      }
    }
    --running;
  };
  std::thread a(writer, "a");
  std::thread b(writer, "b");
  do {  // EXPECT, not ASSERT: the writers must be joined
    EXPECT_TRUE(engine_->Checkpoint().ok());
    EXPECT_TRUE(engine_->Maintain().ok());
  } while (running.load() > 0);
  a.join();
  b.join();
  ASSERT_TRUE(engine_->Checkpoint().ok());
  ASSERT_TRUE(engine_->Maintain().ok());
  ASSERT_TRUE(WaitDurable().ok());
  const std::vector<CatalogEntry> expected = Subscriptions();
  EXPECT_EQ(expected.size(), 40u);  // of 46 keys, 6 were last erased

  Restart();
  EXPECT_EQ(Subscriptions(), expected);
}

// While the log cannot write, a change is refused with the log's error and
// leaves the catalog as it was, in memory and after a restart.
TEST_F(DurableCatalogTest, AChangeTheLogRefusesChangesNothing) {
  storage::testing::FaultyFileOps ops;
  engine_.reset();
  options_.file_ops = &ops;
  options_.retry_interval = std::chrono::milliseconds(1);
  Open();
  Put(CatalogKind::kTopic, Entry("t", {{"v", "1"}}));
  ASSERT_TRUE(WaitDurable().ok());

  ops.FailWrites(EIO);
  Put(CatalogKind::kTopic, Entry("caught", {}));        // accepted into the batch...
  EXPECT_EQ(WaitDurable().code(), Code::kUnavailable);  // ...but not acknowledged
  const std::vector<CatalogEntry> before = Topics();
  EXPECT_EQ(engine_->PutEntry(CatalogKind::kTopic, Entry("t", {{"v", "2"}})).code(),
            Code::kUnavailable);
  EXPECT_EQ(engine_->PutEntry(CatalogKind::kTopic, Entry("refused", {})).code(),
            Code::kUnavailable);
  EXPECT_EQ(engine_->EraseEntry(CatalogKind::kTopic, "t").code(), Code::kUnavailable);
  EXPECT_EQ(Topics(), before);

  ops.Heal();
  ASSERT_TRUE(testing::WaitUntil([&] { return WaitDurable().ok(); }));
  Restart();
  EXPECT_EQ(Topics(), (std::vector<CatalogEntry>{Entry("caught", {}), Entry("t", {{"v", "1"}})}));
  engine_.reset();  // its log uses `ops`
}

}  // namespace
}  // namespace ferry::engine
