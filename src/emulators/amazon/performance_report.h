#pragma once

#include <string>
#include <utility>
#include <vector>

#include "emulators/amazon/account_health.h"

namespace sellerbridge::emulators::amazon {

// The document of a GET_V2_SELLER_PERFORMANCE_REPORT, in the shape of
// Amazon's accountHealthReport-2020-11-18 schema: one accountStatuses entry
// and one performanceMetrics entry per (marketplace id, health) pair, in the
// order given. Each health must be computed over that marketplace's orders
// alone (ComputeAccountHealth), as of its `as_of`.
//
// What the emulator measures is reported with its counts: lateShipmentRate
// over 30 days, preFulfillmentCancellationRate over 7 days, validTrackingRate
// over 30 days, with Amazon's standard targets (< 4 %, < 2.5 %, > 95 %); a
// metric is BAD when it misses its target, NONE when its window holds
// nothing, else GOOD. Metrics the emulator has no data for (order defects,
// on-time delivery, invoices, policy complaints) are present, as the schema
// requires them, with zero counts and status NONE (listing-level ones GOOD).
// The account is AT_RISK (rating WARNED) in a marketplace where any metric is
// BAD, else NORMAL (GREAT). Thread-safe (pure).
std::string SellerPerformanceDocument(
    const std::vector<std::pair<std::string, AccountHealth>>& by_marketplace);

}  // namespace sellerbridge::emulators::amazon
