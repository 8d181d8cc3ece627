#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/clock.h"
#include "emulators/amazon/scenario.h"

namespace sellerbridge::emulators::amazon {

struct NewOrderLine {
  std::string sku;
  int quantity = 1;
  std::optional<std::string> order_item_id;  // Generated when absent.
  std::int64_t shipping_minor = 0;           // Shipping the buyer pays for the line, all units.
  int promotion_percent = 0;                 // A promotion's discount on the line's price.
};

// An order to place, from the control API, the in-process API or the generator.
struct NewOrder {
  std::string marketplace_id;  // Empty: the seller's first marketplace.
  std::vector<NewOrderLine> lines;
  std::optional<std::string> order_id;     // Generated (3-7-7 digits) when absent.
  std::optional<TimePoint> purchase_date;  // Now when absent.
  bool is_prime = false;
  std::string ship_service_level;  // Empty: the first configured level.
  std::string service_level_category;
  int pending_seconds = 0;                      // Time in Pending before Unshipped.
  std::optional<TimePoint> latest_ship_date;    // Overrides the computed ship window.
  std::optional<Duration> buyer_cancels_after;  // The buyer cancels then, if still unshipped.
  bool address_without_postal_code = false;     // The delivery address lacks its postal code.
};

// Draws the seller's order flow: Poisson arrivals whose rate follows a day
// curve in the marketplace's local time (quiet at night, peaking in the
// evening), lines per order, quantities, Prime share, ship-service levels and
// buyer cancellations. Deterministic for a seed. Not thread-safe.
class OrderGenerator {
 public:
  OrderGenerator(GeneratorOptions options, std::vector<std::string> marketplace_ids,
                 std::uint64_t seed);

  // The first arrival strictly after `after`; nullopt when the rate is zero.
  std::optional<TimePoint> NextArrival(TimePoint after);

  // An order placed at `when` with SKUs drawn from those `in_stock` (each
  // SKU with the units it has); nullopt when nothing is in stock.
  std::optional<NewOrder> Draw(TimePoint when,
                               const std::vector<std::pair<std::string, int>>& in_stock);

 private:
  GeneratorOptions options_;
  std::vector<std::string> marketplace_ids_;
  std::mt19937_64 rng_;
};

}  // namespace sellerbridge::emulators::amazon
