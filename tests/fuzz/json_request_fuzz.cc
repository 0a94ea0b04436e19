// Fuzzes the AWS JSON request decoder and the typed parameter readers.
#include <cstdint>
#include <string_view>

#include "api/params.h"
#include "protocol/aws_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto obj = ferry::protocol::DecodeJsonBody(text);
  if (!obj.ok()) return 0;
  ferry::api::Params p(*obj, ferry::api::Wire::kJson);
  (void)p.OptionalInt("MaxNumberOfMessages");
  (void)p.OptionalString("QueueUrl");
  (void)p.StringList("AttributeNames");
  (void)p.StringMap("Attributes");
  (void)p.ObjectList("Entries");
  (void)p.ObjectMap("MessageAttributes");
  return 0;
}
