#include "sns/envelope.h"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>

#include "common/crypto.h"

namespace ferry::sns {
namespace {

// A JSON string literal. Boost escapes exactly what SNS escapes in its
// envelopes ('"', '\\' and control characters) and leaves '/' and non-ASCII
// characters as they are. (protocol/json_writer.h writes the same bytes, but
// protocol sits above sns and may not be used here.)
void AppendString(std::string_view s, std::string* out) {
  out->append(boost::json::serialize(boost::json::string_view(s.data(), s.size())));
}

// One top-level `  "name" : "value"` line; every field but the first is
// preceded by ",\n".
class Fields {
 public:
  explicit Fields(std::string* out) : out_(out) { out_->append("{\n"); }

  void Add(std::string_view name, std::string_view value) {
    Start(name);
    AppendString(value, out_);
  }

  // "MessageAttributes" : { one compact {"Type":..,"Value":..} per line }
  void AddAttributes(std::span<const message::AttributeView> attributes) {
    Start("MessageAttributes");
    out_->append("{\n");
    for (size_t i = 0; i < attributes.size(); ++i) {
      const message::AttributeView& a = attributes[i];
      out_->append("    ");
      AppendString(a.name, out_);
      out_->append(" : {\"Type\":");
      AppendString(a.data_type, out_);
      out_->append(",\"Value\":");
      if (a.binary) {
        AppendString(Base64Encode(a.value), out_);
      } else {
        AppendString(a.value, out_);
      }
      out_->append(i + 1 < attributes.size() ? "},\n" : "}\n");
    }
    out_->append("  }");
  }

  void Finish() { out_->append("\n}"); }

 private:
  void Start(std::string_view name) {
    if (!first_) out_->append(",\n");
    first_ = false;
    out_->append("  ");
    AppendString(name, out_);
    out_->append(" : ");
  }

  std::string* out_;
  bool first_ = true;
};

size_t AttributesSize(std::span<const message::AttributeView> attributes) {
  size_t n = 0;
  for (const auto& a : attributes) n += a.name.size() + a.data_type.size() + a.value.size() * 2;
  return n;
}

}  // namespace

std::string_view TypeName(ConfirmationType type) {
  return type == ConfirmationType::kSubscription ? "SubscriptionConfirmation"
                                                 : "UnsubscribeConfirmation";
}

std::string FormatTimestamp(TimeMs ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(ms)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> tod(t - day);
  // Large enough for any year an int64 of milliseconds can name.
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  return buf;
}

std::string SubscriptionConfirmationMessage(std::string_view topic_arn) {
  std::string m = "You have chosen to subscribe to the topic ";
  m.append(topic_arn);
  m.append(".\nTo confirm the subscription, visit the SubscribeURL included in this message.");
  return m;
}

std::string UnsubscribeConfirmationMessage(std::string_view subscription_arn) {
  std::string m = "You have chosen to deactivate subscription ";
  m.append(subscription_arn);
  m.append(
      ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL "
      "included in this message.");
  return m;
}

std::string NotificationJson(const Notification& n, const SignatureFields* signature) {
  std::string out;
  // Escapes rarely grow a body much; one reservation covers the usual case.
  out.reserve(512 + n.message.size() + n.topic_arn.size() * 2 + n.unsubscribe_url.size() +
              (n.subject ? n.subject->size() : 0) + AttributesSize(n.attributes));
  Fields f(&out);
  f.Add("Type", kNotificationType);
  f.Add("MessageId", n.message_id);
  if (n.sequence_number) f.Add("SequenceNumber", *n.sequence_number);
  f.Add("TopicArn", n.topic_arn);
  if (n.subject) f.Add("Subject", *n.subject);
  f.Add("Message", n.message);
  f.Add("Timestamp", FormatTimestamp(n.timestamp_ms));
  if (signature != nullptr) {
    f.Add("SignatureVersion", signature->version);
    f.Add("Signature", signature->signature);
    f.Add("SigningCertURL", signature->signing_cert_url);
  }
  f.Add("UnsubscribeURL", n.unsubscribe_url);
  if (!n.attributes.empty()) f.AddAttributes(n.attributes);
  f.Finish();
  return out;
}

std::string ConfirmationJson(const Confirmation& c, const SignatureFields& signature) {
  std::string out;
  out.reserve(768 + c.message.size() + c.subscribe_url.size() + c.token.size());
  Fields f(&out);
  f.Add("Type", TypeName(c.type));
  f.Add("MessageId", c.message_id);
  f.Add("Token", c.token);
  f.Add("TopicArn", c.topic_arn);
  f.Add("Message", c.message);
  f.Add("SubscribeURL", c.subscribe_url);
  f.Add("Timestamp", FormatTimestamp(c.timestamp_ms));
  f.Add("SignatureVersion", signature.version);
  f.Add("Signature", signature.signature);
  f.Add("SigningCertURL", signature.signing_cert_url);
  f.Finish();
  return out;
}

}  // namespace ferry::sns
