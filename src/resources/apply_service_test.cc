// The resources file applied in process, through api::LocalInvoker, to the
// real SQS and SNS services over an in-memory engine: what the services
// hold afterwards, and that applying again changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "api/local_invoker.h"
#include "common/clock.h"
#include "common/temp_dir_test_util.h"
#include "engine/local_engine.h"
#include "resources/applies_seen_test_util.h"
#include "resources/apply.h"
#include "resources/background_apply.h"
#include "resources/spec.h"
#include "sns/registry.h"
#include "sns/service.h"
#include "sqs/service.h"

namespace ferry::resources {
namespace {

using boost::json::object;
using ::testing::HasSubstr;

constexpr std::string_view kOrders = R"(queues:
  orders-dlq:
    MessageRetentionPeriod: 1209600
  orders:
    VisibilityTimeout: 60
    dead_letter: {queue: orders-dlq, max_receive_count: 5}
    tags: {team: checkout}
    policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {Service: sns.amazonaws.com}
          Action: sqs:SendMessage
          Resource: arn:aws:sqs:us-east-1:000000000000:orders
  inventory:
topics:
  orders:
    DisplayName: Orders
    tags: {team: checkout}
    subscriptions:
      - protocol: sqs
        queue: orders
        raw_message_delivery: true
        filter_policy: {event: [order_placed]}
      - protocol: sqs
        queue: inventory
        filter_policy: {quantity: [{numeric: [">", 0]}]}
        dead_letter: {queue: orders-dlq}
)";

// The services over an in-memory engine, with io threads running their
// posted answers, as in the server.
class ServicesFixture : public ::testing::Test {
 protected:
  ServicesFixture()
      : engine_(clock_, engine::NewMemoryBodyStore()),
        registry_(engine_, sns::RegistryOptions{}),
        sqs_(engine_, io_.get_executor(), sqs::SqsOptions{}),
        sns_(engine_, registry_, nullptr, io_.get_executor(), sns::SnsOptions{}),
        work_(io_.get_executor()),
        io_thread_([this] { io_.run(); }),
        invoker_({&sqs_, &sns_}, api::LocalInvokerOptions{.host = "localhost:9324"}) {
    EXPECT_TRUE(registry_.Load().ok());
  }
  ~ServicesFixture() override {
    work_.reset();
    io_.stop();
    io_thread_.join();
  }

  ApplyReport MustApply(std::string_view yaml) {
    Result<Spec> spec = ParseSpec(yaml, "r.yaml");
    EXPECT_TRUE(spec.ok()) << spec.status().message();
    ApplyReport report = Apply(*spec, invoker_);
    for (const Change& c : report.changes) {
      EXPECT_NE(c.kind, Change::Kind::kFailed) << c.resource << ": " << c.detail;
    }
    return report;
  }
  object Must(std::string_view service, std::string_view action, object params) {
    auto r = invoker_.Invoke(service, action, std::move(params));
    EXPECT_TRUE(r.ok()) << action << ": " << r.status().message();
    return r.ok() ? *r : object{};
  }
  object QueueAttributes(const std::string& name) {
    object url = Must("sqs", "GetQueueUrl", object{{"QueueName", name}});
    return Must("sqs", "GetQueueAttributes",
                object{{"QueueUrl", url.at("QueueUrl")},
                       {"AttributeNames", boost::json::array{"All"}}})
        .at("Attributes")
        .as_object();
  }

