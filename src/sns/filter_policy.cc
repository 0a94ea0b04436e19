#include "sns/filter_policy.h"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <set>
#include <string>
#include <system_error>
#include <utility>

namespace ferry::sns {

namespace {

namespace json = boost::json;

Status Invalid(std::string reason) { return Status::InvalidArgument("FilterPolicy: " + reason); }

// Operator names: an object holding one of them is a match expression, so
// "$or" over such objects is an ordinary key (and-or-logic, "OR operator").
bool IsReservedKeyword(std::string_view key) {
  static constexpr std::string_view kReserved[] = {"anything-but", "cidr",    "equals-ignore-case",
                                                   "exists",       "numeric", "prefix",
                                                   "suffix",       "wildcard"};
  return std::find(std::begin(kReserved), std::end(kReserved), key) != std::end(kReserved);
}

// AWS reads "$or" as the operator only when its value is an array of at least
// two objects none of which names an operator.
bool IsOrOperator(std::string_view key, const json::value& value) {
  if (key != "$or" || !value.is_array() || value.get_array().size() < 2) return false;
  for (const json::value& branch : value.get_array()) {
    if (!branch.is_object()) return false;
    for (const auto& member : branch.get_object()) {
      if (IsReservedKeyword(member.key())) return false;
    }
  }
  return true;
}

// Combinations only grow; saturating keeps the count meaningful ("more than
// the limit") without overflow however the policy is shaped.
uint64_t SaturatingMultiply(uint64_t a, uint64_t b) {
  constexpr uint64_t kCap = uint64_t{1} << 40;
  if (a == 0 || b == 0) return 0;
  return a > kCap / b ? kCap : a * b;
}

// A policy's shape before its match expressions are compiled: structural
// errors and the limits are checked first, as AWS reports them first.
struct RawRule {
  std::string path;
  const json::array* values = nullptr;
};
struct RawAlternative {
  std::vector<RawRule> rules;
  uint64_t combinations = 1;
};

class Expander {
 public:
  explicit Expander(FilterScope scope) : scope_(scope) {}

  // Expands `object` (at `depth`, 1 for the policy itself) into the
  // alternatives its "$or"s describe, each combined with every one of `base`.
  Result<std::vector<RawAlternative>> Expand(const json::object& object,
                                             std::vector<RawAlternative> base,
                                             const std::string& prefix, uint64_t depth) {
    std::vector<RawAlternative> alternatives = std::move(base);
    for (const auto& member : object) {
      const std::string_view key = member.key();
      const json::value& value = member.value();
      if (IsOrOperator(key, value)) {
        std::vector<RawAlternative> merged;
        for (const json::value& branch : value.get_array()) {
          Result<std::vector<RawAlternative>> expanded =
              Expand(branch.get_object(), alternatives, prefix, depth);
          if (!expanded.ok()) return expanded.status();
          for (RawAlternative& a : *expanded) merged.push_back(std::move(a));
          if (merged.size() > kMaxFilterPolicyCombinations) return TooComplex();
        }
        alternatives = std::move(merged);
      } else if (value.is_object()) {
        // AWS reports what is wrong inside the nested object before the
        // nesting itself.
        Result<std::vector<RawAlternative>> expanded =
            Expand(value.get_object(), std::move(alternatives), prefix + std::string(key) + ".",
                   depth + 1);
        if (!expanded.ok()) return expanded.status();
        if (scope_ == FilterScope::kMessageAttributes) {
          return Status::InvalidArgument(
              "Filter policy scope MessageAttributes does not support nested filter policy");
        }
        alternatives = std::move(*expanded);
      } else if (value.is_array()) {
        const json::array& values = value.get_array();
        if (values.empty()) return Invalid("Empty arrays are not allowed");
        for (RawAlternative& a : alternatives) {
          a.rules.push_back({prefix + std::string(key), &values});
          // AWS counts a nested key's values once per level of nesting.
          a.combinations =
              SaturatingMultiply(a.combinations, SaturatingMultiply(values.size(), depth));
        }
      } else {
        return Invalid("\"" + std::string(key) + "\" must be an object or an array");
      }
    }
    return alternatives;
  }

  static Status TooComplex() { return Invalid("Filter policy is too complex"); }

 private:
  FilterScope scope_;
};

// A property's values with the facts the conditions need.
class Property {
 public:
  std::vector<FilterValue> values;
  bool found = false;  // the attribute or key is there (whatever its values)

