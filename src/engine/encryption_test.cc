// Encryption at rest through the durable engine: which queues seal their
// payloads, what is on disk, what recovery and rotation keep readable, and
// that damage to a sealed body, a missing data key or a wrong master key is
// reported, never served.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/coding.h"
#include "common/crc32c.h"
#include "engine/durable_test_util.h"
#include "engine/journal.h"
#include "engine/settings_codec.h"
#include "storage/keyring.h"
#include "storage/log.h"
#include "storage/record_frame.h"

namespace ferry::engine {
namespace {

using testing::DurableEngineTest;
using testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

QueueSettings Plaintext() {
  QueueSettings s;
  s.extra["SqsManagedSseEnabled"] = "false";
  return s;
}

class Encryption : public DurableEngineTest {
 protected:
  // Whether `text` is in any file under the data directory, as bytes.
  bool OnDisk(const std::string& text) const {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path())) {
      if (!e.is_regular_file()) continue;
      if (Slurp(e.path().string()).find(text) != std::string::npos) return true;
    }
    return false;
  }

  // Opens the engine, sends one message to a new queue "q" and closes it.
  void SendOneAndClose(const std::string& payload) {
    Open();
    Send(*Create("q"), payload);
    ASSERT_TRUE(WaitDurable().ok());
    engine_.reset();
  }

  // The payloads of every message of `name`, received once.
  std::vector<std::string> Payloads(const std::string& name) {
    std::vector<std::string> out;
    for (const ReceivedMessage& m : ReceiveAll(*Find(name))) out.push_back(m.payload);
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST(SealsPayloads, EveryQueueButOneWithSqsManagedSseOffAndNoKmsKey) {
  EXPECT_TRUE(SealsPayloads(QueueSettings{}));
  EXPECT_FALSE(SealsPayloads(Plaintext()));
  QueueSettings kms = Plaintext();
  kms.extra["KmsMasterKeyId"] = "alias/aws/sqs";
  EXPECT_TRUE(SealsPayloads(kms));
  QueueSettings on;
  on.extra["SqsManagedSseEnabled"] = "true";
  EXPECT_TRUE(SealsPayloads(on));
}

TEST_F(Encryption, SealedQueuesLeaveNoPlaintextOnDiskAndPlaintextQueuesDo) {
  Open();
  Send(*Create("sealed"), "secret-body-of-a-standard-queue");
  QueueSettings fifo;
  fifo.fifo = true;
  auto f = Create("sealed.fifo", fifo);
  SendRequest req{.payload = "secret-body-of-a-fifo-queue", .group_id = "g", .dedup_id = "d1"};
  ASSERT_TRUE(f->Send(req).ok());
  Send(*Create("plain", Plaintext()), "visible-body-of-a-plaintext-queue");
  ASSERT_TRUE(WaitDurable().ok());
  EXPECT_FALSE(OnDisk("secret-body-of-a-standard-queue"));
  EXPECT_FALSE(OnDisk("secret-body-of-a-fifo-queue"));
  EXPECT_TRUE(OnDisk("visible-body-of-a-plaintext-queue"));  // the search finds what is there

  Restart();
  EXPECT_EQ(Payloads("sealed"), std::vector<std::string>{"secret-body-of-a-standard-queue"});
  EXPECT_EQ(Payloads("sealed.fifo"), std::vector<std::string>{"secret-body-of-a-fifo-queue"});
  EXPECT_EQ(Payloads("plain"), std::vector<std::string>{"visible-body-of-a-plaintext-queue"});
}

TEST_F(Encryption, SealedBodiesAreRecoveredFromACheckpoint) {
  checkpoint_on_restart_ = true;
  Open();
  auto q = Create("q");
  for (int i = 0; i < 20; ++i) Send(*q, "checkpointed-secret-" + std::to_string(i));
  ASSERT_TRUE(WaitDurable().ok());
  RecoveryReport report;
  Restart(&report);
  EXPECT_TRUE(report.from_checkpoint);
  EXPECT_EQ(Payloads("q").size(), 20u);
  EXPECT_FALSE(OnDisk("checkpointed-secret-"));
}

TEST_F(Encryption, TurningEncryptionOffAppliesToMessagesSentAfterwards) {
  Open();
  auto q = Create("q");
  Send(*q, "sent-while-sealed");
  ASSERT_TRUE(q->SetSettings(Plaintext()).ok());
  Send(*q, "sent-after-turning-it-off");
  ASSERT_TRUE(WaitDurable().ok());
  EXPECT_FALSE(OnDisk("sent-while-sealed"));
  EXPECT_TRUE(OnDisk("sent-after-turning-it-off"));
  Restart();
  EXPECT_EQ(Payloads("q"),
            (std::vector<std::string>{"sent-after-turning-it-off", "sent-while-sealed"}));
}

TEST_F(Encryption, DeadLettersAreSealedByTheirDeadLetterQueue) {
  Open();
  Create("dlq");
  QueueSettings src;
  src.dead_letter_queue = "dlq";
  src.max_receive_count = 1;
  auto q = Create("src", src);
  Send(*q, "secret-dead-letter");
  ASSERT_EQ(Receive(*q, 10, 1).size(), 1u);
  clock_.Advance(2000);
  EXPECT_TRUE(Receive(*q).empty());  // moved to the DLQ instead
  ASSERT_TRUE(WaitDurable().ok());
  EXPECT_FALSE(OnDisk("secret-dead-letter"));
  Restart();
  EXPECT_EQ(Payloads("dlq"), std::vector<std::string>{"secret-dead-letter"});
}

TEST_F(Encryption, AWrongMasterKeyRefusesToStart) {
  SendOneAndClose("x");
  TempDir other;
  auto ring = storage::Keyring::Load({.dir = other.path()});
  ASSERT_TRUE(ring.ok() && (*ring)->StartSealing().ok());
  std::filesystem::copy_file(storage::DefaultMasterKeyFile(other.path()),
                             storage::DefaultMasterKeyFile(dir_.path()),
                             std::filesystem::copy_options::overwrite_existing);
  auto opened = LocalEngine::OpenDurable(clock_, options_, nullptr);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("master key"), std::string::npos);
}

TEST_F(Encryption, AMissingMasterKeyRefusesToStart) {
  SendOneAndClose("x");
  std::filesystem::remove(storage::DefaultMasterKeyFile(dir_.path()));
  auto opened = LocalEngine::OpenDurable(clock_, options_, nullptr);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("is missing"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(storage::DefaultMasterKeyFile(dir_.path())));
}

TEST_F(Encryption, SealedRecordsWithoutTheirKeysRefuseToStart) {
  SendOneAndClose("x");
  // Both key files gone: a new master key would be made, but the log's
  // sealed bodies name data keys that no longer exist.
  std::filesystem::remove(storage::DefaultMasterKeyFile(dir_.path()));
  std::filesystem::remove(dir_.file(storage::kKeysFile));
  auto opened = LocalEngine::OpenDurable(clock_, options_, nullptr);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("data key"), std::string::npos);
}

