#include "domain/stock_policy.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace sellerbridge::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr StockDemand kNoDemand{};

StockPolicy Fixed(std::int64_t units) {
  return {.buffer = BufferKind::kFixed, .buffer_units = units};
}

StockPolicy Percent(double percent) {
  return {.buffer = BufferKind::kPercent, .buffer_percent = percent};
}

StockPolicy Velocity(std::int64_t least) {
  return {.buffer = BufferKind::kVelocity, .buffer_units = least};
}

StockPolicy MaxOf(std::int64_t max) {
  StockPolicy policy;
  policy.max_quantity = max;
  return policy;
}

TEST(VelocityClassTest, NamesAndParsesEveryClass) {
  for (const VelocityClass c : {VelocityClass::kA, VelocityClass::kB, VelocityClass::kC}) {
    const Result<VelocityClass> parsed = ParseVelocityClass(VelocityClassName(c));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_EQ(VelocityClassName(VelocityClass::kB), "B");
  EXPECT_EQ(*ParseVelocityClass("c"), VelocityClass::kC);
}

TEST(VelocityClassTest, RejectsUnknownClassNamingIt) {
  for (const std::string_view text : {"", "D", "AA", "a ", "1"}) {
    const Result<VelocityClass> parsed = ParseVelocityClass(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(fmt::format("'{}'", text)), std::string::npos);
  }
}

TEST(BufferKindTest, NamesAndParsesEveryKind) {
  for (const BufferKind kind :
       {BufferKind::kNone, BufferKind::kFixed, BufferKind::kPercent, BufferKind::kVelocity}) {
    const Result<BufferKind> parsed = ParseBufferKind(BufferKindName(kind));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(BufferKindName(BufferKind::kVelocity), "velocity");
}

TEST(BufferKindTest, RejectsUnknownKindNamingIt) {
  const Result<BufferKind> parsed = ParseBufferKind("Fixed");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("'Fixed'"), std::string::npos);
}

TEST(BufferUnitsTest, NoneHoldsNothingBack) {
  StockPolicy policy;
  policy.buffer_units = 5;
  EXPECT_EQ(BufferUnits(policy, 100, kNoDemand), 0);
  EXPECT_EQ(ListedQuantity(policy, 100, kNoDemand), 100);
}

TEST(BufferUnitsTest, FixedHoldsBackItsUnits) {
  EXPECT_EQ(BufferUnits(Fixed(3), 100, kNoDemand), 3);
  EXPECT_EQ(BufferUnits(Fixed(3), 1, kNoDemand), 3);
  EXPECT_EQ(ListedQuantity(Fixed(3), 10, kNoDemand), 7);
  EXPECT_EQ(ListedQuantity(Fixed(3), 3, kNoDemand), 0);
  EXPECT_EQ(ListedQuantity(Fixed(3), 2, kNoDemand), 0);
}

TEST(BufferUnitsTest, PercentRoundsUpToWholeUnits) {
  EXPECT_EQ(BufferUnits(Percent(10), 100, kNoDemand), 10);
  EXPECT_EQ(BufferUnits(Percent(10), 101, kNoDemand), 11);
  EXPECT_EQ(BufferUnits(Percent(10), 1, kNoDemand), 1);
  EXPECT_EQ(BufferUnits(Percent(10), 0, kNoDemand), 0);
  EXPECT_EQ(BufferUnits(Percent(12.5), 8, kNoDemand), 1);
  EXPECT_EQ(BufferUnits(Percent(12.5), 9, kNoDemand), 2);
  EXPECT_EQ(BufferUnits(Percent(0), 1000, kNoDemand), 0);
  EXPECT_EQ(BufferUnits(Percent(100), 1000, kNoDemand), 1000);
  EXPECT_EQ(ListedQuantity(Percent(10), 101, kNoDemand), 90);
}

TEST(BufferUnitsTest, PercentThatIsWholeInDecimalIsNotRoundedUpByBinaryError) {
  // 7% of 100 and 0.1% of 3000 are whole, though not exactly so in binary.
  EXPECT_EQ(BufferUnits(Percent(7), 100, kNoDemand), 7);
  EXPECT_EQ(BufferUnits(Percent(0.1), 3000, kNoDemand), 3);
  EXPECT_EQ(BufferUnits(Percent(33.3), 1000, kNoDemand), 333);
}

TEST(BufferUnitsTest, PercentOutsideItsRangeIsClamped) {
  EXPECT_EQ(BufferUnits(Percent(-5), 100, kNoDemand), 0);
  EXPECT_EQ(BufferUnits(Percent(250), 100, kNoDemand), 100);
  EXPECT_EQ(BufferUnits(Percent(std::numeric_limits<double>::quiet_NaN()), 100, kNoDemand), 0);
}

TEST(BufferUnitsTest, VelocityHoldsBackWhatSellsDuringThePublishLatencyAndABurst) {
  // 6 units expected in 3 h, plus 3 × √6 = 7.35 for a burst: 14.
  const StockDemand demand{.units_per_hour = 2, .publish_latency = hours{3}};
  EXPECT_EQ(BufferUnits(Velocity(0), 100, demand), 14);
  EXPECT_EQ(ListedQuantity(Velocity(0), 100, demand), 86);
}

TEST(BufferUnitsTest, VelocityRoundsUp) {
  // 1/3 + 3 × 0.577 = 2.07: 3.
  EXPECT_EQ(BufferUnits(Velocity(0), 100, {.units_per_hour = 2, .publish_latency = minutes{10}}),
            3);
  // 4.5 + 3 × 2.12 = 10.86: 11.
  EXPECT_EQ(BufferUnits(Velocity(0), 100, {.units_per_hour = 1.5, .publish_latency = hours{3}}),
            11);
  // 0.1 × 40 is a hair above 4 in binary: 4 + 3 × 2 = 10, not 11.
  EXPECT_EQ(BufferUnits(Velocity(0), 100, {.units_per_hour = 0.1, .publish_latency = hours{40}}),
            10);
}

TEST(BufferUnitsTest, VelocityHoldsBackAtLeastItsUnits) {
  EXPECT_EQ(BufferUnits(Velocity(4), 100, {.units_per_hour = 1, .publish_latency = hours{1}}), 4);
  EXPECT_EQ(BufferUnits(Velocity(5), 100, {.units_per_hour = 1, .publish_latency = hours{1}}), 5);
  // 5 + 3 × 2.24 = 11.7: 12.
  EXPECT_EQ(BufferUnits(Velocity(4), 100, {.units_per_hour = 5, .publish_latency = hours{1}}), 12);
  EXPECT_EQ(BufferUnits(Velocity(4), 100, kNoDemand), 4);
}

TEST(BufferUnitsTest, VelocityIgnoresNegativeDemandAndSaturates) {
  EXPECT_EQ(BufferUnits(Velocity(1), 100, {.units_per_hour = -3, .publish_latency = hours{1}}), 1);
  EXPECT_EQ(BufferUnits(Velocity(1), 100, {.units_per_hour = 3, .publish_latency = -hours{1}}), 1);
  EXPECT_EQ(BufferUnits(Velocity(0), 100, {.units_per_hour = 1e300, .publish_latency = hours{1}}),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(
      ListedQuantity(Velocity(0), 100, {.units_per_hour = 1e300, .publish_latency = hours{1}}), 0);
}

TEST(ListedQuantityTest, NegativeAvailableListsZero) {
  EXPECT_EQ(ListedQuantity(StockPolicy{}, -5, kNoDemand), 0);
  StockPolicy generous;
  generous.min_quantity = 0;
  generous.zero_at_or_below = -10;
  EXPECT_EQ(ListedQuantity(generous, -5, kNoDemand), 0);
}

TEST(ListedQuantityTest, ZeroAtOrBelowListsZero) {
  StockPolicy policy;
  policy.zero_at_or_below = 2;
  policy.min_quantity = 1;
  EXPECT_EQ(ListedQuantity(policy, 0, kNoDemand), 0);
  EXPECT_EQ(ListedQuantity(policy, 2, kNoDemand), 0);
  EXPECT_EQ(ListedQuantity(policy, 3, kNoDemand), 3);
}

TEST(ListedQuantityTest, MinQuantityOverridesTheBufferWhileSellableReachesIt) {
  StockPolicy policy = Fixed(5);
  policy.min_quantity = 2;
  EXPECT_EQ(ListedQuantity(policy, 10, kNoDemand), 5);
  EXPECT_EQ(ListedQuantity(policy, 6, kNoDemand), 2);
  EXPECT_EQ(ListedQuantity(policy, 2, kNoDemand), 2);
  // Below min_quantity the buffer applies as usual.
  EXPECT_EQ(ListedQuantity(policy, 1, kNoDemand), 0);
}

TEST(ListedQuantityTest, MinQuantityNeverListsMoreThanSellable) {
  StockPolicy policy = Percent(50);
  policy.min_quantity = 10;
  EXPECT_EQ(ListedQuantity(policy, 10, kNoDemand), 10);
  EXPECT_EQ(ListedQuantity(policy, 9, kNoDemand), 4);
}

TEST(ListedQuantityTest, MaxQuantityCaps) {
  EXPECT_EQ(ListedQuantity(MaxOf(50), 1000, kNoDemand), 50);
  EXPECT_EQ(ListedQuantity(MaxOf(50), 20, kNoDemand), 20);
  EXPECT_EQ(ListedQuantity(MaxOf(0), 20, kNoDemand), 0);
}

TEST(ListedQuantityTest, MaxQuantityWinsOverMinQuantity) {
  StockPolicy policy = Fixed(100);
  policy.min_quantity = 10;
  policy.max_quantity = 5;
  EXPECT_EQ(ListedQuantity(policy, 50, kNoDemand), 5);
}

TEST(ListedQuantityTest, AppliesEveryStepInOrder) {
  StockPolicy policy = Velocity(1);
  policy.zero_at_or_below = 1;
  policy.min_quantity = 3;
  policy.max_quantity = 40;
  const StockDemand demand{.units_per_hour = 0.5, .publish_latency = minutes{90}};
  // The buffer: m = 0.5 × 1.5 = 0.75, ceil(0.75 + 3 × 0.87) = 4.
  EXPECT_EQ(ListedQuantity(policy, 1, demand), 0);   // At or below zero_at_or_below.
  EXPECT_EQ(ListedQuantity(policy, 2, demand), 0);   // Below min_quantity: 2 - 4, floored.
  EXPECT_EQ(ListedQuantity(policy, 4, demand), 3);   // 4 - 4 = 0, min_quantity 3.
  EXPECT_EQ(ListedQuantity(policy, 10, demand), 6);  // 10 - 4.
  EXPECT_EQ(ListedQuantity(policy, 100, demand), 40);
}

TEST(ListedQuantityTest, HandlesExtremeValues) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(ListedQuantity(StockPolicy{}, kMax, kNoDemand), kMax);
  EXPECT_EQ(ListedQuantity(StockPolicy{}, kMin, kNoDemand), 0);
  EXPECT_EQ(ListedQuantity(Fixed(kMax), kMax, kNoDemand), 0);
  EXPECT_EQ(ListedQuantity(Percent(100), kMax, kNoDemand), 0);
  EXPECT_EQ(ListedQuantity(MaxOf(-1), 10, kNoDemand), 0);
}

TEST(GlobMatchTest, MatchesLiteralsExactly) {
  EXPECT_TRUE(GlobMatch("MUG-RED", "MUG-RED"));
  EXPECT_FALSE(GlobMatch("MUG-RED", "MUG-RED-1"));
  EXPECT_FALSE(GlobMatch("MUG-RED", "MUG-RE"));
  EXPECT_FALSE(GlobMatch("mug-red", "MUG-RED"));
}

TEST(GlobMatchTest, EmptyPatternMatchesOnlyEmptyText) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "A"));
  EXPECT_FALSE(GlobMatch("A", ""));
}

