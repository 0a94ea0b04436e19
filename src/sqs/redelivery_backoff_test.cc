// FerryRedeliveryBackoff: the document's rules and canonical form, and the
// attribute through SqsService on both wires (set, get, remove, errors, the
// backoff applied by ReceiveMessage).
#include "sqs/redelivery_backoff.h"

#include <gtest/gtest.h>

#include "api/errors.h"
#include "sqs/sqs_test_util.h"

namespace ferry::sqs {
namespace {

using engine::BackoffFunction;
using engine::BackoffJitter;
using engine::RedeliveryBackoff;

constexpr std::string_view kInvalid =
    "Invalid value for the parameter FerryRedeliveryBackoff. Reason: ";

TEST(RedeliveryBackoffTest, ValidDocumentsAreReadWithTheirDefaults) {
  struct Row {
    std::string_view value;
    RedeliveryBackoff backoff;
  };
  for (const Row& row : std::vector<Row>{
           {"", {}},
           {R"({"function":"linear","baseSeconds":1})",
            {BackoffFunction::kLinear, 1, 43200, BackoffJitter::kNone}},
           {R"({"function":"exponential","baseSeconds":5,"maxSeconds":300,"jitter":"full"})",
            {BackoffFunction::kExponential, 5, 300, BackoffJitter::kFull}},
           {R"( {"jitter":"equal","maxSeconds":43200,"baseSeconds":43200,"function":"linear"} )",
            {BackoffFunction::kLinear, 43200, 43200, BackoffJitter::kEqual}},
           {R"({"function":"linear","baseSeconds":7,"maxSeconds":7,"jitter":"none"})",
            {BackoffFunction::kLinear, 7, 7, BackoffJitter::kNone}},
       }) {
    auto b = ParseRedeliveryBackoff(row.value);
    ASSERT_TRUE(b.ok()) << row.value << ": " << b.status().message();
    EXPECT_EQ(*b, row.backoff) << row.value;
  }
}

TEST(RedeliveryBackoffTest, InvalidDocumentsNameTheFieldAndTheRule) {
  struct Row {
    std::string_view value;
    std::string_view reason;
  };
  for (const Row& row : std::vector<Row>{
           {"linear", "the value is not a JSON object."},
           {"[1]", "the value is not a JSON object."},
           {R"({"function":"linear")", "the value is not a JSON object."},
           {R"({"baseSeconds":1})", "function is required: exponential or linear."},
           {R"({"function":"fibonacci","baseSeconds":1})",
            "function must be exponential or linear."},
           {R"({"function":1,"baseSeconds":1})", "function must be exponential or linear."},
           {R"({"function":"linear"})",
            "baseSeconds is required; baseSeconds must be an integer from 1 to 43200."},
           {R"({"function":"linear","baseSeconds":0})",
            "baseSeconds must be an integer from 1 to 43200."},
           {R"({"function":"linear","baseSeconds":43201})",
            "baseSeconds must be an integer from 1 to 43200."},
           {R"({"function":"linear","baseSeconds":-5})",
            "baseSeconds must be an integer from 1 to 43200."},
           {R"({"function":"linear","baseSeconds":1.5})",
            "baseSeconds must be an integer from 1 to 43200."},
           {R"({"function":"linear","baseSeconds":"5"})",
            "baseSeconds must be an integer from 1 to 43200."},
           {R"({"function":"linear","baseSeconds":18446744073709551615})",
            "baseSeconds must be an integer from 1 to 43200."},
           {R"({"function":"linear","baseSeconds":10,"maxSeconds":9})",
            "maxSeconds must be an integer from baseSeconds (10) to 43200."},
           {R"({"function":"linear","baseSeconds":10,"maxSeconds":43201})",
            "maxSeconds must be an integer from baseSeconds (10) to 43200."},
           {R"({"function":"linear","baseSeconds":10,"maxSeconds":null})",
            "maxSeconds must be an integer from baseSeconds (10) to 43200."},
           {R"({"function":"linear","baseSeconds":1,"jitter":"half"})",
            "jitter must be none, full or equal."},
           {R"({"function":"linear","baseSeconds":1,"jitter":true})",
            "jitter must be none, full or equal."},
           {R"({"function":"linear","baseSeconds":1,"cap":60})",
            "unknown field cap; the fields are function, baseSeconds, maxSeconds and jitter."},
       }) {
    auto b = ParseRedeliveryBackoff(row.value);
    ASSERT_FALSE(b.ok()) << row.value;
    EXPECT_EQ(api::ErrorFor(b.status()).code, "InvalidAttributeValue") << row.value;
    EXPECT_EQ(b.status().message(), std::string(kInvalid) + std::string(row.reason)) << row.value;
  }
}

TEST(RedeliveryBackoffTest, TheCanonicalFormHasEveryFieldInOrder) {
  EXPECT_EQ(RenderRedeliveryBackoff({}), "");
  EXPECT_EQ(RenderRedeliveryBackoff({BackoffFunction::kExponential, 5, 300, BackoffJitter::kFull}),
            R"({"function":"exponential","baseSeconds":5,"maxSeconds":300,"jitter":"full"})");
  EXPECT_EQ(RenderRedeliveryBackoff({BackoffFunction::kLinear, 1, 43200, BackoffJitter::kNone}),
            R"({"function":"linear","baseSeconds":1,"maxSeconds":43200,"jitter":"none"})");
  for (const RedeliveryBackoff& b :
       {RedeliveryBackoff{BackoffFunction::kLinear, 2, 3, BackoffJitter::kEqual},
        RedeliveryBackoff{BackoffFunction::kExponential, 1, 1, BackoffJitter::kNone}}) {
    auto back = ParseRedeliveryBackoff(RenderRedeliveryBackoff(b));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, b);
  }
}

class RedeliveryBackoffServiceTest : public SqsTest {
 protected:
  static std::string Url(const std::string& name) {
    return "http://localhost:9324/000000000000/" + name;
  }

