#include "resources/spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "resources/spec_test_util.h"

namespace ferry::resources {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(std::string_view text) {
  Result<Spec> spec = ParseSpec(text, "r.yaml");
  EXPECT_FALSE(spec.ok());
  return spec.ok() ? "" : spec.status().message();
}

TEST(SpecTest, QueueAttributesBecomeTheTextTheActionsTake) {
  Spec spec = MustParse(R"(
queues:
  jobs:
    VisibilityTimeout: 60
    SqsManagedSseEnabled: False
    tags: {team: a, empty: }
)");
  ASSERT_EQ(spec.queues.size(), 1u);
  const QueueSpec& q = spec.queues[0];
  EXPECT_EQ(q.name, "jobs");
  EXPECT_EQ(q.attributes.at("VisibilityTimeout"), "60");
  EXPECT_EQ(q.attributes.at("SqsManagedSseEnabled"), "false");
  EXPECT_EQ(q.tags.at("team"), "a");
  EXPECT_EQ(q.tags.at("empty"), "");
  EXPECT_EQ(q.at.ToString(), "r.yaml:3:3");
}

TEST(SpecTest, AnEmptyFileDeclaresNothing) {
  Spec spec = MustParse("");
  EXPECT_TRUE(spec.queues.empty());
  EXPECT_TRUE(spec.topics.empty());
}

TEST(SpecTest, AQueueWithNoSettingsIsDeclared) {
  Spec spec = MustParse("queues:\n  plain:\n  other: {}\n");
  ASSERT_EQ(spec.queues.size(), 2u);
  EXPECT_TRUE(spec.queues[0].attributes.empty());
}

TEST(SpecTest, PoliciesAreRenderedToJsonWithPlainScalarsTyped) {
  Spec spec = MustParse(R"(
topics:
  orders:
    subscriptions:
      - protocol: sqs
        queue: inventory
        filter_policy:
          event: [order_placed]
          quantity: [{numeric: [">", 0]}]
          gift: [{exists: true}]
          code: ["007"]
          version: "2"
)");
  ASSERT_EQ(spec.topics.size(), 1u);
  ASSERT_EQ(spec.topics[0].subscriptions.size(), 1u);
  const auto& sub = spec.topics[0].subscriptions[0];
  EXPECT_EQ(boost::json::parse(sub.attributes.at("FilterPolicy")),
            boost::json::parse(R"({"event":["order_placed"],"quantity":[{"numeric":[">",0]}],
                                   "gift":[{"exists":true}],"code":["007"],"version":"2"})"));
}

TEST(SpecTest, ARedeliveryBackoffIsRenderedToJson) {
  Spec spec =
      MustParse("queues:\n  jobs:\n    redelivery_backoff: {function: linear, baseSeconds: 5}\n");
  EXPECT_EQ(boost::json::parse(spec.queues[0].attributes.at("FerryRedeliveryBackoff")),
            boost::json::parse(R"({"function":"linear","baseSeconds":5})"));
  EXPECT_THAT(ErrorOf("queues:\n  jobs:\n    FerryRedeliveryBackoff: '{}'\n"),
              HasSubstr("write it as 'redelivery_backoff' (a YAML mapping)"));
}

TEST(SpecTest, AFifoNameMakesAFifoQueue) {
  Spec spec = MustParse("queues:\n  jobs.fifo:\n    ContentBasedDeduplication: true\n");
  EXPECT_EQ(spec.queues[0].attributes.at("FifoQueue"), "true");
  EXPECT_TRUE(spec.queues[0].fifo());
}

TEST(SpecTest, FifoQueueNeedsAFifoName) {
  EXPECT_THAT(
      ErrorOf("queues:\n  jobs:\n    FifoQueue: true\n"),
      HasSubstr("r.yaml:2:3: queue 'jobs': FifoQueue true needs a name that ends in .fifo"));
}

TEST(SpecTest, AnUnknownKeyIsAnErrorWithItsPlace) {
  EXPECT_EQ(ErrorOf("queues:\n  jobs:\n    VisibilityTimeOut: 60\n"),
            "r.yaml:3:5: unknown key 'VisibilityTimeOut' in queue 'jobs' (known: AWS queue "
            "attributes such as VisibilityTimeout, dead_letter, tags, policy, "
            "redrive_allow_policy, alarms)");
  EXPECT_THAT(ErrorOf("queus:\n  jobs:\n"),
              HasSubstr("r.yaml:1:1: unknown key 'queus' at the top"));
}

TEST(SpecTest, AnAttributeWrittenAsYamlElsewhereSaysWhere) {
  EXPECT_THAT(ErrorOf("queues:\n  jobs:\n    RedrivePolicy: '{}'\n"),
              HasSubstr("r.yaml:3:5: unknown key 'RedrivePolicy' in queue 'jobs': write it as "
                        "'dead_letter'"));
}

TEST(SpecTest, APushConsumerIsWrittenAsYamlAndBecomesItsAttribute) {
  Spec spec = MustParse(
      "queues:\n  jobs:\n    push_consumer:\n      endpoint: https://w.example.com/jobs\n"
      "      batchSize: 50\n      signingSecret: '1234567890123456'\n");
  EXPECT_EQ(boost::json::parse(spec.queues[0].attributes.at("FerryPushConsumer")),
            boost::json::parse(R"({"endpoint":"https://w.example.com/jobs","batchSize":50,
                                   "signingSecret":"1234567890123456"})"));
  EXPECT_THAT(ErrorOf("queues:\n  jobs:\n    FerryPushConsumer: '{}'\n"),
              HasSubstr("write it as 'push_consumer'"));
}

TEST(SpecTest, EveryProblemIsReportedOnItsOwnLine) {
  const std::string error = ErrorOf(R"(queues:
  a:
    VisibilityTimeout: soon
    DelaySeconds: [1]
topics:
  t:
    subscriptions:
      - protocol: email
)");
  EXPECT_THAT(error,
              HasSubstr("r.yaml:3:24: VisibilityTimeout must be a whole number, not 'soon'\n"));
  EXPECT_THAT(error, HasSubstr("r.yaml:4:19: DelaySeconds must be a single value\n"));
  EXPECT_THAT(error, HasSubstr("r.yaml:8:9: protocol 'email' is not one of sqs, http, https"));
}

TEST(SpecTest, MalformedYamlNamesTheLine) {
  EXPECT_THAT(ErrorOf("queues:\n  a: [1\n"), HasSubstr("r.yaml:3:1: "));
}

TEST(SpecTest, AMissingFileIsAnError) {
  Result<Spec> spec = ParseSpecFile("/nonexistent/resources.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message(), "/nonexistent/resources.yaml: cannot read the file");
}

TEST(SpecTest, ADeadLetterNeedsAQueueAndACount) {
  EXPECT_THAT(ErrorOf("queues:\n  a:\n    dead_letter: {queue: b}\n"),
              HasSubstr("r.yaml:3:18: dead_letter needs max_receive_count (1 to 1000)"));
  EXPECT_THAT(ErrorOf("queues:\n  a:\n    dead_letter: {queue: b, max_receive_count: 0}\n"),
              HasSubstr("max_receive_count must be from 1 to 1000"));
}

TEST(SpecTest, ACycleOfDeadLetterQueuesIsRefused) {
  const std::string error = ErrorOf(R"(queues:
  a: {dead_letter: {queue: b, max_receive_count: 1}}
  b: {dead_letter: {queue: c, max_receive_count: 1}}
  c: {dead_letter: {queue: a, max_receive_count: 1}}
)");
  EXPECT_THAT(error, HasSubstr("r.yaml:2:3: queue 'a' is in a cycle of dead-letter queues"));
  EXPECT_THAT(ErrorOf("queues:\n  a: {dead_letter: {queue: a, max_receive_count: 1}}\n"),
              HasSubstr("queue 'a' is its own dead-letter queue"));
}

TEST(SpecTest, AFifoQueueNeedsAFifoDeadLetterQueue) {
  EXPECT_THAT(ErrorOf("queues:\n  a.fifo: {dead_letter: {queue: b, max_receive_count: 1}}\n  b:\n"),
              HasSubstr("must both be FIFO or both standard"));
}

TEST(SpecTest, DeadLetterQueuesComeBeforeTheirSources) {
  Spec spec = MustParse(R"(queues:
  source: {dead_letter: {queue: middle, max_receive_count: 1}}
  middle: {dead_letter: {queue: last, max_receive_count: 1}}
  other:
  last:
)");
  std::vector<std::string> order;
  for (const QueueSpec* q : QueuesInDependencyOrder(spec)) order.push_back(q->name);
  EXPECT_EQ(order, (std::vector<std::string>{"last", "middle", "source", "other"}));
}

TEST(SpecTest, SubscriptionsAreChecked) {
  EXPECT_THAT(ErrorOf("topics:\n  t:\n    subscriptions:\n      - {protocol: sqs}\n"),
              HasSubstr("an sqs subscription needs either queue (a name) or endpoint"));
  EXPECT_THAT(ErrorOf("topics:\n  t:\n    subscriptions:\n      - {protocol: https, endpoint: "
                      "http://x}\n"),
              HasSubstr("an https subscription needs an endpoint https://"));
  EXPECT_THAT(ErrorOf("topics:\n  t:\n    subscriptions:\n      - {protocol: sqs, queue: q, "
                      "delivery_policy: {}}\n"),
              HasSubstr("delivery_policy is for http and https subscriptions only"));
  EXPECT_THAT(ErrorOf("topics:\n  t:\n    subscriptions:\n      - {protocol: sqs, queue: q}\n"
                      "      - {protocol: sqs, queue: q}\n"),
              HasSubstr("r.yaml:5:9: topic 't' subscribes sqs q twice"));
  EXPECT_THAT(ErrorOf("queues:\n  q.fifo:\ntopics:\n  t:\n    subscriptions:\n"
                      "      - {protocol: sqs, queue: q.fifo}\n"),
              HasSubstr("cannot be subscribed to the standard topic 't'"));
}

TEST(SpecTest, ANameGivenTwiceIsAnError) {
  EXPECT_THAT(ErrorOf("queues:\n  a:\n  a:\n"), HasSubstr("r.yaml:3:3: 'a' is declared twice"));
}

TEST(SpecTest, ControlCharactersInAProblemAreEscapedSoItStaysOnItsLine) {
  // Found by resources_spec_fuzz: yaml-cpp's message quotes the character
  // it could not read, here a line break.
  constexpr char kInput[] = "queues:\n  q:\n   \x01\0\trms: {messa\0\ns_visible_r: 5x}\n";
  EXPECT_EQ(ErrorOf(std::string_view(kInput, sizeof(kInput) - 1)),
            "r.yaml:4:1: unknown escape character: \\x0a");
  EXPECT_THAT(ErrorOf("queues:\n  q:\n    \"a\\nb\": 1\n"),
              HasSubstr("r.yaml:3:5: unknown key 'a\\x0ab' in queue 'q'"));
}

TEST(SpecTest, DeepFlowNestingIsRefusedBeforeYamlCppRecurses) {
  const std::string deep =
      "queues: {q: {policy: " + std::string(3000, '[') + std::string(3000, ']') + "}}\n";
  EXPECT_EQ(ErrorOf(deep), "r.yaml:1:1: the file nests [ and { deeper than 64 levels");
}

TEST(SpecTest, BracketsInQuotesAndCommentsDoNotCountAsNesting) {
  const std::string text = "queues:\n  q:  # " + std::string(100, '[') + "\n    tags: {a: \"" +
                           std::string(100, '{') + "\", b: '" + std::string(100, '[') + "'}\n";
  EXPECT_EQ(MustParse(text).queues.at(0).tags.at("a"), std::string(100, '{'));
}

TEST(SpecTest, DeepBlockNestingIsRefusedWithItsReason) {
  std::string deep = "queues:\n  q:\n    policy:\n";
  for (int i = 0; i < 100; ++i) deep += std::string(6 + 2 * i, ' ') + "k:\n";
  EXPECT_THAT(ErrorOf(deep),
              HasSubstr(": the file nests deeper than 64 levels, counting each alias as what "
                        "it names"));
}

TEST(SpecTest, AnAliasThatContainsItselfIsRefused) {
  EXPECT_THAT(ErrorOf("queues:\n  q:\n    policy: &p {Statement: [*p]}\n"),
              HasSubstr("r.yaml:3:13: the file nests deeper than 64 levels"));
}

TEST(SpecTest, AliasesStandingForTooManyValuesAreRefused) {
  std::string text = "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int i = 1; i < 8; ++i) {
    const std::string prev = "*x" + std::to_string(i - 1);
    text += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", " : "") + prev;
    text += "]\n";
  }
  EXPECT_THAT(ErrorOf(text),
              HasSubstr(": the file has more than 200000 values, counting each alias as what "
                        "it names"));
}

