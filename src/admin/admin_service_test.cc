#include "admin/admin_service.h"

#include <gtest/gtest.h>

#include "admin/peek_filter.h"
#include "api/errors.h"
#include "sqs/sqs_test_util.h"

namespace ferry::admin {
namespace {

using sqs::Str;

constexpr std::string_view kOther = "111111111111";

// SQS over an in-memory engine (to make queues and messages as clients do)
// and the admin service over the same engine.
class AdminServiceTest : public ::testing::Test, public sqs::SqsFixture {
 protected:
  AdminServiceTest()
      : registry(engine, sns::RegistryOptions{}),
        history(engine, clock),
        admin(engine, Options()) {}

  AdminOptions Options() {
    AdminOptions o;
    o.version = "9.9.9";
    o.data_dir = "/data";
    o.started_ms = clock.NowMs();
    o.topics = &registry;
    o.history = &history;
    o.delivery_counts = [this] { return delivery_counts; };
    return o;
  }

  Result<boost::json::object> Admin(std::string_view action, std::string_view json,
                                    std::string_view account = "000000000000") {
    api::Call call = MakeCall(action, json);
    call.service = "ferry";
    call.ctx.account_id = std::string(account);
    std::optional<Result<boost::json::object>> answer;
    admin.Invoke(std::move(call),
                 [&answer](Result<boost::json::object> a) { answer = std::move(a); });
    EXPECT_TRUE(answer.has_value()) << "the admin service answers at once";
    return answer ? std::move(*answer) : Status::Internal("no answer");
  }
  boost::json::object AdminOk(std::string_view action, std::string_view json) {
    Result<boost::json::object> a = Admin(action, json);
    EXPECT_TRUE(a.ok()) << action << ": " << a.status().message();
    return a.ok() ? std::move(a).value() : boost::json::object();
  }
  static std::string ErrorCode(const Result<boost::json::object>& a) {
    EXPECT_FALSE(a.ok());
    return a.ok() ? "" : std::string(api::ErrorFor(a.status()).code);
  }

  void SendTo(const std::string& url, std::string_view body) {
    boost::json::object p{{"QueueUrl", url}, {"MessageBody", body}};
    Ok("SendMessage", boost::json::serialize(p));
  }
  boost::json::array ReceiveFrom(const std::string& url, int64_t visibility_s = 30) {
    boost::json::object p{{"QueueUrl", url},
                          {"MaxNumberOfMessages", 10},
                          {"VisibilityTimeout", visibility_s},
                          {"AttributeNames", boost::json::array{"All"}}};
    boost::json::object out = Ok("ReceiveMessage", boost::json::serialize(p));
    return out.contains("Messages") ? out["Messages"].as_array() : boost::json::array();
  }
  boost::json::array Peek(const std::string& url, std::string_view extra = "") {
    std::string json = R"({"QueueUrl": ")" + url + "\"" + std::string(extra) + "}";
    boost::json::object out = AdminOk("PeekMessages", json);
    return out["Messages"].as_array();
  }
  // One field of each message a peek answers.
  std::vector<std::string> PeekField(const std::string& url, std::string_view extra,
                                     std::string_view field) {
    std::vector<std::string> out;
    for (const boost::json::value& m : Peek(url, extra)) {
      out.push_back(Str(m.as_object().at(field)));
    }
    return out;
  }

  // A topic of the default account in us-east-1, in the registry.
  sns::Topic MakeTopic(const std::string& name) {
    sns::Topic topic;
    topic.name = name;
    topic.account = "000000000000";
    topic.region = "us-east-1";
    topic.arn = "arn:aws:sns:us-east-1:000000000000:" + name;
    EXPECT_TRUE(registry.CreateTopic(topic).ok());
    return topic;
  }

