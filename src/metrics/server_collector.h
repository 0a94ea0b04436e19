// ServerCollector: server-wide gauges and counters read at scrape time:
// build and start time, recovery time, open HTTP connections, the store on
// disk (log segments, checkpoint, the data directory's file system), group
// commit (records and bytes per batch, fdatasync time) and segment
// compaction. Each source is a function the server wires in, so
// this module needs nothing of how they are kept; a source left empty
// exports nothing (an in-memory server has no store).
//
// Thread-safety: Collect runs on any thread, concurrently; the sources must
// be thread-safe and outlive the collector. The store's sizes are read from
// the directory listing (a few dozen files), never from the log's writer.
#pragma once

#include <prometheus/collectable.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "storage/log_probe.h"

namespace ferry::metrics {

struct ServerSources {
  std::string version{};
  double start_time_seconds = 0;  // Unix time the process started
  // How long opening the store (replaying the log) took; < 0: not measured
  // (an in-memory server).
  double recovery_seconds = -1;
  // The data directory: the log's *.wal segments, the checkpoint, and the
  // file system's free and total bytes. Empty: no store on disk.
  std::string data_dir{};
  std::function<size_t()> open_connections{};
  std::function<engine::CompactionStats()> compaction{};
  // The log writer's group-commit measurements; null: none.
  const storage::LogProbe* log_probe = nullptr;
};

class ServerCollector final : public prometheus::Collectable {
 public:
  explicit ServerCollector(ServerSources sources);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  void CollectStore(std::vector<prometheus::MetricFamily>& out) const;

  const ServerSources sources_;
};

}  // namespace ferry::metrics
