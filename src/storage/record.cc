#include "storage/record.h"

#include <algorithm>
#include <cstdio>
#include <type_traits>

#include "common/coding.h"
#include "common/crc32c.h"

namespace ferry::storage {
namespace {

void PutFields(std::string* out, const Fields& fields) {
  PutVarint64(out, fields.size());
  for (const auto& [k, v] : fields) {
    PutLengthPrefixed(out, k);
    PutLengthPrefixed(out, v);
  }
}

bool GetFields(Reader& in, Fields* fields) {
  uint64_t n = in.Varint64();
  if (!in.ok() || n > (1u << 20)) return false;
  fields->clear();
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    auto k = in.LengthPrefixed();
    auto v = in.LengthPrefixed();
    fields->emplace_back(std::string(k), std::string(v));
  }
  return in.ok();
}

void PutId(std::string* out, const std::array<uint8_t, 16>& id) {
  out->append(reinterpret_cast<const char*>(id.data()), id.size());
}

void GetId(Reader& in, std::array<uint8_t, 16>* id) {
  auto b = in.Bytes(16);
  if (in.ok()) std::copy(b.begin(), b.end(), id->begin());
}

}  // namespace

std::string SegmentFileName(uint64_t segment) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu.wal", static_cast<unsigned long long>(segment));
  return buf;
}

std::string SegmentHeader() {
  std::string h(kSegmentMagic);
  PutFixed32(&h, kFormatVersion);
  PutFixed32(&h, 0);
  return h;
}

bool ParseSegmentFileName(std::string_view name, uint64_t* segment) {
  if (name.size() != 24 || name.substr(20) != ".wal") return false;
  uint64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *segment = v;
  return true;
}

