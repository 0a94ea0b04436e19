// Registry: the server's SNS topics and subscriptions, kept in memory and in
// the engine's catalog (engine::CatalogKind::kTopic, kSubscription; each
// entry's key is the ARN).
//
// Every change is written to the catalog first (PutEntry / EraseEntry); a
// write that fails changes nothing and is returned. Only then is the new
// object swapped in, copy-on-write: readers hold shared_ptr<const ...>
// snapshots that never change, and a topic's snapshot carries its
// subscriptions (Topic::subscriptions), so a publish sees one consistent
// fan-out list without holding any lock.
//
// The registry also owns the internal queues (model.h): a FIFO topic's
// deduplication queue, created with the topic and deleted with it, and an
// http(s) subscription's delivery queue, created with the subscription and
// deleted by Unsubscribe or DeleteTopic. A new http(s) subscription is
// pending: the registry makes its token and leaves a signed
// SubscriptionConfirmation delivery item in its delivery queue.
//
// Catalog encoding (docs/architecture.md, "SNS requests"):
//   topic         name, account, region, created_ms, fifo ("1"/"0"),
//                 dedup_queue, attr.<Name>, tag.<Key>
//   subscription  id, topic, owner, protocol, endpoint, confirmed,
//                 authenticated, token, created_ms, attr.<Name>, and
//                 retired ("1") once unsubscribed but not yet forgotten
// What is derived (Subscription::raw, filter, queue_key, dead_letter_key,
// Topic::fifo's settings) is derived again when loaded.
//
// Thread-safety: every method may be called from any thread. Writers are
// serialized by write_mu_ (held across the catalog and queue calls of one
// change); mu_ (shared) guards the maps and is held only to read or swap
// pointers. Lock order: write_mu_, then mu_. OnChange callbacks run after
// the change, with neither held.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "sns/model.h"
#include "sns/signing_key.h"

namespace ferry::sns {

struct RegistryOptions {
  // The server's home region and default account: an SQS ARN of these maps
  // to the engine key's empty region and account, as src/sqs keys queues.
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // Signs subscription confirmations; null leaves them unsigned (tests).
  const SigningKey* signing_key = nullptr;
  // Ferry's base URL (no trailing slash): SubscribeURL, SigningCertURL.
  std::string public_url = "http://localhost:9324";
  // The same for a Subscribe or Unsubscribe that came over TLS (the HTTPS
  // listener's https:// URL); empty: public_url.
  std::string tls_public_url;
  // Set where other processes change the catalog too (nodes of the
  // PostgreSQL engine): LookupTopic and LookupSubscription read the catalog
  // on a miss (RefreshOnMiss). The local engine's catalog changes only
  // through this registry, so a miss there is final.
  bool refresh_on_miss = false;
};

// How often at most a miss reads the catalog (RefreshOnMiss).
inline constexpr std::chrono::milliseconds kMissRefreshInterval{100};

// The settings of the internal queues.
inline constexpr int64_t kDeliveryVisibilityS = 30;
inline constexpr int64_t kDeliveryRetentionS = 14 * 24 * 3600;
inline constexpr int64_t kDedupRetentionS = 60;

class Registry {
 public:
  Registry(engine::Engine& engine, RegistryOptions options);

  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Reads the catalog; call once, before serving. Subscriptions of a topic
  // that is gone (a DeleteTopic interrupted by a crash) are erased.
  Status Load();
  // Follows the catalog when other processes change it too (nodes of the
  // PostgreSQL engine): when the engine's CatalogVersion moved since the
  // last Load or Refresh, reads the catalog again and swaps in what it
  // holds, keeping what only this process knows (each topic's counters and
  // SubscriptionsDeleted; the objects of unchanged subscriptions), then
  // calls the OnChange listeners (the delivery worker takes up
  // subscriptions made elsewhere). Repairs nothing: that is Load's, at
  // start. Costs one atomic read when nothing changed, so call it at every
  // tick; on the local engine (CatalogVersion always 0) it never reads.
  // Errors: the engine's, when the catalog cannot be read (what the
  // registry holds stays, and the next call tries again).
  Status Refresh();

  // Reads: null (or empty) when there is none.
  std::shared_ptr<const Topic> FindTopic(std::string_view arn) const;
  std::shared_ptr<const Subscription> FindSubscription(std::string_view arn) const;
  // The same for a request naming a topic or subscription: with
  // refresh_on_miss, a miss reads the catalog once (RefreshOnMiss) and
  // looks again, so a topic made on another node a moment ago, which the
  // ticks' Refresh has not brought yet, is found. Not under write_mu_.
  std::shared_ptr<const Topic> LookupTopic(std::string_view arn);
  std::shared_ptr<const Subscription> LookupSubscription(std::string_view arn);
  // Every topic, in ARN order.
  std::vector<std::shared_ptr<const Topic>> Topics() const;
  // Every subscription, in ARN order.
  std::vector<std::shared_ptr<const Subscription>> Subscriptions() const;
  // Every http/https subscription, pending, confirmed or retired (the
  // delivery worker drains their delivery queues).
  std::vector<std::shared_ptr<const Subscription>> HttpSubscriptions() const;

  // `fn` is called after every change of a subscription or of a topic,
  // with no registry lock held, from the thread that made the change.
  void OnChange(std::function<void()> fn);

