// `ferry journey`: the table, --json, and exit status 3 when nothing is known.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"

namespace ferry::cli {
namespace {

namespace json = boost::json;

// Answers GetMessageJourney with `answer` and keeps the last request.
class JourneyInvoker : public api::ActionInvoker {
 public:
  explicit JourneyInvoker(std::string answer) : answer_(std::move(answer)) {}
  Result<json::object> Invoke(std::string_view service, std::string_view action,
                              json::object params) override {
    last_action = std::string(service) + "." + std::string(action);
    last_params = std::move(params);
    if (action == "GetQueueUrl") return json::parse(R"({"QueueUrl":"http://h/1/q"})").as_object();
    return json::parse(answer_).as_object();
  }
  std::string last_action;
  json::object last_params;

 private:
  std::string answer_;
};

struct Outcome {
  std::string out, err;
  int exit_status;
};

Outcome RunWith(JourneyInvoker& api, const JourneyOptions& options, bool as_json = false) {
  std::ostringstream out, err;
  std::istringstream in;
  Context ctx{.api = api, .out = out, .err = err, .in = in, .json = as_json};
  Status st = RunJourney(ctx, options);
  EXPECT_TRUE(st.ok()) << st.message();
  return {out.str(), err.str(), ctx.exit_status};
}

constexpr std::string_view kStory = R"({"MessageId":"m","Events":[
  {"Timestamp":1765110911042,"Queue":"work","QueueUrl":"u","Event":"Sent","ReceiveCount":0,
   "VisibleUntil":1765110911042},
  {"Timestamp":1765110912000,"Queue":"work","QueueUrl":"u","Event":"Received","ReceiveCount":1,
   "VisibleUntil":1765110942000},
  {"Timestamp":1765110943000,"Queue":"work","QueueUrl":"u","Event":"MovedToDeadLetterQueue",
   "ReceiveCount":1,"Detail":"dlq"}]})";

TEST(JourneyCommand, PrintsTheEventsAsATableInUtcWithMilliseconds) {
  JourneyInvoker api{std::string(kStory)};
  Outcome r = RunWith(api, {.message_id = "m"});
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(api.last_action, "ferry.GetMessageJourney");
  EXPECT_FALSE(api.last_params.contains("QueueUrl"));
  EXPECT_NE(r.out.find("TIME (UTC)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2025-12-07T12:35:11.042Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2025-12-07T12:35:42.000Z"), std::string::npos) << r.out;
  EXPECT_LT(r.out.find("Sent"), r.out.find("Received"));
  EXPECT_NE(r.out.find("MovedToDeadLetterQueue"), std::string::npos);
  EXPECT_NE(r.out.find("dlq"), std::string::npos);
}

TEST(JourneyCommand, NamesTheQueueWhenAskedAndPrintsJson) {
  JourneyInvoker api{std::string(kStory)};
  Outcome r = RunWith(api, {.message_id = "m", .queue = "q"}, true);
  EXPECT_EQ(api.last_params.at("QueueUrl").as_string(), "http://h/1/q");
  EXPECT_EQ(json::parse(r.out).at("Events").as_array().size(), 3u);
}

TEST(JourneyCommand, NothingKnownSaysSoAndExitsThree) {
  JourneyInvoker api{R"({"MessageId":"m","Events":[]})"};
  Outcome r = RunWith(api, {.message_id = "m"});
  EXPECT_EQ(r.exit_status, kExitNothingKnown);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no journey is known for message m"), std::string::npos);
}

}  // namespace
}  // namespace ferry::cli
