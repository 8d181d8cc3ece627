#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::finance {

// Reads returns received at the warehouse from CSV with the columns
// amazon_order_id and received_at (ISO 8601, or a date "yyyy-mm-dd" read as
// midnight UTC), found by header name; other columns are ignored. Each
// receipt's source is "import:<source_name>". InvalidArgument naming
// `source_name`, the line and the problem for a missing column, an order id
// that is not an Amazon order id or a bad date. Thread-safe.
Result<std::vector<store::ReturnReceipt>> ParseReturnsCsv(std::string_view text,
                                                          std::string_view source_name);

}  // namespace sellerbridge::finance
