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

// Recovery starts replaying the log at the LSNs these carry: losing one
// would replay from the start over the checkpoint's state.
TEST(Record, CheckpointRecordsKeepTheirLsns) {
  Record cursor;
  cursor.type = RecordType::kCheckpointQueue;
  cursor.queue_id = 3;
  cursor.seq = 41;
  cursor.lsn = MakeLsn(7, 4096);
  Record out = RoundTrip(cursor);
  EXPECT_EQ(out.seq, 41u);
  EXPECT_EQ(out.lsn, MakeLsn(7, 4096));

  Record end;
  end.type = RecordType::kCheckpointEnd;
  end.seq = 1234;
  end.lsn = MakeLsn(9, 16);
  out = RoundTrip(end);
  EXPECT_EQ(out.seq, 1234u);
  EXPECT_EQ(out.lsn, MakeLsn(9, 16));

  Record m;
  m.type = RecordType::kCheckpointMessage;
  m.queue_id = 3;
  m.seq = 40;
  m.message_id[15] = 0x7F;
  m.time_ms = 1700000000000;
  m.visible_at_ms = 1700000060000;
  m.first_receive_ms = 1700000001000;
  m.receive_count = 2;
  m.state = 2;
  m.lsn = MakeLsn(2, 99);
  m.name = "g";
  out = RoundTrip(m);
  EXPECT_EQ(out.seq, 40u);
  EXPECT_EQ(out.message_id[15], 0x7F);
  EXPECT_EQ(out.time_ms, m.time_ms);
  EXPECT_EQ(out.visible_at_ms, m.visible_at_ms);
  EXPECT_EQ(out.first_receive_ms, m.first_receive_ms);
  EXPECT_EQ(out.receive_count, 2u);
  EXPECT_EQ(out.state, 2);
  EXPECT_EQ(out.lsn, MakeLsn(2, 99));
  EXPECT_EQ(out.name, "g");
}

TEST(Record, RelocateKeepsItsSequenceAndPayload) {
  Record r;
  r.type = RecordType::kRelocate;
  r.queue_id = 8;
  r.seq = 77;
  std::string body(3000, 'b');
  r.payload = body;
  std::string buf;  // the decoded payload is a view into it
  EncodeRecordPayload(r, &buf);
  Record out;
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kRelocate, buf, &out).ok());
  EXPECT_EQ(out.queue_id, 8u);
  EXPECT_EQ(out.seq, 77u);
  EXPECT_EQ(out.payload, body);
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

TEST(Record, SendDeadLetterKeepsItsReceiveCountSourceAndPayload) {
  Record r;
  r.type = RecordType::kSendDeadLetter;
  r.queue_id = 3;
  r.seq = 12;
  r.time_ms = 1'700'000'000'000;
  r.visible_at_ms = 1'700'000'050'000;
  r.name = "group";
  r.source = "orders";
  r.receive_count = 5;
  r.first_receive_ms = 1'700'000'001'000;
  r.payload = "the body";
  std::string buf;
  EncodeRecordPayload(r, &buf);
  Record out;
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kSendDeadLetter, buf, &out).ok());
  EXPECT_EQ(out.seq, 12u);
  EXPECT_EQ(out.name, "group");
  EXPECT_EQ(out.source, "orders");
  EXPECT_EQ(out.receive_count, 5u);
  EXPECT_EQ(out.first_receive_ms, r.first_receive_ms);
  EXPECT_EQ(out.payload, "the body");
  EXPECT_TRUE(HoldsBody(RecordType::kSendDeadLetter));
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

TEST(Record, FifoSendKeepsGroupDedupIdAndPayload) {
  Record r;
  r.type = RecordType::kSendFifo;
  r.queue_id = 9;
  r.seq = 42;
  r.time_ms = 1700000000123;
  r.visible_at_ms = 1700000000123;
  r.message_id[15] = 0x7F;
  r.name = "orders-eu";
  r.dedup_id = "order-1001";
  const std::string body("payload\0bytes", 13);
  r.payload = body;
  std::string buf;
  EncodeRecordPayload(r, &buf);
  Record out;  // its payload points into buf
  ASSERT_TRUE(DecodeRecordPayload(RecordType::kSendFifo, buf, &out).ok());
  EXPECT_EQ(out.seq, 42u);
  EXPECT_EQ(out.message_id[15], 0x7F);
  EXPECT_EQ(out.name, "orders-eu");
  EXPECT_EQ(out.dedup_id, "order-1001");
  EXPECT_EQ(out.payload, body);
}

TEST(Record, CheckpointDedupEntryRoundTrips) {
  Record r;
  r.type = RecordType::kCheckpointDedup;
  r.queue_id = 3;
  r.dedup_id = std::string("group\0id", 8);
  r.message_id[0] = 1;
  r.seq = 77;
  r.time_ms = 1234;
  Record out = RoundTrip(r);
  EXPECT_EQ(out.dedup_id, r.dedup_id);
  EXPECT_EQ(out.message_id[0], 1);
  EXPECT_EQ(out.seq, 77u);
  EXPECT_EQ(out.time_ms, 1234);
  std::string buf;
  EncodeRecordPayload(r, &buf);
  Record bad;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kCheckpointDedup, buf + "x", &bad).ok());
}

TEST(Record, SegmentNamesRoundTrip) {
  uint64_t s = 0;
  EXPECT_TRUE(ParseSegmentFileName(SegmentFileName(42), &s));
  EXPECT_EQ(s, 42u);
  EXPECT_FALSE(ParseSegmentFileName("42.wal", &s));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000004x.wal", &s));
}

// Every type the log can hold, from both the dead-letter and the FIFO
// additions: each decodes what it encodes, and a send's optional field (the
// source of a moved message, the dedup id of a FIFO send) belongs to its own
// type only.
TEST(Record, EveryRecordTypeDecodesWhatItEncodes) {
  const RecordType all[] = {
      RecordType::kCreateQueue,       RecordType::kSetSettings,     RecordType::kSetTags,
      RecordType::kDeleteQueue,       RecordType::kSend,            RecordType::kReceive,
      RecordType::kChangeVisibility,  RecordType::kDelete,          RecordType::kPurge,
      RecordType::kRelocate,          RecordType::kCheckpointMessage,
      RecordType::kCheckpointQueue,   RecordType::kCheckpointEnd,   RecordType::kSendMoved,
      RecordType::kMoveTask,          RecordType::kSendFifo,        RecordType::kCheckpointDedup,
      RecordType::kSendDeadLetter,
  };
  for (RecordType type : all) {
    Record r;
    r.type = type;
    r.queue_id = 4;
    r.seq = 8;
    r.name = "g";
    r.source = "from";
    r.dedup_id = "d";
    Record out = RoundTrip(r);
    EXPECT_EQ(out.type, type);
    EXPECT_EQ(out.queue_id, 4u) << static_cast<int>(type);
    EXPECT_EQ(out.source, type == RecordType::kSendMoved || type == RecordType::kSendDeadLetter ||
                                  type == RecordType::kCheckpointMessage
                              ? "from"
                              : "")
        << static_cast<int>(type);
    EXPECT_EQ(out.dedup_id, type == RecordType::kSendFifo || type == RecordType::kCheckpointDedup
                                ? "d"
                                : "")
        << static_cast<int>(type);
  }
}

}  // namespace
}  // namespace ferry::storage
