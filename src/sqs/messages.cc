// SendMessage, ReceiveMessage, DeleteMessage, ChangeMessageVisibility: the hot
// paths. Each looks its queue up once, reads the body in place, and builds the
// payload in one allocation.
#include <algorithm>
#include <array>
#include <exception>

#include "api/errors.h"
#include "common/crypto.h"
#include "common/utf8.h"
#include "message/body.h"
#include "message/digest.h"
#include "message/payload.h"
#include "message/sequence_number.h"
#include "sqs/handlers.h"
#include "sqs/long_poll.h"
#include "sqs/message_attributes.h"
#include "sqs/queue_url.h"
#include "sqs/scheduling.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;
using message::AttributeJson;
using message::DecodedPayload;

// No queue's MaximumMessageSize is below this, so smaller messages need no
// look at the queue's settings.
constexpr size_t kSmallestMaximumMessageSize = 1024;

// The system attributes ReceiveMessage can return, as bits of a mask.
enum SystemAttribute : uint32_t {
  kSenderId = 1 << 0,
  kSentTimestamp = 1 << 1,
  kApproximateReceiveCount = 1 << 2,
  kApproximateFirstReceiveTimestamp = 1 << 3,
  kAwsTraceHeader = 1 << 4,
  kMessageGroupId = 1 << 5,
  kSequenceNumber = 1 << 6,
  kMessageDeduplicationId = 1 << 7,
  kDeadLetterQueueSourceArn = 1 << 8,
  kAllSystemAttributes = 0xffffffff,
};

struct SystemAttributeName {
  std::string_view name;
  uint32_t bit;
};

// Names a client may ask for. SequenceNumber and MessageDeduplicationId
// exist on FIFO queues only; DeadLetterQueueSourceArn on moved messages only.
constexpr std::array kSystemAttributeNames = {
    SystemAttributeName{"All", kAllSystemAttributes},
    SystemAttributeName{"SenderId", kSenderId},
    SystemAttributeName{"SentTimestamp", kSentTimestamp},
    SystemAttributeName{"ApproximateReceiveCount", kApproximateReceiveCount},
    SystemAttributeName{"ApproximateFirstReceiveTimestamp", kApproximateFirstReceiveTimestamp},
    SystemAttributeName{"AWSTraceHeader", kAwsTraceHeader},
    SystemAttributeName{"MessageGroupId", kMessageGroupId},
    SystemAttributeName{"SequenceNumber", kSequenceNumber},
    SystemAttributeName{"MessageDeduplicationId", kMessageDeduplicationId},
    SystemAttributeName{"DeadLetterQueueSourceArn", kDeadLetterQueueSourceArn},
};

constexpr std::string_view kTraceHeader = "AWSTraceHeader";
// X-Ray trace headers are short; a header longer than this is not one and is
// not stored.
constexpr size_t kMaxTraceHeaderLength = 4096;

// Where a FIFO message keeps its deduplication id: a stored system attribute
// of the payload (not one a client sends), returned on receive.
constexpr std::string_view kStoredDedupId = "MessageDeduplicationId";

// FIFO ids (MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId):
// 1 to 128 alphanumeric or punctuation characters.
constexpr size_t kMaxFifoIdLength = 128;

// What one ReceiveMessage asks for; shared by the attempts of a long poll.
struct ReceiveSpec {
  engine::ReceiveRequest request;
  uint32_t system_attributes = 0;
  bool all_attributes = false;
  std::vector<std::string> attribute_names;     // exact names
  std::vector<std::string> attribute_prefixes;  // "bar" for "bar.*"
  std::string arn_prefix;  // "arn:aws:sqs:<region>:<account>:", for DeadLetterQueueSourceArn

  bool WantsAttribute(std::string_view name) const {
    if (all_attributes) return true;
    for (const std::string& n : attribute_names) {
      if (n == name) return true;
    }
    for (const std::string& p : attribute_prefixes) {
      if (name.starts_with(p)) return true;
    }
    return false;
  }
};

Status CheckFifoId(std::string_view parameter, std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxFifoIdLength;
  for (char c : id) ok = ok && c >= 0x21 && c <= 0x7e;
  if (ok) return Status::Ok();
  return api::InvalidParameterValue(
      parameter, id,
      std::string(parameter) +
          " can only include alphanumeric and punctuation characters. 1 to 128 in length.");
}

