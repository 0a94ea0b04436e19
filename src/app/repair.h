// RunRepair: `ferry repair`, the salvage path for a data directory that
// `ferry serve` refuses to open (docs/wal_format.md, "Repair").
//
//   1. storage::RepairLog keeps every whole record of the log, covers or
//      zeroes the bytes it cannot read, stands in for missing segments, and
//      keeps the original of every file it changes in <data dir>/lost/;
//   2. a salvaging recovery (engine::DurableOptions::salvage) deletes the
//      messages whose bodies were in those bytes or in missing segments,
//      logging the deletes;
//   3. an ordinary recovery checks that the directory now starts.
// Everything skipped is printed: file, offset, length, the record types,
// queues, sequences and message ids that can still be decoded, and the
// messages whose bodies were lost.
#pragma once

#include <string>

namespace ferry::app {

struct RepairConfig {
  std::string data_dir = "./ferry-data";
  bool dry_run = false;  // report only; change nothing
};

// Exit codes of `ferry repair`.
inline constexpr int kRepairClean = 0;     // nothing damaged; nothing changed
inline constexpr int kRepairRepaired = 1;  // damage found and repaired (dry run: found)
inline constexpr int kRepairFailed = 2;    // could not repair (in use, I/O error, still refused)

int RunRepair(const RepairConfig& config);

}  // namespace ferry::app
