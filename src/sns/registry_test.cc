#include "sns/registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "common/temp_dir_test_util.h"
#include "engine/local_engine.h"
#include "sns/delivery_item.h"

namespace ferry::sns {
namespace {

// An engine whose catalog writes (and, with fail_reads, reads) fail on
// demand, and whose catalog version behaves as the PostgreSQL engine's: it
// counts the writes, as read by the last Tick. Two registries over one of
// these are two nodes over one database. Everything else is the wrapped
// engine's.
class FailingCatalog final : public engine::Engine {
 public:
  explicit FailingCatalog(engine::Engine& inner) : inner_(inner) {}
  bool fail = false;
  bool fail_reads = false;
  mutable int reads = 0;  // catalog reads (Entries, ReadEntries)

  Result<std::shared_ptr<engine::Queue>> CreateQueue(const std::string& name,
                                                     engine::QueueSettings settings,
                                                     std::map<std::string, std::string> tags) override {
    return inner_.CreateQueue(name, std::move(settings), std::move(tags));
  }
  std::shared_ptr<engine::Queue> FindQueue(const std::string& name) const override {
    return inner_.FindQueue(name);
  }
  Status DeleteQueue(const std::string& name) override { return inner_.DeleteQueue(name); }
  std::vector<std::string> ListQueues(const std::string& prefix) const override {
    return inner_.ListQueues(prefix);
  }
  void Tick() override {
    seen_version_ = writes_;
    inner_.Tick();
  }
  uint64_t CatalogVersion() const override { return seen_version_; }
  Result<engine::MoveTaskInfo> StartMoveTask(const std::string& s, const std::string& d,
                                             int64_t r) override {
    return inner_.StartMoveTask(s, d, r);
  }
  Result<engine::MoveTaskInfo> CancelMoveTask(const std::string& s, const std::string& t) override {
    return inner_.CancelMoveTask(s, t);
  }
  Result<std::vector<engine::MoveTaskInfo>> ListMoveTasks(const std::string& s,
                                                          size_t max) const override {
    return inner_.ListMoveTasks(s, max);
  }
  void AfterDurable(std::function<void(Status)> cb) override { inner_.AfterDurable(std::move(cb)); }
  Status PutEntry(engine::CatalogKind kind, engine::CatalogEntry entry) override {
    if (fail) return Status::Unavailable("disk full");
    ++writes_;
    return inner_.PutEntry(kind, std::move(entry));
  }
  Status EraseEntry(engine::CatalogKind kind, const std::string& key) override {
    if (fail) return Status::Unavailable("disk full");
    ++writes_;
    return inner_.EraseEntry(kind, key);
  }
  std::vector<engine::CatalogEntry> Entries(engine::CatalogKind kind) const override {
    ++reads;
    return inner_.Entries(kind);
  }
  Result<std::vector<engine::CatalogEntry>> ReadEntries(engine::CatalogKind kind) const override {
    if (fail_reads) return Status::Unavailable("database down");
    return Entries(kind);
  }
  const Clock& clock() const override { return inner_.clock(); }
  bool blocking() const override { return false; }
  std::chrono::milliseconds queue_reuse_delay() const override {
    return inner_.queue_reuse_delay();
  }
  void set_queue_reuse_delay(std::chrono::milliseconds d) override {
    inner_.set_queue_reuse_delay(d);
  }

