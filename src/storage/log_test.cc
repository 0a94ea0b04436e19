#include "storage/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "common/coding.h"
#include "storage/faulty_file_ops.h"
#include "storage/log_reader.h"
#include "storage/log_test_util.h"
#include "storage/manifest.h"

namespace ferry::storage {
namespace {

namespace fs = std::filesystem;
using testing::BodyOf;
using testing::Fill;
using testing::Options;
using testing::ReplayedSeqs;
using testing::SendRecord;
using testing::TempDir;

TEST(Log, AppendedRecordsAreReplayedInOrder) {
  TempDir dir;
  {
    auto log = Log::Open(Options(dir.path()), 0, 0);
    ASSERT_TRUE(log.ok());
    Fill(**log, 200);
  }
  auto seqs = ReplayedSeqs(dir.path());
  ASSERT_EQ(seqs.size(), 200u);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

TEST(Log, PayloadsAreReadBackBeforeAndAfterTheyAreDurable) {
  TempDir dir;
  auto log = Log::Open(Options(dir.path()), 0, 0);
  ASSERT_TRUE(log.ok());
  std::string body = BodyOf(7);
  auto lsn = (*log)->Append(SendRecord(7, body));
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*(*log)->ReadPayload(*lsn), body);  // maybe still in memory
  ASSERT_TRUE((*log)->Flush().ok());
  EXPECT_EQ(*(*log)->ReadPayload(*lsn), body);  // from the file
}

TEST(Log, TheProbeSeesEveryRecordOfEveryBatchAndTimesItsSync) {
  TempDir dir;
  LogProbe probe;
  LogOptions options = Options(dir.path());
  options.probe = &probe;
  auto log = Log::Open(options, 0, 0);
  ASSERT_TRUE(log.ok());
  for (uint64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE((*log)->Append(SendRecord(seq, "a")).ok());
  ASSERT_TRUE((*log)->Flush().ok());
  ASSERT_TRUE((*log)->Append(SendRecord(4, "b")).ok());
  ASSERT_TRUE((*log)->Flush().ok());
  const AtomicHistogram::Snapshot records = probe.batch_records.Read();
  // However the writer split them into batches, each record is in one.
  EXPECT_EQ(records.sum, 4u);
  EXPECT_GE(records.count, 2u);
  EXPECT_EQ(probe.batch_bytes.Read().count, records.count);
  EXPECT_EQ(probe.sync_ns.Read().count, records.count);
}

TEST(Log, LargePayloadsNeedTwoReadsAndStillMatch) {
  TempDir dir;
  auto log = Log::Open(Options(dir.path(), 8 << 20), 0, 0);
  std::string big(1 << 20, 'z');
  auto lsn = (*log)->Append(SendRecord(1, big));
  ASSERT_TRUE((*log)->Flush().ok());
  EXPECT_EQ(*(*log)->ReadPayload(*lsn), big);
}

// Neighbours share one read; far-apart, large, in-memory and bogus
// references are each answered as ReadPayload answers them, in the order
// asked.
TEST(Log, ReadPayloadsAnswersEachReferenceInTheOrderAsked) {
  TempDir dir;
  auto log = Log::Open(Options(dir.path(), 8 << 20), 0, 0);
  ASSERT_TRUE(log.ok());
  std::vector<Lsn> lsns = Fill(**log, 40);
  const std::string big(100 * 1024, 'b');
  auto big_lsn = (*log)->Append(SendRecord(41, big));
  ASSERT_TRUE(big_lsn.ok());
  std::vector<Lsn> more = Fill(**log, 3);
  ASSERT_TRUE((*log)->Flush().ok());
  auto buffered = (*log)->Append(SendRecord(99, BodyOf(99)));
  ASSERT_TRUE(buffered.ok());

  std::vector<Lsn> ask = {lsns[39], *buffered, lsns[0],     *big_lsn,
                          lsns[5],  more[2],   lsns[5] + 1, lsns[20]};
  std::vector<Result<std::string>> got = (*log)->ReadPayloads(ask);
  ASSERT_EQ(got.size(), ask.size());
  EXPECT_EQ(*got[0], BodyOf(40));
  EXPECT_EQ(*got[1], BodyOf(99));
  EXPECT_EQ(*got[2], BodyOf(1));
  EXPECT_EQ(*got[3], big);
  EXPECT_EQ(*got[4], BodyOf(6));
  EXPECT_EQ(*got[5], BodyOf(3));
  EXPECT_FALSE(got[6].ok());  // not the start of a record
  EXPECT_EQ(*got[7], BodyOf(21));
}

TEST(Log, WhenDurableRunsAfterTheBatchIsWritten) {
  TempDir dir;
  auto log = Log::Open(Options(dir.path()), 0, 0);
  std::atomic<int> done{0};
  for (int i = 1; i <= 50; ++i) {
    auto lsn = (*log)->Append(SendRecord(i, BodyOf(i)));
    (*log)->WhenDurable(*lsn, [&](Status st) {
      EXPECT_TRUE(st.ok());
      ++done;
    });
  }
  ASSERT_TRUE((*log)->Flush().ok());
  // Flush returns once durable_ covers everything; callbacks run right after.
  for (int spin = 0; spin < 1000 && done < 50; ++spin) ::usleep(1000);
  EXPECT_EQ(done.load(), 50);
  bool immediate = false;
  (*log)->WhenDurable(MakeLsn(1, 16), [&](Status) { immediate = true; });
  EXPECT_TRUE(immediate);
}

TEST(Log, RollsIntoNewSegmentsAndReopensWhereItStopped) {
  TempDir dir;
  ReplayResult end;
  {
    auto log = Log::Open(Options(dir.path(), 4096), 0, 0);
    Fill(**log, 300);
    EXPECT_GT((*log)->Segments().size(), 3u);
  }
  ASSERT_EQ(ReplayedSeqs(dir.path(), &end).size(), 300u);
  {
    auto log = Log::Open(Options(dir.path(), 4096), end.segment, end.offset);
    for (uint64_t i = 301; i <= 320; ++i)
      ASSERT_TRUE((*log)->Append(SendRecord(i, BodyOf(i))).ok());
    ASSERT_TRUE((*log)->Flush().ok());
  }
  EXPECT_EQ(ReplayedSeqs(dir.path()).size(), 320u);
}

// Cuts the last segment at every byte offset across its last records, as a
// crash in the middle of a write would, and checks that recovery keeps
// exactly the records that were whole.
TEST(Log, RecoveryTruncatesATornTailAtEveryOffset) {
  TempDir dir;
  std::vector<Lsn> lsns;
  {
    auto log = Log::Open(Options(dir.path(), 1 << 20), 0, 0);
    lsns = Fill(**log, 20);
  }
  std::string seg = dir.path() + "/" + SegmentFileName(1);
  std::string original;
  {
    std::ifstream in(seg, std::ios::binary);
    original.assign(std::istreambuf_iterator<char>(in), {});
  }
  uint32_t start = OffsetOf(lsns[16]);
  auto end_of = [&](size_t i) {
    return i + 1 < lsns.size() ? OffsetOf(lsns[i + 1]) : static_cast<uint32_t>(0);
  };
  // The end of the last record: first zero header after it.
  uint32_t last_off = OffsetOf(lsns.back());
  uint32_t last_end = last_off + 9 + DecodeFixed32(original.data() + last_off + 4);
  for (uint32_t cut = start; cut <= last_end + 1; ++cut) {
    for (bool garbage : {false, true}) {
      std::string damaged = original.substr(0, cut);
      if (garbage) damaged += std::string(7, '\x5A');
      {
        std::ofstream out(seg, std::ios::binary | std::ios::trunc);
        out << damaged;
      }
      size_t whole = 0;
      for (size_t i = 0; i < lsns.size(); ++i) {
        uint32_t e = end_of(i) ? end_of(i) : last_end;
        if (e <= cut) whole = i + 1;
      }
      ReplayResult result;
      auto seqs = ReplayedSeqs(dir.path(), &result);
      ASSERT_EQ(seqs.size(), whole) << "cut at " << cut << " garbage " << garbage;
      // A second recovery finds a clean log.
      ReplayResult again;
      EXPECT_EQ(ReplayedSeqs(dir.path(), &again).size(), whole);
      EXPECT_EQ(again.truncated_bytes, 0u);
    }
  }
}

TEST(Log, CorruptionInAnOlderSegmentStopsRecovery) {
  TempDir dir;
  {
    auto log = Log::Open(Options(dir.path(), 4096), 0, 0);
    Fill(**log, 200);
  }
  std::string seg = dir.path() + "/" + SegmentFileName(1);
  {
    std::fstream f(seg, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(100);
    f.put('\x01');
  }
  auto r = ReplayLog(dir.path(), 0, [](Lsn, const Record&) { return Status::Ok(); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(SegmentFileName(1)), std::string::npos);
  EXPECT_NE(r.status().message().find("corrupt"), std::string::npos);
}

TEST(Log, ReplayCanStartAtAnLsn) {
  TempDir dir;
  std::vector<Lsn> lsns;
  {
    auto log = Log::Open(Options(dir.path(), 4096), 0, 0);
    lsns = Fill(**log, 100);
  }
  std::vector<uint64_t> seqs;
  auto r = ReplayLog(dir.path(), lsns[60], [&](Lsn, const Record& rec) {
    seqs.push_back(MessageSeqOf(rec));
    return Status::Ok();
  });
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(seqs.size(), 40u);
  EXPECT_EQ(seqs.front(), 61u);
}

TEST(Log, SegmentsBeforeTheReplayPointMayBeMissing) {
  TempDir dir;
  std::vector<Lsn> lsns;
  {
    auto log = Log::Open(Options(dir.path(), 4096), 0, 0);
    lsns = Fill(**log, 300);
    ASSERT_GT(SegmentOf(lsns.back()), 4u);
    ASSERT_TRUE((*log)->RemoveSegment(2).ok());
  }
  const Lsn from = MakeLsn(4, static_cast<uint32_t>(kSegmentHeaderSize));
  size_t replayed = 0;
  auto r = ReplayLog(dir.path(), from, [&](Lsn lsn, const Record&) {
    EXPECT_GE(lsn, from);
    ++replayed;
    return Status::Ok();
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(replayed, static_cast<size_t>(std::count_if(lsns.begin(), lsns.end(),
                                                        [&](Lsn l) { return l >= from; })));
  EXPECT_EQ(r->segment, SegmentOf(lsns.back()));
  // From the start, the hole is an error that names the missing segment.
  auto whole = ReplayLog(dir.path(), 0, [](Lsn, const Record&) { return Status::Ok(); });
  ASSERT_FALSE(whole.ok());
  EXPECT_NE(whole.status().message().find(SegmentFileName(2)), std::string::npos);
}

TEST(Log, AMissingSegmentAtTheReplayPointStopsRecovery) {
  TempDir dir;
  {
    auto log = Log::Open(Options(dir.path(), 4096), 0, 0);
    Fill(**log, 300);
  }
  fs::remove(dir.path() + "/" + SegmentFileName(3));
  auto r = ReplayLog(dir.path(), MakeLsn(3, 16), [](Lsn, const Record&) { return Status::Ok(); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(SegmentFileName(3)), std::string::npos);
  // Nor may replay start after the last segment there is.
  auto past =
      ReplayLog(dir.path(), MakeLsn(1000, 16), [](Lsn, const Record&) { return Status::Ok(); });
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message().find(SegmentFileName(1000)), std::string::npos);
}

TEST(Log, ScanSegmentVisitsEveryRecordOfASealedSegment) {
  TempDir dir;
  std::vector<Lsn> lsns;
  {
    auto log = Log::Open(Options(dir.path(), 4096), 0, 0);
    lsns = Fill(**log, 300);
  }
  std::string data;
  std::vector<uint64_t> seqs;
  Status st = ScanSegment(dir.path(), 2, &data, [&](Lsn lsn, const Record& r) {
    EXPECT_EQ(SegmentOf(lsn), 2u);
    const auto& send = std::get<Send>(r);
    EXPECT_EQ(lsn, lsns[send.message.seq - 1]);
    EXPECT_EQ(send.message.body, BodyOf(send.message.seq));
    seqs.push_back(send.message.seq);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(seqs.size(), static_cast<size_t>(std::count_if(
                             lsns.begin(), lsns.end(), [](Lsn l) { return SegmentOf(l) == 2; })));

  // A damaged record is corruption, named by file and offset.
  {
    std::fstream f(dir.path() + "/" + SegmentFileName(2),
                   std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(100);
    f.put('\x01');
  }
  st = ScanSegment(dir.path(), 2, &data, [](Lsn, const Record&) { return Status::Ok(); });
  EXPECT_EQ(st.code(), Code::kInternal);
  EXPECT_NE(st.message().find(SegmentFileName(2)), std::string::npos);
}

// Spins (yielding, not sleeping) until pred() holds or 10 s pass.
bool WaitUntil(const std::function<bool()>& pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

Status DurableStatus(Log& log, Lsn lsn) {
  std::promise<Status> done;
  auto result = done.get_future();
  log.WhenDurable(lsn, [&done](Status st) { done.set_value(std::move(st)); });
  return result.get();
}

struct Fault {
  const char* name;
  bool on_sync;  // fdatasync fails, else pwrite
  int err;
};

class LogFaultTest : public ::testing::TestWithParam<Fault> {
 protected:
  void Inject() {
    if (GetParam().on_sync) {
      ops_.FailSyncs(GetParam().err);
    } else {
      ops_.FailWrites(GetParam().err);
    }
  }
  LogOptions FaultyOptions() {
    LogOptions o = Options(dir_.path(), 4096);
    o.file_ops = &ops_;
    o.retry_interval = std::chrono::milliseconds(1);
    return o;
  }

  TempDir dir_;
  testing::FaultyFileOps ops_;
};

TEST_P(LogFaultTest, FailingDiskFailsWaitersRefusesAppendsAndRecoversWhenHealed) {
  {
    auto opened = Log::Open(FaultyOptions(), 0, 0);
    ASSERT_TRUE(opened.ok());
    Log& log = **opened;
    Fill(log, 10);  // acknowledged before the fault

    Inject();
    std::string body11 = BodyOf(11);
    auto lsn = log.Append(SendRecord(11, body11));
    ASSERT_TRUE(lsn.ok());
    Status st = DurableStatus(log, *lsn);
    EXPECT_EQ(st.code(), Code::kUnavailable) << st.message();
    EXPECT_NE(st.message().find(std::strerror(GetParam().err)), std::string::npos) << st.message();

    // While the disk fails, nothing new is taken and nothing is durable.
    std::string body12 = BodyOf(12);
    EXPECT_EQ(log.Append(SendRecord(12, body12)).status().code(), Code::kUnavailable);
    EXPECT_EQ(log.Flush().code(), Code::kUnavailable);
    EXPECT_EQ(DurableStatus(log, *lsn).code(), Code::kUnavailable);
    // It keeps retrying (every millisecond here).
    const uint64_t failures = ops_.failures();
    EXPECT_TRUE(WaitUntil([&] { return ops_.failures() >= failures + 3; }));
    EXPECT_GE(log.stats().write_errors, 3u);
    // A record written before the fault is still readable.
    EXPECT_EQ(*log.ReadPayload(MakeLsn(1, static_cast<uint32_t>(kSegmentHeaderSize))), BodyOf(1));

    ops_.Heal();
    EXPECT_TRUE(WaitUntil([&] { return log.Flush().ok(); }));
    EXPECT_TRUE(DurableStatus(log, *lsn).ok());
    EXPECT_EQ(*log.ReadPayload(*lsn), body11);
    // Appending works again, across segment boundaries too: after a full
    // disk, once the helper has rebuilt the reserve and the spare (log.h);
    // until then an append is refused and stores nothing.
    std::string first_after = BodyOf(12);
    ASSERT_TRUE(WaitUntil([&] { return log.Append(SendRecord(12, first_after)).ok(); }));
    for (uint64_t i = 13; i <= 120; ++i) ASSERT_TRUE(log.Append(SendRecord(i, BodyOf(i))).ok());
    ASSERT_TRUE(log.Flush().ok());
  }
  // The record caught by the fault was kept and written by the retry; the
  // refused one never entered the log.
  auto seqs = ReplayedSeqs(dir_.path());
  ASSERT_EQ(seqs.size(), 120u);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

TEST_P(LogFaultTest, HealthIsUnavailableWhileTheDiskFailsAndOkOnceItTakesWritesAgain) {
  auto opened = Log::Open(FaultyOptions(), 0, 0);
  ASSERT_TRUE(opened.ok());
  Log& log = **opened;
  Fill(log, 3);
  EXPECT_TRUE(log.Health().ok());

  Inject();
  auto lsn = log.Append(SendRecord(4, BodyOf(4)));
  ASSERT_TRUE(lsn.ok());
  ASSERT_EQ(DurableStatus(log, *lsn).code(), Code::kUnavailable);
  const Status sick = log.Health();
  EXPECT_EQ(sick.code(), Code::kUnavailable);
  EXPECT_NE(sick.message().find(std::strerror(GetParam().err)), std::string::npos)
      << sick.message();

  ops_.Heal();
  EXPECT_TRUE(WaitUntil([&] { return log.Health().ok(); }));
  EXPECT_TRUE(log.Append(SendRecord(5, BodyOf(5))).ok());
}

TEST_P(LogFaultTest, FaultAtSegmentRolloverLosesNothing) {
  std::vector<Lsn> lsns;
  {
    auto opened = Log::Open(FaultyOptions(), 0, 0);
    ASSERT_TRUE(opened.ok());
    Log& log = **opened;
    Inject();
    // Enough for several segments of 4 KiB, appended while the disk fails:
    // the first batch fails, later appends are refused.
    uint64_t accepted = 0;
    for (uint64_t i = 1; i <= 200; ++i) {
      auto lsn = log.Append(SendRecord(i, BodyOf(i)));
      if (!lsn.ok()) break;
      lsns.push_back(*lsn);
      ++accepted;
    }
    EXPECT_TRUE(WaitUntil([&] { return log.stats().write_errors > 0; }));
    ops_.Heal();
    EXPECT_TRUE(WaitUntil([&] { return log.Flush().ok(); }));
    for (uint64_t i = accepted + 1; i <= 200; ++i) {
      // A failed roll-over may have used the reserve: sends wait for the
      // helper thread to make it again.
      Result<Lsn> lsn = Status::Unavailable("not appended yet");
      ASSERT_TRUE(WaitUntil([&] { return (lsn = log.Append(SendRecord(i, BodyOf(i)))).ok(); }));
      lsns.push_back(*lsn);
    }
    ASSERT_TRUE(log.Flush().ok());
    EXPECT_GT(log.Segments().size(), 3u);
  }
  auto seqs = ReplayedSeqs(dir_.path());
  ASSERT_EQ(seqs.size(), 200u);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, LogFaultTest,
    ::testing::Values(Fault{"DiskFullOnWrite", false, ENOSPC}, Fault{"IoErrorOnWrite", false, EIO},
                      Fault{"DiskFullOnSync", true, ENOSPC}, Fault{"IoErrorOnSync", true, EIO}),
    [](const ::testing::TestParamInfo<Fault>& info) { return std::string(info.param.name); });

Record DeleteRecord(uint64_t seq) { return Delete{.queue_id = 1, .seq = seq}; }

// Replays the log from `from`; the sequence numbers of its sends and of its
// deletes, in log order.
void Replay(const std::string& dir, Lsn from, std::vector<uint64_t>* sends,
            std::vector<uint64_t>* deletes) {
  auto r = ReplayLog(dir, from, [&](Lsn, const Record& rec) {
    if (const auto* send = std::get_if<Send>(&rec)) {
      EXPECT_EQ(send->message.body,
                std::string(1000, static_cast<char>('a' + send->message.seq % 26)));
      sends->push_back(send->message.seq);
    } else {
      EXPECT_EQ(TypeOf(rec), RecordType::kDelete);
      deletes->push_back(MessageSeqOf(rec));
    }
    return Status::Ok();
  });
  EXPECT_TRUE(r.ok()) << r.status().message();
}

// A log on a small file system (FaultyFileOps::LimitSpace): segments of
// 64 KiB, so the reserve is 80 KiB, on a disk of 300 KiB.
class FullDiskTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kSegment = 64u << 10;
  static constexpr uint64_t kDisk = 300u << 10;

  FullDiskTest() {
    ops_.LimitSpace(dir_.path(), kDisk);
    LogOptions o = Options(dir_.path(), kSegment);
    o.file_ops = &ops_;
    o.retry_interval = std::chrono::milliseconds(10);
    auto opened = Log::Open(o, 0, 0);
    EXPECT_TRUE(opened.ok());
    log_ = std::move(*opened);
  }

  std::string PathOf(const std::string& name) const { return dir_.path() + "/" + name; }

  // Waits until the reserve and then the first spare are made: the first
  // roll then takes the spare, as the sizes above assume.
  bool WaitForTheFirstSpare() {
    return WaitUntil([&] { return log_->stats().spares_made >= 1; }) &&
           fs::exists(PathOf("RESERVE"));
  }

  // Sends bodies of 1000 bytes, each made durable, until the log refuses
  // one (returns that refusal) or one lands in `until_segment` (Ok).
  Status SendUntilRefused(uint64_t until_segment = 0) {
    for (uint64_t i = sent_ + 1; i < 100000; ++i) {
      std::string body(1000, static_cast<char>('a' + i % 26));
      auto lsn = log_->Append(SendRecord(i, body));
      if (!lsn.ok()) return lsn.status();
      EXPECT_TRUE(log_->Flush().ok());
      sent_ = i;
      const uint64_t segment = SegmentOf(*lsn);
      if (segment == until_segment) return Status::Ok();
      // Segment s > 1 took spare s - 1. Before the roll that follows, the
      // preparer has made spare s or found no room for it: which file the
      // next roll takes does not depend on how fast the preparer is.
      if (segment > 1) {
        EXPECT_TRUE(
            WaitUntil([&] { return log_->stats().spares_made >= segment || log_->DiskFull(); }));
      }
    }
    return Status::Ok();
  }

  // Appends deletes until they have filled what was left of the segment and
  // 500 more went into the next one; returns their LSNs.
  std::vector<Lsn> DeleteIntoTheNextSegment() {
    std::vector<Lsn> lsns;
    size_t past = 0;
    for (uint64_t seq = 1; past < 500; ++seq) {
      auto lsn = log_->Append(DeleteRecord(seq % sent_ + 1));
      EXPECT_TRUE(lsn.ok()) << seq << ": " << lsn.status().message();
      if (!lsn.ok()) break;
      lsns.push_back(*lsn);
      if (SegmentOf(*lsn) != SegmentOf(lsns.front())) ++past;
    }
    return lsns;
  }

  TempDir dir_;
  testing::FaultyFileOps ops_;
  std::unique_ptr<Log> log_;
  uint64_t sent_ = 0;
};

TEST_F(FullDiskTest, SendsAreRefusedWhileDeletesGoOnIntoTheReserve) {
  ASSERT_TRUE(WaitForTheFirstSpare());
  Status refused = SendUntilRefused();
  EXPECT_EQ(refused.code(), Code::kUnavailable);
  EXPECT_NE(refused.message().find("disk is full"), std::string::npos) << refused.message();
  EXPECT_GT(sent_, 100u);
  EXPECT_TRUE(log_->DiskFull());

  // The reserve's quarter beyond a segment is given back at once.
  ASSERT_TRUE(WaitUntil([&] { return fs::file_size(PathOf("RESERVE")) == kSegment; }));
  // More deletes than the rest of the segment holds: they need the reserve,
  // and every one of them is made durable.
  std::vector<Lsn> deletes = DeleteIntoTheNextSegment();
  ASSERT_TRUE(log_->Flush().ok());
  EXPECT_EQ(DurableStatus(*log_, deletes.back()).code(), Code::kOk);
  EXPECT_EQ(log_->stats().reserve_taken, 1u);
  EXPECT_EQ(log_->stats().write_errors, 0u);
  EXPECT_GT(SegmentOf(deletes.back()), SegmentOf(deletes.front()));
  EXPECT_FALSE(fs::exists(PathOf("RESERVE")));
  // Sends stay refused while the reserve is in use.
  EXPECT_EQ(log_->Append(SendRecord(sent_ + 1, std::string(1000, 'x'))).status().code(),
            Code::kUnavailable);
  EXPECT_LE(ops_.SpaceUsed(), kDisk);

  const uint64_t sent = sent_;
  log_.reset();
  std::vector<uint64_t> sends, deleted;
  Replay(dir_.path(), 0, &sends, &deleted);
  ASSERT_EQ(sends.size(), sent);
  for (uint64_t i = 0; i < sent; ++i) EXPECT_EQ(sends[i], i + 1);
  EXPECT_EQ(deleted.size(), deletes.size());
}

TEST_F(FullDiskTest, HealthSaysTheDiskIsFullWhileSendsAreRefused) {
  ASSERT_TRUE(WaitForTheFirstSpare());
  EXPECT_TRUE(log_->Health().ok());
  ASSERT_EQ(SendUntilRefused().code(), Code::kUnavailable);
  const uint64_t refused = log_->stats().refused_full;
  const Status full = log_->Health();
  EXPECT_EQ(full.code(), Code::kUnavailable);
  EXPECT_NE(full.message().find("disk is full"), std::string::npos) << full.message();
  // Asking is not a refused append.
  EXPECT_EQ(log_->stats().refused_full, refused);
}

TEST_F(FullDiskTest, TheHelperGivesUpItsPartialFileAndWaitsLongerEachTime) {
  ASSERT_TRUE(WaitForTheFirstSpare());
  ASSERT_EQ(SendUntilRefused().code(), Code::kUnavailable);
  // The spare that did not fit is removed, not left holding what it took.
  ASSERT_TRUE(WaitUntil([&] { return log_->DiskFull() && !fs::exists(PathOf("spare.wal.tmp")); }));
  // Retries back off: 10, 20, 40, 80, then every 160 ms. Without backing
  // off, every 10 ms would make 60 attempts in these 600 ms.
  const uint64_t before = ops_.failures();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_LE(ops_.failures() - before, 10u);
  EXPECT_GE(ops_.failures() - before, 1u);
  EXPECT_LE(ops_.SpaceUsed(), kDisk);
}

TEST_F(FullDiskTest, RemovingSegmentsBringsTheReserveBackAndSendsWithIt) {
  ASSERT_TRUE(WaitForTheFirstSpare());
  ASSERT_EQ(SendUntilRefused().code(), Code::kUnavailable);
  // Deletes take the reserve.
  DeleteIntoTheNextSegment();
  ASSERT_TRUE(log_->Flush().ok());
  ASSERT_EQ(log_->stats().reserve_taken, 1u);

  // The engine deletes segments once their messages are gone: the helper
  // is woken at once (no waiting out its back-off), makes the reserve again,
  // and sends are taken again.
  const uint64_t current = SegmentOf(log_->NextLsn());
  for (uint64_t s : log_->Segments()) {
    if (s < current) {
      ASSERT_TRUE(log_->RemoveSegment(s).ok());
    }
  }
  ASSERT_TRUE(WaitUntil([&] { return !log_->DiskFull(); }));
  EXPECT_EQ(fs::file_size(PathOf("RESERVE")), log_->ReserveBytes());
  const uint64_t resumed = sent_ + 1;
  auto lsn =
      log_->Append(SendRecord(resumed, std::string(1000, static_cast<char>('a' + resumed % 26))));
  ASSERT_TRUE(lsn.ok()) << lsn.status().message();
  ASSERT_TRUE(log_->Flush().ok());
  EXPECT_LE(ops_.SpaceUsed(), kDisk);
}

// The roll into segment 3 takes the spare and wakes the preparer to write
// the next one, which does not fit: it takes the last free bytes, and holds
// them until its next write fails and it removes the file. The manifest
// naming segment 3, written meanwhile, meets ENOSPC. That is the full disk
// the preparer is about to report, not a failing one: the batch must not
// fail (every record refused "cannot write to disk"); the log enters its
// full-disk mode. The hooks force that order: the manifest is written only
// once the spare holds the last bytes, which it keeps until the manifest
// write has met the full disk.
TEST_F(FullDiskTest, AManifestThatFindsTheDiskFilledByASpareWaitsTheSpareOut) {
  // Shared with the hooks, which the log's threads may still call after the
  // test's body has returned.
  struct Order {
    std::mutex mu;
    std::condition_variable cv;
    bool spare_holds_the_last_bytes = false;  // guarded by mu
    bool manifest_met_the_full_disk = false;  // guarded by mu
    bool over = false;                        // guarded by mu: the test ended, hold no one
  };
  auto order = std::make_shared<Order>();
  ops_.AfterPwrite("spare.wal.tmp", [order](size_t asked, ssize_t result) {
    if (result < 0 || static_cast<size_t>(result) == asked) return;
    std::unique_lock lock(order->mu);
    order->spare_holds_the_last_bytes = true;
    order->cv.notify_all();
    order->cv.wait(lock, [&] { return order->manifest_met_the_full_disk || order->over; });
  });
  ops_.BeforePwrite(std::string(kManifestFile), [order](std::string_view data) {
    if (data.size() < 16 || DecodeFixed64(data.data() + 8) != 3) return;
    std::unique_lock lock(order->mu);
    order->cv.wait(lock, [&] { return order->spare_holds_the_last_bytes || order->over; });
  });
  ops_.AfterPwrite(std::string(kManifestFile), [order](size_t, ssize_t result) {
    std::lock_guard lock(order->mu);
    if (!order->spare_holds_the_last_bytes || result >= 0) return;
    order->manifest_met_the_full_disk = true;
    order->cv.notify_all();
  });
  // However the test ends, the log's threads are let go before the log stops.
  struct LetGo {
    ~LetGo() {
      std::lock_guard lock(order->mu);
      order->over = true;
      order->cv.notify_all();
    }
    std::shared_ptr<Order> order;
  } let_go{order};

  ASSERT_TRUE(WaitForTheFirstSpare());
  ASSERT_TRUE(SendUntilRefused(3).ok());
  {
    std::lock_guard lock(order->mu);
    EXPECT_TRUE(order->manifest_met_the_full_disk);
  }
  EXPECT_EQ(log_->stats().write_errors, 0u);

  const Status refused = SendUntilRefused();
  EXPECT_EQ(refused.code(), Code::kUnavailable);
  EXPECT_NE(refused.message().find("disk is full"), std::string::npos) << refused.message();
  EXPECT_TRUE(log_->DiskFull());
  EXPECT_EQ(log_->stats().write_errors, 0u);
  // Deletes still go into the reserve.
  std::vector<Lsn> deletes = DeleteIntoTheNextSegment();
  ASSERT_TRUE(log_->Flush().ok());
  EXPECT_EQ(log_->stats().reserve_taken, 1u);
  EXPECT_LE(ops_.SpaceUsed(), kDisk);
  EXPECT_EQ(ReadManifest(dir_.path(), ops_)->value_or(0), SegmentOf(deletes.back()));
}

// A deleted segment gives its space back only once no descriptor holds it:
// the writer must not keep the one before the segment it writes.
TEST(Log, ARemovedSegmentIsHeldOpenByNoDescriptor) {
  TempDir dir;
  auto opened = Log::Open(Options(dir.path(), 4096), 0, 0);
  ASSERT_TRUE(opened.ok());
  Log& log = **opened;
  Fill(log, 300);
  const uint64_t current = SegmentOf(log.NextLsn());
  ASSERT_GT(current, 2u);
  const std::string removed = dir.path() + "/" + SegmentFileName(current - 1);
  EXPECT_TRUE(log.ReadPayload(MakeLsn(current - 1, kSegmentHeaderSize)).ok());
  ASSERT_TRUE(log.RemoveSegment(current - 1).ok());
  for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = fs::read_symlink(fd.path(), ec).string();
    EXPECT_EQ(target.find(removed), std::string::npos) << fd.path() << " -> " << target;
  }
}

// A fault in one file operation of segment creation (file_ops.h): the
// batch that needs the new segment fails with the operation's error, later
// appends are refused, and once the fault is healed the log goes on with
// nothing lost.
struct CreationFault {
  const char* name;
  testing::FileOp op;
  int err;
  const char* path_part;
  bool reserve_first;  // wait for the reserve to exist, so the writer tries it
};

class SegmentCreationFaultTest : public ::testing::TestWithParam<CreationFault> {
 protected:
  LogOptions FaultyOptions() {
    LogOptions o = Options(dir_.path(), 4096);
    o.file_ops = &ops_;
    o.retry_interval = std::chrono::milliseconds(1);
    return o;
  }

  TempDir dir_;
  testing::FaultyFileOps ops_;
};

TEST_P(SegmentCreationFaultTest, TheAppendNeedingTheSegmentFailsAndTheLogWorksOnceHealed) {
  const CreationFault& fault = GetParam();
  uint64_t appended = 0;
  {
    auto opened = Log::Open(FaultyOptions(), 0, 0);
    ASSERT_TRUE(opened.ok());
    Log& log = **opened;
    ASSERT_TRUE(log.Flush().ok());  // segment 1 is in place
    if (fault.reserve_first) {
      // The helper has created both its files, so that only the writer
      // meets the faults below.
      ASSERT_TRUE(WaitUntil([&] {
        return fs::exists(dir_.path() + "/RESERVE") && fs::exists(dir_.path() + "/spare.wal.tmp");
      }));
    }
    // Creating a segment needs the spare renamed or a new file created; the
    // reserve is the last resort only for a full disk.
    ops_.Fail(testing::FileOp::kRename, EIO, "spare.wal.tmp");
    if (fault.reserve_first) ops_.Fail(testing::FileOp::kCreate, ENOSPC, ".wal");
    ops_.Fail(fault.op, fault.err, fault.path_part);

    // Records in the first segment need no new file and are durable.
    Status failed;
    for (uint64_t seq = 1; seq < 1000; ++seq) {
      auto lsn = log.Append(SendRecord(seq, BodyOf(seq)));
      ASSERT_TRUE(lsn.ok()) << seq << ": " << lsn.status().message();
      appended = seq;
      failed = DurableStatus(log, *lsn);
      if (SegmentOf(*lsn) == 1) {
        ASSERT_TRUE(failed.ok()) << failed.message();
        continue;
      }
      break;
    }
    EXPECT_EQ(failed.code(), Code::kUnavailable);
    // The waiter hears of the first failure or of a retry's. A retry after
    // the reserve was lost meets the full disk.
    EXPECT_TRUE(
        failed.message().find(std::strerror(fault.err)) != std::string::npos ||
        (fault.reserve_first && failed.message().find(std::strerror(ENOSPC)) != std::string::npos))
        << failed.message();
    EXPECT_EQ(log.Append(SendRecord(appended + 1, BodyOf(appended + 1))).status().code(),
              Code::kUnavailable);

    ops_.Heal();
    EXPECT_TRUE(WaitUntil([&] { return log.Flush().ok(); }));
    for (uint64_t seq = appended + 1; seq <= 200; ++seq) {
      Result<Lsn> lsn = Status::Unavailable("not appended yet");
      ASSERT_TRUE(WaitUntil([&] { return (lsn = log.Append(SendRecord(seq, BodyOf(seq)))).ok(); }));
    }
    ASSERT_TRUE(log.Flush().ok());
    EXPECT_GT(log.Segments().size(), 3u);
  }
  auto seqs = ReplayedSeqs(dir_.path());
  ASSERT_EQ(seqs.size(), 200u);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, SegmentCreationFaultTest,
    ::testing::Values(
        CreationFault{"CreatingTheFileFails", testing::FileOp::kCreate, EIO, ".wal", false},
        CreationFault{"WritingItsZerosFails", testing::FileOp::kPwrite, EIO, "0002.wal", false},
        CreationFault{"SyncingItsZerosFails", testing::FileOp::kFdatasync, EIO, "0002.wal", false},
        CreationFault{"OpeningTheNewSegmentFails", testing::FileOp::kOpen, EMFILE, "0002.wal",
                      false},
        CreationFault{"RenamingTheReserveFails", testing::FileOp::kRename, EIO, "RESERVE", true},
        // Each new segment is named in the manifest before it is used.
        CreationFault{"RenamingTheManifestFails", testing::FileOp::kRename, EIO, "wal.manifest",
                      false},
        // After the file is renamed into place, its name must be made durable.
        CreationFault{"SyncingTheDirectoryFails", testing::FileOp::kSyncDir, EIO, "", false}),
    [](const ::testing::TestParamInfo<CreationFault>& info) {
      return std::string(info.param.name);
    });

// The segment's own directory sync is checked, not only the manifest's.
TEST(Log, ADirectorySyncFailureAfterCreatingASegmentFailsTheBatch) {
  TempDir dir;
  testing::FaultyFileOps ops;
  LogOptions o = Options(dir.path(), 4096);
  o.file_ops = &ops;
  o.retry_interval = std::chrono::milliseconds(1);
  auto opened = Log::Open(o, 0, 0);
  ASSERT_TRUE(opened.ok());
  Log& log = **opened;
  ASSERT_TRUE(log.Flush().ok());  // segment 1 is in place
  ops.Fail(testing::FileOp::kSyncDir, EIO);
  Lsn lsn = 0;
  for (uint64_t seq = 1; SegmentOf(lsn) < 2; ++seq) {
    auto appended = log.Append(SendRecord(seq, BodyOf(seq)));
    ASSERT_TRUE(appended.ok());
    lsn = *appended;
  }
  Status st = DurableStatus(log, lsn);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find("fsync " + dir.path()), std::string::npos) << st.message();
  EXPECT_GT(log.stats().write_errors, 0u);
  ops.Heal();
  EXPECT_TRUE(WaitUntil([&] { return log.Flush().ok(); }));
  EXPECT_TRUE(DurableStatus(log, lsn).ok());
}

// Recovery reads and truncates through the same seam.
TEST(Log, ReplayReportsAFailedReadAndAFailedTornTailTruncation) {
  TempDir dir;
  std::vector<Lsn> lsns;
  {
    auto log = Log::Open(Options(dir.path()), 0, 0);
    ASSERT_TRUE(log.ok());
    lsns = Fill(**log, 20);
  }
  testing::FaultyFileOps ops;
  ops.Fail(testing::FileOp::kPread, EIO, ".wal");
  auto nothing = [](Lsn, const Record&) { return Status::Ok(); };
  auto r = ReplayLog(dir.path(), 0, nothing, 0, ops);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot read " + dir.path() + "/" + SegmentFileName(1)),
            std::string::npos)
      << r.status().message();

  ops.Heal();
  testing::FlipByte(dir.path() + "/" + SegmentFileName(1), OffsetOf(lsns.back()) + 12);
  ops.Fail(testing::FileOp::kFdatasync, EIO, SegmentFileName(1));
  r = ReplayLog(dir.path(), 0, nothing, 0, ops);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot truncate the torn tail"), std::string::npos)
      << r.status().message();
  ops.Heal();
  r = ReplayLog(dir.path(), 0, nothing, 0, ops);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 19u);
}

}  // namespace
}  // namespace ferry::storage
