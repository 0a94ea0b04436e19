#include "sns/fan_out.h"

#include <array>
#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "api/errors.h"
#include "common/crypto.h"
#include "message/payload.h"
#include "message/sequence_number.h"
#include "sns/arn.h"
#include "sns/delivery_item.h"
#include "sns/envelope.h"
#include "sns/queue_access.h"
#include "sns/signing.h"

namespace ferry::sns {
namespace {

// Where a FIFO copy keeps its deduplication id in an SQS payload: the
// stored system attribute SQS's ReceiveMessage returns as
// MessageDeduplicationId (src/sqs/messages.cc stores the same).
constexpr std::string_view kStoredDedupId = "MessageDeduplicationId";

// The bodies a message can have: the message itself (or "default"), then
// one per protocol with its own key under MessageStructure=json.
constexpr size_t kBodies = 4;

size_t BodyIndex(const PublishMessage& m, Protocol p) {
  const size_t i = static_cast<size_t>(p);
  return m.structured && m.protocol_copies[i] ? 1 + i : 0;
}

// What one distinct body costs once per message, built when a subscription
// first needs it.
struct Body {
  std::string_view text;
  // The envelope, without the subscription's ARN between head and tail,
  // and the MD5 state after the head (most of an envelope is its head).
  std::optional<std::pair<std::string, std::string>> envelope;
  std::unique_ptr<Md5WithPrefix> head_md5;
  std::optional<std::string> raw_payload;  // raw SQS delivery
  std::optional<boost::json::value> parsed;  // body-scoped filter policies
};

class FanOutRun {
 public:
  FanOutRun(const PublishContext& ctx, const Topic& topic, const PublishMessage& m,
            std::string_view sender_id)
      : ctx_(ctx), topic_(topic), m_(m), sender_id_(sender_id) {}

  Result<Published> Run() {
    Published out;
    now_ = ctx_.engine.clock().NowMs();
    for (const message::MessageAttribute& a : m_.attributes) {
      views_.push_back(message::View(a));
      filter_attributes_.push_back({a.name, a.data_type, a.value});
    }
    if (topic_.fifo) {
      system_attributes_.push_back({std::string(kStoredDedupId), "String", false, m_.dedup_id});
    }
    unsubscribe_prefix_ = UnsubscribeUrlPrefix(ctx_.public_url);
    bodies_[0].text = m_.structured ? std::string_view(m_.default_copy) : m_.message;
    for (Protocol p : {Protocol::kSqs, Protocol::kHttp, Protocol::kHttps}) {
      bodies_[1 + static_cast<size_t>(p)].text = m_.Body(p);
    }
    // The queues are looked up before anything is stored: on the PostgreSQL
    // engine the copies of a FIFO topic's publish are made inside the
    // transaction of its deduplication entry, which holds a connection
    // that a lookup must not wait for.
    Plan();
    Status failed;
    if (topic_.fifo) {
      Result<engine::DedupedCopies> sent = Deduplicate();
      if (!sent.ok()) {
        failed = sent.status();
      } else {
        out.message_id = sent->entry.message_id;
        out.sequence_number = message::FormatSequenceNumber(sent->entry.sequence);
        out.duplicate = sent->entry.duplicate;
        if (out.duplicate) return out;
        failed = Tally(sent->copies);
      }
    } else {
      message_id_ = NewUuid();
      out.message_id = message_id_;
      failed = MakeCopies();
      if (failed.ok() && !targets_.empty()) failed = Tally(ctx_.engine.SendCopies(targets_));
    }
    for (const auto& [sub, arn] : refusals_) LogRefusedCopy(now_, topic_, *sub, arn);
    if (ctx_.counters != nullptr) {
      ctx_.counters->copies += copies_;
      ctx_.counters->dropped += dropped_;
      ctx_.counters->refused += refused_;
    }
    Count(failed.ok());
    if (!failed.ok()) return failed;
    return out;
  }

 private:
  // A subscription that gets a copy, and where (the payload waits for the
  // message id).
  struct Planned {
    const Subscription* sub = nullptr;
    Body* body = nullptr;
    std::shared_ptr<engine::Queue> queue;
  };

