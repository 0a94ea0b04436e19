// Dead-letter queues and message move tasks: the RedrivePolicy target check,
// ListDeadLetterSourceQueues, StartMessageMoveTask, CancelMessageMoveTask and
// ListMessageMoveTasks. The moves themselves are the engine's (QueueMover).
#include <algorithm>

#include "api/errors.h"
#include "auth/sigv4.h"
#include "common/crypto.h"
#include "sqs/handlers.h"
#include "sqs/queue_url.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;

constexpr int64_t kMaxMoveTasksListed = 10;
constexpr int64_t kMaxMoveRate = 500;

Status ResourceNotFound(std::string_view parameter) {
  return api::Error(ErrorId::kResourceNotFound, "The resource that you specified for the " +
                                                    std::string(parameter) +
                                                    " parameter doesn't exist.");
}

// The queue an ARN parameter names, which must exist in that region and the
// caller's account. Errors: InvalidParameterValue (not an ARN),
// ResourceNotFound.
Result<std::shared_ptr<engine::Queue>> QueueByArn(const Env& env, const api::Call& call,
                                                  std::string_view arn,
                                                  std::string_view parameter) {
  std::optional<QueueArn> parsed = ParseQueueArn(arn);
  if (!parsed) {
    return api::Error(ErrorId::kInvalidParameterValue,
                      "You must use this format to specify the " + std::string(parameter) +
                          ": arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
  }
  if (!auth::IsRegionName(parsed->region) || parsed->account_id != RequestAccount(env, call)) {
    return ResourceNotFound(parameter);
  }
  std::shared_ptr<engine::Queue> queue =
      env.engine.FindQueue(KeyIn(env, parsed->account_id, parsed->region, parsed->name).Encode());
  if (!queue) return ResourceNotFound(parameter);
  return queue;
}

// The queues whose RedrivePolicy names `dlq`, sorted by name.
std::vector<std::string> SourcesOf(const Env& env, const std::string& dlq) {
  std::vector<std::string> out;
  for (const std::string& name : env.engine.ListQueues("")) {
    std::shared_ptr<engine::Queue> q = env.engine.FindQueue(name);
    if (q && q->settings().dead_letter_queue == dlq) out.push_back(name);
  }
  return out;
}

// Whether the RedriveAllowPolicy `policy` (validated when it was set; empty
// when there is none) lets `source_arn` use its queue as a dead-letter queue.
bool AllowsSource(std::string_view policy, std::string_view source_arn) {
  if (policy.empty()) return true;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(policy, ec);
  if (ec || !v.is_object()) return true;
  const boost::json::object& o = v.get_object();
  const boost::json::value* permission = o.if_contains("redrivePermission");
  if (permission == nullptr || !permission->is_string()) return true;
  if (permission->get_string() == "denyAll") return false;
  if (permission->get_string() != "byQueue") return true;
  const boost::json::value* arns = o.if_contains("sourceQueueArns");
  if (arns == nullptr || !arns->is_array()) return false;
  return std::any_of(
      arns->get_array().begin(), arns->get_array().end(),
      [&](const boost::json::value& a) { return a.is_string() && a.get_string() == source_arn; });
}

// A task handle is, as on AWS, the base64 of {"taskId": ..., "sourceArn": ...}.
std::string EncodeTaskHandle(std::string_view task_id, std::string_view source_arn) {
  boost::json::object o;
  o["taskId"] = task_id;
  o["sourceArn"] = source_arn;
  return Base64Encode(boost::json::serialize(o));
}

struct TaskHandle {
  std::string task_id;
  std::string source_arn;
};

std::optional<TaskHandle> DecodeTaskHandle(std::string_view handle) {
  std::optional<std::string> text = Base64Decode(handle);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::value* id = v.get_object().if_contains("taskId");
  const boost::json::value* arn = v.get_object().if_contains("sourceArn");
  if (id == nullptr || arn == nullptr || !id->is_string() || !arn->is_string()) return std::nullopt;
  return TaskHandle{std::string(id->get_string()), std::string(arn->get_string())};
}

std::string_view StatusName(engine::MoveTaskStatus s) {
  switch (s) {
    case engine::MoveTaskStatus::kRunning:
      return "RUNNING";
    case engine::MoveTaskStatus::kCompleted:
      return "COMPLETED";
    case engine::MoveTaskStatus::kCancelling:
      return "CANCELLING";
    case engine::MoveTaskStatus::kCancelled:
      return "CANCELLED";
    case engine::MoveTaskStatus::kFailed:
      return "FAILED";
  }
  return "FAILED";
}

}  // namespace

