#include "emulators/amazon/order_generator.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <numeric>

#include "base/marketplace.h"
#include "emulators/amazon/ship_by.h"

namespace sellerbridge::emulators::amazon {
namespace {

// Relative order intake by local hour: UK e-commerce traffic is lowest
// before dawn and peaks in the evening.
constexpr std::array<double, 24> kHourWeights = {0.30, 0.20, 0.15, 0.10, 0.10, 0.15, 0.30, 0.60,
                                                 0.90, 1.10, 1.20, 1.20, 1.30, 1.30, 1.20, 1.20,
                                                 1.20, 1.30, 1.50, 1.70, 1.80, 1.60, 1.10, 0.60};

double MeanWeight() {
  return std::accumulate(kHourWeights.begin(), kHourWeights.end(), 0.0) /
         static_cast<double>(kHourWeights.size());
}

}  // namespace

OrderGenerator::OrderGenerator(GeneratorOptions options, std::vector<std::string> marketplace_ids,
                               std::uint64_t seed)
    : options_(std::move(options)), marketplace_ids_(std::move(marketplace_ids)), rng_(seed) {}

std::optional<TimePoint> OrderGenerator::NextArrival(TimePoint after) {
  if (options_.orders_per_day <= 0 || marketplace_ids_.empty()) {
    return std::nullopt;
  }
  const double max_weight = *std::max_element(kHourWeights.begin(), kHourWeights.end());
  const double peak_rate = options_.orders_per_day / 86400.0 * max_weight / MeanWeight();
  const Marketplace* marketplace = FindMarketplace(marketplace_ids_.front());
  const std::string_view zone = marketplace != nullptr ? marketplace->time_zone : "UTC";
  std::exponential_distribution<double> gap(peak_rate);
  std::uniform_real_distribution<double> unit(0, 1);
  TimePoint t = after;
  // Thinning: candidates at the peak rate, kept in proportion to the hour's weight.
  for (int attempt = 0; attempt < 1'000'000; ++attempt) {
    const auto step =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(gap(rng_)));
    t += std::max(step, Duration(1));
    const auto hour = static_cast<size_t>(LocalHour(t, zone));
    if (unit(rng_) * max_weight <= kHourWeights[hour % kHourWeights.size()]) {
      return t;
    }
  }
  return std::nullopt;
}

std::optional<NewOrder> OrderGenerator::Draw(
    TimePoint when, const std::vector<std::pair<std::string, int>>& in_stock) {
  if (in_stock.empty()) {
    return std::nullopt;
  }
  std::uniform_real_distribution<double> unit(0, 1);
  NewOrder order;
  order.purchase_date = when;
  order.marketplace_id = marketplace_ids_[rng_() % marketplace_ids_.size()];
  order.is_prime = unit(rng_) < options_.prime_share;
  order.pending_seconds = options_.pending_seconds;
  if (!options_.service_levels.empty()) {
    double total = 0;
    for (const ServiceLevel& level : options_.service_levels) {
      total += level.share;
    }
    double pick = unit(rng_) * total;
    const ServiceLevel* chosen = &options_.service_levels.back();
    for (const ServiceLevel& level : options_.service_levels) {
      if (pick < level.share) {
        chosen = &level;
        break;
      }
      pick -= level.share;
    }
    order.ship_service_level = chosen->name;
    order.service_level_category = chosen->category;
  }
  // Lines beyond the first arrive with probability mean - 1 spread geometrically.
  const double extra = std::max(0.0, options_.mean_lines_per_order - 1);
  std::geometric_distribution<int> extra_lines(1.0 / (1.0 + extra));
  const size_t line_count = std::min(in_stock.size(), static_cast<size_t>(1 + extra_lines(rng_)));
  std::vector<size_t> picks(in_stock.size());
  std::iota(picks.begin(), picks.end(), 0);
  std::shuffle(picks.begin(), picks.end(), rng_);
  for (size_t i = 0; i < line_count; ++i) {
    const auto& [sku, available] = in_stock[picks[i]];
    const int max_quantity = std::max(1, std::min(available, options_.max_quantity_per_line));
    std::uniform_int_distribution<int> quantity(1, max_quantity);
    order.lines.push_back({.sku = sku, .quantity = quantity(rng_)});
  }
  // Standard orders pay for shipping on their first line; Prime ships free.
  // One line in ten carries a promotion of 10% off its price.
  constexpr std::int64_t kShippingMinor = 299;
  constexpr double kPromotionShare = 0.1;
  constexpr int kPromotionPercent = 10;
  if (!order.is_prime && !order.lines.empty()) {
    order.lines.front().shipping_minor = kShippingMinor;
  }
  for (NewOrderLine& line : order.lines) {
    if (unit(rng_) < kPromotionShare) {
      line.promotion_percent = kPromotionPercent;
    }
  }
  if (unit(rng_) < options_.buyer_cancel_share) {
    // Buyers who change their mind mostly do so within a few hours.
    std::exponential_distribution<double> hours(1.0 / 3.0);
    order.buyer_cancels_after = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double, std::ratio<3600>>(hours(rng_)));
  }
  return order;
}

}  // namespace sellerbridge::emulators::amazon