  // Filters the subscriptions and finds their queues.
  void Plan() {
    const size_t subscriptions = topic_.subscriptions.size();
    planned_.reserve(subscriptions);
    for (const auto& sub : topic_.subscriptions) {
      if (!sub->confirmed) continue;
      Body& body = bodies_[BodyIndex(m_, sub->protocol)];
      if (sub->filter && !Passes(*sub->filter, body)) {
        ++filtered_out_;
        continue;
      }
      std::shared_ptr<engine::Queue> q;
      if (sub->protocol == Protocol::kSqs) {
        ++to_queues_;
        q = QueueOf(*sub);
      } else if (q = ctx_.engine.FindQueue(sub->queue_key); q == nullptr) {
        ++dropped_;
      }
      if (q != nullptr) planned_.push_back({sub.get(), &body, std::move(q)});
    }
  }

  // The copies' payloads, once message_id_ (and, FIFO, sequence_number_)
  // is known. At most one copy, and one payload made for it, per planned
  // subscription: no reallocation, so the views into owned_ stay valid.
  Status MakeCopies() {
    targets_.reserve(planned_.size());
    target_queues_.reserve(planned_.size());
    target_is_sqs_.reserve(planned_.size());
    owned_.reserve(planned_.size());
    for (Planned& p : planned_) {
      const Status made = p.sub->protocol == Protocol::kSqs
                              ? ToQueue(*p.sub, *p.body, std::move(p.queue))
                              : ToEndpoint(*p.sub, *p.body, std::move(p.queue));
      if (!made.ok()) return made;
    }
    return Status::Ok();
  }

  // The topic's deduplication queue gives a FIFO message its id and
  // sequence number, and tells a duplicate; the copies, made from them, are
  // stored with the entry (one transaction on the PostgreSQL engine).
  Result<engine::DedupedCopies> Deduplicate() {
    std::shared_ptr<engine::Queue> q = ctx_.engine.FindQueue(topic_.dedup_queue_key);
    if (q == nullptr) {
      return api::Error(api::ErrorId::kSnsInternalError,
                        "The deduplication queue of topic " + topic_.arn + " is missing.");
    }
    engine::SendRequest req;
    req.group_id = m_.group_id;
    req.dedup_id = m_.dedup_id;
    return ctx_.engine.SendDedupedCopies(
        *q, req,
        [this](const engine::SendResult& entry) -> Result<std::span<const engine::CopyTarget>> {
          message_id_ = entry.message_id;
          sequence_number_ = message::FormatSequenceNumber(entry.sequence);
          FERRY_RETURN_IF_ERROR(MakeCopies());
          return std::span<const engine::CopyTarget>(targets_);
        });
  }

  bool Passes(const FilterPolicy& policy, Body& body) {
    if (policy.scope() == FilterScope::kMessageAttributes) {
      return Matches(policy, MessageAttributesView{filter_attributes_});
    }
    if (!body.parsed) {
      boost::system::error_code ec;
      body.parsed = boost::json::parse(body.text, ec);
      // Text that is not JSON is a body that is not an object.
      if (ec) body.parsed = boost::json::value();
    }
    return MatchesBody(policy, *body.parsed);
  }

  Status BuildEnvelope(Body& body) {
    Notification n;
    n.message_id = message_id_;
    n.topic_arn = topic_.arn;
    if (m_.subject) n.subject = *m_.subject;
    n.message = body.text;
    n.timestamp_ms = now_;
    if (topic_.fifo) n.sequence_number = sequence_number_;
    n.unsubscribe_url = unsubscribe_prefix_;
    n.attributes = views_;
    std::string json;
    // FIFO notifications are unsigned, as SNS sends them.
    if (!topic_.fifo && ctx_.signing_key != nullptr) {
      const SignatureVersion version =
          topic_.signature_version == 2 ? SignatureVersion::kV2 : SignatureVersion::kV1;
      Result<std::string> signature = Sign(*ctx_.signing_key, version, StringToSign(n));
      if (!signature.ok()) return signature.status();
      const std::string cert_url = ctx_.public_url + ctx_.signing_key->certificate_path();
      const SignatureFields fields{SignatureVersionText(version), *signature, cert_url};
      json = NotificationJson(n, &fields);
    } else {
      json = NotificationJson(n, nullptr);
    }
    // The first "UnsubscribeURL" is the field (every quote of a value is
    // escaped; attributes, which may repeat the name, come after it). The
    // prefix is a URL, which JSON does not escape.
    constexpr std::string_view kField = "\"UnsubscribeURL\" : \"";
    const size_t at = json.find(kField) + kField.size() + unsubscribe_prefix_.size();
    body.envelope.emplace(json.substr(0, at), json.substr(at));
    body.head_md5 = std::make_unique<Md5WithPrefix>(body.envelope->first);
    return Status::Ok();
  }