 private:
  engine::Engine& inner_;
  uint64_t writes_ = 1;
  uint64_t seen_version_ = 0;
};

constexpr std::string_view kTopicArn = "arn:aws:sns:us-east-1:000000000000:orders";

Topic NewTopic(std::string_view name = "orders", bool fifo = false) {
  Topic t;
  t.name = std::string(name);
  t.account = "000000000000";
  t.region = "us-east-1";
  t.arn = "arn:aws:sns:us-east-1:000000000000:" + t.name;
  t.fifo = fifo;
  return t;
}

Subscription NewSubscription(Protocol protocol, std::string endpoint,
                             std::string_view topic = kTopicArn) {
  Subscription s;
  s.topic_arn = std::string(topic);
  s.owner = "000000000000";
  s.protocol = protocol;
  s.endpoint = std::move(endpoint);
  s.confirmed = protocol == Protocol::kSqs;
  return s;
}

class RegistryTest : public ::testing::Test {
 protected:
  FakeClock clock;
  engine::LocalEngine local{clock, engine::NewMemoryBodyStore()};
  FailingCatalog engine{local};
  Registry registry{engine, RegistryOptions{.region = "us-east-1",
                                            .account_id = "000000000000",
                                            .signing_key = nullptr,
                                            .public_url = "http://ferry.test:9324",
                                            .tls_public_url = "https://ferry.test:9325"}};
};

TEST_F(RegistryTest, CreateTopicWritesTheCatalogAndIsFoundByArn) {
  Topic t = NewTopic();
  t.attributes["DisplayName"] = "Orders";
  t.tags["team"] = "a";
  auto made = registry.CreateTopic(t);
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(made->created);
  EXPECT_EQ(registry.FindTopic(kTopicArn), made->topic);
  auto entries = engine.Entries(engine::CatalogKind::kTopic);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, kTopicArn);
  EXPECT_EQ(entries[0].fields.at("attr.DisplayName"), "Orders");
  EXPECT_EQ(entries[0].fields.at("tag.team"), "a");
  EXPECT_EQ(entries[0].fields.at("fifo"), "0");
}

TEST_F(RegistryTest, CreatingAnExistingTopicReturnsItUnchanged) {
  auto first = registry.CreateTopic(NewTopic());
  Topic other = NewTopic();
  other.attributes["DisplayName"] = "different";
  auto second = registry.CreateTopic(other);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->topic, first->topic);
}

TEST_F(RegistryTest, FifoTopicOwnsADedupQueueDeletedWithIt) {
  auto made = registry.CreateTopic(NewTopic("o.fifo", true));
  ASSERT_TRUE(made.ok());
  const std::string key = made->topic->dedup_queue_key;
  ASSERT_TRUE(key.starts_with("~sns/dedup-"));
  auto queue = engine.FindQueue(key);
  ASSERT_TRUE(queue);
  EXPECT_TRUE(queue->fifo());
  EXPECT_EQ(queue->settings().retention_s, kDedupRetentionS);
  EXPECT_EQ(queue->settings().dedup_scope, engine::DedupScope::kQueue);
  ASSERT_TRUE(registry.DeleteTopic(made->topic->arn).ok());
  EXPECT_FALSE(engine.FindQueue(key));
  EXPECT_FALSE(registry.FindTopic(made->topic->arn));
  EXPECT_TRUE(engine.Entries(engine::CatalogKind::kTopic).empty());
}

TEST_F(RegistryTest, AFailedCatalogWriteChangesNothing) {
  engine.fail = true;
  EXPECT_EQ(registry.CreateTopic(NewTopic("o.fifo", true)).status().code(), Code::kUnavailable);
  EXPECT_TRUE(registry.Topics().empty());
  EXPECT_TRUE(engine.ListQueues("~sns/").empty()) << "the dedup queue is dropped again";
  engine.fail = false;
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto before = registry.FindTopic(kTopicArn);
  engine.fail = true;
  EXPECT_FALSE(registry.Subscribe(NewSubscription(Protocol::kHttp, "http://h/x")).ok());
  EXPECT_FALSE(registry.UpdateTopic(kTopicArn, [](Topic& t) {
                         t.attributes["DisplayName"] = "x";
                         return Status::Ok();
                       }).ok());
  EXPECT_FALSE(registry.DeleteTopic(kTopicArn).ok());
  EXPECT_EQ(registry.FindTopic(kTopicArn), before);
  EXPECT_TRUE(registry.Subscriptions().empty());
  EXPECT_TRUE(engine.ListQueues("~sns/").empty()) << "the delivery queue is dropped again";
}

TEST_F(RegistryTest, SubscriptionsDeriveTheirQueueKeysAndFilter) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  Subscription s = NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:000000000000:q");
  s.attributes["RawMessageDelivery"] = "true";
  s.attributes["FilterPolicy"] = R"({"k": ["v"]})";
  s.attributes["RedrivePolicy"] =
      R"({"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:111111111111:dlq"})";
  auto made = registry.Subscribe(s);
  ASSERT_TRUE(made.ok()) << made.status().message();
  const Subscription& sub = *made->subscription;
  EXPECT_EQ(sub.arn, std::string(kTopicArn) + ":" + sub.id);
  EXPECT_TRUE(sub.confirmed);
  EXPECT_TRUE(sub.raw);
  EXPECT_TRUE(sub.filter);
  EXPECT_EQ(sub.queue_key, "q");
  EXPECT_EQ(sub.dead_letter_key, "111111111111/eu-west-1/dlq");
  EXPECT_EQ(registry.QueueKeyOf("arn:aws:sqs:us-west-2:000000000000:q"), "us-west-2/q");
  EXPECT_EQ(registry.QueueKeyOf("arn:aws:sqs:us-east-1:222222222222:q"), "222222222222//q");
  EXPECT_EQ(registry.QueueKeyOf("not an arn"), "");
}

