// RepairLog: what each kind of damage leaves after a repair. Each case
// checks that the log replays again, that every record outside the damage
// is kept at its LSN, that the report names what was skipped, and that the
// original of every changed file is kept in lost/.
#include "storage/repair.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/coding.h"
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
using testing::SendRecord;
using testing::TempDir;

class RepairTest : public ::testing::Test {
 protected:
  std::vector<Lsn> Write(uint64_t n, uint64_t segment_bytes) {
    auto log = Log::Open(Options(dir_.path(), segment_bytes), 0, 0);
    EXPECT_TRUE(log.ok());
    return Fill(**log, n);
  }
  std::string PathOf(uint64_t segment) const {
    return dir_.path() + "/" + SegmentFileName(segment);
  }
  LogRepair Repair(Lsn from = 0) {
    auto r = RepairLog(dir_.path(), from, false);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : LogRepair{};
  }
  // seq → LSN of every record a replay from the start visits; fails the
  // test when the replay does.
  std::map<uint64_t, Lsn> Replayed(ReplayResult* end = nullptr) {
    std::map<uint64_t, Lsn> out;
    auto r = ReplayLog(dir_.path(), 0, [&](Lsn lsn, const Record& rec) {
      const std::optional<RecordedBody> body = BodyIn(rec);
      EXPECT_TRUE(body.has_value());
      if (!body) return Status::Ok();
      EXPECT_EQ(body->body, BodyOf(body->seq));
      out[body->seq] = lsn;
      return Status::Ok();
    });
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (end && r.ok()) *end = *r;
    return out;
  }
  // Every record of `lsns` (seq i + 1 at lsns[i]) but those in `lost` is
  // replayed, at its LSN.
  void ExpectKeptAllBut(const std::vector<Lsn>& lsns, const std::set<uint64_t>& lost) {
    auto got = Replayed();
    EXPECT_EQ(got.size(), lsns.size() - lost.size());
    for (size_t i = 0; i < lsns.size(); ++i) {
      if (lost.count(i + 1)) {
        EXPECT_FALSE(got.count(i + 1)) << "seq " << i + 1;
      } else {
        ASSERT_TRUE(got.count(i + 1)) << "seq " << i + 1;
        EXPECT_EQ(got[i + 1], lsns[i]) << "seq " << i + 1;
      }
    }
  }
  // The log takes appends again where recovery ends, and replays them.
  void ExpectAppendsReplay(uint64_t seq) {
    ReplayResult end;
    Replayed(&end);
    {
      auto log = Log::Open(Options(dir_.path(), 4096), end.segment, end.offset);
      ASSERT_TRUE(log.ok());
      ASSERT_TRUE((*log)->Append(SendRecord(seq, BodyOf(seq))).ok());
      ASSERT_TRUE((*log)->Flush().ok());
    }
    EXPECT_TRUE(Replayed().count(seq));
  }

  TempDir dir_;
};

TEST_F(RepairTest, AFlippedRecordIsSkippedAndEveryOtherRecordKeepsItsLsn) {
  auto lsns = Write(21, 1 << 20);
  const std::string original = FileBytes(PathOf(1));
  const uint32_t at = OffsetOf(lsns[10]);
  FlipByte(PathOf(1), at + 20);
  const std::string damaged = FileBytes(PathOf(1));

  LogRepair repair = Repair();
  EXPECT_TRUE(repair.changed);
  ASSERT_EQ(repair.skipped.size(), 1u);
  const SkippedSpan& span = repair.skipped[0];
  EXPECT_EQ(span.kind, SkippedSpan::Kind::kDamaged);
  EXPECT_EQ(span.segment, 1u);
  EXPECT_EQ(span.offset, at);
  EXPECT_EQ(span.length, OffsetOf(lsns[11]) - at);
  // The damaged record still decodes: what it was is reported.
  ASSERT_EQ(span.records.size(), 1u);
  EXPECT_EQ(span.records[0].type, RecordType::kSend);
  EXPECT_EQ(span.records[0].seq, 11u);
  EXPECT_TRUE(span.records[0].message_id.has_value());
  EXPECT_EQ(FileBytes(dir_.path() + "/lost/" + SegmentFileName(1)), damaged);
  EXPECT_EQ(FileBytes(PathOf(1)).size(), original.size());

  ExpectKeptAllBut(lsns, {11});
  ExpectAppendsReplay(100);
}

TEST_F(RepairTest, ATornTailIsZeroedAndTheRestKept) {
  auto lsns = Write(21, 1 << 20);
  FlipByte(PathOf(1), OffsetOf(lsns[20]) + 12);
  LogRepair repair = Repair();
  ASSERT_EQ(repair.skipped.size(), 1u);
  EXPECT_EQ(repair.skipped[0].kind, SkippedSpan::Kind::kTail);
  EXPECT_EQ(repair.skipped[0].offset, OffsetOf(lsns[20]));
  ExpectKeptAllBut(lsns, {21});
  // New records go to a segment of their own, after the repaired one.
  ReplayResult end;
  Replayed(&end);
  EXPECT_EQ(end.segment, 2u);
  ExpectAppendsReplay(100);
}

