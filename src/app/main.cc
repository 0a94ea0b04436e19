// ferry: an SQS-compatible message broker.
//   ferry serve [options]     run the server
//   ferry repair --data-dir D salvage a data directory the server refuses
//   ferry rotate-master-key --data-dir D  a new master key for encryption at rest
//   ferry queues | send | receive | peek | tail | redrive | purge | topics |
//         subscriptions | publish | status | apply   the admin CLI (docs/cli.md)
//   ferry --version | --help
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "app/alerts_command.h"
#include "app/config.h"
#include "app/engine_config.h"
#include "app/logging.h"
#include "app/master_key.h"
#include "app/repair.h"
#include "app/serve.h"
#include "cli/cli_app.h"

int main(int argc, char** argv) {
  CLI::App app{"Ferry: a durable message broker that speaks the Amazon SQS and SNS APIs."};
  app.set_version_flag("--version", std::string("ferry ") + FERRY_VERSION);
  app.require_subcommand(1);

  ferry::app::ServeConfig cfg;
  auto* serve = app.add_subcommand("serve", "Run the server.");
  serve->set_config("--config", "", "Read options from a TOML file (keys as the long flag names).");
  serve->add_option("--listen", cfg.listen, "Address to listen on.")->capture_default_str();
  serve->add_option("--port", cfg.port, "TCP port; 0 picks a free one.")->capture_default_str();
  serve->add_option("--region", cfg.region, "The server's own region: unsigned requests act in it.")
      ->capture_default_str();
  serve->add_option("--account-id", cfg.account_id, "Account id in queue URLs and ARNs.")
      ->capture_default_str();
  serve
      ->add_option("--engine", cfg.engine,
                   "local: the embedded store in --data-dir; postgres: a PostgreSQL database "
                   "that several nodes share (--postgres-url, --keys-dir; docs/scale-out.md).")
      ->check(CLI::IsMember({"local", "postgres"}))
      ->capture_default_str();
  serve->add_option("--postgres-url", cfg.postgres_url,
                    "With --engine postgres: the database, as a libpq URI "
                    "(postgresql://user:password@host:5432/dbname) or key=value string.");
  serve
      ->add_option("--postgres-pool", cfg.postgres_pool,
                   "With --engine postgres: connections the engine keeps open (one more "
                   "listens for wake-ups); keep it near --blocking-threads.")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  serve
      ->add_option("--postgres-statement-timeout", cfg.postgres_statement_timeout_s,
                   "With --engine postgres: seconds a database statement may run, lock waits "
                   "included, before the request fails with 503 (a lock held by a stuck "
                   "session, a database that stopped answering); 0: no limit.")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  serve->add_option("--keys-dir", cfg.keys_dir,
                    "Directory of the SNS signing key and certificate and the STS session key, "
                    "made there on first start; default the data directory. Required with "
                    "--engine postgres: every node must hold the same files.");
  serve->add_option("--data-dir", cfg.data_dir, "Directory of the embedded store (local engine).")
      ->capture_default_str();
  serve->add_option("--threads", cfg.threads, "I/O threads; 0 means one per core.")
      ->capture_default_str();
  serve->add_option("--blocking-threads", cfg.blocking_threads,
                    "Threads that run requests when the engine blocks on I/O (not the local "
                    "engine, which never does).")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  serve->add_option("--fsync", cfg.fsync,
                    "always: a write is acknowledged once fdatasync'd (default); "
                    "never: leave flushing to the OS (survives a process crash, not an OS crash).")
      ->check(CLI::IsMember({"always", "never"}))
      ->capture_default_str();
  serve->add_flag("--in-memory", cfg.in_memory, "Keep all state in memory; nothing survives a restart.");
  serve->add_option("--checkpoint-mb", cfg.checkpoint_mb,
                    "Write a checkpoint after this many MiB of log; bounds restart time. "
                    "0: after any write, once a second (tests).")
      ->capture_default_str();
  serve->add_option("--queue-reuse-delay", cfg.queue_reuse_delay,
                    "Seconds after DeleteQueue before a queue of the same name can be created "
                    "(QueueDeletedRecently); AWS's 60 by default, 0 to allow it at once.")
      ->check(CLI::Range(0u, 86400u))
      ->capture_default_str();
  serve->add_option("--segment-mb", cfg.segment_mb,
                    "Size of a log segment file. The data directory also keeps a spare segment "
                    "and a reserve of 1.25 segments for draining a full disk.")
      ->check(CLI::Range(4, 1024))
      ->capture_default_str();
  serve->add_option("--public-url", cfg.public_url,
                    "Base URL (scheme://host[:port]) SNS subscribers reach this server at, for "
                    "SubscribeURL, SigningCertURL and UnsubscribeURL; default "
                    "http://<listen>:<port>.");
  serve->add_option("--sns-https-ca-file", cfg.sns_https_ca_file,
                    "PEM certificates to trust, besides the system's, for SNS deliveries to "
                    "https:// endpoints (a private CA).");
  serve->add_flag("--insecure-sns-https-no-verify", cfg.sns_https_insecure,
                  "INSECURE: deliver to https:// endpoints without verifying their certificate "
                  "or host name.");
  serve->add_option("--credentials", cfg.credentials_file,
                    "TOML file of access keys, accounts and roles ([[credentials]], [[roles]]); "
                    "requests must be signed with one of its keys. Reloaded on SIGHUP.");
  serve->add_flag("--insecure-open-mode", cfg.insecure_open_mode,
                  "INSECURE: without --credentials, accept any well-formed signature even when "
                  "listening on a non-loopback address.");
  serve->add_flag("--debug-signatures", cfg.debug_signatures,
                  "Put the canonical request and string to sign in SignatureDoesNotMatch errors.");
  serve->add_option("--tls-cert", cfg.tls_cert,
                    "PEM certificate chain of the HTTPS listener (reloaded on SIGHUP).");
  serve->add_option("--tls-key", cfg.tls_key, "PEM private key of the HTTPS listener.");
  serve->add_option("--tls-port", cfg.tls_port,
                    "Port of the HTTPS listener (0 picks a free one); needs --tls-cert and "
                    "--tls-key.");
  serve->add_flag("--tls-only", cfg.tls_only, "Serve HTTPS only: no plain-HTTP listener.");
  serve->add_option("--master-key-file", cfg.master_key_file,
                    "Master key that wraps the data keys of encryption at rest (made with mode "
                    "0600 if absent); default <data-dir>/master.key; FERRY_MASTER_KEY_FILE "
                    "overrides it.");
  serve->add_option("--max-connections", cfg.max_connections, "Open connections, in all.")
      ->capture_default_str();
  serve->add_option("--max-connections-per-client", cfg.max_connections_per_client,
                    "Open connections from one client address.")
      ->capture_default_str();
  serve->add_option("--log-level", cfg.log_level, "trace, debug, info, warn, error.")
      ->capture_default_str();
  serve->add_option("--log-format", cfg.log_format,
                    "text (for people), json (JSON lines) or logfmt (for log pipelines).")
      ->check(CLI::IsMember({"text", "json", "logfmt"}))
      ->capture_default_str();
  serve->add_flag("--access-log", cfg.access_log,
                  "Log one line per API request: request id, account, action, status, latency.");
  serve->add_option("--metrics-listen", cfg.metrics_listen,
                    "host:port of a second listener serving only /metrics, /health and /ready "
                    "(default: they are served on the API port).");
  serve->add_flag("!--no-metrics", cfg.metrics, "Do not serve /metrics.");
  serve->add_option("--resources", cfg.resources_file,
                    "YAML file of queues, topics and subscriptions to create or update at start "
                    "and on SIGHUP (docs/resources.md).");
  serve->add_flag("!--no-console", cfg.console, "Do not serve the web console at /console/.");

  ferry::app::RepairConfig repair_cfg;
  auto* repair = app.add_subcommand(
      "repair",
      "Salvage a data directory that `serve` refuses to open: keep every readable record, "
      "report what is skipped, keep the originals in <data-dir>/lost/. Exit status: 0 nothing "
      "was damaged, 1 repaired (dry run: damage found), 2 could not repair.");
  repair->add_option("--data-dir", repair_cfg.data_dir, "Directory of the embedded store.")
      ->required();
  repair->add_flag("--dry-run", repair_cfg.dry_run, "Report what is damaged; change nothing.");

  ferry::app::RotateConfig rotate_cfg;
  auto* rotate = app.add_subcommand(
      "rotate-master-key",
      "With the server stopped: add a new master key version to the master key file, rewrap "
      "every data key of the data directory under it, and remove the older versions.");
  rotate->add_option("--data-dir", rotate_cfg.data_dir, "Directory of the embedded store.")
      ->required();
  rotate->add_option("--master-key-file", rotate_cfg.master_key_file,
                     "As for serve; FERRY_MASTER_KEY_FILE overrides it.");

  // `ferry alerts FILE`: the Prometheus rules of a resources file's alarms.
  std::string alerts_file;
  std::string alerts_group = "ferry-resources";
  auto* alerts = app.add_subcommand(
      "alerts",
      "Print the Prometheus alert rules of the alarms: of a resources file's queues "
      "(docs/resources.md).");
  alerts->add_option("file", alerts_file, "The resources file (YAML).")->required();
  alerts->add_option("--group", alerts_group, "The rule group's name.");

  // The admin CLI: commands that talk to a running server (src/cli).
  ferry::cli::AdminCommands admin_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return admin_commands.Exit(app, e);
  }

  if (auto status = admin_commands.RunParsed()) return *status;

  // Which engine-specific flags were given (engine_config.h refuses those of
  // the other engine); count() includes the config file's keys.
  for (const auto* flags : {&ferry::app::LocalEngineFlags(), &ferry::app::PostgresEngineFlags()}) {
    for (const std::string& flag : *flags) {
      if (serve->count(flag) > 0) cfg.engine_flags_given.push_back(flag);
    }
  }

  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (repair->parsed()) {
    // The report is the output; the engine's own log lines would repeat it.
    spdlog::set_level(spdlog::level::err);
    return ferry::app::RunRepair(repair_cfg);
  }
  if (rotate->parsed()) return ferry::app::RunRotateMasterKey(rotate_cfg);
  if (alerts->parsed()) return ferry::app::PrintAlertRules(alerts_file, alerts_group);
  // --log-format (app/logging.h); CLI11 has checked the name.
  ferry::app::ConfigureLogging(*ferry::app::ParseLogFormat(cfg.log_format),
                               spdlog::level::from_str(cfg.log_level));
  return ferry::app::RunServer(cfg);
}
