#include "sns/registry.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <limits>
#include <utility>

#include "common/crypto.h"
#include "engine/queue_key.h"
#include "sns/arn.h"
#include "sns/delivery_item.h"
#include "sns/envelope.h"
#include "sns/signing.h"

namespace ferry::sns {
namespace {

constexpr std::string_view kAttrPrefix = "attr.";
constexpr std::string_view kTagPrefix = "tag.";
// Random bytes of a confirmation token (written in hex): SNS's tokens are
// long opaque strings, and this one is the subscription's only secret.
constexpr size_t kTokenBytes = 64;

std::string Field(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

TimeMs TimeField(const std::map<std::string, std::string>& fields, const std::string& name) {
  const std::string text = Field(fields, name);
  // A stored time that is not a number of milliseconds (damaged, or more
  // digits than TimeMs holds) reads as 0, never as an overflowed value.
  TimeMs value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    if (value > (std::numeric_limits<TimeMs>::max() - (c - '0')) / 10) return 0;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Copies the fields under `prefix` into `out`, without the prefix.
void Unprefix(const std::map<std::string, std::string>& fields, std::string_view prefix,
              std::map<std::string, std::string>* out) {
  for (auto it = fields.lower_bound(std::string(prefix));
       it != fields.end() && it->first.starts_with(prefix); ++it) {
    out->emplace(it->first.substr(prefix.size()), it->second);
  }
}

void Prefix(const std::map<std::string, std::string>& values, std::string_view prefix,
            std::map<std::string, std::string>* fields) {
  for (const auto& [k, v] : values) fields->emplace(std::string(prefix) + k, v);
}

// What is derived of a topic from its attributes.
void DeriveTopic(Topic& topic) {
  auto cbd = topic.attributes.find("ContentBasedDeduplication");
  topic.content_based_dedup = topic.fifo && cbd != topic.attributes.end() && cbd->second == "true";
  auto sv = topic.attributes.find("SignatureVersion");
  topic.signature_version = sv != topic.attributes.end() && sv->second == "2" ? 2 : 1;
  // A stored policy that does not parse (one set before policies were
  // validated) grants nothing.
  auto policy = topic.attributes.find("Policy");
  topic.policy = nullptr;
  if (policy != topic.attributes.end()) {
    Result<auth::Policy> parsed = auth::ParsePolicy(policy->second);
    if (parsed.ok()) topic.policy = std::make_shared<const auth::Policy>(std::move(*parsed));
  }
}

engine::CatalogEntry EncodeTopic(const Topic& t) {
  engine::CatalogEntry e{.key = t.arn, .fields = {}};
  e.fields["name"] = t.name;
  e.fields["account"] = t.account;
  e.fields["region"] = t.region;
  e.fields["created_ms"] = std::to_string(t.created_ms);
  e.fields["fifo"] = t.fifo ? "1" : "0";
  if (!t.dedup_queue_key.empty()) e.fields["dedup_queue"] = t.dedup_queue_key;
  Prefix(t.attributes, kAttrPrefix, &e.fields);
  Prefix(t.tags, kTagPrefix, &e.fields);
  return e;
}

Topic DecodeTopic(const engine::CatalogEntry& e) {
  Topic t;
  t.arn = e.key;
  t.name = Field(e.fields, "name");
  t.account = Field(e.fields, "account");
  t.region = Field(e.fields, "region");
  t.created_ms = TimeField(e.fields, "created_ms");
  t.fifo = Field(e.fields, "fifo") == "1";
  t.dedup_queue_key = Field(e.fields, "dedup_queue");
  Unprefix(e.fields, kAttrPrefix, &t.attributes);
  Unprefix(e.fields, kTagPrefix, &t.tags);
  DeriveTopic(t);
  return t;
}

engine::CatalogEntry EncodeSubscription(const Subscription& s) {
  engine::CatalogEntry e{.key = s.arn, .fields = {}};
  e.fields["id"] = s.id;
  e.fields["topic"] = s.topic_arn;
  e.fields["owner"] = s.owner;
  e.fields["protocol"] = std::string(ProtocolName(s.protocol));
  e.fields["endpoint"] = s.endpoint;
  e.fields["confirmed"] = s.confirmed ? "1" : "0";
  e.fields["authenticated"] = s.confirmation_authenticated ? "1" : "0";
  if (!s.token.empty()) e.fields["token"] = s.token;
  e.fields["created_ms"] = std::to_string(s.created_ms);
  if (s.retired) e.fields["retired"] = "1";
  Prefix(s.attributes, kAttrPrefix, &e.fields);
  return e;
}

Subscription DecodeSubscription(const engine::CatalogEntry& e) {
  Subscription s;
  s.arn = e.key;
  s.id = Field(e.fields, "id");
  s.topic_arn = Field(e.fields, "topic");
  s.owner = Field(e.fields, "owner");
  const std::string protocol = Field(e.fields, "protocol");
  s.protocol = protocol == "https" ? Protocol::kHttps
               : protocol == "http" ? Protocol::kHttp
                                    : Protocol::kSqs;
  s.endpoint = Field(e.fields, "endpoint");
  s.confirmed = Field(e.fields, "confirmed") == "1";
  s.confirmation_authenticated = Field(e.fields, "authenticated") == "1";
  s.token = Field(e.fields, "token");
  s.created_ms = TimeField(e.fields, "created_ms");
  s.retired = Field(e.fields, "retired") == "1";
  Unprefix(e.fields, kAttrPrefix, &s.attributes);
  return s;
}

bool IsHttp(const Subscription& s) { return s.protocol != Protocol::kSqs; }

bool OlderFirst(const std::shared_ptr<const Subscription>& a,
                const std::shared_ptr<const Subscription>& b) {
  return a->created_ms != b->created_ms ? a->created_ms < b->created_ms : a->arn < b->arn;
}

std::string NewToken() {
  unsigned char bytes[kTokenBytes];
  RandomBytes(bytes, sizeof bytes);
  return ToHex(bytes, sizeof bytes);
}

engine::QueueSettings DeliveryQueueSettings() {
  engine::QueueSettings settings;
  settings.visibility_timeout_s = kDeliveryVisibilityS;
  settings.retention_s = kDeliveryRetentionS;
  return settings;
}

engine::QueueSettings DedupQueueSettings() {
  engine::QueueSettings settings;
  settings.fifo = true;
  settings.dedup_scope = engine::DedupScope::kQueue;
  settings.retention_s = kDedupRetentionS;
  return settings;
}

// Deletes an internal queue; one already gone is fine. A failure leaves an
// unreachable queue behind (its name is never used again), not a wrong
// answer, so it does not fail the change that dropped it.
void DropQueue(engine::Engine& engine, const std::string& key) {
  if (!key.empty()) (void)engine.DeleteQueue(key);
}

}  // namespace

Registry::Registry(engine::Engine& engine, RegistryOptions options)
    : engine_(engine), options_(std::move(options)) {}

Status Registry::Load() {
  std::lock_guard write(write_mu_);
  // Read before the entries: a change after this answer is read again by
  // the next Refresh.
  const uint64_t version = engine_.CatalogVersion();
  Catalog next;
  FERRY_RETURN_IF_ERROR(ReadCatalog(/*repair=*/true, &next));
  std::unique_lock lock(mu_);
  topics_ = std::move(next.topics);
  subscriptions_ = std::move(next.subscriptions);
  retired_ = std::move(next.retired);
  loaded_version_ = version;
  return Status::Ok();
}

Status Registry::Refresh() { return Reread(/*on_miss=*/false, 0); }

Status Registry::Reread(bool on_miss, TimeMs now) {
  const uint64_t version = engine_.CatalogVersion();
  {
    std::lock_guard write(write_mu_);
    if (on_miss) {
      if (miss_read_ms_ && std::abs(now - *miss_read_ms_) < kMissRefreshInterval.count()) {
        return Status::Ok();
      }
      miss_read_ms_ = now;
    } else if (version == loaded_version_) {
      return Status::Ok();
    }
    Catalog next;
    FERRY_RETURN_IF_ERROR(ReadCatalog(/*repair=*/false, &next));
    std::unique_lock lock(mu_);
    // What this node counted lives on in the topics' new objects.
    for (auto& [arn, topic] : next.topics) {
      auto old = topics_.find(arn);
      if (old == topics_.end()) continue;
      auto kept = std::make_shared<Topic>(*topic);
      kept->counters = old->second->counters;
      kept->subscriptions_deleted = old->second->subscriptions_deleted;
      for (const auto& sub : old->second->subscriptions) {
        if (!next.subscriptions.contains(sub->arn)) ++kept->subscriptions_deleted;
      }
      topic = std::move(kept);
    }
    topics_ = std::move(next.topics);
    subscriptions_ = std::move(next.subscriptions);
    retired_ = std::move(next.retired);
    loaded_version_ = version;
  }
  NotifyChange();
  return Status::Ok();
}

std::shared_ptr<const Subscription> Registry::Unchanged(const engine::CatalogEntry& e) const {
  std::shared_lock lock(mu_);
  auto it = subscriptions_.find(e.key);
  if (it == subscriptions_.end()) {
    it = retired_.find(e.key);
    if (it == retired_.end()) return nullptr;
  }
  return EncodeSubscription(*it->second) == e ? it->second : nullptr;
}

Status Registry::ReadCatalog(bool repair, Catalog* out) {
  Result<std::vector<engine::CatalogEntry>> topic_entries =
      engine_.ReadEntries(engine::CatalogKind::kTopic);
  if (!topic_entries.ok()) return topic_entries.status();
  TopicMap& topics = out->topics;
  for (const engine::CatalogEntry& e : *topic_entries) {
    Topic t = DecodeTopic(e);
    if (repair && t.fifo && !t.dedup_queue_key.empty() && !engine_.FindQueue(t.dedup_queue_key)) {
      auto q = engine_.CreateQueue(t.dedup_queue_key, DedupQueueSettings(), {});
      if (!q.ok()) return q.status();
    }
    std::string arn = t.arn;
    topics.emplace(std::move(arn), std::make_shared<const Topic>(std::move(t)));
  }
  // Read after the topics: a subscription is stored after its topic, so
  // one whose topic is missing here belongs to a deleted topic, or to one
  // made since the topics were read (only a Refresh can see that: it
  // leaves the entry alone, and the next Refresh reads both).
  Result<std::vector<engine::CatalogEntry>> sub_entries =
      engine_.ReadEntries(engine::CatalogKind::kSubscription);
  if (!sub_entries.ok()) return sub_entries.status();
  std::map<std::string, std::vector<std::shared_ptr<const Subscription>>> by_topic;
  // Delivery queues of erased subscriptions, dropped once every entry is
  // read: a damaged catalog may hold another entry with the same id whose
  // queue must stay (a fuzzed catalog had one, and the next Load found the
  // queue's name still in its reuse delay).
  std::vector<std::string> orphan_queues;
  for (const engine::CatalogEntry& e : *sub_entries) {
    if (!repair) {
      // Derived members are made once per change, not once per Refresh.
      if (auto same = Unchanged(e)) {
        if (same->retired) {
          out->retired.emplace(same->arn, same);
        } else if (topics.contains(same->topic_arn)) {
          by_topic[same->topic_arn].push_back(same);
          out->subscriptions.emplace(same->arn, same);
        }
        continue;
      }
    }
    Subscription s = DecodeSubscription(e);
    if (s.retired) {
      // Still draining its UnsubscribeConfirmation; its topic may be gone.
      s.queue_key = DeliveryQueueKey(s.id);
      if (repair && !engine_.FindQueue(s.queue_key)) {
        FERRY_RETURN_IF_ERROR(engine_.EraseEntry(engine::CatalogKind::kSubscription, e.key));
        continue;
      }
      std::string arn = s.arn;
      out->retired.emplace(std::move(arn), std::make_shared<const Subscription>(std::move(s)));
      continue;
    }
    if (!topics.contains(s.topic_arn)) {
      if (!repair) continue;
      FERRY_RETURN_IF_ERROR(engine_.EraseEntry(engine::CatalogKind::kSubscription, e.key));
      if (IsHttp(s)) orphan_queues.push_back(DeliveryQueueKey(s.id));
      continue;
    }
    Status derived = Derive(s);
    if (!derived.ok()) {
      // Another node stored it; one this build cannot read is left out
      // here rather than stopping this node from following the others.
      if (!repair) continue;
      return Status::Internal("subscription " + s.arn + " cannot be loaded: " + derived.message());
    }
    if (repair && IsHttp(s) && !engine_.FindQueue(s.queue_key)) {
      auto q = engine_.CreateQueue(s.queue_key, DeliveryQueueSettings(), {});
      if (!q.ok()) return q.status();
    }
    auto shared = std::make_shared<const Subscription>(std::move(s));
    by_topic[shared->topic_arn].push_back(shared);
    out->subscriptions.emplace(shared->arn, shared);
  }
  for (const std::string& key : orphan_queues) {
    const auto uses = [&](const auto& entry) { return entry.second->queue_key == key; };
    if (std::ranges::none_of(out->subscriptions, uses) &&
        std::ranges::none_of(out->retired, uses)) {
      DropQueue(engine_, key);
    }
  }
  for (auto& [arn, subs] : by_topic) {
    std::sort(subs.begin(), subs.end(), OlderFirst);
    auto topic = std::make_shared<Topic>(*topics[arn]);
    topic->subscriptions = std::move(subs);
    topics[arn] = std::move(topic);
  }
  return Status::Ok();
}

std::shared_ptr<const Topic> Registry::FindTopic(std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(arn);
  return it == topics_.end() ? nullptr : it->second;
}

std::shared_ptr<const Subscription> Registry::FindSubscription(std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto it = subscriptions_.find(arn);
  return it == subscriptions_.end() ? nullptr : it->second;
}

std::shared_ptr<const Topic> Registry::LookupTopic(std::string_view arn) {
  if (auto found = FindTopic(arn); found || !options_.refresh_on_miss) return found;
  // A failed read answers none, as before it: the catalog is unreachable.
  (void)Reread(/*on_miss=*/true, engine_.clock().NowMs());
  return FindTopic(arn);
}

std::shared_ptr<const Subscription> Registry::LookupSubscription(std::string_view arn) {
  if (auto found = FindSubscription(arn); found || !options_.refresh_on_miss) return found;
  (void)Reread(/*on_miss=*/true, engine_.clock().NowMs());
  return FindSubscription(arn);
}

std::vector<std::shared_ptr<const Topic>> Registry::Topics() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const Topic>> out;
  out.reserve(topics_.size());
  for (const auto& [arn, t] : topics_) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<const Subscription>> Registry::Subscriptions() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const Subscription>> out;
  out.reserve(subscriptions_.size());
  for (const auto& [arn, s] : subscriptions_) out.push_back(s);
  return out;
}

std::vector<std::shared_ptr<const Subscription>> Registry::HttpSubscriptions() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const Subscription>> out;
  for (const auto& [arn, s] : subscriptions_) {
    if (IsHttp(*s)) out.push_back(s);
  }
  for (const auto& [arn, s] : retired_) out.push_back(s);
  return out;
}

void Registry::OnChange(std::function<void()> fn) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(fn));
}