  // Fills a subscription's derived members from its attributes and
  // endpoint. Errors: the FilterPolicy's refusal (CompileFilterPolicy).
  Status Derive(Subscription& sub) const;
  // The engine key of an SQS queue ARN, as src/sqs keys its queues; empty
  // when `arn` is not a queue ARN.
  std::string QueueKeyOf(std::string_view arn) const;

  // Stores a new topic (its arn, name, account, region, fifo and
  // attributes set by the caller), with its deduplication queue when FIFO.
  // When a topic of that ARN exists, returns it, unchanged, and false.
  struct Created {
    std::shared_ptr<const Topic> topic;
    bool created = false;
  };
  Result<Created> CreateTopic(Topic topic);
  // Removes the topic, its subscriptions and their internal queues. Ok when
  // there is no such topic.
  Status DeleteTopic(std::string_view arn);
  // Lets `edit` change a copy of the topic (attributes and tags; not its
  // ARN, kind or subscriptions), then stores it. A refusal of `edit`
  // changes nothing. Errors: kNotFound, `edit`'s, the catalog's.
  Result<std::shared_ptr<const Topic>> UpdateTopic(std::string_view arn,
                                                   const std::function<Status(Topic&)>& edit);

  // Adds a subscription (topic_arn, owner, protocol, endpoint, attributes,
  // confirmed set by the caller): the registry gives it its id, ARN and
  // token, derives the rest, creates an http(s) one's delivery queue and
  // sends its confirmation. When the topic already has a subscription of
  // that protocol and endpoint, returns it and false (and sends a pending
  // one's confirmation again). Errors: kNotFound (no topic), Derive's, the
  // engine's.
  struct Subscribed {
    std::shared_ptr<const Subscription> subscription;
    bool created = false;
  };
  // `over_tls`: the request came over TLS; the confirmation's URLs then
  // use tls_public_url.
  Result<Subscribed> Subscribe(Subscription sub, bool over_tls = false);
  // As UpdateTopic, for a subscription; its derived members are made again.
  Result<std::shared_ptr<const Subscription>> UpdateSubscription(
      std::string_view arn, const std::function<Status(Subscription&)>& edit);
  // Confirms the subscription of `topic_arn` whose token is `token`
  // (idempotent for one already confirmed with it). Errors: kNotFound (no
  // topic), kInvalidArgument (no such token).
  Result<std::shared_ptr<const Subscription>> Confirm(std::string_view topic_arn,
                                                      std::string_view token,
                                                      bool authenticated);
  // Removes the subscription. An sqs one is gone at once; an http(s) one
  // is retired (Subscription::retired): an UnsubscribeConfirmation is left
  // in its delivery queue, which the worker drains before Forget drops it.
  // Errors: kNotFound.
  Status Unsubscribe(std::string_view arn, bool over_tls = false);
  // Drops a retired subscription and its delivery queue, once the worker
  // has nothing left to deliver. Ok when there is none.
  Status Forget(std::string_view arn);

 private:
  using TopicMap = std::map<std::string, std::shared_ptr<const Topic>, std::less<>>;
  using SubscriptionMap = std::map<std::string, std::shared_ptr<const Subscription>, std::less<>>;
  struct Catalog {
    TopicMap topics;
    SubscriptionMap subscriptions;
    SubscriptionMap retired;
  };

  // Refresh's body: with `on_miss`, reads the catalog whatever its
  // version (another node's change may not have reached this engine's
  // CatalogVersion yet), unless a miss read it less than
  // kMissRefreshInterval before `now` (the time of the miss): misses that
  // arrive while one reads wait for it on write_mu_ and answer from its
  // result, and a flood of them reads once per interval.
  Status Reread(bool on_miss, TimeMs now);
  // Reads the catalog into `out`. With `repair` (Load): makes missing
  // internal queues, erases subscriptions of topics that are gone and
  // refuses one that cannot be derived. Without (Refresh): changes nothing
  // in the engine and leaves such entries out. Caller holds write_mu_.
  Status ReadCatalog(bool repair, Catalog* out);
  // The subscription held now whose catalog entry is `e` exactly; null
  // when none is.
  std::shared_ptr<const Subscription> Unchanged(const engine::CatalogEntry& e) const;

  // Swaps in `sub` (null: removes `arn`) and the copy of its topic that
  // lists it so. Caller holds write_mu_.
  void SwapSubscription(const std::string& arn, std::shared_ptr<const Subscription> sub);
  // Leaves a signed (un)subscribe confirmation in `sub`'s delivery queue.
  Status SendConfirmation(const Subscription& sub, const Topic& topic, bool over_tls,
                          bool unsubscribe = false);
  void NotifyChange();

  engine::Engine& engine_;
  const RegistryOptions options_;

  std::mutex write_mu_;  // serializes changes
  mutable std::shared_mutex mu_;
  TopicMap topics_;                // guarded by mu_
  SubscriptionMap subscriptions_;  // guarded by mu_
  SubscriptionMap retired_;        // guarded by mu_
  // The CatalogVersion the maps were read at; guarded by write_mu_.
  uint64_t loaded_version_ = 0;
  // When a miss last read the catalog (by the engine's clock); guarded by
  // write_mu_.
  std::optional<TimeMs> miss_read_ms_;

  std::mutex listeners_mu_;
  std::vector<std::function<void()>> listeners_;  // guarded by listeners_mu_
};

}  // namespace ferry::sns
