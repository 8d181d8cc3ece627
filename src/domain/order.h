#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "domain/address.h"
#include "domain/money.h"

namespace sellerbridge::domain {

// Amazon's order status, as the Orders API reports it.
enum class OrderStatus {
  kPendingAvailability,
  kPending,
  kUnshipped,
  kPartiallyShipped,
  kShipped,
  kCancelled,
  kUnfulfillable,
};

// "Unshipped" etc., as stored; ParseOrderStatus accepts these names and
// Amazon's spellings in both APIs ("UNSHIPPED", "Canceled", "CANCELLED").
std::string_view OrderStatusName(OrderStatus status);
Result<OrderStatus> ParseOrderStatus(std::string_view name);

// Whether `id` has Amazon's order id shape: 3-7-7 digits.
bool IsAmazonOrderId(std::string_view id);

// Whether `sku` is a usable seller SKU: 1 to 40 characters, no control
// characters, no leading or trailing space.
bool IsValidSku(std::string_view sku);

struct OrderLine {
  std::string order_item_id;  // Amazon's, unique within the order.
  std::string sku;
  std::int32_t quantity_ordered = 0;
  std::int32_t quantity_shipped = 0;
  std::optional<Money> item_price;  // Unit price × quantity, as Amazon reports it.

  friend bool operator==(const OrderLine&, const OrderLine&) = default;
};

struct OrderData {
  std::string amazon_order_id;
  std::string marketplace_id;
  OrderStatus status = OrderStatus::kPending;
  TimePoint purchase_date;
  TimePoint last_update_date;
  std::optional<TimePoint> earliest_ship_date;
  std::optional<TimePoint> latest_ship_date;
  std::optional<TimePoint> latest_delivery_date;  // The delivery promise to the buyer.
  std::string ship_service_level;                 // e.g. "Std UK Dom_1".
  std::string automated_carrier;                  // Shipping settings automation, when set.
  std::string automated_ship_method;
  bool is_prime = false;
  bool is_business = false;
  std::optional<Address> shipping_address;  // Personal data; absent once purged.
  std::vector<OrderLine> lines;

  friend bool operator==(const OrderData&, const OrderData&) = default;
};

// An Amazon order whose structure is sound: a well-formed id, a known
// marketplace, at least one line, unique order item ids, valid SKUs, positive
// quantities, nothing shipped beyond what was ordered, and a ship window that
// does not end before it starts. Whether it can go to the warehouse (mapping,
// SKUs in Clarus, address, deadline) is the order flow's question, not this
// type's. Immutable.
class Order {
 public:
  // Returns InvalidArgument naming the first broken rule and the order id.
  static Result<Order> Create(OrderData data);

  const OrderData& operator*() const { return data_; }
  const OrderData* operator->() const { return &data_; }

  // The total quantity ordered minus shipped over all lines.
  std::int32_t UnshippedQuantity() const;

  friend bool operator==(const Order&, const Order&) = default;

 private:
  explicit Order(OrderData data) : data_(std::move(data)) {}
  OrderData data_;
};

}  // namespace sellerbridge::domain
