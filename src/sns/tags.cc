// TagResource, UntagResource, ListTagsForResource, and the tag limits
// CreateTopic shares: at most 50 tags a topic, keys of 1 to 128 characters
// not starting with "aws:", values of at most 256.
#include "common/utf8.h"
#include "sns/handlers.h"

namespace ferry::sns {
namespace {

using api::ErrorId;

constexpr size_t kMaxTags = 50;
constexpr size_t kMaxKeyLength = 128;
constexpr size_t kMaxValueLength = 256;

size_t Characters(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// The topic ResourceArn names; NotFound becomes the tagging actions' own
// ResourceNotFound.
Result<std::shared_ptr<const Topic>> ResolveResource(const Env& env, const api::Call& call) {
  auto topic = ResolveTopic(env, call, "ResourceArn");
  if (!topic.ok() && api::ErrorFor(topic.status()).id == ErrorId::kSnsNotFound) {
    return api::Error(ErrorId::kSnsResourceNotFound, "Resource does not exist");
  }
  return topic;
}

boost::json::array TagList(const std::map<std::string, std::string>& tags) {
  boost::json::array out;
  for (const auto& [key, value] : tags) out.push_back(boost::json::object{{"Key", key}, {"Value", value}});
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> ReadTags(
    const api::Params& p, const std::map<std::string, std::string>& existing) {
  auto list = p.ObjectList("Tags");
  if (!list.ok()) return list.status();
  std::map<std::string, std::string> tags;
  for (const boost::json::object* entry : *list) {
    const api::Params e = p.Nested(*entry);
    auto key = e.RequiredString("Key");
    if (!key.ok()) return key.status();
    auto value = e.RequiredString("Value");
    if (!value.ok()) return value.status();
    if (!IsValidUtf8(*key) || !IsValidUtf8(*value)) {
      return InvalidParameter("Tags Reason: Tag keys and values must be valid UTF-8");
    }
    const size_t key_length = Characters(*key);
    if (key_length < 1 || key_length > kMaxKeyLength) {
      return InvalidParameter("Tags Reason: Tag keys must be between 1 and 128 characters long");
    }
    if (key->starts_with("aws:")) {
      return InvalidParameter("Tags Reason: Tag keys must not start with 'aws:'");
    }
    if (Characters(*value) > kMaxValueLength) {
      return InvalidParameter("Tags Reason: Tag values must be at most 256 characters long");
    }
    tags[*key] = *value;
  }
  size_t total = existing.size();
  for (const auto& [key, value] : tags) total += existing.contains(key) ? 0 : 1;
  if (total > kMaxTags) {
    return api::Error(ErrorId::kSnsTagLimitExceeded,
                      "Could not complete request: tag quota of per resource exceeded");
  }
  return tags;
}

HandlerResult TagResource(Env& env, const api::Call& call) {
  auto topic = ResolveResource(env, call);
  if (!topic.ok()) return topic.status();
  const api::Params p(call.params, call.ctx.wire);
  if (!p.Has("Tags")) return api::MissingParameter("Tags");
  auto updated = env.registry.UpdateTopic((*topic)->arn, [&](Topic& t) -> Status {
    auto tags = ReadTags(p, t.tags);
    if (!tags.ok()) return tags.status();
    for (auto& [key, value] : *tags) t.tags[key] = std::move(value);
    return Status::Ok();
  });
  if (!updated.ok()) return RegistryError(updated.status());
  return boost::json::object();
}

HandlerResult UntagResource(Env& env, const api::Call& call) {
  auto topic = ResolveResource(env, call);
  if (!topic.ok()) return topic.status();
  const api::Params p(call.params, call.ctx.wire);
  if (!p.Has("TagKeys")) return api::MissingParameter("TagKeys");
  auto keys = p.StringList("TagKeys");
  if (!keys.ok()) return keys.status();
  auto updated = env.registry.UpdateTopic((*topic)->arn, [&](Topic& t) {
    for (const std::string& key : *keys) t.tags.erase(key);
    return Status::Ok();
  });
  if (!updated.ok()) return RegistryError(updated.status());
  return boost::json::object();
}

HandlerResult ListTagsForResource(Env& env, const api::Call& call) {
  auto topic = ResolveResource(env, call);
  if (!topic.ok()) return topic.status();
  return boost::json::object{{"Tags", TagList((*topic)->tags)}};
}

}  // namespace ferry::sns
