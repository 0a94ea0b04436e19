#include "sqs/handlers.h"

#include "api/errors.h"
#include "sqs/queue_url.h"

namespace ferry::sqs {

bool PurgeLimiter::TryPurge(const std::string& queue, TimeMs created_ms, TimeMs now_ms) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = last_purge_ms_.try_emplace(queue, now_ms);
  if (inserted) return true;
  if (it->second >= created_ms && now_ms - it->second < kIntervalMs) return false;
  it->second = now_ms;
  // Forget purges too old to matter, so the map tracks recently purged queues.
  if (last_purge_ms_.size() > 1024) {
    std::erase_if(last_purge_ms_, [&](const auto& e) { return now_ms - e.second >= kIntervalMs; });
  }
  return true;
}

Status QueueDoesNotExist() {
  return api::Error(api::ErrorId::kQueueDoesNotExist, "The specified queue does not exist.");
}

Result<std::shared_ptr<engine::Queue>> ResolveQueue(const Env& env, const api::Call& call) {
  std::optional<std::string_view> name;
  auto it = call.params.find("QueueUrl");
  if (it != call.params.end() && !it->value().is_null()) {
    if (!it->value().is_string()) return QueueDoesNotExist();
    name = QueueNameFromUrl(it->value().get_string());
  } else {
    name = QueueNameFromUrl(call.ctx.path);
  }
  if (!name) return QueueDoesNotExist();
  std::shared_ptr<engine::Queue> queue = env.engine.FindQueue(std::string(*name));
  if (!queue) return QueueDoesNotExist();
  return queue;
}

Status EngineError(const Status& status) {
  switch (status.code()) {
    case Code::kUnavailable:
    case Code::kResourceExhausted:
      return api::Error(api::ErrorId::kServiceUnavailable,
                        "The service is temporarily unavailable: " + status.message());
    default:
      return api::Error(api::ErrorId::kInternalError,
                        "The service encountered an internal error: " + status.message());
  }
}

Status CheckRange(std::string_view name, const std::optional<int64_t>& value, int64_t min,
                  int64_t max, std::string_view reason) {
  if (!value || (*value >= min && *value <= max)) return Status::Ok();
  return api::Error(api::ErrorId::kInvalidParameterValue,
                    "Value " + std::to_string(*value) + " for parameter " + std::string(name) +
                        " is invalid. Reason: " + std::string(reason));
}

}  // namespace ferry::sqs