namespace {

void PutSentMessage(std::string* out, const SentMessage& m) {
  PutVarint64(out, m.seq);
  PutId(out, m.message_id);
  PutFixed64(out, static_cast<uint64_t>(m.sent_ms));
  PutFixed64(out, static_cast<uint64_t>(m.visible_at_ms));
  PutLengthPrefixed(out, m.group_id);
}

// The fields before the type's own; the body comes after them.
void GetSentMessage(Reader& in, SentMessage* m) {
  m->seq = in.Varint64();
  GetId(in, &m->message_id);
  m->sent_ms = static_cast<int64_t>(in.Fixed64());
  m->visible_at_ms = static_cast<int64_t>(in.Fixed64());
  m->group_id = std::string(in.LengthPrefixed());
}

// The payload after the queue id, one overload per type.
void PutRest(std::string* out, const CreateQueue& r) {
  PutLengthPrefixed(out, r.name);
  PutFixed64(out, static_cast<uint64_t>(r.created_ms));
  PutFields(out, r.settings);
  PutFields(out, r.tags);
}

void PutRest(std::string* out, const SetSettings& r) {
  PutFixed64(out, static_cast<uint64_t>(r.modified_ms));
  PutFields(out, r.settings);
}

void PutRest(std::string* out, const SetTags& r) { PutFields(out, r.tags); }

void PutRest(std::string*, const DeleteQueue&) {}

// Each send's body is the rest of the record: it is read back from there.
void PutRest(std::string* out, const Send& r) {
  PutSentMessage(out, r.message);
  out->append(r.message.body);
}

void PutRest(std::string* out, const SendFifo& r) {
  PutSentMessage(out, r.message);
  PutLengthPrefixed(out, r.dedup_id);
  out->append(r.message.body);
}

void PutRest(std::string* out, const SendMoved& r) {
  PutSentMessage(out, r.message);
  PutLengthPrefixed(out, r.source_queue);
  out->append(r.message.body);
}

void PutRest(std::string* out, const SendDeadLetter& r) {
  PutSentMessage(out, r.message);
  PutLengthPrefixed(out, r.source_queue);
  PutVarint64(out, r.receive_count);
  PutFixed64(out, static_cast<uint64_t>(r.first_receive_ms));
  out->append(r.message.body);
}

void PutRest(std::string* out, const Receive& r) {
  PutVarint64(out, r.seq);
  PutVarint64(out, r.receive_count);
  PutFixed64(out, static_cast<uint64_t>(r.receive_ms));
  PutFixed64(out, static_cast<uint64_t>(r.visible_at_ms));
}

void PutRest(std::string* out, const ChangeVisibility& r) {
  PutVarint64(out, r.seq);
  PutVarint64(out, r.receive_count);
  PutFixed64(out, static_cast<uint64_t>(r.visible_at_ms));
}

void PutRest(std::string* out, const Delete& r) { PutVarint64(out, r.seq); }

void PutRest(std::string* out, const Purge& r) {
  PutFixed64(out, static_cast<uint64_t>(r.purged_ms));
}

void PutRest(std::string* out, const Relocate& r) {
  PutVarint64(out, r.seq);
  out->append(r.body);
}

void PutRest(std::string* out, const CheckpointMessage& r) {
  PutVarint64(out, r.seq);
  PutId(out, r.message_id);
  PutFixed64(out, static_cast<uint64_t>(r.sent_ms));
  PutFixed64(out, static_cast<uint64_t>(r.visible_at_ms));
  PutFixed64(out, static_cast<uint64_t>(r.first_receive_ms));
  PutVarint64(out, r.receive_count);
  out->push_back(static_cast<char>(r.state));
  PutFixed64(out, r.body);
  PutLengthPrefixed(out, r.group_id);
  // Optional, so that checkpoints written before it read.
  if (!r.source_queue.empty()) PutLengthPrefixed(out, r.source_queue);
}

void PutRest(std::string* out, const CheckpointQueue& r) {
  PutVarint64(out, r.next_seq);
  PutFixed64(out, r.replay_from);
}

void PutRest(std::string* out, const CheckpointEnd& r) {
  PutVarint64(out, r.record_count);
  PutFixed64(out, r.replay_from);
}

void PutRest(std::string* out, const MoveTask& r) {
  PutLengthPrefixed(out, r.task_id);
  PutLengthPrefixed(out, r.destination_queue);
  PutVarint64(out, r.max_per_second);
  PutFixed64(out, static_cast<uint64_t>(r.started_ms));
  PutVarint64(out, r.to_move);
  PutVarint64(out, r.moved);
  out->push_back(static_cast<char>(r.status));
  PutLengthPrefixed(out, r.failure_reason);
}

void PutRest(std::string* out, const CheckpointDedup& r) {
  PutLengthPrefixed(out, r.key);
  PutId(out, r.message_id);
  PutVarint64(out, r.seq);
  PutFixed64(out, static_cast<uint64_t>(r.sent_ms));
}

// Repair writes padding itself (zeros of a given length).
void PutRest(std::string*, const Padding&) {}

void PutRest(std::string* out, const CatalogEntry& r) {
  out->push_back(static_cast<char>(r.kind));
  PutLengthPrefixed(out, r.key);
  out->push_back(r.erased ? 1 : 0);
  PutFields(out, r.fields);
}

void PutRest(std::string* out, const JourneyEvent& r) {
  PutId(out, r.message_id);
  out->push_back(static_cast<char>(r.kind));
  PutFixed64(out, static_cast<uint64_t>(r.at_ms));
  PutVarint64(out, r.receive_count);
  PutFixed64(out, static_cast<uint64_t>(r.visible_until_ms));
  PutLengthPrefixed(out, r.detail);
}

}  // namespace

RecordType TypeOf(const Record& r) {
  return std::visit([](const auto& t) { return std::decay_t<decltype(t)>::kType; }, r);
}

uint64_t QueueIdOf(const Record& r) {
  return std::visit([](const auto& t) { return t.queue_id; }, r);
}

const SentMessage* SentMessageOf(const Record& r) {
  return std::visit(
      [](const auto& t) -> const SentMessage* {
        if constexpr (requires { t.message; }) {
          return &t.message;
        } else {
          return nullptr;
        }
      },
      r);
}

uint64_t MessageSeqOf(const Record& r) {
  return std::visit(
      [](const auto& t) -> uint64_t {
        if constexpr (requires { t.message.seq; }) {
          return t.message.seq;
        } else if constexpr (requires { t.seq; }) {
          return t.seq;
        } else {
          return 0;
        }
      },
      r);
}

std::optional<RecordedBody> BodyIn(const Record& r) {
  if (const SentMessage* m = SentMessageOf(r)) {
    return RecordedBody{QueueIdOf(r), m->seq, m->body, m->sealed};
  }
  if (const auto* relocate = std::get_if<Relocate>(&r)) {
    return RecordedBody{relocate->queue_id, relocate->seq, relocate->body, relocate->sealed};
  }
  return std::nullopt;
}

