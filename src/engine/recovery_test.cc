#include "engine/recovery.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "storage/checkpoint.h"
#include "storage/log_test_util.h"

namespace ferry::engine {
namespace {

using storage::Lsn;
using storage::Record;
using storage::RecordType;
using storage::testing::TempDir;

struct Seen {
  RecordSource source;
  Lsn lsn;
  RecordType type;
  uint64_t seq;
  bool operator==(const Seen&) const = default;
};

// Notes every record it is handed; fails the one with sequence `fail_at`.
class Recorder : public RecordOwner {
 public:
  Status Recover(RecordSource source, Lsn lsn, const Record& r) override {
    const uint64_t seq = storage::MessageSeqOf(r);
    if (seq == fail_at) return Status::Internal("record " + std::to_string(seq) + " is bad");
    seen.push_back({source, lsn, storage::TypeOf(r), seq});
    return Status::Ok();
  }
  std::vector<Seen> seen;
  uint64_t fail_at = 0;
};

// A record of queue 7 about message `seq` (a Purge is about none: seq 0).
Record Of(RecordType type, uint64_t seq) {
  switch (type) {
    case RecordType::kSend:
      return storage::Send{.queue_id = 7, .message = {.seq = seq}};
    case RecordType::kReceive:
      return storage::Receive{.queue_id = 7, .seq = seq};
    case RecordType::kDelete:
      return storage::Delete{.queue_id = 7, .seq = seq};
    case RecordType::kPurge:
      return storage::Purge{.queue_id = 7};
    case RecordType::kCheckpointMessage:
      return storage::CheckpointMessage{.queue_id = 7, .seq = seq};
    default:
      ADD_FAILURE() << "no test record of type " << static_cast<int>(type);
      return storage::DeleteQueue{.queue_id = 7};
  }
}

class RecoveryTest : public ::testing::Test {
 protected:
  // Appends the records to the log in dir_ (a new one) and returns their LSNs.
  std::vector<Lsn> WriteLog(const std::vector<Record>& records) {
    DurableOptions options;
    options.dir = dir_.path();
    options.segment_bytes = 2u << 20;  // each segment is zero-filled when created
    auto log = OpenRecoveredLog(options, storage::ReplayResult{}, nullptr);  // no sealed body
    EXPECT_TRUE(log.ok()) << log.status().message();
    std::vector<Lsn> lsns;
    if (!log.ok()) return lsns;
    for (const Record& r : records) {
      auto lsn = (*log)->Append(r);
      EXPECT_TRUE(lsn.ok());
      lsns.push_back(lsn.ok() ? *lsn : 0);
    }
    EXPECT_TRUE((*log)->Flush().ok());
    return lsns;
  }

  void WriteCheckpoint(const std::vector<Record>& records, Lsn replay_from) {
    storage::CheckpointBuilder builder;
    for (const Record& r : records) builder.Add(r);
    const std::string& data = builder.Finish(replay_from);
    ASSERT_TRUE(storage::WriteCheckpoint(storage::FileOps::Default(), dir_.path(), data).ok());
  }

  Result<RecoveredRecords> Recover() {
    return RecoverRecords(dir_.path(), router_, [this] { ++checkpoints_read_; });
  }

