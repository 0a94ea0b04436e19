#include <gtest/gtest.h>

#include "api/service_descriptor.h"

namespace ferry::api {
namespace {

TEST(SnsDescriptor, NamesSnsOnEveryWire) {
  const ServiceDescriptor& sns = SnsDescriptor();
  EXPECT_EQ(sns.name, "sns");
  EXPECT_EQ(sns.signing_name, "sns");
  EXPECT_EQ(sns.target_prefix, "SNS_20100331");
  EXPECT_EQ(sns.xml_namespace, "http://sns.amazonaws.com/doc/2010-03-31/");
  EXPECT_EQ(sns.json_error_prefix, "com.amazonaws.sns#");
  EXPECT_EQ(sns.resource_parameter, "TopicArn");
  EXPECT_FALSE(sns.resource_in_path);
}

TEST(SnsDescriptor, SqsAndStsNameTheirResourcesAsBefore) {
  EXPECT_EQ(SqsDescriptor().resource_parameter, "QueueUrl");
  EXPECT_TRUE(SqsDescriptor().resource_in_path);
  EXPECT_EQ(StsDescriptor().resource_parameter, "");
  EXPECT_FALSE(StsDescriptor().resource_in_path);
}

TEST(SnsDescriptor, MapsAreWrappedInEntriesWithLowerCaseKeyAndValue) {
  const QueryCollection* row = SnsDescriptor().FindByQueryName("CreateTopic", "Attributes");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->kind, CollectionKind::kWrappedMap);
  EXPECT_EQ(row->key_name, "key");
  EXPECT_EQ(row->value_name, "value");
  row = SnsDescriptor().FindByJsonName("GetTopicAttributes", "Attributes");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->kind, CollectionKind::kWrappedMap);
}

TEST(SnsDescriptor, MessageAttributesAreAWrappedMapOfNameAndValue) {
  const QueryCollection* row = SnsDescriptor().FindByQueryName("Publish", "MessageAttributes");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->kind, CollectionKind::kWrappedMap);
  EXPECT_EQ(row->key_name, "Name");
  EXPECT_EQ(row->value_name, "Value");
}

TEST(SnsDescriptor, GetSmsAttributesAsksWithAListAndAnswersWithAMap) {
  const QueryCollection* request =
      SnsDescriptor().FindByQueryName("GetSMSAttributes", "attributes");
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->kind, CollectionKind::kWrappedList);
  const QueryCollection* response =
      SnsDescriptor().FindByJsonName("GetSMSAttributes", "attributes");
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(response->kind, CollectionKind::kWrappedMap);
  const QueryCollection* set = SnsDescriptor().FindByQueryName("SetSMSAttributes", "attributes");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->kind, CollectionKind::kWrappedMap);
}

TEST(SnsDescriptor, ResponseListsNeverDecodeRequests) {
  for (std::string_view name : {"Topics", "Subscriptions", "Endpoints", "PlatformApplications",
                                "PhoneNumbers", "phoneNumbers"}) {
    EXPECT_EQ(SnsDescriptor().FindByQueryName("", name), nullptr) << name;
    EXPECT_NE(SnsDescriptor().FindByJsonName("", name), nullptr) << name;
  }
  EXPECT_EQ(SnsDescriptor().FindByQueryName("PublishBatch", "Successful"), nullptr);
  EXPECT_NE(SnsDescriptor().FindByJsonName("PublishBatch", "Failed"), nullptr);
}

}  // namespace
}  // namespace ferry::api