size_t SizeHint(const Record& r) {
  size_t name = 0;
  if (const auto* create = std::get_if<CreateQueue>(&r)) name = create->name.size();
  if (const SentMessage* m = SentMessageOf(r)) name = m->group_id.size();
  if (const auto* m = std::get_if<CheckpointMessage>(&r)) name = m->group_id.size();
  if (const auto* j = std::get_if<JourneyEvent>(&r)) name = j->detail.size();
  if (const auto* e = std::get_if<CatalogEntry>(&r)) {
    name = e->key.size();
    // Each field's two length prefixes take at most 10 bytes each.
    for (const auto& [k, v] : e->fields) name += k.size() + v.size() + 20;
  }
  const std::optional<RecordedBody> body = BodyIn(r);
  return kRecordHeaderSize + (body ? body->body.size() : 0) + name + 128;
}

void EncodeRecordPayload(const Record& r, std::string* out) {
  std::visit(
      [out](const auto& t) {
        PutVarint64(out, t.queue_id);
        PutRest(out, t);
      },
      r);
}

void EncodeRecord(const Record& r, std::string* out) {
  size_t start = out->size();
  out->append(kRecordHeaderSize, '\0');
  const std::optional<RecordedBody> body = BodyIn(r);
  const uint8_t sealed = body && body->sealed ? kSealedBodyFlag : 0;
  (*out)[start + 8] = static_cast<char>(static_cast<uint8_t>(TypeOf(r)) | sealed);
  EncodeRecordPayload(r, out);
  size_t len = out->size() - start - kRecordHeaderSize;
  uint32_t crc = Crc32cExtend(0, out->data() + start + 8, len + 1);
  std::string header;
  PutFixed32(&header, crc);
  PutFixed32(&header, static_cast<uint32_t>(len));
  std::copy(header.begin(), header.end(), out->begin() + static_cast<std::ptrdiff_t>(start));
}

