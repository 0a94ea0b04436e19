#include "sqs/queue_keys.h"

#include "sqs/queue_url.h"

namespace ferry::sqs {

engine::QueueKey QueueKeyIn(const QueueHome& home, std::string_view account,
                            std::string_view region, std::string_view name) {
  return engine::QueueKey{
      .region = region == home.region ? std::string() : std::string(region),
      .name = std::string(name),
      .account = account == home.account_id ? std::string() : std::string(account)};
}

std::string AccountOfKey(const QueueHome& home, std::string_view registry_name) {
  engine::QueueKey key = engine::QueueKey::Decode(registry_name);
  return key.account.empty() ? std::string(home.account_id) : key.account;
}

std::string RegionOfKey(const QueueHome& home, std::string_view registry_name) {
  engine::QueueKey key = engine::QueueKey::Decode(registry_name);
  return key.region.empty() ? std::string(home.region) : key.region;
}

std::string QueueArnOfKey(const QueueHome& home, std::string_view registry_name) {
  engine::QueueKey key = engine::QueueKey::Decode(registry_name);
  return MakeQueueArn(key.region.empty() ? home.region : key.region,
                      key.account.empty() ? home.account_id : key.account, key.name);
}

std::string QueueUrlOfKey(const QueueHome& home, const api::CallContext& ctx,
                          std::string_view registry_name) {
  engine::QueueKey key = engine::QueueKey::Decode(registry_name);
  return MakeQueueUrl(ctx, key.account.empty() ? home.account_id : key.account, key.name,
                      key.region);
}

std::vector<std::string> ListQueueKeys(const engine::Engine& engine, const QueueHome& home,
                                       std::string_view account, std::string_view region,
                                       std::string_view prefix) {
  const engine::QueueKey key = QueueKeyIn(home, account, region, prefix);
  const std::string encoded = key.Encode();
  std::vector<std::string> names = engine.ListQueues(encoded);
  // Only this account's and region's: their queues' registry names are a
  // name after exactly `scope` (queue_key.h). Other accounts' and regions'
  // names may share the prefix: "" begins every name, and a region may be
  // 12 digits, so "111111111111/" begins account 111111111111's names too.
  const std::string_view scope =
      std::string_view(encoded).substr(0, encoded.size() - key.name.size());
  std::erase_if(names, [&](const std::string& n) {
    return std::string_view(n).substr(0, n.rfind('/') + 1) != scope;
  });
  return names;
}

}  // namespace ferry::sqs