TEST_F(RegistryTest, SubscribingTwiceReturnsTheFirstSubscription) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto a = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  auto b = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->created);
  EXPECT_FALSE(b->created);
  EXPECT_EQ(a->subscription, b->subscription);
}

TEST_F(RegistryTest, SubscribingToAMissingTopicIsNotFound) {
  EXPECT_EQ(registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"))
                .status()
                .code(),
            Code::kNotFound);
}

TEST_F(RegistryTest, HttpSubscriptionIsPendingWithAConfirmationInItsDeliveryQueue) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto made = registry.Subscribe(NewSubscription(Protocol::kHttps, "https://h/x"));
  ASSERT_TRUE(made.ok());
  const Subscription& sub = *made->subscription;
  EXPECT_FALSE(sub.confirmed);
  EXPECT_EQ(sub.token.size(), 128u);
  EXPECT_EQ(sub.queue_key, DeliveryQueueKey(sub.id));
  auto queue = engine.FindQueue(sub.queue_key);
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->settings().visibility_timeout_s, kDeliveryVisibilityS);
  EXPECT_EQ(queue->settings().retention_s, kDeliveryRetentionS);
  EXPECT_FALSE(queue->fifo());
  engine::ReceiveRequest req;
  auto got = queue->Receive(req);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  auto item = DecodeDeliveryItem((*got)[0].payload);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->type, "SubscriptionConfirmation");
  const boost::json::object body = boost::json::parse(item->body).as_object();
  auto field = [&](const char* name) { return std::string(body.at(name).as_string()); };
  EXPECT_EQ(field("Type"), "SubscriptionConfirmation");
  EXPECT_EQ(field("Token"), sub.token);
  EXPECT_EQ(field("TopicArn"), kTopicArn);
  EXPECT_EQ(field("MessageId"), item->message_id);
  EXPECT_EQ(field("SubscribeURL"),
            "http://ferry.test:9324/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-"
            "east-1:000000000000:orders&Token=" +
                sub.token);
  EXPECT_EQ(registry.HttpSubscriptions().size(), 1u);
}

TEST_F(RegistryTest, ASubscribeOverTlsGetsAConfirmationWithTheTlsPublicUrl) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto confirmation_url = [&](const Subscription& sub) {
    auto queue = engine.FindQueue(sub.queue_key);
    EXPECT_TRUE(queue);
    if (!queue) return std::string();
    auto got = queue->Receive(engine::ReceiveRequest{});
    EXPECT_TRUE(got.ok() && got->size() == 1u);
    if (!got.ok() || got->empty()) return std::string();
    auto item = DecodeDeliveryItem((*got)[0].payload);
    const boost::json::object body = boost::json::parse(item->body).as_object();
    return std::string(body.at("SubscribeURL").as_string());
  };
  auto secure = registry.Subscribe(NewSubscription(Protocol::kHttps, "https://h/x"), true);
  ASSERT_TRUE(secure.ok());
  EXPECT_TRUE(confirmation_url(*secure->subscription)
                  .starts_with("https://ferry.test:9325/?Action=ConfirmSubscription&"));
  auto plain = registry.Subscribe(NewSubscription(Protocol::kHttps, "https://h/y"), false);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(confirmation_url(*plain->subscription)
                  .starts_with("http://ferry.test:9324/?Action=ConfirmSubscription&"));
}

TEST_F(RegistryTest, ConfirmByTokenConfirmsOnceAndStaysConfirmed) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto made = registry.Subscribe(NewSubscription(Protocol::kHttp, "http://h/x"));
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(registry.Confirm(kTopicArn, "nope", false).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(registry.Confirm("arn:aws:sns:us-east-1:000000000000:gone", made->subscription->token,
                             false)
                .status()
                .code(),
            Code::kNotFound);
  auto confirmed = registry.Confirm(kTopicArn, made->subscription->token, true);
  ASSERT_TRUE(confirmed.ok());
  EXPECT_TRUE((*confirmed)->confirmed);
  EXPECT_TRUE((*confirmed)->confirmation_authenticated);
  auto again = registry.Confirm(kTopicArn, made->subscription->token, false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *confirmed);
  EXPECT_EQ(engine.Entries(engine::CatalogKind::kSubscription)[0].fields.at("confirmed"), "1");
}

