#include <array>

#include "api/service_descriptor.h"

namespace ferry::api {
namespace {

using K = CollectionKind;

// SQS's collections (botocore sqs/2012-11-05 in its Query-era form).
// Action-specific rows come before the service-wide row of the same name.
constexpr std::array kRows = {
    // SQS requests
    QueryCollection{"CreateQueue", "tags", "Tag", K::kFlatMap, "Key", "Value"},
    QueryCollection{"", "Tags", "Tag", K::kFlatMap, "Key", "Value"},
    QueryCollection{"", "Attributes", "Attribute", K::kFlatMap},
    QueryCollection{"", "MessageAttributes", "MessageAttribute", K::kFlatMap},
    QueryCollection{"", "MessageSystemAttributes", "MessageSystemAttribute", K::kFlatMap},
    QueryCollection{"", "StringListValues", "StringListValue", K::kFlatList},
    QueryCollection{"", "BinaryListValues", "BinaryListValue", K::kFlatList},
    QueryCollection{"", "AttributeNames", "AttributeName", K::kFlatList},
    QueryCollection{"", "MessageAttributeNames", "MessageAttributeName", K::kFlatList},
    QueryCollection{"", "MessageSystemAttributeNames", "MessageSystemAttributeName", K::kFlatList},
    QueryCollection{"", "TagKeys", "TagKey", K::kFlatList},
    QueryCollection{"", "AWSAccountIds", "AWSAccountId", K::kFlatList},
    QueryCollection{"", "Actions", "ActionName", K::kFlatList},
    QueryCollection{"SendMessageBatch", "Entries", "SendMessageBatchRequestEntry", K::kFlatList},
    QueryCollection{"DeleteMessageBatch", "Entries", "DeleteMessageBatchRequestEntry",
                    K::kFlatList},
    QueryCollection{"ChangeMessageVisibilityBatch", "Entries",
                    "ChangeMessageVisibilityBatchRequestEntry", K::kFlatList},
    // SQS responses
    QueryCollection{"", "Messages", "Message", K::kFlatList, "Name", "Value", true},
    QueryCollection{"", "QueueUrls", "QueueUrl", K::kFlatList, "Name", "Value", true},
    QueryCollection{"", "queueUrls", "QueueUrl", K::kFlatList, "Name", "Value", true},
    QueryCollection{"SendMessageBatch", "Successful", "SendMessageBatchResultEntry", K::kFlatList,
                    "Name", "Value", true},
    QueryCollection{"DeleteMessageBatch", "Successful", "DeleteMessageBatchResultEntry",
                    K::kFlatList, "Name", "Value", true},
    QueryCollection{"ChangeMessageVisibilityBatch", "Successful",
                    "ChangeMessageVisibilityBatchResultEntry", K::kFlatList, "Name", "Value", true},
    QueryCollection{"", "Failed", "BatchResultErrorEntry", K::kFlatList, "Name", "Value", true},
    QueryCollection{"", "Results", "ListMessageMoveTasksResultEntry", K::kFlatList, "Name", "Value",
                    true},
};

}  // namespace

const ServiceDescriptor& SqsDescriptor() {
  static constexpr ServiceDescriptor kSqs{
      .name = "sqs",
      .signing_name = "sqs",
      .target_prefix = "AmazonSQS",
      .xml_namespace = "http://queue.amazonaws.com/doc/2012-11-05/",
      .json_error_prefix = "com.amazonaws.sqs#",
      .query_collections = kRows,
      .resource_parameter = "QueueUrl",
      .resource_in_path = true,
  };
  return kSqs;
}

}  // namespace ferry::api
