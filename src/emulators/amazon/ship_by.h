#pragma once

#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::emulators::amazon {

// The ship window Amazon promises for a seller-fulfilled order.
struct ShipWindow {
  TimePoint earliest_ship;
  TimePoint latest_ship;
  TimePoint earliest_delivery;
  TimePoint latest_delivery;
};

// Computes the ship window of an order placed at `purchase`, reckoned in the
// marketplace's IANA `time_zone`: an order placed at or after `cutoff_hour`
// local time counts from the next business day; the ship-by day is
// `handling_days` business days (Monday to Friday) after that day, and
// latest_ship is the last second of it, local time. Delivery is
// `transit_days` business days after the ship-by day. InvalidArgument for an
// unknown time zone. Thread-safe.
Result<ShipWindow> ComputeShipWindow(TimePoint purchase, std::string_view time_zone,
                                     int handling_days, int cutoff_hour, int transit_days);

// The local hour (0..23) of `t` in `time_zone`, or 12 if the zone is unknown.
int LocalHour(TimePoint t, std::string_view time_zone);

}  // namespace sellerbridge::emulators::amazon
