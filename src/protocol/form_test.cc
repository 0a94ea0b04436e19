#include "protocol/form.h"

#include <gtest/gtest.h>

#include <memory>

namespace ferry::protocol {
namespace {

FormPairs Parse(std::string_view text) {
  auto pairs = ParseForm(text);
  EXPECT_TRUE(pairs.ok()) << pairs.status().message();
  return pairs.ok() ? *pairs : FormPairs();
}

TEST(ParseForm, DecodesEscapesAndPlusAsSpace) {
  FormPairs want = {{"a b", "x+y/z"}, {"Q", "%"}};
  EXPECT_EQ(Parse("a+b=x%2By%2fz&Q=%25"), want);
}

TEST(ParseForm, SplitsAtTheFirstEqualsAndSkipsEmptyPieces) {
  FormPairs want = {{"a", "b=c"}, {"flag", ""}, {"e", ""}};
  EXPECT_EQ(Parse("&a=b=c&&flag&e=&"), want);
}

TEST(ParseForm, KeepsCharactersStrictParsersWantEncoded) {
  std::string_view raw = R"(RedrivePolicy={"maxReceiveCount":"5"}&B="[]|<>^\`)";
  FormPairs want = {{"RedrivePolicy", R"({"maxReceiveCount":"5"})"}, {"B", R"("[]|<>^\`)"}};
  EXPECT_EQ(Parse(raw), want);
  FormPairs spaced = {{"Body", "two words"}};
  EXPECT_EQ(Parse("Body=two words"), spaced);
}

TEST(ParseForm, KeepsNulBytesAndReadsPastThem) {
  std::string text("A=x\0y&B=z", 9);
  FormPairs want = {{"A", std::string("x\0y", 3)}, {"B", "z"}};
  EXPECT_EQ(Parse(text), want);
}

TEST(ParseForm, NeverReadsPastTheView) {
  // A heap copy without a terminator: ASan flags any read past its end.
  std::string_view src = "Action=ListQueues&QueueNamePrefix=a";
  auto buf = std::make_unique<char[]>(src.size());
  std::copy(src.begin(), src.end(), buf.get());
  auto pairs = ParseForm(std::string_view(buf.get(), src.size()));
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[1].second, "a");
  auto cut = ParseForm(std::string_view(buf.get(), 8));  // "Action=L"
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ((*cut)[0].second, "L");
}

TEST(ParseForm, MalformedEscapesAreRefused) {
  for (std::string_view bad : {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1&b=100%"}) {
    EXPECT_FALSE(ParseForm(bad).ok()) << bad;
  }
}

TEST(ParseForm, TooManyPairsAreRefused) {
  EXPECT_TRUE(ParseForm("a=1&b=2&c=3", 3).ok());
  EXPECT_FALSE(ParseForm("a=1&b=2&c=3&d=4", 3).ok());
}

}  // namespace
}  // namespace ferry::protocol
