#include "storage/checkpoint.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "storage/faulty_file_ops.h"
#include "storage/log_test_util.h"

namespace ferry::storage {
namespace {

using testing::FaultyFileOps;
using testing::FileBytes;
using testing::TempDir;

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

Record Queue(uint64_t id, const std::string& name) {
  return CreateQueue{.queue_id = id, .name = name, .created_ms = 5};
}

// A checkpoint of `n` queues replaying from `from`.
std::string Build(int n, Lsn from) {
  CheckpointBuilder b;
  for (int i = 1; i <= n; ++i) b.Add(Queue(static_cast<uint64_t>(i), "q" + std::to_string(i)));
  return b.Finish(from);
}

// The names of the queues in `dir`'s checkpoint, and its end's LSN in *from.
Result<std::vector<std::string>> Names(const std::string& dir, Lsn* from) {
  std::vector<std::string> names;
  auto found = ReadCheckpoint(dir, [&](const Record& r) {
    if (const auto* q = std::get_if<CreateQueue>(&r)) names.push_back(q->name);
    if (const auto* end = std::get_if<CheckpointEnd>(&r)) *from = end->replay_from;
    return Status::Ok();
  });
  if (!found.ok()) return found.status();
  EXPECT_TRUE(*found);
  return names;
}

TEST(CheckpointTest, AMissingCheckpointIsNoCheckpoint) {
  TempDir dir;
  auto found = ReadCheckpoint(dir.path(), [](const Record&) { return Status::Ok(); });
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(*found);
  auto point = CheckpointReplayPoint(dir.path());
  ASSERT_TRUE(point.ok());
  EXPECT_FALSE(point->has_value());
}

TEST(CheckpointTest, AWrittenCheckpointReadsBackInOrderWithItsEnd) {
  TempDir dir;
  const std::string data = Build(3, MakeLsn(2, 100));
  EXPECT_TRUE(data.starts_with(kCheckpointMagic));
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), data).ok());
  EXPECT_EQ(FileBytes(CheckpointPath(dir.path())), data);
  EXPECT_FALSE(std::filesystem::exists(CheckpointPath(dir.path()) + ".tmp"));

  std::vector<RecordType> types;
  auto found = ReadCheckpoint(dir.path(), [&](const Record& r) {
    types.push_back(TypeOf(r));
    return Status::Ok();
  });
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_TRUE(*found);
  EXPECT_EQ(types, (std::vector<RecordType>{RecordType::kCreateQueue, RecordType::kCreateQueue,
                                            RecordType::kCreateQueue, RecordType::kCheckpointEnd}));
  auto point = CheckpointReplayPoint(dir.path());
  ASSERT_TRUE(point.ok());
  EXPECT_EQ(*point, std::optional<Lsn>(MakeLsn(2, 100)));
}

TEST(CheckpointTest, AnEmptyCheckpointHoldsOnlyItsEnd) {
  TempDir dir;
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), Build(0, 7)).ok());
  Lsn from = 0;
  auto names = Names(dir.path(), &from);
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
  EXPECT_EQ(from, 7u);
}

TEST(CheckpointTest, ANewCheckpointReplacesTheOld) {
  TempDir dir;
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), Build(1, 10)).ok());
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), Build(2, 20)).ok());
  Lsn from = 0;
  auto names = Names(dir.path(), &from);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"q1", "q2"}));
  EXPECT_EQ(from, 20u);
}

TEST(CheckpointTest, ABadHeaderIsReportedAsDamage) {
  TempDir dir;
  std::string data = Build(2, 10);
  data[0] = 'X';
  WriteFile(CheckpointPath(dir.path()), data);
  auto point = CheckpointReplayPoint(dir.path());
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), Code::kInternal);
  EXPECT_NE(point.status().message().find("has a bad header"), std::string::npos);
}

TEST(CheckpointTest, ARecordFailingItsChecksumIsReportedWithItsOffset) {
  TempDir dir;
  std::string data = Build(2, 10);
  data[kCheckpointMagic.size() + kRecordHeaderSize + 2] ^= 0x01;  // inside the first record
  WriteFile(CheckpointPath(dir.path()), data);
  auto point = CheckpointReplayPoint(dir.path());
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), Code::kInternal);
  EXPECT_NE(point.status().message().find("is corrupt at offset " +
                                          std::to_string(kCheckpointMagic.size())),
            std::string::npos)
      << point.status().message();
}

TEST(CheckpointTest, ACheckpointCutShortIsReportedAsDamage) {
  TempDir dir;
  std::string data = Build(2, 10);
  data.resize(data.size() - 3);  // the end record is partial
  WriteFile(CheckpointPath(dir.path()), data);
  auto point = CheckpointReplayPoint(dir.path());
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), Code::kInternal);
  EXPECT_NE(point.status().message().find("is corrupt at offset"), std::string::npos);
}

TEST(CheckpointTest, ACheckpointWithoutItsEndIsReportedAsDamage) {
  TempDir dir;
  CheckpointBuilder b;
  b.Add(Queue(1, "q1"));
  WriteFile(CheckpointPath(dir.path()), *b.data());
  auto point = CheckpointReplayPoint(dir.path());
  ASSERT_FALSE(point.ok());
  EXPECT_NE(point.status().message().find("is corrupt at offset"), std::string::npos);
}