void PlaceRedriveTarget(const Env& env, std::string_view source, const AttributeMap& attributes,
                        engine::QueueSettings* settings) {
  auto it = attributes.find("RedrivePolicy");
  if (it == attributes.end() || settings->dead_letter_queue.empty()) return;
  settings->dead_letter_queue =
      KeyIn(env, AccountOf(env, source), RegionOf(env, source), settings->dead_letter_queue)
          .Encode();
}

Status CheckRedriveTarget(const Env& env, std::string_view source, bool source_fifo,
                          const AttributeMap& attributes) {
  auto it = attributes.find("RedrivePolicy");
  if (it == attributes.end() || it->second.empty()) return Status::Ok();
  const std::string& value = it->second;
  // ApplyQueueAttributes has checked the shape; only the target is left.
  boost::system::error_code ec;
  boost::json::value policy = boost::json::parse(value, ec);
  const boost::json::value* target_arn =
      !ec && policy.is_object() ? policy.get_object().if_contains("deadLetterTargetArn") : nullptr;
  std::optional<QueueArn> arn;
  if (target_arn != nullptr && target_arn->is_string())
    arn = ParseQueueArn(target_arn->get_string());
  if (!arn)
    return InvalidRedrivePolicy(value, "Dead-letter target ARN should be fully qualified ARN.");
  // A dead-letter queue is in its source's region and account.
  std::shared_ptr<engine::Queue> target;
  if (arn->region == RegionOf(env, source) && arn->account_id == AccountOf(env, source)) {
    target = env.engine.FindQueue(KeyIn(env, arn->account_id, arn->region, arn->name).Encode());
  }
  if (!target) return InvalidRedrivePolicy(value, "Dead letter target does not exist.");
  if (source_fifo != target->fifo()) {
    return InvalidRedrivePolicy(value,
                                "Dead-letter queue must be same type of queue as the source.");
  }
  const engine::QueueSettings target_settings = target->settings();
  auto allow = target_settings.extra.find("RedriveAllowPolicy");
  if (!AllowsSource(allow == target_settings.extra.end() ? "" : allow->second,
                    QueueArnOf(env, source))) {
    return InvalidRedrivePolicy(value, "Queue " + QueueArnOf(env, target->name()) +
                                           " does not allow this queue to use it as a dead-letter "
                                           "queue (its RedriveAllowPolicy).");
  }
  return Status::Ok();
}

HandlerResult ListDeadLetterSourceQueues(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  return PageOfQueueUrls(env, call, SourcesOf(env, (*queue)->name()), "queueUrls", true);
}

HandlerResult StartMessageMoveTask(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto source_arn = p.RequiredString("SourceArn");
  if (!source_arn.ok()) return source_arn.status();
  auto destination_arn = p.OptionalString("DestinationArn");
  if (!destination_arn.ok()) return destination_arn.status();
  auto rate = p.OptionalInt("MaxNumberOfMessagesPerSecond");
  if (!rate.ok()) return rate.status();

  auto source = QueueByArn(env, call, *source_arn, "SourceArn");
  if (!source.ok()) return source.status();
  if (SourcesOf(env, (*source)->name()).empty()) {
    return api::Error(ErrorId::kInvalidParameterValue,
                      "Source queue must be configured as a Dead Letter Queue.");
  }
  std::string destination;
  if (destination_arn->has_value() && !(*destination_arn)->empty()) {
    auto dest = QueueByArn(env, call, **destination_arn, "DestinationArn");
    if (!dest.ok()) return dest.status();
    if (*dest == *source) {
      return api::Error(ErrorId::kInvalidParameterValue,
                        "Source queue arn and destination queue arn cannot be the same.");
    }
    if ((*dest)->fifo() != (*source)->fifo()) {
      return api::Error(ErrorId::kInvalidParameterValue,
                        "The destination queue must be of the same type as the source queue.");
    }
    destination = (*dest)->name();
  }
  FERRY_RETURN_IF_ERROR(CheckRange("MaxNumberOfMessagesPerSecond", *rate, 1, kMaxMoveRate,
                                   "Must be between 1 and 500, if provided."));

  auto task = env.engine.StartMoveTask((*source)->name(), destination, rate->value_or(0));
  if (!task.ok()) {
    switch (task.status().code()) {
      case Code::kNotFound:
        return ResourceNotFound("SourceArn");
      case Code::kFailedPrecondition:
        return api::Error(ErrorId::kInvalidParameterValue,
                          "There is already a task running. Only one active task is allowed for a "
                          "source queue arn at a given time.");
      default:
        return EngineError(task.status());
    }
  }
  boost::json::object out;
  out.emplace("TaskHandle", EncodeTaskHandle(task->task_id, QueueArnOf(env, task->source_queue)));
  return out;
}

