// SnsService: the Amazon SNS API (2010-03-31) over the engine and the
// registry of topics and subscriptions (registry.h).
//
// Each action of the service model has one handler; Invoke finds it in one
// api::ActionTable (service.cc), which makes every action that writes
// answer only once its change is durable (Engine::AfterDurable). Topic and
// subscription actions are in topics.cc and subscriptions.cc, Publish and
// PublishBatch in publish.cc; the SMS, mobile push and data protection
// families are refused (refused.cc, docs/compatibility.md).
//
// Thread-safety: Invoke may be called concurrently from any thread. The
// engine, the registry and the signing key must outlive the service.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "api/action_table.h"
#include "api/call.h"
#include "auth/policy_cache.h"
#include "engine/engine.h"
#include "sns/publish.h"
#include "sns/registry.h"
#include "sns/signing_key.h"

namespace ferry::sns {

struct SnsOptions {
  std::string region = "us-east-1";
  // The default account: that of requests whose caller names none.
  std::string account_id = "000000000000";
  // Ferry's own base URL, scheme://host[:port] without a trailing slash:
  // SubscribeURL, SigningCertURL and UnsubscribeURL point at it.
  std::string public_url = "http://localhost:9324";
  // The same for requests that came over TLS (the HTTPS listener's
  // https:// URL); empty: public_url.
  std::string tls_public_url;
  // The SQS queues' parsed policies, shared with the SQS service
  // (sqs::SqsOptions::queue_policies), against which each copy a publish
  // sends to a queue is checked (queue_access.h). Null: each check parses
  // the queue's policy.
  std::shared_ptr<auth::PolicyCache> queue_policies{};
};

struct Env;

class SnsService final : public api::Service {
 public:
  // `signing_key` may be null only in tests (envelopes go unsigned).
  SnsService(engine::Engine& engine, Registry& registry, const SigningKey* signing_key,
             boost::asio::any_io_executor executor, SnsOptions options);
  ~SnsService() override;

  SnsService(const SnsService&) = delete;
  SnsService& operator=(const SnsService&) = delete;

  const api::ServiceDescriptor& descriptor() const override { return api::SnsDescriptor(); }
  bool Knows(std::string_view action) const override;
  void Invoke(api::Call call, api::Reply reply) override;

  // What publishes fanned out: copies stored, dropped, refused by a queue's
  // policy.
  const PublishCounters& counters() const { return *counters_; }

 private:
  std::unique_ptr<PublishCounters> counters_;
  std::unique_ptr<Env> env_;
  api::DurableWait durable_;
};

}  // namespace ferry::sns