TEST_F(RegistryTest, ATopicSnapshotNeverChangesUnderItsReader) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto before = registry.FindTopic(kTopicArn);
  auto made = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(before->subscriptions.empty());
  auto after = registry.FindTopic(kTopicArn);
  ASSERT_EQ(after->subscriptions.size(), 1u);
  EXPECT_EQ(after->subscriptions[0], made->subscription);
  auto updated = registry.UpdateSubscription(made->subscription->arn, [](Subscription& s) {
    s.attributes["RawMessageDelivery"] = "true";
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(after->subscriptions[0]->raw);
  EXPECT_TRUE(registry.FindTopic(kTopicArn)->subscriptions[0]->raw);
}

TEST_F(RegistryTest, UnsubscribingSqsDropsItAtOnceAndCountsTheDeletion) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto made = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  ASSERT_TRUE(made.ok());
  ASSERT_TRUE(registry.Unsubscribe(made->subscription->arn).ok());
  EXPECT_FALSE(registry.FindSubscription(made->subscription->arn));
  EXPECT_TRUE(registry.FindTopic(kTopicArn)->subscriptions.empty());
  EXPECT_EQ(registry.FindTopic(kTopicArn)->subscriptions_deleted, 1);
  EXPECT_TRUE(engine.Entries(engine::CatalogKind::kSubscription).empty());
  EXPECT_EQ(registry.Unsubscribe(made->subscription->arn).code(), Code::kNotFound);
}

TEST_F(RegistryTest, UnsubscribingHttpRetiresItUntilItsConfirmationIsDelivered) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto made = registry.Subscribe(NewSubscription(Protocol::kHttp, "http://h/x"));
  ASSERT_TRUE(made.ok());
  const std::string arn = made->subscription->arn;
  auto queue = engine.FindQueue(made->subscription->queue_key);
  ASSERT_TRUE(queue);
  ASSERT_TRUE(queue->Purge().ok());  // the SubscriptionConfirmation, delivered
  ASSERT_TRUE(registry.Unsubscribe(arn).ok());

  // Gone for the API and for publishes...
  EXPECT_FALSE(registry.FindSubscription(arn));
  EXPECT_TRUE(registry.FindTopic(kTopicArn)->subscriptions.empty());
  EXPECT_EQ(registry.FindTopic(kTopicArn)->subscriptions_deleted, 1);
  EXPECT_EQ(registry.Unsubscribe(arn).code(), Code::kNotFound);
  // ...but still drained by the worker, its confirmation waiting.
  auto http = registry.HttpSubscriptions();
  ASSERT_EQ(http.size(), 1u);
  EXPECT_TRUE(http[0]->retired);
  EXPECT_EQ(engine.Entries(engine::CatalogKind::kSubscription)[0].fields.at("retired"), "1");
  auto got = queue->Receive(engine::ReceiveRequest{});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  auto item = DecodeDeliveryItem((*got)[0].payload);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->type, "UnsubscribeConfirmation");
  const boost::json::object body = boost::json::parse(item->body).as_object();
  EXPECT_EQ(body.at("Type").as_string(), "UnsubscribeConfirmation");
  EXPECT_NE(std::string(body.at("Message").as_string()).find(arn), std::string::npos);

  // A restart keeps it retired.
  Registry loaded(engine, RegistryOptions{});
  ASSERT_TRUE(loaded.Load().ok());
  ASSERT_EQ(loaded.HttpSubscriptions().size(), 1u);
  EXPECT_TRUE(loaded.HttpSubscriptions()[0]->retired);
  EXPECT_FALSE(loaded.FindSubscription(arn));

  // Forget drops it and its queue.
  ASSERT_TRUE(registry.Forget(arn).ok());
  EXPECT_TRUE(registry.HttpSubscriptions().empty());
  EXPECT_FALSE(engine.FindQueue(made->subscription->queue_key));
  EXPECT_TRUE(engine.Entries(engine::CatalogKind::kSubscription).empty());
  EXPECT_TRUE(registry.Forget(arn).ok()) << "idempotent";
}

