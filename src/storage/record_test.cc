#include "storage/record.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "storage/record_frame.h"

namespace ferry::storage {
namespace {

// Encodes `in` into `buf` and decodes it back; a body in the result is a
// view into `buf`.
template <class T>
T RoundTrip(const T& in, std::string* buf) {
  EncodeRecordPayload(in, buf);
  Record out;
  Status st = DecodeRecordPayload(T::kType, *buf, &out);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(std::holds_alternative<T>(out)) << out.index();
  return std::holds_alternative<T>(out) ? std::get<T>(out) : T{};
}

TEST(Record, SendKeepsEveryFieldAndThePayload) {
  std::string body = "hello\0world";
  Send r{.queue_id = 77,
         .message = {.seq = 123456,
                     .sent_ms = 1700000000123,
                     .visible_at_ms = 1700000005123,
                     .group_id = "group-1",
                     .body = body}};
  r.message.message_id[0] = 0xAB;
  std::string buf;
  Send out = RoundTrip(r, &buf);
  EXPECT_EQ(out.queue_id, 77u);
  EXPECT_EQ(out.message.seq, 123456u);
  EXPECT_EQ(out.message.sent_ms, 1700000000123);
  EXPECT_EQ(out.message.visible_at_ms, 1700000005123);
  EXPECT_EQ(out.message.message_id[0], 0xAB);
  EXPECT_EQ(out.message.group_id, "group-1");
  EXPECT_EQ(out.message.body, body);
}

TEST(Record, CreateQueueKeepsSettingsAndTags) {
  CreateQueue r{.queue_id = 5,
                .name = "orders",
                .settings = {{"VisibilityTimeout", "30"}, {"Policy", "{}"}},
                .tags = {{"team", "a"}}};
  std::string buf;
  CreateQueue out = RoundTrip(r, &buf);
  EXPECT_EQ(out.name, "orders");
  EXPECT_EQ(out.settings, r.settings);
  EXPECT_EQ(out.tags, r.tags);
}

// Recovery starts replaying the log at the LSNs these carry: losing one
// would replay from the start over the checkpoint's state.
TEST(Record, CheckpointRecordsKeepTheirLsns) {
  std::string buf;
  CheckpointQueue cursor{.queue_id = 3, .next_seq = 41, .replay_from = MakeLsn(7, 4096)};
  CheckpointQueue cursor_out = RoundTrip(cursor, &buf);
  EXPECT_EQ(cursor_out.next_seq, 41u);
  EXPECT_EQ(cursor_out.replay_from, MakeLsn(7, 4096));

  CheckpointEnd end{.record_count = 1234, .replay_from = MakeLsn(9, 16)};
  buf.clear();
  CheckpointEnd end_out = RoundTrip(end, &buf);
  EXPECT_EQ(end_out.record_count, 1234u);
  EXPECT_EQ(end_out.replay_from, MakeLsn(9, 16));

  CheckpointMessage m{.queue_id = 3,
                      .seq = 40,
                      .sent_ms = 1700000000000,
                      .visible_at_ms = 1700000060000,
                      .first_receive_ms = 1700000001000,
                      .receive_count = 2,
                      .state = 2,
                      .body = MakeLsn(2, 99),
                      .group_id = "g"};
  m.message_id[15] = 0x7F;
  buf.clear();
  CheckpointMessage out = RoundTrip(m, &buf);
  EXPECT_EQ(out.seq, 40u);
  EXPECT_EQ(out.message_id[15], 0x7F);
  EXPECT_EQ(out.sent_ms, m.sent_ms);
  EXPECT_EQ(out.visible_at_ms, m.visible_at_ms);
  EXPECT_EQ(out.first_receive_ms, m.first_receive_ms);
  EXPECT_EQ(out.receive_count, 2u);
  EXPECT_EQ(out.state, 2);
  EXPECT_EQ(out.body, MakeLsn(2, 99));
  EXPECT_EQ(out.group_id, "g");
}

TEST(Record, RelocateKeepsItsSequenceAndPayload) {
  std::string body(3000, 'b');
  std::string buf;  // the decoded payload is a view into it
  Relocate out = RoundTrip(Relocate{.queue_id = 8, .seq = 77, .body = body}, &buf);
  EXPECT_EQ(out.queue_id, 8u);
  EXPECT_EQ(out.seq, 77u);
  EXPECT_EQ(out.body, body);
}

TEST(Record, TruncatedPayloadsFailToDecode) {
  std::string buf;
  EncodeRecordPayload(Receive{.queue_id = 1, .seq = 9, .receive_count = 2}, &buf);
  for (size_t n = 0; n < buf.size(); ++n) {
    Record out;
    EXPECT_FALSE(DecodeRecordPayload(RecordType::kReceive, buf.substr(0, n), &out).ok()) << n;
  }
  Record out;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kReceive, buf + "x", &out).ok());
}

