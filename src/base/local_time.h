#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge {

// The calendar date of `t` in the IANA time zone `time_zone`, as
// "YYYY-MM-DD": what a marketplace calls the day. InvalidArgument naming the
// zone when it is unknown. Thread-safe.
Result<std::string> LocalDate(TimePoint t, std::string_view time_zone);

// `t` in `time_zone` to the minute with the zone's abbreviation, for people:
// "2026-11-27 23:59 GMT". InvalidArgument naming the zone when it is unknown.
// Thread-safe.
Result<std::string> FormatLocalTime(TimePoint t, std::string_view time_zone);

}  // namespace sellerbridge
