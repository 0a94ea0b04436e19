// Fuzzes the SigV4 Authorization header and credential parsers.
#include <cstdint>
#include <string_view>

#include "auth/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ferry::auth::ParseAuthorizationHeader(text);
  (void)ferry::auth::ParseCredential(text);
  return 0;
}
