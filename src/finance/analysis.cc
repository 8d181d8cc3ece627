#include "finance/analysis.h"

#include <algorithm>

#include "base/status_macros.h"
#include "domain/order.h"
#include "finance/settlement_totals.h"

namespace sellerbridge::finance {
namespace {

bool IsRefundType(std::string_view transaction_type) {
  return transaction_type == "Refund" || transaction_type == "Chargeback Refund" ||
         transaction_type == "A-to-z Guarantee Refund";
}

}  // namespace

Result<SettlementAnalysis> AnalyseSettlement(std::string_view document, const AccountMap& accounts,
                                             const ParseOptions& options) {
  SettlementAnalysis analysis;
  SettlementTotals totals;
  SettlementParser parser(options, [&](const SettlementRow& row) {
    totals.Add(row);
    const bool order_row = row.transaction_type == "Order";
    const bool refund_row = IsRefundType(row.transaction_type);
    if (row.order_id.empty()) {
      return;
    }
    if (!domain::IsAmazonOrderId(row.order_id)) {
      ++analysis.rows_with_other_ids;
      return;
    }
    if (!order_row && !refund_row) {
      return;  // Fees and labels name the order but neither sell nor refund it.
    }
    auto it = analysis.orders.find(row.order_id);
    if (it == analysis.orders.end()) {
      it = analysis.orders.emplace(std::string(row.order_id), SettledOrder{}).first;
      it->second.amazon_order_id = std::string(row.order_id);
    }
    SettledOrder& order = it->second;
    if (row.fulfillment_id == "AFN") {
      order.merchant_fulfilled = false;
    }
    if (order_row) {
      order.sold_minor += row.amount_minor;
      if (!order.sold_posted || row.posted < *order.sold_posted) {
        order.sold_posted = row.posted;
      }
    } else {
      order.refunded_minor += row.amount_minor;
      if (!order.refund_posted || row.posted < *order.refund_posted) {
        order.refund_posted = row.posted;
      }
    }
  });
  RETURN_IF_ERROR(ParseSettlementText(document, parser));
  analysis.summary = parser.Summary();
  analysis.encoding = parser.Encoding();
  analysis.problems = parser.Problems();
  analysis.problem_count = parser.ProblemCount();
  analysis.rows = parser.RowCount();
  analysis.journals = BuildJournals(analysis.summary, totals.Totals(), accounts);
  return analysis;
}

}  // namespace sellerbridge::finance
