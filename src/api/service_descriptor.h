// ServiceDescriptor: what the protocol layer needs to know of a service to
// speak its wire, given by the service, so that src/protocol names none.
//
// A descriptor names the service (Call::service, the SigV4 signing name),
// its AWS JSON target prefix ("AmazonSQS" in X-Amz-Target:
// AmazonSQS.SendMessage), the XML namespace of its Query answers, the prefix
// of its JSON errors' __type, its Query collection rows, and how a request
// names the service's resources (which tells an unsigned Query request for
// an action two services share apart: protocol/gateway.h).
//
// AWS JSON and Query carry the same parameters, but Query flattens nested
// collections into dotted keys with their own element names:
//   JSON  "Attributes": {"VisibilityTimeout": "30"}
//   Query Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30
// and the XML responses use the same names. One row per collection member
// says how; members without a row are plain scalars or structures. Rows come
// from the services' Query-era models (locationName / flattened traits).
//
// The Query error codes (e.g. AWS.SimpleQueueService.NonExistentQueue) are
// not here: they are per error in the model, so they are columns of the
// error catalog (errors.inc).
//
// Thread-safety: descriptors are immutable data; every function is pure.
#pragma once

#include <span>
#include <string_view>

namespace ferry::api {

enum class CollectionKind {
  kFlatList,     // Name.1, Name.2 ...            XML: <Name>..</Name><Name>..</Name>
  kFlatMap,      // Name.1.Key / Name.1.Value     XML: <Name><Key/><Value/></Name>...
  kWrappedList,  // Json.member.1 ...             XML: <Json><member>..</member></Json>
  kWrappedMap,   // Json.entry.1.key / .value     XML: <Json><entry><key/><value/></entry></Json>
};

struct QueryCollection {
  std::string_view action;      // "" for every action of the service
  std::string_view json_name;   // member name in the JSON shape
  std::string_view query_name;  // element / key prefix in Query and XML
  CollectionKind kind;
  std::string_view key_name = "Name";
  std::string_view value_name = "Value";
  bool response_only = false;  // names a response member; never used to decode requests
};

struct ServiceDescriptor {
  std::string_view name;               // "sqs": Call::service
  std::string_view signing_name;       // the SigV4 credential scope's service
  std::string_view target_prefix;      // X-Amz-Target "<prefix>.<Action>"
  std::string_view xml_namespace;      // of Query answers and errors
  std::string_view json_error_prefix;  // JSON errors' "__type" is this + the catalog's json_type
  // Action-specific rows come before the service-wide row of the same name.
  std::span<const QueryCollection> query_collections;
  // The request parameter that names one of the service's resources
  // ("QueueUrl", "TopicArn"); "" if none.
  std::string_view resource_parameter = "";
  // Whether a request may name its resource by the URL path alone (SQS's
  // queue URLs: POST /<account>/<queue>).
  bool resource_in_path = false;

  // The row for a member known by its Query name (requests) ...
  const QueryCollection* FindByQueryName(std::string_view action,
                                         std::string_view query_name) const;
  // ... or by its JSON name (responses).
  const QueryCollection* FindByJsonName(std::string_view action, std::string_view json_name) const;
};

// The descriptors of the services Ferry serves (sqs_descriptor.cc, ...).
const ServiceDescriptor& SqsDescriptor();
const ServiceDescriptor& SnsDescriptor();
const ServiceDescriptor& StsDescriptor();
// Ferry's admin API (docs/admin-api.md).
const ServiceDescriptor& FerryDescriptor();

}  // namespace ferry::api
