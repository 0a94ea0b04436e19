#include "engine/postgres/migrations.h"

#include <gtest/gtest.h>

#include "engine/postgres/pg_test_server.h"
#include "engine/postgres/postgres_engine.h"

namespace ferry::engine::pg {
namespace {

// A connection `conn` to a new database `url` of the test server.
#define CONNECT_OR_SKIP(conn, url)                                 \
  FERRY_PG_NEW_DATABASE_OR_SKIP(url);                              \
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(url, ""); \
  ASSERT_TRUE(conn.ok()) << conn.status().message()

TEST(MigrationsTest, VersionsAreNumberedFromOneWithoutGaps) {
  int expected = 1;
  for (const Migration& m : Migrations()) EXPECT_EQ(m.version, expected++);
  EXPECT_EQ(PostgresSchemaVersion(), static_cast<int>(Migrations().size()));
}

TEST(MigrationsTest, MigratingTwiceIsANoOp) {
  CONNECT_OR_SKIP(conn, url);
  ASSERT_EQ(*DatabaseSchemaVersion(**conn), 0);
  ASSERT_TRUE(Migrate(**conn).ok());
  EXPECT_EQ(*DatabaseSchemaVersion(**conn), PostgresSchemaVersion());
  Status again = Migrate(**conn);
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(*DatabaseSchemaVersion(**conn), PostgresSchemaVersion());
  Result<PgResult> rows = (*conn)->Exec("SELECT count(*) FROM ferry_schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Int(0, 0), PostgresSchemaVersion()) << "one row per migration applied";
}

TEST(MigrationsTest, AVersionOneDatabaseMigratesToTheFairIndexAndTheOrderedFifoReceive) {
  CONNECT_OR_SKIP(conn, url);
  ASSERT_TRUE((*conn)
                  ->Run("CREATE TABLE ferry_schema_version (version integer PRIMARY KEY, "
                        "applied_at timestamptz NOT NULL DEFAULT now())")
                  .ok());
  ASSERT_TRUE((*conn)->Run(Migrations()[0].sql).ok());
  ASSERT_TRUE((*conn)->Run("INSERT INTO ferry_schema_version (version) VALUES (1)").ok());
  ASSERT_EQ(*DatabaseSchemaVersion(**conn), 1);

  Status st = Migrate(**conn);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_GE(*DatabaseSchemaVersion(**conn), 2);
  Result<PgResult> index =
      (*conn)->Exec("SELECT to_regclass('ferry_messages_by_group_visibility') IS NOT NULL");
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE(index->Bool(0, 0));
  Result<PgResult> fn = (*conn)->Exec(
      "SELECT pg_get_functiondef('ferry_receive_fifo(bigint,bigint,bigint,bigint,bigint,text)'"
      "::regprocedure)");
  ASSERT_TRUE(fn.ok()) << fn.status().message();
  EXPECT_NE(fn->Str(0, 0).find("ORDER BY hd.visible_at_ms"), std::string::npos)
      << "ready groups in the order their first messages became visible";
}

TEST(MigrationsTest, ADatabaseWithANewerSchemaIsRefusedNamingBothVersions) {
  CONNECT_OR_SKIP(conn, url);
  ASSERT_TRUE(Migrate(**conn).ok());
  const int newer = PostgresSchemaVersion() + 1;
  ASSERT_TRUE((*conn)
                  ->Exec("INSERT INTO ferry_schema_version (version) VALUES ($1::bigint)",
                         Params().Int(newer))
                  .ok());
  Status st = Migrate(**conn);
  EXPECT_EQ(st.code(), Code::kFailedPrecondition);
  EXPECT_NE(st.message().find(std::to_string(newer)), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(std::to_string(PostgresSchemaVersion())), std::string::npos);

  FakeClock clock;
  auto engine = OpenPostgresEngine(clock, PostgresOptions{url, 2});
  EXPECT_EQ(engine.status().code(), Code::kFailedPrecondition);
}

TEST(MigrationsTest, AnUnreachableDatabaseIsUnavailable) {
  FakeClock clock;
  // Port 1 on loopback: nothing listens there.
  auto engine = OpenPostgresEngine(clock, PostgresOptions{"postgresql://ferry@127.0.0.1:1/x", 2});
  EXPECT_EQ(engine.status().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace ferry::engine::pg