  std::map<std::string, DeliveryCounts> delivery_counts;
  sns::Registry registry;
  QueueHistory history;
  AdminService admin;
};

TEST_F(AdminServiceTest, ListQueueStatsReportsEachQueueWithItsFiguresAndCounters) {
  const std::string url = CreateQueue("orders");
  SendTo(url, "abc");
  SendTo(url, "de");
  ASSERT_EQ(ReceiveFrom(url).size(), 2u);
  ReceiveFrom(url);  // empty
  SendTo(url, "f");
  clock.Advance(3'000);

  boost::json::object out = AdminOk("ListQueueStats", "{}");
  const boost::json::array& queues = out["Queues"].as_array();
  ASSERT_EQ(queues.size(), 1u);
  const boost::json::object& q = queues[0].as_object();
  EXPECT_EQ(Str(q.at("QueueName")), "orders");
  EXPECT_EQ(Str(q.at("QueueUrl")), url);
  EXPECT_EQ(Str(q.at("QueueArn")), "arn:aws:sqs:us-east-1:000000000000:orders");
  EXPECT_FALSE(q.at("Fifo").as_bool());
  EXPECT_EQ(q.at("Visible").to_number<int64_t>(), 1);
  EXPECT_EQ(q.at("InFlight").to_number<int64_t>(), 2);
  EXPECT_EQ(q.at("Delayed").to_number<int64_t>(), 0);
  EXPECT_EQ(q.at("OldestMessageAgeSeconds").to_number<int64_t>(), 3);
  EXPECT_EQ(q.at("Sent").to_number<int64_t>(), 3);
  EXPECT_EQ(q.at("Received").to_number<int64_t>(), 2);
  EXPECT_EQ(q.at("EmptyReceives").to_number<int64_t>(), 1);
  EXPECT_EQ(q.at("Deleted").to_number<int64_t>(), 0);
  EXPECT_EQ(q.at("MovedToDeadLetter").to_number<int64_t>(), 0);
  EXPECT_FALSE(q.contains("DeadLetterTargetArn")) << "no RedrivePolicy";
}

TEST_F(AdminServiceTest, ListQueueStatsBodyBytesCountTheStoredPayload) {
  // SentBytes counts what the engine stores (body and attributes encoded),
  // which is at least the body.
  const std::string url = CreateQueue("q");
  SendTo(url, "hello");
  boost::json::object out = AdminOk("ListQueueStats", "{}");
  EXPECT_GE(out["Queues"].as_array()[0].as_object().at("SentBytes").to_number<int64_t>(), 5);
}

TEST_F(AdminServiceTest, ListQueueStatsFiltersByPrefixAndShowsOnlyTheCallersQueues) {
  CreateQueue("orders");
  CreateQueue("orders-dlq");
  CreateQueue("billing");
  ASSERT_TRUE(engine.CreateQueue(std::string(kOther) + "//orders-secret", {}, {}).ok());

  boost::json::object out = AdminOk("ListQueueStats", R"({"QueueNamePrefix": "orders"})");
  const boost::json::array& queues = out["Queues"].as_array();
  ASSERT_EQ(queues.size(), 2u);
  EXPECT_EQ(Str(queues[0].as_object().at("QueueName")), "orders");
  EXPECT_EQ(Str(queues[1].as_object().at("QueueName")), "orders-dlq");

  Result<boost::json::object> other = Admin("ListQueueStats", "{}", kOther);
  ASSERT_TRUE(other.ok());
  ASSERT_EQ((*other)["Queues"].as_array().size(), 1u);
  EXPECT_EQ(Str((*other)["Queues"].as_array()[0].as_object().at("QueueArn")),
            "arn:aws:sqs:us-east-1:111111111111:orders-secret");
}

TEST_F(AdminServiceTest, ListQueueStatsNamesTheDeadLetterTargetOfARedrivePolicy) {
  CreateQueue("dlq");
  CreateQueue(
      "src",
      R"({"RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"3\"}"})");
  boost::json::object out = AdminOk("ListQueueStats", R"({"QueueNamePrefix": "src"})");
  const boost::json::object& q = out["Queues"].as_array()[0].as_object();
  EXPECT_EQ(Str(q.at("DeadLetterTargetArn")), "arn:aws:sqs:us-east-1:000000000000:dlq");
  EXPECT_EQ(q.at("MaxReceiveCount").to_number<int64_t>(), 3);
}

TEST_F(AdminServiceTest, PeekMessagesLeavesReceiveCountsAndVisibilityUnchanged) {
  const std::string url = CreateQueue("q");
  SendTo(url, "hello");
  ASSERT_EQ(Peek(url).size(), 1u);
  ASSERT_EQ(Peek(url).size(), 1u);
  boost::json::array got = ReceiveFrom(url);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Str(got[0].as_object().at("Attributes").as_object().at("ApproximateReceiveCount")),
            "1");
}

