#include "emulators/amazon/order.h"

namespace sellerbridge::emulators::amazon {

std::string_view OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPending:
      return "Pending";
    case OrderStatus::kUnshipped:
      return "Unshipped";
    case OrderStatus::kPartiallyShipped:
      return "PartiallyShipped";
    case OrderStatus::kShipped:
      return "Shipped";
    case OrderStatus::kCanceled:
      return "Canceled";
  }
  return "Pending";
}

std::string_view FulfillmentStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPending:
      return "PENDING";
    case OrderStatus::kUnshipped:
      return "UNSHIPPED";
    case OrderStatus::kPartiallyShipped:
      return "PARTIALLY_SHIPPED";
    case OrderStatus::kShipped:
      return "SHIPPED";
    case OrderStatus::kCanceled:
      return "CANCELLED";
  }
  return "PENDING";
}

std::string_view CancellerName(Canceller canceller) {
  switch (canceller) {
    case Canceller::kNone:
      return "";
    case Canceller::kBuyer:
      return "buyer";
    case Canceller::kSeller:
      return "seller";
    case Canceller::kAmazonUnconfirmed:
      return "amazon_unconfirmed";
  }
  return "";
}

int Order::QuantityOrdered() const {
  int total = 0;
  for (const OrderLine& line : lines) {
    total += line.quantity_ordered;
  }
  return total;
}

int Order::QuantityShipped() const {
  int total = 0;
  for (const OrderLine& line : lines) {
    total += line.quantity_shipped;
  }
  return total;
}

std::int64_t Order::TotalMinor() const {
  std::int64_t total = 0;
  for (const OrderLine& line : lines) {
    total +=
        line.unit_price_minor * line.quantity_ordered + line.shipping_minor - line.promotion_minor;
  }
  return total;
}

const OrderLine* Order::FindLine(std::string_view order_item_id) const {
  for (const OrderLine& line : lines) {
    if (line.order_item_id == order_item_id) {
      return &line;
    }
  }
  return nullptr;
}

OrderLine* Order::FindLine(std::string_view order_item_id) {
  for (OrderLine& line : lines) {
    if (line.order_item_id == order_item_id) {
      return &line;
    }
  }
  return nullptr;
}

const Package* Order::FindPackage(std::string_view package_reference_id) const {
  for (const Package& package : packages) {
    if (package.package_reference_id == package_reference_id) {
      return &package;
    }
  }
  return nullptr;
}

bool Order::IsLate() const {
  return first_confirmation.has_value() && *first_confirmation > latest_ship_date;
}

}  // namespace sellerbridge::emulators::amazon
