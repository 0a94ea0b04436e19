#include "admin/admin_service.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <utility>

#include "admin/peek_filter.h"
#include "admin/cancel_message.h"
#include "admin/journey.h"
#include "api/errors.h"
#include "api/params.h"
#include "auth/sigv4.h"
#include "message/digest.h"
#include "message/payload.h"
#include "sqs/queue_keys.h"
#include "sqs/queue_url.h"

namespace ferry::admin {
namespace {

using api::ErrorId;

constexpr std::array kActions = {
    std::string_view("CancelMessage"), std::string_view("GetMessageJourney"),
    std::string_view("GetQueueHistory"), std::string_view("GetServerStatus"),
    std::string_view("ListQueueStats"), std::string_view("ListSubscriptionStats"),
    std::string_view("PeekMessages")};
constexpr int64_t kDefaultPeekMessages = 10;
// The most engine pages (Queue::Peek calls) one PeekMessages reads: with a
// filter, at most 1,000 messages are examined per request.
constexpr int kMaxPeekPages = 10;
// Where a FIFO message keeps its deduplication id (src/sqs/messages.cc): a
// stored system attribute of its payload.
constexpr std::string_view kStoredDedupId = "MessageDeduplicationId";

Status QueueDoesNotExist() {
  return api::Error(ErrorId::kQueueDoesNotExist, "The specified queue does not exist.");
}

int64_t AgeSeconds(TimeMs now, TimeMs oldest_sent_ms) {
  if (oldest_sent_ms == 0) return 0;
  return std::max<TimeMs>(now - oldest_sent_ms, 0) / 1000;
}

std::string_view StateName(engine::PeekedState state) {
  switch (state) {
    case engine::PeekedState::kVisible:
      return "visible";
    case engine::PeekedState::kInFlight:
      return "inflight";
    case engine::PeekedState::kDelayed:
      return "delayed";
  }
  return "visible";
}

// StartAfterSequence: a sequence number as a string of digits (as
// SequenceNumber is written), or a JSON number.
Result<uint64_t> StartAfterSequence(const boost::json::object& params) {
  auto it = params.find("StartAfterSequence");
  if (it == params.end() || it->value().is_null()) return uint64_t{0};
  const boost::json::value& v = it->value();
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<uint64_t>(v.get_int64());
  if (v.is_string()) {
    const boost::json::string& s = v.get_string();
    uint64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return out;
  }
  return api::InvalidParameterValue("StartAfterSequence",
                                    v.is_string() ? std::string_view(v.get_string()) : "",
                                    "Must be a sequence number (a string of digits).");
}

// What every action shares: the service's pieces and the call's account
// and region.
struct Request {
  engine::Engine& engine;
  const AdminOptions& options;
  const api::Call& call;

  sqs::QueueHome home() const { return {options.region, options.account_id}; }
  std::string account() const {
    return call.ctx.account_id.empty() ? options.account_id : call.ctx.account_id;
  }
  std::string region() const {
    return auth::IsRegionName(call.ctx.region) ? call.ctx.region : options.region;
  }

  // The queue the request's QueueUrl names, in the caller's account only.
  Result<std::shared_ptr<engine::Queue>> ResolveQueue() const {
    const api::Params p(call.params, call.ctx.wire);
    Result<std::string> url = p.RequiredString("QueueUrl");
    if (!url.ok()) return url.status();
    std::optional<std::string_view> name = sqs::QueueNameFromUrl(*url);
    if (!name) return QueueDoesNotExist();
    const std::string caller = account();
    if (sqs::QueueAccountFromUrl(*url).value_or(caller) != caller) return QueueDoesNotExist();
    const std::string_view region = sqs::QueueRegionFromUrl(*url).value_or(options.region);
    std::shared_ptr<engine::Queue> queue =
        engine.FindQueue(sqs::QueueKeyIn(home(), caller, region, *name).Encode());
    if (!queue) return QueueDoesNotExist();
    return queue;
  }