  // exists: true needs a value that is neither null nor empty.
  bool HasValue() const {
    return std::any_of(values.begin(), values.end(), [](const FilterValue& v) {
      return v.kind != FilterValue::Kind::kNull &&
             !(v.kind == FilterValue::Kind::kString && v.text.empty());
    });
  }
};

// Whether one of `rule`'s conditions accepts the property. `attributes_scope`
// and `message_has_attributes` carry the rules that only attributes have.
bool RuleMatches(const FilterPolicy::Rule& rule, const Property& p, bool attributes_scope,
                 bool message_has_attributes) {
  for (const FilterCondition& c : rule.conditions) {
    switch (c.op()) {
      case FilterCondition::Op::kExists:
        if (c.exists() ? p.HasValue()
                       : !p.HasValue() && (!attributes_scope || message_has_attributes)) {
          return true;
        }
        continue;
      case FilterCondition::Op::kNull:
        // AWS delivers a message without the attribute to a null condition.
        if (attributes_scope && !p.found) return true;
        break;
      default:
        break;
    }
    if (c.negated() && attributes_scope) {
      // A String.Array attribute passes anything-but only when none of its
      // elements is excluded (string-value-matching); a body array passes
      // when one of its elements is not excluded, as for any other operator.
      if (!p.values.empty() && std::all_of(p.values.begin(), p.values.end(),
                                           [&c](const FilterValue& v) { return c.Test(v); })) {
        return true;
      }
    } else if (std::any_of(p.values.begin(), p.values.end(),
                           [&c](const FilterValue& v) { return c.Test(v); })) {
      return true;
    }
  }
  return false;
}

FilterValue FromJson(const json::value& v) {
  FilterValue out;
  switch (v.kind()) {
    case json::kind::string:
      out.kind = FilterValue::Kind::kString;
      out.text = v.get_string();
      break;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      out.kind = FilterValue::Kind::kNumber;
      out.number = ComparableNumber(v.to_number<double>());
      break;
    case json::kind::bool_:
      out.kind = v.get_bool() ? FilterValue::Kind::kTrue : FilterValue::Kind::kFalse;
      break;
    default:
      out.kind = FilterValue::Kind::kNull;
      break;
  }
  return out;
}

std::optional<int64_t> ParseNumber(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double d = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return ComparableNumber(d);
}

bool TypeIs(std::string_view data_type, std::string_view base) {
  return data_type.starts_with(base) &&
         (data_type.size() == base.size() || data_type[base.size()] == '.');
}

// The values of a policy path in a JSON body: at each object the path may
// continue by any of its keys that is a '.'-separated prefix of the rest (AWS
// matches {"a": {"b": 1}} and {"a.b": 1} alike), and arrays at any level
// stand for each of their elements. Objects are not leaves.
void Collect(const json::value& node, std::string_view rest, std::vector<const json::value*>& out) {
  if (node.is_array()) {
    for (const json::value& element : node.get_array()) Collect(element, rest, out);
    return;
  }
  if (rest.empty()) {
    if (!node.is_object()) out.push_back(&node);
    return;
  }
  if (!node.is_object()) return;
  const json::object& o = node.get_object();
  for (size_t end = rest.find('.');; end = rest.find('.', end + 1)) {
    const std::string_view key = rest.substr(0, end);
    if (auto it = o.find(key); it != o.end()) {
      Collect(it->value(),
              end == std::string_view::npos ? std::string_view() : rest.substr(end + 1), out);
    }
    if (end == std::string_view::npos) return;
  }
}

}  // namespace

Result<FilterPolicy> CompileFilterPolicy(std::string_view text, FilterScope scope) {
  if (text.size() > kMaxFilterPolicyBytes) {
    return Invalid("Filter policy must not be larger than 256 KB");
  }
  std::error_code ec;
  json::value root;
  try {
    root = json::parse(text, ec);
  } catch (const std::exception&) {
    // Only allocation failures throw here; answer them as a bad policy.
    return Invalid("Filter policy is not valid JSON");
  }
  if (ec) return Invalid("Filter policy is not valid JSON");
  if (!root.is_object()) return Invalid("Filter policy must be a JSON object");

  Expander expander(scope);
  Result<std::vector<RawAlternative>> raw =
      expander.Expand(root.get_object(), std::vector<RawAlternative>(1), "", 1);
  if (!raw.ok()) return raw.status();

  uint64_t combinations = 0;
  for (const RawAlternative& a : *raw) {
    // Only keys that hold values count, however deep (a nested object's
    // key does not): subscription-filter-policy-constraints.
    std::set<std::string_view> keys;
    for (const RawRule& r : a.rules) keys.insert(r.path);
    if (keys.size() > kMaxFilterPolicyKeys) {
      return Invalid("Filter policy can not have more than 5 keys");
    }
    combinations += a.combinations;
  }
  if (combinations > kMaxFilterPolicyCombinations) return Expander::TooComplex();

  FilterPolicy policy;
  policy.scope_ = scope;
  for (const RawAlternative& a : *raw) {
    FilterPolicy::Alternative alternative;
    for (const RawRule& r : a.rules) {
      FilterPolicy::Rule rule{r.path, {}};
      for (const json::value& v : *r.values) {
        Result<FilterCondition> c = ParseCondition(v);
        if (!c.ok()) return c.status();
        rule.conditions.push_back(std::move(*c));
      }
      alternative.push_back(std::move(rule));
    }
    policy.alternatives_.push_back(std::move(alternative));
  }
  return policy;
}

namespace {

// Whether one rule accepts a message's attributes; `p` is scratch space.
bool AttributeRuleMatches(const FilterPolicy::Rule& rule, const MessageAttributesView& attributes,
                          bool any_attribute, Property& p) {
  p.values.clear();
  p.found = false;
  for (const FilterAttribute& a : attributes.attributes) {
    if (a.name != rule.path || TypeIs(a.data_type, "Binary")) continue;
    p.found = true;
    if (a.data_type == "String.Array") {
      // The parsed array lives in a buffer on the stack while its elements
      // (which p.values points into) are tested: most String.Array values
      // fit, so matching one costs no allocation.
      unsigned char buffer[2048];
      json::monotonic_resource arena(buffer, sizeof(buffer));
      std::error_code ec;
      const json::value array = json::parse(a.value, ec, &arena);
      if (!ec && array.is_array()) {
        for (const json::value& element : array.get_array()) {
          if (!element.is_array() && !element.is_object()) p.values.push_back(FromJson(element));
        }
      }
      return RuleMatches(rule, p, true, any_attribute);
    }
    if (TypeIs(a.data_type, "Number")) {
      p.values.push_back({FilterValue::Kind::kNumber, {}, ParseNumber(a.value)});
    } else {
      p.values.push_back({FilterValue::Kind::kString, a.value, std::nullopt});
    }
    break;
  }
  return RuleMatches(rule, p, true, any_attribute);
}

}  // namespace

bool Matches(const FilterPolicy& policy, const MessageAttributesView& attributes) {
  if (policy.scope() != FilterScope::kMessageAttributes) return false;
  bool any_attribute = false;
  for (const FilterAttribute& a : attributes.attributes) {
    if (!TypeIs(a.data_type, "Binary")) any_attribute = true;
  }
  // Scratch space kept per thread, so that a match allocates nothing once
  // the thread has seen a message as large.
  thread_local Property p;
  for (const FilterPolicy::Alternative& alternative : policy.alternatives()) {
    if (std::all_of(alternative.begin(), alternative.end(), [&](const FilterPolicy::Rule& rule) {
          return AttributeRuleMatches(rule, attributes, any_attribute, p);
        })) {
      return true;
    }
  }
  return false;
}

bool MatchesBody(const FilterPolicy& policy, const json::value& body) {
  if (policy.scope() != FilterScope::kMessageBody) return false;
  thread_local Property p;  // scratch space, as in Matches
  thread_local std::vector<const json::value*> leaves;
  for (const FilterPolicy::Alternative& alternative : policy.alternatives()) {
    bool all = true;
    for (const FilterPolicy::Rule& rule : alternative) {
      if (!body.is_object()) {
        all = false;
        break;
      }
      leaves.clear();
      Collect(body, rule.path, leaves);
      p.values.clear();
      p.found = !leaves.empty();
      for (const json::value* leaf : leaves) p.values.push_back(FromJson(*leaf));
      if (!RuleMatches(rule, p, false, true)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool MatchesBodyText(const FilterPolicy& policy, std::string_view body) {
  std::error_code ec;
  json::value parsed;
  try {
    parsed = json::parse(body, ec);
  } catch (const std::exception&) {
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
  if (ec) parsed = nullptr;
  return MatchesBody(policy, parsed);
}

}  // namespace ferry::sns
