#include "api/service_descriptor.h"

namespace ferry::api {

// STS answers GetCallerIdentity and AssumeRole, which have no collections
// (AssumeRole's Credentials and AssumedRoleUser are plain structures). Its JSON errors
// carry the bare type (STS is not query-compatible JSON).
const ServiceDescriptor& StsDescriptor() {
  static constexpr ServiceDescriptor kSts{
      .name = "sts",
      .signing_name = "sts",
      .target_prefix = "AWSSecurityTokenServiceV20110615",
      .xml_namespace = "https://sts.amazonaws.com/doc/2011-06-15/",
      .json_error_prefix = "",
      .query_collections = {},
  };
  return kSts;
}

}  // namespace ferry::api