void Registry::NotifyChange() {
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& fn : listeners) fn();
}

std::string Registry::QueueKeyOf(std::string_view arn) const {
  std::optional<Arn> parsed = ParseQueueArn(arn);
  if (!parsed) return {};
  return engine::QueueKey{
      .region = parsed->region == options_.region ? std::string() : std::string(parsed->region),
      .name = std::string(parsed->resource),
      .account =
          parsed->account == options_.account_id ? std::string() : std::string(parsed->account)}
      .Encode();
}

Status Registry::Derive(Subscription& sub) const {
  auto attr = [&sub](const char* name) -> const std::string* {
    auto it = sub.attributes.find(name);
    return it == sub.attributes.end() ? nullptr : &it->second;
  };
  const std::string* raw = attr("RawMessageDelivery");
  sub.raw = raw != nullptr && *raw == "true";
  sub.filter.reset();
  if (const std::string* policy = attr("FilterPolicy"); policy != nullptr && !policy->empty()) {
    const std::string* scope = attr("FilterPolicyScope");
    auto compiled = CompileFilterPolicy(*policy, scope != nullptr && *scope == "MessageBody"
                                                     ? FilterScope::kMessageBody
                                                     : FilterScope::kMessageAttributes);
    if (!compiled.ok()) return compiled.status();
    sub.filter = std::make_shared<const FilterPolicy>(std::move(*compiled));
  }
  sub.queue_key = IsHttp(sub) ? DeliveryQueueKey(sub.id) : QueueKeyOf(sub.endpoint);
  sub.dead_letter_key.clear();
  if (const std::string target = DeadLetterArnOf(sub); !target.empty()) {
    sub.dead_letter_key = QueueKeyOf(target);
  }
  return Status::Ok();
}

