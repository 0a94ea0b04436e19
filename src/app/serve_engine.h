// The engine `ferry serve` runs on, opened from its configuration
// (--engine; docs/scale-out.md). What only the local engine has stays in
// here: its data directory's lock, the recovery report, the maintenance
// thread (checkpoints, compaction, segment deletion), the log's group-commit
// probe and the compaction figures. The rest of the server sees
// engine::Engine alone, the same for both engines.
//
// Lifecycle: Open before anything serves; destroy after every user of
// engine() has stopped (the maintenance thread is joined first).
// Thread-safety: engine() is as engine::Engine; the rest is read-only after
// Open.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "common/clock.h"
#include "common/status.h"
#include "engine/engine.h"
#include "metrics/server_collector.h"

namespace ferry::app {

class ServeEngine {
 public:
  // Opens the engine `config` names (EngineConfigRefusal has passed):
  // local, the store in --data-dir (created and locked) or in memory;
  // postgres, the database of --postgres-url, its schema migrated.
  // Errors, as the message to print before exiting 1: the data directory
  // cannot be made, is locked or does not recover; the database cannot be
  // reached, or its schema is newer than this build's; a build without the
  // PostgreSQL engine.
  static Result<std::unique_ptr<ServeEngine>> Open(const ServeConfig& config, const Clock& clock);

  virtual ~ServeEngine() = default;

  virtual engine::Engine& engine() = 0;
  // "local" or "postgres" (GetServerStatus's Engine).
  virtual std::string kind() const = 0;
  // Where the data is, for the startup line: "data ./ferry-data" (also in
  // memory, as always), "engine postgres db.example:5432/ferry" (never a
  // password).
  virtual std::string where() const = 0;
  // The data directory the server's files are in; empty when none.
  virtual std::string data_dir() const { return {}; }
  // Fills what the engine has of `sources` (recovery time, data directory,
  // compaction, the log's probe); the postgres engine has none of them.
  virtual void AddMetricSources(metrics::ServerSources& sources) const {}
  // Logs what the engine did while serving (compaction), at the stop.
  virtual void LogSummary() const {}
};

}  // namespace ferry::app