HandlerResult CancelMessageMoveTask(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto handle = p.RequiredString("TaskHandle");
  if (!handle.ok()) return handle.status();
  std::optional<TaskHandle> h = DecodeTaskHandle(*handle);
  if (!h) {
    return api::Error(ErrorId::kInvalidParameterValue,
                      "Value for parameter TaskHandle is invalid.");
  }
  std::optional<QueueArn> arn = ParseQueueArn(h->source_arn);
  if (!arn || !auth::IsRegionName(arn->region) || arn->account_id != RequestAccount(env, call)) {
    return ResourceNotFound("SourceArn");
  }
  auto cancelled = env.engine.CancelMoveTask(
      KeyIn(env, arn->account_id, arn->region, arn->name).Encode(), h->task_id);
  if (!cancelled.ok()) {
    // A task that is no longer running has no valid handle any more (AWS
    // lists handles of running tasks only).
    if (cancelled.status().code() == Code::kNotFound ||
        cancelled.status().code() == Code::kFailedPrecondition) {
      return api::Error(ErrorId::kResourceNotFound, "Task does not exist.");
    }
    return EngineError(cancelled.status());
  }
  boost::json::object out;
  out.emplace("ApproximateNumberOfMessagesMoved", cancelled->moved);
  return out;
}

HandlerResult ListMessageMoveTasks(Env& env, const api::Call& call) {
  const api::Params p(call.params, call.ctx.wire);
  auto source_arn = p.RequiredString("SourceArn");
  if (!source_arn.ok()) return source_arn.status();
  auto max = p.OptionalInt("MaxResults");
  if (!max.ok()) return max.status();
  auto source = QueueByArn(env, call, *source_arn, "SourceArn");
  if (!source.ok()) return source.status();
  FERRY_RETURN_IF_ERROR(CheckRange("MaxResults", *max, 1, kMaxMoveTasksListed,
                                   "You must enter a number that's between 1 and 10."));
  auto tasks = env.engine.ListMoveTasks((*source)->name(), static_cast<size_t>(max->value_or(1)));
  if (!tasks.ok()) return ResourceNotFound("SourceArn");

  boost::json::array results;
  for (const engine::MoveTaskInfo& t : *tasks) {
    boost::json::object e;
    const std::string arn = QueueArnOf(env, t.source_queue);
    if (t.status == engine::MoveTaskStatus::kRunning) {
      e.emplace("TaskHandle", EncodeTaskHandle(t.task_id, arn));
    }
    e.emplace("Status", StatusName(t.status));
    e.emplace("SourceArn", arn);
    if (!t.destination_queue.empty()) e.emplace("DestinationArn", QueueArnOf(env, t.destination_queue));
    if (t.max_per_second > 0) e.emplace("MaxNumberOfMessagesPerSecond", t.max_per_second);
    e.emplace("ApproximateNumberOfMessagesMoved", t.moved);
    e.emplace("ApproximateNumberOfMessagesToMove", t.to_move);
    if (t.status == engine::MoveTaskStatus::kFailed) e.emplace("FailureReason", t.failure_reason);
    e.emplace("StartedTimestamp", t.started_ms);
    results.emplace_back(std::move(e));
  }
  boost::json::object out;
  out.emplace("Results", std::move(results));
  return out;
}

}  // namespace ferry::sqs