Result<Registry::Created> Registry::CreateTopic(Topic topic) {
  std::shared_ptr<const Topic> made;
  {
    std::lock_guard write(write_mu_);
    if (auto existing = FindTopic(topic.arn)) return Created{existing, false};
    topic.created_ms = engine_.clock().NowMs();
    topic.subscriptions.clear();
    topic.dedup_queue_key.clear();
    DeriveTopic(topic);
    if (topic.fifo) {
      topic.dedup_queue_key = DedupQueueKey(NewUuid());
      auto q = engine_.CreateQueue(topic.dedup_queue_key, DedupQueueSettings(), {});
      if (!q.ok()) return q.status();
    }
    Status put = engine_.PutEntry(engine::CatalogKind::kTopic, EncodeTopic(topic));
    if (!put.ok()) {
      DropQueue(engine_, topic.dedup_queue_key);
      return put;
    }
    made = std::make_shared<const Topic>(std::move(topic));
    std::unique_lock lock(mu_);
    topics_[made->arn] = made;
  }
  NotifyChange();
  return Created{made, true};
}

Status Registry::DeleteTopic(std::string_view arn) {
  {
    std::lock_guard write(write_mu_);
    std::shared_ptr<const Topic> topic = FindTopic(arn);
    if (!topic) return Status::Ok();
    // The topic's entry goes first: subscriptions left behind by a failure
    // after it are erased by the next Load.
    FERRY_RETURN_IF_ERROR(engine_.EraseEntry(engine::CatalogKind::kTopic, topic->arn));
    for (const auto& sub : topic->subscriptions) {
      (void)engine_.EraseEntry(engine::CatalogKind::kSubscription, sub->arn);
      if (IsHttp(*sub)) DropQueue(engine_, sub->queue_key);
    }
    DropQueue(engine_, topic->dedup_queue_key);
    std::unique_lock lock(mu_);
    for (const auto& sub : topic->subscriptions) subscriptions_.erase(sub->arn);
    topics_.erase(topic->arn);
  }
  NotifyChange();
  return Status::Ok();
}