TEST_F(RegistryTest, DeleteTopicRemovesItsSubscriptionsAndTheirQueues) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto http = registry.Subscribe(NewSubscription(Protocol::kHttp, "http://h/x"));
  auto sqs = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  ASSERT_TRUE(http.ok() && sqs.ok());
  ASSERT_TRUE(registry.DeleteTopic(kTopicArn).ok());
  EXPECT_TRUE(registry.Subscriptions().empty());
  EXPECT_TRUE(engine.Entries(engine::CatalogKind::kSubscription).empty());
  EXPECT_TRUE(engine.ListQueues("~sns/").empty());
  EXPECT_TRUE(registry.DeleteTopic(kTopicArn).ok()) << "idempotent";
}

TEST_F(RegistryTest, OnChangeHearsEveryChangeWithNoLockHeld) {
  std::atomic<int> changes{0};
  // A listener reads the registry again, as the delivery worker does: with
  // a lock still held this would deadlock.
  registry.OnChange([&] {
    (void)registry.HttpSubscriptions();
    (void)registry.CreateTopic(NewTopic("from-listener"));
    ++changes;
  });
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto made = registry.Subscribe(NewSubscription(Protocol::kHttp, "http://h/x"));
  ASSERT_TRUE(made.ok());
  ASSERT_TRUE(registry.Confirm(kTopicArn, made->subscription->token, false).ok());
  ASSERT_TRUE(registry.UpdateTopic(kTopicArn, [](Topic&) { return Status::Ok(); }).ok());
  ASSERT_TRUE(registry.Unsubscribe(made->subscription->arn).ok());
  ASSERT_TRUE(registry.DeleteTopic(kTopicArn).ok());
  // Each change, plus the listener's own first CreateTopic (later ones find
  // the topic and change nothing).
  EXPECT_EQ(changes.load(), 7);
}

TEST_F(RegistryTest, ABadFilterPolicyIsRefusedAndChangesNothing) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  Subscription s = NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q");
  s.attributes["FilterPolicy"] = "not json";
  EXPECT_EQ(registry.Subscribe(s).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(registry.Subscriptions().empty());
  EXPECT_TRUE(engine.Entries(engine::CatalogKind::kSubscription).empty());
}

// Node B: a second registry over the same catalog, as another Ferry
// process over the same database.
class RegistryNodesTest : public RegistryTest {
 protected:
  void SetUp() override {
    engine.Tick();
    ASSERT_TRUE(registry.Load().ok());
    ASSERT_TRUE(node_b.Load().ok());
  }
  // What serve's tick does: the engine reads the version, then the
  // registry follows it.
  Status TickB() {
    clock.Advance(100);
    engine.Tick();
    return node_b.Refresh();
  }
  Registry node_b{engine, RegistryOptions{}};
};

TEST_F(RegistryNodesTest, TopicsAndSubscriptionsMadeOnOneNodeReachTheOtherAtItsNextTick) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto sqs = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  ASSERT_TRUE(sqs.ok());
  // Before the engine's tick read the version, B has no reason to look.
  ASSERT_TRUE(node_b.Refresh().ok());
  EXPECT_FALSE(node_b.FindTopic(kTopicArn));
  ASSERT_TRUE(TickB().ok());
  auto topic = node_b.FindTopic(kTopicArn);
  ASSERT_TRUE(topic);
  ASSERT_EQ(topic->subscriptions.size(), 1u);
  EXPECT_EQ(topic->subscriptions[0]->arn, sqs->subscription->arn);
  EXPECT_EQ(topic->subscriptions[0]->queue_key, sqs->subscription->queue_key);
  EXPECT_TRUE(node_b.FindSubscription(sqs->subscription->arn));
}

