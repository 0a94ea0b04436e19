#include "protocol/query_shapes.h"

#include <array>

namespace ferry::protocol {
namespace {

using K = CollectionKind;

// Action-specific rows come before the service-wide row of the same name.
constexpr std::array kRows = {
    // SQS requests
    QueryCollection{"sqs", "CreateQueue", "tags", "Tag", K::kFlatMap, "Key", "Value"},
    QueryCollection{"sqs", "", "Tags", "Tag", K::kFlatMap, "Key", "Value"},
    QueryCollection{"sqs", "", "Attributes", "Attribute", K::kFlatMap},
    QueryCollection{"sqs", "", "MessageAttributes", "MessageAttribute", K::kFlatMap},
    QueryCollection{"sqs", "", "MessageSystemAttributes", "MessageSystemAttribute", K::kFlatMap},
    QueryCollection{"sqs", "", "StringListValues", "StringListValue", K::kFlatList},
    QueryCollection{"sqs", "", "BinaryListValues", "BinaryListValue", K::kFlatList},
    QueryCollection{"sqs", "", "AttributeNames", "AttributeName", K::kFlatList},
    QueryCollection{"sqs", "", "MessageAttributeNames", "MessageAttributeName", K::kFlatList},
    QueryCollection{"sqs", "", "MessageSystemAttributeNames", "MessageSystemAttributeName",
                    K::kFlatList},
    QueryCollection{"sqs", "", "TagKeys", "TagKey", K::kFlatList},
    QueryCollection{"sqs", "", "AWSAccountIds", "AWSAccountId", K::kFlatList},
    QueryCollection{"sqs", "", "Actions", "ActionName", K::kFlatList},
    QueryCollection{"sqs", "SendMessageBatch", "Entries", "SendMessageBatchRequestEntry",
                    K::kFlatList},
    QueryCollection{"sqs", "DeleteMessageBatch", "Entries", "DeleteMessageBatchRequestEntry",
                    K::kFlatList},
    QueryCollection{"sqs", "ChangeMessageVisibilityBatch", "Entries",
                    "ChangeMessageVisibilityBatchRequestEntry", K::kFlatList},
    // SQS responses
    QueryCollection{"sqs", "", "Messages", "Message", K::kFlatList, "Name", "Value", true},
    QueryCollection{"sqs", "", "QueueUrls", "QueueUrl", K::kFlatList, "Name", "Value", true},
    QueryCollection{"sqs", "", "queueUrls", "QueueUrl", K::kFlatList, "Name", "Value", true},
    QueryCollection{"sqs", "SendMessageBatch", "Successful", "SendMessageBatchResultEntry",
                    K::kFlatList, "Name", "Value", true},
    QueryCollection{"sqs", "DeleteMessageBatch", "Successful", "DeleteMessageBatchResultEntry",
                    K::kFlatList, "Name", "Value", true},
    QueryCollection{"sqs", "ChangeMessageVisibilityBatch", "Successful",
                    "ChangeMessageVisibilityBatchResultEntry", K::kFlatList, "Name", "Value", true},
    QueryCollection{"sqs", "", "Failed", "BatchResultErrorEntry", K::kFlatList, "Name", "Value", true},
    QueryCollection{"sqs", "", "Results", "ListMessageMoveTasksResultEntry", K::kFlatList, "Name", "Value", true},
};

template <typename Pred>
const QueryCollection* Find(std::string_view service, std::string_view action, Pred match) {
  const QueryCollection* wide = nullptr;
  for (const auto& row : kRows) {
    if (row.service != service || !match(row)) continue;
    if (row.action == action) return &row;
    if (row.action.empty() && !wide) wide = &row;
  }
  return wide;
}

}  // namespace

const QueryCollection* FindByQueryName(std::string_view service, std::string_view action,
                                       std::string_view query_name) {
  return Find(service, action, [&](const QueryCollection& r) {
    if (r.response_only) return false;
    bool wrapped = r.kind == K::kWrappedList || r.kind == K::kWrappedMap;
    return (wrapped ? r.json_name : r.query_name) == query_name;
  });
}

const QueryCollection* FindByJsonName(std::string_view service, std::string_view action,
                                      std::string_view json_name) {
  return Find(service, action, [&](const QueryCollection& r) { return r.json_name == json_name; });
}

}  // namespace ferry::protocol
