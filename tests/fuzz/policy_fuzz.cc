// Fuzzes the resource-policy parser (auth/policy.h): any text as a policy
// document, for either service. A refusal is kInvalidArgument with a
// reason; a document that parses is evaluated against a few requests
// without crashing, and parsing and evaluating twice give the same answers.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/policy.h"

namespace {

using ferry::auth::Decision;
using ferry::auth::Policy;
using ferry::auth::PolicyRequest;

void Check(bool ok) {
  if (!ok) std::abort();
}

Decision Evaluate(const Policy& p, int which) {
  static const PolicyRequest kRequests[] = {
      {.caller = {.account = "111122223333", .arn = "arn:aws:iam::111122223333:root"},
       .action = "sqs:SendMessage",
       .resource = "arn:aws:sqs:us-east-1:123456789012:q",
       .context = {.source_ip = "192.0.2.10", .secure_transport = true}},
      {.caller = {.service = "sns.amazonaws.com"},
       .action = "SQS:sendmessage",
       .resource = "arn:aws:sqs:us-east-1:123456789012:q",
       .context = {.source_arn = "arn:aws:sns:us-east-1:111122223333:t",
                   .source_account = "111122223333",
                   .source_owner = "111122223333",
                   .source_ip = "2001:db8::1"}},
      {.caller = {.account = "123456789012",
                  .arn = "arn:aws:sts::123456789012:assumed-role/r/s"},
       .action = "sns:Publish",
       .resource = "arn:aws:sns:us-east-1:123456789012:t",
       .context = {.source_ip = "::ffff:10.0.0.1", .secure_transport = false}},
  };
  return p.Evaluate(kRequests[which]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (std::string_view service : {std::string_view(), std::string_view("sqs"),
                                   std::string_view("sns")}) {
    auto first = ferry::auth::ParsePolicy(text, service);
    auto second = ferry::auth::ParsePolicy(text, service);
    Check(first.ok() == second.ok());
    if (!first.ok()) {
      Check(first.status().code() == ferry::Code::kInvalidArgument);
      Check(!first.status().message().empty());
      Check(first.status().message() == second.status().message());
      continue;
    }
    for (int i = 0; i < 3; ++i) {
      const Decision d = Evaluate(*first, i);
      Check(d == Evaluate(*second, i));
      Check(d == Decision::kAllow || d == Decision::kDeny || d == Decision::kNotAllowed);
    }
  }
  return 0;
}
