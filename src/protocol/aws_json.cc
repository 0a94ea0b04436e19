#include "protocol/aws_json.h"

#include <algorithm>

#include "protocol/json_writer.h"

namespace ferry::protocol {
namespace {

// The object members a JSON text spells out: one ':' outside its strings
// each. Only for text that parsed.
size_t MembersWritten(std::string_view text) {
  size_t members = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ':') {
      ++members;
    }
  }
  return members;
}

// The members the parsed value holds; the parser keeps one of each key.
// Recursion is bounded by the parser's max_depth.
size_t MembersParsed(const boost::json::value& v) {
  size_t members = 0;
  if (const auto* obj = v.if_object()) {
    members = obj->size();
    for (const auto& kv : *obj) members += MembersParsed(kv.value());
  } else if (const auto* arr = v.if_array()) {
    for (const auto& e : *arr) members += MembersParsed(e);
  }
  return members;
}

}  // namespace

Result<boost::json::object> DecodeJsonBody(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return boost::json::object();
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;
  // The parsed request is read and then dropped as a whole: its strings,
  // arrays and objects come from one arena that the object owns (about 80
  // separate allocations, and as many frees, for a SendMessageBatch of ten).
  boost::json::storage_ptr arena =
      boost::json::make_shared_resource<boost::json::monotonic_resource>(
          std::max<size_t>(1024, body.size() + body.size() / 2));
  boost::json::value v = boost::json::parse(body, ec, std::move(arena), opts);
  if (ec) {
    return api::Error(api::ErrorId::kSerialization,
                      "The request body is not valid JSON: " + ec.message() + ".");
  }
  if (!v.is_object()) {
    return api::Error(api::ErrorId::kSerialization, "The request body must be a JSON object.");
  }
  // Boost.JSON keeps the last of two equal keys; Ferry will not pick one of
  // two values (as with a Query parameter sent twice).
  if (MembersParsed(v) != MembersWritten(body)) {
    return api::Error(api::ErrorId::kSerialization,
                      "The request body is not valid JSON: an object holds a key twice.");
  }
  return std::move(v.as_object());
}

std::string EncodeJsonError(const api::ServiceDescriptor* service, const api::ErrorDef& error,
                            std::string_view message) {
  boost::json::object obj;
  std::string type;
  if (service) type = service->json_error_prefix;
  type += error.json_type;
  obj["__type"] = type;
  obj["message"] = message;
  return SerializeJson(obj);  // the message may echo input: see json_writer.h
}

std::string QueryErrorHeader(const api::ErrorDef& error) {
  return std::string(error.query_code) + (error.sender_fault ? ";Sender" : ";Receiver");
}

}  // namespace ferry::protocol
