// Router: the Handler in front of the application's main Handler (the
// fallback; Ferry's is the AWS gateway). It serves a few reserved paths with
// Handlers of their own (/health; /ready, /metrics and a console under
// /console/ later) and hands every other request to the fallback unchanged.
//
// A Route names a path, matched exactly ("/health") or as a prefix
// ("/console/"), the methods it serves and its Handler. Paths are compared
// with the request-target's path as sent (before any '?'; no decoding, no
// normalisation), and the first Route whose path matches is the one. A
// request goes to that Route's Handler unless the fallback claims it (see
// FallbackClaims); one with a method the Route does not serve is answered 405
// with an Allow header. Requests no Route matches, and every refusal of the
// server itself (Reject), are the fallback's.
//
// Cost: a request whose path no Route matches (every AWS request but the odd
// one sent to a reserved path) is one search for '?' and one comparison per
// Route before it reaches the fallback; no allocation.
//
// Thread-safety: immutable after construction. Handle and Reject run
// concurrently on any io thread, and call the Routes' Handlers and the
// fallback there; those must outlive the Router.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"

namespace ferry::http {

struct Route {
  enum class Match { kExact, kPrefix };

  std::string path;  // begins with '/'
  Match match = Match::kExact;
  std::vector<std::string> methods;  // e.g. {"GET", "HEAD"}; compared exactly
  Handler* handler = nullptr;
};

class Router final : public Handler {
 public:
  // Whether the fallback takes a request even though its path is a Route's:
  // the AWS gateway claims every request that names an AWS action, whatever
  // its path (protocol/aws_request.h). Called only for requests whose path
  // matched a Route. Must be thread-safe and must not block.
  using FallbackClaims = bool (*)(const Request& req);

  // `claims` may be null: then a matching path always goes to its Route.
  Router(Handler& fallback, FallbackClaims claims, std::vector<Route> routes);

  void Handle(const Request& req, Responder respond) override;
  // The server's own refusals (400, 413, 431) are rendered by the fallback,
  // whatever the path.
  Response Reject(int status, const Request& head) override;

 private:
  struct Entry {
    Route route;
    std::string allow;  // the Allow header of a 405: the methods, comma-separated
  };

  static std::vector<Entry> MakeEntries(std::vector<Route> routes);
  const Entry* Find(std::string_view path) const;

  Handler& fallback_;
  const FallbackClaims claims_;
  const std::vector<Entry> entries_;
};

}  // namespace ferry::http
