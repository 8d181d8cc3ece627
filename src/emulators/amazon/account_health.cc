#include "emulators/amazon/account_health.h"

#include <chrono>

namespace sellerbridge::emulators::amazon {
namespace {

using Days = std::chrono::duration<int, std::ratio<86400>>;

bool InWindow(TimePoint t, TimePoint now, Days days) { return t <= now && t > now - days; }

}  // namespace

AccountHealth ComputeAccountHealth(const std::vector<Order>& orders,
                                   const std::map<std::string, std::string>& category_of,
                                   TimePoint now) {
  AccountHealth health;
  health.as_of = now;
  for (const Order& order : orders) {
    const bool buyer_cancelled = order.cancelled_by == Canceller::kBuyer;
    const bool seller_cancelled = order.cancelled_by == Canceller::kSeller ||
                                  order.cancelled_by == Canceller::kAmazonUnconfirmed;
    if (!buyer_cancelled) {
      for (const auto& [metric, days] : {std::pair{&health.late_shipment_10d, Days{10}},
                                         std::pair{&health.late_shipment_30d, Days{30}}}) {
        if (InWindow(order.latest_ship_date, now, days)) {
          ++metric->denominator;
          if (order.IsLate()) {
            ++metric->numerator;
          }
        }
      }
    }
    const bool cancelled_in_window =
        order.cancel_time.has_value() && InWindow(*order.cancel_time, now, Days{7});
    if (InWindow(order.purchase_date, now, Days{7}) || cancelled_in_window) {
      ++health.cancel_7d.denominator;
      if (seller_cancelled && cancelled_in_window) {
        ++health.cancel_7d.numerator;
      }
    }
    for (const Package& package : order.packages) {
      std::string category = "default";
      if (!package.items.empty()) {
        if (const OrderLine* line = order.FindLine(package.items.front().first); line != nullptr) {
          if (const auto it = category_of.find(line->sku); it != category_of.end()) {
            category = it->second;
          }
        }
      }
      for (const auto& [metric, days] : {std::pair{&health.valid_tracking_7d, Days{7}},
                                         std::pair{&health.valid_tracking_30d, Days{30}}}) {
        if (InWindow(package.arrival_time, now, days)) {
          ++metric->denominator;
          if (package.valid_tracking) {
            ++metric->numerator;
          }
        }
      }
      if (InWindow(package.arrival_time, now, Days{30})) {
        RateMetric& by_category = health.valid_tracking_30d_by_category[category];
        ++by_category.denominator;
        if (package.valid_tracking) {
          ++by_category.numerator;
        }
      }
    }
  }
  return health;
}

}  // namespace sellerbridge::emulators::amazon
