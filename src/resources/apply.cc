#include "resources/apply.h"

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "resources/spec.h"

namespace ferry::resources {
namespace {

using boost::json::object;

// Attributes whose value is a JSON document: equal when they parse to the
// same value, whatever the spacing and key order.
constexpr std::string_view kRedeliveryBackoff = "FerryRedeliveryBackoff";

bool IsJsonAttribute(std::string_view name) {
  return name == "Policy" || name == "RedrivePolicy" || name == "RedriveAllowPolicy" ||
         name == "FilterPolicy" || name == "DeliveryPolicy" || name == kRedeliveryBackoff ||
         name == "FerryPushConsumer" || name == "FerryMessageJourney";
}

bool SameValue(std::string_view name, std::string_view current, std::string_view desired) {
  if (current == desired) return true;
  if (!IsJsonAttribute(name) || current.empty() || desired.empty()) return false;
  boost::system::error_code ec1, ec2;
  const boost::json::value a = boost::json::parse(current, ec1);
  boost::json::value b = boost::json::parse(desired, ec2);
  // The service returns a backoff with its defaults filled in.
  if (!ec2 && name == kRedeliveryBackoff && b.is_object()) {
    b.get_object().emplace("maxSeconds", 43200);
    b.get_object().emplace("jitter", "none");
  }
  return !ec1 && !ec2 && a == b;
}

// Whether an invoker's error is one of the AWS `codes` (the message starts
// with the code, api/invoker.h).
bool IsError(const Status& status, std::initializer_list<std::string_view> codes) {
  for (std::string_view code : codes) {
    const std::string_view m = status.message();
    if (m.starts_with(code) && m.substr(code.size()).starts_with(":")) return true;
  }
  return false;
}

std::string Text(const boost::json::value* v) {
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->get_string());
  return boost::json::serialize(*v);
}

// The attributes of `desired` whose value differs from `current` (a
// Get*Attributes "Attributes" object), and a line saying how, per attribute.
struct AttributeDiff {
  std::map<std::string, std::string> changed;
  std::vector<std::string> lines;
};
AttributeDiff Diff(const AttributeMap& desired, const object& current) {
  AttributeDiff diff;
  for (const auto& [name, value] : desired) {
    const std::string now = Text(current.if_contains(name));
    if (SameValue(name, now, value)) continue;
    diff.changed[name] = value;
    if (IsJsonAttribute(name)) {
      diff.lines.push_back(name + (now.empty() ? " set" : " changed"));
    } else {
      diff.lines.push_back(name + " " + (now.empty() ? "(unset)" : now) + " -> " + value);
    }
  }
  return diff;
}

// Tags of `desired` missing from or different in `current`.
AttributeDiff TagDiff(const std::map<std::string, std::string>& desired,
                      const std::map<std::string, std::string>& current) {
  AttributeDiff diff;
  for (const auto& [key, value] : desired) {
    auto it = current.find(key);
    if (it != current.end() && it->second == value) continue;
    diff.changed[key] = value;
    diff.lines.push_back("tag " + key + " " + (it == current.end() ? "(unset)" : it->second) +
                         " -> " + value);
  }
  return diff;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

object StringObject(const std::map<std::string, std::string>& map) {
  object out;
  for (const auto& [k, v] : map) out[k] = v;
  return out;
}

boost::json::array TagList(const std::map<std::string, std::string>& tags) {
  boost::json::array out;
  for (const auto& [k, v] : tags) out.push_back(object{{"Key", k}, {"Value", v}});
  return out;
}

std::string Field(const object& o, std::string_view name) { return Text(o.if_contains(name)); }

const object& ObjectField(const object& o, std::string_view name) {
  static const object kEmpty;
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && v->is_object() ? v->get_object() : kEmpty;
}

// What is known of a queue once handled: where it is, or that it failed
// (`failed`) or will only be made by this apply (`planned`, a dry run).
struct QueueState {
  std::string url;
  std::string arn;
  bool failed = false;
  bool planned = false;
};

struct TopicState {
  std::string arn;
  bool failed = false;
  bool planned = false;
};

class Run {
 public:
  Run(const Spec& spec, api::ActionInvoker& invoker, const ApplyOptions& options)
      : spec_(spec), invoker_(invoker), options_(options) {}

  ApplyReport Go() {
    for (const QueueSpec* q : QueuesInDependencyOrder(spec_)) ApplyQueue(*q);
    for (const TopicSpec& t : spec_.topics) {
      const TopicState state = ApplyTopic(t);
      ApplySubscriptions(t, state);
    }
    return std::move(report_);
  }

 private:
  Result<object> Call(std::string_view service, std::string_view action, object params) {
    return invoker_.Invoke(service, action, std::move(params));
  }
  // A call that changes something: not made in a dry run.
  Status Write(std::string_view service, std::string_view action, object params) {
    if (options_.dry_run) return Status::Ok();
    Result<object> r = Call(service, action, std::move(params));
    return r.ok() ? Status::Ok() : r.status();
  }

  void Report(Change::Kind kind, std::string resource, std::string detail) {
    report_.changes.push_back(Change{kind, std::move(resource), std::move(detail)});
  }

  // The queue's URL and ARN, for a queue the file names but may not declare.
  // nullopt when it does not exist (the error otherwise).
  Result<std::optional<QueueState>> LookUpQueue(const std::string& name) {
    Result<object> url = Call("sqs", "GetQueueUrl", object{{"QueueName", name}});
    if (!url.ok()) {
      if (IsError(url.status(), {"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"})) {
        return std::optional<QueueState>();
      }
      return url.status();
    }
    QueueState state;
    state.url = Field(*url, "QueueUrl");
    Result<object> attributes =
        Call("sqs", "GetQueueAttributes",
             object{{"QueueUrl", state.url}, {"AttributeNames", boost::json::array{"QueueArn"}}});
    if (!attributes.ok()) return attributes.status();
    state.arn = Field(ObjectField(*attributes, "Attributes"), "QueueArn");
    return std::optional<QueueState>(state);
  }

  // A queue another declaration names: one this file declared (handled
  // already, dependency order) or one that exists. An error says why it
  // cannot be used.
  Result<QueueState> NamedQueue(const std::string& name, std::string_view role) {
    if (auto it = queues_.find(name); it != queues_.end()) {
      if (it->second.failed) {
        return Status::FailedPrecondition(std::string(role) + " " + name + " was not applied");
      }
      return it->second;
    }
    auto found = LookUpQueue(name);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return Status::NotFound(std::string(role) + " " + name +
                              " is neither declared in the file nor an existing queue");
    }
    queues_[name] = **found;
    return **found;
  }

  void ApplyQueue(const QueueSpec& q) {
    const std::string resource = "queue " + q.name;
    QueueState& state = queues_[q.name];
    auto fail = [&](const std::string& why) {
      state.failed = true;
      Report(Change::Kind::kFailed, resource, why);
    };
    AttributeMap desired = q.attributes;
    if (q.dead_letter) {
      auto dlq = NamedQueue(q.dead_letter->queue, "dead-letter queue");
      if (!dlq.ok()) return fail(dlq.status().message());
      object policy{{"deadLetterTargetArn",
                     dlq->planned ? "(new queue " + q.dead_letter->queue + ")" : dlq->arn},
                    {"maxReceiveCount", q.dead_letter->max_receive_count}};
      desired["RedrivePolicy"] = boost::json::serialize(policy);
    }
    auto found = LookUpQueue(q.name);
    if (!found.ok()) return fail(found.status().message());
    if (!found->has_value()) {
      if (options_.dry_run) {
        state.planned = true;
        return Report(Change::Kind::kCreated, resource, "");
      }
      Result<object> created = Call("sqs", "CreateQueue",
                                    object{{"QueueName", q.name},
                                           {"Attributes", StringObject(desired)},
                                           {"tags", StringObject(q.tags)}});
      if (!created.ok()) return fail(created.status().message());
      auto made = LookUpQueue(q.name);
      if (!made.ok() || !made->has_value()) {
        return fail("created, but not found afterwards: " + made.status().message());
      }
      state = **made;
      return Report(Change::Kind::kCreated, resource, "");
    }
    state = **found;
    Result<object> current =
        Call("sqs", "GetQueueAttributes",
             object{{"QueueUrl", state.url}, {"AttributeNames", boost::json::array{"All"}}});
    if (!current.ok()) return fail(current.status().message());
    AttributeDiff diff = Diff(desired, ObjectField(*current, "Attributes"));
    // The kind of a queue is fixed when it is made.
    if (diff.changed.contains("FifoQueue")) {
      return fail(
          "FifoQueue cannot change after the queue is created (delete the queue to "
          "change it)");
    }
    Result<object> tags = Call("sqs", "ListQueueTags", object{{"QueueUrl", state.url}});
    if (!tags.ok()) return fail(tags.status().message());
    std::map<std::string, std::string> current_tags;
    for (const auto& kv : ObjectField(*tags, "Tags")) current_tags[kv.key()] = Text(&kv.value());
    AttributeDiff tag_diff = TagDiff(q.tags, current_tags);
    if (!diff.changed.empty()) {
      Status s = Write("sqs", "SetQueueAttributes",
                       object{{"QueueUrl", state.url}, {"Attributes", StringObject(diff.changed)}});
      if (!s.ok()) return fail(s.message());
    }
    if (!tag_diff.changed.empty()) {
      Status s = Write("sqs", "TagQueue",
                       object{{"QueueUrl", state.url}, {"Tags", StringObject(tag_diff.changed)}});
      if (!s.ok()) return fail(s.message());
    }
    diff.lines.insert(diff.lines.end(), tag_diff.lines.begin(), tag_diff.lines.end());
    Report(diff.lines.empty() ? Change::Kind::kUnchanged : Change::Kind::kUpdated, resource,
           Join(diff.lines));
  }

  // The ARN of the account's topic `name`, or "" when there is none.
  Result<std::string> FindTopic(const std::string& name) {
    if (!topic_arns_) {
      std::set<std::string> arns;
      std::string token;
      do {
        object params;
        if (!token.empty()) params["NextToken"] = token;
        Result<object> page = Call("sns", "ListTopics", std::move(params));
        if (!page.ok()) return page.status();
        if (const boost::json::value* list = page->if_contains("Topics");
            list && list->is_array()) {
          for (const auto& t : list->get_array()) {
            if (t.is_object()) arns.insert(Field(t.get_object(), "TopicArn"));
          }
        }
        token = Field(*page, "NextToken");
      } while (!token.empty());
      topic_arns_ = std::move(arns);
    }
    for (const std::string& arn : *topic_arns_) {
      if (arn.size() > name.size() && arn.ends_with(":" + name)) return arn;
    }
    return std::string();
  }

  TopicState ApplyTopic(const TopicSpec& t) {
    const std::string resource = "topic " + t.name;
    TopicState state;
    auto fail = [&](const std::string& why) {
      state.failed = true;
      Report(Change::Kind::kFailed, resource, why);
      return state;
    };
    Result<std::string> arn = FindTopic(t.name);
    if (!arn.ok()) return fail(arn.status().message());
    if (arn->empty()) {
      if (options_.dry_run) {
        state.planned = true;
        Report(Change::Kind::kCreated, resource, "");
        return state;
      }
      Result<object> created = Call("sns", "CreateTopic",
                                    object{{"Name", t.name},
                                           {"Attributes", StringObject(t.attributes)},
                                           {"Tags", TagList(t.tags)}});
      if (!created.ok()) return fail(created.status().message());
      state.arn = Field(*created, "TopicArn");
      Report(Change::Kind::kCreated, resource, "");
      return state;
    }
    state.arn = *arn;
    Result<object> current = Call("sns", "GetTopicAttributes", object{{"TopicArn", state.arn}});
    if (!current.ok()) return fail(current.status().message());
    const object& now = ObjectField(*current, "Attributes");
    AttributeMap desired = t.attributes;
    // A standard topic lists no FifoTopic.
    if (desired.contains("FifoTopic") != now.contains("FifoTopic") ||
        (desired.contains("FifoTopic") && Field(now, "FifoTopic") != desired["FifoTopic"])) {
      return fail(
          "FifoTopic cannot change after the topic is created (delete the topic to "
          "change it)");
    }
    desired.erase("FifoTopic");
    AttributeDiff diff = Diff(desired, now);
    Result<object> tags = Call("sns", "ListTagsForResource", object{{"ResourceArn", state.arn}});
    if (!tags.ok()) return fail(tags.status().message());
    std::map<std::string, std::string> current_tags;
    if (const boost::json::value* list = tags->if_contains("Tags"); list && list->is_array()) {
      for (const auto& tag : list->get_array()) {
        if (tag.is_object())
          current_tags[Field(tag.get_object(), "Key")] = Field(tag.get_object(), "Value");
      }
    }
    AttributeDiff tag_diff = TagDiff(t.tags, current_tags);
    for (const auto& [name, value] : diff.changed) {
      Status s = Write(
          "sns", "SetTopicAttributes",
          object{{"TopicArn", state.arn}, {"AttributeName", name}, {"AttributeValue", value}});
      if (!s.ok()) return fail(name + ": " + s.message());
    }
    if (!tag_diff.changed.empty()) {
      Status s = Write("sns", "TagResource",
                       object{{"ResourceArn", state.arn}, {"Tags", TagList(tag_diff.changed)}});
      if (!s.ok()) return fail(s.message());
    }
    diff.lines.insert(diff.lines.end(), tag_diff.lines.begin(), tag_diff.lines.end());
    Report(diff.lines.empty() ? Change::Kind::kUnchanged : Change::Kind::kUpdated, resource,
           Join(diff.lines));
    return state;
  }

  // The topic's subscriptions: protocol and endpoint → ARN
  // ("PendingConfirmation" for one not confirmed yet).
  Result<std::map<std::pair<std::string, std::string>, std::string>> ListSubscriptions(
      const std::string& topic_arn) {
    std::map<std::pair<std::string, std::string>, std::string> out;
    std::string token;
    do {
      object params{{"TopicArn", topic_arn}};
      if (!token.empty()) params["NextToken"] = token;
      Result<object> page = Call("sns", "ListSubscriptionsByTopic", std::move(params));
      if (!page.ok()) return page.status();
      if (const boost::json::value* list = page->if_contains("Subscriptions");
          list && list->is_array()) {
        for (const auto& s : list->get_array()) {
          if (!s.is_object()) continue;
          const object& o = s.get_object();
          out[{Field(o, "Protocol"), Field(o, "Endpoint")}] = Field(o, "SubscriptionArn");
        }
      }
      token = Field(*page, "NextToken");
    } while (!token.empty());
    return out;
  }

  void ApplySubscriptions(const TopicSpec& t, const TopicState& topic) {
    std::map<std::pair<std::string, std::string>, std::string> existing;
    Status listed;
    if (!topic.failed && !topic.planned) {
      auto subs = ListSubscriptions(topic.arn);
      if (subs.ok()) {
        existing = std::move(*subs);
      } else {
        listed = subs.status();
      }
    }
    for (const SubscriptionSpec& s : t.subscriptions) {
      const std::string resource =
          "subscription " + t.name + " -> " + (s.queue.empty() ? s.endpoint : s.queue);
      if (topic.failed) {
        Report(Change::Kind::kFailed, resource, "topic " + t.name + " was not applied");
        continue;
      }
      if (!listed.ok()) {
        Report(Change::Kind::kFailed, resource, listed.message());
        continue;
      }
      ApplySubscription(t, topic, s, resource, existing);
    }
  }

  void ApplySubscription(
      const TopicSpec& t, const TopicState& topic, const SubscriptionSpec& s,
      const std::string& resource,
      const std::map<std::pair<std::string, std::string>, std::string>& existing) {
    auto fail = [&](const std::string& why) { Report(Change::Kind::kFailed, resource, why); };
    std::string endpoint = s.endpoint;
    bool depends_on_new = topic.planned;
    if (!s.queue.empty()) {
      auto queue = NamedQueue(s.queue, "queue");
      if (!queue.ok()) return fail(queue.status().message());
      endpoint = queue->arn;
      depends_on_new = depends_on_new || queue->planned;
    }
    AttributeMap desired = s.attributes;
    if (s.dead_letter) {
      auto dlq = NamedQueue(s.dead_letter->queue, "dead-letter queue");
      if (!dlq.ok()) return fail(dlq.status().message());
      desired["RedrivePolicy"] = boost::json::serialize(
          object{{"deadLetterTargetArn",
                  dlq->planned ? "(new queue " + s.dead_letter->queue + ")" : dlq->arn}});
    }
    auto found = depends_on_new ? existing.end() : existing.find({s.protocol, endpoint});
    if (found == existing.end()) {
      if (!options_.dry_run) {
        Result<object> made = Call("sns", "Subscribe",
                                   object{{"TopicArn", topic.arn},
                                          {"Protocol", s.protocol},
                                          {"Endpoint", endpoint},
                                          {"Attributes", StringObject(desired)},
                                          {"ReturnSubscriptionArn", true}});
        if (!made.ok()) return fail(made.status().message());
      }
      return Report(Change::Kind::kCreated, resource,
                    s.protocol == "sqs" ? "" : "pending confirmation by the endpoint");
    }
    const std::string& arn = found->second;
    if (arn == "PendingConfirmation" || arn == "pending confirmation") {
      // Its attributes cannot be read or set until the endpoint confirms.
      return Report(Change::Kind::kUnchanged, resource, "pending confirmation by the endpoint");
    }
    Result<object> current =
        Call("sns", "GetSubscriptionAttributes", object{{"SubscriptionArn", arn}});
    if (!current.ok()) return fail(current.status().message());
    AttributeDiff diff = Diff(desired, ObjectField(*current, "Attributes"));
    for (const auto& [name, value] : diff.changed) {
      Status st = Write(
          "sns", "SetSubscriptionAttributes",
          object{{"SubscriptionArn", arn}, {"AttributeName", name}, {"AttributeValue", value}});
      if (!st.ok()) return fail(name + ": " + st.message());
    }
    Report(diff.lines.empty() ? Change::Kind::kUnchanged : Change::Kind::kUpdated, resource,
           Join(diff.lines));
  }

  const Spec& spec_;
  api::ActionInvoker& invoker_;
  const ApplyOptions& options_;
  ApplyReport report_;
  std::map<std::string, QueueState> queues_;
  std::optional<std::set<std::string>> topic_arns_;  // the account's topics, read once
};

}  // namespace

