#include "http/router.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace ferry::http {

Router::Router(Handler& fallback, FallbackClaims claims, std::vector<Route> routes)
    : fallback_(fallback), claims_(claims), entries_(MakeEntries(std::move(routes))) {}

std::vector<Router::Entry> Router::MakeEntries(std::vector<Route> routes) {
  std::vector<Entry> entries;
  entries.reserve(routes.size());
  for (Route& route : routes) {
    assert(route.path.starts_with('/') && route.handler != nullptr && !route.methods.empty());
    std::string allow;
    for (const std::string& method : route.methods) {
      if (!allow.empty()) allow.append(", ");
      allow.append(method);
    }
    entries.push_back(Entry{std::move(route), std::move(allow)});
  }
  return entries;
}

const Router::Entry* Router::Find(std::string_view path) const {
  for (const Entry& e : entries_) {
    const bool match = e.route.match == Route::Match::kExact ? path == e.route.path
                                                             : path.starts_with(e.route.path);
    if (match) return &e;
  }
  return nullptr;
}

void Router::Handle(const Request& req, Responder respond) {
  const std::string_view target = req.target;
  const Entry* entry = Find(target.substr(0, target.find('?')));
  if (entry == nullptr || (claims_ != nullptr && claims_(req))) {
    return fallback_.Handle(req, std::move(respond));
  }
  const std::vector<std::string>& methods = entry->route.methods;
  if (std::find(methods.begin(), methods.end(), req.method) == methods.end()) {
    Response res;
    res.status = 405;
    res.headers.reserve(2);
    res.headers.emplace_back("Allow", entry->allow);
    res.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    res.body = "Method Not Allowed\n";
    return respond(std::move(res));
  }
  entry->route.handler->Handle(req, std::move(respond));
}

Response Router::Reject(int status, const Request& head) { return fallback_.Reject(status, head); }

}  // namespace ferry::http
