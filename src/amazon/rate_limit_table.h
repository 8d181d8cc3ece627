#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::amazon {

// Amazon's documented limit of one SP-API operation: a token bucket that
// refills at `rate_per_second` up to `burst`.
struct OperationLimit {
  std::string api;        // "Orders v0": operation names repeat across APIs.
  std::string operation;  // "confirmShipment"
  std::string method;     // "POST"
  std::string path;       // "/orders/v0/orders/{orderId}/shipmentConfirmation"
  double rate_per_second = 0;
  int burst = 0;
};

// Parses a table in RATE-LIMITS.tsv's layout: a header row that names at
// least the columns api, operation, http_method, path, rate_per_second and
// burst (in any order), then one tab-separated row per operation. Returns
// InvalidArgument naming the line and column for a missing column, a
// non-positive rate or burst, or a method and path listed twice. (An
// operation name may repeat: Shipping v2 names two methods of one path
// linkCarrierAccount.)
Result<std::vector<OperationLimit>> ParseRateLimitTable(std::string_view tsv);

// Amazon's table as compiled in from the shared reference folder, parsed once.
// Thread-safe.
const std::vector<OperationLimit>& DocumentedRateLimits();

// The embedded RATE-LIMITS.tsv text.
std::string_view RateLimitTableTsv();

}  // namespace sellerbridge::amazon
