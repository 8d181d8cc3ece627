#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "finance/accounts.h"
#include "finance/journal.h"
#include "finance/settlement_file.h"

namespace sellerbridge::finance {

// What a settlement says about one Amazon order, from the rows whose
// transaction-type makes them about the order: "Order" rows are the sale,
// "Refund", "Chargeback Refund" and "A-to-z Guarantee Refund" rows give money
// back. Rows of other types (fees, labels, reserves, transfers) are never
// joined on order-id, and neither are ids that are not Amazon order ids
// (FBA shipment ids sit in order-id on some rows).
struct SettledOrder {
  std::string amazon_order_id;
  bool merchant_fulfilled = true;   // fulfillment-id is not "AFN".
  std::int64_t sold_minor = 0;      // The sum of its Order rows.
  std::int64_t refunded_minor = 0;  // The sum of its refund rows (negative: paid back).
  std::optional<TimePoint> sold_posted;
  std::optional<TimePoint> refund_posted;
};

// One settlement document read through: its summary, every problem, the
// journals under an account map, and the orders it settles.
struct SettlementAnalysis {
  SettlementSummary summary;
  TextEncoding encoding = TextEncoding::kAuto;  // As detected.
  std::vector<RowProblem> problems;             // The first ParseOptions::max_problems.
  std::int64_t problem_count = 0;
  std::int64_t rows = 0;  // Rows read (problem rows excluded).
  // Rows whose order-id holds something that is not an Amazon order id.
  std::int64_t rows_with_other_ids = 0;
  SettlementJournals journals;
  std::map<std::string, SettledOrder, std::less<>> orders;  // By order id.

  // A row could not be read, a row is unmapped, or the rows miss the deposit.
  bool NeedsAttention() const { return problem_count > 0 || journals.NeedsAttention(); }
};

// Reads `document` (the flat file's bytes, in any encoding ParseOptions
// allows) in one pass. InvalidArgument when it cannot be a settlement file
// (a required column missing, no summary row); a bad row is a problem in the
// analysis, not an error. Thread-safe.
Result<SettlementAnalysis> AnalyseSettlement(std::string_view document, const AccountMap& accounts,
                                             const ParseOptions& options);

}  // namespace sellerbridge::finance