// One engine receive, shaped as the ReceiveMessage result. Sets *got when it
// returned at least one message.
Result<boost::json::object> ReceiveOnce(engine::Queue& queue, const ReceiveSpec& spec, bool* got) {
  const bool fifo = queue.fifo();
  Result<std::vector<engine::ReceivedMessage>> received = queue.Receive(spec.request);
  if (!received.ok()) return EngineError(received.status());
  *got = !received->empty();
  boost::json::object out;
  if (received->empty()) return out;

  boost::json::array messages;
  messages.reserve(received->size());
  std::vector<AttributeView> returned;
  for (engine::ReceivedMessage& m : *received) {
    std::optional<DecodedPayload> p = message::DecodePayload(m.payload);
    if (!p) {
      return api::Error(ErrorId::kInternalError,
                        "The stored message " + m.message_id + " could not be decoded.");
    }
    boost::json::object msg;
    msg.reserve(7);
    msg.emplace("MessageId", std::move(m.message_id));
    msg.emplace("ReceiptHandle", std::move(m.receipt_handle));
    msg.emplace("MD5OfBody", message::BodyMd5Hex(p->body_md5));
    msg.emplace("Body", p->body);

    const uint32_t sys = spec.system_attributes;
    if (sys != 0) {
      boost::json::object attrs;
      if (sys & kSenderId) attrs.emplace("SenderId", p->sender_id);
      if (sys & kSentTimestamp) attrs.emplace("SentTimestamp", std::to_string(m.sent_ms));
      if (sys & kApproximateReceiveCount) {
        attrs.emplace("ApproximateReceiveCount", std::to_string(m.receive_count));
      }
      if (sys & kApproximateFirstReceiveTimestamp) {
        attrs.emplace("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
      }
      if ((sys & kMessageGroupId) && !m.group_id.empty()) {
        attrs.emplace("MessageGroupId", std::move(m.group_id));
      }
      if ((sys & kDeadLetterQueueSourceArn) && !m.dead_letter_source.empty()) {
        // A source is in its dead-letter queue's region.
        attrs.emplace("DeadLetterQueueSourceArn",
                      spec.arn_prefix + PlainName(m.dead_letter_source));
      }
      if (fifo && (sys & kSequenceNumber)) {
        attrs.emplace("SequenceNumber", message::FormatSequenceNumber(m.sequence));
      }
      for (const AttributeView& a : p->system_attributes) {
        if ((sys & kAwsTraceHeader) && a.name == kTraceHeader) {
          attrs.emplace("AWSTraceHeader", a.value);
        } else if ((sys & kMessageDeduplicationId) && a.name == kStoredDedupId) {
          attrs.emplace("MessageDeduplicationId", a.value);
        }
      }
      if (!attrs.empty()) msg.emplace("Attributes", std::move(attrs));
    }

    returned.clear();
    for (const AttributeView& a : p->attributes) {
      if (spec.WantsAttribute(a.name)) returned.push_back(a);
    }
    if (!returned.empty()) {
      msg.emplace("MD5OfMessageAttributes", message::AttributesMd5Hex(returned));
      boost::json::object attrs;
      for (const AttributeView& a : returned) attrs.emplace(a.name, AttributeJson(a));
      msg.emplace("MessageAttributes", std::move(attrs));
    }
    messages.emplace_back(std::move(msg));
  }
  out.emplace("Messages", std::move(messages));
  return out;
}

Result<ReceiveSpec> ParseReceive(const api::Params& p) {
  auto max = p.OptionalInt("MaxNumberOfMessages");
  if (!max.ok()) return max.status();
  FERRY_RETURN_IF_ERROR(
      CheckRange("MaxNumberOfMessages", *max, 1, 10, "Must be between 1 and 10, if provided."));
  auto visibility = p.OptionalInt("VisibilityTimeout");
  if (!visibility.ok()) return visibility.status();
  FERRY_RETURN_IF_ERROR(CheckRange("VisibilityTimeout", *visibility, 0, 43200,
                                   "Must be between 0 and 43200, if provided."));
  auto attempt_id = p.OptionalString("ReceiveRequestAttemptId");  // FIFO queues only
  if (!attempt_id.ok()) return attempt_id.status();
  if (attempt_id->has_value()) {
    FERRY_RETURN_IF_ERROR(CheckFifoId("ReceiveRequestAttemptId", **attempt_id));
  }

  ReceiveSpec spec;
  spec.request.max_messages = static_cast<int>(max->value_or(1));
  spec.request.visibility_timeout_s = visibility->value_or(-1);
  if (attempt_id->has_value()) spec.request.attempt_id = std::move(**attempt_id);
  for (std::string_view list : {"AttributeNames", "MessageSystemAttributeNames"}) {
    auto names = p.StringList(list);
    if (!names.ok()) return names.status();
    for (const std::string& n : *names) {
      for (const auto& s : kSystemAttributeNames) {
        if (s.name == n) spec.system_attributes |= s.bit;
      }
    }
  }
  auto names = p.StringList("MessageAttributeNames");
  if (!names.ok()) return names.status();
  for (std::string& n : *names) {
    if (n == "All" || n == ".*" || n == "*") {
      spec.all_attributes = true;
    } else if (n.ends_with(".*")) {
      // "<prefix>.*": every name that starts with <prefix> ("Hel.*" takes
      // "Hello"), as AWS matches it.
      n.resize(n.size() - 2);
      spec.attribute_prefixes.push_back(std::move(n));
    } else {
      spec.attribute_names.push_back(std::move(n));
    }
  }
  return spec;
}

}  // namespace

