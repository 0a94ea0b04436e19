// PeekFilter: which peeked messages PeekMessages answers (docs/admin-api.md,
// "MessageAttributeFilter" and "BodyContains"). The engine stores a message
// as an opaque payload, so the admin service decodes each peeked payload
// (message/payload.h) and matches it here, after Queue::Peek.
//
//   {"MessageAttributeFilter": {
//      "color":   "red",               equals (String: the text; Number: the
//                                      same number, "7" = "7.0" = "0.7e1")
//      "trace":   {"Exists": true},    has (true) / lacks (false) the attribute
//      "tenant":  {"Prefix": "acme-"}  String or Number text starting with it
//   },
//   "BodyContains": "timeout"}         the body holds this substring
//
// Every condition must hold (AND). A Binary attribute matches only Exists.
//
// Thread-safety: a PeekFilter is an immutable value once parsed.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/params.h"
#include "common/status.h"
#include "message/payload.h"

namespace ferry::admin {

// Bounds of a filter, so that one request cannot make matching costly.
inline constexpr size_t kMaxFilterAttributes = 10;
inline constexpr size_t kMaxFilterNameBytes = 256;    // SQS's attribute name limit
inline constexpr size_t kMaxFilterValueBytes = 1024;  // an equals value, a prefix, BodyContains

struct AttributeCondition {
  enum class Kind { kEquals, kExists, kAbsent, kPrefix };
  std::string name;
  Kind kind = Kind::kEquals;
  std::string value;  // kEquals: the value; kPrefix: the prefix
};

class PeekFilter {
 public:
  // Reads "MessageAttributeFilter" and "BodyContains" from the request;
  // InvalidParameterValue (with the offending key) for a malformed one.
  static Result<PeekFilter> Parse(const boost::json::object& request, const api::Params& params);

  // True when no condition is set: every message matches.
  bool empty() const { return conditions_.empty() && !body_contains_; }
  bool Matches(const message::DecodedPayload& payload) const;

 private:
  std::vector<AttributeCondition> conditions_;
  std::optional<std::string> body_contains_;
};

// A decimal number ([+-] digits [. digits] [e [+-] digits]) in one form per
// value: "7", "7.0", "+0.7e1" and "700e-2" all give the same text; nullopt
// for text that is not a decimal number.
std::optional<std::string> CanonicalNumber(std::string_view text);

}  // namespace ferry::admin
