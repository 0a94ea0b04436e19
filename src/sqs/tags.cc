// TagQueue, UntagQueue, ListQueueTags, and the tag limits CreateQueue shares.
#include <optional>

#include "api/errors.h"
#include "common/utf8.h"
#include "sqs/handlers.h"

namespace ferry::sqs {
namespace {

using api::ErrorId;

constexpr size_t kMaxTags = 50;
constexpr size_t kMaxKeyLength = 128;
constexpr size_t kMaxValueLength = 256;

// Length in characters of a tag key or value made only of what AWS allows
// in tags: letters, digits and space separators of any script, and
// `_ . : / = + - @`; nullopt when it holds anything else (a control
// character, a byte that is not UTF-8), which AWS refuses and which would
// otherwise be echoed by every ListQueueTags.
std::optional<size_t> TagCharacters(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    const int32_t cp = DecodeUtf8(s, &i);
    const bool symbol =
        cp > 0 && cp < 0x80 &&
        std::string_view("_.:/=+-@").find(static_cast<char>(cp)) != std::string_view::npos;
    if (!symbol && !IsLetterOrDigit(cp) && !IsSpaceSeparator(cp)) return std::nullopt;
  }
  return n;
}

Status Invalid(std::string message) {
  return api::Error(ErrorId::kInvalidParameterValue, std::move(message));
}

}  // namespace

Status ValidateTags(const std::map<std::string, std::string>& tags,
                    const std::map<std::string, std::string>& existing) {
  size_t total = existing.size();
  for (const auto& [key, value] : tags) {
    const std::optional<size_t> key_length = TagCharacters(key);
    const std::optional<size_t> value_length = TagCharacters(value);
    if (!key_length || !value_length) {
      return Invalid(
          "Tag keys and values can only contain Unicode letters, digits, white space, and the "
          "characters _ . : / = + - @.");
    }
    if (*key_length < 1 || *key_length > kMaxKeyLength) {
      return Invalid("Tag keys must be between 1 and 128 characters in length.");
    }
    if (key.starts_with("aws:")) return Invalid("Tag keys must not start with 'aws:'.");
    if (*value_length > kMaxValueLength) {
      return Invalid("Tag values must be at most 256 characters in length.");
    }
    if (!existing.contains(key)) ++total;
  }
  if (total > kMaxTags) {
    return Invalid("Too many tags: a queue can have at most " + std::to_string(kMaxTags) +
                   " tags.");
  }
  return Status::Ok();
}

HandlerResult TagQueue(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  if (!p.Has("Tags")) {
    return api::MissingParameter("Tags");
  }
  auto tags = p.StringMap("Tags");
  if (!tags.ok()) return tags.status();
  FERRY_RETURN_IF_ERROR(ValidateTags(*tags, (*queue)->tags()));
  FERRY_RETURN_IF_ERROR((*queue)->Tag(*tags));
  return boost::json::object();
}

HandlerResult UntagQueue(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  const api::Params p(call.params, call.ctx.wire);
  if (!p.Has("TagKeys")) {
    return api::MissingParameter("TagKeys");
  }
  auto keys = p.StringList("TagKeys");
  if (!keys.ok()) return keys.status();
  FERRY_RETURN_IF_ERROR((*queue)->Untag(*keys));
  return boost::json::object();
}

HandlerResult ListQueueTags(Env& env, const api::Call& call) {
  auto queue = ResolveQueue(env, call);
  if (!queue.ok()) return queue.status();
  boost::json::object out;
  const std::map<std::string, std::string> tags = (*queue)->tags();
  if (tags.empty()) return out;
  boost::json::object map;
  for (const auto& [key, value] : tags) map.emplace(key, value);
  out.emplace("Tags", std::move(map));
  return out;
}

}  // namespace ferry::sqs
