// The log's manifest: where the log ends, at segment granularity.
//
// Segments are numbered without gaps, and recovery notices a missing one in
// the middle by the gap; the newest segments leave no gap behind when they
// go. The manifest names the newest segment created, so that recovery can
// tell "the log ends here" from "the end of the log is gone". Its format is
// in log_format.h (kManifestFile).
//
// Thread-safety: the functions are for one thread at a time per directory
// (the log's writer thread, recovery, `ferry repair`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "storage/file_ops.h"

namespace ferry::storage {

// The newest segment the manifest in `dir` names; nullopt when there is no
// manifest (a new directory, or one written before manifests existed).
// kInternal when the file is there but damaged.
Result<std::optional<uint64_t>> ReadManifest(const std::string& dir,
                                             FileOps& ops = FileOps::Default());

// Replaces the manifest so that it names `newest`: written to a temporary
// file, synced, renamed into place and the directory synced, so that a crash
// leaves the old manifest or the new one. kUnavailable when the disk fails,
// and then *err (when given) is the errno, so that a caller can tell a full
// disk (ENOSPC) from a failing one; a failed attempt leaves no temporary file.
Status WriteManifest(FileOps& ops, const std::string& dir, uint64_t newest, int* err = nullptr);

}  // namespace ferry::storage