TEST_F(RegistryNodesTest, AnHttpSubscriptionMadeElsewhereIsDrainedHereOnceTheListenersHear) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  std::vector<size_t> seen;
  node_b.OnChange([&] { seen.push_back(node_b.HttpSubscriptions().size()); });
  auto http = registry.Subscribe(NewSubscription(Protocol::kHttp, "http://h/x"));
  ASSERT_TRUE(http.ok());
  ASSERT_TRUE(TickB().ok());
  EXPECT_EQ(seen, std::vector<size_t>{1});
  ASSERT_TRUE(registry.Confirm(kTopicArn, http->subscription->token, false).ok());
  ASSERT_TRUE(TickB().ok());
  auto confirmed = node_b.FindSubscription(http->subscription->arn);
  ASSERT_TRUE(confirmed);
  EXPECT_TRUE(confirmed->confirmed);
  EXPECT_EQ(confirmed->queue_key, DeliveryQueueKey(http->subscription->id));
  // Unsubscribed on A: retired on B too, whose worker may be the one that
  // drains its queue.
  ASSERT_TRUE(registry.Unsubscribe(http->subscription->arn).ok());
  ASSERT_TRUE(TickB().ok());
  EXPECT_FALSE(node_b.FindSubscription(http->subscription->arn));
  auto draining = node_b.HttpSubscriptions();
  ASSERT_EQ(draining.size(), 1u);
  EXPECT_TRUE(draining[0]->retired);
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(RegistryNodesTest, ARefreshKeepsThisNodesCountersAndUnchangedSubscriptions) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto kept = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:a"));
  auto gone = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:b"));
  ASSERT_TRUE(kept.ok() && gone.ok());
  ASSERT_TRUE(TickB().ok());
  auto before = node_b.FindTopic(kTopicArn);
  ASSERT_TRUE(before);
  before->counters->published += 7;
  auto kept_before = node_b.FindSubscription(kept->subscription->arn);
  ASSERT_TRUE(registry
                  .UpdateTopic(kTopicArn,
                               [](Topic& t) {
                                 t.attributes["DisplayName"] = "renamed";
                                 return Status::Ok();
                               })
                  .ok());
  ASSERT_TRUE(registry.Unsubscribe(gone->subscription->arn).ok());
  ASSERT_TRUE(TickB().ok());
  auto after = node_b.FindTopic(kTopicArn);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->attributes.at("DisplayName"), "renamed");
  EXPECT_EQ(after->counters, before->counters);
  EXPECT_EQ(after->counters->published.load(), 7u);
  EXPECT_EQ(after->subscriptions_deleted, 1);
  ASSERT_EQ(after->subscriptions.size(), 1u);
  EXPECT_EQ(after->subscriptions[0], kept_before) << "an unchanged subscription keeps its object";
  EXPECT_FALSE(node_b.FindSubscription(gone->subscription->arn));
}

TEST_F(RegistryNodesTest, ATopicDeletedElsewhereLeavesWithItsSubscriptions) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto sub = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(TickB().ok());
  ASSERT_TRUE(node_b.FindTopic(kTopicArn));
  ASSERT_TRUE(registry.DeleteTopic(kTopicArn).ok());
  ASSERT_TRUE(TickB().ok());
  EXPECT_FALSE(node_b.FindTopic(kTopicArn));
  EXPECT_FALSE(node_b.FindSubscription(sub->subscription->arn));
}

TEST_F(RegistryNodesTest, NothingIsReadWhileTheVersionStaysTheSame) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  ASSERT_TRUE(TickB().ok());
  const int reads = engine.reads;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(TickB().ok());
  EXPECT_EQ(engine.reads, reads);
}

TEST_F(RegistryNodesTest, AFailedReadKeepsWhatTheNodeHoldsAndIsTriedAgain) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  ASSERT_TRUE(TickB().ok());
  ASSERT_TRUE(registry.CreateTopic(NewTopic("second")).ok());
  engine.fail_reads = true;
  EXPECT_EQ(TickB().code(), Code::kUnavailable);
  EXPECT_TRUE(node_b.FindTopic(kTopicArn)) << "a failed read is not an empty catalog";
  engine.fail_reads = false;
  ASSERT_TRUE(TickB().ok());
  EXPECT_EQ(node_b.Topics().size(), 2u);
}

// Node C: as B, with refresh_on_miss, as serve sets it on PostgreSQL.
class RegistryMissTest : public RegistryNodesTest {
 protected:
  void SetUp() override {
    RegistryNodesTest::SetUp();
    ASSERT_TRUE(node_c.Load().ok());
  }
  Registry node_c{engine, RegistryOptions{.refresh_on_miss = true}};
};

