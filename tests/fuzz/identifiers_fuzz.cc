// Fuzzes the parsers of the identifiers clients send back: receipt handles
// (engine/receipt_handle.h), queue URLs and queue ARNs (sqs/queue_url.h),
// and SNS's topic, subscription and queue ARNs (sns/arn.h). What must hold:
// a receipt handle that decodes is the one encoding of its fields (it
// encodes back to the input, byte for byte); every part a parser returns is
// a view into the input; an account read from a URL is 12 digits; an ARN
// that parses is made again from its parts (for the aws partition, by the
// functions that make ARNs) exactly as given.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/receipt_handle.h"
#include "sns/arn.h"
#include "sqs/queue_url.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// `part` is empty or lies within `in`.
void Within(std::string_view part, std::string_view in) {
  Check(part.empty() ||
        (part.data() >= in.data() && part.data() + part.size() <= in.data() + in.size()));
}

void CheckSnsArn(std::string_view in, const ferry::sns::Arn& a) {
  for (auto part : {a.partition, a.service, a.region, a.account, a.resource}) Within(part, in);
  const std::string again = "arn:" + std::string(a.partition) + ":" + std::string(a.service) +
                            ":" + std::string(a.region) + ":" + std::string(a.account) + ":" +
                            std::string(a.resource);
  Check(again == in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  if (auto h = ferry::engine::DecodeReceiptHandle(in)) {
    Check(ferry::engine::EncodeReceiptHandle(*h) == in);
  }

  if (auto name = ferry::sqs::QueueNameFromUrl(in)) {
    Within(*name, in);
    Check(!name->empty() && name->find('/') == std::string_view::npos);
  }
  if (auto region = ferry::sqs::QueueRegionFromUrl(in)) Within(*region, in);
  if (auto account = ferry::sqs::QueueAccountFromUrl(in)) {
    Within(*account, in);
    Check(account->size() == 12 && account->find_first_not_of("0123456789") == std::string_view::npos);
  }
  if (auto arn = ferry::sqs::ParseQueueArn(in)) {
    Within(arn->region, in);
    Within(arn->account_id, in);
    Within(arn->name, in);
    if (in.starts_with("arn:aws:")) {
      Check(ferry::sqs::MakeQueueArn(arn->region, arn->account_id, arn->name) == in);
    }
  }

  if (auto a = ferry::sns::ParseArn(in)) CheckSnsArn(in, *a);
  if (auto a = ferry::sns::ParseTopicArn(in)) {
    CheckSnsArn(in, *a);
    Check(a->service == "sns" && a->resource.find(':') == std::string_view::npos);
    if (a->partition == "aws") Check(ferry::sns::MakeTopicArn(a->region, a->account, a->resource) == in);
  }
  std::string topic;
  if (auto a = ferry::sns::ParseSubscriptionArn(in, &topic)) {
    CheckSnsArn(in, *a);
    // The topic's ARN is the subscription's without its last ":<id>".
    Check(in.starts_with(topic) && in.size() > topic.size() + 1 && in[topic.size()] == ':');
    Check(ferry::sns::ParseTopicArn(topic).has_value());
  }
  if (auto a = ferry::sns::ParseQueueArn(in)) {
    CheckSnsArn(in, *a);
    Check(a->service == "sqs" && a->resource.find(':') == std::string_view::npos);
  }
  return 0;
}
