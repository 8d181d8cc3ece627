#include "emulators/amazon/ship_by.h"

#include <gtest/gtest.h>

#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

std::string LatestShip(std::string_view purchase, std::string_view zone, int handling, int cutoff) {
  auto window = ComputeShipWindow(*ParseIso8601(purchase), zone, handling, cutoff, 2);
  EXPECT_TRUE(window.ok());
  return window.ok() ? FormatIso8601(window->latest_ship) : "";
}

TEST(ShipByTest, ReckonsTheCutOffInTheMarketplaceTimeZone) {
  // 12:30 UTC in July is 13:30 in London (BST): before a 14:00 cut-off.
  EXPECT_EQ(LatestShip("2026-07-01T12:30:00Z", "Europe/London", 0, 14), "2026-07-01T22:59:59.000Z");
  // 13:30 UTC is 14:30 BST: after the cut-off, so Thursday.
  EXPECT_EQ(LatestShip("2026-07-01T13:30:00Z", "Europe/London", 0, 14), "2026-07-02T22:59:59.000Z");
  // 13:30 UTC is 15:30 in Berlin: after the cut-off there too.
  EXPECT_EQ(LatestShip("2026-07-01T11:30:00Z", "Europe/Berlin", 1, 14), "2026-07-02T21:59:59.000Z");
}

TEST(ShipByTest, SkipsWeekends) {
  // Saturday: counts from Monday; one handling day: Tuesday.
  EXPECT_EQ(LatestShip("2026-11-28T09:00:00Z", "Europe/London", 1, 14), "2026-12-01T23:59:59.000Z");
  // Friday before cut-off with one handling day: Monday.
  EXPECT_EQ(LatestShip("2026-11-27T09:00:00Z", "Europe/London", 1, 14), "2026-11-30T23:59:59.000Z");
}

TEST(ShipByTest, UnknownZoneIsAnError) {
  EXPECT_FALSE(
      ComputeShipWindow(*ParseIso8601("2026-11-27T09:00:00Z"), "Mars/Olympus", 1, 14, 2).ok());
  EXPECT_EQ(LocalHour(*ParseIso8601("2026-07-01T12:30:00Z"), "Europe/London"), 13);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
