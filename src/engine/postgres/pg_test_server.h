// PgTestServer: a throwaway PostgreSQL 15 for tests. The first Get() of a
// test process copies a cluster (made by initdb once per machine, in the
// temporary directory) into a fresh temporary directory and starts the
// server on a free loopback port; each NewDatabase() creates an empty
// database (t_1, t_2, ...) and returns its URL, so every test starts
// clean. The server is stopped (immediate mode) and its directory removed
// when the process exits.
//
// initdb and postgres refuse to run as root: as root the directory belongs
// to the user postgres and both run through `runuser -u postgres --`.
//
// Tests that need it skip (GTEST_SKIP) when Get() returns null: the
// binaries are not installed (Available() is false) or the server did not
// start (the reason is in StartFailure()).
//
// Thread-safety: Get() is safe from any thread; a server's methods are
// called by the test's thread.
#pragma once

#include <string>

#include "common/status.h"

namespace ferry::engine::pg::testing {

// Where the PostgreSQL 15 server binaries live (Debian's postgresql-15),
// unless the environment variable FERRY_PG_BIN_DIR names another folder.
inline constexpr const char* kPgBinDir = "/usr/lib/postgresql/15/bin";
std::string PgBinDir();

class PgTestServer {
 public:
  // Whether initdb is installed.
  static bool Available();
  // The process's server, started on first use; null when it cannot run.
  static PgTestServer* Get();
  // Why the first Get() could not start a server (empty when it did).
  static const std::string& StartFailure();

  ~PgTestServer();
  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

  // A URL (postgresql://ferry@127.0.0.1:PORT/t_N) of a new, empty database.
  Result<std::string> NewDatabase();
  // A fast shutdown and a start on the same port and directory: a database
  // restart under a running engine.
  Status Restart();
  Status Stop();
  Status Start();
  int port() const { return port_; }

 private:
  PgTestServer() = default;
  Status Init();
  // Runs a server binary (as postgres when root); its output goes to the log.
  Status RunTool(const std::string& args) const;
  // Runs a shell command the same way.
  Status RunShell(const std::string& cmd) const;
  // Copies a cluster made once by initdb (the template) into dir_/data.
  Status CopyTemplate();

  std::string dir_;
  int port_ = 0;
  int databases_ = 0;
  bool running_ = false;
};

}  // namespace ferry::engine::pg::testing

// In a gtest test body or SetUp: declares `std::string var`, the URL of a
// new database of the process's server; skips the test when PostgreSQL 15
// is not installed, fails it when the server cannot start.
#define FERRY_PG_NEW_DATABASE_OR_SKIP(var)                                      \
  using ::ferry::engine::pg::testing::PgTestServer;                             \
  if (!PgTestServer::Available()) {                                             \
    GTEST_SKIP() << "PostgreSQL 15 is not installed";                           \
  }                                                                             \
  ASSERT_NE(PgTestServer::Get(), nullptr) << PgTestServer::StartFailure();      \
  ::ferry::Result<std::string> var##_made = PgTestServer::Get()->NewDatabase(); \
  ASSERT_TRUE(var##_made.ok()) << var##_made.status().message();                \
  const std::string var = *var##_made
