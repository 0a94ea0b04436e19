// Publish and PublishBatch: which topic, then the message's rules
// (publish_params.h), then fan-out (fan_out.h).
#include "sns/publish.h"

#include "api/batch.h"
#include "api/errors.h"
#include "api/params.h"
#include "message/body.h"
#include "sns/arn.h"
#include "sns/fan_out.h"
#include "sns/publish_params.h"

namespace ferry::sns {
namespace {

using api::ErrorId;

Status InvalidParameter(std::string message) {
  return api::Error(ErrorId::kSnsInvalidParameter, std::move(message));
}

Status MissingMember(std::string_view member) {
  return api::Error(ErrorId::kSnsValidation, "1 validation error detected: Value null at '" +
                                                 std::string(member) +
                                                 "' failed to satisfy constraint: Member must "
                                                 "not be null");
}

Result<std::shared_ptr<const Topic>> FindTopic(const PublishContext& ctx, const api::Call& call,
                                               std::string_view arn, std::string_view parameter) {
  if (!ParseTopicArn(arn)) {
    return InvalidParameter("Invalid parameter: " + std::string(parameter));
  }
  std::shared_ptr<const Topic> topic = ctx.find_topic ? ctx.find_topic(arn) : nullptr;
  if (ctx.authorize) FERRY_RETURN_IF_ERROR(ctx.authorize(call, arn, topic.get()));
  if (topic == nullptr) return api::Error(ErrorId::kSnsNotFound, "Topic does not exist");
  return topic;
}

// Publish's destination: TopicArn, or TargetArn naming a topic. SMS
// (PhoneNumber) and mobile push (a platform endpoint's TargetArn) are not
// served.
Result<std::shared_ptr<const Topic>> PublishTarget(const PublishContext& ctx,
                                                   const api::Call& call, const api::Params& p) {
  auto topic_arn = p.OptionalString("TopicArn");
  if (!topic_arn.ok()) return topic_arn.status();
  auto target_arn = p.OptionalString("TargetArn");
  if (!target_arn.ok()) return target_arn.status();
  auto phone = p.OptionalString("PhoneNumber");
  if (!phone.ok()) return phone.status();
  if (phone->has_value()) {
    return InvalidParameter(
        "Invalid parameter: PhoneNumber Reason: SMS delivery is not supported by this server");
  }
  if (topic_arn->has_value() && target_arn->has_value()) {
    return InvalidParameter(
        "Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn "
        "may be given");
  }
  if (target_arn->has_value()) {
    if ((*target_arn)->find(":endpoint/") != std::string::npos) {
      return InvalidParameter(
          "Invalid parameter: TargetArn Reason: Mobile push endpoints are not supported by this "
          "server");
    }
    return FindTopic(ctx, call, **target_arn, "TargetArn");
  }
  if (!topic_arn->has_value()) {
    return InvalidParameter(
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  }
  return FindTopic(ctx, call, **topic_arn, "TopicArn");
}

PublishRules RulesOf(const Topic& topic) {
  return {.fifo = topic.fifo, .content_based_dedup = topic.content_based_dedup};
}

boost::json::object Answer(Published published) {
  boost::json::object out;
  out.emplace("MessageId", std::move(published.message_id));
  if (!published.sequence_number.empty()) {
    out.emplace("SequenceNumber", std::move(published.sequence_number));
  }
  return out;
}

class SnsBatchErrors final : public api::BatchErrors {
 public:
  Status Empty() const override {
    return api::Error(ErrorId::kSnsEmptyBatchRequest,
                      "The batch request doesn't contain any entries.");
  }
  Status TooMany(size_t) const override {
    return api::Error(ErrorId::kSnsTooManyEntriesInBatchRequest,
                      "The batch request contains more entries than permissible.");
  }
  Status MissingId(size_t index) const override {
    return MissingMember("publishBatchRequestEntries." + std::to_string(index + 1) +
                         ".member.id");
  }
  Status InvalidId(std::string_view) const override {
    return api::Error(ErrorId::kSnsInvalidBatchEntryId,
                      "The Id of a batch entry in a batch request doesn't abide by the "
                      "specification.");
  }
  Status NotDistinct(std::string_view) const override {
    return api::Error(ErrorId::kSnsBatchEntryIdsNotDistinct,
                      "Two or more batch entries in the request have the same Id.");
  }
};

bool HasValue(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && !it->value().is_null();
}

}  // namespace

Result<boost::json::object> Publish(const PublishContext& ctx, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto topic = PublishTarget(ctx, call, p);
  if (!topic.ok()) return topic.status();
  auto message = ReadPublishMessage(p, RulesOf(**topic));
  if (!message.ok()) return message.status();
  auto published = FanOut(ctx, **topic, *message, call.ctx.PrincipalId());
  if (!published.ok()) return published.status();
  return Answer(std::move(published).value());
}

Result<boost::json::object> PublishBatch(const PublishContext& ctx, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto arn = p.OptionalString("TopicArn");
  if (!arn.ok()) return arn.status();
  if (!arn->has_value()) return MissingMember("topicArn");
  auto topic = FindTopic(ctx, call, **arn, "TopicArn");
  if (!topic.ok()) return topic.status();
  auto entries = api::ReadBatchEntries(p, "PublishBatchRequestEntries", SnsBatchErrors());
  if (!entries.ok()) return entries.status();

  size_t total = 0;
  for (const api::BatchEntry& e : *entries) {
    total += message::UnreadMessageSize(*e.fields, "Message");
  }
  if (total > kMaxPublishBytes) {
    return api::Error(ErrorId::kSnsBatchRequestTooLong,
                      "The length of all the messages put together is more than the limit.");
  }
  // A FIFO id missing from any entry fails the whole request.
  const PublishRules rules = RulesOf(**topic);
  for (const api::BatchEntry& e : *entries) {
    FERRY_RETURN_IF_ERROR(CheckFifoIdsPresent(rules, HasValue(*e.fields, "MessageGroupId"),
                                              HasValue(*e.fields, "MessageDeduplicationId")));
  }

  api::BatchResult result(call.ctx.wire);
  for (const api::BatchEntry& e : *entries) {
    auto message = ReadPublishMessage(p.Nested(*e.fields), rules);
    if (!message.ok()) {
      result.Fail(e.id, message.status());
      continue;
    }
    auto published = FanOut(ctx, **topic, *message, call.ctx.PrincipalId());
    if (!published.ok()) {
      result.Fail(e.id, published.status());
    } else {
      result.Succeed(e.id, Answer(std::move(published).value()));
    }
  }
  return result.Take();
}

}  // namespace ferry::sns
