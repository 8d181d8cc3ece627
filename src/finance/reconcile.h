#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "finance/analysis.h"
#include "store/store.h"

namespace sellerbridge::finance {

// What the warehouse side knows about orders: when each left Clarus (the
// dispatch records behind shipment confirmations) and which came back.
struct WarehouseRecords {
  std::map<std::string, TimePoint, std::less<>> dispatched;  // Order id → first ship date.
  std::set<std::string, std::less<>> returned;               // Order ids with a return received.
};

// The dispatch records and returns in the store. Errors are the store's.
Result<WarehouseRecords> LoadWarehouseRecords(store::Transaction& tx);

enum class FindingKind {
  kShippedNotSettled,     // Left the warehouse, yet no settlement paid it within the window.
  kSettledNotDispatched,  // Amazon paid a merchant-fulfilled sale the warehouse never sent.
  kRefundedNotReturned,   // Refunded after dispatch, and no return was received.
};

// "shipped_not_settled", "settled_not_dispatched", "refunded_not_returned".
std::string_view FindingKindName(FindingKind kind);

// One mismatch between Amazon's money and the warehouse's records. Holds
// order ids and amounts only, never buyer data.
struct Finding {
  FindingKind kind = FindingKind::kShippedNotSettled;
  std::string amazon_order_id;
  std::string settlement_id;  // The settlement that paid or refunded; empty for kShippedNotSettled.
  std::optional<TimePoint> dispatched_at;
  std::optional<TimePoint> posted_at;  // The sale's or refund's posting.
  std::int64_t amount_minor = 0;       // The sale or refund; 0 for kShippedNotSettled.
  std::string currency;
  int minor_digits = 2;

  friend bool operator==(const Finding&, const Finding&) = default;
};

// Matches settlements with the warehouse. Orders are matched on their order
// id only through the rows SettlementAnalysis kept per order (interpreted by
// transaction-type). A dispatched order counts as shipped but not settled
// when it left between the earliest settlement start among `settlements`
// and `now - settle_within` and no settlement has its sale. Findings come by
// kind, then order id. Thread-safe.
std::vector<Finding> Reconcile(const std::vector<const SettlementAnalysis*>& settlements,
                               const WarehouseRecords& warehouse, TimePoint now,
                               Duration settle_within);

// The report `sellerbridge reconcile` prints: the settlement, whether it
// balances, its problems, unmapped keys, journals and the findings.
nlohmann::json ReconciliationToJson(const SettlementAnalysis& analysis,
                                    const std::vector<Finding>& findings);

// Everything in that report that needs a person, one CSV row each (header
// "kind,settlement_id,amazon_order_id,line,dispatched_at,posted_at,amount,currency,detail"):
// unreadable rows, unmapped keys, a difference to the deposit and the
// findings.
std::string ReconciliationToCsv(const SettlementAnalysis& analysis,
                                const std::vector<Finding>& findings);

}  // namespace sellerbridge::finance
