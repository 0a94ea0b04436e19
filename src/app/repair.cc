#include "app/repair.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "app/master_key.h"
#include "common/clock.h"
#include "engine/local_engine.h"
#include "storage/checkpoint.h"
#include "storage/dir_lock.h"
#include "storage/log_reader.h"
#include "storage/repair.h"

namespace ferry::app {
namespace {

const char* KindText(storage::SkippedSpan::Kind kind) {
  switch (kind) {
    case storage::SkippedSpan::Kind::kDamaged: return "damaged bytes between whole records";
    case storage::SkippedSpan::Kind::kTail: return "damaged bytes after the last whole record";
    case storage::SkippedSpan::Kind::kBadHeader: return "a damaged segment header";
    case storage::SkippedSpan::Kind::kMissingSegment: return "a missing segment";
  }
  return "";
}

void PrintSpan(const storage::SkippedSpan& span) {
  const std::string file = storage::SegmentFileName(span.segment);
  if (span.kind == storage::SkippedSpan::Kind::kMissingSegment) {
    std::printf("skipped %s: %s; every record it held is lost\n", file.c_str(),
                KindText(span.kind));
    return;
  }
  std::printf("skipped %s offset %u length %llu: %s\n", file.c_str(), span.offset,
              static_cast<unsigned long long>(span.length), KindText(span.kind));
  if (span.records.empty() && span.kind != storage::SkippedSpan::Kind::kBadHeader) {
    std::printf("    no record in it can be decoded\n");
  }
  for (const storage::DamagedRecord& r : span.records) {
    std::printf("    offset %u: %s record of queue %016llx", r.offset, storage::RecordTypeName(r.type),
                static_cast<unsigned long long>(r.queue_id));
    if (r.seq != 0) std::printf(", sequence %llu", static_cast<unsigned long long>(r.seq));
    if (r.message_id) std::printf(", message %s", engine::FormatMessageId(*r.message_id).c_str());
    std::printf(" (decoded from bytes that fail their checksum)\n");
  }
}

// The checkpoint's replay point; a damaged checkpoint is set aside (kept in
// lost/) and the log replayed from its start.
Result<storage::Lsn> ReplayPoint(const RepairConfig& config, bool* changed) {
  auto point = storage::CheckpointReplayPoint(config.data_dir);
  if (point.ok()) return point->value_or(0);
  std::printf("skipped checkpoint: %s; the state is rebuilt from the log alone, without what "
              "only the checkpoint held\n",
              point.status().message().c_str());
  *changed = true;
  if (config.dry_run) return storage::Lsn{0};
  const std::string path = storage::CheckpointPath(config.data_dir);
  auto data = storage::ReadWholeFile(path);
  if (!data.ok()) return data.status();
  auto kept = storage::KeepOriginal(config.data_dir, std::string(storage::kCheckpointFile), *data);
  if (!kept.ok()) return kept.status();
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return Status::Unavailable("cannot remove " + path + ": " + ec.message());
  std::printf("moved the checkpoint to %s\n", kept->c_str());
  return storage::Lsn{0};
}

}  // namespace

int RunRepair(const RepairConfig& config) {
  if (!std::filesystem::is_directory(config.data_dir)) {
    std::fprintf(stderr, "ferry repair: %s is not a directory\n", config.data_dir.c_str());
    return kRepairFailed;
  }
  auto lock = storage::DirLock::Acquire(config.data_dir);
  if (!lock.ok()) {
    std::fprintf(stderr, "ferry repair: %s\n", lock.status().message().c_str());
    return kRepairFailed;
  }
  std::printf("ferry repair%s: %s\n", config.dry_run ? " (dry run: nothing is changed)" : "",
              config.data_dir.c_str());
  bool changed = false;
  auto from = ReplayPoint(config, &changed);
  if (!from.ok()) {
    std::fprintf(stderr, "ferry repair: %s\n", from.status().message().c_str());
    return kRepairFailed;
  }
  auto log = storage::RepairLog(config.data_dir, *from, config.dry_run);
  if (!log.ok()) {
    std::fprintf(stderr, "ferry repair: %s\n", log.status().message().c_str());
    return kRepairFailed;
  }
  changed = changed || log->changed;
  for (const storage::SkippedSpan& span : log->skipped) PrintSpan(span);
  for (const std::string& action : log->actions) std::printf("%s\n", action.c_str());
  if (config.dry_run) {
    std::printf("%s\n", changed ? "damage found (run without --dry-run to repair it)"
                                : "no damage found in the log");
    return changed ? kRepairRepaired : kRepairClean;
  }

  SystemClock clock;
  engine::DurableOptions opts;
  opts.dir = config.data_dir;
  opts.master_key_file = MasterKeyFileFor(config.data_dir, "");
  opts.salvage = true;
  opts.lost = log->lost;
  {
    engine::RecoveryReport report;
    auto salvaged = engine::LocalEngine::OpenDurable(clock, opts, &report);
    if (!salvaged.ok()) {
      std::fprintf(stderr, "ferry repair: recovery still fails: %s\n",
                   salvaged.status().message().c_str());
      return kRepairFailed;
    }
    for (const engine::LostMessage& m : report.lost_messages) {
      std::printf("deleted message %s of queue %s (sequence %llu): its body at %s offset %u "
                  "was lost\n",
                  engine::FormatMessageId(m.message_id).c_str(), m.queue.c_str(),
                  static_cast<unsigned long long>(m.seq),
                  storage::SegmentFileName(storage::SegmentOf(m.body)).c_str(),
                  storage::OffsetOf(m.body));
    }
    changed = changed || !report.lost_messages.empty();
  }
  // The proof: an ordinary recovery, as `ferry serve` runs it.
  opts.salvage = false;
  opts.lost.clear();
  engine::RecoveryReport report;
  auto check = engine::LocalEngine::OpenDurable(clock, opts, &report);
  if (!check.ok()) {
    std::fprintf(stderr, "ferry repair: the directory still does not start: %s\n",
                 check.status().message().c_str());
    return kRepairFailed;
  }
  std::printf("%s: %llu queues and %llu messages recovered\n",
              changed ? "repaired" : "no damage found",
              static_cast<unsigned long long>(report.queues),
              static_cast<unsigned long long>(report.messages));
  return changed ? kRepairRepaired : kRepairClean;
}

}  // namespace ferry::app
