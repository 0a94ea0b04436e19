// The PostgreSQL engine: a second implementation of engine::Engine whose
// state lives in a PostgreSQL 15 database, so that several Ferry processes
// (nodes) serve the same queues and topics. See README.md beside this file
// and docs/scale-out.md.
//
// Every call of the engine makes one or more round trips to the database and
// may block (blocking() is true): `ferry serve` runs the services on its
// blocking threads for it (docs/architecture.md, "Engines that block").
//
// Thread-safety: as engine::Engine (every method from any thread).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "engine/engine.h"

namespace ferry::engine {

struct PostgresOptions {
  // A libpq connection string or URI (postgresql://user@host:port/db).
  std::string url;
  // Connections the engine keeps open for its calls (one more listens for
  // wake-ups). A call waits for a free connection when all are busy.
  int pool_size = 16;
  // The longest a statement of the pool's sessions may run, waits for
  // locks included (PostgreSQL's statement_timeout): a call stuck behind a
  // lock another session holds, or on a server that stopped answering,
  // fails kUnavailable (a 503) rather than hold a blocking thread forever.
  // 0: no limit. The connection itself gives up after kConnectTimeoutS
  // (unless the URL says otherwise) and notices a peer gone silent through
  // TCP keepalives and a TCP user timeout (pg_conn.cc).
  std::chrono::milliseconds statement_timeout{30'000};
};

// Connects, applies the schema migrations this build knows that the database
// lacks (versioned; concurrent starts of several nodes are serialised), and
// returns the engine. Errors: kUnavailable when the database cannot be
// reached; kFailedPrecondition when its schema is newer than this build's
// (a newer Ferry migrated it).
Result<std::unique_ptr<Engine>> OpenPostgresEngine(const Clock& clock,
                                                   const PostgresOptions& options);

// The newest schema version this build knows (migrations.cc).
int PostgresSchemaVersion();

}  // namespace ferry::engine