TEST_F(AdminServiceTest, PeekMessagesShowsBodyDigestStateAndTimes) {
  const std::string url = CreateQueue("q");
  const TimeMs sent = clock.NowMs();
  SendTo(url, "hello");
  boost::json::array got = Peek(url);
  ASSERT_EQ(got.size(), 1u);
  const boost::json::object& m = got[0].as_object();
  EXPECT_EQ(Str(m.at("Body")), "hello");
  EXPECT_EQ(Str(m.at("MD5OfBody")), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Str(m.at("State")), "visible");
  EXPECT_EQ(Str(m.at("SequenceNumber")), "1");
  EXPECT_EQ(m.at("SentTimestamp").to_number<int64_t>(), sent);
  EXPECT_EQ(m.at("ApproximateReceiveCount").to_number<int64_t>(), 0);
  EXPECT_EQ(m.at("ApproximateFirstReceiveTimestamp").to_number<int64_t>(), 0);
  EXPECT_EQ(m.at("VisibleAtTimestamp").to_number<int64_t>(), sent);
  EXPECT_EQ(Str(m.at("MessageId")).size(), 36u);
  EXPECT_FALSE(m.contains("MessageAttributes"));
}

TEST_F(AdminServiceTest, PeekMessagesReportsReceivedMessagesAsInflight) {
  const std::string url = CreateQueue("q");
  SendTo(url, "m");
  ASSERT_EQ(ReceiveFrom(url, 60).size(), 1u);
  boost::json::array got = Peek(url);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Str(got[0].as_object().at("State")), "inflight");
  EXPECT_EQ(got[0].as_object().at("ApproximateReceiveCount").to_number<int64_t>(), 1);
  EXPECT_TRUE(Peek(url, R"(, "IncludeInFlight": false)").empty());
}

TEST_F(AdminServiceTest, PeekMessagesReportsDelayedMessages) {
  const std::string url = CreateQueue("q");
  boost::json::object p{{"QueueUrl", url}, {"MessageBody", "later"}, {"DelaySeconds", 30}};
  Ok("SendMessage", boost::json::serialize(p));
  boost::json::array got = Peek(url);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Str(got[0].as_object().at("State")), "delayed");
  EXPECT_TRUE(Peek(url, R"(, "IncludeDelayed": false)").empty());
}

TEST_F(AdminServiceTest, PeekMessagesDecodesMessageAttributesAndFifoIds) {
  const std::string url = CreateQueue("q.fifo", R"({"FifoQueue": "true"})");
  boost::json::object p{
      {"QueueUrl", url},
      {"MessageBody", "m"},
      {"MessageGroupId", "g1"},
      {"MessageDeduplicationId", "d1"},
      {"MessageAttributes",
       boost::json::object{
           {"k", boost::json::object{{"DataType", "String"}, {"StringValue", "v"}}},
           {"b", boost::json::object{{"DataType", "Binary"}, {"BinaryValue", "AAE="}}}}}};
  Ok("SendMessage", boost::json::serialize(p));
  boost::json::array got = Peek(url);
  ASSERT_EQ(got.size(), 1u);
  const boost::json::object& m = got[0].as_object();
  EXPECT_EQ(Str(m.at("MessageGroupId")), "g1");
  EXPECT_EQ(Str(m.at("MessageDeduplicationId")), "d1");
  const boost::json::object& attrs = m.at("MessageAttributes").as_object();
  EXPECT_EQ(Str(attrs.at("k").as_object().at("StringValue")), "v");
  EXPECT_EQ(Str(attrs.at("k").as_object().at("DataType")), "String");
  EXPECT_EQ(Str(attrs.at("b").as_object().at("BinaryValue")), "AAE=");
  EXPECT_EQ(m.at("MD5OfMessageAttributes").as_string().size(), 32u);
}

