// The SNS data model as publish and delivery see it: topics and their
// subscriptions, immutable once shared. The registry (registry.h) keeps the
// current ones and replaces an object whole when it changes, so a publish
// works on one consistent snapshot of a topic without holding a lock.
//
// Where things live in the engine:
//   - topics and subscriptions are catalog entries (engine::CatalogKind),
//     written before the registry changes in memory;
//   - an http/https subscription drains an internal standard queue of its
//     own, DeliveryQueueKey(id), to which publish sends one item per
//     notification (delivery_item.h): the queue's visibility timeout is the
//     retry delay, its receive count the attempt number;
//   - a FIFO topic keeps its 5-minute deduplication window and its sequence
//     numbers in an internal FIFO queue, DedupQueueKey(topic).
// Internal queues have keys beginning with "~sns/": a region the SQS API
// cannot name (engine/queue_key.h), so ListQueues, GetQueueUrl and queue URLs
// never reach them.
//
// Thread-safety: the structs are values; a shared_ptr<const ...> handed out
// by the registry is never changed afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy.h"
#include "common/clock.h"
#include "sns/filter_policy.h"
#include "sns/topic_counters.h"

namespace ferry::sns {

enum class Protocol : uint8_t { kSqs, kHttp, kHttps };

// "sqs", "http", "https".
std::string_view ProtocolName(Protocol p);

// The prefix of every internal queue's engine key.
inline constexpr std::string_view kInternalQueuePrefix = "~sns/";

// The internal queue an http(s) subscription's deliveries wait in.
inline std::string DeliveryQueueKey(std::string_view subscription_id) {
  return std::string(kInternalQueuePrefix) + "delivery-" + std::string(subscription_id);
}
// The internal FIFO queue of a FIFO topic's deduplication window; `topic_id`
// is the topic's catalog key made safe for a queue name by the registry.
inline std::string DedupQueueKey(std::string_view topic_id) {
  return std::string(kInternalQueuePrefix) + "dedup-" + std::string(topic_id);
}

struct Subscription {
  std::string arn;  // arn:aws:sns:<region>:<account>:<topic>:<id>
  std::string id;   // the UUID at the end of the ARN
  std::string topic_arn;
  std::string owner;  // the subscribing account
  Protocol protocol = Protocol::kSqs;
  std::string endpoint;  // a queue ARN, or a URL
  bool confirmed = false;
  bool confirmation_authenticated = false;
  std::string token;  // pending http(s): the token ConfirmSubscription takes
  // http(s) only: unsubscribed, its delivery queue still holding the
  // UnsubscribeConfirmation (and any notifications published before). It
  // belongs to no topic and no API call finds it; the delivery worker
  // drains its queue and the registry then forgets it (Registry::Forget).
  bool retired = false;
  TimeMs created_ms = 0;
  // The settable attributes as last set (RawMessageDelivery, FilterPolicy,
  // FilterPolicyScope, RedrivePolicy, DeliveryPolicy, SubscriptionRoleArn),
  // returned verbatim by GetSubscriptionAttributes.
  std::map<std::string, std::string> attributes;

  // Derived from the above when the subscription is made or changed:
  bool raw = false;                            // RawMessageDelivery=true
  std::shared_ptr<const FilterPolicy> filter;  // null: every message matches
  // sqs: the engine key of the subscribed queue (empty when the ARN names
  // no queue of this server). http(s): DeliveryQueueKey(id).
  std::string queue_key;
  // RedrivePolicy's deadLetterTargetArn as an engine queue key; empty: none.
  std::string dead_letter_key;
};

// The ARN of `sub`'s dead-letter queue (its RedrivePolicy's
// deadLetterTargetArn); empty without one.
std::string DeadLetterArnOf(const Subscription& sub);

struct Topic {
  std::string arn;  // arn:aws:sns:<region>:<account>:<name>
  std::string name;
  std::string account;
  std::string region;
  TimeMs created_ms = 0;
  bool fifo = false;
  bool content_based_dedup = false;
  int signature_version = 1;  // SignatureVersion: 1 or 2
  // The settable attributes as last set (DisplayName, Policy,
  // DeliveryPolicy, SignatureVersion, KmsMasterKeyId, TracingConfig,
  // ContentBasedDeduplication, ...), returned by GetTopicAttributes.
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> tags;
  // FIFO topics: DedupQueueKey of this topic; empty otherwise.
  std::string dedup_queue_key;
  // Derived: the Policy attribute, parsed (auth/policy.h); null without one
  // (SNS's default policy, which grants only the owner's account).
  std::shared_ptr<const auth::Policy> policy;
  // Its subscriptions, confirmed and pending, oldest first.
  std::vector<std::shared_ptr<const Subscription>> subscriptions;
  int64_t subscriptions_deleted = 0;
  // What publish and delivery counted (topic_counters.h): mutable atomics
  // behind an unchanging pointer, shared by every copy of this topic.
  std::shared_ptr<TopicCounters> counters = std::make_shared<TopicCounters>();
};

}  // namespace ferry::sns
