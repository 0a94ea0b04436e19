#include "storage/record_frame.h"

#include <gtest/gtest.h>

#include <string>

#include "common/coding.h"
#include "common/crc32c.h"
#include "storage/record.h"

namespace ferry::storage {
namespace {

Record DeleteRecord(uint64_t seq) { return Delete{.queue_id = 7, .seq = seq}; }

std::string Encoded(const Record& r) {
  std::string out;
  EncodeRecord(r, &out);
  return out;
}

// A frame with a correct checksum around any type byte and payload.
std::string Framed(uint8_t type, const std::string& payload) {
  std::string body(1, static_cast<char>(type));
  body += payload;
  std::string out;
  PutFixed32(&out, Crc32c(body));
  PutFixed32(&out, static_cast<uint32_t>(payload.size()));
  return out + body;
}

TEST(RecordFrameTest, AWholeRecordGivesItsTypePayloadAndSize) {
  const std::string bytes = Encoded(DeleteRecord(42));
  const RecordFrame f = DecodeRecordFrame(bytes, 0);
  ASSERT_TRUE(f.whole());
  EXPECT_EQ(f.type(), RecordType::kDelete);
  EXPECT_EQ(f.size, bytes.size());
  EXPECT_EQ(f.payload, std::string_view(bytes).substr(kRecordHeaderSize));
  Record r;
  ASSERT_TRUE(DecodeRecordPayload(f.type(), f.payload, &r).ok());
  EXPECT_EQ(std::get<Delete>(r).seq, 42u);
}

TEST(RecordFrameTest, ARecordIsReadWhereItStartsAmongOthers) {
  const std::string first = Encoded(DeleteRecord(1));
  const std::string bytes = first + Encoded(DeleteRecord(2)) + std::string(30, '\0');
  const RecordFrame f = DecodeRecordFrame(bytes, first.size());
  ASSERT_TRUE(f.whole());
  Record r;
  ASSERT_TRUE(DecodeRecordPayload(f.type(), f.payload, &r).ok());
  EXPECT_EQ(std::get<Delete>(r).seq, 2u);
}

TEST(RecordFrameTest, AHeaderCutShortIsTruncated) {
  const std::string bytes = Encoded(DeleteRecord(1)).substr(0, kRecordHeaderSize - 1);
  EXPECT_EQ(DecodeRecordFrame(bytes, 0).check, FrameCheck::kTruncated);
}

TEST(RecordFrameTest, APayloadCutShortIsTruncated) {
  const std::string whole = Encoded(DeleteRecord(1));
  const RecordFrame f = DecodeRecordFrame(std::string_view(whole).substr(0, whole.size() - 1), 0);
  EXPECT_EQ(f.check, FrameCheck::kTruncated);
  EXPECT_EQ(f.type_byte, static_cast<uint8_t>(RecordType::kDelete));
  EXPECT_EQ(f.size, 0u);
}

TEST(RecordFrameTest, AnOffsetAtOrPastTheEndIsTruncated) {
  const std::string bytes = Encoded(DeleteRecord(1));
  EXPECT_EQ(DecodeRecordFrame(bytes, bytes.size()).check, FrameCheck::kTruncated);
  EXPECT_EQ(DecodeRecordFrame(bytes, bytes.size() + 5).check, FrameCheck::kTruncated);
}

TEST(RecordFrameTest, ALengthBeyondTheLimitIsOutOfBounds) {
  std::string bytes = Encoded(DeleteRecord(1));
  std::string len;
  PutFixed32(&len, kMaxRecordPayload + 1);
  bytes.replace(4, 4, len);
  bytes.resize(bytes.size() + 4096, '\0');
  EXPECT_EQ(DecodeRecordFrame(bytes, 0).check, FrameCheck::kBadLength);
  EXPECT_EQ(ClaimedRecordSize(bytes, 0), 0u);
}

TEST(RecordFrameTest, AFlippedPayloadByteFailsTheChecksum) {
  std::string bytes = Encoded(DeleteRecord(1));
  bytes.back() ^= 0x01;
  const RecordFrame f = DecodeRecordFrame(bytes, 0);
  EXPECT_EQ(f.check, FrameCheck::kBadCrc);
  // The frame still says where the damaged record ends, for repair's report.
  EXPECT_EQ(f.size, bytes.size());
}

TEST(RecordFrameTest, AChangedTypeByteFailsTheChecksum) {
  std::string bytes = Encoded(DeleteRecord(1));
  bytes[8] = static_cast<char>(RecordType::kReceive);
  EXPECT_EQ(DecodeRecordFrame(bytes, 0).check, FrameCheck::kBadCrc);
}

TEST(RecordFrameTest, AChecksummedRecordOfAnUnknownTypeIsUnknownType) {
  ASSERT_FALSE(IsKnownRecordType(17));
  const std::string bytes = Framed(17, "from a newer version");
  const RecordFrame f = DecodeRecordFrame(bytes, 0);
  EXPECT_EQ(f.check, FrameCheck::kUnknownType);
  EXPECT_EQ(f.type_byte, 17);
  EXPECT_FALSE(f.whole());
}

TEST(RecordFrameTest, AnEmptyPayloadOfAKnownTypeIsWhole) {
  const std::string bytes = Framed(static_cast<uint8_t>(RecordType::kPadding), "");
  const RecordFrame f = DecodeRecordFrame(bytes, 0);
  ASSERT_TRUE(f.whole());
  EXPECT_EQ(f.size, kRecordHeaderSize);
  EXPECT_TRUE(f.payload.empty());
}

TEST(RecordFrameTest, TheClaimedSizeNeedsOnlyTheHeader) {
  const std::string whole = Encoded(DeleteRecord(1));
  EXPECT_EQ(ClaimedRecordSize(std::string_view(whole).substr(0, kRecordHeaderSize), 0),
            whole.size());
  EXPECT_EQ(ClaimedRecordSize(std::string_view(whole).substr(0, kRecordHeaderSize - 1), 0), 0u);
}

TEST(RecordFrameTest, EveryDamageHasItsOwnText) {
  const std::string truncated = FrameCheckText(FrameCheck::kTruncated);
  const std::string length = FrameCheckText(FrameCheck::kBadLength);
  const std::string crc = FrameCheckText(FrameCheck::kBadCrc);
  const std::string type = FrameCheckText(FrameCheck::kUnknownType);
  EXPECT_NE(truncated, length);
  EXPECT_NE(truncated, crc);
  EXPECT_NE(truncated, type);
  EXPECT_NE(length, crc);
  EXPECT_NE(length, type);
  EXPECT_NE(crc, type);
  EXPECT_EQ(crc, "a record fails its checksum");
}

}  // namespace
}  // namespace ferry::storage
