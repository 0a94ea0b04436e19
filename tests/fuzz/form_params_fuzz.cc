// Fuzzes the form → parameters path of every Query request: ParseForm, then
// DecodeQueryParams for several actions, then the XML encoder on what was
// decoded. Invariants: nothing crashes or overflows the stack however deep
// the keys; the form decoder reads only the bytes it is given and fails only
// on a '%' escape or too many pairs; the key decoder fails only with
// MalformedQueryString.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "api/errors.h"
#include "protocol/aws_query.h"
#include "protocol/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size copy, so that a read past the end is caught under ASan even
  // when the replay driver's buffer happens to be NUL-terminated.
  auto copy = std::make_unique<char[]>(size ? size : 1);
  if (size) std::memcpy(copy.get(), data, size);
  std::string_view text(copy.get(), size);

  auto pairs = ferry::protocol::ParseForm(text);
  size_t pieces = static_cast<size_t>(std::count(text.begin(), text.end(), '&')) + 1;
  if (!pairs.ok()) {
    if (text.find('%') == std::string_view::npos && pieces <= ferry::protocol::kMaxFormPairs) {
      std::abort();
    }
    return 0;
  }
  if (pairs->size() > pieces) std::abort();
  for (std::string_view action : {"SendMessage", "SendMessageBatch", "SetQueueAttributes",
                                  "ReceiveMessage", "CreateQueue", "ListQueues"}) {
    auto obj = ferry::protocol::DecodeQueryParams(*pairs, ferry::api::SqsDescriptor(), action);
    if (!obj.ok()) {
      if (ferry::api::ErrorFor(obj.status()).id != ferry::api::ErrorId::kMalformedQueryString) {
        std::abort();
      }
      continue;
    }
    (void)ferry::protocol::EncodeQueryResult(ferry::api::SqsDescriptor(), action, *obj, "fuzz");
  }
  return 0;
}
