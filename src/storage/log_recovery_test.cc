// Recovery's line between a torn tail, which it may truncate, and damage to
// acknowledged data, which it must refuse without touching a file: one test
// per case.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "common/coding.h"
#include "common/crc32c.h"
#include "storage/log_test_util.h"
#include "storage/manifest.h"

namespace ferry::storage {
namespace {

namespace fs = std::filesystem;
using testing::BodyOf;
using testing::FileBytes;
using testing::Fill;
using testing::FlipByte;
using testing::Options;
using testing::ReplayedSeqs;
using testing::SendRecord;
using testing::TempDir;

// Every file of the directory, by name, with its bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    files[e.path().filename().string()] = FileBytes(e.path().string());
  }
  return files;
}

Result<ReplayResult> Replay(const std::string& dir, Lsn from = 0, Lsn floor = 0) {
  return ReplayLog(
      dir, from, [](Lsn, const Record&) { return Status::Ok(); }, floor);
}

// Replay fails with kInternal, names `file` and `what`, and leaves every
// file as it was.
void ExpectRefused(const std::string& dir, const std::string& file, const std::string& what,
                   Lsn floor = 0) {
  const auto before = Snapshot(dir);
  auto r = Replay(dir, 0, floor);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_NE(r.status().message().find(file), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("ferry repair"), std::string::npos);
  EXPECT_TRUE(Snapshot(dir) == before) << "a refused recovery changed a file";
}

class LogRecoveryTest : public ::testing::Test {
 protected:
  // n records in one segment of 1 MiB.
  std::vector<Lsn> OneSegment(uint64_t n) {
    auto log = Log::Open(Options(dir_.path(), 1 << 20), 0, 0);
    EXPECT_TRUE(log.ok());
    return Fill(**log, n);
  }
  // n records in segments of 4 KiB.
  std::vector<Lsn> ManySegments(uint64_t n) {
    auto log = Log::Open(Options(dir_.path(), 4096), 0, 0);
    EXPECT_TRUE(log.ok());
    return Fill(**log, n);
  }
  std::string PathOf(uint64_t segment) const {
    return dir_.path() + "/" + SegmentFileName(segment);
  }

  TempDir dir_;
};

TEST_F(LogRecoveryTest, AFlipInTheMiddleRecordOfTheNewestSegmentRefusesAndChangesNothing) {
  auto lsns = OneSegment(21);
  const uint32_t at = OffsetOf(lsns[10]);
  FlipByte(PathOf(1), at + 20);  // inside record 11's payload
  ExpectRefused(dir_.path(), SegmentFileName(1), "corrupt at offset " + std::to_string(at));
  // A whole record follows: the message says where, and why it is no torn write.
  auto r = Replay(dir_.path());
  EXPECT_NE(r.status().message().find("offset " + std::to_string(OffsetOf(lsns[11]))),
            std::string::npos);
}

TEST_F(LogRecoveryTest, AFlipInARecordLengthIsFoundByResynchronising) {
  auto lsns = OneSegment(21);
  const uint32_t at = OffsetOf(lsns[10]);
  FlipByte(PathOf(1), at + 6, '\x40');  // the length now runs far past the record
  ExpectRefused(dir_.path(), SegmentFileName(1), "corrupt at offset " + std::to_string(at));
}

