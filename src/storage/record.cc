#include "storage/record.h"

#include <cstdio>

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

void EncodeRecordPayload(const Record& r, std::string* out) {
  PutVarint64(out, r.queue_id);
  switch (r.type) {
    case RecordType::kCreateQueue:
      PutLengthPrefixed(out, r.name);
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      PutFields(out, r.settings);
      PutFields(out, r.tags);
      break;
    case RecordType::kSetSettings:
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      PutFields(out, r.settings);
      break;
    case RecordType::kSetTags:
      PutFields(out, r.tags);
      break;
    case RecordType::kDeleteQueue:
      break;
    case RecordType::kSend:
    case RecordType::kSendMoved:
    case RecordType::kSendDeadLetter:
    case RecordType::kSendFifo:
      PutVarint64(out, r.seq);
      PutId(out, r.message_id);
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      PutFixed64(out, static_cast<uint64_t>(r.visible_at_ms));
      PutLengthPrefixed(out, r.name);
      if (r.type == RecordType::kSendMoved || r.type == RecordType::kSendDeadLetter) {
        PutLengthPrefixed(out, r.source);
      }
      if (r.type == RecordType::kSendDeadLetter) {
        PutVarint64(out, r.receive_count);
        PutFixed64(out, static_cast<uint64_t>(r.first_receive_ms));
      }
      if (r.type == RecordType::kSendFifo) PutLengthPrefixed(out, r.dedup_id);
      out->append(r.payload);  // the rest of the record: the body is read back from here
      break;
    case RecordType::kMoveTask:
      PutLengthPrefixed(out, r.task_id);
      PutLengthPrefixed(out, r.destination);
      PutVarint64(out, r.rate);
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      PutVarint64(out, r.to_move);
      PutVarint64(out, r.moved);
      out->push_back(static_cast<char>(r.state));
      PutLengthPrefixed(out, r.failure);
      break;
    case RecordType::kCheckpointDedup:
      PutLengthPrefixed(out, r.dedup_id);
      PutId(out, r.message_id);
      PutVarint64(out, r.seq);
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      break;
    case RecordType::kReceive:
      PutVarint64(out, r.seq);
      PutVarint64(out, r.receive_count);
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      PutFixed64(out, static_cast<uint64_t>(r.visible_at_ms));
      break;
    case RecordType::kChangeVisibility:
      PutVarint64(out, r.seq);
      PutVarint64(out, r.receive_count);
      PutFixed64(out, static_cast<uint64_t>(r.visible_at_ms));
      break;
    case RecordType::kDelete:
      PutVarint64(out, r.seq);
      break;
    case RecordType::kPurge:
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      break;
    case RecordType::kRelocate:
      PutVarint64(out, r.seq);
      out->append(r.payload);
      break;
    case RecordType::kCheckpointMessage:
      PutVarint64(out, r.seq);
      PutId(out, r.message_id);
      PutFixed64(out, static_cast<uint64_t>(r.time_ms));
      PutFixed64(out, static_cast<uint64_t>(r.visible_at_ms));
      PutFixed64(out, static_cast<uint64_t>(r.first_receive_ms));
      PutVarint64(out, r.receive_count);
      out->push_back(static_cast<char>(r.state));
      PutFixed64(out, r.lsn);
      PutLengthPrefixed(out, r.name);
      if (!r.source.empty())
        PutLengthPrefixed(out, r.source);  // optional, so older checkpoints read
      break;
    case RecordType::kCheckpointQueue:
      PutVarint64(out, r.seq);
      PutFixed64(out, r.lsn);
      break;
    case RecordType::kCheckpointEnd:
      PutVarint64(out, r.seq);
      PutFixed64(out, r.lsn);
      break;
    case RecordType::kPadding:
      break;  // repair writes padding itself (zeros of a given length)
  }
}

void EncodeRecord(const Record& r, std::string* out) {
  size_t start = out->size();
  out->append(kRecordHeaderSize, '\0');
  (*out)[start + 8] = static_cast<char>(r.type);
  EncodeRecordPayload(r, out);
  size_t len = out->size() - start - kRecordHeaderSize;
  uint32_t crc = Crc32cExtend(0, out->data() + start + 8, len + 1);
  std::string header;
  PutFixed32(&header, crc);
  PutFixed32(&header, static_cast<uint32_t>(len));
  std::copy(header.begin(), header.end(), out->begin() + static_cast<std::ptrdiff_t>(start));
}

