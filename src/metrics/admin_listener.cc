#include "metrics/admin_listener.h"

#include <charconv>
#include <utility>

namespace ferry::metrics {

Result<HostPort> ParseHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("expected host:port, got \"" + text + "\"");
  }
  std::string host = text.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port > 65535) {
    return Status::InvalidArgument("not a port in \"" + text + "\"");
  }
  return HostPort{std::move(host), static_cast<uint16_t>(port)};
}

void AdminListener::NotFound::Handle(const http::Request&, http::Responder respond) {
  http::Response res;
  res.status = 404;
  res.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  res.body = "Not Found: this listener serves only /metrics, /health and /ready.\n";
  respond(std::move(res));
}

AdminListener::AdminListener(boost::asio::io_context& io, std::vector<http::Route> routes)
    : router_(not_found_, nullptr, std::move(routes)),
      // Scrapes and probes only: a few connections, small requests.
      server_(io, router_, http::Limits{.max_body_bytes = 64 * 1024, .max_connections = 256}) {}

Result<uint16_t> AdminListener::Listen(const std::string& host_port) {
  auto parsed = ParseHostPort(host_port);
  if (!parsed.ok()) return parsed.status();
  return server_.Listen(parsed->host, parsed->port);
}

}  // namespace ferry::metrics
