#include "engine/queue_key.h"

#include <gtest/gtest.h>

namespace ferry::engine {
namespace {

TEST(QueueKey, TheDefaultAccountsHomeRegionQueueIsItsPlainName) {
  EXPECT_EQ((QueueKey{"", "jobs", ""}).Encode(), "jobs");
  EXPECT_EQ(QueueKey::Decode("jobs"), (QueueKey{"", "jobs", ""}));
}

TEST(QueueKey, TheDefaultAccountsOtherRegionsKeepTheirRegionSlashNameForm) {
  EXPECT_EQ((QueueKey{"eu-central-1", "jobs", ""}).Encode(), "eu-central-1/jobs");
  EXPECT_EQ(QueueKey::Decode("eu-central-1/jobs"), (QueueKey{"eu-central-1", "jobs", ""}));
}

TEST(QueueKey, AnotherAccountNamesItselfWithAnEmptyRegionForHome) {
  EXPECT_EQ((QueueKey{"", "jobs", "111111111111"}).Encode(), "111111111111//jobs");
  EXPECT_EQ(QueueKey::Decode("111111111111//jobs"), (QueueKey{"", "jobs", "111111111111"}));
}

TEST(QueueKey, AnotherAccountInAnotherRegionNamesBoth) {
  const QueueKey key{"eu-central-1", "jobs.fifo", "222222222222"};
  EXPECT_EQ(key.Encode(), "222222222222/eu-central-1/jobs.fifo");
  EXPECT_EQ(QueueKey::Decode(key.Encode()), key);
}

// A 12-digit region name is legal ([a-z0-9-]); the slash count, not the
// segment's look, tells a region from an account.
TEST(QueueKey, ARegionThatLooksLikeAnAccountStaysARegion) {
  EXPECT_EQ(QueueKey::Decode("111111111111/jobs"), (QueueKey{"111111111111", "jobs", ""}));
  EXPECT_NE(QueueKey::Decode("111111111111/jobs"), QueueKey::Decode("111111111111//jobs"));
}

TEST(QueueKey, EveryFormRoundTrips) {
  for (const char* account : {"", "111111111111"}) {
    for (const char* region : {"", "us-west-2"}) {
      for (const char* name : {"q", "a-b_c", "x.fifo"}) {
        const QueueKey key{region, name, account};
        EXPECT_EQ(QueueKey::Decode(key.Encode()), key) << key.Encode();
      }
    }
  }
}

}  // namespace
}  // namespace ferry::engine
