#include "storage/record.h"

#include <gtest/gtest.h>

namespace ferry::storage {
namespace {

Record RoundTrip(const Record& in) {
  std::string buf;
  EncodeRecordPayload(in, &buf);
  Record out;
  Status st = DecodeRecordPayload(in.type, buf, &out);
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

TEST(Record, SendKeepsEveryFieldAndThePayload) {
  Record r;
  r.type = RecordType::kSend;
  r.queue_id = 77;
  r.seq = 123456;
  r.time_ms = 1700000000123;
  r.visible_at_ms = 1700000005123;
  r.message_id[0] = 0xAB;
  r.name = "group-1";
  std::string body = "hello\0world";
  r.payload = body;
  std::string buf;
  EncodeRecordPayload(r, &buf);
  Record out;
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kSend, buf, &out).ok());
  EXPECT_EQ(out.queue_id, 77u);
  EXPECT_EQ(out.seq, 123456u);
  EXPECT_EQ(out.time_ms, 1700000000123);
  EXPECT_EQ(out.visible_at_ms, 1700000005123);
  EXPECT_EQ(out.message_id[0], 0xAB);
  EXPECT_EQ(out.name, "group-1");
  EXPECT_EQ(out.payload, body);
}

TEST(Record, CreateQueueKeepsSettingsAndTags) {
  Record r;
  r.type = RecordType::kCreateQueue;
  r.queue_id = 5;
  r.name = "orders";
  r.settings = {{"VisibilityTimeout", "30"}, {"Policy", "{}"}};
  r.tags = {{"team", "a"}};
  Record out = RoundTrip(r);
  EXPECT_EQ(out.name, "orders");
  EXPECT_EQ(out.settings, r.settings);
  EXPECT_EQ(out.tags, r.tags);
}

TEST(Record, TruncatedPayloadsFailToDecode) {
  Record r;
  r.type = RecordType::kReceive;
  r.queue_id = 1;
  r.seq = 9;
  r.receive_count = 2;
  std::string buf;
  EncodeRecordPayload(r, &buf);
  for (size_t n = 0; n < buf.size(); ++n) {
    Record out;
    EXPECT_FALSE(DecodeRecordPayload(RecordType::kReceive, buf.substr(0, n), &out).ok()) << n;
  }
  Record out;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kReceive, buf + "x", &out).ok());
}

TEST(Record, SendMovedKeepsItsSourceAndPayload) {
  Record r;
  r.type = RecordType::kSendMoved;
  r.queue_id = 3;
  r.seq = 12;
  r.message_id[0] = 0xab;
  r.time_ms = 1'700'000'000'000;
  r.visible_at_ms = 1'700'000'050'000;
  r.name = "group";
  r.source = "orders";
  r.payload = "the body";
  std::string buf;
  EncodeRecordPayload(r, &buf);
  Record out;
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kSendMoved, buf, &out).ok());
  EXPECT_EQ(out.seq, 12u);
  EXPECT_EQ(out.message_id, r.message_id);
  EXPECT_EQ(out.time_ms, r.time_ms);
  EXPECT_EQ(out.visible_at_ms, r.visible_at_ms);
  EXPECT_EQ(out.name, "group");
  EXPECT_EQ(out.source, "orders");
  EXPECT_EQ(out.payload, "the body");
}

TEST(Record, MoveTaskRoundTrips) {
  Record r;
  r.type = RecordType::kMoveTask;
  r.queue_id = 5;
  r.task_id = "0f1e";
  r.destination = "orders";
  r.rate = 50;
  r.time_ms = 1'700'000'000'000;
  r.to_move = 100;
  r.moved = 40;
  r.state = 5;
  r.failure = "why";
  std::string buf;
  EncodeRecordPayload(r, &buf);
  Record out;
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kMoveTask, buf, &out).ok());
  EXPECT_EQ(out.queue_id, 5u);
  EXPECT_EQ(out.task_id, "0f1e");
  EXPECT_EQ(out.destination, "orders");
  EXPECT_EQ(out.rate, 50u);
  EXPECT_EQ(out.time_ms, r.time_ms);
  EXPECT_EQ(out.to_move, 100u);
  EXPECT_EQ(out.moved, 40u);
  EXPECT_EQ(out.state, 5);
  EXPECT_EQ(out.failure, "why");
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kMoveTask, buf + "x", &out).ok());
}

TEST(Record, CheckpointMessageSourceIsOptional) {
  Record r;
  r.type = RecordType::kCheckpointMessage;
  r.queue_id = 1;
  r.seq = 2;
  std::string plain;
  EncodeRecordPayload(r, &plain);
  r.source = "orders";
  std::string with_source;
  EncodeRecordPayload(r, &with_source);
  Record out;
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kCheckpointMessage, plain, &out).ok());
  EXPECT_EQ(out.source, "");
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kCheckpointMessage, with_source, &out).ok());
  EXPECT_EQ(out.source, "orders");
}

TEST(Record, SegmentNamesRoundTrip) {
  uint64_t s = 0;
  EXPECT_TRUE(ParseSegmentFileName(SegmentFileName(42), &s));
  EXPECT_EQ(s, 42u);
  EXPECT_FALSE(ParseSegmentFileName("42.wal", &s));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000004x.wal", &s));
}

}  // namespace
}  // namespace ferry::storage