Status DecodeRecordPayload(RecordType type_byte, std::string_view data, Record* r) {
  const bool sealed = (static_cast<uint8_t>(type_byte) & kSealedBodyFlag) != 0;
  const auto type = static_cast<RecordType>(static_cast<uint8_t>(type_byte) & ~kSealedBodyFlag);
  if (sealed && !HoldsBody(type)) {
    return Status::Internal("unknown record type " +
                            std::to_string(static_cast<int>(type_byte)));
  }
  Reader in(data);
  const uint64_t queue_id = in.Varint64();
  // Points at the body of the types whose body is the rest of the record.
  std::string_view* body = nullptr;
  switch (type) {
    case RecordType::kCreateQueue: {
      CreateQueue& c = r->emplace<CreateQueue>();
      c.name = std::string(in.LengthPrefixed());
      c.created_ms = static_cast<int64_t>(in.Fixed64());
      if (!GetFields(in, &c.settings) || !GetFields(in, &c.tags)) {
        return Status::Internal("bad create-queue record");
      }
      break;
    }
    case RecordType::kSetSettings: {
      SetSettings& s = r->emplace<SetSettings>();
      s.modified_ms = static_cast<int64_t>(in.Fixed64());
      if (!GetFields(in, &s.settings)) return Status::Internal("bad settings record");
      break;
    }
    case RecordType::kSetTags:
      if (!GetFields(in, &r->emplace<SetTags>().tags)) return Status::Internal("bad tags record");
      break;
    case RecordType::kDeleteQueue:
      r->emplace<DeleteQueue>();
      break;
    case RecordType::kSend: {
      Send& s = r->emplace<Send>();
      GetSentMessage(in, &s.message);
      s.message.sealed = sealed;
      body = &s.message.body;
      break;
    }
    case RecordType::kSendFifo: {
      SendFifo& s = r->emplace<SendFifo>();
      GetSentMessage(in, &s.message);
      s.message.sealed = sealed;
      s.dedup_id = std::string(in.LengthPrefixed());
      body = &s.message.body;
      break;
    }
    case RecordType::kSendMoved: {
      SendMoved& s = r->emplace<SendMoved>();
      GetSentMessage(in, &s.message);
      s.message.sealed = sealed;
      s.source_queue = std::string(in.LengthPrefixed());
      body = &s.message.body;
      break;
    }
    case RecordType::kSendDeadLetter: {
      SendDeadLetter& s = r->emplace<SendDeadLetter>();
      GetSentMessage(in, &s.message);
      s.message.sealed = sealed;
      s.source_queue = std::string(in.LengthPrefixed());
      s.receive_count = static_cast<uint32_t>(in.Varint64());
      s.first_receive_ms = static_cast<int64_t>(in.Fixed64());
      body = &s.message.body;
      break;
    }
    case RecordType::kMoveTask: {
      MoveTask& t = r->emplace<MoveTask>();
      t.task_id = std::string(in.LengthPrefixed());
      t.destination_queue = std::string(in.LengthPrefixed());
      t.max_per_second = in.Varint64();
      t.started_ms = static_cast<int64_t>(in.Fixed64());
      t.to_move = in.Varint64();
      t.moved = in.Varint64();
      t.status = in.Byte();
      t.failure_reason = std::string(in.LengthPrefixed());
      break;
    }
    case RecordType::kCheckpointDedup: {
      CheckpointDedup& d = r->emplace<CheckpointDedup>();
      d.key = std::string(in.LengthPrefixed());
      GetId(in, &d.message_id);
      d.seq = in.Varint64();
      d.sent_ms = static_cast<int64_t>(in.Fixed64());
      break;
    }
    case RecordType::kReceive: {
      Receive& v = r->emplace<Receive>();
      v.seq = in.Varint64();
      v.receive_count = static_cast<uint32_t>(in.Varint64());
      v.receive_ms = static_cast<int64_t>(in.Fixed64());
      v.visible_at_ms = static_cast<int64_t>(in.Fixed64());
      break;
    }
    case RecordType::kChangeVisibility: {
      ChangeVisibility& c = r->emplace<ChangeVisibility>();
      c.seq = in.Varint64();
      c.receive_count = static_cast<uint32_t>(in.Varint64());
      c.visible_at_ms = static_cast<int64_t>(in.Fixed64());
      break;
    }
    case RecordType::kDelete:
      r->emplace<Delete>().seq = in.Varint64();
      break;
    case RecordType::kPurge:
      r->emplace<Purge>().purged_ms = static_cast<int64_t>(in.Fixed64());
      break;
    case RecordType::kRelocate: {
      Relocate& m = r->emplace<Relocate>();
      m.seq = in.Varint64();
      m.sealed = sealed;
      body = &m.body;
      break;
    }
    case RecordType::kCheckpointMessage: {
      CheckpointMessage& m = r->emplace<CheckpointMessage>();
      m.seq = in.Varint64();
      GetId(in, &m.message_id);
      m.sent_ms = static_cast<int64_t>(in.Fixed64());
      m.visible_at_ms = static_cast<int64_t>(in.Fixed64());
      m.first_receive_ms = static_cast<int64_t>(in.Fixed64());
      m.receive_count = static_cast<uint32_t>(in.Varint64());
      m.state = in.Byte();
      m.body = in.Fixed64();
      m.group_id = std::string(in.LengthPrefixed());
      if (in.ok() && !in.empty()) m.source_queue = std::string(in.LengthPrefixed());
      break;
    }
    case RecordType::kCheckpointQueue: {
      CheckpointQueue& c = r->emplace<CheckpointQueue>();
      c.next_seq = in.Varint64();
      c.replay_from = in.Fixed64();
      break;
    }
    case RecordType::kCheckpointEnd: {
      CheckpointEnd& e = r->emplace<CheckpointEnd>();
      e.record_count = in.Varint64();
      e.replay_from = in.Fixed64();
      break;
    }
    case RecordType::kCatalogEntry: {
      CatalogEntry& e = r->emplace<CatalogEntry>();
      e.kind = in.Byte();
      e.key = std::string(in.LengthPrefixed());
      const uint8_t erased = in.Byte();
      if (!GetFields(in, &e.fields) || erased > 1) return Status::Internal("bad catalog record");
      e.erased = erased == 1;
      break;
    }
    case RecordType::kJourneyEvent: {
      JourneyEvent& e = r->emplace<JourneyEvent>();
      GetId(in, &e.message_id);
      e.kind = in.Byte();
      e.at_ms = static_cast<int64_t>(in.Fixed64());
      e.receive_count = static_cast<uint32_t>(in.Varint64());
      e.visible_until_ms = static_cast<int64_t>(in.Fixed64());
      e.detail = std::string(in.LengthPrefixed());
      break;
    }
    default:
      return Status::Internal("unknown record type " + std::to_string(static_cast<int>(type)));
  }
  if (!in.ok()) return Status::Internal("truncated record");
  std::visit([queue_id](auto& t) { t.queue_id = queue_id; }, *r);
  if (body != nullptr) {
    *body = in.rest();
  } else if (!in.empty()) {
    return Status::Internal("trailing bytes in record");
  }
  return Status::Ok();
}

}  // namespace ferry::storage
