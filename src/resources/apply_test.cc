// ApplyFile's decisions against a fake invoker that records each call and
// answers from canned state: what is created, updated, left alone, in which
// order, and what a failure stops.
#include "resources/apply.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <map>

#include "common/temp_dir_test_util.h"
#include "resources/spec.h"

namespace ferry::resources {
namespace {

using boost::json::object;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers with a handler per action; an action without one answers {}.
class FakeInvoker final : public api::ActionInvoker {
 public:
  using Handler = std::function<Result<object>(const object&)>;
  std::map<std::string, Handler> handlers;
  std::vector<std::string> calls;  // "Action" or "Action Name" for the main parameter
  std::vector<object> params;

  Result<object> Invoke(std::string_view service, std::string_view action, object p) override {
    std::string call(action);
    for (const char* key : {"QueueName", "QueueUrl", "Name", "TopicArn", "SubscriptionArn"}) {
      if (const auto* v = p.if_contains(key); v != nullptr && v->is_string()) {
        call += " " + std::string(v->get_string());
        break;
      }
    }
    calls.push_back(call);
    params.push_back(p);
    auto it = handlers.find(std::string(action));
    if (it == handlers.end()) return object{};
    return it->second(p);
  }

  // The parameters of the calls of `action`, in order.
  std::vector<object> ParamsOf(std::string_view action) const {
    std::vector<object> out;
    for (size_t i = 0; i < calls.size(); ++i) {
      if (calls[i] == action || calls[i].starts_with(std::string(action) + " "))
        out.push_back(params[i]);
    }
    return out;
  }