TEST_F(AdminServiceTest, PeekMessagesPagesWithNextSequence) {
  const std::string url = CreateQueue("q");
  for (int i = 0; i < 5; ++i) SendTo(url, "m" + std::to_string(i));
  boost::json::object first =
      AdminOk("PeekMessages", R"({"QueueUrl": ")" + url + R"(", "MaxNumberOfMessages": 3})");
  ASSERT_EQ(first["Messages"].as_array().size(), 3u);
  ASSERT_TRUE(first.contains("NextSequence"));
  EXPECT_EQ(Str(first["NextSequence"]), "3");
  boost::json::object second =
      AdminOk("PeekMessages", R"({"QueueUrl": ")" + url +
                                  R"(", "MaxNumberOfMessages": 3, "StartAfterSequence": "3"})");
  ASSERT_EQ(second["Messages"].as_array().size(), 2u);
  EXPECT_EQ(Str(second["Messages"].as_array()[0].as_object().at("Body")), "m3");
  EXPECT_FALSE(second.contains("NextSequence")) << "nothing after the last page";
}

TEST_F(AdminServiceTest, PeekMessagesRefusesAnotherAccountsQueueAsNonexistent) {
  ASSERT_TRUE(engine.CreateQueue(std::string(kOther) + "//secret", {}, {}).ok());
  EXPECT_EQ(ErrorCode(Admin("PeekMessages",
                            R"({"QueueUrl": "http://localhost:9324/111111111111/secret"})")),
            "QueueDoesNotExist");
  Result<boost::json::object> own =
      Admin("PeekMessages", R"({"QueueUrl": "http://localhost:9324/111111111111/secret"})", kOther);
  EXPECT_TRUE(own.ok()) << "its owner may peek";
}

TEST_F(AdminServiceTest, PeekMessagesValidatesItsParameters) {
  const std::string url = CreateQueue("q");
  EXPECT_EQ(ErrorCode(Admin("PeekMessages", "{}")), "MissingParameter");
  EXPECT_EQ(ErrorCode(Admin("PeekMessages",
                            R"({"QueueUrl": "http://localhost:9324/000000000000/none"})")),
            "QueueDoesNotExist");
  for (std::string_view bad : {"0", "101"}) {
    EXPECT_EQ(ErrorCode(Admin("PeekMessages", R"({"QueueUrl": ")" + url +
                                                  R"(", "MaxNumberOfMessages": )" +
                                                  std::string(bad) + "}")),
              "InvalidParameterValue");
  }
  EXPECT_EQ(ErrorCode(Admin("PeekMessages",
                            R"({"QueueUrl": ")" + url + R"(", "StartAfterSequence": "x"})")),
            "InvalidParameterValue");
}

TEST_F(AdminServiceTest, PeekMessagesFiltersOnAttributesAndBody) {
  const std::string url = CreateQueue("q");
  for (int i = 0; i < 6; ++i) {
    boost::json::object attrs{
        {"n", boost::json::object{{"DataType", "Number"}, {"StringValue", std::to_string(i)}}}};
    if (i % 2 == 0) {
      attrs["color"] =
          boost::json::object{{"DataType", "String"}, {"StringValue", "red-" + std::to_string(i)}};
    }
    boost::json::object p{{"QueueUrl", url},
                          {"MessageBody", "body " + std::to_string(i)},
                          {"MessageAttributes", std::move(attrs)}};
    Ok("SendMessage", boost::json::serialize(p));
  }
  auto bodies = [&](std::string_view extra) { return PeekField(url, extra, "Body"); };
  using V = std::vector<std::string>;
  EXPECT_EQ(bodies(R"(, "MessageAttributeFilter": {"n": "4.0"})"), V{"body 4"});
  EXPECT_EQ(bodies(R"(, "MessageAttributeFilter": {"color": {"Exists": false}})"),
            (V{"body 1", "body 3", "body 5"}));
  EXPECT_EQ(bodies(R"(, "MessageAttributeFilter": {"color": {"Prefix": "red-"}, "n": "2"})"),
            V{"body 2"});
  EXPECT_EQ(bodies(R"(, "BodyContains": "y 5")"), V{"body 5"});
  EXPECT_TRUE(bodies(R"(, "MessageAttributeFilter": {"color": "red"})").empty());
}

TEST_F(AdminServiceTest, PeekMessagesWithAFilterPagesByTheLastMatchReturned) {
  const std::string url = CreateQueue("q");
  for (int i = 1; i <= 30; ++i) SendTo(url, i % 7 == 0 ? "hit" : "miss");
  std::string start = "0";
  std::vector<std::string> seqs;
  for (int call = 0; call < 10; ++call) {
    boost::json::object out = AdminOk(
        "PeekMessages",
        R"({"QueueUrl": ")" + url +
            R"(", "MaxNumberOfMessages": 2, "BodyContains": "hit", "StartAfterSequence": ")" +
            start + "\"}");
    for (const boost::json::value& m : out["Messages"].as_array()) {
      seqs.push_back(Str(m.as_object().at("SequenceNumber")));
    }
    if (!out.contains("NextSequence")) break;
    start = Str(out["NextSequence"]);
  }
  EXPECT_EQ(seqs, (std::vector<std::string>{"7", "14", "21", "28"}));
}

TEST_F(AdminServiceTest, PeekMessagesStatesChooseWhichMessagesAreShown) {
  const std::string url = CreateQueue("q");
  SendTo(url, "received");
  ASSERT_EQ(ReceiveFrom(url, 60).size(), 1u);
  SendTo(url, "visible");
  boost::json::object p{{"QueueUrl", url}, {"MessageBody", "later"}, {"DelaySeconds", 30}};
  Ok("SendMessage", boost::json::serialize(p));
  auto states = [&](std::string_view extra) { return PeekField(url, extra, "State"); };
  using V = std::vector<std::string>;
  EXPECT_EQ(states(R"(, "States": ["delayed", "inflight"])"), (V{"inflight", "delayed"}));
  EXPECT_EQ(states(R"(, "States": ["visible"], "IncludeInFlight": true)"), V{"visible"})
      << "States replaces IncludeInFlight and IncludeDelayed";
  EXPECT_EQ(states(""), (V{"inflight", "visible", "delayed"}));
  EXPECT_EQ(ErrorCode(Admin("PeekMessages", R"({"QueueUrl": ")" + url + R"(", "States": []})")),
            "InvalidParameterValue");
  EXPECT_EQ(
      ErrorCode(Admin("PeekMessages", R"({"QueueUrl": ")" + url + R"(", "States": ["gone"]})")),
      "InvalidParameterValue");
}

TEST_F(AdminServiceTest, PeekMessagesReadsTheDeadLetterQueueOfARedrivePolicy) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src = CreateQueue(
      "src",
      R"({"RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"3\"}"})");
  SendTo(src, "at the source");
  SendTo(dlq, "dead");
  boost::json::object out =
      AdminOk("PeekMessages", R"({"QueueUrl": ")" + src + R"(", "DeadLetterQueue": true})");
  EXPECT_EQ(Str(out["QueueUrl"]), dlq);
  ASSERT_EQ(out["Messages"].as_array().size(), 1u);
  EXPECT_EQ(Str(out["Messages"].as_array()[0].as_object().at("Body")), "dead");
  EXPECT_EQ(Str(AdminOk("PeekMessages", R"({"QueueUrl": ")" + src + "\"}")["QueueUrl"]), src);
  Result<boost::json::object> none =
      Admin("PeekMessages", R"({"QueueUrl": ")" + dlq + R"(", "DeadLetterQueue": true})");
  EXPECT_EQ(ErrorCode(none), "InvalidParameterValue");
  EXPECT_NE(none.status().message().find("has no dead-letter queue"), std::string::npos);
}

