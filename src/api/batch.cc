#include "api/batch.h"

#include <unordered_set>

#include "api/errors.h"

namespace ferry::api {
namespace {

constexpr size_t kMaxBatchIdLength = 80;

bool IsValidBatchId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= kMaxBatchIdLength;
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  return ok;
}

}  // namespace

Result<std::vector<BatchEntry>> ReadBatchEntries(const Params& params, std::string_view key,
                                                 const BatchErrors& errors) {
  auto entries = params.ObjectList(key);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) return errors.Empty();
  if (entries->size() > kMaxBatchEntries) return errors.TooMany(entries->size());
  std::vector<BatchEntry> out;
  out.reserve(entries->size());
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < entries->size(); ++i) {
    const boost::json::object* e = (*entries)[i];
    auto id = e->find("Id");
    if (id == e->end() || id->value().is_null()) return errors.MissingId(i);
    if (!id->value().is_string() || !IsValidBatchId(id->value().get_string())) {
      return errors.InvalidId(id->value().is_string() ? std::string_view(id->value().get_string())
                                                      : std::string_view());
    }
    std::string_view text = id->value().get_string();
    if (!seen.insert(text).second) return errors.NotDistinct(text);
    out.push_back({text, e});
  }
  return out;
}

BatchResult::BatchResult(Wire wire)
    : wire_(wire),
      arena_(boost::json::make_shared_resource<boost::json::monotonic_resource>(2048)),
      successful_(arena_),
      failed_(arena_) {}

void BatchResult::Succeed(std::string_view id, boost::json::object fields) {
  boost::json::object entry(arena_);
  entry.reserve(fields.size() + 1);
  entry.emplace("Id", id);
  for (auto& kv : fields) entry.emplace(kv.key(), std::move(kv.value()));
  successful_.emplace_back(std::move(entry));
}

void BatchResult::Fail(std::string_view id, const Status& error) {
  const ErrorDef& def = ErrorFor(error);
  boost::json::object entry(arena_);
  entry.reserve(4);
  entry.emplace("Id", id);
  entry.emplace("SenderFault", def.sender_fault);
  entry.emplace("Code", wire_ == Wire::kQuery ? def.query_code : def.code);
  entry.emplace("Message", error.message());
  failed_.emplace_back(std::move(entry));
}

boost::json::object BatchResult::Take() {
  boost::json::object out(arena_);
  out.emplace("Successful", std::move(successful_));
  if (!failed_.empty()) out.emplace("Failed", std::move(failed_));
  return out;
}

}  // namespace ferry::api
