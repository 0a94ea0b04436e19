// Fuzzes the Query protocol decoder: form parsing and the dotted-key tree,
// over SQS's flat collections and SNS's wrapped ones.
#include <cstdint>
#include <string_view>

#include "protocol/aws_query.h"
#include "protocol/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pairs = ferry::protocol::ParseForm(text);
  if (!pairs.ok()) return 0;
  for (std::string_view action : {"SendMessageBatch", "CreateQueue", "ReceiveMessage"}) {
    auto obj = ferry::protocol::DecodeQueryParams(*pairs, ferry::api::SqsDescriptor(), action);
    if (obj.ok()) {
      (void)ferry::protocol::EncodeQueryResult(ferry::api::SqsDescriptor(), action, *obj, "fuzz");
    }
  }
  // SNS's collections are wrapped ("member", "entry"): the decoder's other paths.
  for (std::string_view action : {"PublishBatch", "CreateTopic", "GetSMSAttributes"}) {
    auto obj = ferry::protocol::DecodeQueryParams(*pairs, ferry::api::SnsDescriptor(), action);
    if (obj.ok()) {
      (void)ferry::protocol::EncodeQueryResult(ferry::api::SnsDescriptor(), action, *obj, "fuzz");
    }
  }
  return 0;
}
