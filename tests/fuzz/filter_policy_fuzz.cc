// Fuzzes SNS filter policies (sns/filter_policy.h), which subscribers send as
// a subscription's FilterPolicy: the input is compiled in both scopes and
// each compiled policy is matched against a fixed message. A refusal must be
// one of the documented texts; what the MessageAttributes scope accepts, the
// MessageBody scope (which only adds nesting) must accept too; compiling and
// matching must give the same answer twice.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sns/filter_policy.h"

namespace {

using ferry::sns::FilterAttribute;
using ferry::sns::FilterPolicy;
using ferry::sns::FilterScope;

constexpr FilterAttribute kAttributes[] = {
    {"customer_interests", "String.Array", R"(["soccer", "rugby", 7, true, null])"},
    {"store", "String", "example_corp"},
    {"event", "String.label", "order-placed"},
    {"price_usd", "Number", "210.75"},
    {"source_ip", "String", "10.0.0.7"},
    {"blob", "Binary", "\x01\x02"},
};

constexpr std::string_view kBody = R"({"store": "example_corp", "event": "order-placed",
  "price_usd": 210.75, "customer_interests": ["soccer", "rugby", 7, true, null],
  "detail": {"source_ip": "2001:db8::1", "records": [{"key": "a.png"}, {"key": "b.csv"}]},
  "detail.flat": "x"})";

bool Refusal(const ferry::Status& s) {
  return s.code() == ferry::Code::kInvalidArgument &&
         (s.message().starts_with("FilterPolicy: ") ||
          s.message() ==
              "Filter policy scope MessageAttributes does not support nested filter policy");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view policy(reinterpret_cast<const char*>(data), size);
  const ferry::Result<FilterPolicy> attributes =
      ferry::sns::CompileFilterPolicy(policy, FilterScope::kMessageAttributes);
  const ferry::Result<FilterPolicy> body =
      ferry::sns::CompileFilterPolicy(policy, FilterScope::kMessageBody);
  if (!attributes.ok() && !Refusal(attributes.status())) std::abort();
  if (!body.ok() && !Refusal(body.status())) std::abort();
  if (attributes.ok() && !body.ok()) std::abort();

  const ferry::sns::MessageAttributesView view{kAttributes};
  if (attributes.ok()) {
    const bool first = ferry::sns::Matches(*attributes, view);
    if (ferry::sns::Matches(*attributes, view) != first) std::abort();
    const ferry::Result<FilterPolicy> again =
        ferry::sns::CompileFilterPolicy(policy, FilterScope::kMessageAttributes);
    if (!again.ok() || ferry::sns::Matches(*again, view) != first) std::abort();
  }
  if (body.ok()) {
    const bool first = ferry::sns::MatchesBodyText(*body, kBody);
    if (ferry::sns::MatchesBody(*body, boost::json::parse(kBody)) != first) std::abort();
    // Any text is a body: the input itself, JSON or not.
    (void)ferry::sns::MatchesBodyText(*body, policy);
  }
  return 0;
}
