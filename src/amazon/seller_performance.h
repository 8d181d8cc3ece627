#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::amazon {

// One rate of Amazon's seller performance report (schema
// accountHealthReport-2020-11-18), e.g. lateShipmentRate. Every field is
// optional in what sellerbridge accepts: absent ones stay unset or empty.
struct PerformanceMetric {
  std::optional<double> rate;  // A fraction: 0.04 is 4 %.
  // The counts the rate is made of, under the metric's own names in the
  // report: lateShipmentCount / orderCount, cancellationCount / orderCount,
  // validTrackingCount / shipmentCount, onTimeDeliveryCount /
  // shipmentCountWithValidTracking, orderWithDefects.count / orderCount.
  std::optional<std::int64_t> numerator;
  std::optional<std::int64_t> denominator;
  std::string status;  // GOOD, BAD or NONE; empty when absent.
  std::optional<double> target_value;
  std::string target_condition;          // GREATER_THAN, LESS_THAN or EQUALS; empty when absent.
  std::optional<TimePoint> window_from;  // reportingDateRange, UTC.
  std::optional<TimePoint> window_to;

  // Whether `rate` misses the target by the target condition; unset when the
  // rate, the target or a known condition is missing.
  std::optional<bool> MissesTarget() const;
};

// The report's figures for one marketplace.
struct MarketplacePerformance {
  std::string marketplace_id;
  std::optional<PerformanceMetric> late_shipment_rate;
  std::optional<PerformanceMetric> pre_fulfillment_cancellation_rate;
  std::optional<PerformanceMetric> valid_tracking_rate;
  std::optional<PerformanceMetric> on_time_delivery_rate;
  std::optional<PerformanceMetric> order_defect_rate;  // The seller-fulfilled (mfn) one.
  // accountHealthRating: GREAT or WARNED (also read from ahrStatus); empty
  // when absent.
  std::string account_health_rating_status;
  std::optional<TimePoint> account_health_rating_from;
  std::optional<TimePoint> account_health_rating_to;
};

// accountStatuses: NORMAL, AT_RISK or DEACTIVATED per marketplace.
struct AccountStatus {
  std::string marketplace_id;
  std::string status;
};

// A GET_V2_SELLER_PERFORMANCE_REPORT document, as sellerbridge reads it.
struct SellerPerformance {
  std::vector<AccountStatus> account_statuses;
  std::vector<MarketplacePerformance> marketplaces;  // performanceMetrics, in order.

  // The figures of `marketplace_id`, or null.
  const MarketplacePerformance* Find(std::string_view marketplace_id) const;
  // The account status of `marketplace_id`; empty when the report has none.
  std::string AccountStatusOf(std::string_view marketplace_id) const;
};

// Reads a seller performance report document. Tolerates what Amazon may
// leave out or add: every metric and field but performanceMetrics and each
// entry's marketplaceId is optional, unknown fields are ignored, the
// spellings of the schema's example (prefulfillmentCancelRate, ahrStatus) are
// read too, and dates may be to the minute ("2020-10-21T00:00Z") or to the
// second. InvalidArgument naming the JSON path when the document is not a
// JSON object, performanceMetrics is missing or not an array, an entry has no
// marketplaceId, or a field that is present has the wrong type or an
// unreadable date. Never throws; thread-safe.
Result<SellerPerformance> ParseSellerPerformanceReport(std::string_view text);

}  // namespace sellerbridge::amazon
