#include "base/time_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>

namespace sellerbridge {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// Reads exactly `width` digits at `pos` into `out`.
bool ReadDigits(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) {
    return false;
  }
  out = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') {
      return false;
    }
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::string FormatIso8601(TimePoint t) {
  const auto ms = std::chrono::floor<milliseconds>(t);
  const auto day = std::chrono::floor<days>(ms);
  const year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

Result<TimePoint> ParseIso8601(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError(
        fmt::format("'{}' is not an ISO 8601 date-time such as 2026-11-27T08:14:23Z", text));
  };
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!ReadDigits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !ReadDigits(text, 11, 2, hour) ||
      text[13] != ':' || !ReadDigits(text, 14, 2, minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, second)) {
    return bad();
  }
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  // A TimePoint counts nanoseconds in 64 bits, from 1677-09-21 to 2262-04-11;
  // stay well inside so that offsets and arithmetic cannot overflow either.
  if (year < 1678 || year > 2261) {
    return InvalidArgumentError(
        fmt::format("'{}' is out of range: dates from 1678 to 2261 only", text));
  }
  size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    std::int64_t scale = 100'000'000;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += std::chrono::nanoseconds{(text[pos] - '0') * scale};
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return bad();
    }
  }
  std::chrono::minutes offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    int off_h = 0;
    int off_m = 0;
    if (!ReadDigits(text, pos + 1, 2, off_h)) {
      return bad();
    }
    pos += 3;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
    }
    if (!ReadDigits(text, pos, 2, off_m)) {
      return bad();
    }
    pos += 2;
    offset = std::chrono::minutes{sign * (off_h * 60 + off_m)};
  } else {
    return bad();
  }
  if (pos != text.size()) {
    return bad();
  }
  const auto local = sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                     std::chrono::seconds{second} + fraction;
  return std::chrono::time_point_cast<Duration>(local - offset);
}

Result<Duration> ParseDuration(std::string_view text) {
  struct Unit {
    std::string_view name;
    std::chrono::milliseconds length;
  };
  constexpr std::array<Unit, 5> kUnits = {{{"ms", milliseconds{1}},
                                           {"s", std::chrono::seconds{1}},
                                           {"m", std::chrono::minutes{1}},
                                           {"h", std::chrono::hours{1}},
                                           {"d", days{1}}}};
  // Anything beyond 100 years is a mistake, and would overflow Duration.
  constexpr milliseconds kLongest = days{36525};

  std::int64_t n = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  const std::string_view unit_name(ptr, static_cast<size_t>(end - ptr));
  if (ptr == text.data() || (ec != std::errc() && ec != std::errc::result_out_of_range) || n < 0) {
    return InvalidArgumentError(
        fmt::format("'{}' is not a duration such as 30s, 5m, 2h or 1d", text));
  }
  const auto* unit = std::find_if(kUnits.begin(), kUnits.end(),
                                  [&](const Unit& u) { return u.name == unit_name; });
  if (unit == kUnits.end()) {
    return InvalidArgumentError(fmt::format(
        "'{}' has no known unit (use ms, s, m, h or d), as in 30s, 5m, 2h or 1d", text));
  }
  if (ec == std::errc::result_out_of_range || n > kLongest / unit->length) {
    return InvalidArgumentError(fmt::format("'{}' is longer than 100 years", text));
  }
  return std::chrono::duration_cast<Duration>(n * unit->length);
}

std::string FormatDuration(Duration d) {
  const auto ms = std::chrono::duration_cast<milliseconds>(d).count();
  if (ms % 1000 != 0) {
    return fmt::format("{}ms", ms);
  }
  const auto s = ms / 1000;
  if (s != 0 && s % 86400 == 0) {
    return fmt::format("{}d", s / 86400);
  }
  if (s != 0 && s % 3600 == 0) {
    return fmt::format("{}h", s / 3600);
  }
  if (s != 0 && s % 60 == 0) {
    return fmt::format("{}m", s / 60);
  }
  return fmt::format("{}s", s);
}

}  // namespace sellerbridge
