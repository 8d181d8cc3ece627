#include "base/local_time.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "base/status_macros.h"

namespace sellerbridge {
namespace {

Result<const date::time_zone*> Zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return InvalidArgumentError(fmt::format("unknown time zone '{}'", name));
  }
}

}  // namespace

Result<std::string> LocalDate(TimePoint t, std::string_view time_zone) {
  ASSIGN_OR_RETURN(const date::time_zone* zone, Zone(time_zone));
  const auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(t));
  return date::format("%F", date::floor<date::days>(local));
}

Result<std::string> FormatLocalTime(TimePoint t, std::string_view time_zone) {
  ASSIGN_OR_RETURN(const date::time_zone* zone, Zone(time_zone));
  const date::zoned_time<std::chrono::minutes> zoned(zone,
                                                     std::chrono::floor<std::chrono::minutes>(t));
  return date::format("%F %R %Z", zoned);
}

}  // namespace sellerbridge