  // The attributes GetQueueAttributes returns for `names`.
  boost::json::object Attributes(const std::string& queue, const std::string& names_json) {
    auto out = Ok("GetQueueAttributes",
                  R"({"QueueUrl":")" + Url(queue) + R"(","AttributeNames":)" + names_json + "}");
    return out["Attributes"].as_object();
  }

  // SetQueueAttributes FerryRedeliveryBackoff=value: "" or the error code.
  std::string Set(const std::string& queue, const std::string& value,
                  std::string* message = nullptr) {
    boost::json::object params{
        {"QueueUrl", Url(queue)},
        {"Attributes", boost::json::object{{std::string(kRedeliveryBackoff), value}}}};
    Answer a = Call("SetQueueAttributes", boost::json::serialize(params));
    if (a.ok()) return "";
    if (message) *message = a.status().message();
    return std::string(api::ErrorFor(a.status()).code);
  }

  static std::string Attrs(const std::string& value) {
    return boost::json::serialize(
        boost::json::object{{std::string(kRedeliveryBackoff), value}, {"VisibilityTimeout", "10"}});
  }
};
FERRY_SQS_BOTH_WIRES(RedeliveryBackoffServiceTest);

constexpr std::string_view kCanonical =
    R"({"function":"linear","baseSeconds":5,"maxSeconds":43200,"jitter":"none"})";

TEST_P(RedeliveryBackoffServiceTest, SetGetAndRemoveInCanonicalForm) {
  CreateQueue("q");
  EXPECT_FALSE(Attributes("q", R"(["All"])").contains(kRedeliveryBackoff))
      << "not listed under All while unset";
  EXPECT_EQ(Str(Attributes("q", R"(["FerryRedeliveryBackoff"])")[kRedeliveryBackoff]), "");

  EXPECT_EQ(Set("q", R"({ "baseSeconds": 5, "function": "linear" })"), "");
  EXPECT_EQ(Str(Attributes("q", R"(["All"])")[kRedeliveryBackoff]), kCanonical);
  EXPECT_EQ(Str(Attributes("q", R"(["FerryRedeliveryBackoff"])")[kRedeliveryBackoff]), kCanonical);
  EXPECT_EQ(engine.FindQueue("q")->settings().redelivery_backoff,
            (RedeliveryBackoff{BackoffFunction::kLinear, 5, 43200, BackoffJitter::kNone}));

  EXPECT_EQ(Set("q", ""), "");
  EXPECT_FALSE(Attributes("q", R"(["All"])").contains(kRedeliveryBackoff));
  EXPECT_FALSE(engine.FindQueue("q")->settings().redelivery_backoff.enabled());
}

TEST_P(RedeliveryBackoffServiceTest, FifoQueuesTakeItAtCreation) {
  CreateQueue("q.fifo", R"({"FifoQueue":"true","FerryRedeliveryBackoff":)" +
                            boost::json::serialize(boost::json::value(
                                R"({"function":"exponential","baseSeconds":2,"jitter":"full"})")) +
                            "}");
  EXPECT_EQ(Str(Attributes("q.fifo", R"(["FerryRedeliveryBackoff"])")[kRedeliveryBackoff]),
            R"({"function":"exponential","baseSeconds":2,"maxSeconds":43200,"jitter":"full"})");
}

TEST_P(RedeliveryBackoffServiceTest, InvalidValuesAreInvalidAttributeValue) {
  CreateQueue("q");
  std::string message;
  EXPECT_EQ(Set("q", R"({"function":"linear","baseSeconds":0})", &message),
            "InvalidAttributeValue");
  EXPECT_EQ(message, std::string(kInvalid) + "baseSeconds must be an integer from 1 to 43200.");
  boost::json::object params{
      {"QueueName", "other"},
      {"Attributes", boost::json::object{{std::string(kRedeliveryBackoff), "{}"}}}};
  EXPECT_EQ(Fails("CreateQueue", boost::json::serialize(params), &message),
            "InvalidAttributeValue");
  EXPECT_EQ(message, std::string(kInvalid) + "function is required: exponential or linear.");
  EXPECT_EQ(engine.FindQueue("other"), nullptr);
}

TEST_P(RedeliveryBackoffServiceTest, CreateQueueComparesTheCanonicalForm) {
  CreateQueue("q", Attrs(R"({"function":"linear","baseSeconds":5})"));
  CreateQueue("q", Attrs(std::string(kCanonical)));  // the same backoff, written another way
  boost::json::object params{
      {"QueueName", "q"},
      {"Attributes", boost::json::object{{std::string(kRedeliveryBackoff),
                                          R"({"function":"linear","baseSeconds":6})"}}}};
  EXPECT_EQ(Fails("CreateQueue", boost::json::serialize(params)), "QueueNameExists");
}

TEST_P(RedeliveryBackoffServiceTest, ReceiveMessageAppliesIt) {
  CreateQueue("q", Attrs(R"({"function":"linear","baseSeconds":5})"));
  Ok("SendMessage", R"({"QueueUrl":")" + Url("q") + R"(","MessageBody":"m"})");
  const std::string receive = R"({"QueueUrl":")" + Url("q") + R"("})";
  auto count = [&] {
    auto out = Ok("ReceiveMessage", receive);
    return out.contains("Messages") ? out["Messages"].as_array().size() : 0;
  };
  EXPECT_EQ(count(), 1u);
  clock.Advance(10'000);
  EXPECT_EQ(count(), 1u);  // the second receive: 10 s + 5 s
  clock.Advance(14'999);
  EXPECT_EQ(count(), 0u);
  clock.Advance(1);
  EXPECT_EQ(count(), 1u);
}

}  // namespace
}  // namespace ferry::sqs
