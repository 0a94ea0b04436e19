#include "sts/sts_service.h"

namespace ferry::sts {

void StsService::Invoke(api::Call call, api::Reply reply) {
  // The caller as the gateway identified it (auth/identity.h); the same
  // principal id is the SenderId of the messages it sends.
  // Its account is the one its access key names, else the server's default.
  const api::CallContext& ctx = call.ctx;
  const std::string& account = ctx.account_id.empty() ? account_id_ : ctx.account_id;
  reply(boost::json::object{
      {"UserId", ctx.PrincipalId()},
      {"Account", account},
      {"Arn", ctx.principal_arn.empty() ? "arn:aws:iam::" + account + ":user/anonymous"
                                        : ctx.principal_arn},
  });
}

}  // namespace ferry::sts
