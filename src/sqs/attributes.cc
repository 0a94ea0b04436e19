#include "sqs/attributes.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "api/errors.h"
#include "auth/policy.h"
#include "common/utf8.h"
#include "engine/queue_key.h"
#include "push/config.h"
#include "sqs/journey_attribute.h"
#include "sqs/queue_url.h"
#include "sqs/redelivery_backoff.h"
#include "sqs/scheduling.h"

namespace ferry::sqs {
namespace {

using engine::QueueSettings;

// kJson: the Policy, validated as a resource policy (auth/policy.h) and kept
// in `extra`; kRedrive: the RedrivePolicy, parsed into engine fields; kRedriveAllow: the
// RedriveAllowPolicy, validated and kept in `extra`; kBackoff:
// FerryRedeliveryBackoff, parsed into QueueSettings::redelivery_backoff;
// kJourney: FerryMessageJourney, canonical JSON kept in `extra` when set.
enum class Kind { kInt, kJson, kText, kBool, kRedrive, kRedriveAllow, kBackoff, kJourney };

// The attributes a client may set. `field` is the QueueSettings member of an
// engine setting; nullptr keeps the value in `extra` under `name`.
struct SettableAttribute {
  std::string_view name;
  Kind kind;
  int64_t min = 0;
  int64_t max = 0;
  int64_t QueueSettings::*field = nullptr;
};

constexpr std::array kSettable = {
    SettableAttribute{"DelaySeconds", Kind::kInt, 0, 900, &QueueSettings::delay_s},
    SettableAttribute{"MaximumMessageSize", Kind::kInt, 1024, 1048576,
                      &QueueSettings::max_message_size},
    SettableAttribute{"MessageRetentionPeriod", Kind::kInt, 60, 1209600,
                      &QueueSettings::retention_s},
    SettableAttribute{"ReceiveMessageWaitTimeSeconds", Kind::kInt, 0, 20,
                      &QueueSettings::receive_wait_s},
    SettableAttribute{"VisibilityTimeout", Kind::kInt, 0, 43200,
                      &QueueSettings::visibility_timeout_s},
    SettableAttribute{"Policy", Kind::kJson},
    SettableAttribute{"RedrivePolicy", Kind::kRedrive},
    SettableAttribute{"RedriveAllowPolicy", Kind::kRedriveAllow},
    SettableAttribute{"KmsMasterKeyId", Kind::kText},
    SettableAttribute{"KmsDataKeyReusePeriodSeconds", Kind::kInt, 60, 86400},
    SettableAttribute{"SqsManagedSseEnabled", Kind::kBool},
    SettableAttribute{kRedeliveryBackoff, Kind::kBackoff},
    SettableAttribute{"FerryMessageJourney", Kind::kJourney},  // kept in `extra` when set
};

// Attributes that only FIFO queues have, in the order "All" lists them.
constexpr std::array<std::string_view, 4> kFifoOnly = {"FifoQueue", "ContentBasedDeduplication",
                                                       "DeduplicationScope", "FifoThroughputLimit"};
constexpr std::string_view kFifoQueue = "FifoQueue";
constexpr std::string_view kContentBasedDedup = "ContentBasedDeduplication";
constexpr std::string_view kDedupScope = "DeduplicationScope";
constexpr std::string_view kThroughputLimit = "FifoThroughputLimit";

// Every attribute GetQueueAttributes can return, in the order "All" lists them.
// Ferry's own come last, and under "All" only when set.
constexpr std::array<std::string_view, 19> kReadable = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "DelaySeconds",
    "LastModifiedTimestamp",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "QueueArn",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "VisibilityTimeout",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    kRedeliveryBackoff,
    "FerryMessageJourney",
};

constexpr std::string_view kSse = "SqsManagedSseEnabled";
constexpr std::string_view kKmsKey = "KmsMasterKeyId";
constexpr std::string_view kKmsReuse = "KmsDataKeyReusePeriodSeconds";
constexpr std::string_view kDefaultKmsReuse = "300";
constexpr size_t kMaxKmsKeyIdLength = 2048;

template <size_t N>
bool Contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const SettableAttribute* FindSettable(std::string_view name) {
  for (const auto& a : kSettable) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Status InvalidValue(std::string_view name) {
  return api::Error(api::ErrorId::kInvalidAttributeValue,
                    "Invalid value for the parameter " + std::string(name) + ".");
}

Status UnknownAttribute(std::string_view name) {
  return api::Error(api::ErrorId::kInvalidAttributeName,
                    "Unknown Attribute " + std::string(name) + ".");
}

// A FIFO-only attribute named for a standard queue. AWS words the two that
// came with high-throughput FIFO differently from the older ones.
Status NotForStandardQueues(std::string_view name) {
  if (name == kDedupScope || name == kThroughputLimit) {
    return api::Error(
        api::ErrorId::kInvalidAttributeName,
        "You can specify the " + std::string(name) + " only when FifoQueue is set to true.");
  }
  return UnknownAttribute(name);
}

// FifoQueue's value: "true" or "false" in any letter case, as AWS reads it.
std::optional<bool> ParseFifoQueue(std::string_view value) {
  auto equals = [&](std::string_view word) {
    return value.size() == word.size() &&
           std::equal(value.begin(), value.end(), word.begin(),
                      [](char a, char b) { return (a | 0x20) == b; });
  };
  if (equals("true")) return true;
  if (equals("false")) return false;
  return std::nullopt;
}

// A KMS key as SQS names it: a key id, an alias ("alias/name") or either's
// ARN, up to KMS's 2048 characters. Those are made of printable ASCII other
// than space; that is what is checked, not whether the key exists.
bool IsKmsKeyId(std::string_view id) {
  return id.size() <= kMaxKmsKeyIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

const std::string* FindExtra(const QueueSettings& s, std::string_view name) {
  auto it = s.extra.find(std::string(name));
  return it == s.extra.end() ? nullptr : &it->second;
}

std::string RedrivePolicyValue(const QueueSettings& s, std::string_view arn_prefix) {
  boost::json::object policy;
  // The target is in the queue's region (PlaceRedriveTarget): its ARN is the
  // queue's prefix and the target's plain name.
  policy["deadLetterTargetArn"] =
      std::string(arn_prefix) + engine::QueueKey::Decode(s.dead_letter_queue).name;
  policy["maxReceiveCount"] = s.max_receive_count;
  return boost::json::serialize(policy);
}

// RedrivePolicy: {"deadLetterTargetArn": "<queue ARN>", "maxReceiveCount": 1..1000}
// (the count as a number or a numeric string). Whether the target exists is
// the handler's question (CheckRedriveTarget).
Status ApplyRedrivePolicy(std::string_view value, QueueSettings* settings) {
  if (value.empty()) {  // removes the policy
    settings->dead_letter_queue.clear();
    settings->max_receive_count = 0;
    return Status::Ok();
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) {
    return api::Error(api::ErrorId::kInvalidAttributeValue,
                      "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is "
                      "not a valid JSON map.");
  }
  const boost::json::object& policy = v.get_object();
  for (std::string_view required : {"maxReceiveCount", "deadLetterTargetArn"}) {
    if (!policy.contains(required)) {
      return InvalidRedrivePolicy(value, "Redrive policy does not contain mandatory attribute: " +
                                             std::string(required) + ".");
    }
  }
  const boost::json::value& count = policy.at("maxReceiveCount");
  std::optional<int64_t> n;
  if (count.is_int64()) n = count.get_int64();
  if (count.is_uint64() && count.get_uint64() <= 1000) n = static_cast<int64_t>(count.get_uint64());
  if (count.is_string()) n = ParseInt(count.get_string());
  if (!n || *n < 1 || *n > 1000) {
    std::string shown =
        count.is_string() ? std::string(count.get_string()) : boost::json::serialize(count);
    return InvalidRedrivePolicy(value, "Invalid value for maxReceiveCount: " + shown +
                                           ", valid values are from 1 to 1000 both inclusive.");
  }
  const boost::json::value& target = policy.at("deadLetterTargetArn");
  std::optional<QueueArn> arn;
  if (target.is_string()) arn = ParseQueueArn(target.get_string());
  if (!arn)
    return InvalidRedrivePolicy(value, "Dead-letter target ARN should be fully qualified ARN.");
  if (policy.size() > 2) {
    return InvalidRedrivePolicy(
        value, "Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].");
  }
  settings->dead_letter_queue = std::string(arn->name);
  settings->max_receive_count = *n;
  return Status::Ok();
}

// RedriveAllowPolicy: {"redrivePermission": "allowAll" | "denyAll" | "byQueue",
// "sourceQueueArns": [1..10 ARNs, byQueue only]}.
Status ValidateRedriveAllowPolicy(std::string_view value) {
  const Status unsupported = api::Error(
      api::ErrorId::kInvalidAttributeValue,
      "Invalid value for the parameter RedriveAllowPolicy. Reason: Amazon SQS can't create the "
      "redrive allow policy, as it's in an unsupported format.");
  auto invalid = [&](std::string_view reason) {
    return api::InvalidParameterValue(
        "RedriveAllowPolicy", value,
        "Amazon SQS can't create the redrive allow policy. " + std::string(reason));
  };
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return unsupported;
  const boost::json::object& policy = v.get_object();
  for (const auto& kv : policy) {
    if (kv.key() != "redrivePermission" && kv.key() != "sourceQueueArns") return unsupported;
  }
  const boost::json::value* permission = policy.if_contains("redrivePermission");
  if (permission == nullptr || !permission->is_string()) return unsupported;
  const std::string_view p = permission->get_string();
  if (p != "allowAll" && p != "denyAll" && p != "byQueue") return unsupported;
  const boost::json::value* arns = policy.if_contains("sourceQueueArns");
  if (arns != nullptr) {
    if (!arns->is_array()) return unsupported;
    for (const auto& a : arns->get_array()) {
      if (!a.is_string()) return unsupported;
    }
    if (p != "byQueue") {
      return invalid(
          "To specify one or more source queue ARNs, you must set redrivePermission "
          "to byQueue.");
    }
  }
  if (p == "byQueue" && (arns == nullptr || arns->get_array().empty())) {
    return invalid(
        "When you specify the byQueue permission type, you must also specify one or "
        "more sourceQueueArns values.");
  }
  if (arns != nullptr && arns->get_array().size() > kMaxRedriveSourceArns) {
    return invalid("The maximum number of source queue ARNs you can specify is 10.");
  }
  return Status::Ok();
}

// The value a client sees for a FIFO attribute of a FIFO queue.
std::string FifoValue(const QueueSettings& s, std::string_view name) {
  if (name == kFifoQueue) return s.fifo ? "true" : "false";
  if (name == kContentBasedDedup) return s.content_based_dedup ? "true" : "false";
  if (name == kDedupScope) {
    return s.dedup_scope == engine::DedupScope::kMessageGroup ? "messageGroup" : "queue";
  }
  return s.throughput_per_group ? "perMessageGroupId" : "perQueue";
}

// Applies one FIFO-only attribute (not FifoQueue) to a FIFO queue's settings.
Status ApplyFifoAttribute(std::string_view name, const std::string& value, QueueSettings* s) {
  if (name == kContentBasedDedup) {
    if (value != "true" && value != "false") return InvalidValue(name);
    s->content_based_dedup = value == "true";
  } else if (name == kDedupScope) {
    if (value != "queue" && value != "messageGroup") return InvalidValue(name);
    s->dedup_scope =
        value == "queue" ? engine::DedupScope::kQueue : engine::DedupScope::kMessageGroup;
  } else {
    if (value != "perQueue" && value != "perMessageGroupId") return InvalidValue(name);
    s->throughput_per_group = value == "perMessageGroupId";
  }
  return Status::Ok();
}

// The value a client sees for a settable attribute, or nullopt when unset.
// `arn_prefix` ("arn:aws:sqs:<region>:<account>:") completes queue names.
std::optional<std::string> SettableValue(const QueueSettings& s, const SettableAttribute& a,
                                         std::string_view arn_prefix = "") {
  if (a.field != nullptr) return std::to_string(s.*(a.field));
  if (a.kind == Kind::kRedrive) {
    if (s.dead_letter_queue.empty()) return std::nullopt;
    return RedrivePolicyValue(s, arn_prefix);
  }
  if (a.kind == Kind::kBackoff) {
    if (!s.redelivery_backoff.enabled()) return std::nullopt;
    return RenderRedeliveryBackoff(s.redelivery_backoff);
  }
  if (const std::string* v = FindExtra(s, a.name)) return *v;
  const bool kms = FindExtra(s, kKmsKey) != nullptr;
  if (a.name == kSse) return std::string(kms ? "false" : "true");
  if (a.name == kKmsReuse && kms) return std::string(kDefaultKmsReuse);
  return std::nullopt;
}

// FerryPushConsumer (src/push): validated, kept verbatim in `extra` (so
// GetQueueAttributes returns it as set, secret included); "" removes it.
Status ApplyPushConsumer(const std::string& value, QueueSettings* s) {
  const std::string name(push::kPushConsumerAttribute);
  if (value.empty()) {
    s->extra.erase(name);
    return Status::Ok();
  }
  Result<push::PushConsumerConfig> config = push::ParsePushConsumer(value);
  if (!config.ok()) {
    return api::Error(
        api::ErrorId::kInvalidAttributeValue,
        "Invalid value for the parameter " + name + ". Reason: " + config.status().message() + ".");
  }
  s->extra[name] = value;
  return Status::Ok();
}

}  // namespace

Status InvalidRedrivePolicy(std::string_view value, std::string_view reason) {
  return api::InvalidParameterValue("RedrivePolicy", value, reason);
}

Result<bool> CheckQueueKind(std::string_view queue_name, const AttributeMap& attributes) {
  bool fifo = false;
  if (auto it = attributes.find(std::string(kFifoQueue)); it != attributes.end()) {
    std::optional<bool> v = ParseFifoQueue(it->second);
    if (!v) return InvalidValue(kFifoQueue);
    // A standard queue has no FifoQueue attribute at all, so "false" names
    // an unknown one (AWS's answer).
    if (!*v) return UnknownAttribute(kFifoQueue);
    fifo = true;
  }
  if (fifo && !queue_name.ends_with(".fifo")) {
    return api::Error(api::ErrorId::kInvalidParameterValue,
                      "The name of a FIFO queue can only include alphanumeric characters, "
                      "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in "
                      "length.");
  }
  if (!fifo) {
    // A ".fifo" name without FifoQueue=true fails the standard name rules.
    for (const auto& [name, value] : attributes) {
      if (Contains(kFifoOnly, name)) return NotForStandardQueues(name);
    }
  }
  return fifo;
}

Status CheckSettableKind(const engine::Queue& queue, const AttributeMap& attributes) {
  for (const auto& [name, value] : attributes) {
    if (!queue.fifo()) {
      if (Contains(kFifoOnly, name)) return NotForStandardQueues(name);
    } else if (name == kFifoQueue) {
      // The kind is fixed at creation: restating it changes nothing (AWS
      // answers 200); anything else is refused.
      std::optional<bool> v = ParseFifoQueue(value);
      if (!v) return InvalidValue(kFifoQueue);
      if (!*v) return UnknownAttribute(kFifoQueue);
    }
  }
  return Status::Ok();
}

QueueSettings DefaultQueueSettings() { return QueueSettings{}; }

Status ApplyQueueAttributes(const AttributeMap& attributes, QueueSettings* settings) {
  const std::string* kms = nullptr;
  const std::string* sse = nullptr;
  bool kms_removed = false;  // a key was removed
  bool kms_cleared = false;  // KmsMasterKeyId "" was asked for
  for (const auto& [name, value] : attributes) {
    // Every value is stored and echoed by GetQueueAttributes: text SQS would
    // not accept in a message body never gets in.
    if (!IsValidSqsText(value)) return InvalidValue(name);
    if (name == kFifoQueue) continue;  // the queue's kind: see CheckQueueKind
    if (Contains(kFifoOnly, name)) {
      if (!settings->fifo) return NotForStandardQueues(name);
      FERRY_RETURN_IF_ERROR(ApplyFifoAttribute(name, value, settings));
      continue;
    }
    if (name == kScheduledDelivery) {  // Ferry's (scheduling.h)
      FERRY_RETURN_IF_ERROR(ApplyScheduledDelivery(value, settings));
      continue;
    }
    if (name == push::kPushConsumerAttribute) {
      FERRY_RETURN_IF_ERROR(ApplyPushConsumer(value, settings));
      continue;
    }
    const SettableAttribute* a = FindSettable(name);
    if (a == nullptr) return UnknownAttribute(name);
    switch (a->kind) {
      case Kind::kInt: {
        std::optional<int64_t> v = ParseInt(value);
        if (!v || *v < a->min || *v > a->max) return InvalidValue(name);
        if (a->field != nullptr) {
          settings->*(a->field) = *v;
        } else {
          settings->extra[name] = std::to_string(*v);
        }
        break;
      }
      case Kind::kJson:
        // An empty value removes the policy, as SetQueueAttributes does on AWS.
        if (value.empty()) {
          settings->extra.erase(name);
        } else if (auth::ParsePolicy(value, "sqs").ok()) {
          // Validated here; parsed again only when stored (RememberPolicy).
          settings->extra[name] = value;
        } else {
          return InvalidValue(name);
        }
        break;
      case Kind::kText:
        if (value.empty()) {
          kms_removed = settings->extra.erase(name) > 0;
          kms_cleared = true;
        } else if (!IsKmsKeyId(value)) {
          return InvalidValue(name);
        } else {
          settings->extra[name] = value;
          kms = &value;
        }
        break;
      case Kind::kBool:
        if (value != "true" && value != "false") return InvalidValue(name);
        sse = &value;
        break;
      case Kind::kRedrive:
        FERRY_RETURN_IF_ERROR(ApplyRedrivePolicy(value, settings));
        break;
      case Kind::kRedriveAllow:
        if (value.empty()) {
          settings->extra.erase(name);
        } else {
          FERRY_RETURN_IF_ERROR(ValidateRedriveAllowPolicy(value));
          settings->extra[name] = value;
        }
        break;
      case Kind::kBackoff: {
        Result<engine::RedeliveryBackoff> backoff = ParseRedeliveryBackoff(value);
        if (!backoff.ok()) return backoff.status();
        settings->redelivery_backoff = *backoff;
        break;
      }
      case Kind::kJourney: {
        Result<std::string> kept = CanonicalJourneyValue(value);
        if (!kept.ok()) return kept.status();
        if (kept->empty()) {
          settings->extra.erase(name);
        } else {
          settings->extra[name] = *kept;
        }
        break;
      }
    }
  }
  if (settings->fifo && settings->throughput_per_group &&
      settings->dedup_scope != engine::DedupScope::kMessageGroup) {
    // AWS: perMessageGroupId is allowed only with DeduplicationScope messageGroup.
    return api::Error(api::ErrorId::kInvalidAttributeValue,
                      "Invalid value for the parameter FifoThroughputLimit. Reason: "
                      "perMessageGroupId requires DeduplicationScope messageGroup.");
  }
  // One kind of server-side encryption at a time: a KMS key turns SQS-managed
  // SSE off, turning SQS-managed SSE on drops the KMS key, removing the KMS
  // key leaves the queue unencrypted.
  if (kms != nullptr && sse != nullptr && *sse == "true") {
    return api::Error(api::ErrorId::kInvalidAttributeValue,
                      "You can use one type of server-side encryption (SSE) at one time. You "
                      "can either enable KMS SSE or SQS SSE.");
  }
  auto& extra = settings->extra;
  if (sse != nullptr && *sse == "true") {
    extra.erase(std::string(kKmsKey));
    extra.erase(std::string(kKmsReuse));
  }
  if (sse != nullptr) {
    extra[std::string(kSse)] = *sse;
  } else if (kms != nullptr || kms_removed) {
    extra[std::string(kSse)] = "false";
  }
  // Canonical form: no entry for a value equal to its default, so that equal
  // queues have equal settings.
  const bool has_kms = extra.contains(std::string(kKmsKey));
  if (auto it = extra.find(std::string(kSse));
      it != extra.end() && it->second == (has_kms ? "false" : "true")) {
    extra.erase(it);
  }
  if (auto it = extra.find(std::string(kKmsReuse));
      it != extra.end() && (has_kms ? it->second == kDefaultKmsReuse : kms_cleared)) {
    // Removing the key (KmsMasterKeyId "") ends KMS encryption, and its
    // reuse period with it: AWS no longer lists the attribute.
    extra.erase(it);
  }
  return Status::Ok();
}

std::optional<std::string> FirstDifferingAttribute(const AttributeMap& requested,
                                                   const QueueSettings& existing,
                                                   const QueueSettings& desired) {
  for (const auto& [name, value] : requested) {
    if (Contains(kFifoOnly, name)) {
      if (FifoValue(existing, name) != FifoValue(desired, name)) return name;
      continue;
    }
    if (name == kScheduledDelivery) {
      if (ScheduledDelivery(existing) != ScheduledDelivery(desired)) return name;
      continue;
    }
    if (name == push::kPushConsumerAttribute) {
      const std::string* was = FindExtra(existing, name);
      const std::string* will = FindExtra(desired, name);
      if ((was == nullptr) != (will == nullptr) || (was != nullptr && *was != *will)) return name;
      continue;
    }
    const SettableAttribute* a = FindSettable(name);
    if (a != nullptr && SettableValue(existing, *a) != SettableValue(desired, *a)) return name;
  }
  return std::nullopt;
}

Result<boost::json::object> RenderQueueAttributes(const std::vector<std::string>& names,
                                                  engine::Queue& queue, std::string_view arn) {
  bool all = false;
  bool stats_needed = false;
  for (const std::string& n : names) {
    if (n == "All") {
      all = true;
    } else if (!Contains(kReadable, n) && !Contains(kFifoOnly, n) && n != kScheduledDelivery &&
               n != push::kPushConsumerAttribute) {
      return UnknownAttribute(n);
    }
    stats_needed = stats_needed || n.starts_with("ApproximateNumberOfMessages");
  }
  stats_needed = stats_needed || all;
  auto named = [&](std::string_view n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  auto wanted = [&](std::string_view n) { return all || named(n); };

  const QueueSettings settings = queue.settings();
  engine::QueueStats stats;
  if (stats_needed) stats = queue.Stats();

  boost::json::object out;
  for (std::string_view n : kReadable) {
    if (!wanted(n)) continue;
    std::optional<std::string> v;
    if (n == "ApproximateNumberOfMessages") {
      v = std::to_string(stats.visible);
    } else if (n == "ApproximateNumberOfMessagesNotVisible") {
      v = std::to_string(stats.in_flight);
    } else if (n == "ApproximateNumberOfMessagesDelayed") {
      v = std::to_string(stats.delayed);
    } else if (n == "CreatedTimestamp") {
      v = std::to_string(queue.created_ms() / 1000);
    } else if (n == "LastModifiedTimestamp") {
      v = std::to_string(queue.modified_ms() / 1000);
    } else if (n == "QueueArn") {
      v = std::string(arn);
    } else if (const SettableAttribute* a = FindSettable(n)) {
      v = SettableValue(settings, *a, arn.substr(0, arn.rfind(':') + 1));
      // Asked for by name, an unset FerryRedeliveryBackoff is the value
      // that removes one.
      if (!v && n == kRedeliveryBackoff && named(n)) v = std::string();
    }
    if (v) out.emplace(n, std::move(*v));
  }
  if (settings.fifo) {
    for (std::string_view n : kFifoOnly) {
      if (wanted(n)) out.emplace(n, FifoValue(settings, n));
    }
  }
  // Ferry's attributes: by name always, under All only when not the default,
  // so that a plain SQS client sees what it would see on AWS.
  const bool scheduled = ScheduledDelivery(settings);
  if (std::find(names.begin(), names.end(), kScheduledDelivery) != names.end() ||
      (all && scheduled)) {
    out.emplace(kScheduledDelivery, scheduled ? "true" : "false");
  }
  // Ferry's own attributes: only when set, so a plain SQS client's "All"
  // is what it was.
  if (const std::string* v = FindExtra(settings, push::kPushConsumerAttribute);
      v != nullptr && wanted(push::kPushConsumerAttribute)) {
    out.emplace(push::kPushConsumerAttribute, *v);
  }
  return out;
}

}  // namespace ferry::sqs
