#include "protocol/host_port.h"

namespace ferry::protocol {
namespace {

bool NamesPort(std::string_view host) {
  // An IPv6 literal's colons are inside its brackets.
  size_t from = host.starts_with('[') ? host.find(']') : 0;
  return from != std::string_view::npos && host.find(':', from) != std::string_view::npos;
}

}  // namespace

std::string HostWithPort(std::string_view host, uint16_t listening_port) {
  if (host.empty()) host = "localhost";
  if (listening_port == 0 || NamesPort(host)) return std::string(host);
  return std::string(host) + ":" + std::to_string(listening_port);
}

}  // namespace ferry::protocol
