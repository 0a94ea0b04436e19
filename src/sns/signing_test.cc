#include "sns/signing.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json/parse.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "sns/signature_test_util.h"

namespace ferry::sns {
namespace {

using testing::Verifies;

constexpr std::string_view kTopic = "arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic";

Notification SampleNotification() {
  Notification n;
  n.message_id = "4d4dc071-ddbf-465d-bba8-08f81c89da64";
  n.topic_arn = kTopic;
  n.subject = "My subject";
  n.message = "My Test Message";
  n.timestamp_ms = 1548909424321;  // 2019-01-31T04:37:04.321Z
  n.unsubscribe_url = "https://h/?Action=Unsubscribe";
  return n;
}

Confirmation SampleConfirmation() {
  Confirmation c;
  c.type = ConfirmationType::kSubscription;
  c.message_id = "3d891288-136d-417f-bc05-901c108273ee";
  c.token = "233abc";
  c.topic_arn = kTopic;
  c.message = "My Test Message";
  c.subscribe_url = "https://h/?Action=ConfirmSubscription&Token=233abc";
  c.timestamp_ms = 1548962713719;  // 2019-01-31T19:25:13.719Z
  return c;
}

TEST(StringToSign, NotificationListsDocumentedFieldsInByteOrder) {
  EXPECT_EQ(StringToSign(SampleNotification()),
            "Message\nMy Test Message\n"
            "MessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\n"
            "Subject\nMy subject\n"
            "Timestamp\n2019-01-31T04:37:04.321Z\n"
            "TopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic\n"
            "Type\nNotification\n");
}

TEST(StringToSign, NotificationWithoutSubjectLeavesOutItsNameToo) {
  Notification n = SampleNotification();
  n.subject.reset();
  EXPECT_EQ(StringToSign(n),
            "Message\nMy Test Message\n"
            "MessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\n"
            "Timestamp\n2019-01-31T04:37:04.321Z\n"
            "TopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic\n"
            "Type\nNotification\n");
}

TEST(StringToSign, EmptySubjectIsStillSigned) {
  Notification n = SampleNotification();
  n.subject = "";
  EXPECT_NE(StringToSign(n).find("MessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\n\n"
                                 "Timestamp\n"),
            std::string::npos);
}

TEST(StringToSign, NotificationIgnoresUnsignedFields) {
  const std::string base = StringToSign(SampleNotification());
  const std::vector<message::AttributeView> attributes = {{"a", "String", false, "v"}};
  Notification n = SampleNotification();
  n.sequence_number = "10000000000000003000";
  n.unsubscribe_url = "https://elsewhere/";
  n.attributes = attributes;
  EXPECT_EQ(StringToSign(n), base);
}

TEST(StringToSign, SubscriptionConfirmation) {
  EXPECT_EQ(StringToSign(SampleConfirmation()),
            "Message\nMy Test Message\n"
            "MessageId\n3d891288-136d-417f-bc05-901c108273ee\n"
            "SubscribeURL\nhttps://h/?Action=ConfirmSubscription&Token=233abc\n"
            "Timestamp\n2019-01-31T19:25:13.719Z\n"
            "Token\n233abc\n"
            "TopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic\n"
            "Type\nSubscriptionConfirmation\n");
}

TEST(StringToSign, UnsubscribeConfirmation) {
  Confirmation c = SampleConfirmation();
  c.type = ConfirmationType::kUnsubscribe;
  const std::string s = StringToSign(c);
  EXPECT_TRUE(
      s.ends_with("TopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic\n"
                  "Type\nUnsubscribeConfirmation\n"))
      << s;
}

TEST(SignatureVersionText, IsTheDigitSnsWrites) {
  EXPECT_EQ(SignatureVersionText(SignatureVersion::kV1), "1");
  EXPECT_EQ(SignatureVersionText(SignatureVersion::kV2), "2");
}

class SigningTest : public ::testing::TestWithParam<SignatureVersion> {
 protected:
  // One RSA key for the suite: generating one takes a noticeable moment.
  static void SetUpTestSuite() {
    Result<SigningKey> k = CreateSigningKey("localhost");
    ASSERT_TRUE(k.ok()) << k.status().message();
    key_ = new SigningKey(std::move(k).value());
  }
  static void TearDownTestSuite() {
    delete key_;
    key_ = nullptr;
  }
  static const SigningKey& key() { return *key_; }

