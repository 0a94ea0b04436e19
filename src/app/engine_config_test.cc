#include "app/engine_config.h"

#include <gtest/gtest.h>

namespace ferry::app {
namespace {

ServeConfig Postgres() {
  ServeConfig config;
  config.engine = "postgres";
  config.postgres_url = "postgresql://ferry@db:5432/ferry";
  config.keys_dir = "/etc/ferry/keys";
  return config;
}

TEST(EngineConfig, TheLocalEngineIsTheDefaultAndNeedsNothing) {
  EXPECT_FALSE(EngineConfigRefusal(ServeConfig{}).has_value());
}

TEST(EngineConfig, PostgresWithUrlAndKeysDirStarts) {
  EXPECT_FALSE(EngineConfigRefusal(Postgres()).has_value());
}

TEST(EngineConfig, PostgresWithoutUrlIsRefused) {
  ServeConfig config = Postgres();
  config.postgres_url.clear();
  auto refusal = EngineConfigRefusal(config);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_NE(refusal->find("--postgres-url"), std::string::npos);
}

TEST(EngineConfig, PostgresWithoutKeysDirIsRefused) {
  ServeConfig config = Postgres();
  config.keys_dir.clear();
  auto refusal = EngineConfigRefusal(config);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_NE(refusal->find("--keys-dir"), std::string::npos);
}

TEST(EngineConfig, PostgresRefusesEveryFlagOfTheLocalEngine) {
  for (const std::string& flag : LocalEngineFlags()) {
    ServeConfig config = Postgres();
    config.engine_flags_given = {flag};
    auto refusal = EngineConfigRefusal(config);
    ASSERT_TRUE(refusal.has_value()) << flag;
    EXPECT_NE(refusal->find(flag), std::string::npos) << *refusal;
  }
}

TEST(EngineConfig, LocalRefusesTheFlagsOfPostgres) {
  for (const std::string& flag : PostgresEngineFlags()) {
    ServeConfig config;
    config.engine_flags_given = {"--data-dir", flag};
    auto refusal = EngineConfigRefusal(config);
    ASSERT_TRUE(refusal.has_value()) << flag;
    EXPECT_NE(refusal->find(flag), std::string::npos) << *refusal;
  }
}

TEST(EngineConfig, AnUnknownEngineOrAnEmptyPoolIsRefused) {
  ServeConfig config;
  config.engine = "mysql";
  EXPECT_TRUE(EngineConfigRefusal(config).has_value());
  config = Postgres();
  config.postgres_pool = 0;
  EXPECT_TRUE(EngineConfigRefusal(config).has_value());
}

TEST(PostgresTarget, NamesHostPortAndDatabaseNeverTheCredentials) {
  EXPECT_EQ(PostgresTarget("postgresql://ferry:s3cret@db.example:5433/queues"),
            "db.example:5433/queues");
  EXPECT_EQ(PostgresTarget("postgres://ferry:p%40ss@db.example/queues?sslmode=require"),
            "db.example/queues");
  EXPECT_EQ(PostgresTarget("postgresql://u:pw@[::1]:5432/q"), "[::1]:5432/q");
  EXPECT_EQ(PostgresTarget("postgresql:///ferry?host=%2Frun%2Fpg&port=5499&password=x"),
            "/run/pg:5499/ferry");
  EXPECT_EQ(PostgresTarget("host=db port=5432 dbname=ferry user=u password='a b\\' c'"),
            "db:5432/ferry");
  EXPECT_EQ(PostgresTarget("dbname = ferry password = secret"), "(default socket)/ferry");
  for (std::string_view url : {"postgresql://u:s3cret@h/d", "host=h password=s3cret dbname=d",
                               "postgresql://h/d?password=s3cret"}) {
    EXPECT_EQ(PostgresTarget(url).find("s3cret"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace ferry::app
