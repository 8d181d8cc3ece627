#include "domain/order.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

#include "base/marketplace.h"

namespace sellerbridge::domain {
namespace {

struct StatusSpelling {
  OrderStatus status;
  std::string_view name;
  std::string_view v2026;
};

constexpr std::array<StatusSpelling, 7> kStatuses = {{
    {OrderStatus::kPendingAvailability, "PendingAvailability", "PENDING_AVAILABILITY"},
    {OrderStatus::kPending, "Pending", "PENDING"},
    {OrderStatus::kUnshipped, "Unshipped", "UNSHIPPED"},
    {OrderStatus::kPartiallyShipped, "PartiallyShipped", "PARTIALLY_SHIPPED"},
    {OrderStatus::kShipped, "Shipped", "SHIPPED"},
    {OrderStatus::kCancelled, "Cancelled", "CANCELLED"},
    {OrderStatus::kUnfulfillable, "Unfulfillable", "UNFULFILLABLE"},
}};

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::string_view OrderStatusName(OrderStatus status) {
  for (const auto& spelling : kStatuses) {
    if (spelling.status == status) {
      return spelling.name;
    }
  }
  return "Unknown";
}

Result<OrderStatus> ParseOrderStatus(std::string_view name) {
  if (name == "Canceled") {  // Orders v0 spells it the American way.
    return OrderStatus::kCancelled;
  }
  for (const auto& spelling : kStatuses) {
    if (spelling.name == name || spelling.v2026 == name) {
      return spelling.status;
    }
  }
  return InvalidArgumentError(fmt::format("unknown order status '{}'", name));
}

bool IsAmazonOrderId(std::string_view id) {
  return id.size() == 19 && id[3] == '-' && id[11] == '-' && AllDigits(id.substr(0, 3)) &&
         AllDigits(id.substr(4, 7)) && AllDigits(id.substr(12, 7));
}

bool IsValidSku(std::string_view sku) {
  if (sku.empty() || sku.size() > 40 || sku.front() == ' ' || sku.back() == ' ') {
    return false;
  }
  return std::none_of(sku.begin(), sku.end(),
                      [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; });
}

Result<Order> Order::Create(OrderData data) {
  const std::string& id = data.amazon_order_id;
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(fmt::format("order '{}': {}", id, why));
  };
  if (!IsAmazonOrderId(id)) {
    return bad("not an Amazon order id (3-7-7 digits)");
  }
  if (FindMarketplace(data.marketplace_id) == nullptr) {
    return bad(fmt::format("unknown marketplace id '{}'", data.marketplace_id));
  }
  if (data.lines.empty()) {
    return bad("has no lines");
  }
  std::set<std::string> item_ids;
  for (const OrderLine& line : data.lines) {
    if (line.order_item_id.empty() || !item_ids.insert(line.order_item_id).second) {
      return bad(fmt::format("order item id '{}' is empty or repeated", line.order_item_id));
    }
    if (!IsValidSku(line.sku)) {
      return bad(fmt::format("item {} has an invalid SKU '{}'", line.order_item_id, line.sku));
    }
    if (line.quantity_ordered <= 0 && data.status != OrderStatus::kCancelled) {
      return bad(fmt::format("item {} has quantity {}", line.order_item_id, line.quantity_ordered));
    }
    if (line.quantity_shipped < 0 || line.quantity_shipped > line.quantity_ordered) {
      return bad(fmt::format("item {} shipped {} of {}", line.order_item_id, line.quantity_shipped,
                             line.quantity_ordered));
    }
  }
  if (data.earliest_ship_date && data.latest_ship_date &&
      *data.latest_ship_date < *data.earliest_ship_date) {
    return bad("latestShipDate is before earliestShipDate");
  }
  return Order(std::move(data));
}

std::int32_t Order::UnshippedQuantity() const {
  std::int32_t total = 0;
  for (const OrderLine& line : data_.lines) {
    total += line.quantity_ordered - line.quantity_shipped;
  }
  return total;
}

}  // namespace sellerbridge::domain
