// ServeConfig: everything `ferry serve` is told by flags or its config file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ferry::app {

struct ServeConfig {
  std::string listen = "127.0.0.1";
  uint16_t port = 9324;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";

  // The engine (docs/scale-out.md): "local", the embedded store in data_dir,
  // or "postgres", a PostgreSQL database that several nodes share.
  std::string engine = "local";
  // postgres: the database, as a libpq URI or key=value string (required),
  // and the connections of the engine's pool.
  std::string postgres_url;
  int postgres_pool = 16;
  // The longest a database statement may run, lock waits included, before
  // its request fails with 503 (engine::PostgresOptions::statement_timeout);
  // 0: no limit.
  int postgres_statement_timeout_s = 30;
  // The directory of the keys a server signs and seals with: the SNS signing
  // key and its certificate, the STS session key. Empty: data_dir (local
  // engine). Required with postgres: every node must hold the same files, or
  // SigningCertURLs and temporary credentials hold on one node only.
  std::string keys_dir;
  // The engine-specific flags given explicitly (on the command line or in
  // the config file), by their long names ("--data-dir", "--postgres-url"):
  // a flag of the other engine is refused (engine_config.h).
  std::vector<std::string> engine_flags_given;

  // The local engine.
  std::string data_dir = "./ferry-data";
  unsigned threads = 0;  // 0: one per core
  // Threads that run request handlers when the engine's calls block on I/O
  // (engine::Engine::blocking()); unused by the local engine, which does not.
  unsigned blocking_threads = 16;
  std::string log_level = "info";
  std::string fsync = "always";  // "always": fdatasync before acknowledging; "never"
  bool in_memory = false;        // keep nothing on disk (tests, throwaway use)
  uint64_t checkpoint_mb = 256;  // log written between checkpoints
  // Seconds a deleted queue's name stays taken (QueueDeletedRecently); AWS: 60.
  unsigned queue_reuse_delay = 60;
  uint64_t segment_mb = 64;
  // SNS deliveries to https:// endpoints: a PEM file of certificates to
  // trust besides the system's, and the insecure switch that verifies none.
  std::string sns_https_ca_file;
  bool sns_https_insecure = false;      // size of a log segment file (and of the disk-full reserve)
  // The base URL subscribers reach this server at (scheme://host[:port]), for
  // SNS's SubscribeURL, SigningCertURL and UnsubscribeURL. Empty:
  // http://<listen>:<bound port>, with 127.0.0.1 for a wildcard address.
  std::string public_url;

  // Security (docs/security.md).
  // The TOML file of access keys, accounts and roles; empty: open mode, in
  // which any well-formed signature is accepted (loopback addresses only,
  // unless insecure_open_mode).
  std::string credentials_file;
  bool insecure_open_mode = false;  // open mode on a non-loopback address
  // SignatureDoesNotMatch answers include the canonical request and the
  // string to sign (as AWS's do), for debugging clients.
  bool debug_signatures = false;
  // The HTTPS listener: certificate chain and key (PEM), and its port
  // (0: a free one).
  std::string tls_cert;
  std::string tls_key;
  int tls_port = -1;             // -1: no HTTPS listener
  bool tls_only = false;         // no plain-HTTP listener
  // Encryption at rest: the master key file (created with mode 0600 when
  // absent); empty: <data-dir>/master.key. FERRY_MASTER_KEY_FILE overrides it.
  std::string master_key_file;
  // Connections: total, and per client address.
  size_t max_connections = 20000;
  size_t max_connections_per_client = 1000;

  // Operations (docs/metrics.md, docs/logging.md, docs/resources.md,
  // docs/console.md).
  // A second listener (host:port) for /metrics, /health and /ready only;
  // empty: they are served on the API port(s).
  std::string metrics_listen;
  bool metrics = true;             // serve /metrics (--no-metrics turns it off)
  std::string log_format = "text"; // text, json (JSON lines) or logfmt
  bool access_log = false;         // one line per request (info level)
  // The declarative resources file (YAML), applied at start and on SIGHUP.
  std::string resources_file;
  bool console = true;             // serve the web console under /console/
};

}  // namespace ferry::app
