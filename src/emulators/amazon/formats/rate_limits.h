#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::emulators::amazon {

// One row of RATE-LIMITS.tsv.
struct RateLimit {
  std::string api;        // "Orders v0"
  std::string operation;  // "confirmShipment"
  std::string method;     // "POST"
  std::string path;       // "/orders/v0/orders/{orderId}/shipmentConfirmation"
  double rate_per_second = 0;
  int burst = 0;
};

// Parses the table (a header row naming the columns, then one row per
// operation, tab-separated). InvalidArgument naming the line for a malformed
// row.
Result<std::vector<RateLimit>> ParseRateLimits(std::string_view tsv);

// The embedded RATE-LIMITS.tsv, parsed once. Thread-safe.
const std::vector<RateLimit>& DefaultRateLimits();

}  // namespace sellerbridge::emulators::amazon