  std::vector<std::string> Mutations() const {
    std::vector<std::string> out;
    for (const std::string& c : calls) {
      if (!c.starts_with("Get") && !c.starts_with("List")) out.push_back(c);
    }
    return out;
  }
};

// A server with `existing` queues (name → attributes) and no topics.
void ServeQueues(FakeInvoker& fake, std::map<std::string, object>* existing) {
  fake.handlers["GetQueueUrl"] = [existing](const object& p) -> Result<object> {
    std::string name(p.at("QueueName").get_string());
    if (!existing->contains(name)) {
      return Status::NotFound("QueueDoesNotExist: The specified queue does not exist.");
    }
    return object{{"QueueUrl", "http://h/000000000000/" + name}};
  };
  fake.handlers["GetQueueAttributes"] = [existing](const object& p) -> Result<object> {
    std::string url(p.at("QueueUrl").get_string());
    std::string name = url.substr(url.rfind('/') + 1);
    object attributes = existing->at(name);
    attributes["QueueArn"] = "arn:aws:sqs:us-east-1:000000000000:" + name;
    return object{{"Attributes", attributes}};
  };
  fake.handlers["CreateQueue"] = [existing](const object& p) -> Result<object> {
    std::string name(p.at("QueueName").get_string());
    (*existing)[name] = p.at("Attributes").get_object();
    return object{{"QueueUrl", "http://h/000000000000/" + name}};
  };
  fake.handlers["ListTopics"] = [](const object&) -> Result<object> {
    return object{{"Topics", boost::json::array{}}};
  };
}

ApplyReport MustApply(std::string_view yaml, api::ActionInvoker& invoker,
                      ApplyOptions options = {}) {
  Result<Spec> spec = ParseSpec(yaml, "r.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return Apply(*spec, invoker, options);
}

constexpr std::string_view kSourceAndDlq = R"(queues:
  jobs:
    VisibilityTimeout: 60
    dead_letter: {queue: jobs-dlq, max_receive_count: 5}
  jobs-dlq:
)";

TEST(ApplyTest, ADeadLetterQueueIsCreatedBeforeItsSourceWhichNamesItsArn) {
  FakeInvoker fake;
  std::map<std::string, object> existing;
  ServeQueues(fake, &existing);
  ApplyReport report = MustApply(kSourceAndDlq, fake);
  EXPECT_THAT(fake.Mutations(), ElementsAre("CreateQueue jobs-dlq", "CreateQueue jobs"));
  ASSERT_EQ(report.changes.size(), 2u);
  EXPECT_EQ(report.changes[0].resource, "queue jobs-dlq");
  EXPECT_EQ(report.changes[0].kind, Change::Kind::kCreated);
  EXPECT_EQ(report.Summary(), "2 created, 0 updated, 0 unchanged, 0 failed");
  EXPECT_EQ(
      boost::json::parse(existing["jobs"].at("RedrivePolicy").get_string()),
      boost::json::parse(R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:jobs-dlq",
                                   "maxReceiveCount":5})"));
  EXPECT_EQ(existing["jobs"].at("VisibilityTimeout"), "60");
}

TEST(ApplyTest, WhatAlreadyMatchesIsUnchangedAndNothingIsWritten) {
  FakeInvoker fake;
  std::map<std::string, object> existing;
  ServeQueues(fake, &existing);
  MustApply(kSourceAndDlq, fake);
  fake.calls.clear();
  // The server renders the policy with other spacing and key order.
  existing["jobs"]["RedrivePolicy"] =
      R"({ "maxReceiveCount": 5, "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:jobs-dlq" })";
  ApplyReport report = MustApply(kSourceAndDlq, fake);
  EXPECT_THAT(fake.Mutations(), ElementsAre());
  EXPECT_EQ(report.Summary(), "0 created, 0 updated, 2 unchanged, 0 failed");
  EXPECT_TRUE(report.ok());
}

TEST(ApplyTest, ARedeliveryBackoffWithItsDefaultsLeftOutIsUnchanged) {
  FakeInvoker fake;
  std::map<std::string, object> existing{
      {"jobs", object{{"FerryRedeliveryBackoff",
                       R"({"function":"linear","baseSeconds":5,"maxSeconds":43200,)"
                       R"("jitter":"none"})"}}}};
  ServeQueues(fake, &existing);
  const std::string file = "queues:\n  jobs:\n    redelivery_backoff: {function: linear, ";
  ApplyReport report = MustApply(file + "baseSeconds: 5}\n", fake);
  EXPECT_THAT(fake.Mutations(), ElementsAre());
  report = MustApply(file + "baseSeconds: 5, jitter: full}\n", fake);
  ASSERT_EQ(report.changes.size(), 1u);
  EXPECT_EQ(report.changes[0].detail, "FerryRedeliveryBackoff changed");
}

TEST(ApplyTest, OnlyTheDifferingAttributesAndTagsAreSet) {
  FakeInvoker fake;
  std::map<std::string, object> existing{
      {"jobs", object{{"VisibilityTimeout", "30"}, {"DelaySeconds", "0"}}}};
  ServeQueues(fake, &existing);
  fake.handlers["ListQueueTags"] = [](const object&) -> Result<object> {
    return object{{"Tags", object{{"team", "a"}, {"keep", "x"}}}};
  };
  ApplyReport report = MustApply(
      "queues:\n  jobs:\n    VisibilityTimeout: 90\n    DelaySeconds: 0\n    tags: {team: b, keep: "
      "x}\n",
      fake);
  ASSERT_EQ(report.changes.size(), 1u);
  EXPECT_EQ(report.changes[0].kind, Change::Kind::kUpdated);
  EXPECT_EQ(report.changes[0].detail, "VisibilityTimeout 30 -> 90; tag team a -> b");
  EXPECT_THAT(fake.Mutations(), ElementsAre("SetQueueAttributes http://h/000000000000/jobs",
                                            "TagQueue http://h/000000000000/jobs"));
  EXPECT_EQ(fake.params[fake.params.size() - 2].at("Attributes"),
            (object{{"VisibilityTimeout", "90"}}));
  EXPECT_EQ(fake.params.back().at("Tags"), (object{{"team", "b"}}));
}

TEST(ApplyTest, ADryRunReportsButChangesNothing) {
  FakeInvoker fake;
  std::map<std::string, object> existing{{"jobs", object{{"VisibilityTimeout", "30"}}}};
  ServeQueues(fake, &existing);
  ApplyReport report = MustApply(kSourceAndDlq, fake, ApplyOptions{.dry_run = true});
  EXPECT_THAT(fake.Mutations(), ElementsAre());
  ASSERT_EQ(report.changes.size(), 2u);
  EXPECT_EQ(report.changes[0].kind, Change::Kind::kCreated);  // jobs-dlq
  EXPECT_EQ(report.changes[1].kind, Change::Kind::kUpdated);
  EXPECT_THAT(report.changes[1].detail, HasSubstr("RedrivePolicy set; VisibilityTimeout 30 -> 60"));
}

TEST(ApplyTest, AQueueWhoseDeadLetterQueueFailedFailsAndOthersGoOn) {
  FakeInvoker fake;
  std::map<std::string, object> existing;
  ServeQueues(fake, &existing);
  auto create = fake.handlers["CreateQueue"];
  fake.handlers["CreateQueue"] = [create](const object& p) -> Result<object> {
    if (p.at("QueueName") == "jobs-dlq") {
      return Status::InvalidArgument("InvalidAttributeValue: Invalid value for the parameter X.");
    }
    return create(p);
  };
  ApplyReport report = MustApply(std::string(kSourceAndDlq) + "  other:\n", fake);
  ASSERT_EQ(report.changes.size(), 3u);
  EXPECT_EQ(report.changes[0].kind, Change::Kind::kFailed);
  EXPECT_EQ(report.changes[0].detail, "InvalidAttributeValue: Invalid value for the parameter X.");
  EXPECT_EQ(report.changes[1].kind, Change::Kind::kFailed);
  EXPECT_EQ(report.changes[1].detail, "dead-letter queue jobs-dlq was not applied");
  EXPECT_EQ(report.changes[2].kind, Change::Kind::kCreated);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.Summary(), "1 created, 0 updated, 0 unchanged, 2 failed");
}

TEST(ApplyTest, ADeadLetterQueueNeitherDeclaredNorExistingFailsItsSource) {
  FakeInvoker fake;
  std::map<std::string, object> existing;
  ServeQueues(fake, &existing);
  ApplyReport report =
      MustApply("queues:\n  jobs: {dead_letter: {queue: elsewhere, max_receive_count: 2}}\n", fake);
  ASSERT_EQ(report.changes.size(), 1u);
  EXPECT_EQ(report.changes[0].detail,
            "dead-letter queue elsewhere is neither declared in the file nor an existing queue");
  EXPECT_THAT(fake.Mutations(), ElementsAre());
}

TEST(ApplyTest, AnExistingUndeclaredDeadLetterQueueIsUsed) {
  FakeInvoker fake;
  std::map<std::string, object> existing{{"elsewhere", object{}}};
  ServeQueues(fake, &existing);
  ApplyReport report =
      MustApply("queues:\n  jobs: {dead_letter: {queue: elsewhere, max_receive_count: 2}}\n", fake);
  EXPECT_EQ(report.Summary(), "1 created, 0 updated, 0 unchanged, 0 failed");
}

TEST(ApplyTest, AQueueKindThatDiffersIsAFailureNotAChange) {
  FakeInvoker fake;
  std::map<std::string, object> existing{{"jobs.fifo", object{{"FifoQueue", "false"}}}};
  ServeQueues(fake, &existing);
  ApplyReport report = MustApply("queues:\n  jobs.fifo:\n", fake);
  ASSERT_EQ(report.changes.size(), 1u);
  EXPECT_EQ(report.changes[0].kind, Change::Kind::kFailed);
  EXPECT_THAT(report.changes[0].detail,
              HasSubstr("FifoQueue cannot change after the queue is created"));
  EXPECT_THAT(fake.Mutations(), ElementsAre());
}

constexpr std::string_view kTopic = R"(queues:
  q:
topics:
  t:
    DisplayName: T
    tags: {team: a}
    subscriptions:
      - protocol: sqs
        queue: q
        raw_message_delivery: true
        filter_policy: {event: [placed]}
      - protocol: https
        endpoint: https://hooks.example/x
)";

