// The PostgreSQL engine across a restart of its database and while the
// database is down: calls fail with kUnavailable (nothing half-done), the
// pool reconnects once the server is back, and nothing acknowledged is lost.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "engine/postgres/pg_core.h"
#include "engine/postgres/pg_test_server.h"
#include "engine/postgres/postgres_engine.h"

namespace ferry::engine {
namespace {

using pg::testing::PgTestServer;

class PostgresRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FERRY_PG_NEW_DATABASE_OR_SKIP(url);
    server_ = PgTestServer::Get();
    url_ = url;
    auto opened = OpenPostgresEngine(
        clock_,
        PostgresOptions{
            .url = url, .pool_size = 3, .statement_timeout = std::chrono::milliseconds(300)});
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    engine_ = std::move(*opened);
    auto q = engine_->CreateQueue("q", {}, {});
    ASSERT_TRUE(q.ok()) << q.status().message();
    queue_ = *q;
  }
  void TearDown() override {
    // The server is shared by the whole binary: leave it running.
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Start().ok());
    }
  }

  Status Durable() {
    std::promise<Status> done;
    engine_->AfterDurable([&done](Status st) { done.set_value(std::move(st)); });
    return done.get_future().get();
  }

  // Sends until a send succeeds (at most ~30 s); every failure must be
  // kUnavailable. The acknowledged payloads are added to `acked`.
  void SendUntilOk(const std::string& payload, std::set<std::string>* acked) {
    for (int i = 0; i < 300; ++i) {
      SendRequest req;
      req.payload = payload;
      Result<SendResult> sent = queue_->Send(req);
      if (sent.ok()) {
        acked->insert(payload);
        return;
      }
      EXPECT_EQ(sent.status().code(), Code::kUnavailable) << sent.status().message();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no send succeeded after the database came back";
  }

  std::set<std::string> ReceiveAll() {
    std::set<std::string> got;
    for (int i = 0; i < 100; ++i) {
      ReceiveRequest req;
      req.max_messages = 10;
      auto r = queue_->Receive(req);
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (!r.ok() || r->empty()) break;
      for (const ReceivedMessage& m : *r) got.insert(m.payload);
    }
    return got;
  }

  FakeClock clock_;
  std::string url_;
  PgTestServer* server_ = nullptr;
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<Queue> queue_;
};

TEST_F(PostgresRestartTest, ARestartedDatabaseIsReconnectedAndKeepsAcknowledgedMessages) {
  std::set<std::string> acked;
  for (int i = 0; i < 10; ++i) SendUntilOk("before " + std::to_string(i), &acked);
  ASSERT_TRUE(Durable().ok());

  ASSERT_TRUE(server_->Restart().ok());
  // The pool's connections were closed by the restart: the next calls
  // reconnect (or fail kUnavailable, never anything else).
  for (int i = 0; i < 10; ++i) SendUntilOk("after " + std::to_string(i), &acked);
  ASSERT_TRUE(Durable().ok());
  EXPECT_TRUE(engine_->Health().ok());
  EXPECT_EQ(ReceiveAll(), acked);
}

TEST_F(PostgresRestartTest, CallsFailUnavailableWhileTheDatabaseIsDown) {
  std::set<std::string> acked;
  SendUntilOk("kept", &acked);
  ASSERT_TRUE(Durable().ok());
  ASSERT_TRUE(server_->Stop().ok());

  SendRequest req;
  req.payload = "refused";
  EXPECT_EQ(queue_->Send(req).status().code(), Code::kUnavailable);
  EXPECT_EQ(queue_->Receive({}).status().code(), Code::kUnavailable);
  EXPECT_EQ(engine_->Health().code(), Code::kUnavailable) << "no connection can be made";
  // A catalog that cannot be read is not an empty one (the SNS registry
  // would drop every topic).
  EXPECT_EQ(engine_->ReadEntries(CatalogKind::kTopic).status().code(), Code::kUnavailable);
  // Every call commits synchronously: the refused calls changed nothing,
  // so AfterDurable has nothing to wait for.
  EXPECT_TRUE(Durable().ok());
  // Past the row cache's second the queue is still found (as last seen), so
  // that calls on it answer kUnavailable rather than "no such queue".
  clock_.Advance(pg::kRowCacheTtl.count() + 100);
  std::shared_ptr<Queue> found = engine_->FindQueue("q");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->Send(req).status().code(), Code::kUnavailable);

  ASSERT_TRUE(server_->Start().ok());
  SendUntilOk("later", &acked);
  EXPECT_TRUE(engine_->Health().ok());
  EXPECT_EQ(ReceiveAll(), acked);
}

TEST_F(PostgresRestartTest, ACallWaitingOnALockPastTheStatementTimeoutFailsUnavailable) {
  // Another session (a stuck client, an operator's open transaction) holds
  // the queue's row: a send, which takes a key-share lock on it, waits.
  auto holder = pg::PgConn::Connect(url_, "");
  ASSERT_TRUE(holder.ok()) << holder.status().message();
  ASSERT_TRUE((*holder)->Run("BEGIN").ok());
  ASSERT_TRUE((*holder)->Run("SELECT id FROM ferry_queues WHERE name = 'q' FOR UPDATE").ok());
  SendRequest req;
  req.payload = "waits";
  const auto began = std::chrono::steady_clock::now();
  Result<SendResult> sent = queue_->Send(req);
  const auto waited = std::chrono::steady_clock::now() - began;
  EXPECT_EQ(sent.status().code(), Code::kUnavailable) << sent.status().message();
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(10));
  // The same for a catalog write behind a lock on the catalog.
  ASSERT_TRUE((*holder)->Run("LOCK TABLE ferry_catalog IN ACCESS EXCLUSIVE MODE").ok());
  EXPECT_EQ(engine_->PutEntry(CatalogKind::kTopic, CatalogEntry{.key = "t", .fields = {}}).code(),
            Code::kUnavailable);
  ASSERT_TRUE((*holder)->Run("ROLLBACK").ok());
  // The timed-out sessions stay usable: the next calls succeed, and the
  // refused send stored nothing.
  std::set<std::string> acked;
  SendUntilOk("after", &acked);
  EXPECT_TRUE(engine_->PutEntry(CatalogKind::kTopic, CatalogEntry{.key = "t", .fields = {}}).ok());
  EXPECT_TRUE(engine_->Health().ok());
  EXPECT_EQ(ReceiveAll(), acked);
}

}  // namespace
}  // namespace ferry::engine