 private:
  static SigningKey* key_;
};

SigningKey* SigningTest::key_ = nullptr;

TEST_P(SigningTest, NotificationSignatureVerifiesWithTheCertificate) {
  const std::string data = StringToSign(SampleNotification());
  Result<std::string> sig = Sign(key(), GetParam(), data);
  ASSERT_TRUE(sig.ok()) << sig.status().message();
  EXPECT_EQ(Base64Decode(*sig)->size(), 256u);  // RSA-2048
  EXPECT_TRUE(Verifies(key().certificate_pem(), GetParam(), data, *sig));
}

TEST_P(SigningTest, SignatureOfOneVersionDoesNotVerifyAsTheOther) {
  const std::string data = StringToSign(SampleNotification());
  Result<std::string> sig = Sign(key(), GetParam(), data);
  ASSERT_TRUE(sig.ok());
  SignatureVersion other =
      GetParam() == SignatureVersion::kV1 ? SignatureVersion::kV2 : SignatureVersion::kV1;
  EXPECT_FALSE(Verifies(key().certificate_pem(), other, data, *sig));
}

TEST_P(SigningTest, NotificationSignatureFailsWhenAnySignedFieldChanges) {
  Result<std::string> sig = Sign(key(), GetParam(), StringToSign(SampleNotification()));
  ASSERT_TRUE(sig.ok());
  const std::vector<std::pair<const char*, std::function<void(Notification&)>>> changes = {
      {"Message", [](Notification& n) { n.message = "My Test Messagf"; }},
      {"MessageId", [](Notification& n) { n.message_id = "4d4dc071-ddbf-465d-bba8-08f81c89da65"; }},
      {"Subject", [](Notification& n) { n.subject = "My subjecT"; }},
      {"Subject removed", [](Notification& n) { n.subject.reset(); }},
      {"Timestamp", [](Notification& n) { n.timestamp_ms += 1; }},
      {"TopicArn", [](Notification& n) { n.topic_arn = "arn:aws:sns:us-east-2:123456789012:x"; }},
  };
  for (const auto& [field, change] : changes) {
    Notification n = SampleNotification();
    change(n);
    EXPECT_FALSE(Verifies(key().certificate_pem(), GetParam(), StringToSign(n), *sig)) << field;
  }
}

TEST_P(SigningTest, ConfirmationSignatureFailsWhenAnySignedFieldChanges) {
  Result<std::string> sig = Sign(key(), GetParam(), StringToSign(SampleConfirmation()));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(
      Verifies(key().certificate_pem(), GetParam(), StringToSign(SampleConfirmation()), *sig));
  const std::vector<std::pair<const char*, std::function<void(Confirmation&)>>> changes = {
      {"Message", [](Confirmation& c) { c.message = "My Test Messagf"; }},
      {"MessageId", [](Confirmation& c) { c.message_id = "3d891288-136d-417f-bc05-901c108273ef"; }},
      {"SubscribeURL", [](Confirmation& c) { c.subscribe_url = "https://h/?Token=233abd"; }},
      {"Timestamp", [](Confirmation& c) { c.timestamp_ms -= 1; }},
      {"Token", [](Confirmation& c) { c.token = "233abd"; }},
      {"TopicArn", [](Confirmation& c) { c.topic_arn = "arn:aws:sns:us-east-2:123456789012:x"; }},
      {"Type", [](Confirmation& c) { c.type = ConfirmationType::kUnsubscribe; }},
  };
  for (const auto& [field, change] : changes) {
    Confirmation c = SampleConfirmation();
    change(c);
    EXPECT_FALSE(Verifies(key().certificate_pem(), GetParam(), StringToSign(c), *sig)) << field;
  }
}

// A subscriber parses the delivered JSON, rebuilds the string to sign from
// the unescaped values and verifies: escaping must not change what is signed.
TEST_P(SigningTest, EnvelopeSignatureVerifiesFromTheParsedJson) {
  Notification n = SampleNotification();
  n.message = "{\"k\":\"a/b\\n\"}\n\ttab \xc3\xa9";
  n.subject = "quote \" and backslash \\";
  Result<std::string> sig = Sign(key(), GetParam(), StringToSign(n));
  ASSERT_TRUE(sig.ok());
  SignatureFields fields{SignatureVersionText(GetParam()), *sig, "https://h/cert.pem"};
  boost::json::object parsed = boost::json::parse(NotificationJson(n, &fields)).as_object();
  std::string rebuilt;
  for (const char* name : {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}) {
    rebuilt += name;
    rebuilt += '\n';
    rebuilt += std::string_view(parsed.at(name).as_string());
    rebuilt += '\n';
  }
  EXPECT_EQ(parsed.at("SignatureVersion").as_string(), SignatureVersionText(GetParam()));
  EXPECT_TRUE(Verifies(key().certificate_pem(), GetParam(), rebuilt,
                       std::string(parsed.at("Signature").as_string())));
}

// Delivery workers sign with the one server key at once.
TEST_P(SigningTest, ThreadsSignWithOneKeyAtOnce) {
  constexpr int kThreads = 4;
  constexpr int kEach = 8;
  std::vector<std::vector<std::string>> signatures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        Notification n = SampleNotification();
        n.message_id = id;
        Result<std::string> sig = Sign(key(), GetParam(), StringToSign(n));
        signatures[t].push_back(sig.ok() ? *sig : std::string());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      const std::string id = std::to_string(t) + "-" + std::to_string(i);
      Notification n = SampleNotification();
      n.message_id = id;
      EXPECT_TRUE(Verifies(key().certificate_pem(), GetParam(), StringToSign(n), signatures[t][i]))
          << id;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothVersions, SigningTest,
                         ::testing::Values(SignatureVersion::kV1, SignatureVersion::kV2),
                         [](const auto& info) {
                           return info.param == SignatureVersion::kV1 ? "SHA1withRSA"
                                                                      : "SHA256withRSA";
                         });

}  // namespace
}  // namespace ferry::sns
