#include "app/serve_engine.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "app/engine_config.h"
#include "app/master_key.h"
#include "engine/local_engine.h"
#include "storage/dir_lock.h"
#include "storage/log_probe.h"
#ifdef FERRY_WITH_POSTGRES
#include "engine/postgres/postgres_engine.h"
#endif

namespace ferry::app {
namespace {

// Runs LocalEngine::Maintain (checkpoints, segment deletion) once a second on
// its own thread: it blocks on disk I/O, which request threads never do.
class Maintainer {
 public:
  explicit Maintainer(engine::LocalEngine& engine)
      : thread_([this, &engine] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
            lock.unlock();
            Status st = engine.Maintain();
            if (!st.ok()) spdlog::warn("store maintenance: {}", st.message());
            lock.lock();
          }
        }) {}
  ~Maintainer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// The embedded store: in --data-dir (locked: one server per directory) or,
// with --in-memory, nowhere.
class LocalServeEngine final : public ServeEngine {
 public:
  static Result<std::unique_ptr<ServeEngine>> Open(const ServeConfig& config, const Clock& clock) {
    std::error_code fs_ec;
    std::filesystem::create_directories(config.data_dir, fs_ec);
    if (fs_ec) {
      return Status::Unavailable("cannot create data directory " + config.data_dir + ": " +
                                 fs_ec.message());
    }
    // Held until the server stops: one server per data directory.
    auto dir_lock = storage::DirLock::Acquire(config.data_dir);
    if (!dir_lock.ok()) return dir_lock.status();
    auto out =
        std::unique_ptr<LocalServeEngine>(new LocalServeEngine(config, std::move(*dir_lock)));
    if (config.in_memory) {
      out->engine_ = std::make_unique<engine::LocalEngine>(clock, engine::NewMemoryBodyStore());
    } else {
      engine::DurableOptions opts;
      opts.dir = config.data_dir;
      opts.fsync =
          config.fsync == "never" ? storage::FsyncMode::kNever : storage::FsyncMode::kAlways;
      opts.checkpoint_bytes = config.checkpoint_mb << 20;
      opts.segment_bytes = config.segment_mb << 20;
      opts.master_key_file = MasterKeyFileFor(config.data_dir, config.master_key_file);
      opts.log_probe = &out->log_probe_;
      engine::RecoveryReport report;
      auto start = std::chrono::steady_clock::now();
      auto opened = engine::LocalEngine::OpenDurable(clock, opts, &report);
      if (!opened.ok()) {
        return Status(opened.status().code(), "cannot open the store in " + config.data_dir + ": " +
                                                  opened.status().message());
      }
      out->engine_ = std::move(*opened);
      const auto took = std::chrono::steady_clock::now() - start;
      out->recovery_s_ = std::chrono::duration<double>(took).count();
      spdlog::info("recovered {} queues and {} messages ({} log records{}) in {} ms", report.queues,
                   report.messages, report.log_records,
                   report.from_checkpoint ? ", from a checkpoint" : "",
                   std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
      out->maintainer_.emplace(*out->engine_);
    }
    return std::unique_ptr<ServeEngine>(std::move(out));
  }

  engine::Engine& engine() override { return *engine_; }
  std::string kind() const override { return "local"; }
  std::string where() const override { return "data " + data_dir_; }
  std::string data_dir() const override { return data_dir_; }

  void AddMetricSources(metrics::ServerSources& sources) const override {
    sources.recovery_seconds = recovery_s_;
    sources.data_dir = in_memory_ ? std::string() : data_dir_;
    sources.compaction = [engine = engine_.get()] { return engine->compaction_stats(); };
    sources.log_probe = in_memory_ ? nullptr : &log_probe_;
  }

  void LogSummary() const override {
    if (const engine::CompactionStats c = engine_->compaction_stats(); c.segments_examined > 0) {
      spdlog::info(
          "compaction: {} segments examined, {} compacted, {} bodies moved; longest queue pause "
          "{} us",
          c.segments_examined, c.segments_compacted, c.bodies_relocated,
          std::chrono::duration_cast<std::chrono::microseconds>(c.worst_pause).count());
    }
  }

 private:
  LocalServeEngine(const ServeConfig& config, storage::DirLock lock)
      : data_dir_(config.data_dir), in_memory_(config.in_memory), dir_lock_(std::move(lock)) {}

  const std::string data_dir_;
  const bool in_memory_;
  storage::DirLock dir_lock_;
  // Group commit's measurements, and the time recovery took (-1: none):
  // metrics read them (docs/metrics.md).
  storage::LogProbe log_probe_;
  double recovery_s_ = -1;
  // Declared after the engine it maintains, so it is joined first.
  std::unique_ptr<engine::LocalEngine> engine_;
  std::optional<Maintainer> maintainer_;
};

#ifdef FERRY_WITH_POSTGRES
// A PostgreSQL database that several nodes share: nothing of it is local.
class PostgresServeEngine final : public ServeEngine {
 public:
  PostgresServeEngine(std::unique_ptr<engine::Engine> engine, std::string target)
      : engine_(std::move(engine)), target_(std::move(target)) {}

  engine::Engine& engine() override { return *engine_; }
  std::string kind() const override { return "postgres"; }
  std::string where() const override { return "engine postgres " + target_; }

 private:
  std::unique_ptr<engine::Engine> engine_;
  const std::string target_;  // host:port/dbname, never a password
};
#endif

Result<std::unique_ptr<ServeEngine>> OpenPostgres(const ServeConfig& config, const Clock& clock) {
  const std::string target = PostgresTarget(config.postgres_url);
#ifdef FERRY_WITH_POSTGRES
  auto start = std::chrono::steady_clock::now();
  auto opened = engine::OpenPostgresEngine(
      clock, engine::PostgresOptions{
                 .url = config.postgres_url,
                 .pool_size = config.postgres_pool,
                 .statement_timeout = std::chrono::seconds(config.postgres_statement_timeout_s)});
  if (!opened.ok()) {
    const Status& st = opened.status();
    if (st.code() == Code::kFailedPrecondition) {
      return Status::FailedPrecondition(
          "the database " + target + " has a schema newer than this Ferry's (version " +
          std::to_string(engine::PostgresSchemaVersion()) +
          "): a newer Ferry migrated it; run that version: " + st.message());
    }
    return Status(st.code(), "cannot open the database " + target + ": " + st.message());
  }
  spdlog::info("connected to PostgreSQL {} (schema version {}, {} connections) in {} ms", target,
               engine::PostgresSchemaVersion(), config.postgres_pool,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count());
  return std::unique_ptr<ServeEngine>(
      std::make_unique<PostgresServeEngine>(std::move(*opened), target));
#else
  (void)clock;
  return Status::FailedPrecondition("cannot use the database " + target +
                                    ": this build of Ferry has no PostgreSQL engine (it was built "
                                    "without libpq: apt-get install libpq-dev, then rebuild)");
#endif
}

}  // namespace

Result<std::unique_ptr<ServeEngine>> ServeEngine::Open(const ServeConfig& config,
                                                       const Clock& clock) {
  if (config.engine == "postgres") return OpenPostgres(config, clock);
  return LocalServeEngine::Open(config, clock);
}

}  // namespace ferry::app