TEST(GlobMatchTest, StarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "ANYTHING"));
  EXPECT_TRUE(GlobMatch("**", "X"));
  EXPECT_TRUE(GlobMatch("MUG-*", "MUG-"));
  EXPECT_TRUE(GlobMatch("MUG-*", "MUG-RED-1"));
  EXPECT_FALSE(GlobMatch("MUG-*", "MUG"));
  EXPECT_FALSE(GlobMatch("MUG-*", "XMUG-1"));
  EXPECT_TRUE(GlobMatch("*-XL", "SHIRT-XL"));
  EXPECT_FALSE(GlobMatch("*-XL", "SHIRT-XL-2"));
  EXPECT_TRUE(GlobMatch("A*B*C", "AxxBxxC"));
  EXPECT_TRUE(GlobMatch("A*B*C", "ABC"));
  EXPECT_TRUE(GlobMatch("A*B", "ABBB"));
  EXPECT_FALSE(GlobMatch("A*B*C", "ACB"));
  EXPECT_TRUE(GlobMatch("*AB", "AAB"));
}

TEST(GlobMatchTest, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(GlobMatch("MUG-?", "MUG-1"));
  EXPECT_FALSE(GlobMatch("MUG-?", "MUG-"));
  EXPECT_FALSE(GlobMatch("MUG-?", "MUG-12"));
  EXPECT_TRUE(GlobMatch("??", "ab"));
  EXPECT_TRUE(GlobMatch("?*", "a"));
  EXPECT_FALSE(GlobMatch("?*", ""));
  EXPECT_TRUE(GlobMatch("*?", "a"));
  EXPECT_TRUE(GlobMatch("A?*?", "A12"));
}

