#include <array>

#include "api/service_descriptor.h"

namespace ferry::api {
namespace {

using K = CollectionKind;

// SNS's collections (botocore sns/2010-03-31; its Query form is the only one
// the model has). Every list is wrapped in "member" elements and every map in
// "entry" elements; maps use "key"/"value" except MessageAttributes, whose
// value shape names its members Name/Value. No member has a locationName of
// its own, so the Query name is the JSON name throughout.
// Action-specific rows come before the service-wide row of the same name.
constexpr std::array kRows = {
    // GetSMSAttributes asks for a list of names and answers a map under the
    // same member name: the response row comes first, so that encoding a
    // response finds it, while decoding a request skips it.
    QueryCollection{"GetSMSAttributes", "attributes", "attributes", K::kWrappedMap, "key", "value",
                    true},
    QueryCollection{"GetSMSAttributes", "attributes", "attributes", K::kWrappedList},
    QueryCollection{"SetSMSAttributes", "attributes", "attributes", K::kWrappedMap, "key", "value"},
    // SNS requests (and the responses that reuse their names)
    QueryCollection{"", "Attributes", "Attributes", K::kWrappedMap, "key", "value"},
    QueryCollection{"", "Tags", "Tags", K::kWrappedList},
    QueryCollection{"", "TagKeys", "TagKeys", K::kWrappedList},
    QueryCollection{"", "AWSAccountId", "AWSAccountId", K::kWrappedList},
    QueryCollection{"", "ActionName", "ActionName", K::kWrappedList},
    QueryCollection{"", "MessageAttributes", "MessageAttributes", K::kWrappedMap, "Name", "Value"},
    QueryCollection{"PublishBatch", "PublishBatchRequestEntries", "PublishBatchRequestEntries",
                    K::kWrappedList},
    // SNS responses
    QueryCollection{"", "Topics", "Topics", K::kWrappedList, "Name", "Value", true},
    QueryCollection{"", "Subscriptions", "Subscriptions", K::kWrappedList, "Name", "Value", true},
    QueryCollection{"", "Endpoints", "Endpoints", K::kWrappedList, "Name", "Value", true},
    QueryCollection{"", "PlatformApplications", "PlatformApplications", K::kWrappedList, "Name",
                    "Value", true},
    QueryCollection{"", "PhoneNumbers", "PhoneNumbers", K::kWrappedList, "Name", "Value", true},
    QueryCollection{"", "NumberCapabilities", "NumberCapabilities", K::kWrappedList, "Name",
                    "Value", true},
    QueryCollection{"", "phoneNumbers", "phoneNumbers", K::kWrappedList, "Name", "Value", true},
    QueryCollection{"PublishBatch", "Successful", "Successful", K::kWrappedList, "Name", "Value",
                    true},
    QueryCollection{"PublishBatch", "Failed", "Failed", K::kWrappedList, "Name", "Value", true},
};

}  // namespace

// SNS speaks Query; a client that sends AWS JSON (X-Amz-Target:
// SNS_20100331.Publish) is answered in JSON too, its errors typed in the
// model's Smithy namespace. Its resources are topics named by TopicArn (and
// subscriptions, endpoints and applications named by their own ARNs, which
// no action it shares with another service takes).
const ServiceDescriptor& SnsDescriptor() {
  static constexpr ServiceDescriptor kSns{
      .name = "sns",
      .signing_name = "sns",
      .target_prefix = "SNS_20100331",
      .xml_namespace = "http://sns.amazonaws.com/doc/2010-03-31/",
      .json_error_prefix = "com.amazonaws.sns#",
      .query_collections = kRows,
      .resource_parameter = "TopicArn",
  };
  return kSns;
}

}  // namespace ferry::api
