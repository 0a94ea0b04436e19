// SNS subscription filter policies: compiled once from their JSON when a
// subscription's FilterPolicy is set, then matched against every message
// published to the topic without parsing the policy again.
//
// CompileFilterPolicy enforces AWS's rules (at most 256 KB, at most 5 keys,
// at most 150 combinations, nesting only for the MessageBody scope, and each
// operator's syntax). A refusal is a Status of kInvalidArgument whose message
// is AWS's text after "Invalid parameter: " (SetSubscriptionAttributes puts
// that before it, Subscribe puts "Invalid parameter: Attributes Reason: "),
// for example "FilterPolicy: Filter policy is too complex". The SNS handler
// maps it to the InvalidParameter error.
//
// Matching follows docs/compatibility.md, "SNS filter policies": a message
// matches when, for at least one alternative of the policy's "$or"s, every
// key of the policy has a value that one of the key's conditions accepts.
//
// Thread-safety: a FilterPolicy is immutable once compiled; Matches and
// MatchesBody may run on any number of threads at once (each thread keeps
// its own scratch space, so a match allocates nothing in the common case).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sns/filter_condition.h"

namespace ferry::sns {

// The subscription attribute FilterPolicyScope.
enum class FilterScope : uint8_t { kMessageAttributes, kMessageBody };

// AWS's limits on a policy.
inline constexpr size_t kMaxFilterPolicyBytes = 256 * 1024;
inline constexpr size_t kMaxFilterPolicyKeys = 5;
inline constexpr uint64_t kMaxFilterPolicyCombinations = 150;

// One message attribute as a filter sees it. `data_type` is the attribute's
// type with its custom label, if any ("String", "Number.float",
// "String.Array", "Binary.png"); `value` is the text of a String or Number
// attribute, the JSON array text of a String.Array one (as SNS carries it).
// Binary attributes are ignored by filters, as AWS ignores them.
struct FilterAttribute {
  std::string_view name;
  std::string_view data_type;
  std::string_view value;
};

// The attributes of one message (SNS allows at most 10).
struct MessageAttributesView {
  std::span<const FilterAttribute> attributes;
};

// A compiled policy.
class FilterPolicy {
 public:
  // One key of the policy and its conditions: a message's property matches
  // when one of the conditions accepts it. For the MessageBody scope `path`
  // is the keys from the body's root joined by '.'.
  struct Rule {
    std::string path;
    std::vector<FilterCondition> conditions;
  };
  // One alternative of the policy once its "$or"s are expanded: all its
  // rules must match.
  using Alternative = std::vector<Rule>;

  FilterScope scope() const { return scope_; }
  const std::vector<Alternative>& alternatives() const { return alternatives_; }

 private:
  friend Result<FilterPolicy> CompileFilterPolicy(std::string_view json, FilterScope scope);

  FilterScope scope_ = FilterScope::kMessageAttributes;
  std::vector<Alternative> alternatives_;
};

// Parses and validates a policy (the FilterPolicy attribute's JSON text) for
// a scope. "{}" is a policy that every message matches.
Result<FilterPolicy> CompileFilterPolicy(std::string_view json, FilterScope scope);

// Whether a message with these attributes passes a MessageAttributes policy.
// A MessageBody policy matches no attributes.
bool Matches(const FilterPolicy& policy, const MessageAttributesView& attributes);

// Whether a message body (parsed as JSON) passes a MessageBody policy; a body
// that is not a JSON object matches only a policy without keys. A
// MessageAttributes policy matches no body.
bool MatchesBody(const FilterPolicy& policy, const boost::json::value& body);

// The same for the body's text; text that is not JSON is a body that is not
// an object.
bool MatchesBodyText(const FilterPolicy& policy, std::string_view body);

}  // namespace ferry::sns
