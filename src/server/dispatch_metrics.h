#pragma once

#include <string>

#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::server {

// The order and dispatch flows in the Prometheus text format (version 0.0.4),
// read from the store through `tx`:
// - sellerbridge_order_to_clarus_seconds: a histogram of an order placed on
//   Amazon → its goods-out created in Clarus, over every order sent;
// - sellerbridge_orders{sync_state}: orders by where they stand in our flow;
// - histograms over every confirmation, in seconds:
//   sellerbridge_dispatch_to_seen_seconds (the parcel left the warehouse →
//   sellerbridge saw it), sellerbridge_dispatch_to_confirm_seconds (left →
//   Amazon accepted the confirmation; API and feeds, not labels bought on
//   Amazon), sellerbridge_confirm_to_verify_seconds (accepted → read back) and
//   sellerbridge_dispatch_to_verify_seconds (left → read back);
// - gauges: sellerbridge_outbox_entries{state} and
//   sellerbridge_open_exceptions{kind}.
// A duration below zero (clocks of the two systems apart) counts as zero.
Result<std::string> DispatchMetricsText(store::Transaction& tx);

}  // namespace sellerbridge::server
