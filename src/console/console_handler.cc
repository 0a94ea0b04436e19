#include "console/console_handler.h"

#include <utility>

#include "common/crypto.h"

namespace ferry::console {
namespace {

// The page runs only its own scripts and styles, talks only to its own
// origin (the API), and cannot be framed: a message body that slips past
// the page's escaping still cannot load or run anything.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'";

http::Response WithSecurityHeaders(int status) {
  http::Response res;
  res.status = status;
  res.headers.reserve(7);
  res.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  return res;
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// Whether an If-None-Match header names `etag` (a list, or "*").
bool Matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view tag = if_none_match.substr(pos, comma - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

ConsoleHandler::ConsoleHandler(std::span<const Asset> assets) {
  for (const Asset& asset : assets) {
    entries_.emplace(std::string(asset.name),
                     Entry{&asset, "\"" + Sha256Hex(asset.body).substr(0, 32) + "\""});
  }
}

void ConsoleHandler::Handle(const http::Request& req, http::Responder respond) {
  respond(Answer(req));
}

http::Response ConsoleHandler::Answer(const http::Request& req) const {
  std::string_view path = PathOf(req.target);
  if (path == kConsolePath) {
    http::Response res = WithSecurityHeaders(301);
    res.headers.emplace_back("Location", std::string(kConsolePrefix));
    return res;
  }
  std::string_view name;
  if (path.starts_with(kConsolePrefix)) name = path.substr(kConsolePrefix.size());
  if (name.empty() && path == kConsolePrefix) name = "index.html";
  auto it = entries_.find(name);
  if (name.empty() || it == entries_.end()) {
    http::Response res = WithSecurityHeaders(404);
    res.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    res.headers.emplace_back("Cache-Control", "no-store");
    res.body = "Not Found\n";
    return res;
  }
  const Entry& entry = it->second;
  const bool unchanged = Matches(req.Header("if-none-match"), entry.etag);
  http::Response res = WithSecurityHeaders(unchanged ? 304 : 200);
  res.headers.emplace_back("ETag", entry.etag);
  res.headers.emplace_back("Cache-Control", "no-cache");
  if (!unchanged) {
    res.headers.emplace_back("Content-Type", std::string(entry.asset->content_type));
    res.body = std::string(entry.asset->body);
  }
  return res;
}

}  // namespace ferry::console
