#include "sts/sts_service.h"

#include <gtest/gtest.h>

namespace ferry::sts {
namespace {

TEST(StsService, GetCallerIdentityNamesTheAccountAndCaller) {
  StsService sts("123456789012");
  api::Call call;
  call.action = "GetCallerIdentity";
  call.ctx.access_key = "AKIDTEST";
  call.ctx.principal_id = "AIDAEXAMPLEPRINCIPAL1";
  call.ctx.principal_arn = "arn:aws:iam::123456789012:user/AKIDTEST";
  boost::json::object got;
  sts.Invoke(call, [&](Result<boost::json::object> r) { got = *r; });
  EXPECT_EQ(got.at("Account"), "123456789012");
  EXPECT_EQ(got.at("UserId"), "AIDAEXAMPLEPRINCIPAL1");
  EXPECT_EQ(got.at("Arn"), "arn:aws:iam::123456789012:user/AKIDTEST");
  EXPECT_TRUE(sts.Knows("GetCallerIdentity"));
  EXPECT_FALSE(sts.Knows("AssumeRole"));
}

TEST(StsService, GetCallerIdentityReportsTheCallersAccount) {
  StsService sts("000000000000");
  api::Call call;
  call.action = "GetCallerIdentity";
  call.ctx.account_id = "111111111111";
  call.ctx.principal_id = "111111111111";
  call.ctx.principal_arn = "arn:aws:iam::111111111111:root";
  boost::json::object got;
  sts.Invoke(call, [&](Result<boost::json::object> r) { got = *r; });
  EXPECT_EQ(got.at("Account"), "111111111111");
  EXPECT_EQ(got.at("UserId"), "111111111111");
  EXPECT_EQ(got.at("Arn"), "arn:aws:iam::111111111111:root");
}

}  // namespace
}  // namespace ferry::sts