TEST(CheckpointTest, AnEndCountingOtherRecordsIsReportedIncomplete) {
  TempDir dir;
  CheckpointBuilder b;
  b.Add(Queue(1, "q1"));
  *b.count() = 2;  // one record went missing
  WriteFile(CheckpointPath(dir.path()), b.Finish(10));
  auto point = CheckpointReplayPoint(dir.path());
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), Code::kInternal);
  EXPECT_NE(point.status().message().find("is incomplete"), std::string::npos);
}

TEST(CheckpointTest, AVisitorErrorStopsTheWalk) {
  TempDir dir;
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), Build(3, 10)).ok());
  int seen = 0;
  auto found = ReadCheckpoint(dir.path(), [&](const Record&) {
    ++seen;
    return Status::FailedPrecondition("stop");
  });
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(seen, 1);
}

TEST(CheckpointTest, AFailedWriteLeavesTheOldCheckpointAndNoTemporaryFile) {
  TempDir dir;
  const std::string old = Build(1, 10);
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), old).ok());
  FaultyFileOps ops;
  ops.FailWrites(ENOSPC);
  Status st = WriteCheckpoint(ops, dir.path(), Build(2, 20));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find("checkpoint.tmp"), std::string::npos) << st.message();
  EXPECT_EQ(FileBytes(CheckpointPath(dir.path())), old);
  EXPECT_FALSE(std::filesystem::exists(CheckpointPath(dir.path()) + ".tmp"));
}

TEST(CheckpointTest, AFailedSyncLeavesTheOldCheckpointAndNoTemporaryFile) {
  TempDir dir;
  const std::string old = Build(1, 10);
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), old).ok());
  FaultyFileOps ops;
  ops.FailSyncs(EIO);
  EXPECT_EQ(WriteCheckpoint(ops, dir.path(), Build(2, 20)).code(), Code::kUnavailable);
  EXPECT_EQ(FileBytes(CheckpointPath(dir.path())), old);
  EXPECT_FALSE(std::filesystem::exists(CheckpointPath(dir.path()) + ".tmp"));
}

// Each step of WriteCheckpoint failing on its own (file_ops.h).
struct WriteStep {
  const char* name;
  testing::FileOp op;
  int err;
  const char* names;  // what the error must name
};

class CheckpointWriteFaultTest : public ::testing::TestWithParam<WriteStep> {
 protected:
  // The path part a fault is limited to: the directory sync names the
  // directory, every other step a checkpoint file.
  std::string PathPart() const {
    return GetParam().op == testing::FileOp::kSyncDir ? dir_.path() : "checkpoint";
  }

  TempDir dir_;
  FaultyFileOps ops_;
};

TEST_P(CheckpointWriteFaultTest, FailsNamingTheFileAndLeavesNoTemporaryFile) {
  const std::string old = Build(1, 10);
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir_.path(), old).ok());
  ops_.Fail(GetParam().op, GetParam().err, PathPart());
  Status st = WriteCheckpoint(ops_, dir_.path(), Build(2, 20));
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find(dir_.path() + "/" + GetParam().names), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find(std::strerror(GetParam().err)), std::string::npos) << st.message();
  EXPECT_FALSE(std::filesystem::exists(CheckpointPath(dir_.path()) + ".tmp"));
  EXPECT_GE(ops_.failures(), 1u);

  ops_.Heal();
  auto point = CheckpointReplayPoint(dir_.path(), ops_);
  ASSERT_TRUE(point.ok()) << point.status().message();
  ASSERT_TRUE(point->has_value());
  if (GetParam().op == testing::FileOp::kSyncDir) {
    // The rename was done: the new checkpoint is in place, whole, though a
    // crash might still bring back the old one.
    EXPECT_EQ(**point, 20u);
  } else {
    EXPECT_EQ(**point, 10u);
    EXPECT_EQ(FileBytes(CheckpointPath(dir_.path())), old);
  }
  // A retry once the disk is back installs the new one.
  ASSERT_TRUE(WriteCheckpoint(ops_, dir_.path(), Build(3, 30)).ok());
  EXPECT_EQ(*CheckpointReplayPoint(dir_.path()), std::optional<Lsn>(30));
}

INSTANTIATE_TEST_SUITE_P(
    Steps, CheckpointWriteFaultTest,
    ::testing::Values(
        WriteStep{"CreatingTheTemporaryFile", testing::FileOp::kCreate, EACCES, "checkpoint.tmp"},
        WriteStep{"Writing", testing::FileOp::kPwrite, ENOSPC, "checkpoint.tmp"},
        WriteStep{"Syncing", testing::FileOp::kFdatasync, EIO, "checkpoint.tmp"},
        WriteStep{"Renaming", testing::FileOp::kRename, EIO, "checkpoint"},
        WriteStep{"SyncingTheDirectory", testing::FileOp::kSyncDir, EIO, "checkpoint"}),
    [](const ::testing::TestParamInfo<WriteStep>& info) { return std::string(info.param.name); });

TEST(CheckpointTest, AFailedReadIsAnErrorNotAMissingCheckpoint) {
  TempDir dir;
  ASSERT_TRUE(WriteCheckpoint(FileOps::Default(), dir.path(), Build(1, 10)).ok());
  FaultyFileOps ops;
  ops.Fail(testing::FileOp::kPread, EIO, "checkpoint");
  auto point = CheckpointReplayPoint(dir.path(), ops);
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), Code::kInternal);
  EXPECT_NE(point.status().message().find("cannot read " + CheckpointPath(dir.path())),
            std::string::npos)
      << point.status().message();
}

}  // namespace
}  // namespace ferry::storage
