#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "emulators/amazon/order.h"

namespace sellerbridge::emulators::amazon {

// A rate as Amazon shows it: numerator ÷ denominator over a window.
struct RateMetric {
  int numerator = 0;
  int denominator = 0;
  double Rate() const {
    return denominator == 0 ? 0.0 : numerator / static_cast<double>(denominator);
  }
};

// The seller-fulfilled performance metrics of ACCOUNT-HEALTH.md.
struct AccountHealth {
  TimePoint as_of;
  RateMetric late_shipment_10d;  // Target < 4 %.
  RateMetric late_shipment_30d;
  RateMetric cancel_7d;          // Target < 2.5 %.
  RateMetric valid_tracking_7d;  // Target > 95 %.
  RateMetric valid_tracking_30d;
  std::map<std::string, RateMetric> valid_tracking_30d_by_category;
};

// Counts the metrics over `orders` at `now`:
// - Late Shipment Rate (10 and 30 days): orders whose latestShipDate falls in
//   the window and has passed, excluding buyer cancellations; late when the
//   first confirmation arrived after latestShipDate. An order still
//   unconfirmed counts in the denominator only.
// - Cancel rate (7 days): orders placed or cancelled in the window; the
//   numerator is seller cancellations and automatic cancellations of
//   unconfirmed orders in the window (buyer cancellations are excluded).
// - Valid Tracking Rate (7 and 30 days): packages whose confirmation arrived
//   in the window; valid when IsValidTrackingNumber accepts the carrier and
//   tracking number. Per category by the first item's SKU category.
// `category_of` maps a SKU to its category. Thread-safe (pure).
AccountHealth ComputeAccountHealth(const std::vector<Order>& orders,
                                   const std::map<std::string, std::string>& category_of,
                                   TimePoint now);

}  // namespace sellerbridge::emulators::amazon
