#include "storage/keyring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "common/coding.h"
#include "common/crc32c.h"
#include "storage/log.h"
#include "storage/log_test_util.h"
#include "storage/record_frame.h"

namespace ferry::storage {
namespace {

using testing::TempDir;

std::unique_ptr<Keyring> Sealing(const std::string& dir, const std::string& master = "") {
  auto ring = Keyring::Load({.dir = dir, .master_key_file = master});
  EXPECT_TRUE(ring.ok()) << ring.status().message();
  if (!ring.ok()) return nullptr;
  Status st = (*ring)->StartSealing();
  EXPECT_TRUE(st.ok()) << st.message();
  return std::move(*ring);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Spill(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(Keyring, SealedBodyOpensForItsQueueAndMessage) {
  TempDir dir;
  auto ring = Sealing(dir.path());
  std::string sealed;
  ASSERT_TRUE(ring->Seal(7, 42, "the body", &sealed).ok());
  EXPECT_EQ(sealed.find("the body"), std::string::npos);
  std::string opened;
  ASSERT_TRUE(ring->Unseal(7, 42, sealed, &opened).ok());
  EXPECT_EQ(opened, "the body");
}

TEST(Keyring, TwoSealingsOfOneBodyDiffer) {
  TempDir dir;
  auto ring = Sealing(dir.path());
  std::string a, b;
  ASSERT_TRUE(ring->Seal(7, 42, "same", &a).ok());
  ASSERT_TRUE(ring->Seal(7, 42, "same", &b).ok());
  EXPECT_NE(a, b);  // a nonce per sealing
}

TEST(Keyring, ChangedCiphertextTagOrPlaceDoesNotOpen) {
  TempDir dir;
  auto ring = Sealing(dir.path());
  std::string sealed;
  ASSERT_TRUE(ring->Seal(7, 42, "a body of some length", &sealed).ok());
  std::string out;
  std::string ciphertext = sealed;
  ciphertext[20] ^= 1;
  EXPECT_EQ(ring->Unseal(7, 42, ciphertext, &out).code(), Code::kInternal);
  EXPECT_TRUE(out.empty());
  std::string tag = sealed;
  tag.back() ^= 0x80;
  EXPECT_EQ(ring->Unseal(7, 42, tag, &out).code(), Code::kInternal);
  std::string nonce = sealed;
  nonce[8] ^= 1;
  EXPECT_EQ(ring->Unseal(7, 42, nonce, &out).code(), Code::kInternal);
  // Another queue or another message: the AAD differs.
  EXPECT_EQ(ring->Unseal(8, 42, sealed, &out).code(), Code::kInternal);
  EXPECT_EQ(ring->Unseal(7, 43, sealed, &out).code(), Code::kInternal);
  EXPECT_EQ(ring->Unseal(7, 42, sealed.substr(0, 10), &out).code(), Code::kInternal);
}

TEST(Keyring, MasterKeyFileIsMadeWithMode0600) {
  TempDir dir;
  auto ring = Sealing(dir.path());
  struct stat st {};
  ASSERT_EQ(::stat(DefaultMasterKeyFile(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Keyring, LoadChangesNoFileUntilSealingStarts) {
  TempDir dir;
  auto ring = Keyring::Load({.dir = dir.path()});
  ASSERT_TRUE(ring.ok());
  EXPECT_FALSE(std::filesystem::exists(DefaultMasterKeyFile(dir.path())));
  EXPECT_FALSE(std::filesystem::exists(dir.file(kKeysFile)));
  std::string sealed;
  EXPECT_FALSE((*ring)->Seal(1, 1, "x", &sealed).ok());
}

TEST(Keyring, BodiesSealedBeforeARestartOpenAfterIt) {
  TempDir dir;
  std::string sealed;
  ASSERT_TRUE(Sealing(dir.path())->Seal(1, 2, "first life", &sealed).ok());
  auto again = Sealing(dir.path());
  EXPECT_EQ(again->data_key_count(), 2u);  // a new data key per start
  std::string opened;
  ASSERT_TRUE(again->Unseal(1, 2, sealed, &opened).ok());
  EXPECT_EQ(opened, "first life");
}

TEST(Keyring, MissingMasterKeyIsRefused) {
  TempDir dir;
  Sealing(dir.path());
  std::filesystem::remove(DefaultMasterKeyFile(dir.path()));
  auto ring = Keyring::Load({.dir = dir.path()});
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(ring.status().message().find("is missing"), std::string::npos);
}

TEST(Keyring, WrongMasterKeyIsRefusedAndNotPrinted) {
  TempDir dir;
  TempDir other;
  Sealing(dir.path());
  Sealing(other.path());  // another store, another master key
  const std::string wrong = Slurp(DefaultMasterKeyFile(other.path()));
  std::filesystem::copy_file(DefaultMasterKeyFile(other.path()), DefaultMasterKeyFile(dir.path()),
                             std::filesystem::copy_options::overwrite_existing);
  auto ring = Keyring::Load({.dir = dir.path()});
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(ring.status().message().find("does not open data key"), std::string::npos);
  const std::string hex = wrong.substr(wrong.rfind(' ') + 1, 64);
  EXPECT_EQ(ring.status().message().find(hex), std::string::npos);
}

TEST(Keyring, MasterKeyFileReadableByOthersIsRefused) {
  TempDir dir;
  Sealing(dir.path());
  ASSERT_EQ(::chmod(DefaultMasterKeyFile(dir.path()).c_str(), 0644), 0);
  auto ring = Keyring::Load({.dir = dir.path()});
  ASSERT_FALSE(ring.ok());
  EXPECT_NE(ring.status().message().find("chmod 600"), std::string::npos);
}

TEST(Keyring, DamagedKeyFileIsReported) {
  TempDir dir;
  Sealing(dir.path());
  std::string keys = Slurp(dir.file(kKeysFile));
  keys[30] ^= 1;
  Spill(dir.file(kKeysFile), keys);
  auto ring = Keyring::Load({.dir = dir.path()});
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.status().code(), Code::kInternal);
  EXPECT_NE(ring.status().message().find("damaged"), std::string::npos);
}

TEST(Keyring, MasterKeyFileElsewhereIsUsed) {
  TempDir dir;
  TempDir secrets;
  const std::string master = secrets.file("ferry.key");
  std::string sealed;
  ASSERT_TRUE(Sealing(dir.path(), master)->Seal(3, 4, "elsewhere", &sealed).ok());
  EXPECT_TRUE(std::filesystem::exists(master));
  EXPECT_FALSE(std::filesystem::exists(DefaultMasterKeyFile(dir.path())));
  EXPECT_FALSE(Keyring::Load({.dir = dir.path()}).ok());
  std::string opened;
  ASSERT_TRUE(Sealing(dir.path(), master)->Unseal(3, 4, sealed, &opened).ok());
  EXPECT_EQ(opened, "elsewhere");
}

TEST(Keyring, RotationRewrapsEveryDataKeyAndDropsTheOldMasterKey) {
  TempDir dir;
  std::string before;
  ASSERT_TRUE(Sealing(dir.path())->Seal(1, 1, "before rotation", &before).ok());
  const std::string old_master = Slurp(DefaultMasterKeyFile(dir.path()));
  std::string report;
  ASSERT_TRUE(RotateMasterKey({.dir = dir.path()}, &report).ok());
  EXPECT_NE(report.find("version 2"), std::string::npos);
  const std::string new_master = Slurp(DefaultMasterKeyFile(dir.path()));
  EXPECT_NE(new_master, old_master);
  EXPECT_NE(new_master.find("\n2 "), std::string::npos);
  EXPECT_EQ(new_master.find("\n1 "), std::string::npos);

  auto ring = Sealing(dir.path());
  EXPECT_EQ(ring->master_version(), 2u);
  std::string after;
  ASSERT_TRUE(ring->Seal(1, 2, "after rotation", &after).ok());
  auto restarted = Sealing(dir.path());
  std::string opened;
  ASSERT_TRUE(restarted->Unseal(1, 1, before, &opened).ok());
  EXPECT_EQ(opened, "before rotation");
  ASSERT_TRUE(restarted->Unseal(1, 2, after, &opened).ok());
  EXPECT_EQ(opened, "after rotation");

  // The old master key opens nothing any more.
  Spill(DefaultMasterKeyFile(dir.path()), old_master);
  ASSERT_EQ(::chmod(DefaultMasterKeyFile(dir.path()).c_str(), 0600), 0);
  EXPECT_FALSE(Keyring::Load({.dir = dir.path()}).ok());
}

TEST(Keyring, RotationWithAWrongMasterKeyChangesNothing) {
  TempDir dir;
  TempDir other;
  Sealing(dir.path());
  Sealing(other.path());
  const std::string keys = Slurp(dir.file(kKeysFile));
  std::string report;
  EXPECT_FALSE(
      RotateMasterKey({.dir = dir.path(), .master_key_file = DefaultMasterKeyFile(other.path())},
                      &report)
          .ok());
  EXPECT_EQ(Slurp(dir.file(kKeysFile)), keys);
}

// The log writes what the journal sealed, and opens it on reading; a
// changed byte is reported, never served.
TEST(Keyring, LogOpensSealedBodiesAndReportsDamagedOnes) {
  TempDir dir;
  auto ring = Sealing(dir.path());
  std::string sealed;
  ASSERT_TRUE(ring->Seal(1, 5, "a secret body", &sealed).ok());
  Lsn lsn = 0;
  Lsn plain = 0;
  {
    auto log =
        Log::Open({.dir = dir.path(), .segment_bytes = 1u << 20, .keyring = ring.get()}, 0, 0);
    ASSERT_TRUE(log.ok());
    auto appended =
        (*log)->Append(Send{.queue_id = 1, .message = {.seq = 5, .body = sealed, .sealed = true}});
    ASSERT_TRUE(appended.ok());
    lsn = *appended;
    std::string body = "plain";
    auto p = (*log)->Append(testing::SendRecord(6, body));
    ASSERT_TRUE(p.ok());
    plain = *p;
    ASSERT_TRUE((*log)->Flush().ok());
    auto read = (*log)->ReadPayload(lsn);
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(*read, "a secret body");
    auto read_plain = (*log)->ReadPayload(plain);
    ASSERT_TRUE(read_plain.ok());
    EXPECT_EQ(*read_plain, "plain");
  }
  const std::string segment = dir.file(SegmentFileName(SegmentOf(lsn)));
  std::string bytes = Slurp(segment);
  EXPECT_EQ(bytes.find("a secret body"), std::string::npos);
  EXPECT_NE(bytes.find("plain"), std::string::npos);
  // A changed ciphertext byte with the record's CRC made to match: only the
  // tag can tell.
  const size_t at = OffsetOf(lsn);
  const RecordFrame frame = DecodeRecordFrame(bytes, at);
  ASSERT_TRUE(frame.whole());
  EXPECT_NE(frame.type_byte & kSealedBodyFlag, 0);
  bytes[at + frame.size - 20] ^= 1;
  const uint32_t crc = Crc32cExtend(0, bytes.data() + at + 8, frame.size - 8);
  std::string fixed;
  PutFixed32(&fixed, crc);
  bytes.replace(at, 4, fixed);
  Spill(segment, bytes);
  const uint32_t end =
      OffsetOf(plain) + static_cast<uint32_t>(DecodeRecordFrame(bytes, OffsetOf(plain)).size);
  {
    auto log = Log::Open({.dir = dir.path(), .segment_bytes = 1u << 20, .keyring = ring.get()},
                         SegmentOf(plain), end);
    ASSERT_TRUE(log.ok());
    auto read = (*log)->ReadPayload(lsn);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), Code::kInternal);
    EXPECT_NE(read.status().message().find("does not open"), std::string::npos);
  }
  // Without a keyring a sealed body is damage too, never its ciphertext.
  auto blind = Log::Open({.dir = dir.path(), .segment_bytes = 1u << 20}, SegmentOf(plain), end);
  ASSERT_TRUE(blind.ok());
  EXPECT_FALSE((*blind)->ReadPayload(lsn).ok());
}

}  // namespace
}  // namespace ferry::storage
