// Recovery and stored messages' bodies: a missing segment that holds bodies
// stops the start; `ferry repair`'s salvaging recovery deletes the messages
// whose bodies are gone, names them, and keeps every other one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "engine/durable_test_util.h"
#include "storage/checkpoint.h"
#include "storage/repair.h"

namespace ferry::engine {
namespace {

using testing::DurableEngineTest;

std::string BodyOf(int i) { return "salvage body " + std::to_string(i) + std::string(i % 31, '.'); }

std::set<std::string> Payloads(const std::vector<ReceivedMessage>& msgs) {
  std::set<std::string> out;
  for (const auto& m : msgs) out.insert(m.payload);
  return out;
}

class SalvageTest : public DurableEngineTest {
 protected:
  SalvageTest() {
    options_.checkpoint_bytes = 1 << 30;  // checkpoints only when asked
  }

  // storage::RepairLog, then a salvaging recovery; returns its report.
  RecoveryReport Repair() {
    auto from = storage::CheckpointReplayPoint(dir_.path());
    EXPECT_TRUE(from.ok());
    auto log = storage::RepairLog(dir_.path(), from.ok() ? from->value_or(0) : 0, false);
    EXPECT_TRUE(log.ok()) << log.status().message();
    DurableOptions salvage = options_;
    salvage.salvage = true;
    if (log.ok()) salvage.lost = log->lost;
    RecoveryReport report;
    auto opened = LocalEngine::OpenDurable(clock_, salvage, &report);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return report;
  }
};

TEST_F(SalvageTest, AMissingSegmentHoldingBodiesStopsTheStartAndRepairDeletesThoseMessages) {
  options_.segment_bytes = 8192;
  Open();
  auto keep = Create("keep");
  auto churn = Create("churn");
  const SendResult first = Send(*keep, std::string(4000, 'f'));  // in segment 1
  for (int i = 0; i < 400; ++i) Send(*churn, BodyOf(i));
  for (const auto& m : ReceiveAll(*churn)) ASSERT_TRUE(churn->Delete(m.receipt_handle).ok());
  Send(*keep, "the last message");
  ASSERT_TRUE(engine_->Checkpoint().ok());
  ASSERT_TRUE(engine_->Maintain().ok());
  ASSERT_EQ(SegmentsOnDisk().front(), 1u);  // kept for its one live body
  keep.reset();
  churn.reset();
  engine_.reset();

  std::filesystem::remove(dir_.path() + "/" + storage::SegmentFileName(1));
  auto refused = LocalEngine::OpenDurable(clock_, options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(storage::SegmentFileName(1)), std::string::npos);
  EXPECT_NE(refused.status().message().find("bodies of 1 stored message"), std::string::npos)
      << refused.status().message();

  RecoveryReport report = Repair();
  ASSERT_EQ(report.lost_messages.size(), 1u);
  EXPECT_EQ(report.lost_messages[0].queue, "keep");
  EXPECT_EQ(FormatMessageId(report.lost_messages[0].message_id), first.message_id);

  Open();
  EXPECT_EQ(Payloads(ReceiveAll(*Find("keep"))), (std::set<std::string>{"the last message"}));
}

TEST_F(SalvageTest, ACheckpointedMessageWhoseSendRecordIsDamagedIsDeletedAndTheRestKept) {
  Open();
  // Bodies in plaintext (encryption at rest off), so that message 3's is
  // found in the segment below.
  QueueSettings plaintext;
  plaintext.extra["SqsManagedSseEnabled"] = "false";
  auto q = Create("q", plaintext);
  std::vector<SendResult> sent;
  for (int i = 0; i < 10; ++i) sent.push_back(Send(*q, BodyOf(i)));
  ASSERT_TRUE(engine_->Checkpoint().ok());
  for (int i = 10; i < 15; ++i) sent.push_back(Send(*q, BodyOf(i)));
  q.reset();
  engine_.reset();

  // Damage message 3's body in its send record (before the replay point).
  const std::string path = dir_.path() + "/" + storage::SegmentFileName(1);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = bytes.find(BodyOf(3));
  ASSERT_NE(at, std::string::npos);
  {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(at + 2));
    f.put('#');
  }
  auto refused = LocalEngine::OpenDurable(clock_, options_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("corrupt at offset"), std::string::npos);

  RecoveryReport report = Repair();
  ASSERT_EQ(report.lost_messages.size(), 1u);
  EXPECT_EQ(FormatMessageId(report.lost_messages[0].message_id), sent[3].message_id);

  RecoveryReport after;
  Open(&after);
  EXPECT_EQ(after.messages, 14u);
  std::set<std::string> expected;
  for (int i = 0; i < 15; ++i) {
    if (i != 3) expected.insert(BodyOf(i));
  }
  EXPECT_EQ(Payloads(ReceiveAll(*Find("q"))), expected);
}

}  // namespace
}  // namespace ferry::engine
