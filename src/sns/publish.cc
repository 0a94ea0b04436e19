// Placeholder until the publish path lands: both actions refuse.
#include "sns/publish.h"

#include "api/errors.h"

namespace ferry::sns {

Result<boost::json::object> Publish(const PublishContext&, const api::Call& call) {
  return api::InvalidAction(call.action);
}

Result<boost::json::object> PublishBatch(const PublishContext&, const api::Call& call) {
  return api::InvalidAction(call.action);
}

}  // namespace ferry::sns
