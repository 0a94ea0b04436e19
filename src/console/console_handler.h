// ConsoleHandler: serves the web console's embedded files (assets.h) under
// /console/: GET or HEAD /console/ is index.html, /console/<name> the asset
// of that name, anything else under /console/ 404; /console (no slash) is
// redirected to /console/, so the page's relative URLs resolve under it.
//
// The console is a static page that talks to the AWS gateway on the same
// origin with SigV4-signed requests (docs/console.md); this handler serves
// no data and checks no credentials. Every answer carries the headers that
// keep the page from running anything but its own files (Content-Security-
// Policy), from being framed, sniffed or leaking its URL. Assets are
// revalidated on each load (Cache-Control: no-cache) against an ETag of
// their content, so a new binary's console is picked up at once and an
// unchanged one costs a 304.
//
// The Router decides which methods reach it (GET, HEAD); the server drops
// the body of a HEAD answer.
//
// Thread-safety: immutable after construction; Handle runs concurrently on
// any thread.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "console/assets.h"
#include "http/server.h"

namespace ferry::console {

// The paths the console is served under, for the Router.
inline constexpr std::string_view kConsolePath = "/console";
inline constexpr std::string_view kConsolePrefix = "/console/";

class ConsoleHandler final : public http::Handler {
 public:
  // `assets` must outlive the handler (the embedded ones are static).
  explicit ConsoleHandler(std::span<const Asset> assets = EmbeddedAssets());

  void Handle(const http::Request& req, http::Responder respond) override;

 private:
  struct Entry {
    const Asset* asset;
    std::string etag;  // quoted, from the content's SHA-256
  };

  http::Response Answer(const http::Request& req) const;

  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace ferry::console
