#include "api/service_descriptor.h"

namespace ferry::api {
namespace {

template <typename Pred>
const QueryCollection* Find(std::span<const QueryCollection> rows, std::string_view action,
                            Pred match) {
  const QueryCollection* wide = nullptr;
  for (const auto& row : rows) {
    if (!match(row)) continue;
    if (row.action == action) return &row;
    if (row.action.empty() && !wide) wide = &row;
  }
  return wide;
}

}  // namespace

const QueryCollection* ServiceDescriptor::FindByQueryName(std::string_view action,
                                                          std::string_view query_name) const {
  return Find(query_collections, action, [&](const QueryCollection& r) {
    if (r.response_only) return false;
    bool wrapped = r.kind == CollectionKind::kWrappedList || r.kind == CollectionKind::kWrappedMap;
    return (wrapped ? r.json_name : r.query_name) == query_name;
  });
}

const QueryCollection* ServiceDescriptor::FindByJsonName(std::string_view action,
                                                         std::string_view json_name) const {
  return Find(query_collections, action,
              [&](const QueryCollection& r) { return r.json_name == json_name; });
}

}  // namespace ferry::api