TEST_F(LogRecoveryTest, AZeroedRecordWithRecordsAfterItIsNotTheEndOfTheData) {
  auto lsns = OneSegment(21);
  const uint32_t at = OffsetOf(lsns[10]);
  {
    std::fstream f(PathOf(1), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(at);
    const std::string zeros(OffsetOf(lsns[11]) - at, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  ExpectRefused(dir_.path(), SegmentFileName(1), "corrupt at offset " + std::to_string(at));
}

// A record a newer version wrote: its checksum holds, its type is unknown
// here, and the refusal says so rather than blaming the checksum.
TEST_F(LogRecoveryTest, AChecksummedRecordOfAnUnknownTypeRefusesNamingItsType) {
  auto lsns = OneSegment(21);
  const uint32_t at = OffsetOf(lsns[10]);
  const size_t size = OffsetOf(lsns[11]) - at;
  std::string body(1, '\x11');  // type 17, which no version defines
  body += std::string(size - kRecordHeaderSize, 'x');
  std::string frame;
  PutFixed32(&frame, Crc32c(body));
  PutFixed32(&frame, static_cast<uint32_t>(size - kRecordHeaderSize));
  frame += body;
  {
    std::fstream f(PathOf(1), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(at);
    f.write(frame.data(), static_cast<std::streamsize>(frame.size()));
  }
  ExpectRefused(dir_.path(), SegmentFileName(1),
                "corrupt at offset " + std::to_string(at) + " (a record has an unknown type");
}

TEST_F(LogRecoveryTest, AFlipInTheLastRecordOfTheNewestSegmentIsATornTail) {
  auto lsns = OneSegment(21);
  FlipByte(PathOf(1), OffsetOf(lsns[20]) + 12);
  ReplayResult result;
  auto seqs = ReplayedSeqs(dir_.path(), &result);
  EXPECT_EQ(seqs.size(), 20u);
  EXPECT_GT(result.truncated_bytes, 0u);
  EXPECT_EQ(result.offset, OffsetOf(lsns[20]));
  // Truncated means zeroed: the next recovery finds a clean end.
  ReplayResult again;
  EXPECT_EQ(ReplayedSeqs(dir_.path(), &again).size(), 20u);
  EXPECT_EQ(again.truncated_bytes, 0u);
}

TEST_F(LogRecoveryTest, ATornTailWithGarbageButNoWholeRecordAfterItIsTruncated) {
  auto lsns = OneSegment(21);
  const uint32_t end =
      OffsetOf(lsns[20]) + 9 + DecodeFixed32(FileBytes(PathOf(1)).data() + OffsetOf(lsns[20]) + 4);
  {
    // A batch cut short: a header and part of a record, then a page of it.
    std::fstream f(PathOf(1), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(end);
    const std::string garbage =
        std::string("\x11\x22\x33\x44\xff\x00\x00\x00\x05", 9) + std::string(5000, '\x7e');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  ReplayResult result;
  EXPECT_EQ(ReplayedSeqs(dir_.path(), &result).size(), 21u);
  EXPECT_EQ(result.offset, end);
}

TEST_F(LogRecoveryTest, DamageBelowTheCheckpointsCursorIsNeverATornTail) {
  auto lsns = OneSegment(21);
  FlipByte(PathOf(1), OffsetOf(lsns[20]) + 12);
  // A checkpoint whose cursor lies past the last record knows it was durable.
  ExpectRefused(dir_.path(), SegmentFileName(1), "below what the checkpoint", lsns[20] + 1);
}

TEST_F(LogRecoveryTest, AFlipInAnOlderSegmentRefuses) {
  ManySegments(200);
  FlipByte(PathOf(1), 100);
  ExpectRefused(dir_.path(), SegmentFileName(1), "corrupt at offset");
}

TEST_F(LogRecoveryTest, AFlipInTheLastRecordOfAnOlderSegmentRefuses) {
  auto lsns = ManySegments(200);
  Lsn last_of_first = 0;
  for (Lsn l : lsns) {
    if (SegmentOf(l) == 1) last_of_first = l;
  }
  FlipByte(PathOf(1), OffsetOf(last_of_first) + 12);
  ExpectRefused(dir_.path(), SegmentFileName(1),
                "corrupt at offset " + std::to_string(OffsetOf(last_of_first)));
  EXPECT_NE(Replay(dir_.path()).status().message().find("not the newest"), std::string::npos);
}

TEST_F(LogRecoveryTest, AMissingNewestSegmentRefuses) {
  auto lsns = ManySegments(200);
  const uint64_t newest = SegmentOf(lsns.back());
  ASSERT_GT(newest, 2u);
  fs::remove(PathOf(newest));
  ExpectRefused(dir_.path(), SegmentFileName(newest), "missing");
}

TEST_F(LogRecoveryTest, TheOnlySegmentMissingRefuses) {
  OneSegment(21);
  fs::remove(PathOf(1));
  ExpectRefused(dir_.path(), SegmentFileName(1), "missing");
}

TEST_F(LogRecoveryTest, AMissingMiddleSegmentRefuses) {
  ManySegments(200);
  fs::remove(PathOf(2));
  ExpectRefused(dir_.path(), SegmentFileName(2), "missing");
}

TEST_F(LogRecoveryTest, ADamagedManifestRefuses) {
  OneSegment(5);
  FlipByte(dir_.path() + "/" + std::string(kManifestFile), 9);
  ExpectRefused(dir_.path(), std::string(kManifestFile), "damaged");
}

TEST_F(LogRecoveryTest, ADamagedHeaderOfAnOlderSegmentRefuses) {
  ManySegments(200);
  FlipByte(PathOf(2), 3);
  ExpectRefused(dir_.path(), SegmentFileName(2), "bad header");
}

TEST_F(LogRecoveryTest, AZeroedHeaderOfTheNewestSegmentWithRecordsAfterItRefuses) {
  OneSegment(21);
  {
    std::fstream f(PathOf(1), std::ios::binary | std::ios::in | std::ios::out);
    const std::string zeros(kSegmentHeaderSize, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  ExpectRefused(dir_.path(), SegmentFileName(1), "header is zeroed");
}

TEST_F(LogRecoveryTest, EachNewSegmentIsInTheManifestOnceItsRecordsAreDurable) {
  auto log = Log::Open(Options(dir_.path(), 4096), 0, 0);
  ASSERT_TRUE(log.ok());
  for (uint64_t i = 1; i <= 200; ++i) {
    auto lsn = (*log)->Append(SendRecord(i, BodyOf(i)));
    ASSERT_TRUE(lsn.ok());
    if (i % 37 == 0) {
      ASSERT_TRUE((*log)->Flush().ok());
      auto manifest = ReadManifest(dir_.path());
      ASSERT_TRUE(manifest.ok() && manifest->has_value());
      EXPECT_EQ(**manifest, SegmentOf(*lsn));
    }
  }
}

TEST_F(LogRecoveryTest, ALogWrittenBeforeManifestsReplaysAndGetsOne) {
  auto lsns = ManySegments(100);
  fs::remove(dir_.path() + "/" + std::string(kManifestFile));
  ReplayResult end;
  ASSERT_EQ(ReplayedSeqs(dir_.path(), &end).size(), 100u);
  {
    auto log = Log::Open(Options(dir_.path(), 4096), end.segment, end.offset);
    ASSERT_TRUE(log.ok());
  }
  auto manifest = ReadManifest(dir_.path());
  ASSERT_TRUE(manifest.ok() && manifest->has_value());
  EXPECT_EQ(**manifest, SegmentOf(lsns.back()));
}

TEST_F(LogRecoveryTest, ACheckpointWithEverySegmentGoneRefuses) {
  ManySegments(100);
  for (uint64_t s : ListSegments(dir_.path())) fs::remove(PathOf(s));
  fs::remove(dir_.path() + "/" + std::string(kManifestFile));
  auto r = Replay(dir_.path(), MakeLsn(3, 16));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(SegmentFileName(3)), std::string::npos);
}

}  // namespace
}  // namespace ferry::storage