Result<std::shared_ptr<const Topic>> Registry::UpdateTopic(
    std::string_view arn, const std::function<Status(Topic&)>& edit) {
  std::shared_ptr<const Topic> made;
  {
    std::lock_guard write(write_mu_);
    std::shared_ptr<const Topic> topic = FindTopic(arn);
    if (!topic) return Status::NotFound("Topic does not exist");
    Topic copy = *topic;
    FERRY_RETURN_IF_ERROR(edit(copy));
    // What identifies the topic and what the registry owns stay as they were.
    copy.arn = topic->arn;
    copy.fifo = topic->fifo;
    copy.dedup_queue_key = topic->dedup_queue_key;
    copy.subscriptions = topic->subscriptions;
    DeriveTopic(copy);
    FERRY_RETURN_IF_ERROR(engine_.PutEntry(engine::CatalogKind::kTopic, EncodeTopic(copy)));
    made = std::make_shared<const Topic>(std::move(copy));
    std::unique_lock lock(mu_);
    topics_[made->arn] = made;
  }
  NotifyChange();
  return made;
}

void Registry::SwapSubscription(const std::string& arn, std::shared_ptr<const Subscription> sub) {
  std::unique_lock lock(mu_);
  auto old = subscriptions_.find(arn);
  const std::string topic_arn =
      sub ? sub->topic_arn : (old != subscriptions_.end() ? old->second->topic_arn : "");
  if (sub) {
    subscriptions_[arn] = sub;
  } else if (old != subscriptions_.end()) {
    subscriptions_.erase(old);
  }
  auto t = topics_.find(topic_arn);
  if (t == topics_.end()) return;
  auto topic = std::make_shared<Topic>(*t->second);
  auto& subs = topic->subscriptions;
  auto at = std::find_if(subs.begin(), subs.end(), [&](const auto& s) { return s->arn == arn; });
  if (!sub) {
    if (at != subs.end()) {
      subs.erase(at);
      ++topic->subscriptions_deleted;
    }
  } else if (at != subs.end()) {
    *at = sub;
  } else {
    subs.push_back(sub);
  }
  t->second = std::move(topic);
}