TEST_F(AdminServiceTest, PeekMessagesRefusesAMalformedFilter) {
  const std::string url = CreateQueue("q");
  std::string eleven;
  for (int i = 0; i < 11; ++i)
    eleven += (i ? ", " : "") + ("\"a" + std::to_string(i) + "\": \"v\"");
  for (const std::string& bad : std::vector<std::string>{
           R"("MessageAttributeFilter": "x")", R"("MessageAttributeFilter": {"a": 1})",
           R"("MessageAttributeFilter": {"a": {"Exists": "yes"}})",
           R"("MessageAttributeFilter": {"a": {"Prefix": ""}})",
           R"("MessageAttributeFilter": {"a": {"Prefix": "x", "Exists": true}})",
           R"("MessageAttributeFilter": {"a": {"Like": "x"}})",
           R"("MessageAttributeFilter": {)" + eleven + "}",
           R"("MessageAttributeFilter": {"": "v"})", R"("BodyContains": "")",
           R"("BodyContains": ")" + std::string(kMaxFilterValueBytes + 1, 'x') + "\""}) {
    EXPECT_EQ(ErrorCode(Admin("PeekMessages", R"({"QueueUrl": ")" + url + "\", " + bad + "}")),
              "InvalidParameterValue")
        << bad;
  }
}

