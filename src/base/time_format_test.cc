#include "base/time_format.h"

#include <gtest/gtest.h>

namespace sellerbridge {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(TimeFormatTest, FormatsUtcWithMilliseconds) {
  const TimePoint t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + hours{8} +
                      minutes{14} + seconds{23} + milliseconds{125};
  EXPECT_EQ(FormatIso8601(t), "2026-11-27T08:14:23.125Z");
}

TEST(TimeFormatTest, ParsesZuluOffsetsAndFractions) {
  const TimePoint expected = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + hours{8} +
                             minutes{14} + seconds{23};
  EXPECT_EQ(*ParseIso8601("2026-11-27T08:14:23Z"), expected);
  EXPECT_EQ(*ParseIso8601("2026-11-27T09:14:23+01:00"), expected);
  EXPECT_EQ(*ParseIso8601("2026-11-27T03:14:23-0500"), expected);
  EXPECT_EQ(*ParseIso8601("2026-11-27T08:14:23.500Z"), expected + milliseconds{500});
  EXPECT_EQ(*ParseIso8601(FormatIso8601(expected)), expected);
}

TEST(TimeFormatTest, RejectsMalformedDates) {
  for (const char* bad :
       {"", "02/21/2022", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-27T08:14:23",
        "2026-11-27T08:14:23Zjunk", "2026-11-27T25:00:00Z"}) {
    const auto parsed = ParseIso8601(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(TimeFormatTest, RejectsDatesOutsideWhatATimePointHolds) {
  // TimePoint counts nanoseconds in 64 bits: about 1678 to 2261.
  const auto far = ParseIso8601("2999-01-01T00:00:00Z");
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.status().message().find("out of range"), std::string::npos) << far.status();
  EXPECT_FALSE(ParseIso8601("1600-01-01T00:00:00Z").ok());
  EXPECT_TRUE(ParseIso8601("2200-01-01T00:00:00Z").ok());
}

TEST(TimeFormatTest, ParsesAndFormatsDurations) {
  EXPECT_EQ(*ParseDuration("30s"), seconds{30});
  EXPECT_EQ(*ParseDuration("5m"), minutes{5});
  EXPECT_EQ(*ParseDuration("2h"), hours{2});
  EXPECT_EQ(*ParseDuration("1d"), hours{24});
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds{250});
  EXPECT_FALSE(ParseDuration("5").ok());
  EXPECT_FALSE(ParseDuration("m5").ok());
  EXPECT_FALSE(ParseDuration("5 minutes").ok());
  EXPECT_FALSE(ParseDuration("99999999999d").ok());
  EXPECT_FALSE(ParseDuration("9223372036854775807ms").ok());
  EXPECT_EQ(FormatDuration(seconds{90}), "90s");
  EXPECT_EQ(FormatDuration(minutes{5}), "5m");
  EXPECT_EQ(FormatDuration(hours{48}), "2d");
  EXPECT_EQ(FormatDuration(milliseconds{1500}), "1500ms");
}

}  // namespace
}  // namespace sellerbridge
