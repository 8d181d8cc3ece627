#include "domain/stock_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>

namespace sellerbridge::domain {
namespace {

constexpr std::array<std::pair<VelocityClass, std::string_view>, 3> kClassNames = {{
    {VelocityClass::kA, "A"},
    {VelocityClass::kB, "B"},
    {VelocityClass::kC, "C"},
}};

constexpr std::array<std::pair<BufferKind, std::string_view>, 4> kBufferNames = {{
    {BufferKind::kNone, "none"},
    {BufferKind::kFixed, "fixed"},
    {BufferKind::kPercent, "percent"},
    {BufferKind::kVelocity, "velocity"},
}};

// `units` rounded up to whole units; 0 for negative and NaN.
std::int64_t CeilUnits(double units) {
  if (!(units > 0)) {
    return 0;
  }
  // 2^63 is exactly representable; anything at or above it does not fit.
  constexpr double kLimit = 9223372036854775808.0;
  if (units >= kLimit) {
    return std::numeric_limits<std::int64_t>::max();
  }
  // Products such as 0.1 × 30 come out a hair above the whole number they
  // stand for; rounding that up would hold back a unit nobody asked for.
  const double nearest = std::round(units);
  if (std::abs(units - nearest) <= 1e-9 * std::max(1.0, nearest)) {
    return static_cast<std::int64_t>(nearest);
  }
  return static_cast<std::int64_t>(std::ceil(units));
}

}  // namespace

std::string_view VelocityClassName(VelocityClass c) {
  for (const auto& [value, name] : kClassNames) {
    if (value == c) {
      return name;
    }
  }
  return "Unknown";
}

Result<VelocityClass> ParseVelocityClass(std::string_view text) {
  for (const auto& [value, name] : kClassNames) {
    if (text.size() == 1 && std::toupper(static_cast<unsigned char>(text[0])) == name[0]) {
      return value;
    }
  }
  return InvalidArgumentError(fmt::format("unknown velocity class '{}'; expected A, B or C", text));
}

std::string_view BufferKindName(BufferKind kind) {
  for (const auto& [value, name] : kBufferNames) {
    if (value == kind) {
      return name;
    }
  }
  return "unknown";
}

Result<BufferKind> ParseBufferKind(std::string_view text) {
  for (const auto& [value, name] : kBufferNames) {
    if (text == name) {
      return value;
    }
  }
  return InvalidArgumentError(
      fmt::format("unknown buffer kind '{}'; expected none, fixed, percent or velocity", text));
}

std::int64_t BufferUnits(const StockPolicy& policy, std::int64_t sellable,
                         const StockDemand& demand) {
  const std::int64_t least = std::max<std::int64_t>(policy.buffer_units, 0);
  switch (policy.buffer) {
    case BufferKind::kNone:
      return 0;
    case BufferKind::kFixed:
      return least;
    case BufferKind::kPercent: {
      // A negative or NaN percentage comes out of CeilUnits as 0.
      const double percent = std::min(policy.buffer_percent, 100.0);
      return CeilUnits(static_cast<double>(std::max<std::int64_t>(sellable, 0)) * percent / 100);
    }
    case BufferKind::kVelocity: {
      const double hours =
          std::chrono::duration<double, std::ratio<3600>>(demand.publish_latency).count();
      if (!(demand.units_per_hour > 0) || !(hours > 0)) {
        return least;
      }
      const double expected = demand.units_per_hour * hours;
      return std::max(least, CeilUnits(expected + kVelocityDeviations * std::sqrt(expected)));
    }
  }
  return 0;
}

std::int64_t ListedQuantity(const StockPolicy& policy, std::int64_t available,
                            const StockDemand& demand) {
  const std::int64_t sellable = std::max<std::int64_t>(available, 0);
  if (sellable <= policy.zero_at_or_below) {
    return 0;
  }
  // sellable >= 0 and buffer >= 0, so the difference cannot overflow.
  std::int64_t quantity =
      std::max<std::int64_t>(sellable - BufferUnits(policy, sellable, demand), 0);
  if (sellable >= policy.min_quantity) {
    quantity = std::max(quantity, policy.min_quantity);
  }
  if (policy.max_quantity) {
    quantity = std::min(quantity, *policy.max_quantity);
  }
  return std::clamp<std::int64_t>(quantity, 0, sellable);
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0;
  size_t t = 0;
  // Where to resume after the last '*' seen: the pattern just past it, and the
  // text position it currently stands for the run up to. Only the last '*'
  // ever needs revisiting: whatever an earlier one could still absorb, the
  // last one absorbs as well, which is what keeps this from going exponential.
  size_t star_p = std::string_view::npos;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_t = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star_p != std::string_view::npos) {
      p = star_p;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

StockPolicies::StockPolicies(StockPolicy default_policy, std::vector<StockPolicyRule> rules)
    : default_(default_policy), rules_(std::move(rules)) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].sku.empty()) {
      others_.push_back(i);
    } else {
      by_sku_.emplace(rules_[i].sku, i);
    }
  }
}

bool StockPolicies::Matches(const StockPolicyRule& rule, std::string_view sku,
                            VelocityClass velocity_class) {
  return (!rule.velocity_class || *rule.velocity_class == velocity_class) &&
         (rule.sku_pattern.empty() || GlobMatch(rule.sku_pattern, sku));
}

const StockPolicy& StockPolicies::For(std::string_view sku, VelocityClass velocity_class) const {
  if (const auto it = by_sku_.find(sku); it != by_sku_.end()) {
    const StockPolicyRule& rule = rules_[it->second];
    if (Matches(rule, sku, velocity_class)) {
      return rule.policy;
    }
  }
  for (const size_t i : others_) {
    if (Matches(rules_[i], sku, velocity_class)) {
      return rules_[i].policy;
    }
  }
  return default_;
}

}  // namespace sellerbridge::domain
