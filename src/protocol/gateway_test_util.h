// What the gateway's tests share (gateway_test.cc, gateway_routing_test.cc,
// gateway_auth_test.cc): a service that echoes its call, and a header of an
// answer. Each file keeps the fixtures only its own tests use.
#pragma once

#include <string>
#include <string_view>

#include "api/errors.h"
#include "protocol/gateway.h"

namespace ferry::protocol::testing {

// A service that echoes its call, or fails when asked to.
class EchoService final : public api::Service {
 public:
  const api::ServiceDescriptor& descriptor() const override { return api::SqsDescriptor(); }
  bool Knows(std::string_view action) const override {
    return action == "Echo" || action == "Fail";
  }
  void Invoke(api::Call call, api::Reply reply) override {
    last = call;
    if (call.action == "Fail") {
      return reply(api::Error(api::ErrorId::kQueueDoesNotExist, "no such queue"));
    }
    reply(boost::json::object{{"QueueUrl", "u"}});
  }
  api::Call last;
};

inline std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

}  // namespace ferry::protocol::testing
