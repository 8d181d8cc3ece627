#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace sellerbridge::emulators::amazon {

// How a marketplace writes numbers in reports: UK/US "1234.56", DE/FR/IT/ES
// "1234,56".
enum class NumberFormat { kDotDecimal, kCommaDecimal };

// The number format of `marketplace_id`'s reports.
NumberFormat NumberFormatOf(std::string_view marketplace_id);

// One amount row of a settlement (one of the 23 columns' worth of data).
struct SettlementLine {
  std::string transaction_type;  // "Order", "Refund", "ServiceFee", "other-transaction", ...
  std::string order_id;          // May be empty (fees) or a non-order id.
  std::string merchant_order_id;
  std::string adjustment_id;
  std::string shipment_id;
  std::string marketplace_name;    // "Amazon.co.uk"
  std::string amount_type;         // "ItemPrice", "ItemFees", "Promotion", ...
  std::string amount_description;  // "Principal", "Commission", ...
  std::int64_t amount_minor = 0;   // Signed, in minor units.
  std::string fulfillment_id;      // "MFN" for merchant-fulfilled rows.
  TimePoint posted_date;
  std::string order_item_code;
  std::string merchant_order_item_id;
  std::string merchant_adjustment_item_id;
  std::string sku;
  int quantity_purchased = 0;
  std::string promotion_id;
};

struct Settlement {
  std::string settlement_id;
  TimePoint start_date;
  TimePoint end_date;
  TimePoint deposit_date;
  std::string currency;  // ISO 4217
  std::vector<SettlementLine> lines;
};

// Writes a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 document: tab-separated,
// LF line ends, a header row with the 23 columns in Amazon's order, the
// summary row first (settlement-id, settlement-start-date,
// settlement-end-date, deposit-date, total-amount = the sum of every line,
// currency), then one row per line. Amounts use `format`'s decimal separator;
// dates are written as Amazon writes them for that format. Thread-safe.
std::string WriteSettlementFlatFile(const Settlement& settlement, NumberFormat format);

}  // namespace sellerbridge::emulators::amazon