TEST(Record, SendDeadLetterKeepsItsReceiveCountSourceAndPayload) {
  SendDeadLetter r{.queue_id = 3,
                   .message = {.seq = 12,
                               .sent_ms = 1'700'000'000'000,
                               .visible_at_ms = 1'700'000'050'000,
                               .group_id = "group",
                               .body = "the body"},
                   .source_queue = "orders",
                   .receive_count = 5,
                   .first_receive_ms = 1'700'000'001'000};
  std::string buf;
  SendDeadLetter out = RoundTrip(r, &buf);
  EXPECT_EQ(out.message.seq, 12u);
  EXPECT_EQ(out.message.group_id, "group");
  EXPECT_EQ(out.source_queue, "orders");
  EXPECT_EQ(out.receive_count, 5u);
  EXPECT_EQ(out.first_receive_ms, r.first_receive_ms);
  EXPECT_EQ(out.message.body, "the body");
  EXPECT_TRUE(HoldsBody(RecordType::kSendDeadLetter));
}

TEST(Record, SendMovedKeepsItsSourceAndPayload) {
  SendMoved r{.queue_id = 3,
              .message = {.seq = 12,
                          .sent_ms = 1'700'000'000'000,
                          .visible_at_ms = 1'700'000'050'000,
                          .group_id = "group",
                          .body = "the body"},
              .source_queue = "orders"};
  r.message.message_id[0] = 0xab;
  std::string buf;
  SendMoved out = RoundTrip(r, &buf);
  EXPECT_EQ(out.message.seq, 12u);
  EXPECT_EQ(out.message.message_id, r.message.message_id);
  EXPECT_EQ(out.message.sent_ms, r.message.sent_ms);
  EXPECT_EQ(out.message.visible_at_ms, r.message.visible_at_ms);
  EXPECT_EQ(out.message.group_id, "group");
  EXPECT_EQ(out.source_queue, "orders");
  EXPECT_EQ(out.message.body, "the body");
}

TEST(Record, MoveTaskRoundTrips) {
  MoveTask r{.queue_id = 5,
             .task_id = "0f1e",
             .destination_queue = "orders",
             .max_per_second = 50,
             .started_ms = 1'700'000'000'000,
             .to_move = 100,
             .moved = 40,
             .status = 5,
             .failure_reason = "why"};
  std::string buf;
  MoveTask out = RoundTrip(r, &buf);
  EXPECT_EQ(out.queue_id, 5u);
  EXPECT_EQ(out.task_id, "0f1e");
  EXPECT_EQ(out.destination_queue, "orders");
  EXPECT_EQ(out.max_per_second, 50u);
  EXPECT_EQ(out.started_ms, r.started_ms);
  EXPECT_EQ(out.to_move, 100u);
  EXPECT_EQ(out.moved, 40u);
  EXPECT_EQ(out.status, 5);
  EXPECT_EQ(out.failure_reason, "why");
  Record bad;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kMoveTask, buf + "x", &bad).ok());
}

TEST(Record, CheckpointMessageSourceIsOptional) {
  CheckpointMessage r{.queue_id = 1, .seq = 2};
  std::string plain;
  EXPECT_EQ(RoundTrip(r, &plain).source_queue, "");
  r.source_queue = "orders";
  std::string with_source;
  EXPECT_EQ(RoundTrip(r, &with_source).source_queue, "orders");
  EXPECT_LT(plain.size(), with_source.size());
}

