#include "cli/output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ferry::cli {
namespace {

TEST(FormatAgeTest, PicksTheTwoLargestUnits) {
  EXPECT_EQ(FormatAge(-1), "-");
  EXPECT_EQ(FormatAge(0), "0s");
  EXPECT_EQ(FormatAge(41), "41s");
  EXPECT_EQ(FormatAge(192), "3m12s");
  EXPECT_EQ(FormatAge(3600 + 5 * 60 + 7), "1h05m");
  EXPECT_EQ(FormatAge(3 * 86400 + 4 * 3600), "3d04h");
}

TEST(FormatBytesTest, UsesBinaryUnitsWithOneDecimal) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(4300), "4.2 KiB");
  EXPECT_EQ(FormatBytes(1 << 20), "1.0 MiB");
  EXPECT_EQ(FormatBytes(3758096384ull), "3.5 GiB");
}

TEST(OneLineTest, EscapesLineBreaksAndCutsLongTextWithAnEllipsis) {
  EXPECT_EQ(OneLine("a\nb\tc", 20), "a\\nb\\tc");
  EXPECT_EQ(OneLine("a\x1b[2Jb\x7f", 20), "a\\x1B[2Jb\\x7F") << "no terminal escapes";
  EXPECT_EQ(OneLine("\x01\x02", 6), "\\x01…");
  EXPECT_EQ(OneLine("a\xC2\x9B" "[2J\xC2\xA0", 20), "a\\u009B[2J\xC2\xA0") << "C1 controls too";
  EXPECT_EQ(OneLine("abcdefgh", 5), "abcd…");
  EXPECT_EQ(OneLine("abcde", 5), "abcde");
  EXPECT_EQ(OneLine("ééééé", 3), "éé…");  // whole characters, never half of one
}

TEST(TableTest, AlignsColumnsAndRightAlignsNumbers) {
  Table table({{"NAME"}, {"VISIBLE", true}, {"DLQ"}});
  table.AddRow({"orders", "12", "orders-dlq (2)"});
  table.AddRow({"orders-dlq", "2", "-"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "NAME        VISIBLE  DLQ\n"
            "orders           12  orders-dlq (2)\n"
            "orders-dlq        2  -\n");
}

TEST(TableTest, CountsCharactersNotBytesAndPadsMissingCells) {
  Table table({{"A"}, {"B"}});
  table.AddRow({"é…", "x"});
  table.AddRow({"abc"});
  std::ostringstream out;
  table.Print(out, /*header=*/false);
  EXPECT_EQ(out.str(), "é…   x\nabc\n");
}

TEST(JsonLineTest, PrintsOneCompactDocumentPerLine) {
  std::ostringstream out;
  PrintJsonLine(out, boost::json::object{{"QueueName", "q"}, {"Visible", 3}});
  PrintJsonLine(out, boost::json::object{{"QueueName", "r"}});
  EXPECT_EQ(out.str(), "{\"QueueName\":\"q\",\"Visible\":3}\n{\"QueueName\":\"r\"}\n");
}

TEST(RenderProgressTest, ShowsBarCountPercentRateAndEta) {
  EXPECT_EQ(RenderProgress(512, 1000, 480.0, 10), "[#####.....] 512/1000 51% 480 msg/s ETA 1s");
  EXPECT_EQ(RenderProgress(1000, 1000, 500.0, 10), "[##########] 1000/1000 100% 500 msg/s");
  EXPECT_EQ(RenderProgress(0, 1000, std::nullopt, 4), "[....] 0/1000 0%");
}

TEST(RenderProgressTest, WithoutATotalShowsTheCountAndRateOnly) {
  EXPECT_EQ(RenderProgress(7, 0, 3.5, 10), "7 moved 4 msg/s");
}

}  // namespace
}  // namespace ferry::cli