Status DecodeRecordPayload(RecordType type, std::string_view data, Record* r) {
  *r = Record{};
  r->type = type;
  Reader in(data);
  r->queue_id = in.Varint64();
  bool rest_is_payload = false;
  switch (type) {
    case RecordType::kCreateQueue:
      r->name = std::string(in.LengthPrefixed());
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      if (!GetFields(in, &r->settings) || !GetFields(in, &r->tags)) {
        return Status::Internal("bad create-queue record");
      }
      break;
    case RecordType::kSetSettings:
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      if (!GetFields(in, &r->settings)) return Status::Internal("bad settings record");
      break;
    case RecordType::kSetTags:
      if (!GetFields(in, &r->tags)) return Status::Internal("bad tags record");
      break;
    case RecordType::kDeleteQueue:
      break;
    case RecordType::kSend:
    case RecordType::kSendMoved:
    case RecordType::kSendDeadLetter:
    case RecordType::kSendFifo:
      r->seq = in.Varint64();
      GetId(in, &r->message_id);
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      r->visible_at_ms = static_cast<int64_t>(in.Fixed64());
      r->name = std::string(in.LengthPrefixed());
      if (type == RecordType::kSendMoved || type == RecordType::kSendDeadLetter) {
        r->source = std::string(in.LengthPrefixed());
      }
      if (type == RecordType::kSendDeadLetter) {
        r->receive_count = static_cast<uint32_t>(in.Varint64());
        r->first_receive_ms = static_cast<int64_t>(in.Fixed64());
      }
      if (type == RecordType::kSendFifo) r->dedup_id = std::string(in.LengthPrefixed());
      rest_is_payload = true;
      break;
    case RecordType::kMoveTask:
      r->task_id = std::string(in.LengthPrefixed());
      r->destination = std::string(in.LengthPrefixed());
      r->rate = in.Varint64();
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      r->to_move = in.Varint64();
      r->moved = in.Varint64();
      r->state = in.Byte();
      r->failure = std::string(in.LengthPrefixed());
      break;
    case RecordType::kCheckpointDedup:
      r->dedup_id = std::string(in.LengthPrefixed());
      GetId(in, &r->message_id);
      r->seq = in.Varint64();
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      break;
    case RecordType::kReceive:
      r->seq = in.Varint64();
      r->receive_count = static_cast<uint32_t>(in.Varint64());
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      r->visible_at_ms = static_cast<int64_t>(in.Fixed64());
      break;
    case RecordType::kChangeVisibility:
      r->seq = in.Varint64();
      r->receive_count = static_cast<uint32_t>(in.Varint64());
      r->visible_at_ms = static_cast<int64_t>(in.Fixed64());
      break;
    case RecordType::kDelete:
      r->seq = in.Varint64();
      break;
    case RecordType::kPurge:
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      break;
    case RecordType::kRelocate:
      r->seq = in.Varint64();
      rest_is_payload = true;
      break;
    case RecordType::kCheckpointMessage:
      r->seq = in.Varint64();
      GetId(in, &r->message_id);
      r->time_ms = static_cast<int64_t>(in.Fixed64());
      r->visible_at_ms = static_cast<int64_t>(in.Fixed64());
      r->first_receive_ms = static_cast<int64_t>(in.Fixed64());
      r->receive_count = static_cast<uint32_t>(in.Varint64());
      r->state = in.Byte();
      r->lsn = in.Fixed64();
      r->name = std::string(in.LengthPrefixed());
      if (in.ok() && !in.empty()) r->source = std::string(in.LengthPrefixed());
      break;
    case RecordType::kCheckpointQueue:
      r->seq = in.Varint64();
      r->lsn = in.Fixed64();
      break;
    case RecordType::kCheckpointEnd:
      r->seq = in.Varint64();
      r->lsn = in.Fixed64();
      break;
    default:
      return Status::Internal("unknown record type " + std::to_string(static_cast<int>(type)));
  }
  if (!in.ok()) return Status::Internal("truncated record");
  if (rest_is_payload) {
    r->payload = in.rest();
  } else if (!in.empty()) {
    return Status::Internal("trailing bytes in record");
  }
  return Status::Ok();
}

}  // namespace ferry::storage
