#include "base/local_time.h"

#include <gtest/gtest.h>

#include "base/time_format.h"

namespace sellerbridge {
namespace {

TimePoint At(std::string_view iso) { return ParseIso8601(iso).value(); }

TEST(LocalTimeTest, DateFollowsTheZoneAcrossMidnightAndSummerTime) {
  // 23:30 UTC in July is already the next day in London (BST) and Berlin.
  EXPECT_EQ(LocalDate(At("2026-07-01T23:30:00Z"), "Europe/London").value(), "2026-07-02");
  EXPECT_EQ(LocalDate(At("2026-07-01T21:30:00Z"), "Europe/Berlin").value(), "2026-07-01");
  EXPECT_EQ(LocalDate(At("2026-07-01T22:30:00Z"), "Europe/Berlin").value(), "2026-07-02");
  // In winter London is on UTC.
  EXPECT_EQ(LocalDate(At("2026-11-27T23:30:00Z"), "Europe/London").value(), "2026-11-27");
  EXPECT_EQ(LocalDate(At("2026-11-28T04:59:00Z"), "America/New_York").value(), "2026-11-27");
}

TEST(LocalTimeTest, FormatsMinutesWithTheZoneAbbreviation) {
  EXPECT_EQ(FormatLocalTime(At("2026-11-27T23:59:30Z"), "Europe/London").value(),
            "2026-11-27 23:59 GMT");
  EXPECT_EQ(FormatLocalTime(At("2026-07-01T12:00:00Z"), "Europe/Berlin").value(),
            "2026-07-01 14:00 CEST");
}

TEST(LocalTimeTest, UnknownZoneIsInvalidArgumentNamingIt) {
  const auto date = LocalDate(At("2026-11-27T12:00:00Z"), "Mars/Olympus");
  ASSERT_EQ(date.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(date.status().message().find("Mars/Olympus"), std::string::npos);
  EXPECT_EQ(FormatLocalTime(At("2026-11-27T12:00:00Z"), "").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sellerbridge
