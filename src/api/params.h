// Params: typed, validated reads of a Call's parameters.
//
// Each getter returns the AWS error a real service answers for a missing or
// ill-typed value (MissingParameter, InvalidParameterValue). Query requests
// carry every scalar as text, so numbers and booleans are parsed from strings
// there; JSON requests must carry them as JSON numbers and booleans.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/call.h"
#include "common/status.h"

namespace ferry::api {

class Params {
 public:
  Params(const boost::json::object& obj, Wire wire) : obj_(obj), wire_(wire) {}

  bool Has(std::string_view name) const;
  Result<std::string> RequiredString(std::string_view name) const;
  Result<std::optional<std::string>> OptionalString(std::string_view name) const;
  Result<std::optional<int64_t>> OptionalInt(std::string_view name) const;
  Result<std::optional<bool>> OptionalBool(std::string_view name) const;
  // A list of strings; absent → empty.
  Result<std::vector<std::string>> StringList(std::string_view name) const;
  // A map of string → string; absent → empty.
  Result<std::map<std::string, std::string>> StringMap(std::string_view name) const;
  // A list of structures; absent → empty.
  Result<std::vector<const boost::json::object*>> ObjectList(std::string_view name) const;
  // A map of string → structure; absent → empty.
  Result<std::vector<std::pair<std::string, const boost::json::object*>>> ObjectMap(
      std::string_view name) const;

  Wire wire() const { return wire_; }
  Params Nested(const boost::json::object& obj) const { return Params(obj, wire_); }

 private:
  const boost::json::value* Find(std::string_view name) const;
  const boost::json::object& obj_;
  Wire wire_;
};

}  // namespace ferry::api
