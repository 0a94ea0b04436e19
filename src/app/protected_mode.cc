#include "app/protected_mode.h"

#include <boost/asio/ip/address.hpp>

namespace ferry::app {

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

std::optional<std::string> OpenModeRefusal(const ServeConfig& config) {
  if (!config.credentials_file.empty() || config.insecure_open_mode ||
      IsLoopbackHost(config.listen)) {
    return std::nullopt;
  }
  return "refusing to listen on " + (config.listen.empty() ? std::string("every address") : config.listen) +
         " in open mode, where any well-formed signature is accepted: give --credentials FILE, "
         "listen on a loopback address (127.0.0.1, ::1, localhost), or pass --insecure-open-mode "
         "to accept unauthenticated requests from the network";
}

}  // namespace ferry::app