TEST_F(AdminServiceTest, GetQueueHistoryReturnsTheSamplesOldestFirst) {
  const std::string url = CreateQueue("q");
  history.Tick();
  SendTo(url, "m");
  clock.Advance(QueueHistory::kIntervalMs);
  history.Tick();
  boost::json::object out = AdminOk("GetQueueHistory", R"({"QueueUrl": ")" + url + "\"}");
  EXPECT_EQ(out["IntervalSeconds"].to_number<int64_t>(), 10);
  const boost::json::array& samples = out["Samples"].as_array();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].as_object().at("Visible").to_number<int64_t>(), 0);
  EXPECT_EQ(samples[1].as_object().at("Visible").to_number<int64_t>(), 1);
  EXPECT_EQ(samples[1].as_object().at("Sent").to_number<int64_t>(), 1);
  EXPECT_EQ(samples[1].as_object().at("Timestamp").to_number<int64_t>(),
            samples[0].as_object().at("Timestamp").to_number<int64_t>() + 10);
}

TEST_F(AdminServiceTest, GetServerStatusCountsTheCallersQueuesTopicsAndMessages) {
  const std::string a = CreateQueue("a");
  CreateQueue("b");
  SendTo(a, "1");
  SendTo(a, "2");
  ReceiveFrom(a);
  SendTo(a, "3");
  ASSERT_TRUE(engine.CreateQueue(std::string(kOther) + "//theirs", {}, {}).ok());
  const sns::Topic topic = MakeTopic("t");
  sns::Subscription sub;
  sub.topic_arn = topic.arn;
  sub.owner = "000000000000";
  sub.endpoint = "arn:aws:sqs:us-east-1:000000000000:b";
  sub.confirmed = true;
  ASSERT_TRUE(registry.Subscribe(sub).ok());
  clock.Advance(5'000);

  boost::json::object s = AdminOk("GetServerStatus", "{}");
  EXPECT_EQ(Str(s["Version"]), "9.9.9");
  EXPECT_TRUE(s["Ready"].as_bool());
  EXPECT_EQ(Str(s["Mode"]), "open");
  EXPECT_EQ(s["UptimeSeconds"].to_number<int64_t>(), 5);
  EXPECT_EQ(Str(s["Region"]), "us-east-1");
  EXPECT_EQ(Str(s["AccountId"]), "000000000000");
  EXPECT_EQ(s["Queues"].to_number<int64_t>(), 2);
  EXPECT_EQ(s["Topics"].to_number<int64_t>(), 1);
  EXPECT_EQ(s["Subscriptions"].to_number<int64_t>(), 1);
  EXPECT_EQ(s["Visible"].to_number<int64_t>(), 1);
  EXPECT_EQ(s["InFlight"].to_number<int64_t>(), 2);
  EXPECT_EQ(s["Delayed"].to_number<int64_t>(), 0);
  EXPECT_EQ(Str(s["Engine"]), "local");
  EXPECT_EQ(Str(s["DataDir"]), "/data");
  EXPECT_FALSE(s["InMemory"].as_bool());

  Result<boost::json::object> other = Admin("GetServerStatus", "{}", kOther);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)["Queues"].to_number<int64_t>(), 1);
  EXPECT_EQ((*other)["Topics"].to_number<int64_t>(), 0);
}

