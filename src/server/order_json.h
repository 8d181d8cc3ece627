#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::server {

// The JSON form of a stored order as the API lists it, without buyer personal data (no name, no
// address, no phone): amazon_order_id, marketplace_id, status (Amazon's), sync_state (ours),
// clarus_goods_out_id, purchase_date, latest_ship_date (null when unknown), ship_service_level,
// is_prime, is_business, lines [{order_item_id, sku, quantity_ordered, quantity_shipped}],
// updated_at.
nlohmann::json OrderSummaryToJson(const store::StoredOrder& order);

// One order's whole story across both systems, oldest first: {"order": OrderSummaryToJson,
// "timeline": [{"at", "system" ("amazon", "clarus" or "sellerbridge"), "event", "detail"}],
// "confirmations": [...], "exceptions": [...]}. Read from `tx`: the order, its audit log entries,
// its confirmations (the parcel leaving Clarus, Amazon accepting it, the read-back verifying
// it), its label and its exceptions. NotFound for an unknown order.
Result<nlohmann::json> OrderTimeline(store::Transaction& tx, std::string_view amazon_order_id);

}  // namespace sellerbridge::server