SendRules SendRulesOf(const engine::Queue& queue, const Clock& clock) {
  SendRules rules;
  rules.fifo = queue.fifo();
  rules.queue = &queue;
  rules.now = clock.NowMs();
  if (rules.fifo) rules.content_based_dedup = queue.settings().content_based_dedup;
  return rules;
}

Status CheckFifoIdsPresent(const SendRules& rules, bool has_group, bool has_dedup) {
  if (!rules.fifo) return Status::Ok();
  if (!has_group) return api::MissingParameter("MessageGroupId");
  if (!has_dedup && !rules.content_based_dedup) {
    return api::Error(ErrorId::kInvalidParameterValue,
                      "The queue should either have ContentBasedDeduplication enabled or "
                      "MessageDeduplicationId provided explicitly");
  }
  return Status::Ok();
}

Result<PreparedSend> PrepareSend(const boost::json::object& message, const api::CallContext& ctx,
                                 std::string_view action, const SendRules& rules) {
  auto body_it = message.find("MessageBody");
  if (body_it == message.end() || body_it->value().is_null()) {
    return api::MissingParameter("MessageBody");
  }
  if (!body_it->value().is_string()) {
    return api::InvalidParameterType("MessageBody", "a string");
  }
  const std::string_view body = body_it->value().get_string();
  if (body.empty()) return api::MissingParameter("MessageBody");
  if (Status s = message::CheckBodyCharacters(body); !s.ok()) {
    return api::Error(ErrorId::kInvalidMessageContents, s.message());
  }

  const api::Params p(message, ctx.wire);
  auto delay = p.OptionalInt("DelaySeconds");
  if (!delay.ok()) return delay.status();
  auto attributes = ParseMessageAttributes(p, action);
  if (!attributes.ok()) return attributes.status();
  // DelaySeconds 0..900, or scheduled delivery's longer delays and times.
  Schedule schedule{delay->value_or(-1), 0};
  if (rules.queue != nullptr) {
    Result<Schedule> resolved = ResolveSchedule(*delay, *attributes, *rules.queue, rules.now);
    if (!resolved.ok()) return resolved.status();
    schedule = *resolved;
  }
  auto system_attributes = ParseMessageSystemAttributes(p, action);
  if (!system_attributes.ok()) return system_attributes.status();
  // The X-Amzn-Trace-Id header becomes the AWSTraceHeader system attribute
  // of every message of the request that does not name its own (AWS's X-Ray
  // propagation). It is not part of MD5OfMessageSystemAttributes, which
  // digests what the request sent as attributes.
  const bool traced_by_header = system_attributes->empty() && !ctx.trace_header.empty() &&
                                ctx.trace_header.size() <= kMaxTraceHeaderLength &&
                                IsValidSqsText(ctx.trace_header);
  auto dedup_id = p.OptionalString("MessageDeduplicationId");
  if (!dedup_id.ok()) return dedup_id.status();
  auto group_id = p.OptionalString("MessageGroupId");
  if (!group_id.ok()) return group_id.status();
  if (!rules.fifo && dedup_id->has_value()) {
    return api::Error(ErrorId::kInvalidParameterValue,
                      "The request include parameter that is not valid for this queue type. "
                      "Reason: MessageDeduplicationId applies to FIFO queues only.");
  }
  FERRY_RETURN_IF_ERROR(CheckFifoIdsPresent(rules, group_id->has_value(), dedup_id->has_value()));
  if (rules.fifo) {
    if (delay->value_or(0) != 0) {
      return api::InvalidParameterValue(
          "DelaySeconds", std::to_string(**delay),
          "The request include parameter that is not valid for this queue type.");
    }
    if (dedup_id->has_value()) {
      FERRY_RETURN_IF_ERROR(CheckFifoId("MessageDeduplicationId", **dedup_id));
    }
  }
  if (group_id->has_value()) FERRY_RETURN_IF_ERROR(CheckFifoId("MessageGroupId", **group_id));

  PreparedSend out;
  out.size = message::MessageSize(body, *attributes);
  message::SendDigests digests = message::DigestSend(body, *attributes, *system_attributes);
  out.body_md5_hex = std::move(digests.body_hex);
  out.attributes_md5_hex = std::move(digests.attributes_hex);
  out.system_attributes_md5_hex = std::move(digests.system_attributes_hex);
  if (traced_by_header) {
    system_attributes->push_back({std::string(kTraceHeader), "String", false, ctx.trace_header});
  }
  if (rules.fifo) {
    // Content-based deduplication: the SHA-256 of the body, as AWS derives it.
    out.request.dedup_id = dedup_id->has_value() ? std::move(**dedup_id) : Sha256Hex(body);
    MessageAttribute stored{std::string(kStoredDedupId), "String", false, out.request.dedup_id};
    auto at = std::lower_bound(
        system_attributes->begin(), system_attributes->end(), stored,
        [](const MessageAttribute& a, const MessageAttribute& b) { return a.name < b.name; });
    system_attributes->insert(at, std::move(stored));
  }
  message::OutgoingMessage msg;
  msg.body = body;
  msg.body_md5 = digests.body;
  msg.sender_id = ctx.PrincipalId();
  msg.attributes = *attributes;
  msg.system_attributes = *system_attributes;
  out.request.payload = message::EncodePayload(msg);
  out.request.delay_s = rules.fifo ? -1 : schedule.delay_s;
  out.request.deliver_at_ms = schedule.deliver_at_ms;
  if (group_id->has_value()) out.request.group_id = std::move(**group_id);
  return out;
}

