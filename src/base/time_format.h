#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge {

// Formats `t` as ISO 8601 UTC with millisecond precision:
// "2026-11-27T08:14:23.125Z".
std::string FormatIso8601(TimePoint t);

// Parses an ISO 8601 date-time with a "Z" or "±hh:mm" offset and optional
// fractional seconds ("2026-11-27T08:14:23Z", "2026-11-27T09:14:23.5+01:00"),
// in the years 1678 to 2261 that a TimePoint holds. Returns InvalidArgument
// naming the text for anything else.
Result<TimePoint> ParseIso8601(std::string_view text);

// Parses a duration such as "500ms", "30s", "5m", "2h" or "1d" (one number and
// one unit). Returns InvalidArgument for anything else.
Result<Duration> ParseDuration(std::string_view text);

// Formats `d` in the largest unit that represents it exactly: "90s", "5m", "2h".
std::string FormatDuration(Duration d);

}  // namespace sellerbridge
