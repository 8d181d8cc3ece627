#include "emulators/amazon/ship_by.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <chrono>

namespace sellerbridge::emulators::amazon {
namespace {

const date::time_zone* Zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

bool IsWeekend(date::sys_days day) {
  const date::weekday weekday{day};
  return weekday == date::Saturday || weekday == date::Sunday;
}

// `day` moved forward to a business day, then by `count` more business days.
date::sys_days AddBusinessDays(date::sys_days day, int count) {
  while (IsWeekend(day)) {
    day += date::days{1};
  }
  for (int i = 0; i < count; ++i) {
    day += date::days{1};
    while (IsWeekend(day)) {
      day += date::days{1};
    }
  }
  return day;
}

// The instant of local `time` on local `day` in `zone`; a time that a DST
// change skips or repeats resolves to the earlier instant.
TimePoint AtLocal(const date::time_zone* zone, date::sys_days day, std::chrono::seconds time) {
  const date::local_seconds local{date::local_days{day.time_since_epoch()} + time};
  const date::sys_seconds utc = zone->to_sys(local, date::choose::earliest);
  return TimePoint(std::chrono::duration_cast<Duration>(utc.time_since_epoch()));
}

}  // namespace

Result<ShipWindow> ComputeShipWindow(TimePoint purchase, std::string_view time_zone,
                                     int handling_days, int cutoff_hour, int transit_days) {
  const date::time_zone* zone = Zone(time_zone);
  if (zone == nullptr) {
    return InvalidArgumentError(fmt::format("unknown time zone \"{}\"", time_zone));
  }
  const auto local = zone->to_local(std::chrono::time_point_cast<std::chrono::seconds>(purchase));
  const date::local_days local_day = date::floor<date::days>(local);
  const auto hour = std::chrono::duration_cast<std::chrono::hours>(local - local_day).count();
  date::sys_days start{local_day.time_since_epoch()};
  if (hour >= cutoff_hour || IsWeekend(start)) {
    start += date::days{1};
  }
  const date::sys_days ship_day = AddBusinessDays(start, handling_days);
  const date::sys_days delivery_first = AddBusinessDays(ship_day, 1);
  const date::sys_days delivery_last = AddBusinessDays(ship_day, transit_days);
  constexpr std::chrono::seconds kEndOfDay{23 * 3600 + 59 * 60 + 59};
  ShipWindow window;
  window.earliest_ship = purchase;
  window.latest_ship = AtLocal(zone, ship_day, kEndOfDay);
  window.earliest_delivery = AtLocal(zone, delivery_first, std::chrono::seconds{0});
  window.latest_delivery = AtLocal(zone, delivery_last, kEndOfDay);
  return window;
}

int LocalHour(TimePoint t, std::string_view time_zone) {
  const date::time_zone* zone = Zone(time_zone);
  if (zone == nullptr) {
    return 12;
  }
  const auto local = zone->to_local(std::chrono::time_point_cast<std::chrono::seconds>(t));
  const date::local_days day = date::floor<date::days>(local);
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(local - day).count());
}

}  // namespace sellerbridge::emulators::amazon