TEST(GlobMatchTest, PathologicalPatternsFinishQuickly) {
  // Backtracking into every star would take C(2000, 30) steps here.
  const std::string text(2000, 'a');
  std::string pattern;
  for (int i = 0; i < 30; ++i) {
    pattern += "a*";
  }
  EXPECT_FALSE(GlobMatch(pattern + "b", text));
  EXPECT_TRUE(GlobMatch(pattern + "a", text));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(GlobMatch("*a*a*a*a*a*a*a*a*a*", text));
}

TEST(StockPoliciesTest, DefaultAppliesWithoutRules) {
  const StockPolicies empty;
  EXPECT_EQ(empty.For("ANY", VelocityClass::kA), StockPolicy{});
  const StockPolicies policies(Fixed(2), {});
  EXPECT_EQ(policies.Default(), Fixed(2));
  EXPECT_EQ(policies.For("ANY", VelocityClass::kB), Fixed(2));
}

TEST(StockPoliciesTest, ExactSkuWinsOverEveryPatternAndClassRule) {
  const StockPolicies policies(Fixed(1), {{.sku_pattern = "MUG-*", .policy = Fixed(2)},
                                          {.velocity_class = VelocityClass::kA, .policy = Fixed(3)},
                                          {.sku = "MUG-RED", .policy = Fixed(4)}});
  EXPECT_EQ(policies.For("MUG-RED", VelocityClass::kA), Fixed(4));
  EXPECT_EQ(policies.For("MUG-BLUE", VelocityClass::kA), Fixed(2));
  EXPECT_EQ(policies.For("PLATE", VelocityClass::kA), Fixed(3));
  EXPECT_EQ(policies.For("PLATE", VelocityClass::kB), Fixed(1));
}