Status CheckMessageSize(const engine::Queue& queue, const PreparedSend& prepared) {
  if (prepared.size > kSmallestMaximumMessageSize) {
    const int64_t max = queue.settings().max_message_size;
    if (prepared.size > static_cast<size_t>(max)) {
      return api::Error(ErrorId::kInvalidParameterValue,
                        "One or more parameters are invalid. Reason: Message must be shorter "
                        "than " +
                            std::to_string(max) + " bytes.");
    }
  }
  return Status::Ok();
}

boost::json::object SentMembers(const engine::Queue& queue, PreparedSend& prepared,
                                engine::SendResult sent) {
  boost::json::object out;
  out.reserve(5);
  out.emplace("MD5OfMessageBody", std::move(prepared.body_md5_hex));
  if (!prepared.attributes_md5_hex.empty()) {
    out.emplace("MD5OfMessageAttributes", std::move(prepared.attributes_md5_hex));
  }
  if (!prepared.system_attributes_md5_hex.empty()) {
    out.emplace("MD5OfMessageSystemAttributes", std::move(prepared.system_attributes_md5_hex));
  }
  out.emplace("MessageId", std::move(sent.message_id));
  if (queue.fifo()) out.emplace("SequenceNumber", message::FormatSequenceNumber(sent.sequence));
  return out;
}

HandlerResult SendPrepared(engine::Queue& queue, PreparedSend prepared) {
  FERRY_RETURN_IF_ERROR(CheckMessageSize(queue, prepared));
  Result<engine::SendResult> sent = queue.Send(std::move(prepared.request));
  if (!sent.ok()) return EngineError(sent.status());
  return SentMembers(queue, prepared, std::move(sent).value());
}

Status DeleteError(const Status& s, std::string_view receipt_handle) {
  if (s.code() == Code::kInvalidArgument) {
    return api::Error(ErrorId::kReceiptHandleIsInvalid, "The input receipt handle \"" +
                                                            std::string(receipt_handle) +
                                                            "\" is not a valid receipt handle.");
  }
  return EngineError(s);
}