TEST(ApplyTest, ATopicAndItsSubscriptionsAreCreatedAfterTheQueues) {
  FakeInvoker fake;
  std::map<std::string, object> existing;
  ServeQueues(fake, &existing);
  fake.handlers["CreateTopic"] = [](const object&) -> Result<object> {
    return object{{"TopicArn", "arn:aws:sns:us-east-1:000000000000:t"}};
  };
  ApplyReport report = MustApply(kTopic, fake);
  EXPECT_THAT(fake.Mutations(), ElementsAre("CreateQueue q", "CreateTopic t",
                                            "Subscribe arn:aws:sns:us-east-1:000000000000:t",
                                            "Subscribe arn:aws:sns:us-east-1:000000000000:t"));
  const object create_topic = fake.ParamsOf("CreateTopic").at(0);
  EXPECT_EQ(create_topic.at("Tags"), boost::json::parse(R"([{"Key":"team","Value":"a"}])"));
  const object subscribe = fake.ParamsOf("Subscribe").at(0);
  EXPECT_EQ(subscribe.at("Endpoint"), "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(subscribe.at("Attributes").at("RawMessageDelivery"), "true");
  ASSERT_EQ(report.changes.size(), 4u);
  EXPECT_EQ(report.changes[2].resource, "subscription t -> q");
  EXPECT_EQ(report.changes[3].resource, "subscription t -> https://hooks.example/x");
  EXPECT_EQ(report.changes[3].detail, "pending confirmation by the endpoint");
}

TEST(ApplyTest, AnExistingSubscriptionGetsOnlyItsDifferingAttributes) {
  FakeInvoker fake;
  std::map<std::string, object> existing{{"q", object{}}};
  ServeQueues(fake, &existing);
  const std::string topic = "arn:aws:sns:us-east-1:000000000000:t";
  fake.handlers["ListTopics"] = [topic](const object&) -> Result<object> {
    return object{{"Topics", boost::json::array{object{{"TopicArn", topic}}}}};
  };
  fake.handlers["GetTopicAttributes"] = [](const object&) -> Result<object> {
    return object{{"Attributes", object{{"DisplayName", "T"}}}};
  };
  fake.handlers["ListTagsForResource"] = [](const object&) -> Result<object> {
    return object{{"Tags", boost::json::parse(R"([{"Key":"team","Value":"a"}])")}};
  };
  fake.handlers["ListSubscriptionsByTopic"] = [topic](const object&) -> Result<object> {
    return object{{"Subscriptions",
                   boost::json::array{object{{"SubscriptionArn", topic + ":s1"},
                                             {"Protocol", "sqs"},
                                             {"Endpoint", "arn:aws:sqs:us-east-1:000000000000:q"}},
                                      object{{"SubscriptionArn", "PendingConfirmation"},
                                             {"Protocol", "https"},
                                             {"Endpoint", "https://hooks.example/x"}}}}};
  };
  fake.handlers["GetSubscriptionAttributes"] = [](const object&) -> Result<object> {
    return object{{"Attributes", object{{"RawMessageDelivery", "true"},
                                        {"FilterPolicy", R"({"event": ["shipped"]})"}}}};
  };
  ApplyReport report = MustApply(kTopic, fake);
  EXPECT_THAT(fake.Mutations(), ElementsAre("SetSubscriptionAttributes " + topic + ":s1"));
  EXPECT_EQ(fake.params.back().at("AttributeName"), "FilterPolicy");
  ASSERT_EQ(report.changes.size(), 4u);
  EXPECT_EQ(report.changes[1].kind, Change::Kind::kUnchanged);  // the topic
  EXPECT_EQ(report.changes[2].kind, Change::Kind::kUpdated);
  EXPECT_EQ(report.changes[2].detail, "FilterPolicy changed");
  EXPECT_EQ(report.changes[3].kind, Change::Kind::kUnchanged);
  EXPECT_EQ(report.changes[3].detail, "pending confirmation by the endpoint");
}

TEST(ApplyTest, SubscriptionsOfAFailedTopicFail) {
  FakeInvoker fake;
  std::map<std::string, object> existing;
  ServeQueues(fake, &existing);
  fake.handlers["CreateTopic"] = [](const object&) -> Result<object> {
    return Status::InvalidArgument("InvalidParameter: Invalid parameter: DisplayName");
  };
  ApplyReport report = MustApply(kTopic, fake);
  ASSERT_EQ(report.changes.size(), 4u);
  EXPECT_EQ(report.changes[1].kind, Change::Kind::kFailed);
  EXPECT_EQ(report.changes[2].detail, "topic t was not applied");
  EXPECT_EQ(report.changes[3].kind, Change::Kind::kFailed);
}

TEST(ApplyTest, ApplyFileRefusesAnInvalidFileAndCallsNothing) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/r.yaml";
  std::ofstream(path) << "queues:\n  jobs:\n    Visibility: 1\n";
  FakeInvoker fake;
  Result<ApplyReport> report = ApplyFile(path, fake);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr(path + ":3:5: unknown key 'Visibility'"));
  EXPECT_TRUE(fake.calls.empty());
}

}  // namespace
}  // namespace ferry::resources