TEST(StockPoliciesTest, FirstMatchingRuleWins) {
  const StockPolicies policies(Fixed(0), {{.sku_pattern = "MUG-RED-*", .policy = Fixed(1)},
                                          {.sku_pattern = "MUG-*", .policy = Fixed(2)},
                                          {.sku_pattern = "MUG-RED-?", .policy = Fixed(3)}});
  EXPECT_EQ(policies.For("MUG-RED-1", VelocityClass::kC), Fixed(1));
  EXPECT_EQ(policies.For("MUG-BLUE-1", VelocityClass::kC), Fixed(2));
  EXPECT_EQ(policies.For("PLATE-1", VelocityClass::kC), Fixed(0));
}

TEST(StockPoliciesTest, RuleWithPatternAndClassMustMatchBoth) {
  const StockPolicies policies(
      Fixed(0), {{.sku_pattern = "MUG-*", .velocity_class = VelocityClass::kA, .policy = Fixed(1)},
                 {.velocity_class = VelocityClass::kC, .policy = Fixed(2)}});
  EXPECT_EQ(policies.For("MUG-1", VelocityClass::kA), Fixed(1));
  EXPECT_EQ(policies.For("MUG-1", VelocityClass::kB), Fixed(0));
  EXPECT_EQ(policies.For("MUG-1", VelocityClass::kC), Fixed(2));
  EXPECT_EQ(policies.For("PLATE-1", VelocityClass::kA), Fixed(0));
  EXPECT_EQ(policies.For("PLATE-1", VelocityClass::kC), Fixed(2));
}

