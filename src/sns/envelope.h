// The JSON bodies SNS delivers: a Notification (to SQS queues without raw
// delivery and to HTTP(S) endpoints), a SubscriptionConfirmation and an
// UnsubscribeConfirmation. The text is byte for byte what SNS writes: its
// field order, two-space indentation, " : " between name and value, no final
// newline, '/' not escaped (docs/compatibility.md, "SNS message envelope").
//
// The envelope only lays out values it is given, which must be valid UTF-8
// (the API layer refuses anything else in what is published). Signing (signing.h) covers
// a subset of the same structs' fields, so the string to sign and the
// envelope can never disagree about a value.
//
// Thread-safety: plain structs and pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "message/attributes.h"

namespace ferry::sns {

// A notification of one published message. The views must outlive the call
// they are passed to.
struct Notification {
  std::string_view message_id;
  std::string_view topic_arn;
  std::optional<std::string_view> subject;  // absent: no "Subject" field
  std::string_view message;
  TimeMs timestamp_ms = 0;
  // FIFO topics only: the message's sequence number, written after MessageId.
  std::optional<std::string_view> sequence_number;
  std::string_view unsubscribe_url;
  // Written in the given order; none: no "MessageAttributes" field. Binary
  // values are written in base64, as SNS does.
  std::span<const message::AttributeView> attributes;
};

enum class ConfirmationType { kSubscription, kUnsubscribe };

// A subscription or unsubscribe confirmation. The views must outlive the
// call they are passed to.
struct Confirmation {
  ConfirmationType type = ConfirmationType::kSubscription;
  std::string_view message_id;
  std::string_view token;
  std::string_view topic_arn;
  // SubscriptionConfirmationMessage() or UnsubscribeConfirmationMessage().
  std::string_view message;
  std::string_view subscribe_url;
  TimeMs timestamp_ms = 0;
};

// The signature fields of an envelope. `version` is "1" or "2"
// (signing.h's SignatureVersionText).
struct SignatureFields {
  std::string_view version;
  std::string_view signature;  // base64
  std::string_view signing_cert_url;
};

// "Notification", "SubscriptionConfirmation" or "UnsubscribeConfirmation".
std::string_view TypeName(ConfirmationType type);
inline constexpr std::string_view kNotificationType = "Notification";

// ISO-8601 in UTC with milliseconds, as SNS writes "Timestamp":
// 2012-05-02T00:54:06.655Z.
std::string FormatTimestamp(TimeMs ms);

// SNS's Message text of a SubscriptionConfirmation for `topic_arn`.
std::string SubscriptionConfirmationMessage(std::string_view topic_arn);
// SNS's Message text of an UnsubscribeConfirmation for `subscription_arn`.
std::string UnsubscribeConfirmationMessage(std::string_view subscription_arn);

// The body of a Notification. `signature` null leaves out SignatureVersion,
// Signature and SigningCertURL, as SNS does for FIFO topics.
std::string NotificationJson(const Notification& n, const SignatureFields* signature);

// The body of a confirmation; confirmations are always signed.
std::string ConfirmationJson(const Confirmation& c, const SignatureFields& signature);

}  // namespace ferry::sns