TEST_F(Encryption, AChangedSealedBodyIsReportedNotServed) {
  SendOneAndClose("a body that will be damaged on disk");
  // Flip a ciphertext byte of the send record and make its CRC match again:
  // only the authentication tag can notice.
  const std::string segment = dir_.file(storage::SegmentFileName(SegmentsOnDisk().back()));
  std::string bytes = Slurp(segment);
  size_t at = storage::kSegmentHeaderSize;
  storage::RecordFrame frame;
  while ((frame = storage::DecodeRecordFrame(bytes, at)).whole() &&
         (frame.type_byte & storage::kSealedBodyFlag) == 0) {
    at += frame.size;
  }
  ASSERT_TRUE(frame.whole());
  bytes[at + frame.size - 20] ^= 1;
  std::string crc;
  PutFixed32(&crc, Crc32cExtend(0, bytes.data() + at + 8, frame.size - 8));
  bytes.replace(at, 4, crc);
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << bytes;

  Open();
  ReceiveRequest one;
  one.max_messages = 1;
  auto got = Find("q")->Receive(one);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kInternal);
  EXPECT_NE(got.status().message().find("does not open"), std::string::npos);
}

TEST_F(Encryption, MessagesSealedBeforeAndAfterARotationAreReadAfterRestarts) {
  SendOneAndClose("sealed-under-master-1");
  std::string report;
  ASSERT_TRUE(storage::RotateMasterKey({.dir = dir_.path()}, &report).ok()) << report;
  Open();
  Send(*Find("q"), "sealed-under-master-2");
  ASSERT_TRUE(WaitDurable().ok());
  Restart();
  EXPECT_EQ(Payloads("q"),
            (std::vector<std::string>{"sealed-under-master-1", "sealed-under-master-2"}));
  EXPECT_FALSE(OnDisk("sealed-under-master-"));
}

// A data directory written before encryption: plaintext records, no key
// files. It opens, its messages read, and new ones are sealed beside them.
TEST_F(Encryption, AStoreFromBeforeEncryptionOpensAndMixesPlaintextAndSealedRecords) {
  {
    auto log =
        storage::Log::Open({.dir = dir_.path(), .segment_bytes = options_.segment_bytes}, 0, 0);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)
                    ->Append(storage::CreateQueue{.queue_id = 77,
                                                  .name = "old",
                                                  .created_ms = 1,
                                                  .settings = SettingsToFields(QueueSettings{})})
                    .ok());
    for (uint64_t seq = 1; seq <= 3; ++seq) {
      const std::string body = "written-by-an-older-ferry-" + std::to_string(seq);
      storage::MessageIdBytes id{};
      id[0] = static_cast<uint8_t>(seq);
      ASSERT_TRUE((*log)
                      ->Append(storage::Send{.queue_id = 77,
                                             .message = {.seq = seq,
                                                         .message_id = id,
                                                         .sent_ms = 1,
                                                         .visible_at_ms = 1,
                                                         .body = body}})
                      .ok());
    }
    ASSERT_TRUE((*log)->Flush().ok());
  }
  ASSERT_FALSE(std::filesystem::exists(dir_.file(storage::kKeysFile)));
  clock_.Set(10);
  Open();
  EXPECT_TRUE(std::filesystem::exists(dir_.file(storage::kKeysFile)));
  Send(*Find("old"), "sealed-by-this-ferry");
  ASSERT_TRUE(WaitDurable().ok());
  EXPECT_FALSE(OnDisk("sealed-by-this-ferry"));
  EXPECT_TRUE(OnDisk("written-by-an-older-ferry-1"));
  Restart();
  EXPECT_EQ(Payloads("old"), (std::vector<std::string>{
                                 "sealed-by-this-ferry", "written-by-an-older-ferry-1",
                                 "written-by-an-older-ferry-2", "written-by-an-older-ferry-3"}));
}

TEST_F(Encryption, TheMasterKeyFileIsMadeWithMode0600) {
  Open();
  struct stat st {};
  ASSERT_EQ(::stat(storage::DefaultMasterKeyFile(dir_.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace ferry::engine
