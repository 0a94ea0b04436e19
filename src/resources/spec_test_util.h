// Test helper: a resources file parsed from text, failing the test when it
// does not validate.
//
// Thread-safety: a pure function.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "resources/spec.h"

namespace ferry::resources {

inline Spec MustParse(std::string_view text) {
  Result<Spec> spec = ParseSpec(text, "r.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? *spec : Spec{};
}

}  // namespace ferry::resources
