#include "resources/spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <set>

#include "common/utf8.h"
#include "resources/spec_yaml.h"

namespace ferry::resources {
namespace {

using internal::BoolOf;
using internal::CheckTree;
using internal::Entries;
using internal::Entry;
using internal::FirstNonUtf8;
using internal::FlowDepth;
using internal::IsInteger;
using internal::IsMapOrNull;
using internal::IsPrometheusDuration;
using internal::kMaxDepth;
using internal::kMaxFileBytes;
using internal::kMaxNodes;
using internal::OneLine;
using internal::Problems;
using internal::ToJson;

// How an attribute's YAML value becomes its text.
enum class ValueKind { kInt, kBool, kText };

struct AttributeRule {
  std::string_view name;
  ValueKind kind;
};

// The queue attributes a file may set by their AWS names. Policy,
// RedrivePolicy and RedriveAllowPolicy are written as YAML (policy,
// dead_letter, redrive_allow_policy).
constexpr std::array kQueueAttributes = {
    AttributeRule{"DelaySeconds", ValueKind::kInt},
    AttributeRule{"MaximumMessageSize", ValueKind::kInt},
    AttributeRule{"MessageRetentionPeriod", ValueKind::kInt},
    AttributeRule{"ReceiveMessageWaitTimeSeconds", ValueKind::kInt},
    AttributeRule{"VisibilityTimeout", ValueKind::kInt},
    AttributeRule{"KmsMasterKeyId", ValueKind::kText},
    AttributeRule{"KmsDataKeyReusePeriodSeconds", ValueKind::kInt},
    AttributeRule{"SqsManagedSseEnabled", ValueKind::kBool},
    AttributeRule{"FifoQueue", ValueKind::kBool},
    AttributeRule{"ContentBasedDeduplication", ValueKind::kBool},
    AttributeRule{"DeduplicationScope", ValueKind::kText},
    AttributeRule{"FifoThroughputLimit", ValueKind::kText},
    AttributeRule{"FerryMessageJourney", ValueKind::kText},  // a JSON document, as a string
};

// The topic attributes a file may set by their AWS names; Policy and
// DeliveryPolicy are written as YAML (policy, delivery_policy).
constexpr std::array kTopicAttributes = {
    AttributeRule{"DisplayName", ValueKind::kText},
    AttributeRule{"FifoTopic", ValueKind::kBool},
    AttributeRule{"ContentBasedDeduplication", ValueKind::kBool},
    AttributeRule{"SignatureVersion", ValueKind::kText},
    AttributeRule{"TracingConfig", ValueKind::kText},
    AttributeRule{"KmsMasterKeyId", ValueKind::kText},
    AttributeRule{"FifoThroughputScope", ValueKind::kText},
};

// Attributes written another way in the file, and where.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kWrittenElsewhere = {{
    {"Policy", "policy"},
    {"FerryRedeliveryBackoff", "redelivery_backoff"},
    {"FerryPushConsumer", "push_consumer"},
    {"RedrivePolicy", "dead_letter"},
    {"RedriveAllowPolicy", "redrive_allow_policy"},
    {"DeliveryPolicy", "delivery_policy"},
    {"FilterPolicy", "filter_policy"},
}};

constexpr std::string_view kFifoSuffix = ".fifo";

