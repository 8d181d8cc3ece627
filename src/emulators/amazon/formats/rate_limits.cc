#include "emulators/amazon/formats/rate_limits.h"

#include <fmt/format.h>

#include <array>
#include <cassert>
#include <charconv>
#include <cmath>

#include "emulators/amazon/formats/reference_data.h"

namespace sellerbridge::emulators::amazon {
namespace {

constexpr std::array<std::string_view, 6> kRequiredColumns = {
    "api", "operation", "http_method", "path", "rate_per_second", "burst"};

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const size_t tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) {
      return fields;
    }
    line.remove_prefix(tab + 1);
  }
}

bool ParseRate(std::string_view text, double& out) {
  // std::from_chars for double is locale-independent, unlike strtod.
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out) && out > 0;
}

bool ParseBurst(std::string_view text, int& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && out > 0;
}

}  // namespace

Result<std::vector<RateLimit>> ParseRateLimits(std::string_view tsv) {
  std::vector<RateLimit> limits;
  std::array<size_t, kRequiredColumns.size()> column_of{};
  size_t column_count = 0;
  bool seen_header = false;
  int line_number = 0;
  while (!tsv.empty()) {
    ++line_number;
    const size_t end = tsv.find('\n');
    std::string_view line = tsv.substr(0, end);
    tsv = end == std::string_view::npos ? std::string_view() : tsv.substr(end + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      continue;
    }
    const std::vector<std::string_view> fields = SplitTabs(line);
    if (!seen_header) {
      // Columns are found by name so that added or reordered columns (such as
      // source_file) do not break the table.
      for (size_t i = 0; i < kRequiredColumns.size(); ++i) {
        size_t j = 0;
        while (j < fields.size() && fields[j] != kRequiredColumns[i]) {
          ++j;
        }
        if (j == fields.size()) {
          return InvalidArgumentError(fmt::format("rate limits line {}: header has no column '{}'",
                                                  line_number, kRequiredColumns[i]));
        }
        column_of[i] = j;
      }
      column_count = fields.size();
      seen_header = true;
      continue;
    }
    if (fields.size() != column_count) {
      return InvalidArgumentError(fmt::format("rate limits line {}: {} fields, expected {}",
                                              line_number, fields.size(), column_count));
    }
    RateLimit limit;
    limit.api = fields[column_of[0]];
    limit.operation = fields[column_of[1]];
    limit.method = fields[column_of[2]];
    limit.path = fields[column_of[3]];
    if (limit.api.empty() || limit.operation.empty() || limit.method.empty() ||
        limit.path.empty() || limit.path.front() != '/') {
      return InvalidArgumentError(
          fmt::format("rate limits line {}: api, operation, method and path are required "
                      "(path starting with '/')",
                      line_number));
    }
    if (!ParseRate(fields[column_of[4]], limit.rate_per_second)) {
      return InvalidArgumentError(
          fmt::format("rate limits line {}: rate '{}' is not a positive "
                      "number",
                      line_number, fields[column_of[4]]));
    }
    if (!ParseBurst(fields[column_of[5]], limit.burst)) {
      return InvalidArgumentError(
          fmt::format("rate limits line {}: burst '{}' is not a positive integer", line_number,
                      fields[column_of[5]]));
    }
    limits.push_back(std::move(limit));
  }
  if (!seen_header) {
    return InvalidArgumentError("rate limits: the table has no header row");
  }
  return limits;
}

const std::vector<RateLimit>& DefaultRateLimits() {
  static const std::vector<RateLimit> kLimits = [] {
    Result<std::vector<RateLimit>> parsed = ParseRateLimits(RateLimitsTsv());
    // The table is compiled in, and a test parses it: failing here is a bug.
    assert(parsed.ok() && "the embedded RATE-LIMITS.tsv does not parse");
    return parsed.ok() ? std::move(parsed).value() : std::vector<RateLimit>{};
  }();
  return kLimits;
}

}  // namespace sellerbridge::emulators::amazon
