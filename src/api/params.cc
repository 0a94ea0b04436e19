#include "api/params.h"

#include <charconv>

#include "api/errors.h"

namespace ferry::api {

const boost::json::value* Params::Find(std::string_view name) const {
  auto it = obj_.find(name);
  if (it == obj_.end() || it->value().is_null()) return nullptr;
  return &it->value();
}

bool Params::Has(std::string_view name) const { return Find(name) != nullptr; }

Result<std::string> Params::RequiredString(std::string_view name) const {
  auto v = OptionalString(name);
  if (!v.ok()) return v.status();
  if (!v->has_value()) {
    return MissingParameter(name);
  }
  return std::move(**v);
}

Result<std::optional<std::string>> Params::OptionalString(std::string_view name) const {
  const auto* v = Find(name);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return InvalidParameterType(name, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> Params::OptionalInt(std::string_view name) const {
  const auto* v = Find(name);
  if (!v) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<uint64_t>(INT64_MAX))
      return InvalidParameterType(name, "an integer");
    return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
  }
  if (v->is_string() && wire_ == Wire::kQuery) {
    auto s = v->get_string();
    int64_t out = 0;
    const char* b = s.data();
    const char* e = s.data() + s.size();
    auto [p, ec] = std::from_chars(b, e, out);
    if (s.empty() || ec != std::errc() || p != e) return InvalidParameterType(name, "an integer");
    return std::optional<int64_t>(out);
  }
  return InvalidParameterType(name, "an integer");
}

Result<std::optional<bool>> Params::OptionalBool(std::string_view name) const {
  const auto* v = Find(name);
  if (!v) return std::optional<bool>();
  if (v->is_bool()) return std::optional<bool>(v->get_bool());
  if (v->is_string() && wire_ == Wire::kQuery) {
    if (v->get_string() == "true") return std::optional<bool>(true);
    if (v->get_string() == "false") return std::optional<bool>(false);
  }
  return InvalidParameterType(name, "a boolean");
}

Result<std::vector<std::string>> Params::StringList(std::string_view name) const {
  std::vector<std::string> out;
  const auto* v = Find(name);
  if (!v) return out;
  if (!v->is_array()) return InvalidParameterType(name, "a list of strings");
  for (const auto& e : v->get_array()) {
    if (!e.is_string()) return InvalidParameterType(name, "a list of strings");
    out.emplace_back(e.get_string());
  }
  return out;
}

Result<std::map<std::string, std::string>> Params::StringMap(std::string_view name) const {
  std::map<std::string, std::string> out;
  const auto* v = Find(name);
  if (!v) return out;
  if (!v->is_object()) return InvalidParameterType(name, "a map of strings");
  for (const auto& kv : v->get_object()) {
    if (!kv.value().is_string()) return InvalidParameterType(name, "a map of strings");
    out.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return out;
}

Result<std::vector<const boost::json::object*>> Params::ObjectList(std::string_view name) const {
  std::vector<const boost::json::object*> out;
  const auto* v = Find(name);
  if (!v) return out;
  if (!v->is_array()) return InvalidParameterType(name, "a list of structures");
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) return InvalidParameterType(name, "a list of structures");
    out.push_back(&e.get_object());
  }
  return out;
}

Result<std::vector<std::pair<std::string, const boost::json::object*>>> Params::ObjectMap(
    std::string_view name) const {
  std::vector<std::pair<std::string, const boost::json::object*>> out;
  const auto* v = Find(name);
  if (!v) return out;
  if (!v->is_object()) return InvalidParameterType(name, "a map of structures");
  for (const auto& kv : v->get_object()) {
    if (!kv.value().is_object()) return InvalidParameterType(name, "a map of structures");
    out.emplace_back(std::string(kv.key()), &kv.value().get_object());
  }
  return out;
}

}  // namespace ferry::api
