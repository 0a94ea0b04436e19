#include "metrics/server_collector.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir_test_util.h"
#include "metrics/exposition_test_util.h"
#include "metrics/metrics.h"

namespace ferry::metrics {
namespace {

using testing::SeriesValue;

void WriteFile(const std::string& path, size_t bytes) {
  std::ofstream(path) << std::string(bytes, 'x');
}

TEST(ServerCollectorTest, ReportsTheStoreOnDisk) {
  ferry::testing::TempDir dir;
  WriteFile(dir.file("00000000000000000001.wal"), 100);
  WriteFile(dir.file("00000000000000000002.wal"), 50);
  WriteFile(dir.file("checkpoint"), 30);
  WriteFile(dir.file("master.key"), 32);
  Metrics metrics;
  metrics.Add(std::make_shared<ServerCollector>(ServerSources{.data_dir = dir.path()}));
  const std::string text = metrics.Text();
  EXPECT_EQ(SeriesValue(text, "ferry_log_bytes"), 150);
  EXPECT_EQ(SeriesValue(text, "ferry_log_segments"), 2);
  EXPECT_EQ(SeriesValue(text, "ferry_checkpoint_bytes"), 30);
  EXPECT_GT(*SeriesValue(text, "ferry_data_dir_size_bytes"), 0);
  EXPECT_GE(*SeriesValue(text, "ferry_data_dir_free_bytes"), 0);
}

TEST(ServerCollectorTest, ReportsProcessConnectionsCompactionAndRecovery) {
  storage::LogProbe probe;
  probe.batch_records.Observe(3);
  probe.batch_records.Observe(100);
  probe.sync_ns.Observe(2'000'000);
  ServerSources sources{.version = "9.9.9",
                        .start_time_seconds = 1700000000,
                        .recovery_seconds = 0.25,
                        .open_connections = [] { return size_t{7}; },
                        .compaction =
                            [] {
                              return engine::CompactionStats{
                                  .segments_examined = 4,
                                  .segments_compacted = 1,
                                  .bodies_relocated = 12,
                                  .worst_pause = std::chrono::milliseconds(3)};
                            },
                        .log_probe = &probe};
  Metrics metrics;
  metrics.Add(std::make_shared<ServerCollector>(std::move(sources)));
  const std::string text = metrics.Text();
  EXPECT_EQ(SeriesValue(text, R"(ferry_build_info{version="9.9.9"})"), 1);
  EXPECT_EQ(SeriesValue(text, "ferry_start_time_seconds"), 1700000000);
  EXPECT_EQ(SeriesValue(text, "ferry_recovery_duration_seconds"), 0.25);
  EXPECT_EQ(SeriesValue(text, "ferry_http_open_connections"), 7);
  EXPECT_EQ(SeriesValue(text, "ferry_compaction_segments_examined_total"), 4);
  EXPECT_EQ(SeriesValue(text, "ferry_compaction_bodies_relocated_total"), 12);
  EXPECT_EQ(SeriesValue(text, "ferry_compaction_worst_pause_seconds"), 0.003);
  EXPECT_EQ(SeriesValue(text, R"(ferry_log_batch_records_bucket{le="4"})"), 1);
  EXPECT_EQ(SeriesValue(text, "ferry_log_batch_records_count"), 2);
  EXPECT_EQ(SeriesValue(text, "ferry_log_batch_records_sum"), 103);
  EXPECT_EQ(SeriesValue(text, R"(ferry_log_fsync_duration_seconds_bucket{le="0.0025"})"), 1);
  // An in-memory server: no store, no recovery.
  EXPECT_FALSE(SeriesValue(text, "ferry_log_bytes"));
}

TEST(ServerCollectorTest, AnInMemoryServerReportsNoRecoveryTime) {
  Metrics metrics;
  metrics.Add(std::make_shared<ServerCollector>(ServerSources{}));
  EXPECT_EQ(metrics.Text().find("ferry_recovery_duration_seconds"), std::string::npos);
}

}  // namespace
}  // namespace ferry::metrics
