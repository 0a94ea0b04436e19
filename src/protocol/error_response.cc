#include "protocol/error_response.h"

#include <string>

#include "api/errors.h"
#include "protocol/aws_json.h"
#include "protocol/aws_query.h"
#include "protocol/request_id.h"

namespace ferry::protocol {

http::Response ErrorResponse(api::Wire wire, const api::ServiceDescriptor* service,
                             const Status& st, std::string_view request_id) {
  const api::ErrorDef& def = api::ErrorFor(st);
  http::Response res;
  res.status = def.http_status;
  res.headers.reserve(3);
  res.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  if (wire == api::Wire::kJson) {
    res.headers.emplace_back("Content-Type", std::string(kJsonContentType));
    res.headers.emplace_back("x-amzn-query-error", QueryErrorHeader(def));
    res.body = EncodeJsonError(service, def, st.message());
  } else {
    res.headers.emplace_back("Content-Type", "text/xml");
    res.body = EncodeQueryError(service ? *service : api::ServiceDescriptor{}, def, st.message(),
                                request_id);
  }
  return res;
}

Status RejectionError(int http_status) {
  switch (http_status) {
    case 413:
      return api::Error(api::ErrorId::kRequestEntityTooLarge,
                        "The request is larger than any request this service accepts.");
    case 431:
      return api::Error(api::ErrorId::kRequestHeaderFieldsTooLarge,
                        "The request's header fields are too large.");
    default:
      return api::Error(api::ErrorId::kBadRequest, "The request is not valid HTTP/1.1.");
  }
}

http::Response RejectionResponse(int http_status, const http::Request& head,
                                 const api::ServiceDescriptor& service) {
  const std::string_view target = head.Header("x-amz-target");
  const std::string_view content_type = head.Header("content-type");
  const bool json = !target.empty() || content_type.starts_with("application/x-amz-json") ||
                    content_type.starts_with("application/json");
  http::Response res = ErrorResponse(json ? api::Wire::kJson : api::Wire::kQuery, &service,
                                     RejectionError(http_status), NewRequestId());
  res.status = http_status;
  return res;
}

}  // namespace ferry::protocol