TEST_F(AdminServiceTest, ListSubscriptionStatsShowsTheCallersHttpSubscriptionsWithTheirCounts) {
  const sns::Topic topic = MakeTopic("t");
  auto subscribe = [&](sns::Protocol protocol, std::string endpoint, bool confirmed) {
    sns::Subscription sub;
    sub.topic_arn = topic.arn;
    sub.owner = "000000000000";
    sub.protocol = protocol;
    sub.endpoint = std::move(endpoint);
    sub.confirmed = confirmed;
    auto made = registry.Subscribe(sub);
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? made->subscription->arn : std::string();
  };
  const std::string hook = subscribe(sns::Protocol::kHttp, "http://127.0.0.1:1/hook", true);
  const std::string pending =
      subscribe(sns::Protocol::kHttps, "https://127.0.0.1:1/pending", false);
  CreateQueue("q");
  subscribe(sns::Protocol::kSqs, "arn:aws:sqs:us-east-1:000000000000:q", true);
  delivery_counts[hook] = DeliveryCounts{
      .attempts = 7, .successes = 3, .failures = 4, .retries = 3, .dead_lettered = 1, .dropped = 0};

  boost::json::object out = AdminOk("ListSubscriptionStats", "{}");
  const boost::json::array& subs = out["Subscriptions"].as_array();
  ASSERT_EQ(subs.size(), 2u) << "the sqs subscription is not listed";
  const boost::json::object& h = subs[0].as_object();
  EXPECT_EQ(Str(h.at("SubscriptionArn")), hook);
  EXPECT_FALSE(h.at("PendingConfirmation").as_bool());
  EXPECT_EQ(Str(h.at("Protocol")), "http");
  EXPECT_EQ(Str(h.at("Endpoint")), "http://127.0.0.1:1/hook");
  EXPECT_EQ(h.at("Attempts").to_number<int64_t>(), 7);
  EXPECT_EQ(h.at("Successes").to_number<int64_t>(), 3);
  EXPECT_EQ(h.at("Failures").to_number<int64_t>(), 4);
  EXPECT_EQ(h.at("Retries").to_number<int64_t>(), 3);
  EXPECT_EQ(h.at("DeadLettered").to_number<int64_t>(), 1);
  EXPECT_EQ(h.at("Waiting").to_number<int64_t>(), 0);
  const boost::json::object& p = subs[1].as_object();
  EXPECT_EQ(Str(p.at("SubscriptionArn")), pending);
  EXPECT_TRUE(p.at("PendingConfirmation").as_bool());
  EXPECT_EQ(Str(p.at("Protocol")), "https");
  EXPECT_EQ(p.at("Attempts").to_number<int64_t>(), 0);
  EXPECT_EQ(p.at("Waiting").to_number<int64_t>(), 1) << "its SubscriptionConfirmation waits";

  EXPECT_EQ(AdminOk("ListSubscriptionStats",
                    R"({"TopicArn": "arn:aws:sns:us-east-1:000000000000:t"})")["Subscriptions"]
                .as_array()
                .size(),
            2u);
  EXPECT_EQ(ErrorCode(Admin("ListSubscriptionStats",
                            R"({"TopicArn": "arn:aws:sns:us-east-1:000000000000:nope"})")),
            "NotFound");
  Result<boost::json::object> other = Admin("ListSubscriptionStats", "{}", kOther);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)["Subscriptions"].as_array().empty())
      << "another account's subscriptions are not shown";
}

TEST(AdminService, ReadinessComesFromTheCallbackItIsGiven) {
  FakeClock clock;
  engine::LocalEngine engine(clock, engine::NewMemoryBodyStore());
  AdminOptions options;
  options.authenticated = true;
  options.ready = [] { return false; };
  AdminService admin(engine, std::move(options));
  api::Call call;
  call.action = "GetServerStatus";
  std::optional<Result<boost::json::object>> answer;
  admin.Invoke(std::move(call),
               [&answer](Result<boost::json::object> a) { answer = std::move(a); });
  ASSERT_TRUE(answer.has_value() && answer->ok());
  EXPECT_FALSE((**answer)["Ready"].as_bool());
  EXPECT_EQ(Str((**answer)["Mode"]), "authenticated");
}

TEST(AdminService, KnowsItsActionsOnly) {
  FakeClock clock;
  engine::LocalEngine engine(clock, engine::NewMemoryBodyStore());
  AdminService admin(engine, AdminOptions{});
  for (std::string_view a : {"ListQueueStats", "PeekMessages", "GetQueueHistory", "GetServerStatus",
                             "ListSubscriptionStats"}) {
    EXPECT_TRUE(admin.Knows(a)) << a;
  }
  EXPECT_FALSE(admin.Knows("SendMessage"));
  EXPECT_EQ(admin.descriptor().target_prefix, "Ferry");
  EXPECT_EQ(admin.descriptor().signing_name, "ferry");
}

}  // namespace
}  // namespace ferry::admin