  // The subscription's envelope, in a buffer reused from one subscription
  // to the next (valid until the next call), and its MD5 when `md5` is set.
  Result<std::string_view> EnvelopeFor(const Subscription& sub, Body& body, Md5Digest* md5) {
    if (!body.envelope) FERRY_RETURN_IF_ERROR(BuildEnvelope(body));
    const auto& [head, tail] = *body.envelope;
    std::string& out = envelope_;
    out.clear();
    out.append(head);
    AppendUrlEncoded(sub.arn, &out);
    const size_t arn_end = out.size();
    out.append(tail);
    if (md5 != nullptr) {
      *md5 = body.head_md5->Of(std::string_view(out).substr(head.size(), arn_end - head.size()),
                               tail);
    }
    return std::string_view(out);
  }

  std::string Payload(std::string_view text, const Md5Digest& md5,
                      std::span<const message::MessageAttribute> attrs) {
    message::OutgoingMessage msg;
    msg.body = text;
    msg.body_md5 = md5;
    msg.sender_id = sender_id_;
    msg.attributes = attrs;
    msg.system_attributes = system_attributes_;
    return message::EncodePayload(msg);
  }

  // The subscription's queue, or its dead-letter queue when the queue is
  // gone; null (counted as dropped or refused) when it gets no copy.
  std::shared_ptr<engine::Queue> QueueOf(const Subscription& sub) {
    std::shared_ptr<engine::Queue> q;
    if (!sub.queue_key.empty()) q = ctx_.engine.FindQueue(sub.queue_key);
    const bool dead_letter = q == nullptr && !sub.dead_letter_key.empty();
    if (dead_letter) q = ctx_.engine.FindQueue(sub.dead_letter_key);
    // A standard topic cannot deliver to a FIFO queue (Subscribe refuses the
    // pair; a queue deleted and made again as FIFO is skipped). A FIFO topic
    // delivers to both kinds, as SNS has since 2023. SQS takes at most 10
    // attributes, so a raw copy of a message with more is discarded, as SNS
    // discards it.
    if (q == nullptr || (q->fifo() && !topic_.fifo) ||
        (sub.raw && m_.attributes.size() > message::kMaxMessageAttributes)) {
      ++dropped_;
      return nullptr;
    }
    if (!Admitted(sub, q, dead_letter)) return nullptr;
    return q;
  }

  Status ToQueue(const Subscription& sub, Body& body, std::shared_ptr<engine::Queue> q) {
    // The same raw payload goes to every raw subscription as a view: the
    // engine copies it into its record and keeps nothing of ours.
    engine::CopyRequest req;
    std::string enveloped;
    if (sub.raw) {
      // The message's attributes become the SQS message's (a String.Array
      // keeps its type, a custom String type to SQS).
      if (!body.raw_payload) body.raw_payload = Payload(body.text, Md5(body.text), m_.attributes);
      req.payload = *body.raw_payload;
    } else {
      Md5Digest md5;
      Result<std::string_view> envelope = EnvelopeFor(sub, body, &md5);
      if (!envelope.ok()) return envelope.status();
      enveloped = Payload(*envelope, md5, {});
      req.payload = enveloped;
    }
    // The group goes to standard queues too (their fair queues); the
    // deduplication id only to FIFO queues, which deduplicate with it.
    req.group_id = m_.group_id;
    if (q->fifo()) req.dedup_id = m_.dedup_id;
    if (!sub.raw) req.payload = owned_.emplace_back(std::move(enveloped));
    Add(std::move(q), req, true);
    return Status::Ok();
  }

  void Add(std::shared_ptr<engine::Queue> q, const engine::CopyRequest& req, bool to_queue) {
    targets_.push_back({q.get(), req});
    target_queues_.push_back(std::move(q));
    target_is_sqs_.push_back(to_queue);
  }

  // Counts what one engine call stored (Engine::SendCopies: on an engine
  // with transactions the publish's copies are committed together): the
  // first failure that is not a refused copy fails the publish.
  Status Tally(const std::vector<Status>& sent) {
    Status failed;
    for (size_t i = 0; i < sent.size(); ++i) {
      const uint64_t before = copies_;
      Status s = Stored(sent[i]);
      if (target_is_sqs_[i]) queues_stored_ += copies_ - before;
      if (failed.ok() && !s.ok()) failed = std::move(s);
    }
    return failed;
  }