TEST_F(RegistryMissTest, ATopicMadeElsewhereIsFoundBeforeTheNextTick) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  auto sub = registry.Subscribe(NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:0:q"));
  ASSERT_TRUE(sub.ok());
  // No tick: the engine's CatalogVersion has not moved.
  EXPECT_FALSE(node_c.FindTopic(kTopicArn));
  auto topic = node_c.LookupTopic(kTopicArn);
  ASSERT_TRUE(topic);
  ASSERT_EQ(topic->subscriptions.size(), 1u);
  clock.Advance(kMissRefreshInterval.count());
  EXPECT_TRUE(node_c.LookupSubscription(sub->subscription->arn));
  // Without the option a miss is final until the tick.
  EXPECT_FALSE(node_b.LookupTopic(kTopicArn));
}

TEST_F(RegistryMissTest, MissesReadTheCatalogAtMostOncePerInterval) {
  const std::string missing = "arn:aws:sns:us-east-1:000000000000:missing";
  const int before = engine.reads;
  EXPECT_FALSE(node_c.LookupTopic(missing));
  const int one_read = engine.reads - before;  // topics and subscriptions
  EXPECT_GT(one_read, 0);
  for (int i = 0; i < 50; ++i) {
    clock.Advance(1);
    EXPECT_FALSE(node_c.LookupTopic(missing));
  }
  EXPECT_EQ(engine.reads - before, one_read) << "misses within 100 ms answer from the first read";
  // A topic made meanwhile waits for the interval's end, then is found.
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  EXPECT_FALSE(node_c.LookupTopic(kTopicArn));
  clock.Advance(kMissRefreshInterval.count());
  EXPECT_TRUE(node_c.LookupTopic(kTopicArn));
  EXPECT_EQ(engine.reads - before, 2 * one_read);
}

// A miss's read records the version the engine had read, not a newer one,
// so the ticks' Refresh still reads a change made after it.
TEST_F(RegistryMissTest, TheTicksStillFollowChangesAfterAMissRead) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  ASSERT_TRUE(node_c.LookupTopic(kTopicArn));
  ASSERT_TRUE(registry.CreateTopic(NewTopic("second")).ok());
  engine.Tick();
  ASSERT_TRUE(node_c.Refresh().ok());
  EXPECT_EQ(node_c.Topics().size(), 2u);
}

TEST(RegistryLocalEngineTest, RefreshOnTheLocalEngineNeverReadsTheCatalog) {
  FakeClock clock;
  engine::LocalEngine local{clock, engine::NewMemoryBodyStore()};
  Registry registry(local, RegistryOptions{});
  ASSERT_TRUE(registry.Load().ok());
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  EXPECT_EQ(local.CatalogVersion(), 0u);
  local.Tick();
  ASSERT_TRUE(registry.Refresh().ok());
  EXPECT_TRUE(registry.FindTopic(kTopicArn));
}

TEST_F(RegistryTest, LoadRebuildsTopicsAndSubscriptionsFromTheCatalog) {
  Topic t = NewTopic("o.fifo", true);
  t.attributes["ContentBasedDeduplication"] = "true";
  t.attributes["SignatureVersion"] = "2";
  auto topic = registry.CreateTopic(t);
  ASSERT_TRUE(topic.ok());
  Subscription s = NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:000000000000:q.fifo",
                                   topic->topic->arn);
  s.attributes["FilterPolicy"] = R"({"k": ["v"]})";
  auto sub = registry.Subscribe(s);
  ASSERT_TRUE(sub.ok());
  // A subscription whose topic is gone (DeleteTopic cut short) is dropped.
  ASSERT_TRUE(engine
                  .PutEntry(engine::CatalogKind::kSubscription,
                            {.key = "arn:aws:sns:us-east-1:000000000000:gone:x",
                             .fields = {{"topic", "arn:aws:sns:us-east-1:000000000000:gone"}}})
                  .ok());

  Registry loaded(engine, RegistryOptions{});
  ASSERT_TRUE(loaded.Load().ok());
  auto t2 = loaded.FindTopic(topic->topic->arn);
  ASSERT_TRUE(t2);
  EXPECT_TRUE(t2->fifo);
  EXPECT_TRUE(t2->content_based_dedup);
  EXPECT_EQ(t2->signature_version, 2);
  EXPECT_EQ(t2->dedup_queue_key, topic->topic->dedup_queue_key);
  EXPECT_EQ(t2->created_ms, clock.NowMs());
  ASSERT_EQ(t2->subscriptions.size(), 1u);
  const Subscription& s2 = *t2->subscriptions[0];
  EXPECT_EQ(s2.arn, sub->subscription->arn);
  EXPECT_EQ(s2.queue_key, "q.fifo");
  EXPECT_TRUE(s2.filter);
  EXPECT_EQ(loaded.Subscriptions().size(), 1u);
  EXPECT_EQ(engine.Entries(engine::CatalogKind::kSubscription).size(), 1u);
}

