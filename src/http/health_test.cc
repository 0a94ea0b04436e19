#include "http/health.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

namespace ferry::http {
namespace {

Response Ask(Handler& handler) {
  Request req;
  req.method = "GET";
  req.target = "/ready";
  std::optional<Response> got;
  handler.Handle(req, Responder([&](Response r) { got = std::move(r); }));
  EXPECT_TRUE(got);
  return got ? *got : Response{};
}

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(ReadyHandler, AnswersReadyWhileTheProbeIsOk) {
  ReadyHandler ready([] { return Status::Ok(); });
  Response res = Ask(ready);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"status":"ready"})");
  EXPECT_EQ(HeaderOf(res, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(res, "Cache-Control"), "no-store");
}

TEST(ReadyHandler, AnswersServiceUnavailableWithTheProbesReason) {
  ReadyHandler ready([] { return Status::Unavailable("the disk is full (No space left)"); });
  Response res = Ask(ready);
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.body,
            R"j({"status":"not ready","reason":"the disk is full (No space left)"})j");
  EXPECT_EQ(HeaderOf(res, "Cache-Control"), "no-store");
}

TEST(ReadyHandler, FollowsTheProbeFromOneRequestToTheNext) {
  Status state = Status::Unavailable("writes \"fail\"\n");
  ReadyHandler ready([&state] { return state; });
  Response sick = Ask(ready);
  EXPECT_EQ(sick.status, 503);
  // The reason is a JSON string whatever it holds.
  EXPECT_EQ(sick.body, R"({"status":"not ready","reason":"writes \"fail\"\n"})");
  state = Status::Ok();
  EXPECT_EQ(Ask(ready).status, 200);
}

}  // namespace
}  // namespace ferry::http
