#pragma once

#include <string>

#include "sync/stock_sync.h"

namespace sellerbridge::server {

// The stock flow in the Prometheus text format (version 0.0.4), from the
// flow's own figures:
// - sellerbridge_stock_staleness_seconds{lane}: a summary of Clarus change →
//   Amazon accepted the quantity, quantiles 0.5, 0.95 and 0.99 over the last
//   hour, with its _count;
// - counters since start: sellerbridge_stock_published_total{lane},
//   sellerbridge_stock_patches_total, sellerbridge_stock_feeds_total,
//   sellerbridge_stock_stuck_feeds_total, sellerbridge_stock_coalesced_total,
//   sellerbridge_stock_failures_total, sellerbridge_stock_refused_total,
//   sellerbridge_stock_drift_checks_total, sellerbridge_stock_drift_found_total;
// - gauges: sellerbridge_stock_queue_depth{lane} (listings waiting to go
//   out), sellerbridge_stock_in_feeds and sellerbridge_stock_skus.
// Lanes are "fast" (zero-outs and low stock), "a", "b" and "c".
std::string StockMetricsText(const sync::StockFigures& figures);

}  // namespace sellerbridge::server
