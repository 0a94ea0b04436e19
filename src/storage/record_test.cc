#include "storage/record.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

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
      RecordType::kCreateQueue,
      RecordType::kSetSettings,
      RecordType::kSetTags,
      RecordType::kDeleteQueue,
      RecordType::kSend,
      RecordType::kReceive,
      RecordType::kChangeVisibility,
      RecordType::kDelete,
      RecordType::kPurge,
      RecordType::kRelocate,
      RecordType::kCheckpointMessage,
      RecordType::kCheckpointQueue,
      RecordType::kCheckpointEnd,
      RecordType::kSendMoved,
      RecordType::kMoveTask,
      RecordType::kSendFifo,
      RecordType::kCheckpointDedup,
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
    EXPECT_EQ(out.dedup_id,
              type == RecordType::kSendFifo || type == RecordType::kCheckpointDedup ? "d" : "")
        << static_cast<int>(type);
  }
}

// The on-disk encoding of every record type, pinned byte for byte (header,
// CRC and payload) as docs/wal_format.md describes it. Every field is set,
// including those a type does not use, so that a change in what a type
// writes, or in its field order, fails here. Logs and checkpoints written by
// earlier versions must keep reading: change these bytes only with a new
// format version.
std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Record EveryFieldSet(RecordType type) {
  Record r;
  r.type = type;
  r.queue_id = 0x0102;
  r.seq = 300;
  r.time_ms = 0x1122334455;
  r.visible_at_ms = 0x2233445566;
  r.first_receive_ms = 0x3344556677;
  r.receive_count = 129;
  r.state = 2;
  r.lsn = 0x0000000500000010;
  for (uint8_t i = 0; i < 16; ++i) r.message_id[i] = static_cast<uint8_t>(0xa0 + i);
  r.name = "grp";
  r.source = "src";
  r.task_id = "t1";
  r.destination = "dst";
  r.failure = "no";
  r.rate = 7;
  r.to_move = 9;
  r.moved = 3;
  r.dedup_id = "dd";
  r.settings = {{"VisibilityTimeout", "30"}};
  r.tags = {{"k", "v"}};
  r.payload = "body";
  return r;
}

TEST(RecordFormat, EveryTypeEncodesToThePinnedBytes) {
  const std::pair<RecordType, std::string_view> golden[] = {
      {RecordType::kCreateQueue,
       "451835562900000001820203677270554433221100000001115669736962696c"
       "69747954696d656f757402333001016b0176"},
      {RecordType::kSetSettings,
       "11ec480820000000028202554433221100000001115669736962696c69747954"
       "696d656f7574023330"},
      {RecordType::kSetTags, "b9a919fc0700000003820201016b0176"},
      {RecordType::kDeleteQueue, "80bd07c302000000048202"},
      {RecordType::kSend,
       "efde37322c000000058202ac02a0a1a2a3a4a5a6a7a8a9aaabacadaeaf554433"
       "2211000000665544332200000003677270626f6479"},
      {RecordType::kReceive, "bfe98c2e16000000068202ac02810155443322110000006655443322000000"},
      {RecordType::kChangeVisibility, "f4f9df6a0e000000078202ac0281016655443322000000"},
      {RecordType::kDelete, "7f0e509404000000088202ac02"},
      {RecordType::kPurge, "8f77bf920a0000000982025544332211000000"},
      {RecordType::kRelocate, "13a60dcd080000000a8202ac02626f6479"},
      {RecordType::kCheckpointMessage,
       "4c6a83c43f0000000b8202ac02a0a1a2a3a4a5a6a7a8a9aaabacadaeaf554433"
       "2211000000665544332200000077665544330000008101021000000005000000"
       "0367727003737263"},
      {RecordType::kCheckpointQueue, "d86763b20c0000000c8202ac021000000005000000"},
      {RecordType::kCheckpointEnd, "bd5fb1820c0000000d8202ac021000000005000000"},
      {RecordType::kSendMoved,
       "9441200e300000000e8202ac02a0a1a2a3a4a5a6a7a8a9aaabacadaeaf554433"
       "221100000066554433220000000367727003737263626f6479"},
      {RecordType::kMoveTask,
       "7d950e3a180000000f820202743103647374075544332211000000090302026e"
       "6f"},
      {RecordType::kSendDeadLetter,
       "d1a89dee3a000000108202ac02a0a1a2a3a4a5a6a7a8a9aaabacadaeaf554433"
       "2211000000665544332200000003677270037372638101776655443300000062"
       "6f6479"},
      {RecordType::kSendFifo,
       "e9da9cb22f000000148202ac02a0a1a2a3a4a5a6a7a8a9aaabacadaeaf554433"
       "2211000000665544332200000003677270026464626f6479"},
      {RecordType::kCheckpointDedup,
       "968709331f000000158202026464a0a1a2a3a4a5a6a7a8a9aaabacadaeafac02"
       "5544332211000000"},
      {RecordType::kPadding, "0792cafc02000000168202"},
  };
  for (const auto& [type, hex] : golden) {
    std::string bytes;
    EncodeRecord(EveryFieldSet(type), &bytes);
    EXPECT_EQ(Hex(bytes), hex) << "record type " << static_cast<int>(type);
  }
}

TEST(RecordFormat, CheckpointMessageWithoutSourceEncodesToThePinnedBytes) {
  Record r = EveryFieldSet(RecordType::kCheckpointMessage);
  r.source.clear();
  std::string bytes;
  EncodeRecord(r, &bytes);
  EXPECT_EQ(Hex(bytes),
            "dd3501403b0000000b8202ac02a0a1a2a3a4a5a6a7a8a9aaabacadaeaf554433"
            "2211000000665544332200000077665544330000008101021000000005000000"
            "03677270");
}

}  // namespace
}  // namespace ferry::storage