Status Registry::SendConfirmation(const Subscription& sub, const Topic& topic, bool over_tls,
                                  bool unsubscribe) {
  const std::string& base_url =
      over_tls && !options_.tls_public_url.empty() ? options_.tls_public_url : options_.public_url;
  auto queue = engine_.FindQueue(sub.queue_key);
  if (!queue) return Status::Internal("the delivery queue of " + sub.arn + " is missing");
  const ConfirmationType type =
      unsubscribe ? ConfirmationType::kUnsubscribe : ConfirmationType::kSubscription;
  const std::string message_id = NewUuid();
  const std::string message = unsubscribe ? UnsubscribeConfirmationMessage(sub.arn)
                                          : SubscriptionConfirmationMessage(topic.arn);
  const std::string subscribe_url = base_url +
                                    "/?Action=ConfirmSubscription&TopicArn=" +
                                    UrlEncode(topic.arn) + "&Token=" + sub.token;
  const Confirmation confirmation{.type = type,
                                  .message_id = message_id,
                                  .token = sub.token,
                                  .topic_arn = topic.arn,
                                  .message = message,
                                  .subscribe_url = subscribe_url,
                                  .timestamp_ms = engine_.clock().NowMs()};
  const SignatureVersion version =
      topic.signature_version == 2 ? SignatureVersion::kV2 : SignatureVersion::kV1;
  std::string signature;
  std::string cert_url;
  if (options_.signing_key != nullptr) {
    auto signed_text = Sign(*options_.signing_key, version, StringToSign(confirmation));
    if (!signed_text.ok()) return signed_text.status();
    signature = std::move(*signed_text);
    cert_url = base_url + options_.signing_key->certificate_path();
  }
  const std::string body = ConfirmationJson(
      confirmation, SignatureFields{.version = SignatureVersionText(version),
                                    .signature = signature,
                                    .signing_cert_url = cert_url});
  engine::SendRequest request;
  request.payload = EncodeDeliveryItem(DeliveryItem{
      .type = TypeName(type), .message_id = message_id, .body = body});
  auto sent = queue->Send(std::move(request));
  return sent.ok() ? Status::Ok() : sent.status();
}

