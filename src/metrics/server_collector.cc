#include "metrics/server_collector.h"

#include <filesystem>
#include <system_error>

#include "metrics/families.h"
#include "storage/checkpoint.h"

namespace ferry::metrics {
namespace {

using prometheus::MetricType;

void Single(std::vector<prometheus::MetricFamily>& out, const char* name, const char* help,
            MetricType type, double value, Labels labels = {}) {
  out.push_back(Family(name, help, type));
  AddSample(out.back(), std::move(labels), value);
}

}  // namespace

ServerCollector::ServerCollector(ServerSources sources) : sources_(std::move(sources)) {}

std::vector<prometheus::MetricFamily> ServerCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  Single(out, "ferry_build_info", "Always 1; the version label says which Ferry is running.",
         MetricType::Gauge, 1, {{"version", sources_.version}});
  Single(out, "ferry_start_time_seconds", "Unix time at which the server process started.",
         MetricType::Gauge, sources_.start_time_seconds);
  if (sources_.recovery_seconds >= 0) {
    Single(out, "ferry_recovery_duration_seconds",
           "How long opening the store took at start: checkpoint load and log replay.",
           MetricType::Gauge, sources_.recovery_seconds);
  }
  if (sources_.open_connections) {
    Single(out, "ferry_http_open_connections", "HTTP connections open on the API listeners.",
           MetricType::Gauge, double(sources_.open_connections()));
  }
  if (sources_.compaction) {
    const engine::CompactionStats c = sources_.compaction();
    Single(out, "ferry_compaction_segments_examined_total", "Log segments compaction looked at.",
           MetricType::Counter, double(c.segments_examined));
    Single(out, "ferry_compaction_segments_compacted_total",
           "Log segments compaction emptied by re-appending their live messages.",
           MetricType::Counter, double(c.segments_compacted));
    Single(out, "ferry_compaction_bodies_relocated_total",
           "Message bodies compaction re-appended to the head of the log.", MetricType::Counter,
           double(c.bodies_relocated));
    Single(out, "ferry_compaction_worst_pause_seconds",
           "The longest time compaction held one queue's lock since the start.", MetricType::Gauge,
           std::chrono::duration<double>(c.worst_pause).count());
  }
  if (const storage::LogProbe* probe = sources_.log_probe) {
    out.push_back(Family("ferry_log_batch_records",
                         "Records per group commit: one write and one fdatasync for all of them.",
                         MetricType::Histogram));
    AddHistogram(out.back(), {}, probe->batch_records.Read(), 1);
    out.push_back(
        Family("ferry_log_batch_bytes", "Bytes written per group commit.", MetricType::Histogram));
    AddHistogram(out.back(), {}, probe->batch_bytes.Read(), 1);
    out.push_back(Family("ferry_log_fsync_duration_seconds",
                         "Time of the fdatasync calls that made one batch durable.",
                         MetricType::Histogram));
    AddHistogram(out.back(), {}, probe->sync_ns.Read(), 1e9);
  }
  if (!sources_.data_dir.empty()) CollectStore(out);
  return out;
}

void ServerCollector::CollectStore(std::vector<prometheus::MetricFamily>& out) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t log_bytes = 0;
  uint64_t segments = 0;
  for (fs::directory_iterator it(sources_.data_dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".wal") continue;
    std::error_code size_ec;
    const uintmax_t size = it->file_size(size_ec);
    if (size_ec) continue;  // removed by the maintainer since the listing
    log_bytes += size;
    ++segments;
  }
  Single(out, "ferry_log_bytes", "Bytes of the write-ahead log's segment files on disk.",
         MetricType::Gauge, double(log_bytes));
  Single(out, "ferry_log_segments", "Segment files of the write-ahead log on disk.",
         MetricType::Gauge, double(segments));
  std::error_code ckp_ec;
  const uintmax_t checkpoint = fs::file_size(storage::CheckpointPath(sources_.data_dir), ckp_ec);
  Single(out, "ferry_checkpoint_bytes", "Bytes of the newest checkpoint file (0: none yet).",
         MetricType::Gauge, ckp_ec ? 0.0 : double(checkpoint));
  const fs::space_info space = fs::space(sources_.data_dir, ec);
  if (!ec) {
    Single(out, "ferry_data_dir_free_bytes",
           "Bytes available to Ferry on the data directory's file system.", MetricType::Gauge,
           double(space.available));
    Single(out, "ferry_data_dir_size_bytes", "Total bytes of the data directory's file system.",
           MetricType::Gauge, double(space.capacity));
  }
}

}  // namespace ferry::metrics