bool ApplyReport::ok() const {
  for (const Change& c : changes) {
    if (c.kind == Change::Kind::kFailed) return false;
  }
  return true;
}

std::string ApplyReport::Summary() const {
  int counts[4] = {0, 0, 0, 0};
  for (const Change& c : changes) ++counts[static_cast<int>(c.kind)];
  return std::to_string(counts[0]) + " created, " + std::to_string(counts[1]) + " updated, " +
         std::to_string(counts[2]) + " unchanged, " + std::to_string(counts[3]) + " failed";
}

std::string_view KindName(Change::Kind kind) {
  switch (kind) {
    case Change::Kind::kCreated:
      return "created";
    case Change::Kind::kUpdated:
      return "updated";
    case Change::Kind::kUnchanged:
      return "unchanged";
    case Change::Kind::kFailed:
      return "failed";
  }
  return "";
}

ApplyReport Apply(const Spec& spec, api::ActionInvoker& invoker, const ApplyOptions& options) {
  return Run(spec, invoker, options).Go();
}

Result<ApplyReport> ApplyFile(const std::string& path, api::ActionInvoker& invoker,
                              const ApplyOptions& options) {
  Result<Spec> spec = ParseSpecFile(path);
  if (!spec.ok()) return spec.status();
  return Apply(*spec, invoker, options);
}

}  // namespace ferry::resources
