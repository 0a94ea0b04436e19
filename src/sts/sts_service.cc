#include "sts/sts_service.h"

namespace ferry::sts {

void StsService::Invoke(api::Call call, api::Reply reply) {
  // The caller as the gateway identified it (auth/identity.h); the same
  // principal id is the SenderId of the messages it sends.
  const api::CallContext& ctx = call.ctx;
  reply(boost::json::object{
      {"UserId", ctx.PrincipalId()},
      {"Account", account_id_},
      {"Arn", ctx.principal_arn.empty() ? "arn:aws:iam::" + account_id_ + ":user/anonymous"
                                        : ctx.principal_arn},
  });
}

}  // namespace ferry::sts