  // Adds this publish to the topic's counters (topic_counters.h): relaxed
  // atomic additions, once per publish, not per subscription.
  void Count(bool published) {
    if (topic_.counters == nullptr) return;
    TopicCounters& c = *topic_.counters;
    constexpr auto kRelaxed = std::memory_order_relaxed;
    if (published) c.published.fetch_add(1, kRelaxed);
    if (filtered_out_ != 0) c.filtered_out.fetch_add(filtered_out_, kRelaxed);
    if (to_queues_ != 0) {
      DeliveryCounters& sqs = c.deliveries[static_cast<size_t>(Protocol::kSqs)];
      sqs.attempted.fetch_add(to_queues_, kRelaxed);
      sqs.succeeded.fetch_add(queues_stored_, kRelaxed);
      sqs.failed.fetch_add(to_queues_ - queues_stored_, kRelaxed);
    }
  }

  // Whether the queue's policy lets the topic send its copy
  // (queue_access.h); a refusal is counted and logged.
  bool Admitted(const Subscription& sub, const std::shared_ptr<engine::Queue>& q,
                bool dead_letter) {
    const std::string dead_letter_arn = dead_letter ? DeadLetterArnOf(sub) : std::string();
    const std::string_view arn = dead_letter ? std::string_view(dead_letter_arn) : sub.endpoint;
    if (TopicMayDeliver(ctx_, topic_, arn, q)) return true;
    ++refused_;
    refusals_.emplace_back(&sub, std::string(arn));
    return false;
  }

  Status ToEndpoint(const Subscription& sub, Body& body, std::shared_ptr<engine::Queue> q) {
    std::string_view text = body.text;
    if (!sub.raw) {
      Result<std::string_view> envelope = EnvelopeFor(sub, body, nullptr);
      if (!envelope.ok()) return envelope.status();
      text = *envelope;
    }
    const std::string& item =
        owned_.emplace_back(EncodeDeliveryItem({kNotificationType, message_id_, text}));
    Add(std::move(q), {.payload = item}, false);
    return Status::Ok();
  }

  Status Stored(const Status& sent) {
    if (sent.ok()) {
      ++copies_;
      return Status::Ok();
    }
    // kInvalidArgument: the queue refused the copy (its kind changed under
    // us); only a log that cannot be written fails the publish.
    if (sent.code() == Code::kInvalidArgument) {
      ++dropped_;
      return Status::Ok();
    }
    return sent;
  }

  const PublishContext& ctx_;
  const Topic& topic_;
  const PublishMessage& m_;
  std::string_view sender_id_;
  TimeMs now_ = 0;
  std::string message_id_;
  std::string sequence_number_;
  std::string unsubscribe_prefix_;
  std::vector<message::AttributeView> views_;
  std::vector<FilterAttribute> filter_attributes_;
  std::vector<message::MessageAttribute> system_attributes_;
  std::array<Body, kBodies> bodies_;
  std::string envelope_;
  // The copies to store, their queues (held until stored) and whether
  // each is an SQS subscription's; owned_ keeps the payloads made for one
  // copy (reserved for every subscription: its strings never move).
  std::vector<Planned> planned_;
  std::vector<engine::CopyTarget> targets_;
  std::vector<std::shared_ptr<engine::Queue>> target_queues_;
  std::vector<bool> target_is_sqs_;
  std::vector<std::string> owned_;
  uint64_t copies_ = 0;
  uint64_t dropped_ = 0;
  uint64_t refused_ = 0;
  // Logged once the publish is done (a duplicate logs none).
  std::vector<std::pair<const Subscription*, std::string>> refusals_;
  uint64_t filtered_out_ = 0;
  uint64_t to_queues_ = 0;      // sqs subscriptions tried
  uint64_t queues_stored_ = 0;  // of which stored a copy
};

}  // namespace

std::string UnsubscribeUrlPrefix(std::string_view public_url) {
  std::string out(public_url);
  out.append("/?Action=Unsubscribe&SubscriptionArn=");
  return out;
}

Result<Published> FanOut(const PublishContext& ctx, const Topic& topic,
                         const PublishMessage& message, std::string_view sender_id) {
  return FanOutRun(ctx, topic, message, sender_id).Run();
}

}  // namespace ferry::sns