TEST(SpecTest, TextThatIsNotUtf8IsRefusedWithItsPlace) {
  // Found by resources_spec_fuzz: a policy with such a byte rendered to JSON
  // text that is no JSON.
  EXPECT_EQ(ErrorOf("queues:\n  q\xea:\n"), "r.yaml:2:4: the file is not UTF-8");
  // yaml-cpp refuses an escaped lone surrogate itself.
  EXPECT_EQ(ErrorOf("queues:\n  q:\n    policy: {Resource: \"a\\uD800\"}\n"),
            "r.yaml:3:32: invalid unicode: 55296");
}

TEST(SpecTest, AFileOverOneMebibyteIsRefused) {
  const std::string big = "# " + std::string(1 << 20, 'x') + "\n";
  EXPECT_EQ(ErrorOf(big), "r.yaml:1:1: the file is larger than 1048576 bytes");
}

TEST(SpecTest, LongScalarsAreMatchedWithoutRecursion) {
  // std::regex recursed once per character and overflowed the stack here.
  const std::string digits(200'000, '7');
  Spec spec = MustParse(
      "queues:\n  q:\n    policy: {n: " + digits + ", m: " + digits +
      "x}\n    alarms: {messages_visible_above: 1, for: " + std::string(200'000, '1') + "s}\n");
  const auto json = boost::json::parse(spec.queues.at(0).attributes.at("Policy"));
  // Too large for a double, the number stays text: the policy stays JSON.
  EXPECT_EQ(json.at("n").as_string(), digits);
  EXPECT_TRUE(json.at("m").is_string());
}

TEST(SpecTest, JsonNumbersAndDurationsFollowTheirGrammars) {
  Spec spec = MustParse(R"(
queues:
  q:
    policy: {a: -0.5e+3, b: 01, c: 1., d: .5, e: 1e, f: -, g: 12}
    alarms: {messages_visible_above: 1, for: 1h30m5ms}
)");
  const auto json = boost::json::parse(spec.queues.at(0).attributes.at("Policy"));
  EXPECT_TRUE(json.at("a").is_double());
  for (const char* text_key : {"b", "c", "d", "e", "f"}) {
    EXPECT_TRUE(json.at(text_key).is_string()) << text_key;
  }
  EXPECT_TRUE(json.at("g").is_number());
  for (const char* bad : {"5x", "m", "1h5", "", "1 s"}) {
    EXPECT_THAT(ErrorOf(std::string("queues:\n  q:\n    alarms: {for: '") + bad + "'}\n"),
                HasSubstr("for must be a Prometheus duration"))
        << bad;
  }
}

}  // namespace
}  // namespace ferry::resources
