// SNS message signatures: the string to sign of each message type, as AWS
// documents it ("Verifying the signatures of Amazon SNS messages"), and its
// RSA signature (PKCS#1 v1.5) in base64.
//
// The string to sign is "Name\nvalue\n" for each signed field in byte order
// of the names:
//   Notification:   Message, MessageId, Subject (only when present),
//                   Timestamp, TopicArn, Type
//   confirmations:  Message, MessageId, SubscribeURL, Timestamp, Token,
//                   TopicArn, Type
// Values are the unescaped strings, exactly as the envelope carries them.
// A Notification's SequenceNumber, UnsubscribeURL and MessageAttributes are
// not signed (verifiers rebuild the string from the documented names only),
// so one signature of a published message serves every subscription.
//
// Thread-safety: pure functions; signing with one SigningKey from several
// threads at once is safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "sns/envelope.h"
#include "sns/signing_key.h"

namespace ferry::sns {

// A topic's SignatureVersion attribute: 1 signs with SHA1withRSA (SNS's
// default), 2 with SHA256withRSA.
enum class SignatureVersion { kV1 = 1, kV2 = 2 };

// "1" or "2", as the envelope's SignatureVersion field writes it.
std::string_view SignatureVersionText(SignatureVersion v);

std::string StringToSign(const Notification& n);
std::string StringToSign(const Confirmation& c);

// The base64 RSA signature of `string_to_sign` with `key`.
Result<std::string> Sign(const SigningKey& key, SignatureVersion version,
                         std::string_view string_to_sign);

}  // namespace ferry::sns
