// Runs the engine conformance suite over the PostgreSQL engine: each test
// gets a new database of the test server (pg_test_server.h); Reopen opens
// a new engine over the same database. Without PostgreSQL 15 installed the
// suite is not instantiated and PostgreSQLIsInstalled skips.
#include <memory>

#include "engine/conformance/suite.h"
#include "engine/postgres/pg_test_server.h"
#include "engine/postgres/postgres_engine.h"

namespace ferry::engine::conformance {
namespace {

using pg::testing::PgTestServer;

class PostgresFactory final : public EngineFactory {
 public:
  std::unique_ptr<Engine> Make(const Clock& clock) override {
    PgTestServer* server = PgTestServer::Get();
    if (server == nullptr) {
      ADD_FAILURE() << "no PostgreSQL test server: " << PgTestServer::StartFailure();
      return nullptr;
    }
    Result<std::string> url = server->NewDatabase();
    if (!url.ok()) {
      ADD_FAILURE() << url.status().message();
      return nullptr;
    }
    url_ = *url;
    return Reopen(clock);
  }
  std::unique_ptr<Engine> Reopen(const Clock& clock) override {
    auto opened = OpenPostgresEngine(clock, PostgresOptions{url_, 4});
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

 private:
  std::string url_;
};

std::vector<EngineParam> Engines() {
  if (!PgTestServer::Available()) return {};
  return {EngineParam{"Postgres", [] { return std::make_unique<PostgresFactory>(); }}};
}

INSTANTIATE_TEST_SUITE_P(PostgresEngine, EngineConformanceTest, ::testing::ValuesIn(Engines()),
                         ParamName);

TEST(PostgresEngineTest, PostgreSQLIsInstalled) {
  if (!PgTestServer::Available()) {
    GTEST_SKIP() << pg::testing::PgBinDir() << "/initdb is missing: the suite does not run";
  }
}

}  // namespace
}  // namespace ferry::engine::conformance
