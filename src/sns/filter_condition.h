// One match expression of an SNS filter policy ("rugby", 100, true, null,
// {"prefix": "bas"}, {"numeric": [">", 0, "<=", 150]}, {"cidr": "10.0.0.0/24"},
// ...), compiled from its JSON once, and the values of a message it is
// tested against.
//
// ParseCondition refuses a malformed expression with AWS's text (a Status of
// kInvalidArgument whose message follows "Invalid parameter: ", e.g.
// "FilterPolicy: Unrecognized match type foo"). A FilterCondition never
// refers to the JSON it was compiled from.
//
// Thread-safety: a FilterCondition is immutable once built; Test may be
// called from any number of threads at once.
#pragma once

#include <array>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ferry::sns {

// A number as filters compare it: AWS matches numbers from -1e9 to 1e9 with
// five digits after the decimal point, so a number is its value times 1e5,
// rounded to the nearest integer. Numbers outside the range have no
// comparable form.
std::optional<int64_t> ComparableNumber(double value);

// One value of a message property: an attribute's value, one element of a
// String.Array attribute, or one leaf of a JSON body.
struct FilterValue {
  enum class Kind : uint8_t { kString, kNumber, kTrue, kFalse, kNull };
  Kind kind = Kind::kNull;
  std::string_view text;          // kString: the string
  std::optional<int64_t> number;  // kNumber: its comparable form, if in range
};

// One compiled match expression; values of the wrong kind never satisfy it
// (a string never equals a number, a prefix never matches a number).
class FilterCondition {
 public:
  enum class Op : uint8_t {
    kString,   // exact string
    kNumber,   // exact number (as "numeric" "=")
    kBoolean,  // true or false (body and String.Array elements)
    kNull,     // null
    kPrefix,
    kSuffix,
    kEqualsIgnoreCase,
    kWildcard,
    kAnythingBut,  // none of a list of strings and numbers
    kAnythingButPrefix,
    kAnythingButSuffix,
    kNumeric,  // a range with up to two bounds
    kExists,
    kCidr,
  };

  Op op() const { return op_; }
  // For kExists: whether the property must be present.
  bool exists() const { return flag_; }
  // Whether the condition is one of the anything-but family, which a
  // String.Array attribute matches only when every element does (none of
  // them is excluded).
  bool negated() const {
    return op_ == Op::kAnythingBut || op_ == Op::kAnythingButPrefix ||
           op_ == Op::kAnythingButSuffix;
  }

  // Whether one value satisfies the condition. kExists is decided by the
  // caller from the whole property (Test answers false); kNull accepts a
  // null value here, and the caller adds what presence decides (a missing
  // attribute).
  bool Test(const FilterValue& v) const;

 private:
  friend class ConditionParser;

  struct Bound {
    int64_t value = 0;
    bool inclusive = false;
  };

  Op op_ = Op::kNull;
  bool flag_ = false;                  // kBoolean: the value; kExists: must exist
  std::string text_;                   // kString, prefix/suffix, equals-ignore-case (lower case)
  int64_t number_ = 0;                 // kNumber
  std::vector<std::string> strings_;   // kAnythingBut: sorted; kWildcard: the literal parts
                                       // between the stars, escapes resolved
  std::vector<int64_t> numbers_;       // kAnythingBut, sorted
  std::optional<Bound> lower_;         // kNumeric
  std::optional<Bound> upper_;         // kNumeric
  std::array<uint8_t, 16> network_{};  // kCidr: the network, host bits cleared
  uint8_t address_size_ = 0;           // kCidr: 4 or 16
  uint8_t prefix_bits_ = 0;            // kCidr
};

// Compiles one element of a policy's value array. Errors are AWS's texts.
Result<FilterCondition> ParseCondition(const boost::json::value& json);

}  // namespace ferry::sns