  FakeClock clock_;
  engine::LocalEngine engine_;
  boost::asio::io_context io_;
  sns::Registry registry_;
  sqs::SqsService sqs_;
  sns::SnsService sns_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread io_thread_;
  api::LocalInvoker invoker_;
};

TEST_F(ServicesFixture, TheOrdersFileMakesItsQueuesTopicAndSubscriptions) {
  ApplyReport report = MustApply(kOrders);
  EXPECT_EQ(report.Summary(), "6 created, 0 updated, 0 unchanged, 0 failed");

  object orders = QueueAttributes("orders");
  EXPECT_EQ(orders.at("VisibilityTimeout"), "60");
  EXPECT_EQ(
      boost::json::parse(orders.at("RedrivePolicy").as_string()),
      boost::json::parse(R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq",
                                   "maxReceiveCount":5})"));
  EXPECT_THAT(std::string(orders.at("Policy").as_string()), HasSubstr("sns.amazonaws.com"));
  EXPECT_EQ(QueueAttributes("orders-dlq").at("MessageRetentionPeriod"), "1209600");

  object topics = Must("sns", "ListTopics", {});
  ASSERT_EQ(topics.at("Topics").as_array().size(), 1u);
  const std::string topic(topics.at("Topics").as_array()[0].at("TopicArn").as_string());
  object subs = Must("sns", "ListSubscriptionsByTopic", object{{"TopicArn", topic}});
  ASSERT_EQ(subs.at("Subscriptions").as_array().size(), 2u);
  for (const auto& s : subs.at("Subscriptions").as_array()) {
    object a = Must("sns", "GetSubscriptionAttributes",
                    object{{"SubscriptionArn", s.at("SubscriptionArn")}})
                   .at("Attributes")
                   .as_object();
    if (s.at("Endpoint") == "arn:aws:sqs:us-east-1:000000000000:orders") {
      EXPECT_EQ(a.at("RawMessageDelivery"), "true");
      EXPECT_EQ(boost::json::parse(a.at("FilterPolicy").as_string()),
                boost::json::parse(R"({"event":["order_placed"]})"));
    } else {
      EXPECT_EQ(boost::json::parse(a.at("FilterPolicy").as_string()),
                boost::json::parse(R"({"quantity":[{"numeric":[">",0]}]})"));
      EXPECT_THAT(std::string(a.at("RedrivePolicy").as_string()), HasSubstr("orders-dlq"));
    }
  }
}

TEST_F(ServicesFixture, ApplyingTheSameFileAgainChangesNothing) {
  MustApply(kOrders);
  ApplyReport again = MustApply(kOrders);
  EXPECT_EQ(again.Summary(), "0 created, 0 updated, 6 unchanged, 0 failed");
}

TEST_F(ServicesFixture, AnEditedFileUpdatesWhatChangedAndCreatesWhatIsNew) {
  MustApply(kOrders);
  std::string edited(kOrders);
  edited.replace(edited.find("VisibilityTimeout: 60"), 21, "VisibilityTimeout: 90");
  edited.replace(edited.find("topics:"), 7, "  audit:\ntopics:");
  ApplyReport report = MustApply(edited);
  EXPECT_EQ(report.Summary(), "1 created, 1 updated, 5 unchanged, 0 failed");
  for (const Change& c : report.changes) {
    if (c.resource == "queue orders") {
      EXPECT_EQ(c.detail, "VisibilityTimeout 60 -> 90");
    }
  }
  EXPECT_EQ(QueueAttributes("orders").at("VisibilityTimeout"), "90");
  QueueAttributes("audit");
}

TEST_F(ServicesFixture, DefaultsWrittenOutInTheFileAreUnchangedTheSecondTime) {
  constexpr std::string_view kDefaults = R"(queues:
  plain:
    DelaySeconds: 0
    MessageRetentionPeriod: 345600
    ReceiveMessageWaitTimeSeconds: 0
    VisibilityTimeout: 30
    SqsManagedSseEnabled: true
  jobs.fifo:
    FifoQueue: true
    ContentBasedDeduplication: false
    DeduplicationScope: queue
    FifoThroughputLimit: perQueue
topics:
  plain:
    DisplayName: ""
    SignatureVersion: 1
    TracingConfig: PassThrough
    subscriptions:
      - protocol: sqs
        queue: plain
        raw_message_delivery: false
        filter_policy: {event: [a]}
        filter_policy_scope: MessageAttributes
  jobs.fifo:
    ContentBasedDeduplication: false
)";
  MustApply(kDefaults);
  ApplyReport again = MustApply(kDefaults);
  for (const Change& c : again.changes) {
    EXPECT_EQ(c.kind, Change::Kind::kUnchanged) << c.resource << ": " << c.detail;
  }
}

TEST_F(ServicesFixture, AnAttributeTheServiceRefusesFailsThatQueueOnly) {
  ApplyReport report = [&] {
    Result<Spec> spec = ParseSpec("queues:\n  a:\n    VisibilityTimeout: 99999\n  b:\n", "r.yaml");
    EXPECT_TRUE(spec.ok());
    return Apply(*spec, invoker_);
  }();
  ASSERT_EQ(report.changes.size(), 2u);
  EXPECT_EQ(report.changes[0].kind, Change::Kind::kFailed);
  EXPECT_THAT(report.changes[0].detail, HasSubstr("InvalidAttributeValue"));
  EXPECT_EQ(report.changes[1].kind, Change::Kind::kCreated);
}

// Writes `text` to `path`, starts a BackgroundApply of it and waits for
// its first apply.
std::unique_ptr<BackgroundApply> FirstApply(const std::string& path, std::string_view text,
                                            api::LocalInvoker& invoker, AppliesSeen& seen) {
  std::ofstream(path) << text;
  auto apply = std::make_unique<BackgroundApply>(path, invoker, seen.Callback());
  apply->Request();
  seen.WaitFor(1);
  return apply;
}

TEST_F(ServicesFixture, BackgroundApplyAppliesTheFileOnEachRequest) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/resources.yaml";
  AppliesSeen seen;
  auto apply = FirstApply(path, "queues:\n  first:\n", invoker_, seen);
  EXPECT_EQ(apply->applies_done(), 1u);
  QueueAttributes("first");

  std::ofstream(path) << "queues:\n  first:\n  second:\n";
  apply->Request();
  seen.WaitFor(2);
  QueueAttributes("second");
}

TEST_F(ServicesFixture, BackgroundApplyCountsAnInvalidFileAndChangesNothing) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/resources.yaml";
  AppliesSeen seen;
  auto apply = FirstApply(path, "queues:\n  first:\n    Nope: 1\n", invoker_, seen);
  EXPECT_EQ(apply->applies_done(), 1u);
  auto url = invoker_.Invoke("sqs", "GetQueueUrl", object{{"QueueName", "first"}});
  EXPECT_FALSE(url.ok());
}

}  // namespace
}  // namespace ferry::resources
