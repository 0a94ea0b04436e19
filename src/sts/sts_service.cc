#include "sts/sts_service.h"

namespace ferry::sts {

void StsService::Invoke(api::Call call, api::Reply reply) {
  std::string user = call.ctx.access_key.empty() ? "anonymous" : call.ctx.access_key;
  reply(boost::json::object{
      {"UserId", user},
      {"Account", account_id_},
      {"Arn", "arn:aws:iam::" + account_id_ + ":user/" + user},
  });
}

}  // namespace ferry::sts
