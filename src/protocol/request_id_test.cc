#include "protocol/request_id.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace ferry::protocol {
namespace {

TEST(RequestId, IsACanonicalVersion4Uuid) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t p = 0; p < id.size(); ++p) {
      if (p == 8 || p == 13 || p == 18 || p == 23) {
        EXPECT_EQ(id[p], '-') << id;
      } else {
        EXPECT_TRUE((id[p] >= '0' && id[p] <= '9') || (id[p] >= 'a' && id[p] <= 'f')) << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  }
}

TEST(RequestId, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(NewRequestId()).second);
}

}  // namespace
}  // namespace ferry::protocol