Status DeleteOne(engine::Queue& queue, std::string_view receipt_handle) {
  Status s = queue.Delete(receipt_handle);
  if (s.ok()) return s;
  return DeleteError(s, receipt_handle);
}

Status ChangeVisibilityOne(engine::Queue& queue, std::string_view receipt_handle,
                           const std::optional<int64_t>& timeout_s) {
  if (!timeout_s) return api::MissingParameter("VisibilityTimeout");
  FERRY_RETURN_IF_ERROR(CheckRange("VisibilityTimeout", timeout_s, 0, 43200,
                                   "Must be between 0 and 43200, if provided."));
  Status s = queue.ChangeVisibility(receipt_handle, *timeout_s);
  if (s.ok()) return s;
  if (s.code() == Code::kInvalidArgument) {
    return api::Error(ErrorId::kReceiptHandleIsInvalid, "The input receipt handle \"" +
                                                            std::string(receipt_handle) +
                                                            "\" is not a valid receipt handle.");
  }
  if (s.code() == Code::kNotFound) {
    return api::InvalidParameterValue(
        "ReceiptHandle", receipt_handle,
        "Message does not exist or is not available for visibility timeout change.");
  }
  return EngineError(s);
}

HandlerResult SendMessage(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  Result<PreparedSend> prepared =
      PrepareSend(call.params, call.ctx, "SendMessage", SendRulesOf(**queue, env.engine.clock()));
  if (!prepared.ok()) return prepared.status();
  return SendPrepared(**queue, std::move(prepared).value());
}

void ReceiveMessage(Env& env, const api::Call& call, api::Reply reply) {
  std::shared_ptr<engine::Queue> queue;
  std::optional<ReceiveSpec> spec;
  int64_t wait_s = 0;
  // Everything up to the first attempt answers at once.
  std::optional<HandlerResult> now;
  try {
    now = [&]() -> std::optional<HandlerResult> {
      auto found = ResolveQueue(env, call);
      if (!found.ok()) return found.status();
      queue = std::move(found).value();
      const api::Params p(call.params, call.ctx.wire);
      auto parsed = ParseReceive(p);
      if (!parsed.ok()) return parsed.status();
      spec.emplace(std::move(parsed).value());
      spec->arn_prefix =
          MakeQueueArn(RegionOf(env, queue->name()), AccountOf(env, queue->name()), "");
      auto wait = p.OptionalInt("WaitTimeSeconds");
      if (!wait.ok()) return wait.status();
      FERRY_RETURN_IF_ERROR(
          CheckRange("WaitTimeSeconds", *wait, 0, 20, "Must be >= 0 and <= 20, if provided."));
      wait_s = wait->has_value() ? **wait : queue->settings().receive_wait_s;
      bool got = false;
      HandlerResult result = ReceiveOnce(*queue, *spec, &got);
      if (!result.ok() || got || wait_s <= 0) return result;
      return std::nullopt;
    }();
  } catch (const std::exception& e) {
    now = HandlerResult(api::Error(ErrorId::kInternalError, e.what()));
  }
  if (now) return reply(std::move(*now));

  PollAttempt attempt = [&engine = env.engine, queue, wire = call.ctx.wire,
                         spec = std::make_shared<const ReceiveSpec>(
                             std::move(*spec))]() -> std::optional<HandlerResult> {
    if (engine.FindQueue(queue->name()) != queue) return HandlerResult(QueueDoesNotExist(wire));
    bool got = false;
    HandlerResult result = ReceiveOnce(*queue, *spec, &got);
    if (!result.ok() || got) return result;
    return std::nullopt;
  };
  StartLongPoll(env.executor, queue, env.engine.clock(), std::chrono::seconds(wait_s),
                std::move(attempt), std::move(reply));
}

HandlerResult DeleteMessage(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto handle = p.RequiredString("ReceiptHandle");
  if (!handle.ok()) return handle.status();
  FERRY_RETURN_IF_ERROR(DeleteOne(**queue, *handle));
  return boost::json::object();
}

HandlerResult ChangeMessageVisibility(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  auto handle = p.RequiredString("ReceiptHandle");
  if (!handle.ok()) return handle.status();
  auto timeout = p.OptionalInt("VisibilityTimeout");
  if (!timeout.ok()) return timeout.status();
  FERRY_RETURN_IF_ERROR(ChangeVisibilityOne(**queue, *handle, *timeout));
  return boost::json::object();
}

}  // namespace ferry::sqs
