#include "amazon/rate_limit_table.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <set>

namespace sellerbridge::amazon {
namespace {

std::vector<std::string_view> Split(std::string_view line, char separator) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t end = line.find(separator, start);
    fields.push_back(line.substr(start, end - start));
    if (end == std::string_view::npos) {
      return fields;
    }
    start = end + 1;
  }
}

}  // namespace

Result<std::vector<OperationLimit>> ParseRateLimitTable(std::string_view tsv) {
  std::vector<OperationLimit> limits;
  std::map<std::string, size_t, std::less<>> columns;
  std::set<std::string, std::less<>> seen;
  int line_number = 0;
  size_t start = 0;
  while (start < tsv.size()) {
    size_t end = tsv.find('\n', start);
    if (end == std::string_view::npos) {
      end = tsv.size();
    }
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      continue;
    }
    const std::vector<std::string_view> fields = Split(line, '\t');
    if (columns.empty()) {
      for (size_t i = 0; i < fields.size(); ++i) {
        columns.emplace(std::string(fields[i]), i);
      }
      for (const char* required :
           {"operation", "http_method", "path", "rate_per_second", "burst"}) {
        if (!columns.contains(required)) {
          return InvalidArgumentError(
              fmt::format("rate-limit table line 1: no column named '{}'", required));
        }
      }
      continue;
    }
    auto field = [&](std::string_view name) -> std::string_view {
      const size_t index = columns.find(name)->second;
      return index < fields.size() ? fields[index] : std::string_view();
    };
    OperationLimit limit;
    limit.api = std::string(field("api"));
    limit.operation = std::string(field("operation"));
    limit.method = std::string(field("http_method"));
    limit.path = std::string(field("path"));
    const std::string rate(field("rate_per_second"));
    const std::string_view burst = field("burst");
    char* rate_end = nullptr;
    limit.rate_per_second = std::strtod(rate.c_str(), &rate_end);
    const auto [burst_end, burst_error] =
        std::from_chars(burst.data(), burst.data() + burst.size(), limit.burst);
    if (limit.operation.empty() || rate_end != rate.c_str() + rate.size() ||
        limit.rate_per_second <= 0 || burst_error != std::errc() ||
        burst_end != burst.data() + burst.size() || limit.burst <= 0) {
      return InvalidArgumentError(fmt::format(
          "rate-limit table line {}: operation '{}' needs a positive rate and burst, got '{}' and "
          "'{}'",
          line_number, limit.operation, rate, burst));
    }
    if (!seen.insert(limit.method + " " + limit.path).second) {
      return InvalidArgumentError(fmt::format("rate-limit table line {}: {} {} repeated",
                                              line_number, limit.method, limit.path));
    }
    limits.push_back(std::move(limit));
  }
  return limits;
}

const std::vector<OperationLimit>& DocumentedRateLimits() {
  static const std::vector<OperationLimit> kLimits = [] {
    auto parsed = ParseRateLimitTable(RateLimitTableTsv());
    // The table is compiled in and checked by the tests; a bad one is a build defect.
    return parsed.ok() ? std::move(parsed).value() : std::vector<OperationLimit>();
  }();
  return kLimits;
}

}  // namespace sellerbridge::amazon
