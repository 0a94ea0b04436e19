#include "console/console_handler.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace ferry::console {
namespace {

constexpr Asset kTestAssets[] = {
    {"index.html", "text/html; charset=utf-8", "<!doctype html><title>t</title>"},
    {"app.js", "text/javascript; charset=utf-8", "export const x = 1;\n"},
    {"console.css", "text/css; charset=utf-8", "body { margin: 0 }\n"},
};

http::Response Send(ConsoleHandler& handler, std::string method, std::string target,
                    std::string if_none_match = "") {
  http::Request req;
  req.method = std::move(method);
  req.target = std::move(target);
  if (!if_none_match.empty()) req.headers.emplace_back("if-none-match", if_none_match);
  std::optional<http::Response> out;
  handler.Handle(req, [&out](http::Response res) { out = std::move(res); });
  EXPECT_TRUE(out.has_value());
  return out.value_or(http::Response{});
}

std::optional<std::string> HeaderOf(const http::Response& res, std::string_view name) {
  for (const auto& [k, v] : res.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

TEST(ConsoleHandler, TheRootServesIndexHtml) {
  ConsoleHandler handler(kTestAssets);
  auto res = Send(handler, "GET", "/console/");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "<!doctype html><title>t</title>");
  EXPECT_EQ(HeaderOf(res, "Content-Type"), "text/html; charset=utf-8");
  // A query string (a cache buster, a hash router's leftovers) changes nothing.
  EXPECT_EQ(Send(handler, "GET", "/console/?x=1").body, res.body);
  EXPECT_EQ(Send(handler, "GET", "/console/index.html").body, res.body);
}

TEST(ConsoleHandler, EachAssetHasItsContentType) {
  ConsoleHandler handler(kTestAssets);
  auto js = Send(handler, "GET", "/console/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "export const x = 1;\n");
  EXPECT_EQ(HeaderOf(js, "Content-Type"), "text/javascript; charset=utf-8");
  auto css = Send(handler, "GET", "/console/console.css");
  EXPECT_EQ(HeaderOf(css, "Content-Type"), "text/css; charset=utf-8");
}

TEST(ConsoleHandler, UnknownPathsAre404) {
  ConsoleHandler handler(kTestAssets);
  for (std::string target : {"/console/nope.js", "/console/app.js/", "/console//app.js",
                             "/console/../console/app.js", "/console/APP.JS", "/consolex"}) {
    auto res = Send(handler, "GET", target);
    EXPECT_EQ(res.status, 404) << target;
    EXPECT_EQ(HeaderOf(res, "Content-Type"), "text/plain; charset=utf-8") << target;
    EXPECT_EQ(HeaderOf(res, "X-Content-Type-Options"), "nosniff") << target;
  }
}

TEST(ConsoleHandler, ConsoleWithoutSlashRedirectsToTheRoot) {
  ConsoleHandler handler(kTestAssets);
  auto res = Send(handler, "GET", "/console");
  EXPECT_EQ(res.status, 301);
  EXPECT_EQ(HeaderOf(res, "Location"), "/console/");
  EXPECT_EQ(Send(handler, "GET", "/console?a=b").status, 301);
}

TEST(ConsoleHandler, EveryAnswerCarriesTheSecurityHeaders) {
  ConsoleHandler handler(kTestAssets);
  for (std::string target : {"/console/", "/console/app.js", "/console/missing", "/console"}) {
    auto res = Send(handler, "GET", target);
    EXPECT_EQ(HeaderOf(res, "Content-Security-Policy"),
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; frame-ancestors 'none'")
        << target;
    EXPECT_EQ(HeaderOf(res, "X-Content-Type-Options"), "nosniff") << target;
    EXPECT_EQ(HeaderOf(res, "Referrer-Policy"), "no-referrer") << target;
    EXPECT_EQ(HeaderOf(res, "X-Frame-Options"), "DENY") << target;
  }
}

TEST(ConsoleHandler, AssetsAreRevalidatedByTheirETag) {
  ConsoleHandler handler(kTestAssets);
  auto first = Send(handler, "GET", "/console/app.js");
  EXPECT_EQ(HeaderOf(first, "Cache-Control"), "no-cache");
  auto etag = HeaderOf(first, "ETag");
  ASSERT_TRUE(etag.has_value());
  EXPECT_EQ(etag->front(), '"');
  EXPECT_NE(etag, HeaderOf(Send(handler, "GET", "/console/console.css"), "ETag"));

  auto again = Send(handler, "GET", "/console/app.js", *etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  EXPECT_EQ(Send(handler, "GET", "/console/app.js", "\"other\", W/" + *etag).status, 304);
  EXPECT_EQ(Send(handler, "GET", "/console/app.js", "\"other\"").status, 200);
}

TEST(ConsoleHandler, HeadIsAnsweredAsGet) {
  // The server drops a HEAD answer's body and keeps its length.
  ConsoleHandler handler(kTestAssets);
  auto get = Send(handler, "GET", "/console/app.js");
  auto head = Send(handler, "HEAD", "/console/app.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers, get.headers);
  EXPECT_EQ(head.body.size(), get.body.size());
}

TEST(ConsoleHandler, TheEmbeddedAssetsAreServed) {
  ConsoleHandler handler;
  auto index = Send(handler, "GET", "/console/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("<script type=\"module\" src=\"app.js\"></script>"), std::string::npos);
  for (const Asset& asset : EmbeddedAssets()) {
    auto res = Send(handler, "GET", "/console/" + std::string(asset.name));
    EXPECT_EQ(res.status, 200) << asset.name;
    EXPECT_FALSE(res.body.empty()) << asset.name;
    EXPECT_EQ(HeaderOf(res, "Content-Type"), std::string(asset.content_type)) << asset.name;
  }
  EXPECT_EQ(HeaderOf(Send(handler, "GET", "/console/app.js"), "Content-Type"),
            "text/javascript; charset=utf-8");
}

}  // namespace
}  // namespace ferry::console
