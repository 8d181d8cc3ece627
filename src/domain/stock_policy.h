#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::domain {

// How fast a SKU sells: A fast movers, B the rest, C the long tail (nothing
// sold in the velocity window).
enum class VelocityClass { kA, kB, kC };

// "A", "B" or "C".
std::string_view VelocityClassName(VelocityClass c);

// Accepts "A", "B", "C" and their lower case; InvalidArgument naming `text`
// otherwise.
Result<VelocityClass> ParseVelocityClass(std::string_view text);

// How the units held back from Amazon (the buffer) are worked out.
enum class BufferKind {
  kNone,      // Nothing is held back.
  kFixed,     // StockPolicy::buffer_units.
  kPercent,   // StockPolicy::buffer_percent of the sellable units.
  kVelocity,  // What sells while a change reaches buyers, at least buffer_units.
};

// "none", "fixed", "percent" or "velocity".
std::string_view BufferKindName(BufferKind kind);

// Accepts the names BufferKindName() returns; InvalidArgument naming `text`
// otherwise.
Result<BufferKind> ParseBufferKind(std::string_view text);

// How the quantity listed on Amazon follows the units Clarus has available.
struct StockPolicy {
  BufferKind buffer = BufferKind::kNone;
  std::int64_t buffer_units = 0;  // kFixed: units held back. kVelocity: the least held back.
  // kPercent: share of the sellable units held back, 0..100, rounded up to whole units.
  double buffer_percent = 0;
  std::int64_t zero_at_or_below = 0;  // Sellable at or below this lists 0.
  // While sellable is at least this, at least this many are listed (never more than sellable).
  std::int64_t min_quantity = 0;
  std::optional<std::int64_t> max_quantity;  // Never list more.

  friend bool operator==(const StockPolicy&, const StockPolicy&) = default;
};

// What the velocity buffer needs: units sold per hour over the velocity
// window, and how long a change takes to reach buyers now (the publish
// latency).
struct StockDemand {
  double units_per_hour = 0;
  Duration publish_latency{};
};

// The velocity buffer covers the units expected to sell during the publish
// latency plus this many standard deviations of that demand (taken as
// Poisson: the square root of the expected units), so that a burst of orders
// is covered too, not only an average hour.
inline constexpr double kVelocityDeviations = 3;

// Units held back from `sellable` (>= 0): 0 for kNone; buffer_units for
// kFixed; ceil(sellable × buffer_percent / 100) for kPercent (buffer_percent
// clamped to 0..100); for kVelocity, with m = units_per_hour × latency in
// hours, max(buffer_units, ceil(m + kVelocityDeviations × √m)). Rounding up
// treats a value within a hair (one part in 10^9) of a whole number as that
// number, so m = 4 (0.1/h over 40h) holds back 10, not 11. Negative or NaN
// inputs count as 0; a velocity product beyond int64 saturates.
std::int64_t BufferUnits(const StockPolicy& policy, std::int64_t sellable,
                         const StockDemand& demand);

// The quantity to list: sellable = max(available, 0); 0 if sellable <=
// zero_at_or_below; otherwise q = max(sellable − buffer, 0); then if sellable
// >= min_quantity, q = max(q, min_quantity); then q = min(q, max_quantity);
// never above sellable, never negative.
std::int64_t ListedQuantity(const StockPolicy& policy, std::int64_t available,
                            const StockDemand& demand);

// A policy for some SKUs: an exact `sku`, or a glob `sku_pattern` (* any run,
// ? one character, case-sensitive), optionally only for one velocity class. A
// rule matches a SKU when every condition it sets holds: a rule with a pattern
// and a class must match both; a rule with only a class matches every SKU of
// that class; a rule with none matches every SKU.
struct StockPolicyRule {
  std::string sku;
  std::string sku_pattern;
  std::optional<VelocityClass> velocity_class;
  StockPolicy policy;

  friend bool operator==(const StockPolicyRule&, const StockPolicyRule&) = default;
};

// Whether `text` matches the glob `pattern` as a whole: '*' matches any run of
// characters (the empty one too), '?' exactly one character, anything else
// itself (case-sensitive; there is no escape). The empty pattern matches only
// the empty text. Never backtracks past an earlier '*', so it takes at most
// O(|pattern| × |text|) steps, linear in the text for a given pattern, even for
// patterns such as a*a*a*b.
bool GlobMatch(std::string_view pattern, std::string_view text);

// The stock policies of a seller: a default, and rules over it. Exact-SKU
// rules win over every other rule; among the rest, the first matching rule in
// the order given wins; the default applies when none matches. Exact SKUs are
// looked up in a hash map, so For() costs one lookup plus the pattern and
// class rules. Immutable; thread-safe for concurrent calls.
class StockPolicies {
 public:
  StockPolicies() = default;

  // Of two exact-SKU rules for the same SKU, the first counts.
  StockPolicies(StockPolicy default_policy, std::vector<StockPolicyRule> rules);

  // The policy for `sku` of `velocity_class`. The reference lives as long as
  // this object.
  const StockPolicy& For(std::string_view sku, VelocityClass velocity_class) const;

  const StockPolicy& Default() const { return default_; }

 private:
  struct SkuHash {
    using is_transparent = void;  // NOLINT(readability-identifier-naming): the standard's name.
    std::size_t operator()(std::string_view sku) const {
      return std::hash<std::string_view>{}(sku);
    }
  };

  static bool Matches(const StockPolicyRule& rule, std::string_view sku,
                      VelocityClass velocity_class);

  StockPolicy default_;
  std::vector<StockPolicyRule> rules_;
  // Index in rules_ of the first rule for each exact SKU.
  std::unordered_map<std::string, std::size_t, SkuHash, std::equal_to<>> by_sku_;
  std::vector<std::size_t> others_;  // Indexes in rules_ of the rules without a SKU, in order.
};

}  // namespace sellerbridge::domain