const AttributeRule* FindRule(std::string_view name, const auto& rules) {
  for (const AttributeRule& r : rules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// An attribute's value as the actions take it: integers as digits,
// booleans as true/false.
std::optional<std::string> AttributeText(const AttributeRule& rule, const YAML::Node& value,
                                         Problems& problems) {
  if (!value.IsScalar()) {
    problems.Add(value, std::string(rule.name) + " must be a single value");
    return std::nullopt;
  }
  const std::string& s = value.Scalar();
  switch (rule.kind) {
    case ValueKind::kInt:
      if (!IsInteger(s)) {
        problems.Add(value, std::string(rule.name) + " must be a whole number, not '" + s + "'");
        return std::nullopt;
      }
      return s;
    case ValueKind::kBool:
      if (auto b = BoolOf(s)) return std::string(*b ? "true" : "false");
      problems.Add(value, std::string(rule.name) + " must be true or false, not '" + s + "'");
      return std::nullopt;
    case ValueKind::kText:
      return s;
  }
  return std::nullopt;
}

void UnknownKey(const YAML::Node& key_node, std::string_view key, std::string_view what,
                std::string_view known, Problems& problems) {
  for (const auto& [attribute, instead] : kWrittenElsewhere) {
    if (attribute == key) {
      problems.Add(key_node, "unknown key '" + std::string(key) + "' in " + std::string(what) +
                                 ": write it as '" + std::string(instead) + "' (a YAML mapping)");
      return;
    }
  }
  problems.Add(key_node, "unknown key '" + std::string(key) + "' in " + std::string(what) +
                             " (known: " + std::string(known) + ")");
}

// A YAML mapping rendered to JSON text (a policy); nullopt after a problem.
std::optional<std::string> JsonText(const YAML::Node& value, std::string_view key,
                                    Problems& problems) {
  if (!value.IsMap()) {
    problems.Add(value, std::string(key) + " must be a mapping");
    return std::nullopt;
  }
  return boost::json::serialize(ToJson(value));
}

std::map<std::string, std::string> Tags(const YAML::Node& value, Problems& problems) {
  std::map<std::string, std::string> tags;
  if (value.IsNull()) return tags;
  if (!value.IsMap()) {
    problems.Add(value, "tags must be a mapping of key: value");
    return tags;
  }
  for (auto& [key, key_node, v] : Entries(value, problems)) {
    if (!v.IsScalar() && !v.IsNull()) {
      problems.Add(v, "the value of tag '" + key + "' must be text");
      continue;
    }
    tags[key] = v.IsNull() ? "" : v.Scalar();
  }
  return tags;
}

// dead_letter: {queue: NAME, max_receive_count: N}; a subscription's has
// no count.
std::optional<DeadLetter> ReadDeadLetter(const YAML::Node& value, bool with_count,
                                         Problems& problems) {
  const std::string_view known = with_count ? "queue, max_receive_count" : "queue";
  if (!value.IsMap()) {
    problems.Add(value, "dead_letter must be a mapping (" + std::string(known) + ")");
    return std::nullopt;
  }
  DeadLetter dl;
  bool ok = true;
  for (auto& [key, key_node, v] : Entries(value, problems)) {
    if (key == "queue" && v.IsScalar()) {
      dl.queue = v.Scalar();
    } else if (key == "max_receive_count" && with_count && v.IsScalar() && IsInteger(v.Scalar())) {
      const std::string& text = v.Scalar();
      auto [end, ec] =
          std::from_chars(text.data(), text.data() + text.size(), dl.max_receive_count);
      if (ec != std::errc() || dl.max_receive_count < 1 || dl.max_receive_count > 1000) {
        dl.max_receive_count = 0;
        problems.Add(v, "max_receive_count must be from 1 to 1000");
        ok = false;
      }
    } else if (key == "queue" || (key == "max_receive_count" && with_count)) {
      problems.Add(v, key == "queue" ? "queue must be a queue name"
                                     : "max_receive_count must be a whole number");
      ok = false;
    } else {
      problems.Add(key_node,
                   "unknown key '" + key + "' in dead_letter (known: " + std::string(known) + ")");
      ok = false;
    }
  }
  if (dl.queue.empty()) {
    problems.Add(value, "dead_letter needs a queue");
    ok = false;
  }
  if (with_count && dl.max_receive_count == 0 && ok) {
    problems.Add(value, "dead_letter needs max_receive_count (1 to 1000)");
    ok = false;
  }
  return ok ? std::optional<DeadLetter>(dl) : std::nullopt;
}

bool ValidName(std::string_view name, size_t max, bool fifo) {
  if (fifo) {
    if (!name.ends_with(kFifoSuffix)) return false;
    name.remove_suffix(kFifoSuffix.size());
    max -= kFifoSuffix.size();
  }
  return !name.empty() && name.size() <= max && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// FifoQueue / FifoTopic follow the name: a ".fifo" name makes a FIFO one
// (the attribute may be left out), and the attribute needs such a name.
void SettleFifo(const std::string& name, std::string_view attribute, AttributeMap& attributes,
                const Location& at, std::string_view what, Problems& problems) {
  const bool fifo_name = name.ends_with(kFifoSuffix);
  auto it = attributes.find(std::string(attribute));
  if (it == attributes.end()) {
    if (fifo_name) attributes[std::string(attribute)] = "true";
    return;
  }
  if ((it->second == "true") != fifo_name) {
    problems.Add(
        at, std::string(what) + " '" + name + "': " + std::string(attribute) + " " + it->second +
                (fifo_name ? " but the name ends in .fifo" : " needs a name that ends in .fifo"));
  }
  if (it->second == "false") attributes.erase(it);
}

// The keys of queues and topics written as YAML mappings and sent as the
// JSON text of an attribute.
struct JsonKey {
  std::string_view key;
  std::string_view attribute;
};
constexpr std::array kQueueJsonKeys = {JsonKey{"policy", "Policy"},
                                       JsonKey{"redrive_allow_policy", "RedriveAllowPolicy"},
                                       JsonKey{"redelivery_backoff", "FerryRedeliveryBackoff"},
                                       JsonKey{"push_consumer", "FerryPushConsumer"}};
constexpr std::array kTopicJsonKeys = {JsonKey{"policy", "Policy"},
                                       JsonKey{"delivery_policy", "DeliveryPolicy"}};

// Reads a key queues and topics share (an AWS attribute, tags, a policy);
// false when `e` is none of them.
bool ReadSharedKey(const Entry& e, const auto& rules, const auto& json_keys,
                   AttributeMap& attributes, std::map<std::string, std::string>& tags,
                   Problems& problems) {
  if (const AttributeRule* rule = FindRule(e.key, rules)) {
    if (auto text = AttributeText(*rule, e.value, problems)) attributes[e.key] = *text;
    return true;
  }
  if (e.key == "tags") {
    tags = Tags(e.value, problems);
    return true;
  }
  for (const JsonKey& j : json_keys) {
    if (e.key != j.key) continue;
    if (auto json = JsonText(e.value, e.key, problems))
      attributes[std::string(j.attribute)] = *json;
    return true;
  }
  return false;
}

// A queue's or topic's name (`max` characters at most) and its FIFO
// attribute.
void CheckName(std::string_view what, const std::string& name, size_t max,
               std::string_view fifo_attribute, AttributeMap& attributes, const Location& at,
               Problems& problems) {
  SettleFifo(name, fifo_attribute, attributes, at, what, problems);
  if (!ValidName(name, max, name.ends_with(kFifoSuffix))) {
    problems.Add(at, std::string(what) + " name '" + name + "' must be 1 to " +
                         std::to_string(max) +
                         " letters, digits, - and _ (and .fifo at the end for a FIFO " +
                         std::string(what) + ")");
  }
}

// alarms: {messages_visible_above: N, oldest_message_age_above: SECONDS,
// for: DURATION, severity: TEXT}
std::optional<Alarms> ReadAlarms(const YAML::Node& value, Problems& problems) {
  constexpr std::string_view kKnown =
      "messages_visible_above, oldest_message_age_above, for, severity";
  if (!value.IsMap()) {
    problems.Add(value, "alarms must be a mapping (" + std::string(kKnown) + ")");
    return std::nullopt;
  }
  Alarms alarms;
  for (const Entry& e : Entries(value, problems)) {
    const bool scalar = e.value.IsScalar();
    if (e.key == "messages_visible_above" || e.key == "oldest_message_age_above") {
      int64_t n = 0;
      const std::string text = scalar ? e.value.Scalar() : "";
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (!scalar || ec != std::errc() || end != text.data() + text.size() || n < 0) {
        problems.Add(e.value, e.key + " must be a whole number, 0 or more");
        continue;
      }
      (e.key == "messages_visible_above" ? alarms.messages_visible_above
                                         : alarms.oldest_message_age_above) = n;
    } else if (e.key == "for" && scalar) {
      if (!IsPrometheusDuration(e.value.Scalar())) {
        problems.Add(e.value, "for must be a Prometheus duration such as 30s, 5m or 1h");
      }
      alarms.for_duration = e.value.Scalar();
    } else if (e.key == "severity" && scalar) {
      alarms.severity = e.value.Scalar();
    } else if (e.key == "for" || e.key == "severity") {
      problems.Add(e.value, e.key + " must be a single value");
    } else {
      problems.Add(e.key_node,
                   "unknown key '" + e.key + "' in alarms (known: " + std::string(kKnown) + ")");
    }
  }
  if (!alarms.messages_visible_above && !alarms.oldest_message_age_above) {
    problems.Add(value, "alarms needs messages_visible_above or oldest_message_age_above");
    return std::nullopt;
  }
  return alarms;
}

QueueSpec ReadQueue(const std::string& name, const YAML::Node& name_node, const YAML::Node& body,
                    Problems& problems) {
  QueueSpec q;
  q.name = name;
  q.at = problems.At(name_node);
  if (!IsMapOrNull(body)) {
    problems.Add(body, "queue '" + name + "' must be a mapping of its settings");
    return q;
  }
  if (body.IsMap()) {
    for (const Entry& e : Entries(body, problems)) {
      if (ReadSharedKey(e, kQueueAttributes, kQueueJsonKeys, q.attributes, q.tags, problems)) {
        continue;
      }
      if (e.key == "dead_letter") {
        q.dead_letter = ReadDeadLetter(e.value, true, problems);
      } else if (e.key == "alarms") {
        q.alarms = ReadAlarms(e.value, problems);
      } else {
        UnknownKey(e.key_node, e.key, "queue '" + name + "'",
                   "AWS queue attributes such as VisibilityTimeout, dead_letter, tags, policy, "
                   "redrive_allow_policy, alarms",
                   problems);
      }
    }
  }
  CheckName("queue", name, 80, "FifoQueue", q.attributes, q.at, problems);
  return q;
}

SubscriptionSpec ReadSubscription(const YAML::Node& body, Problems& problems) {
  SubscriptionSpec s;
  s.at = problems.At(body);
  if (!body.IsMap()) {
    problems.Add(body, "a subscription must be a mapping (protocol, queue or endpoint, ...)");
    return s;
  }
  for (auto& [key, key_node, value] : Entries(body, problems)) {
    const bool scalar = value.IsScalar();
    if (key == "protocol" && scalar) {
      s.protocol = value.Scalar();
    } else if (key == "queue" && scalar) {
      s.queue = value.Scalar();
    } else if (key == "endpoint" && scalar) {
      s.endpoint = value.Scalar();
    } else if (key == "raw_message_delivery") {
      if (auto text = AttributeText({"raw_message_delivery", ValueKind::kBool}, value, problems)) {
        s.attributes["RawMessageDelivery"] = *text;
      }
    } else if (key == "filter_policy") {
      if (auto json = JsonText(value, key, problems)) s.attributes["FilterPolicy"] = *json;
    } else if (key == "filter_policy_scope" && scalar) {
      if (value.Scalar() != "MessageAttributes" && value.Scalar() != "MessageBody") {
        problems.Add(value, "filter_policy_scope must be MessageAttributes or MessageBody");
      }
      s.attributes["FilterPolicyScope"] = value.Scalar();
    } else if (key == "delivery_policy") {
      if (auto json = JsonText(value, key, problems)) s.attributes["DeliveryPolicy"] = *json;
    } else if (key == "dead_letter") {
      s.dead_letter = ReadDeadLetter(value, false, problems);
    } else if (key == "protocol" || key == "queue" || key == "endpoint" ||
               key == "filter_policy_scope") {
      problems.Add(value, key + " must be a single value");
    } else {
      UnknownKey(key_node, key, "subscription",
                 "protocol, queue, endpoint, raw_message_delivery, filter_policy, "
                 "filter_policy_scope, dead_letter, delivery_policy",
                 problems);
    }
  }
  if (s.protocol == "sqs") {
    if (s.queue.empty() == s.endpoint.empty()) {
      problems.Add(s.at,
                   "an sqs subscription needs either queue (a name) or endpoint (a queue ARN)");
    } else if (!s.endpoint.empty() && !s.endpoint.starts_with("arn:")) {
      problems.Add(s.at,
                   "the endpoint of an sqs subscription is a queue ARN; name a queue of "
                   "this file with queue:");
    }
    if (s.attributes.contains("DeliveryPolicy")) {
      problems.Add(s.at, "delivery_policy is for http and https subscriptions only");
    }
  } else if (s.protocol == "http" || s.protocol == "https") {
    if (!s.queue.empty()) problems.Add(s.at, "queue is for sqs subscriptions only");
    if (!s.endpoint.starts_with(s.protocol + "://")) {
      problems.Add(s.at,
                   "an " + s.protocol + " subscription needs an endpoint " + s.protocol + "://...");
    }
  } else if (s.protocol.empty()) {
    problems.Add(s.at, "a subscription needs a protocol (sqs, http or https)");
  } else {
    problems.Add(s.at, "protocol '" + s.protocol + "' is not one of sqs, http, https");
  }
  return s;
}

TopicSpec ReadTopic(const std::string& name, const YAML::Node& name_node, const YAML::Node& body,
                    Problems& problems) {
  TopicSpec t;
  t.name = name;
  t.at = problems.At(name_node);
  if (!IsMapOrNull(body)) {
    problems.Add(body, "topic '" + name + "' must be a mapping of its settings");
    return t;
  }
  if (body.IsMap()) {
    for (const Entry& e : Entries(body, problems)) {
      if (ReadSharedKey(e, kTopicAttributes, kTopicJsonKeys, t.attributes, t.tags, problems)) {
        continue;
      }
      if (e.key == "subscriptions") {
        if (!e.value.IsSequence() && !e.value.IsNull()) {
          problems.Add(e.value, "subscriptions must be a list");
          continue;
        }
        for (const YAML::Node& item : e.value) {
          t.subscriptions.push_back(ReadSubscription(item, problems));
        }
      } else {
        UnknownKey(e.key_node, e.key, "topic '" + name + "'",
                   "AWS topic attributes such as DisplayName, tags, policy, delivery_policy, "
                   "subscriptions",
                   problems);
      }
    }
  }
  CheckName("topic", name, 256, "FifoTopic", t.attributes, t.at, problems);
  return t;
}

// What the declarations say about each other: dead-letter cycles, FIFO
// pairs, subscriptions given twice.
void CheckReferences(const Spec& spec, Problems& problems) {
  for (const QueueSpec& q : spec.queues) {
    if (!q.dead_letter) continue;
    if (q.dead_letter->queue == q.name) {
      problems.Add(q.at, "queue '" + q.name + "' is its own dead-letter queue");
      continue;
    }
    if (const QueueSpec* dlq = spec.FindQueue(q.dead_letter->queue)) {
      if (dlq->fifo() != q.fifo()) {
        problems.Add(q.at, "queue '" + q.name + "' and its dead-letter queue '" + dlq->name +
                               "' must both be FIFO or both standard");
      }
    }
    // Follow the chain: a cycle comes back to q.
    std::set<std::string> seen{q.name};
    for (const QueueSpec* next = spec.FindQueue(q.dead_letter->queue); next != nullptr;
         next = next->dead_letter ? spec.FindQueue(next->dead_letter->queue) : nullptr) {
      if (!seen.insert(next->name).second) {
        if (next->name == q.name) {
          problems.Add(q.at, "queue '" + q.name + "' is in a cycle of dead-letter queues");
        }
        break;
      }
    }
  }
  for (const TopicSpec& t : spec.topics) {
    std::set<std::string> seen;
    for (const SubscriptionSpec& s : t.subscriptions) {
      const std::string target = s.protocol + " " + (s.queue.empty() ? s.endpoint : s.queue);
      if (!seen.insert(target).second) {
        problems.Add(s.at, "topic '" + t.name + "' subscribes " + target + " twice");
      }
      if (s.protocol == "sqs" && !s.queue.empty()) {
        const QueueSpec* q = spec.FindQueue(s.queue);
        if (q != nullptr && q->fifo() && !t.fifo()) {
          problems.Add(s.at, "the FIFO queue '" + q->name +
                                 "' cannot be subscribed to the standard topic '" + t.name + "'");
        }
      }
    }
  }
}

Result<Spec> Read(const YAML::Node& root, const std::string& file) {
  Problems problems(file);
  Spec spec;
  size_t budget = kMaxNodes;
  if (!CheckTree(root, 0, budget, problems)) return problems.ToStatus();
  if (root.IsNull()) return spec;
  if (!root.IsMap()) {
    problems.Add(root, "the file must be a mapping with queues: and topics:");
    return problems.ToStatus();
  }
  for (auto& [key, key_node, value] : Entries(root, problems)) {
    if (key != "queues" && key != "topics") {
      problems.Add(key_node, "unknown key '" + key + "' at the top (known: queues, topics)");
      continue;
    }
    if (value.IsNull()) continue;
    if (!value.IsMap()) {
      problems.Add(value, key + " must be a mapping of name: settings");
      continue;
    }
    std::set<std::string> names;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!it->first.IsScalar()) {
        problems.Add(it->first, "a " + key.substr(0, key.size() - 1) + " name must be text");
        continue;
      }
      const std::string& name = it->first.Scalar();
      if (!names.insert(name).second) {
        problems.Add(it->first, "'" + name + "' is declared twice");
        continue;
      }
      if (key == "queues") {
        spec.queues.push_back(ReadQueue(name, it->first, it->second, problems));
      } else {
        spec.topics.push_back(ReadTopic(name, it->first, it->second, problems));
      }
    }
  }
  CheckReferences(spec, problems);
  if (!problems.empty()) return problems.ToStatus();
  return spec;
}

}  // namespace