Result<Registry::Subscribed> Registry::Subscribe(Subscription sub, bool over_tls) {
  std::shared_ptr<const Subscription> made;
  Status sent;
  {
    std::lock_guard write(write_mu_);
    std::shared_ptr<const Topic> topic = FindTopic(sub.topic_arn);
    if (!topic) return Status::NotFound("Topic does not exist");
    for (const auto& existing : topic->subscriptions) {
      if (existing->protocol == sub.protocol && existing->endpoint == sub.endpoint) {
        if (!existing->confirmed && IsHttp(*existing)) {
          FERRY_RETURN_IF_ERROR(SendConfirmation(*existing, *topic, over_tls));
        }
        return Subscribed{existing, false};
      }
    }
    sub.id = NewUuid();
    sub.arn = topic->arn + ":" + sub.id;
    sub.created_ms = engine_.clock().NowMs();
    sub.token = IsHttp(sub) && !sub.confirmed ? NewToken() : std::string();
    FERRY_RETURN_IF_ERROR(Derive(sub));
    if (IsHttp(sub)) {
      auto q = engine_.CreateQueue(sub.queue_key, DeliveryQueueSettings(), {});
      if (!q.ok()) return q.status();
    }
    Status put = engine_.PutEntry(engine::CatalogKind::kSubscription, EncodeSubscription(sub));
    if (!put.ok()) {
      if (IsHttp(sub)) DropQueue(engine_, sub.queue_key);
      return put;
    }
    made = std::make_shared<const Subscription>(std::move(sub));
    SwapSubscription(made->arn, made);
    if (!made->confirmed && IsHttp(*made)) sent = SendConfirmation(*made, *topic, over_tls);
  }
  NotifyChange();
  // A confirmation that cannot be stored fails the request; the
  // subscription stays pending and subscribing again sends it again.
  if (!sent.ok()) return sent;
  return Subscribed{made, true};
}

