#include "sns/queue_access.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <limits>
#include <optional>
#include <string>

#include "auth/policy.h"
#include "sns/arn.h"

namespace ferry::sns {
namespace {

constexpr TimeMs kRefusalLogIntervalMs = 10'000;

std::optional<std::string> PolicyText(const engine::Queue& queue) {
  engine::QueueSettings settings = queue.settings();
  auto it = settings.extra.find("Policy");
  if (it == settings.extra.end()) return std::nullopt;
  return std::move(it->second);
}

}  // namespace

bool TopicMayDeliver(const PublishContext& ctx, const Topic& topic, std::string_view queue_arn,
                     const std::shared_ptr<engine::Queue>& queue) {
  std::optional<Arn> arn = ParseQueueArn(queue_arn);
  if (!arn) return false;
  auto load = [&queue] { return PolicyText(*queue); };
  std::shared_ptr<const auth::Policy> policy =
      ctx.queue_policies != nullptr ? ctx.queue_policies->Find(queue->name(), queue, load)
                                    : auth::PolicyCache::Parse(load().value_or(""));
  if (policy == nullptr) return arn->account == topic.account;
  const auth::PolicyRequest request{
      .caller = {.service = kSnsServicePrincipal},
      .action = "sqs:SendMessage",
      .resource = queue_arn,
      .context = {.source_arn = topic.arn,
                  .source_account = topic.account,
                  .source_owner = topic.account}};
  return auth::IsAllowed(policy.get(), request, arn->account);
}

void LogRefusedCopy(TimeMs now_ms, const Topic& topic, const Subscription& sub,
                    std::string_view queue_arn) {
  static std::atomic<TimeMs> next_ms{std::numeric_limits<TimeMs>::min()};
  static std::atomic<uint64_t> suppressed{0};
  TimeMs due = next_ms.load(std::memory_order_relaxed);
  if (now_ms < due ||
      !next_ms.compare_exchange_strong(due, now_ms + kRefusalLogIntervalMs,
                                       std::memory_order_relaxed)) {
    suppressed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const uint64_t more = suppressed.exchange(0, std::memory_order_relaxed);
  spdlog::warn(
      "sns: topic {} did not deliver to queue {} (subscription {}): the queue's policy does not "
      "allow {} sqs:SendMessage from this topic{}",
      topic.arn, queue_arn, sub.arn, kSnsServicePrincipal,
      more == 0 ? std::string() : fmt::format(" ({} more copies refused since the last report)", more));
}

}  // namespace ferry::sns