TEST(Record, FifoSendKeepsGroupDedupIdAndPayload) {
  const std::string body("payload\0bytes", 13);
  SendFifo r{.queue_id = 9,
             .message = {.seq = 42,
                         .sent_ms = 1700000000123,
                         .visible_at_ms = 1700000000123,
                         .group_id = "orders-eu",
                         .body = body},
             .dedup_id = "order-1001"};
  r.message.message_id[15] = 0x7F;
  std::string buf;
  SendFifo out = RoundTrip(r, &buf);  // its body points into buf
  EXPECT_EQ(out.message.seq, 42u);
  EXPECT_EQ(out.message.message_id[15], 0x7F);
  EXPECT_EQ(out.message.group_id, "orders-eu");
  EXPECT_EQ(out.dedup_id, "order-1001");
  EXPECT_EQ(out.message.body, body);
}

TEST(Record, CheckpointDedupEntryRoundTrips) {
  CheckpointDedup r{.queue_id = 3, .key = std::string("group\0id", 8), .seq = 77, .sent_ms = 1234};
  r.message_id[0] = 1;
  std::string buf;
  CheckpointDedup out = RoundTrip(r, &buf);
  EXPECT_EQ(out.key, r.key);
  EXPECT_EQ(out.message_id[0], 1);
  EXPECT_EQ(out.seq, 77u);
  EXPECT_EQ(out.sent_ms, 1234);
  Record bad;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kCheckpointDedup, buf + "x", &bad).ok());
}

// A catalog record carries an entry's whole state or its erasure, so that
// replaying them in log order is idempotent.
TEST(Record, CatalogEntryKeepsAPutOrAnErasure) {
  CatalogEntry put{.kind = 1,
                   .key = std::string("arn:aws:sns:us-east-1:1:t\0", 26),
                   .fields = {{"DisplayName", "orders"}, {"Policy", "{}"}}};
  std::string buf;
  CatalogEntry out = RoundTrip(put, &buf);
  EXPECT_EQ(out, put);
  EXPECT_EQ(out.queue_id, 0u);
  EXPECT_FALSE(out.erased);
  CatalogEntry erased{.kind = 2, .key = "sub", .erased = true};
  std::string erased_buf;
  EXPECT_EQ(RoundTrip(erased, &erased_buf), erased);
  Record bad;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kCatalogEntry, buf + "x", &bad).ok());
  EXPECT_FALSE(
      DecodeRecordPayload(RecordType::kCatalogEntry, buf.substr(0, buf.size() - 1), &bad).ok());
  // The erased flag is one byte, 0 or 1: anything else is damage.
  std::string flag = erased_buf;
  flag[flag.size() - 2] = 2;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kCatalogEntry, flag, &bad).ok());
}