std::string Location::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

bool QueueSpec::fifo() const { return name.ends_with(kFifoSuffix); }
bool TopicSpec::fifo() const { return name.ends_with(kFifoSuffix); }

const QueueSpec* Spec::FindQueue(std::string_view name) const {
  for (const QueueSpec& q : queues) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

Result<Spec> ParseSpec(std::string_view text, const std::string& file) {
  const Location start{file, 1, 1};
  if (text.size() > kMaxFileBytes) {
    return Status::InvalidArgument(start.ToString() + ": the file is larger than " +
                                   std::to_string(kMaxFileBytes) + " bytes");
  }
  // Policies become JSON text, which must be UTF-8; yaml-cpp passes other
  // bytes through (and itself refuses escapes of lone surrogates).
  if (!IsValidUtf8(text)) {
    return Status::InvalidArgument(FirstNonUtf8(text, file).ToString() + ": the file is not UTF-8");
  }
  if (FlowDepth(text) > kMaxDepth) {
    return Status::InvalidArgument(start.ToString() + ": the file nests [ and { deeper than " +
                                   std::to_string(kMaxDepth) + " levels");
  }
  // yaml-cpp reports malformed YAML by throwing, and allocation can throw;
  // nothing may leave this module as an exception.
  try {
    return Read(YAML::Load(std::string(text)), file);
  } catch (const YAML::Exception& e) {
    // A mark yaml-cpp could not place (-1) is reported at the start.
    Location at{file, std::max(e.mark.line, 0) + 1, std::max(e.mark.column, 0) + 1};
    return Status::InvalidArgument(at.ToString() + ": " + OneLine(e.msg));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(start.ToString() +
                                   ": cannot read the file: " + OneLine(e.what()));
  }
}

Result<Spec> ParseSpecFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path + ": cannot read the file");
  // One byte past the bound, so ParseSpec can tell a file that is too large.
  std::string text(kMaxFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::InvalidArgument(path + ": cannot read the file");
  text.resize(static_cast<size_t>(in.gcount()));
  return ParseSpec(text, path);
}

std::vector<const QueueSpec*> QueuesInDependencyOrder(const Spec& spec) {
  std::vector<const QueueSpec*> out;
  std::set<std::string> placed;
  // Depth first along the dead-letter chain: the chain's end goes first.
  std::function<void(const QueueSpec&)> place = [&](const QueueSpec& q) {
    if (!placed.insert(q.name).second) return;
    if (q.dead_letter) {
      if (const QueueSpec* dlq = spec.FindQueue(q.dead_letter->queue)) place(*dlq);
    }
    out.push_back(&q);
  };
  for (const QueueSpec& q : spec.queues) place(q);
  return out;
}

}  // namespace ferry::resources
