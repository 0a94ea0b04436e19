// The schema of the PostgreSQL engine as an ordered list of migrations
// (version 1 is the whole schema of the first release), and Migrate, which
// brings a database up to this build's version at start.
//
// The version lives in the table ferry_schema_version. Migrate holds a
// session advisory lock (kMigrationLock) for its whole run, so several
// nodes starting together apply each migration once, one after the other;
// each migration and its version row commit in one transaction.
//
// Thread-safety: pure functions of a connection the caller holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/postgres/pg_conn.h"

namespace ferry::engine::pg {

struct Migration {
  int version;
  std::string sql;  // statements separated by semicolons
};

// Every migration, oldest first; versions 1, 2, ... without gaps.
const std::vector<Migration>& Migrations();

// The key of the advisory lock Migrate holds ("ferry" in ASCII).
inline constexpr int64_t kMigrationLock = 0x6665727279;

// The database's schema version (0: none yet).
Result<int> DatabaseSchemaVersion(PgConn& conn);

// Applies the migrations the database lacks. kFailedPrecondition, naming
// both versions, when the database's schema is newer than this build's (a
// newer Ferry migrated it); then nothing is changed.
Status Migrate(PgConn& conn);

}  // namespace ferry::engine::pg
