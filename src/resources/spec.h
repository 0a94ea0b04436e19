// The resources file as data: what a YAML file declares (queues, topics and
// their subscriptions), read and validated by ParseSpec before anything is
// applied (docs/resources.md is the schema). Values are already in the form
// the SQS and SNS actions take: attributes under their AWS names with text
// values, policies rendered to JSON text; references to queues stay names,
// resolved to ARNs when the file is applied (apply.cc).
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ferry::resources {

// Where a declaration is in its file: "FILE:LINE:COLUMN", 1-based.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string ToString() const;
  bool operator==(const Location&) const = default;
};

using AttributeMap = std::map<std::string, std::string>;

struct DeadLetter {
  std::string queue;          // a queue name
  int max_receive_count = 0;  // queues only; 0 for a subscription's
  bool operator==(const DeadLetter&) const = default;
};

// A queue's alert rules (`ferry alerts FILE` renders them for Prometheus,
// alerts.h); applying the file ignores them.
struct Alarms {
  std::optional<int64_t> messages_visible_above;    // ferry_sqs_messages_visible > N
  std::optional<int64_t> oldest_message_age_above;  // ferry_sqs_oldest_message_age_seconds > N
  std::string for_duration = "5m";                  // Prometheus `for:`
  std::string severity = "page";                    // the `severity` label
  bool operator==(const Alarms&) const = default;
};

struct QueueSpec {
  std::string name;
  Location at;
  // CreateQueue/SetQueueAttributes names and values, Policy and
  // RedriveAllowPolicy as JSON text; RedrivePolicy comes from dead_letter.
  AttributeMap attributes;
  std::optional<DeadLetter> dead_letter;
  std::map<std::string, std::string> tags;
  std::optional<Alarms> alarms;
  bool fifo() const;
  bool operator==(const QueueSpec&) const = default;
};

struct SubscriptionSpec {
  Location at;
  std::string protocol;  // sqs, http, https
  std::string queue;     // sqs: a queue by name (else `endpoint` is the queue's ARN)
  std::string endpoint;  // http(s): the URL; sqs: a queue ARN, or empty with `queue`
  // RawMessageDelivery, FilterPolicy (JSON), FilterPolicyScope, DeliveryPolicy
  // (JSON); RedrivePolicy comes from dead_letter.
  AttributeMap attributes;
  std::optional<DeadLetter> dead_letter;
  bool operator==(const SubscriptionSpec&) const = default;
};

struct TopicSpec {
  std::string name;
  Location at;
  // CreateTopic/SetTopicAttributes names and values, Policy and
  // DeliveryPolicy as JSON text.
  AttributeMap attributes;
  std::map<std::string, std::string> tags;
  std::vector<SubscriptionSpec> subscriptions;
  bool fifo() const;
  bool operator==(const TopicSpec&) const = default;
};

struct Spec {
  std::vector<QueueSpec> queues;  // in file order
  std::vector<TopicSpec> topics;  // in file order
  const QueueSpec* FindQueue(std::string_view name) const;
  // Field by field; the fuzz target checks that reading is deterministic.
  bool operator==(const Spec&) const = default;
};

// Reads and validates the file at `path`. Errors (InvalidArgument) name the
// file, line and column of each problem found, one per line.
Result<Spec> ParseSpecFile(const std::string& path);
// The same for text already read; `file` is the name errors give.
Result<Spec> ParseSpec(std::string_view text, const std::string& file);

// The declared queues ordered so that a dead-letter queue comes before the
// queues that name it (file order otherwise). ParseSpec has refused cycles.
std::vector<const QueueSpec*> QueuesInDependencyOrder(const Spec& spec);

}  // namespace ferry::resources
