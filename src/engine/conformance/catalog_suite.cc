// Conformance: the catalog (PutEntry, EraseEntry, Entries) — entries
// replaced whole, erasures, kinds kept apart, key order, durability.
#include <map>
#include <string>
#include <vector>

#include "engine/conformance/suite.h"

namespace ferry::engine::conformance {
namespace {

using Fields = std::map<std::string, std::string>;

std::vector<std::string> Keys(const std::vector<CatalogEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.key);
  return out;
}

TEST_P(EngineConformanceTest, APutEntryIsListedWithItsFields) {
  EXPECT_TRUE(engine_->Entries(CatalogKind::kTopic).empty());
  const Fields fields = {
      {"DisplayName", "Orders ✓"}, {"Policy", "{\"Version\":\"2012-10-17\"}"}, {"Empty", ""}};
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"orders", fields}).ok());
  EXPECT_EQ(engine_->Entries(CatalogKind::kTopic),
            (std::vector<CatalogEntry>{CatalogEntry{"orders", fields}}));
}

TEST_P(EngineConformanceTest, PutEntryReplacesTheWholeEntry) {
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"t", {{"a", "1"}, {"b", "2"}}}).ok());
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"t", {{"b", "3"}}}).ok());
  EXPECT_EQ(engine_->Entries(CatalogKind::kTopic),
            (std::vector<CatalogEntry>{CatalogEntry{"t", {{"b", "3"}}}}))
      << "fields the new entry lacks are gone, not merged";
}

TEST_P(EngineConformanceTest, EraseEntryRemovesOneEntryAndIgnoresMissingKeys) {
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"a", {}}).ok());
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"b", {}}).ok());
  ASSERT_TRUE(engine_->EraseEntry(CatalogKind::kTopic, "a").ok());
  EXPECT_TRUE(engine_->EraseEntry(CatalogKind::kTopic, "a").ok()) << "already gone";
  EXPECT_TRUE(engine_->EraseEntry(CatalogKind::kTopic, "never").ok());
  EXPECT_EQ(Keys(engine_->Entries(CatalogKind::kTopic)), (std::vector<std::string>{"b"}));
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"a", {{"again", "1"}}}).ok());
  EXPECT_EQ(Keys(engine_->Entries(CatalogKind::kTopic)), (std::vector<std::string>{"a", "b"}));
}

TEST_P(EngineConformanceTest, CatalogKindsAreKeptApart) {
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"same", {{"kind", "topic"}}}).ok());
  ASSERT_TRUE(
      engine_->PutEntry(CatalogKind::kSubscription, {"same", {{"kind", "subscription"}}}).ok());
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kSubscription, {"other", {}}).ok());
  ASSERT_TRUE(engine_->EraseEntry(CatalogKind::kTopic, "other").ok());
  EXPECT_EQ(engine_->Entries(CatalogKind::kTopic),
            (std::vector<CatalogEntry>{CatalogEntry{"same", {{"kind", "topic"}}}}));
  EXPECT_EQ(Keys(engine_->Entries(CatalogKind::kSubscription)),
            (std::vector<std::string>{"other", "same"}));
  ASSERT_TRUE(engine_->EraseEntry(CatalogKind::kSubscription, "same").ok());
  EXPECT_EQ(Keys(engine_->Entries(CatalogKind::kTopic)), (std::vector<std::string>{"same"}));
}

// Key order is byte order (a database engine must not sort by a locale's
// collation): upper case before lower case, a prefix before its extensions.
TEST_P(EngineConformanceTest, EntriesAreListedInByteOrderOfTheirKeys) {
  for (const char* key : {"b", "a:2", "B", "a", "a:10", "é", "z"}) {
    ASSERT_TRUE(engine_->PutEntry(CatalogKind::kSubscription, {key, {}}).ok());
  }
  EXPECT_EQ(Keys(engine_->Entries(CatalogKind::kSubscription)),
            (std::vector<std::string>{"B", "a", "a:10", "a:2", "b", "z", "é"}));
}

TEST_P(EngineConformanceTest, ACatalogChangeIsDurableAfterAfterDurable) {
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"t", {{"k", "v"}}}).ok());
  EXPECT_TRUE(WaitDurable().ok());
  ASSERT_TRUE(engine_->EraseEntry(CatalogKind::kTopic, "t").ok());
  EXPECT_TRUE(WaitDurable().ok());
}

TEST_P(EngineConformanceTest, TheCatalogSurvivesARestart) {
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"kept", {{"v", "1"}}}).ok());
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"replaced", {{"v", "1"}}}).ok());
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kTopic, {"replaced", {{"v", "2"}}}).ok());
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kSubscription, {"erased", {}}).ok());
  ASSERT_TRUE(engine_->EraseEntry(CatalogKind::kSubscription, "erased").ok());
  ASSERT_TRUE(engine_->PutEntry(CatalogKind::kSubscription, {"s", {{"Protocol", "sqs"}}}).ok());
  ASSERT_TRUE(WaitDurable().ok());
  if (!Restart()) GTEST_SKIP() << "this engine keeps nothing across a restart";
  EXPECT_EQ(engine_->Entries(CatalogKind::kTopic),
            (std::vector<CatalogEntry>{CatalogEntry{"kept", {{"v", "1"}}},
                                       CatalogEntry{"replaced", {{"v", "2"}}}}));
  EXPECT_EQ(engine_->Entries(CatalogKind::kSubscription),
            (std::vector<CatalogEntry>{CatalogEntry{"s", {{"Protocol", "sqs"}}}}));
}

}  // namespace
}  // namespace ferry::engine::conformance
