#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::monitor {

// Where an order at risk stands, from the earliest stage to the latest.
enum class RiskStage {
  kHeld,                    // Held for a person before reaching Clarus.
  kNotInClarus,             // Imported (or changed on Amazon) but not yet in Clarus.
  kNotPicked,               // In Clarus, not picked (DRAFT, PENDING, PART_ALLOCATED, ALLOCATED).
  kPicking,                 // Clarus is picking it (PICK): picked, not dispatched.
  kDispatchedNotConfirmed,  // Clarus dispatched it; Amazon has not accepted the confirmation.
  kConfirmedNotVerified,    // Amazon accepted the confirmation; reading back has not shown it.
  kUnshippedOnAmazon,       // Clarus dispatched and Amazon accepted, yet Amazon shows it unshipped.
};

// "held", "not_in_clarus", "not_picked", "picking", "dispatched_not_confirmed",
// "confirmed_not_verified", "unshipped_on_amazon".
std::string_view RiskStageName(RiskStage stage);

struct AtRiskOrder {
  std::string amazon_order_id;
  std::string marketplace_id;
  TimePoint deadline;          // The order's latestShipDate.
  std::string deadline_local;  // The deadline in the marketplace's time zone, for people.
  Duration time_left{};        // deadline - now; negative once the deadline has passed.
  RiskStage stage = RiskStage::kNotInClarus;
  std::string detail;  // One line for a person: the hold reason, Clarus status, last error.
  std::string clarus_goods_out_id;

  friend bool operator==(const AtRiskOrder&, const AtRiskOrder&) = default;
};

struct AtRiskOptions {
  // An order not yet dispatched in Clarus is at risk from this long before its latestShipDate.
  Duration margin = std::chrono::hours{4};
  // A confirmation Amazon has not accepted this long after the dispatch was seen is at risk.
  Duration confirm_grace = std::chrono::minutes{5};
  // A confirmation accepted this long ago and not yet verified is at risk; so is an order Amazon
  // still shows unshipped this long after it accepted every confirmation.
  Duration verify_after = std::chrono::minutes{30};
  // At most this many open orders are looked at in each state.
  int scan_limit = 100000;
};

// The Clarus status of a goods-out (DRAFT, PENDING, …, PICK, COMPLETED), read live.
using GoodsOutStatusReader = std::function<Result<std::string>(const std::string& goods_out_id)>;

// Finds the orders at risk of missing Amazon's ship-by deadline or of looking unshipped on
// Amazon although they left the warehouse (see RiskStage), earliest deadline first:
// - orders held, new, changed or in Clarus (not dispatched) whose latestShipDate is within
//   options.margin of `now`, or past; for those in Clarus, `goods_out_status` (may be empty)
//   tells whether they are picked;
// - confirmations not accepted options.confirm_grace after the dispatch was seen, or accepted
//   but not verified options.verify_after later;
// - dispatched orders Amazon still shows Unshipped or PartiallyShipped options.verify_after after
//   it accepted their last confirmation.
// Only store errors fail it; a failed Clarus read is named in the order's detail.
Result<std::vector<AtRiskOrder>> FindAtRiskOrders(store::Transaction& tx, TimePoint now,
                                                  const AtRiskOptions& options,
                                                  const GoodsOutStatusReader& goods_out_status);

// The JSON form the API writes: amazon_order_id, marketplace_id, deadline (ISO 8601 UTC),
// deadline_local, minutes_left, stage, detail, clarus_goods_out_id.
nlohmann::json AtRiskToJson(const AtRiskOrder& order);

}  // namespace sellerbridge::monitor
