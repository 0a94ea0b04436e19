#include "sns/signing.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

#include "common/crypto.h"

namespace ferry::sns {
namespace {

void AddField(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->push_back('\n');
  out->append(value);
  out->push_back('\n');
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::string_view SignatureVersionText(SignatureVersion v) {
  return v == SignatureVersion::kV2 ? "2" : "1";
}

std::string StringToSign(const Notification& n) {
  const std::string timestamp = FormatTimestamp(n.timestamp_ms);
  std::string s;
  s.reserve(96 + n.message.size() + n.message_id.size() + n.topic_arn.size() +
            (n.subject ? n.subject->size() : 0));
  AddField("Message", n.message, &s);
  AddField("MessageId", n.message_id, &s);
  if (n.subject) AddField("Subject", *n.subject, &s);
  AddField("Timestamp", timestamp, &s);
  AddField("TopicArn", n.topic_arn, &s);
  AddField("Type", kNotificationType, &s);
  return s;
}

std::string StringToSign(const Confirmation& c) {
  const std::string timestamp = FormatTimestamp(c.timestamp_ms);
  std::string s;
  s.reserve(128 + c.message.size() + c.message_id.size() + c.subscribe_url.size() + c.token.size() +
            c.topic_arn.size());
  AddField("Message", c.message, &s);
  AddField("MessageId", c.message_id, &s);
  AddField("SubscribeURL", c.subscribe_url, &s);
  AddField("Timestamp", timestamp, &s);
  AddField("Token", c.token, &s);
  AddField("TopicArn", c.topic_arn, &s);
  AddField("Type", TypeName(c.type), &s);
  return s;
}

Result<std::string> Sign(const SigningKey& key, SignatureVersion version,
                         std::string_view string_to_sign) {
  const char* digest = version == SignatureVersion::kV2 ? "SHA256" : "SHA1";
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  // An RSA signature is as long as the modulus.
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(key.key()));
  std::string signature(len, '\0');
  // RSA keys sign with PKCS#1 v1.5 padding unless told otherwise, which is
  // what SHA1withRSA and SHA256withRSA name.
  if (!ctx || len == 0 ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, key.key(), nullptr) !=
          1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(string_to_sign.data()),
                     string_to_sign.size()) != 1) {
    ERR_clear_error();
    return Status::Internal("SNS message signing failed");
  }
  signature.resize(len);
  return Base64Encode(signature);
}

}  // namespace ferry::sns