// An entry's fields (a topic policy, a filter policy) may be far larger than
// a queue name: the log's size estimate counts them, so that a segment is
// never overrun.
TEST(Record, SizeHintCountsACatalogEntrysFields) {
  CatalogEntry r{.kind = 1, .key = "t", .fields = {{"FilterPolicy", std::string(100'000, 'x')}}};
  std::string payload;
  EncodeRecordPayload(r, &payload);
  EXPECT_GE(SizeHint(r), kRecordHeaderSize + payload.size());
}

TEST(Record, SegmentNamesRoundTrip) {
  uint64_t s = 0;
  EXPECT_TRUE(ParseSegmentFileName(SegmentFileName(42), &s));
  EXPECT_EQ(s, 42u);
  EXPECT_FALSE(ParseSegmentFileName("42.wal", &s));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000000004x.wal", &s));
}

// The on-disk encoding of every record type, pinned byte for byte (header,
// CRC and payload) as docs/wal_format.md describes it. Every field of each
// type is set, so that a change in what a type writes, or in its field
// order, fails here. Logs and checkpoints written by earlier versions must
// keep reading: change these bytes only with a new format version.
std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The same values throughout, whatever a field is called in its type.
constexpr uint64_t kQueueId = 0x0102;
constexpr uint64_t kSeq = 300;
constexpr int64_t kTime = 0x1122334455;
constexpr int64_t kVisibleAt = 0x2233445566;
constexpr int64_t kFirstReceive = 0x3344556677;
constexpr uint32_t kReceiveCount = 129;
constexpr uint8_t kState = 2;
constexpr Lsn kLsn = 0x0000000500000010;

MessageIdBytes EveryIdByte() {
  MessageIdBytes id;
  for (uint8_t i = 0; i < 16; ++i) id[i] = static_cast<uint8_t>(0xa0 + i);
  return id;
}

SentMessage EverySentField() {
  return {.seq = kSeq,
          .message_id = EveryIdByte(),
          .sent_ms = kTime,
          .visible_at_ms = kVisibleAt,
          .group_id = "grp",
          .body = "body"};
}

Record EveryFieldSet(RecordType type) {
  const Fields settings = {{"VisibilityTimeout", "30"}};
  const Fields tags = {{"k", "v"}};
  switch (type) {
    case RecordType::kCreateQueue:
      return CreateQueue{.queue_id = kQueueId,
                         .name = "grp",
                         .created_ms = kTime,
                         .settings = settings,
                         .tags = tags};
    case RecordType::kSetSettings:
      return SetSettings{.queue_id = kQueueId, .modified_ms = kTime, .settings = settings};
    case RecordType::kSetTags:
      return SetTags{.queue_id = kQueueId, .tags = tags};
    case RecordType::kDeleteQueue:
      return DeleteQueue{.queue_id = kQueueId};
    case RecordType::kSend:
      return Send{.queue_id = kQueueId, .message = EverySentField()};
    case RecordType::kReceive:
      return Receive{.queue_id = kQueueId,
                     .seq = kSeq,
                     .receive_count = kReceiveCount,
                     .receive_ms = kTime,
                     .visible_at_ms = kVisibleAt};
    case RecordType::kChangeVisibility:
      return ChangeVisibility{.queue_id = kQueueId,
                              .seq = kSeq,
                              .receive_count = kReceiveCount,
                              .visible_at_ms = kVisibleAt};
    case RecordType::kDelete:
      return Delete{.queue_id = kQueueId, .seq = kSeq};
    case RecordType::kPurge:
      return Purge{.queue_id = kQueueId, .purged_ms = kTime};
    case RecordType::kRelocate:
      return Relocate{.queue_id = kQueueId, .seq = kSeq, .body = "body"};
    case RecordType::kCheckpointMessage:
      return CheckpointMessage{.queue_id = kQueueId,
                               .seq = kSeq,
                               .message_id = EveryIdByte(),
                               .sent_ms = kTime,
                               .visible_at_ms = kVisibleAt,
                               .first_receive_ms = kFirstReceive,
                               .receive_count = kReceiveCount,
                               .state = kState,
                               .body = kLsn,
                               .group_id = "grp",
                               .source_queue = "src"};
    case RecordType::kCheckpointQueue:
      return CheckpointQueue{.queue_id = kQueueId, .next_seq = kSeq, .replay_from = kLsn};
    case RecordType::kCheckpointEnd:
      return CheckpointEnd{.queue_id = kQueueId, .record_count = kSeq, .replay_from = kLsn};
    case RecordType::kSendMoved:
      return SendMoved{.queue_id = kQueueId, .message = EverySentField(), .source_queue = "src"};
    case RecordType::kMoveTask:
      return MoveTask{.queue_id = kQueueId,
                      .task_id = "t1",
                      .destination_queue = "dst",
                      .max_per_second = 7,
                      .started_ms = kTime,
                      .to_move = 9,
                      .moved = 3,
                      .status = kState,
                      .failure_reason = "no"};
    case RecordType::kSendDeadLetter:
      return SendDeadLetter{.queue_id = kQueueId,
                            .message = EverySentField(),
                            .source_queue = "src",
                            .receive_count = kReceiveCount,
                            .first_receive_ms = kFirstReceive};
    case RecordType::kSendFifo:
      return SendFifo{.queue_id = kQueueId, .message = EverySentField(), .dedup_id = "dd"};
    case RecordType::kCheckpointDedup:
      return CheckpointDedup{.queue_id = kQueueId,
                             .key = "dd",
                             .message_id = EveryIdByte(),
                             .seq = kSeq,
                             .sent_ms = kTime};
    case RecordType::kPadding:
      return Padding{.queue_id = kQueueId};
    case RecordType::kCatalogEntry:
      return CatalogEntry{.queue_id = kQueueId,
                          .kind = kState,
                          .key = "arn",
                          .erased = true,
                          .fields = {{"k", "v"}}};
    case RecordType::kJourneyEvent:
      return JourneyEvent{.queue_id = kQueueId,
                          .message_id = EveryIdByte(),
                          .kind = kState,
                          .at_ms = kTime,
                          .receive_count = kReceiveCount,
                          .visible_until_ms = kFirstReceive,
                          .detail = "dlq"};
  }
  ADD_FAILURE() << "no record of type " << static_cast<int>(type);
  return Record{};
}

// Every type the log or a checkpoint can hold, from both the dead-letter and
// the FIFO additions, decodes to what it encoded: the same type, every field.
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
      RecordType::kCatalogEntry,
      RecordType::kJourneyEvent,
  };
  for (RecordType type : all) {
    const Record in = EveryFieldSet(type);
    ASSERT_EQ(TypeOf(in), type);
    std::string buf;
    EncodeRecordPayload(in, &buf);
    Record out;
    Status st = DecodeRecordPayload(type, buf, &out);
    ASSERT_TRUE(st.ok()) << static_cast<int>(type) << ": " << st.message();
    EXPECT_EQ(TypeOf(out), type);
    EXPECT_EQ(QueueIdOf(out), kQueueId) << static_cast<int>(type);
    EXPECT_TRUE(out == in) << static_cast<int>(type);
    EXPECT_EQ(BodyIn(out).has_value(), HoldsBody(type)) << static_cast<int>(type);
  }
}

// Repair writes padding itself; no reader decodes it.
TEST(Record, PaddingDoesNotDecode) {
  std::string buf;
  EncodeRecordPayload(Padding{}, &buf);
  Record out;
  EXPECT_FALSE(DecodeRecordPayload(RecordType::kPadding, buf, &out).ok());
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
      {RecordType::kCatalogEntry, "43333eed0d000000178202020361726e0101016b0176"},
  };
  for (const auto& [type, hex] : golden) {
    std::string bytes;
    EncodeRecord(EveryFieldSet(type), &bytes);
    EXPECT_EQ(Hex(bytes), hex) << "record type " << static_cast<int>(type);
  }
}

TEST(RecordFormat, CheckpointMessageWithoutSourceEncodesToThePinnedBytes) {
  Record r = EveryFieldSet(RecordType::kCheckpointMessage);
  std::get<CheckpointMessage>(r).source_queue.clear();
  std::string bytes;
  EncodeRecord(r, &bytes);
  EXPECT_EQ(Hex(bytes),
            "dd3501403b0000000b8202ac02a0a1a2a3a4a5a6a7a8a9aaabacadaeaf554433"
            "2211000000665544332200000077665544330000008101021000000005000000"
            "03677270");
}

// A sealed body is marked by kSealedBodyFlag in the type byte, which the
// CRC covers; every other field stays as it is.
TEST(Record, ASealedBodyIsMarkedInTheTypeByteOfBodyRecordsOnly) {
  const std::string body = "sealed bytes";
  std::string buf;
  EncodeRecord(Relocate{.queue_id = 3, .seq = 9, .body = body, .sealed = true}, &buf);
  const RecordFrame frame = DecodeRecordFrame(buf, 0);
  ASSERT_TRUE(frame.whole());
  EXPECT_EQ(frame.type_byte, static_cast<uint8_t>(RecordType::kRelocate) | kSealedBodyFlag);
  Record r;
  ASSERT_TRUE(DecodeRecordPayload(frame.type(), frame.payload, &r).ok());
  const std::optional<RecordedBody> b = BodyIn(r);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(*b, (RecordedBody{3, 9, body, true}));
  EXPECT_EQ(TypeOf(r), RecordType::kRelocate);

  std::string plain;
  EncodeRecord(Send{.queue_id = 3, .message = {.seq = 9, .body = body}}, &plain);
  EXPECT_EQ(DecodeRecordFrame(plain, 0).type_byte, static_cast<uint8_t>(RecordType::kSend));

  for (uint8_t t = 1; t < 0x80; ++t) {
    const bool body_type = HoldsBody(static_cast<RecordType>(t));
    EXPECT_EQ(IsKnownRecordType(t | kSealedBodyFlag), body_type) << int(t);
  }
  Record bad;
  EXPECT_FALSE(DecodeRecordPayload(static_cast<RecordType>(static_cast<uint8_t>(RecordType::kDelete) |
                                                           kSealedBodyFlag),
                                   "\x03\x09", &bad)
                   .ok());
}

}  // namespace
}  // namespace ferry::storage
