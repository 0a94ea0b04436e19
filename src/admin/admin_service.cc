#include "admin/admin_service.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

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
    std::string_view("GetQueueHistory"), std::string_view("GetServerStatus"),
    std::string_view("ListQueueStats"), std::string_view("PeekMessages"),
    std::string_view("GetMessageJourney")};
constexpr int64_t kDefaultPeekMessages = 10;
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

Result<boost::json::object> PeekedJson(const Request& r, engine::PeekedMessage& m) {
  std::optional<message::DecodedPayload> p = message::DecodePayload(m.payload);
  if (!p) {
    return api::Error(ErrorId::kInternalError,
                      "The stored message " + m.message_id + " could not be decoded.");
  }
  boost::json::object o;
  o.emplace("MessageId", std::move(m.message_id));
  o.emplace("SequenceNumber", std::to_string(m.sequence));
  o.emplace("Body", p->body);
  o.emplace("MD5OfBody", message::BodyMd5Hex(p->body_md5));
  o.emplace("State", StateName(m.state));
  o.emplace("SentTimestamp", m.sent_ms);
  o.emplace("ApproximateReceiveCount", m.receive_count);
  o.emplace("ApproximateFirstReceiveTimestamp", m.first_receive_ms);
  o.emplace("VisibleAtTimestamp", m.visible_at_ms);
  o.emplace("SenderId", p->sender_id);
  if (!m.group_id.empty()) o.emplace("MessageGroupId", std::move(m.group_id));
  for (const message::AttributeView& a : p->system_attributes) {
    if (a.name == kStoredDedupId) o.emplace("MessageDeduplicationId", a.value);
  }
  if (!m.dead_letter_source.empty()) {
    o.emplace("DeadLetterQueueSourceArn", sqs::QueueArnOfKey(r.home(), m.dead_letter_source));
  }
  if (!p->attributes.empty()) {
    boost::json::object attrs;
    for (const message::AttributeView& a : p->attributes) {
      attrs.emplace(a.name, message::AttributeJson(a));
    }
    o.emplace("MD5OfMessageAttributes", message::AttributesMd5Hex(p->attributes));
    o.emplace("MessageAttributes", std::move(attrs));
  }
  return o;
}

Result<boost::json::object> PeekMessages(const Request& r) {
  Result<std::shared_ptr<engine::Queue>> queue = r.ResolveQueue();
  if (!queue.ok()) return queue.status();
  const api::Params p(r.call.params, r.call.ctx.wire);
  Result<std::optional<int64_t>> max = p.OptionalInt("MaxNumberOfMessages");
  if (!max.ok()) return max.status();
  const int64_t n = max->value_or(kDefaultPeekMessages);
  if (n < 1 || n > engine::kMaxPeekMessages) {
    return api::InvalidParameterValue("MaxNumberOfMessages", std::to_string(n),
                                      "Must be between 1 and 100, if provided.");
  }
  Result<uint64_t> start = StartAfterSequence(r.call.params);
  if (!start.ok()) return start.status();
  Result<std::optional<bool>> in_flight = p.OptionalBool("IncludeInFlight");
  if (!in_flight.ok()) return in_flight.status();
  Result<std::optional<bool>> delayed = p.OptionalBool("IncludeDelayed");
  if (!delayed.ok()) return delayed.status();

  engine::PeekRequest req;
  req.max_messages = static_cast<int>(n);
  req.start_after_sequence = *start;
  req.include_in_flight = in_flight->value_or(true);
  req.include_delayed = delayed->value_or(true);
  Result<engine::PeekResult> peeked = (*queue)->Peek(req);
  if (!peeked.ok()) {
    return api::Error(ErrorId::kServiceUnavailable,
                      "The service is temporarily unavailable: " + peeked.status().message());
  }
  boost::json::array messages;
  messages.reserve(peeked->messages.size());
  for (engine::PeekedMessage& m : peeked->messages) {
    Result<boost::json::object> o = PeekedJson(r, m);
    if (!o.ok()) return o.status();
    messages.emplace_back(std::move(o).value());
  }
  boost::json::object out{{"Messages", std::move(messages)}};
  if (peeked->next_sequence != 0) {
    out.emplace("NextSequence", std::to_string(peeked->next_sequence));
  }
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
  if (call.action == "GetMessageJourney") return reply(GetMessageJourney(r));
  reply(api::InvalidAction(call.action));
}

}  // namespace ferry::admin