Result<std::shared_ptr<const Subscription>> Registry::UpdateSubscription(
    std::string_view arn, const std::function<Status(Subscription&)>& edit) {
  std::shared_ptr<const Subscription> made;
  {
    std::lock_guard write(write_mu_);
    std::shared_ptr<const Subscription> sub = FindSubscription(arn);
    if (!sub) return Status::NotFound("Subscription does not exist");
    Subscription copy = *sub;
    FERRY_RETURN_IF_ERROR(edit(copy));
    copy.arn = sub->arn;
    copy.id = sub->id;
    copy.topic_arn = sub->topic_arn;
    copy.protocol = sub->protocol;
    copy.endpoint = sub->endpoint;
    FERRY_RETURN_IF_ERROR(Derive(copy));
    FERRY_RETURN_IF_ERROR(
        engine_.PutEntry(engine::CatalogKind::kSubscription, EncodeSubscription(copy)));
    made = std::make_shared<const Subscription>(std::move(copy));
    SwapSubscription(made->arn, made);
  }
  NotifyChange();
  return made;
}

Result<std::shared_ptr<const Subscription>> Registry::Confirm(std::string_view topic_arn,
                                                              std::string_view token,
                                                              bool authenticated) {
  std::shared_ptr<const Subscription> made;
  {
    std::lock_guard write(write_mu_);
    std::shared_ptr<const Topic> topic = FindTopic(topic_arn);
    if (!topic) return Status::NotFound("Topic does not exist");
    std::shared_ptr<const Subscription> sub;
    for (const auto& s : topic->subscriptions) {
      if (!s->token.empty() && s->token == token) sub = s;
    }
    if (!sub) return Status::InvalidArgument("Invalid token");
    if (sub->confirmed) return sub;
    Subscription copy = *sub;
    copy.confirmed = true;
    copy.confirmation_authenticated = authenticated;
    FERRY_RETURN_IF_ERROR(
        engine_.PutEntry(engine::CatalogKind::kSubscription, EncodeSubscription(copy)));
    made = std::make_shared<const Subscription>(std::move(copy));
    SwapSubscription(made->arn, made);
  }
  NotifyChange();
  return made;
}

Status Registry::Unsubscribe(std::string_view arn, bool over_tls) {
  {
    std::lock_guard write(write_mu_);
    std::shared_ptr<const Subscription> sub = FindSubscription(arn);
    if (!sub) return Status::NotFound("Subscription does not exist");
    std::shared_ptr<const Topic> topic = FindTopic(sub->topic_arn);
    if (IsHttp(*sub) && topic) {
      // Retired first, so that a crash leaves a subscription the next
      // start drains, never a confirmation without its subscription.
      Subscription copy = *sub;
      copy.retired = true;
      FERRY_RETURN_IF_ERROR(
          engine_.PutEntry(engine::CatalogKind::kSubscription, EncodeSubscription(copy)));
      // A confirmation that cannot be stored is not sent; the subscription
      // is removed all the same.
      (void)SendConfirmation(copy, *topic, over_tls, /*unsubscribe=*/true);
      SwapSubscription(sub->arn, nullptr);
      std::string key = copy.arn;
      auto retired = std::make_shared<const Subscription>(std::move(copy));
      std::unique_lock lock(mu_);
      retired_[std::move(key)] = std::move(retired);
    } else {
      FERRY_RETURN_IF_ERROR(engine_.EraseEntry(engine::CatalogKind::kSubscription, sub->arn));
      if (IsHttp(*sub)) DropQueue(engine_, sub->queue_key);
      SwapSubscription(sub->arn, nullptr);
    }
  }
  NotifyChange();
  return Status::Ok();
}

Status Registry::Forget(std::string_view arn) {
  {
    std::lock_guard write(write_mu_);
    std::shared_ptr<const Subscription> sub;
    {
      std::shared_lock lock(mu_);
      auto it = retired_.find(arn);
      if (it == retired_.end()) return Status::Ok();
      sub = it->second;
    }
    FERRY_RETURN_IF_ERROR(engine_.EraseEntry(engine::CatalogKind::kSubscription, sub->arn));
    DropQueue(engine_, sub->queue_key);
    std::unique_lock lock(mu_);
    retired_.erase(sub->arn);
  }
  NotifyChange();
  return Status::Ok();
}

}  // namespace ferry::sns