TEST_F(RegistryTest, LoadReadsAStoredTimeTooLargeForItsTypeAsZero) {
  const std::string arn = "arn:aws:sns:us-east-1:000000000000:t";
  ASSERT_TRUE(engine
                  .PutEntry(engine::CatalogKind::kTopic,
                            {.key = arn,
                             .fields = {{"name", "t"}, {"created_ms", "99999999999999999999"}}})
                  .ok());
  ASSERT_TRUE(engine
                  .PutEntry(engine::CatalogKind::kSubscription,
                            {.key = arn + ":s",
                             .fields = {{"topic", arn},
                                        {"protocol", "sqs"},
                                        {"endpoint", "arn:aws:sqs:us-east-1:000000000000:q"},
                                        {"created_ms", "9223372036854775808"}}})
                  .ok());
  Registry loaded(engine, RegistryOptions{});
  ASSERT_TRUE(loaded.Load().ok());
  auto topic = loaded.FindTopic(arn);
  ASSERT_TRUE(topic);
  EXPECT_EQ(topic->created_ms, 0);
  ASSERT_EQ(topic->subscriptions.size(), 1u);
  EXPECT_EQ(topic->subscriptions[0]->created_ms, 0);
}

TEST_F(RegistryTest, ReadersSeeWholeSnapshotsWhileWritersChangeThem) {
  ASSERT_TRUE(registry.CreateTopic(NewTopic()).ok());
  std::atomic<bool> done{false};
  std::atomic<int64_t> reads{0};
  std::thread reader([&] {
    do {
      auto topic = registry.FindTopic(kTopicArn);
      // Every subscription a snapshot lists is whole and of this topic.
      for (const auto& s : topic->subscriptions) EXPECT_EQ(s->topic_arn, kTopicArn);
      (void)registry.HttpSubscriptions();
      ++reads;
    } while (!done);
  });
  for (int i = 0; i < 200; ++i) {
    auto made = registry.Subscribe(
        NewSubscription(Protocol::kSqs, "arn:aws:sqs:us-east-1:000000000000:q" + std::to_string(i)));
    ASSERT_TRUE(made.ok());
    if (i % 2 == 0) {
      ASSERT_TRUE(registry.Unsubscribe(made->subscription->arn).ok());
    }
  }
  done = true;
  reader.join();
  EXPECT_EQ(registry.FindTopic(kTopicArn)->subscriptions.size(), 100u);
  EXPECT_GT(reads.load(), 0);
}

TEST(RegistryDurableTest, TopicsAndSubscriptionsSurviveARestart) {
  testing::TempDir dir;
  FakeClock clock;
  engine::DurableOptions options;
  options.dir = dir.path();
  std::string topic_arn;
  std::string sub_arn;
  {
    auto opened = engine::LocalEngine::OpenDurable(clock, options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    Registry registry(**opened, RegistryOptions{});
    ASSERT_TRUE(registry.Load().ok());
    auto topic = registry.CreateTopic(NewTopic());
    ASSERT_TRUE(topic.ok());
    topic_arn = topic->topic->arn;
    auto sub = registry.Subscribe(NewSubscription(Protocol::kHttp, "http://h/x"));
    ASSERT_TRUE(sub.ok());
    sub_arn = sub->subscription->arn;
    std::atomic<bool> durable{false};
    (*opened)->AfterDurable([&](Status) { durable = true; });
    while (!durable) std::this_thread::yield();
  }
  auto reopened = engine::LocalEngine::OpenDurable(clock, options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  Registry registry(**reopened, RegistryOptions{});
  ASSERT_TRUE(registry.Load().ok());
  auto topic = registry.FindTopic(topic_arn);
  ASSERT_TRUE(topic);
  ASSERT_EQ(topic->subscriptions.size(), 1u);
  EXPECT_EQ(topic->subscriptions[0]->arn, sub_arn);
  EXPECT_FALSE(topic->subscriptions[0]->confirmed);
  EXPECT_TRUE((*reopened)->FindQueue(DeliveryQueueKey(topic->subscriptions[0]->id)));
}

}  // namespace
}  // namespace ferry::sns