  TempDir dir_;
  RecordRouter router_;
  int checkpoints_read_ = 0;
};

TEST_F(RecoveryTest, OwnersReceiveTheirLogRecordsInLogOrder) {
  Recorder sends, receives;
  router_.Own(RecordSource::kLog, std::array{RecordType::kSend, RecordType::kDelete}, sends);
  router_.Own(RecordSource::kLog, RecordType::kReceive, receives);
  const std::vector<Lsn> lsns = WriteLog({Of(RecordType::kSend, 1), Of(RecordType::kReceive, 1),
                                          Of(RecordType::kSend, 2), Of(RecordType::kDelete, 1)});
  ASSERT_EQ(lsns.size(), 4u);

  auto recovered = Recover();
  ASSERT_TRUE(recovered.ok()) << recovered.status().message();
  EXPECT_EQ(sends.seen, (std::vector<Seen>{{RecordSource::kLog, lsns[0], RecordType::kSend, 1},
                                           {RecordSource::kLog, lsns[2], RecordType::kSend, 2},
                                           {RecordSource::kLog, lsns[3], RecordType::kDelete, 1}}));
  EXPECT_EQ(receives.seen,
            (std::vector<Seen>{{RecordSource::kLog, lsns[1], RecordType::kReceive, 1}}));
  EXPECT_FALSE(recovered->from_checkpoint);
  EXPECT_EQ(checkpoints_read_, 0);
  EXPECT_EQ(recovered->log.records, 4u);
}

TEST_F(RecoveryTest, ALogRecordOfATypeNobodyOwnsIsDamage) {
  Recorder sends;
  router_.Own(RecordSource::kLog, RecordType::kSend, sends);
  // Owning a type in checkpoints does not take it from the log.
  router_.Own(RecordSource::kCheckpoint, RecordType::kPurge, sends);
  WriteLog({Of(RecordType::kSend, 1), Of(RecordType::kPurge, 0), Of(RecordType::kSend, 2)});

  auto recovered = Recover();
  ASSERT_FALSE(recovered.ok());
  EXPECT_EQ(recovered.status().code(), Code::kInternal);
  EXPECT_EQ(recovered.status().message(), "unexpected record type in the log");
  ASSERT_EQ(sends.seen.size(), 1u);  // stopped at the damage
  EXPECT_EQ(sends.seen[0].seq, 1u);
}

TEST_F(RecoveryTest, ACheckpointRecordOfATypeNobodyOwnsIsDamage) {
  Recorder messages;
  // Owning a type in the log does not take it from checkpoints.
  router_.Own(RecordSource::kLog, RecordType::kCheckpointMessage, messages);
  WriteCheckpoint({Of(RecordType::kCheckpointMessage, 1)}, 0);

  auto recovered = Recover();
  ASSERT_FALSE(recovered.ok());
  EXPECT_EQ(recovered.status().code(), Code::kInternal);
  EXPECT_EQ(recovered.status().message(),
            "checkpoint " + storage::CheckpointPath(dir_.path()) + " holds an unexpected record");
  EXPECT_TRUE(messages.seen.empty());
  EXPECT_EQ(checkpoints_read_, 0);
}

TEST_F(RecoveryTest, CheckpointRecordsComeFirstThenTheLogFromItsReplayPoint) {
  Recorder owner;
  router_.Own(RecordSource::kCheckpoint, RecordType::kCheckpointMessage, owner);
  router_.Own(RecordSource::kLog, RecordType::kSend, owner);
  const std::vector<Lsn> lsns =
      WriteLog({Of(RecordType::kSend, 1), Of(RecordType::kSend, 2), Of(RecordType::kSend, 3)});
  ASSERT_EQ(lsns.size(), 3u);
  WriteCheckpoint({Of(RecordType::kCheckpointMessage, 1), Of(RecordType::kCheckpointMessage, 2)},
                  lsns[2]);

  auto recovered = Recover();
  ASSERT_TRUE(recovered.ok()) << recovered.status().message();
  EXPECT_EQ(owner.seen,
            (std::vector<Seen>{{RecordSource::kCheckpoint, 0, RecordType::kCheckpointMessage, 1},
                               {RecordSource::kCheckpoint, 0, RecordType::kCheckpointMessage, 2},
                               {RecordSource::kLog, lsns[2], RecordType::kSend, 3}}));
  EXPECT_TRUE(recovered->from_checkpoint);
  EXPECT_EQ(recovered->checkpoint_from, lsns[2]);
  EXPECT_EQ(checkpoints_read_, 1);
}

TEST_F(RecoveryTest, AnOwnersErrorStopsRecoveryAndIsItsResult) {
  Recorder sends;
  sends.fail_at = 2;
  router_.Own(RecordSource::kLog, RecordType::kSend, sends);
  WriteLog({Of(RecordType::kSend, 1), Of(RecordType::kSend, 2), Of(RecordType::kSend, 3)});

  auto recovered = Recover();
  ASSERT_FALSE(recovered.ok());
  EXPECT_EQ(recovered.status().message(), "record 2 is bad");
  ASSERT_EQ(sends.seen.size(), 1u);
  EXPECT_EQ(sends.seen[0].seq, 1u);
}

}  // namespace
}  // namespace ferry::engine
