// The declarative resources file (docs/resources.md): queues, topics and
// subscriptions declared in YAML, applied idempotently and in dependency
// order (a dead-letter queue before the queues that name it, a queue before
// the subscriptions that deliver to it) through an api::ActionInvoker, so the
// same code applies a file inside the server (at start, on SIGHUP) and
// against a running server (`ferry apply FILE`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/invoker.h"
#include "common/status.h"

namespace ferry::resources {

// One thing Apply did or would do.
struct Change {
  enum class Kind { kCreated, kUpdated, kUnchanged, kFailed };
  Kind kind = Kind::kUnchanged;
  std::string resource;  // "queue orders-dlq", "topic orders", "subscription orders -> inventory"
  std::string detail;    // what changed ("VisibilityTimeout 30 -> 60"), or the error
};

struct ApplyReport {
  std::vector<Change> changes;
  bool ok() const;              // no kFailed change
  std::string Summary() const;  // "2 created, 1 updated, 5 unchanged, 0 failed"
};

struct ApplyOptions {
  bool dry_run = false;  // plan only: report what would change, change nothing
};

// Reads and validates the file; a file that cannot be read or parsed, or
// that declares something invalid, is an error naming the file, the line and
// the entry, and nothing is applied. Otherwise applies every declaration it
// can and reports each (a failure of one does not stop the others that do
// not depend on it).
Result<ApplyReport> ApplyFile(const std::string& path, api::ActionInvoker& invoker,
                              const ApplyOptions& options = {});

struct Spec;  // spec.h
// Applies a file already read and validated (ParseSpecFile).
ApplyReport Apply(const Spec& spec, api::ActionInvoker& invoker, const ApplyOptions& options = {});

// "created", "updated", "unchanged" or "failed".
std::string_view KindName(Change::Kind kind);

}  // namespace ferry::resources