TEST_F(RepairTest, AMissingNewestSegmentGetsAStandInAndTheOthersAreKept) {
  auto lsns = Write(200, 4096);
  const uint64_t newest = SegmentOf(lsns.back());
  fs::remove(PathOf(newest));
  LogRepair repair = Repair();
  ASSERT_EQ(repair.skipped.size(), 1u);
  EXPECT_EQ(repair.skipped[0].kind, SkippedSpan::Kind::kMissingSegment);
  EXPECT_EQ(repair.skipped[0].segment, newest);
  std::set<uint64_t> lost;
  for (size_t i = 0; i < lsns.size(); ++i) {
    if (SegmentOf(lsns[i]) == newest) lost.insert(i + 1);
  }
  ASSERT_FALSE(lost.empty());
  ExpectKeptAllBut(lsns, lost);
  ReplayResult end;
  Replayed(&end);
  EXPECT_EQ(end.segment, newest + 1);
  auto manifest = ReadManifest(dir_.path());
  ASSERT_TRUE(manifest.ok() && manifest->has_value());
  EXPECT_EQ(**manifest, newest + 1);
  ExpectAppendsReplay(1000);
}

TEST_F(RepairTest, AMissingMiddleSegmentGetsAStandInAndTheOthersAreKept) {
  auto lsns = Write(200, 4096);
  fs::remove(PathOf(2));
  LogRepair repair = Repair();
  ASSERT_EQ(repair.skipped.size(), 1u);
  EXPECT_EQ(repair.skipped[0].kind, SkippedSpan::Kind::kMissingSegment);
  EXPECT_EQ(repair.skipped[0].segment, 2u);
  std::set<uint64_t> lost;
  for (size_t i = 0; i < lsns.size(); ++i) {
    if (SegmentOf(lsns[i]) == 2) lost.insert(i + 1);
  }
  ExpectKeptAllBut(lsns, lost);
  ExpectAppendsReplay(1000);
}

TEST_F(RepairTest, SegmentsBeforeTheCheckpointsReplayPointMayStayMissing) {
  auto lsns = Write(200, 4096);
  fs::remove(PathOf(2));
  LogRepair repair = Repair(MakeLsn(3, kSegmentHeaderSize));
  EXPECT_FALSE(repair.changed);
  EXPECT_TRUE(repair.skipped.empty());
  EXPECT_FALSE(fs::exists(PathOf(2)));
}

TEST_F(RepairTest, ADamagedSegmentHeaderIsRewritten) {
  auto lsns = Write(200, 4096);
  FlipByte(PathOf(2), 2);
  LogRepair repair = Repair();
  ASSERT_EQ(repair.skipped.size(), 1u);
  EXPECT_EQ(repair.skipped[0].kind, SkippedSpan::Kind::kBadHeader);
  ExpectKeptAllBut(lsns, {});
}

TEST_F(RepairTest, SeveralDamagedSpansInSeveralSegmentsAreEachReported) {
  auto lsns = Write(200, 4096);
  FlipByte(PathOf(1), OffsetOf(lsns[3]) + 15);
  FlipByte(PathOf(1), OffsetOf(lsns[7]) + 15);
  ASSERT_EQ(SegmentOf(lsns[60]), SegmentOf(lsns[61]));
  FlipByte(PathOf(SegmentOf(lsns[60])), OffsetOf(lsns[60]) + 3);  // its CRC
  LogRepair repair = Repair();
  ASSERT_EQ(repair.skipped.size(), 3u);
  EXPECT_EQ(repair.lost.size(), 3u);
  ExpectKeptAllBut(lsns, {4, 8, 61});
}

TEST_F(RepairTest, ADamagedSpanLargerThanARecordIsCoveredByEnoughPadding) {
  auto lsns = Write(3, 32 << 20);
  {
    // 9 MiB of garbage after the third record, then one more whole record.
    std::string bytes = FileBytes(PathOf(1));
    const uint32_t end = static_cast<uint32_t>(
        OffsetOf(lsns[2]) + kRecordHeaderSize + DecodeFixed32(bytes.data() + OffsetOf(lsns[2]) + 4));
    const std::string garbage((9u << 20) + 5, '\x7f');
    std::string tail;
    const std::string body = BodyOf(4);
    EncodeRecord(SendRecord(4, body), &tail);
    std::fstream f(PathOf(1), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(end);
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    f.write(tail.data(), static_cast<std::streamsize>(tail.size()));
    lsns.push_back(MakeLsn(1, static_cast<uint32_t>(end + garbage.size())));
  }
  LogRepair repair = Repair();
  ASSERT_EQ(repair.skipped.size(), 1u);
  EXPECT_EQ(repair.skipped[0].length, (9u << 20) + 5);
  ExpectKeptAllBut(lsns, {});
}

TEST_F(RepairTest, ACleanLogIsLeftAsItIs) {
  Write(200, 4096);
  std::map<std::string, std::string> before;
  for (uint64_t s : ListSegments(dir_.path())) before[SegmentFileName(s)] = FileBytes(PathOf(s));
  LogRepair repair = Repair();
  EXPECT_FALSE(repair.changed);
  EXPECT_TRUE(repair.skipped.empty());
  for (const auto& [name, bytes] : before) EXPECT_EQ(FileBytes(dir_.path() + "/" + name), bytes);
  EXPECT_FALSE(fs::exists(dir_.path() + "/lost"));
}

TEST_F(RepairTest, ADryRunReportsButChangesNothing) {
  auto lsns = Write(21, 1 << 20);
  FlipByte(PathOf(1), OffsetOf(lsns[10]) + 20);
  const std::string damaged = FileBytes(PathOf(1));
  auto r = RepairLog(dir_.path(), 0, true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->skipped.size(), 1u);
  EXPECT_EQ(FileBytes(PathOf(1)), damaged);
  EXPECT_FALSE(fs::exists(dir_.path() + "/lost"));
}

}  // namespace
}  // namespace ferry::storage
