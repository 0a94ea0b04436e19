// The authority a queue URL names.
//
// Clients use a QueueUrl as given, so a Host header without a port (sent by
// clients talking to a default port, or by hand) must not yield a URL that
// points at port 80. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::protocol {

// `host` as sent when it names a port ("h:9324", "[::1]:9324"); otherwise
// `host` with `listening_port` added ("h" → "h:9324", "[::1]" →
// "[::1]:9324", "" → "localhost:9324"). With no port known (0), `host` as
// sent, or "localhost" when empty.
std::string HostWithPort(std::string_view host, uint16_t listening_port);

}  // namespace ferry::protocol
