#include "cli/peek.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ferry::cli {
namespace {

namespace json = boost::json;

TEST(AttributeFilterTest, EqualsPrefixAndExists) {
  Result<json::object> f = AttributeFilter({"color=red", "tenant^=acme-", "trace", "eq=a=b"}, true);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(json::serialize(*f),
            R"({"color":"red","tenant":{"Prefix":"acme-"},"trace":{"Exists":true},"eq":"a=b"})");
}

TEST(AttributeFilterTest, ABareNameNeedsExistsAndANameIsRequired) {
  EXPECT_FALSE(AttributeFilter({"trace"}, false).ok());
  EXPECT_FALSE(AttributeFilter({"=red"}, false).ok());
  EXPECT_FALSE(AttributeFilter({"^=red"}, false).ok());
  EXPECT_FALSE(AttributeFilter({""}, true).ok());
}

TEST(PeekParamsTest, StatesReplaceTheIncludeFlags) {
  PeekOptions o;
  o.states = {"inflight,delayed", "delayed"};
  Result<json::object> p = PeekParams(o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(json::serialize(*p), R"({"States":["inflight","delayed"]})");
  o.states.clear();
  o.include_delayed = false;
  o.contains = "timeout";
  o.dead_letter_queue = true;
  p = PeekParams(o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(
      json::serialize(*p),
      R"({"IncludeInFlight":true,"IncludeDelayed":false,"BodyContains":"timeout","DeadLetterQueue":true})");
}

TEST(RelativeTimeTest, PastFutureAndMissing) {
  EXPECT_EQ(RelativeTime(1'000, 42'000), "41s ago");
  EXPECT_EQ(RelativeTime(167'000, 42'000), "in 2m05s");
  EXPECT_EQ(RelativeTime(42'400, 42'000), "now");
  EXPECT_EQ(RelativeTime(-1, 42'000), "-");
}

TEST(PeekTableTest, ShowsEveryColumnAndEscapesControlCharacters) {
  PeekTable table(100'000);
  table.Add(json::parse(R"({"SequenceNumber":"17","MessageId":"m-1","State":"delayed",
      "SentTimestamp":40000,"ApproximateReceiveCount":2,"VisibleAtTimestamp":130000,
      "MessageGroupId":"g1","Body":"a\u001b[31mb\r\n"})")
                .as_object());
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(
      out.str(),
      "SEQ  MESSAGE ID  STATE    SENT       RECEIVES  VISIBLE AT  GROUP  SIZE  BODY\n"
      " 17  m-1         delayed  1m00s ago         2  in 30s      g1      9 B  a\\x1B[31mb\\r\\n\n");
}

TEST(PeekTableTest, AnEmptyTableSaysSo) {
  std::ostringstream out;
  PeekTable(0).Print(out);
  EXPECT_EQ(out.str(), "no messages\n");
}

}  // namespace
}  // namespace ferry::cli
