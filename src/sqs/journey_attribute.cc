#include "sqs/journey_attribute.h"

#include <boost/json.hpp>

#include "api/errors.h"
#include "engine/journey.h"

namespace ferry::sqs {
namespace {

Status Invalid(std::string_view reason) {
  return api::Error(api::ErrorId::kInvalidAttributeValue,
                    "Invalid value for the parameter " + std::string(engine::kJourneyAttribute) +
                        ". Reason: " + std::string(reason));
}

// The integer field `name` of `doc` into *out when present, within [min, max].
Status ReadField(const boost::json::object& doc, std::string_view name, int64_t min, int64_t max,
                 int64_t* out) {
  const boost::json::value* v = doc.if_contains(name);
  if (v == nullptr) return Status::Ok();
  const std::string range = std::string(name) + " must be an integer from " + std::to_string(min) +
                            " to " + std::to_string(max) + ".";
  if (!v->is_int64() && !v->is_uint64()) return Invalid(range);
  const int64_t n = v->is_int64() ? v->get_int64() : static_cast<int64_t>(v->get_uint64());
  if ((v->is_uint64() && v->get_uint64() > static_cast<uint64_t>(max)) || n < min || n > max) {
    return Invalid(range);
  }
  *out = n;
  return Status::Ok();
}

}  // namespace

Result<std::string> CanonicalJourneyValue(std::string_view value) {
  if (value.empty()) return std::string();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(value, ec);
  if (ec || !v.is_object()) return Invalid("the value must be a JSON object.");
  const boost::json::object& doc = v.get_object();
  for (const auto& kv : doc) {
    if (kv.key() != "retentionSeconds" && kv.key() != "maxEvents") {
      return Invalid("unknown field " + std::string(kv.key()) + ".");
    }
  }
  engine::JourneyConfig c;
  FERRY_RETURN_IF_ERROR(ReadField(doc, "retentionSeconds", engine::kMinJourneyRetentionS,
                                  engine::kMaxJourneyRetentionS, &c.retention_s));
  FERRY_RETURN_IF_ERROR(ReadField(doc, "maxEvents", engine::kMinJourneyEvents,
                                  engine::kMaxJourneyEvents, &c.max_events));
  return engine::JourneyConfigValue(c);
}

}  // namespace ferry::sqs
