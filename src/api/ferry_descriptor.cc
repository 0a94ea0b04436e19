#include "api/service_descriptor.h"

namespace ferry::api {

// Ferry's own admin API (docs/admin-api.md, src/admin): AWS JSON 1.0 only,
// signed with the service name "ferry". No collections (no Query shapes) and
// no resource parameter: an unsigned Query request for another service's
// action is never routed here. JSON errors carry the bare type, as STS's.
const ServiceDescriptor& FerryDescriptor() {
  static constexpr ServiceDescriptor kFerry{
      .name = "ferry",
      .signing_name = "ferry",
      .target_prefix = "Ferry",
      .xml_namespace = "https://ferry.dev/doc/admin/",
      .json_error_prefix = "",
      .query_collections = {},
  };
  return kFerry;
}

}  // namespace ferry::api
