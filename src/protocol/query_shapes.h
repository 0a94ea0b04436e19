// The Query protocol's names for lists and maps, as data.
//
// AWS JSON and Query carry the same parameters, but Query flattens nested
// collections into dotted keys with their own element names:
//   JSON  "Attributes": {"VisibilityTimeout": "30"}
//   Query Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30
// and the XML responses use the same names. One row per collection member
// says how; members without a row are plain scalars or structures. Rows come
// from the services' Query-era models (locationName / flattened traits).
#pragma once

#include <string_view>

namespace ferry::protocol {

enum class CollectionKind {
  kFlatList,     // Name.1, Name.2 ...            XML: <Name>..</Name><Name>..</Name>
  kFlatMap,      // Name.1.Key / Name.1.Value     XML: <Name><Key/><Value/></Name>...
  kWrappedList,  // Json.member.1 ...             XML: <Json><member>..</member></Json>
  kWrappedMap,   // Json.entry.1.key / .value     XML: <Json><entry><key/><value/></entry></Json>
};

struct QueryCollection {
  std::string_view service;    // "sqs", "sns", ...
  std::string_view action;     // "" for every action of the service
  std::string_view json_name;  // member name in the JSON shape
  std::string_view query_name; // element / key prefix in Query and XML
  CollectionKind kind;
  std::string_view key_name = "Name";
  std::string_view value_name = "Value";
  bool response_only = false;  // names a response member; never used to decode requests
};

// The row for a member known by its Query name (requests) ...
const QueryCollection* FindByQueryName(std::string_view service, std::string_view action,
                                       std::string_view query_name);
// ... or by its JSON name (responses).
const QueryCollection* FindByJsonName(std::string_view service, std::string_view action,
                                      std::string_view json_name);

}  // namespace ferry::protocol