  std::vector<std::shared_ptr<engine::Queue>> CallerQueues(std::string_view prefix) const {
    std::vector<std::shared_ptr<engine::Queue>> out;
    for (const std::string& key : sqs::ListQueueKeys(engine, home(), account(), region(), prefix)) {
      if (auto q = engine.FindQueue(key)) out.push_back(std::move(q));  // else deleted meanwhile
    }
    return out;
  }
};

Result<boost::json::object> ListQueueStats(const Request& r) {
  const api::Params p(r.call.params, r.call.ctx.wire);
  Result<std::optional<std::string>> prefix = p.OptionalString("QueueNamePrefix");
  if (!prefix.ok()) return prefix.status();
  const TimeMs now = r.engine.clock().NowMs();
  boost::json::array queues;
  for (const std::shared_ptr<engine::Queue>& q : r.CallerQueues(prefix->value_or(""))) {
    const engine::QueueStats s = q->Stats();
    const engine::QueueSettings settings = q->settings();
    boost::json::object o;
    o.emplace("QueueName", engine::QueueKey::Decode(q->name()).name);
    o.emplace("QueueUrl", sqs::QueueUrlOfKey(r.home(), r.call.ctx, q->name()));
    o.emplace("QueueArn", sqs::QueueArnOfKey(r.home(), q->name()));
    o.emplace("Fifo", q->fifo());
    o.emplace("Visible", s.visible);
    o.emplace("InFlight", s.in_flight);
    o.emplace("Delayed", s.delayed);
    o.emplace("OldestMessageAgeSeconds", AgeSeconds(now, s.oldest_sent_ms));
    if (!settings.dead_letter_queue.empty()) {
      o.emplace("DeadLetterTargetArn", sqs::QueueArnOfKey(r.home(), settings.dead_letter_queue));
      o.emplace("MaxReceiveCount", settings.max_receive_count);
    }
    o.emplace("Sent", s.sent);
    o.emplace("Received", s.received);
    o.emplace("Deleted", s.deleted);
    o.emplace("EmptyReceives", s.empty_receives);
    o.emplace("SentBytes", s.sent_bytes);
    o.emplace("MovedToDeadLetter", s.moved_to_dead_letter);
    o.emplace("CreatedTimestamp", q->created_ms() / 1000);
    queues.emplace_back(std::move(o));
  }
  return boost::json::object{{"Queues", std::move(queues)}};
}

Result<message::DecodedPayload> Decode(const engine::PeekedMessage& m) {
  std::optional<message::DecodedPayload> p = message::DecodePayload(m.payload);
  if (!p) {
    return api::Error(ErrorId::kInternalError,
                      "The stored message " + m.message_id + " could not be decoded.");
  }
  return std::move(*p);
}

boost::json::object PeekedJson(const Request& r, engine::PeekedMessage& m,
                               const message::DecodedPayload& p) {
  boost::json::object o;
  o.emplace("MessageId", std::move(m.message_id));
  o.emplace("SequenceNumber", std::to_string(m.sequence));
  o.emplace("Body", p.body);
  o.emplace("MD5OfBody", message::BodyMd5Hex(p.body_md5));
  o.emplace("State", StateName(m.state));
  o.emplace("SentTimestamp", m.sent_ms);
  o.emplace("ApproximateReceiveCount", m.receive_count);
  o.emplace("ApproximateFirstReceiveTimestamp", m.first_receive_ms);
  o.emplace("VisibleAtTimestamp", m.visible_at_ms);
  o.emplace("SenderId", p.sender_id);
  if (!m.group_id.empty()) o.emplace("MessageGroupId", std::move(m.group_id));
  for (const message::AttributeView& a : p.system_attributes) {
    if (a.name == kStoredDedupId) o.emplace("MessageDeduplicationId", a.value);
  }
  if (!m.dead_letter_source.empty()) {
    o.emplace("DeadLetterQueueSourceArn", sqs::QueueArnOfKey(r.home(), m.dead_letter_source));
  }
  if (!p.attributes.empty()) {
    boost::json::object attrs;
    for (const message::AttributeView& a : p.attributes) {
      attrs.emplace(a.name, message::AttributeJson(a));
    }
    o.emplace("MD5OfMessageAttributes", message::AttributesMd5Hex(p.attributes));
    o.emplace("MessageAttributes", std::move(attrs));
  }
  return o;
}

// Which states a peek includes: "States" (a list of state names) when
// given, else IncludeInFlight and IncludeDelayed (visible always).
Status ReadPeekStates(const api::Params& p, engine::PeekRequest* req) {
  if (p.Has("States")) {
    Result<std::vector<std::string>> states = p.StringList("States");
    if (!states.ok()) return states.status();
    if (states->empty()) {
      return api::InvalidParameterValue("States", "[]", "Must name at least one state.");
    }
    req->include_visible = req->include_in_flight = req->include_delayed = false;
    for (const std::string& s : *states) {
      if (s == StateName(engine::PeekedState::kVisible)) {
        req->include_visible = true;
      } else if (s == StateName(engine::PeekedState::kInFlight)) {
        req->include_in_flight = true;
      } else if (s == StateName(engine::PeekedState::kDelayed)) {
        req->include_delayed = true;
      } else {
        return api::InvalidParameterValue("States", s,
                                          "Must be a list of visible, inflight and delayed.");
      }
    }
    return Status::Ok();
  }
  Result<std::optional<bool>> in_flight = p.OptionalBool("IncludeInFlight");
  if (!in_flight.ok()) return in_flight.status();
  Result<std::optional<bool>> delayed = p.OptionalBool("IncludeDelayed");
  if (!delayed.ok()) return delayed.status();
  req->include_in_flight = in_flight->value_or(true);
  req->include_delayed = delayed->value_or(true);
  return Status::Ok();
}

// The queue a peek reads: the one QueueUrl names or, with DeadLetterQueue,
// its dead-letter queue (from its RedrivePolicy).
Result<std::shared_ptr<engine::Queue>> PeekedQueue(const Request& r, const api::Params& p) {
  Result<std::shared_ptr<engine::Queue>> queue = r.ResolveQueue();
  if (!queue.ok()) return queue.status();
  Result<std::optional<bool>> dlq = p.OptionalBool("DeadLetterQueue");
  if (!dlq.ok()) return dlq.status();
  if (!dlq->value_or(false)) return queue;
  const std::string name = engine::QueueKey::Decode((*queue)->name()).name;
  const std::string target = (*queue)->settings().dead_letter_queue;
  if (target.empty()) {
    return api::InvalidParameterValue(
        "DeadLetterQueue", "true",
        "The queue " + name + " has no dead-letter queue (no RedrivePolicy).");
  }
  std::shared_ptr<engine::Queue> dead = r.engine.FindQueue(target);
  if (!dead) {
    return api::Error(ErrorId::kQueueDoesNotExist,
                      "The dead-letter queue of " + name + " does not exist.");
  }
  return dead;
}

Result<boost::json::object> PeekMessages(const Request& r) {
  const api::Params p(r.call.params, r.call.ctx.wire);
  Result<std::shared_ptr<engine::Queue>> queue = PeekedQueue(r, p);
  if (!queue.ok()) return queue.status();
  Result<std::optional<int64_t>> max = p.OptionalInt("MaxNumberOfMessages");
  if (!max.ok()) return max.status();
  const int64_t n = max->value_or(kDefaultPeekMessages);
  if (n < 1 || n > engine::kMaxPeekMessages) {
    return api::InvalidParameterValue("MaxNumberOfMessages", std::to_string(n),
                                      "Must be between 1 and 100, if provided.");
  }
  Result<uint64_t> start = StartAfterSequence(r.call.params);
  if (!start.ok()) return start.status();
  engine::PeekRequest req;
  req.start_after_sequence = *start;
  FERRY_RETURN_IF_ERROR(ReadPeekStates(p, &req));
  Result<PeekFilter> filter = PeekFilter::Parse(r.call.params, p);
  if (!filter.ok()) return filter.status();

  // Engine pages until the answer is full, the queue is read to its end, or
  // kMaxPeekPages pages were read. A filter reads full engine pages and
  // keeps what matches: a sparse one may answer few messages, or none, with
  // NextSequence set.
  boost::json::array messages;
  uint64_t next = 0;
  for (int page = 0; page < kMaxPeekPages; ++page) {
    const int want = static_cast<int>(n) - static_cast<int>(messages.size());
    req.max_messages = filter->empty() ? want : engine::kMaxPeekMessages;
    Result<engine::PeekResult> peeked = (*queue)->Peek(req);
    if (!peeked.ok()) {
      return api::Error(ErrorId::kServiceUnavailable,
                        "The service is temporarily unavailable: " + peeked.status().message());
    }
    next = peeked->next_sequence;
    for (engine::PeekedMessage& m : peeked->messages) {
      if (std::cmp_equal(messages.size(), n)) {
        next = m.sequence - 1;  // this one and those after it are the next page's
        break;
      }
      Result<message::DecodedPayload> payload = Decode(m);
      if (!payload.ok()) return payload.status();
      if (filter->Matches(*payload)) messages.emplace_back(PeekedJson(r, m, *payload));
    }
    if (next == 0 || std::cmp_equal(messages.size(), n)) break;
    req.start_after_sequence = next;
  }
  boost::json::object out{{"Messages", std::move(messages)},
                          {"QueueUrl", sqs::QueueUrlOfKey(r.home(), r.call.ctx, (*queue)->name())}};
  if (next != 0) out.emplace("NextSequence", std::to_string(next));
  return out;
}

Result<boost::json::object> GetQueueHistory(const Request& r) {
  Result<std::shared_ptr<engine::Queue>> queue = r.ResolveQueue();
  if (!queue.ok()) return queue.status();
  boost::json::array samples;
  if (r.options.history != nullptr) {
    for (const HistorySample& s : r.options.history->Samples((*queue)->name())) {
      samples.emplace_back(boost::json::object{
          {"Timestamp", s.timestamp_s},
          {"Visible", s.visible},
          {"InFlight", s.in_flight},
          {"Delayed", s.delayed},
          {"OldestMessageAgeSeconds", s.oldest_age_s},
          {"Sent", s.sent},
          {"Received", s.received},
          {"Deleted", s.deleted},
      });
    }
  }
  return boost::json::object{{"IntervalSeconds", QueueHistory::kIntervalMs / 1000},
                             {"Samples", std::move(samples)}};
}

Result<boost::json::object> GetServerStatus(const Request& r) {
  int64_t visible = 0, in_flight = 0, delayed = 0, queues = 0;
  for (const std::shared_ptr<engine::Queue>& q : r.CallerQueues("")) {
    const engine::QueueStats s = q->Stats();
    visible += s.visible;
    in_flight += s.in_flight;
    delayed += s.delayed;
    ++queues;
  }
  // The caller's topics in the request's region, and their subscriptions.
  int64_t topics = 0, subscriptions = 0;
  if (r.options.topics != nullptr) {
    const std::string account = r.account();
    const std::string region = r.region();
    for (const auto& t : r.options.topics->Topics()) {
      if (t->account != account || t->region != region) continue;
      ++topics;
      subscriptions += static_cast<int64_t>(t->subscriptions.size());
    }
  }
  const TimeMs now = r.engine.clock().NowMs();
  const bool ready = r.options.ready ? r.options.ready() : true;
  return boost::json::object{
      {"Version", r.options.version},
      {"Ready", ready},
      {"Mode", r.options.authenticated ? "authenticated" : "open"},
      {"UptimeSeconds", std::max<TimeMs>(now - r.options.started_ms, 0) / 1000},
      {"Region", r.region()},
      {"AccountId", r.account()},
      {"Queues", queues},
      {"Topics", topics},
      {"Subscriptions", subscriptions},
      {"Visible", visible},
      {"InFlight", in_flight},
      {"Delayed", delayed},
      {"Engine", r.options.engine},
      {"DataDir", r.options.in_memory ? std::string() : r.options.data_dir},
      {"InMemory", r.options.in_memory},
  };
}

// The caller's http(s) subscriptions (in the request's region; of one topic
// with TopicArn), oldest topic first, each with the worker's counts and
// the deliveries waiting in its delivery queue.
Result<boost::json::object> ListSubscriptionStats(const Request& r) {
  const api::Params p(r.call.params, r.call.ctx.wire);
  Result<std::optional<std::string>> topic_arn = p.OptionalString("TopicArn");
  if (!topic_arn.ok()) return topic_arn.status();
  const std::map<std::string, DeliveryCounts> counts =
      r.options.delivery_counts ? r.options.delivery_counts()
                                : std::map<std::string, DeliveryCounts>{};
  boost::json::array out;
  bool topic_found = false;
  if (r.options.topics != nullptr) {
    const std::string account = r.account();
    const std::string region = r.region();
    for (const auto& t : r.options.topics->Topics()) {
      if (t->account != account || t->region != region) continue;
      if (*topic_arn && t->arn != **topic_arn) continue;
      topic_found = true;
      for (const auto& sub : t->subscriptions) {
        if (sub->protocol != sns::Protocol::kHttp && sub->protocol != sns::Protocol::kHttps)
          continue;
        const auto it = counts.find(sub->arn);
        const DeliveryCounts c = it == counts.end() ? DeliveryCounts{} : it->second;
        int64_t waiting = 0;
        if (auto q = r.engine.FindQueue(sub->queue_key)) {
          const engine::QueueStats s = q->Stats();
          waiting = s.visible + s.in_flight + s.delayed;
        }
        out.push_back(boost::json::object{
            {"SubscriptionArn", sub->arn},
            {"PendingConfirmation", !sub->confirmed},
            {"TopicArn", t->arn},
            {"Protocol", sub->protocol == sns::Protocol::kHttps ? "https" : "http"},
            {"Endpoint", sub->endpoint},
            {"Waiting", waiting},
            {"Attempts", c.attempts},
            {"Successes", c.successes},
            {"Failures", c.failures},
            {"Retries", c.retries},
            {"DeadLettered", c.dead_lettered},
            {"Dropped", c.dropped},
        });
      }
    }
  }
  if (*topic_arn && !topic_found) {
    return api::Error(ErrorId::kSnsNotFound, "Topic does not exist");
  }
  return boost::json::object{{"Subscriptions", std::move(out)}};
}

// Every opted-in queue of the caller's account, or the one QueueUrl names.
Result<boost::json::object> GetMessageJourney(const Request& r) {
  const api::Params p(r.call.params, r.call.ctx.wire);
  Result<std::string> id = p.RequiredString("MessageId");
  if (!id.ok()) return id.status();
  std::vector<std::shared_ptr<engine::Queue>> queues;
  if (p.Has("QueueUrl")) {
    Result<std::shared_ptr<engine::Queue>> queue = r.ResolveQueue();
    if (!queue.ok()) return queue.status();
    queues.push_back(*queue);
  } else {
    queues = r.CallerQueues("");
  }
  return MessageJourneyJson(*id, queues, [&](const engine::Queue& q) {
    return sqs::QueueUrlOfKey(r.home(), r.call.ctx, q.name());
  });
}

}  // namespace

AdminService::AdminService(engine::Engine& engine, AdminOptions options)
    : engine_(engine), options_(std::move(options)) {}

bool AdminService::Knows(std::string_view action) const {
  return std::find(kActions.begin(), kActions.end(), action) != kActions.end();
}

void AdminService::Invoke(api::Call call, api::Reply reply) {
  const Request r{engine_, options_, call};
  if (call.action == "ListQueueStats") return reply(ListQueueStats(r));
  if (call.action == "PeekMessages") return reply(PeekMessages(r));
  if (call.action == "GetQueueHistory") return reply(GetQueueHistory(r));
  if (call.action == "GetServerStatus") return reply(GetServerStatus(r));
  if (call.action == "ListSubscriptionStats") return reply(ListSubscriptionStats(r));
  if (call.action == "CancelMessage") {
    Result<std::shared_ptr<engine::Queue>> queue = r.ResolveQueue();
    if (!queue.ok()) return reply(queue.status());
    return CancelMessage(engine_, **queue, call, std::move(reply));
  }
  if (call.action == "GetMessageJourney") return reply(GetMessageJourney(r));
  reply(api::InvalidAction(call.action));
}

}  // namespace ferry::admin