TEST(StockPoliciesTest, ExactSkuRuleWithClassFallsThroughForOtherClasses) {
  const StockPolicies policies(
      Fixed(0), {{.sku_pattern = "MUG-*", .policy = Fixed(1)},
                 {.sku = "MUG-1", .velocity_class = VelocityClass::kA, .policy = Fixed(2)}});
  EXPECT_EQ(policies.For("MUG-1", VelocityClass::kA), Fixed(2));
  EXPECT_EQ(policies.For("MUG-1", VelocityClass::kB), Fixed(1));
}

TEST(StockPoliciesTest, FirstOfTwoRulesForTheSameSkuCounts) {
  const StockPolicies policies(
      Fixed(0), {{.sku = "MUG-1", .policy = Fixed(1)}, {.sku = "MUG-1", .policy = Fixed(2)}});
  EXPECT_EQ(policies.For("MUG-1", VelocityClass::kA), Fixed(1));
}

TEST(StockPoliciesTest, RuleWithNoConditionMatchesEverySku) {
  const StockPolicies policies(Fixed(0), {{.policy = Fixed(1)}, {.sku = "X", .policy = Fixed(2)}});
  EXPECT_EQ(policies.For("ANY", VelocityClass::kB), Fixed(1));
  EXPECT_EQ(policies.For("X", VelocityClass::kB), Fixed(2));
}

TEST(StockPoliciesTest, ManySkusAndRulesFromManyThreads) {
  std::vector<StockPolicyRule> rules;
  rules.reserve(1050);
  for (int i = 0; i < 50; ++i) {
    rules.push_back({.sku_pattern = fmt::format("P{}-*", i), .policy = Fixed(i)});
  }
  for (int i = 0; i < 1000; ++i) {
    rules.push_back({.sku = fmt::format("EXACT-{}", i), .policy = Fixed(1000 + i)});
  }
  const StockPolicies policies(Fixed(-1), std::move(rules));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  threads.reserve(mismatches.size());
  for (int& count : mismatches) {
    threads.emplace_back([&policies, &count] {
      for (int i = 0; i < 2500; ++i) {
        const int n = i % 1000;
        if (policies.For(fmt::format("EXACT-{}", n), VelocityClass::kA).buffer_units != 1000 + n ||
            policies.For(fmt::format("P{}-{}", n % 50, i), VelocityClass::kB).buffer_units !=
                n % 50 ||
            policies.For(fmt::format("Q{}", i), VelocityClass::kC).buffer_units != -1) {
          ++count;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace sellerbridge::domain
