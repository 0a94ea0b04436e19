// The web console's files (src/console/assets/), compiled into the binary by
// embed_assets.cmake: each one's name under /console/, its Content-Type and
// its bytes. Nothing is read from disk or fetched at run time.
//
// Thread-safety: constant data, read from any thread.
#pragma once

#include <span>
#include <string_view>

namespace ferry::console {

struct Asset {
  std::string_view name;  // "index.html", "app.js": the path under /console/
  std::string_view content_type;
  std::string_view body;
};

// Every embedded asset, in the order CMakeLists.txt lists them.
std::span<const Asset> EmbeddedAssets();

}  // namespace ferry::console
