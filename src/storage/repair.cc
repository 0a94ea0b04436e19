#include "storage/repair.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "common/coding.h"
#include "common/crc32c.h"
#include "storage/log_reader.h"
#include "storage/manifest.h"
#include "storage/record.h"
#include "storage/record_frame.h"

namespace ferry::storage {
namespace {

constexpr size_t kNone = std::string_view::npos;
constexpr size_t kMaxPadding = kRecordHeaderSize + kMaxRecordPayload;

bool AllZero(std::string_view s) { return s.find_first_not_of('\0') == kNone; }

Status Errno(std::string_view what, const std::string& path) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status SyncDir(FileOps& ops, const std::string& dir) {
  return ops.SyncDir(dir) == 0 ? Status::Ok() : Errno("fsync", dir);
}

// Writes `data` to `path` (created or truncated) and syncs it.
Status WriteSynced(FileOps& ops, const std::string& path, std::string_view data) {
  int fd = ops.Create(path);
  if (fd < 0) return Errno("create", path);
  Status st = PwriteAll(ops, fd, data, 0, path);
  if (st.ok() && ops.Fsync(fd) != 0) st = Errno("fsync", path);
  ops.Close(fd);
  return st;
}

// Replaces `dir/name` with `data`, atomically.
Status Replace(FileOps& ops, const std::string& dir, const std::string& name,
               std::string_view data) {
  const std::string path = dir + "/" + name;
  const std::string tmp = path + ".repair.tmp";
  FERRY_RETURN_IF_ERROR(WriteSynced(ops, tmp, data));
  if (ops.Rename(tmp, path) != 0) return Errno("rename", tmp);
  return SyncDir(ops, dir);
}

// Covers [off, off + len) of a segment with padding records (len is at
// least a record header).
void PutPadding(std::string* seg, size_t off, size_t len) {
  while (len > 0) {
    size_t piece = std::min(len, kMaxPadding);
    if (len - piece != 0 && len - piece < kRecordHeaderSize) piece = len - kRecordHeaderSize;
    char* p = seg->data() + off;
    std::memset(p, 0, piece);
    p[8] = static_cast<char>(RecordType::kPadding);
    std::string header;
    PutFixed32(&header, static_cast<uint32_t>(piece - kRecordHeaderSize));
    std::memcpy(p + 4, header.data(), 4);
    header.clear();
    PutFixed32(&header, Crc32cExtend(0, p + 8, piece - kRecordHeaderSize + 1));
    std::memcpy(p, header.data(), 4);
    off += piece;
    len -= piece;
  }
}

// The records whose headers and payloads still decode in d[begin, end),
// read one after the other from `begin` for as long as they do.
std::vector<DamagedRecord> DecodeDamaged(std::string_view d, size_t begin, size_t end) {
  std::vector<DamagedRecord> out;
  size_t q = begin;
  while (true) {
    // The span's records fail their checksums (else they would not be in
    // it); what counts is that a header of a known type frames a payload.
    const RecordFrame frame = DecodeRecordFrame(d.substr(0, end), q);
    if (frame.size == 0 || !IsKnownRecordType(frame.type_byte)) break;
    const RecordType type = frame.type();
    Record r;
    if (type == RecordType::kPadding || !DecodeRecordPayload(type, frame.payload, &r).ok()) {
      break;
    }
    DamagedRecord dr;
    dr.offset = static_cast<uint32_t>(q);
    dr.type = static_cast<RecordType>(frame.type_byte & ~kSealedBodyFlag);
    dr.queue_id = QueueIdOf(r);
    dr.seq = MessageSeqOf(r);
    if (const SentMessage* m = SentMessageOf(r)) dr.message_id = m->message_id;
    out.push_back(dr);
    q += frame.size;
  }
  return out;
}

void Skip(LogRepair* out, SkippedSpan span) {
  const Lsn first = MakeLsn(span.segment, span.offset);
  const Lsn end = span.kind == SkippedSpan::Kind::kMissingSegment ? MakeLsn(span.segment + 1, 0)
                                                                  : first + span.length;
  out->lost.emplace_back(first, end);
  out->skipped.push_back(std::move(span));
}

// Maps one segment's bytes; fills `fixed` with what they become and returns
// whether that differs from `data`.
bool RepairSegment(uint64_t seg, std::string_view data, std::string* fixed, LogRepair* out) {
  *fixed = std::string(data);
  bool changed = false;
  if (!GoodSegmentHeader(data)) {
    if (fixed->size() < kSegmentHeaderSize) fixed->resize(kSegmentHeaderSize, '\0');
    fixed->replace(0, kSegmentHeaderSize, SegmentHeader());
    Skip(out, {SkippedSpan::Kind::kBadHeader, seg, 0, kSegmentHeaderSize, {}});
    changed = true;
  }
  size_t off = kSegmentHeaderSize;
  while (off < data.size()) {
    if (const size_t n = WholeRecordAt(data, off); n != 0) {
      off += n;
      continue;
    }
    if (AllZero(data.substr(off))) break;
    size_t next = NextWholeRecord(data, off + 1);
    // A "record" inside the first header's length cannot be one: the
    // damaged bytes were a record themselves.
    while (next != kNone && next - off < kRecordHeaderSize) next = NextWholeRecord(data, next + 1);
    changed = true;
    if (next == kNone) {
      const size_t last = data.find_last_not_of('\0');
      Skip(out, {SkippedSpan::Kind::kTail, seg, static_cast<uint32_t>(off), last + 1 - off,
                 DecodeDamaged(data, off, data.size())});
      std::fill(fixed->begin() + static_cast<std::ptrdiff_t>(off), fixed->end(), '\0');
      break;
    }
    Skip(out, {SkippedSpan::Kind::kDamaged, seg, static_cast<uint32_t>(off), next - off,
               DecodeDamaged(data, off, next)});
    PutPadding(fixed, off, next - off);
    off = next;
  }
  return changed;
}

// An empty segment: a header, zeros up to `size`.
std::string EmptySegment(size_t size) {
  std::string s = SegmentHeader();
  if (size > s.size()) s.resize(size, '\0');
  return s;
}

}  // namespace

Result<std::string> KeepOriginal(const std::string& dir, const std::string& name,
                                 std::string_view data, FileOps& ops) {
  const std::string lost = dir + "/lost";
  if (ops.CreateDir(lost) != 0) {
    return Status::Unavailable("cannot create " + lost + ": " + std::strerror(errno));
  }
  std::string kept = name;
  uint64_t size = 0;
  for (int i = 1; ops.FileSize(lost + "/" + kept, &size) == 0; ++i) {
    kept = name + "." + std::to_string(i);
  }
  FERRY_RETURN_IF_ERROR(WriteSynced(ops, lost + "/" + kept, data));
  FERRY_RETURN_IF_ERROR(SyncDir(ops, lost));
  FERRY_RETURN_IF_ERROR(SyncDir(ops, dir));
  return "lost/" + kept;
}

const char* RecordTypeName(RecordType type) {
  switch (type) {
    case RecordType::kCreateQueue:
      return "CreateQueue";
    case RecordType::kSetSettings:
      return "SetSettings";
    case RecordType::kSetTags:
      return "SetTags";
    case RecordType::kDeleteQueue:
      return "DeleteQueue";
    case RecordType::kSend:
      return "Send";
    case RecordType::kReceive:
      return "Receive";
    case RecordType::kChangeVisibility:
      return "ChangeVisibility";
    case RecordType::kDelete:
      return "Delete";
    case RecordType::kPurge:
      return "Purge";
    case RecordType::kRelocate:
      return "Relocate";
    case RecordType::kCheckpointMessage:
      return "CheckpointMessage";
    case RecordType::kCheckpointQueue:
      return "CheckpointQueue";
    case RecordType::kCheckpointEnd:
      return "CheckpointEnd";
    case RecordType::kSendMoved:
      return "SendMoved";
    case RecordType::kMoveTask:
      return "MoveTask";
    case RecordType::kSendDeadLetter:
      return "SendDeadLetter";
    case RecordType::kSendFifo:
      return "SendFifo";
    case RecordType::kCheckpointDedup:
      return "CheckpointDedup";
    case RecordType::kPadding:
      return "Padding";
    case RecordType::kCatalogEntry:
      return "CatalogEntry";
    case RecordType::kJourneyEvent:
      return "JourneyEvent";
  }
  return "unknown";
}

Result<LogRepair> RepairLog(const std::string& dir, Lsn from, bool dry_run, FileOps& ops) {
  LogRepair out;
  const std::vector<uint64_t> segments = ListSegments(dir, ops);
  const std::set<uint64_t> present(segments.begin(), segments.end());
  auto manifest = ReadManifest(dir, ops);
  const bool manifest_damaged = !manifest.ok();
  uint64_t newest = segments.empty() ? 0 : segments.back();
  if (!manifest_damaged && manifest->has_value()) newest = std::max(newest, **manifest);
  const std::string manifest_path = dir + "/" + std::string(kManifestFile);
  if (manifest_damaged) {
    out.actions.push_back(manifest.status().message() + ": it is replaced");
    if (!dry_run) {
      auto original = ReadWholeFile(manifest_path, ops);
      if (original.ok()) {
        auto kept = KeepOriginal(dir, std::string(kManifestFile), *original, ops);
        if (!kept.ok()) return kept.status();
        out.actions.push_back("kept the damaged manifest as " + *kept);
      }
    }
  }
  if (newest == 0) {
    if (manifest_damaged && !dry_run) ops.Unlink(manifest_path);
    out.changed = manifest_damaged;
    return out;
  }

  // Recovery reads every segment from the replay point (without a
  // checkpoint: from the first, which Ferry deletes only after one) to the
  // newest. Those missing get an empty stand-in, and their records are lost.
  const uint64_t first = from > 0 ? SegmentOf(from) : 1;
  bool newest_changed = false;
  size_t segment_size = kSegmentHeaderSize;
  for (uint64_t seg = first; seg <= newest; ++seg) {
    if (present.count(seg)) continue;
    Skip(&out, {SkippedSpan::Kind::kMissingSegment, seg, 0, 0, {}});
    out.actions.push_back("created an empty " + SegmentFileName(seg) + " for the missing one");
    if (seg == newest) newest_changed = true;
    if (!dry_run) FERRY_RETURN_IF_ERROR(Replace(ops, dir, SegmentFileName(seg), EmptySegment(0)));
  }

  for (uint64_t seg : segments) {
    const std::string name = SegmentFileName(seg);
    auto data = ReadWholeFile(dir + "/" + name, ops);
    if (!data.ok()) return data.status();
    segment_size = std::max(segment_size, data->size());
    std::string fixed;
    if (!RepairSegment(seg, *data, &fixed, &out)) continue;
    if (seg == newest) newest_changed = true;
    if (dry_run) {
      out.actions.push_back("would rewrite " + name + ", keeping its original in lost/");
      continue;
    }
    auto kept = KeepOriginal(dir, name, *data, ops);
    if (!kept.ok()) return kept.status();
    FERRY_RETURN_IF_ERROR(Replace(ops, dir, name, fixed));
    out.actions.push_back("rewrote " + name + " without its damaged bytes (original kept as " +
                          *kept + ")");
  }

  uint64_t final_newest = newest;
  if (newest_changed) {
    // Damage at the end of the log may have taken records a checkpoint names
    // the LSNs of; new records start in a segment of their own.
    final_newest = newest + 1;
    out.actions.push_back("created an empty " + SegmentFileName(final_newest) + " for new records");
    if (!dry_run) {
      FERRY_RETURN_IF_ERROR(
          Replace(ops, dir, SegmentFileName(final_newest), EmptySegment(segment_size)));
    }
  }
  const bool manifest_stale =
      manifest_damaged || !manifest->has_value() || **manifest != final_newest;
  if (manifest_stale && !dry_run) {
    FERRY_RETURN_IF_ERROR(WriteManifest(ops, dir, final_newest));
  }
  out.changed = manifest_damaged || !out.skipped.empty();
  return out;
}

}  // namespace ferry::storage
