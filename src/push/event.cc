#include "push/event.h"

#include <boost/json.hpp>

#include "common/crypto.h"
#include "message/digest.h"
#include "message/payload.h"
#include "message/sequence_number.h"

namespace ferry::push {
namespace {

namespace json = boost::json;

// Where a FIFO message's deduplication id and a trace header are kept in the
// payload (stored system attributes; src/sqs/messages.cc writes them).
constexpr std::string_view kStoredDedupId = "MessageDeduplicationId";
constexpr std::string_view kTraceHeader = "AWSTraceHeader";

constexpr std::string_view kRecordsOpen = "{\"Records\":[";
constexpr std::string_view kRecordsClose = "]}";

json::object MessageAttributeJson(const message::AttributeView& a) {
  json::object out;
  if (a.binary) {
    out.emplace("binaryValue", Base64Encode(a.value));
  } else {
    out.emplace("stringValue", a.value);
  }
  out.emplace("stringListValues", json::array());
  out.emplace("binaryListValues", json::array());
  out.emplace("dataType", a.data_type);
  return out;
}

}  // namespace

Result<std::string> RenderRecord(const engine::ReceivedMessage& m, bool fifo,
                                 const EventSource& source,
                                 std::string_view dead_letter_source_arn) {
  std::optional<message::DecodedPayload> p = message::DecodePayload(m.payload);
  if (!p) return Status::Internal("the stored message " + m.message_id + " could not be decoded");
  json::object attributes;
  attributes.emplace("ApproximateReceiveCount", std::to_string(m.receive_count));
  attributes.emplace("SentTimestamp", std::to_string(m.sent_ms));
  attributes.emplace("SenderId", p->sender_id);
  attributes.emplace("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
  for (const message::AttributeView& a : p->system_attributes) {
    if (a.name == kTraceHeader) attributes.emplace("AWSTraceHeader", a.value);
  }
  if (!dead_letter_source_arn.empty()) {
    attributes.emplace("DeadLetterQueueSourceArn", dead_letter_source_arn);
  }
  if (fifo) {
    attributes.emplace("SequenceNumber", message::FormatSequenceNumber(m.sequence));
    attributes.emplace("MessageGroupId", m.group_id);
    for (const message::AttributeView& a : p->system_attributes) {
      if (a.name == kStoredDedupId) attributes.emplace("MessageDeduplicationId", a.value);
    }
  }
  json::object message_attributes;
  for (const message::AttributeView& a : p->attributes) {
    message_attributes.emplace(a.name, MessageAttributeJson(a));
  }

  json::object record;
  record.emplace("messageId", m.message_id);
  record.emplace("receiptHandle", m.receipt_handle);
  record.emplace("body", p->body);
  record.emplace("attributes", std::move(attributes));
  record.emplace("messageAttributes", std::move(message_attributes));
  record.emplace("md5OfBody", message::BodyMd5Hex(p->body_md5));
  if (!p->attributes.empty()) {
    record.emplace("md5OfMessageAttributes", message::AttributesMd5Hex(p->attributes));
  }
  record.emplace("eventSource", "aws:sqs");
  record.emplace("eventSourceARN", source.arn);
  record.emplace("awsRegion", source.region);
  return json::serialize(record);
}

std::string EventBody(const std::vector<std::string>& records) {
  size_t bytes = 0;
  for (const std::string& r : records) bytes += r.size();
  std::string out;
  out.reserve(EventBodySize(bytes, records.size()));
  out += kRecordsOpen;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out += ',';
    out += records[i];
  }
  out += kRecordsClose;
  return out;
}

size_t EventBodySize(size_t records_bytes, size_t records) {
  return kRecordsOpen.size() + records_bytes + (records > 0 ? records - 1 : 0) +
         kRecordsClose.size();
}

std::string Signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string signed_text;
  signed_text.reserve(timestamp.size() + 1 + body.size());
  signed_text.append(timestamp).append(".").append(body);
  const std::string mac = HmacSha256(secret, signed_text);
  return "v1=" + ToHex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

Verdict Classify(const Result<http::InboundResponse>& answer, const std::set<std::string>& ids) {
  Verdict v;
  if (!answer.ok()) {
    v.reason = answer.status().message();
    return v;
  }
  const unsigned status = answer->status;
  if (status < 200 || status >= 300) {
    const bool retry = status == 429 || status >= 500 || status < 400;
    v.outcome = retry ? Outcome::kRetry : Outcome::kDeadLetter;
    v.reason = "the endpoint answered " + std::to_string(status);
    return v;
  }
  v.outcome = Outcome::kDelivered;
  boost::system::error_code ec;
  json::value doc = json::parse(answer->body, ec);
  if (ec || !doc.is_object()) return v;
  const json::value* failures = doc.get_object().if_contains("batchItemFailures");
  if (failures == nullptr || failures->is_null()) return v;
  auto whole_batch = [&](std::string reason) {
    v.outcome = Outcome::kRetry;
    v.failed.clear();
    v.reason = std::move(reason);
    return v;
  };
  if (!failures->is_array()) return whole_batch("batchItemFailures is not an array");
  for (const json::value& item : failures->get_array()) {
    const json::value* id =
        item.is_object() ? item.get_object().if_contains("itemIdentifier") : nullptr;
    if (id == nullptr || !id->is_string() || id->get_string().empty()) {
      return whole_batch("a batchItemFailures entry has no itemIdentifier");
    }
    std::string text(id->get_string());
    if (ids.count(text) == 0) {
      return whole_batch("the itemIdentifier " + text + " is not a message of the batch");
    }
    v.failed.insert(std::move(text));
  }
  if (!v.failed.empty()) v.reason = std::to_string(v.failed.size()) + " messages reported failed";
  return v;
}

}  // namespace ferry::push
