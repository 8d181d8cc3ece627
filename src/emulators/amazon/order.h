#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"

namespace sellerbridge::emulators::amazon {

// Orders v0 OrderStatus values the emulator produces (all orders are MFN).
enum class OrderStatus { kPending, kUnshipped, kPartiallyShipped, kShipped, kCanceled };

// Who cancelled an order. Buyer cancellations do not count against the
// seller; seller and automatic cancellations do.
enum class Canceller { kNone, kBuyer, kSeller, kAmazonUnconfirmed };

// "Pending", "Unshipped", ... (Orders v0 spelling).
std::string_view OrderStatusName(OrderStatus status);
// "PENDING", "UNSHIPPED", ... (Orders v2026-01-01 FulfillmentStatus spelling).
std::string_view FulfillmentStatusName(OrderStatus status);
// "", "buyer", "seller", "amazon_unconfirmed".
std::string_view CancellerName(Canceller canceller);

struct OrderLine {
  std::string order_item_id;  // 14 digits.
  std::string sku;
  std::string asin;
  std::string title;
  int quantity_ordered = 0;
  int quantity_shipped = 0;
  std::int64_t unit_price_minor = 0;
  std::int64_t shipping_minor = 0;   // Shipping charged to the buyer for all units.
  std::int64_t promotion_minor = 0;  // Promotion discount on all units (positive).

  // `amount` for `quantity` of the line's units, by share of quantity_ordered.
  std::int64_t ShareFor(std::int64_t amount, int quantity) const {
    return quantity_ordered == 0 ? 0 : amount * quantity / quantity_ordered;
  }
};

// One package as confirmShipment (or a feed) reported it.
struct Package {
  std::string package_reference_id;
  std::string carrier_code;
  std::string carrier_name;
  std::string shipping_method;
  std::string tracking_number;
  TimePoint ship_date;          // What the seller said.
  TimePoint arrival_time;       // When the confirmation reached Amazon (emulator clock).
  TimePoint last_edit_time;     // Equals arrival_time unless tracking was corrected.
  bool valid_tracking = false;  // As the Valid Tracking Rate judges it.
  std::vector<std::pair<std::string, int>> items;  // order item id → quantity.
  std::vector<std::pair<std::string, std::vector<std::string>>> transparency_codes;
  std::string amazon_shipment_id;  // Set when the package is a label bought on Amazon.
};

// A cancelled label's refund reaches the seller this long after cancelShipment.
inline constexpr std::chrono::hours kLabelRefundDelay{24};

// A shipping label bought through Merchant Fulfillment createShipment. Buying
// it ships the items (a Package with the same carrier and tracking number).
struct AmazonLabel {
  std::string shipment_id;  // Merchant Fulfillment ShipmentId.
  std::string shipping_service_id;
  std::string carrier_code;
  std::string tracking_number;
  std::int64_t rate_minor = 0;  // What the seller pays, in the order's currency.
  TimePoint purchased;
  std::optional<TimePoint> cancelled;  // cancelShipment: label refund requested.
};

struct Order {
  std::string order_id;  // 3-7-7 digits.
  std::string marketplace_id;
  TimePoint purchase_date;
  TimePoint last_update;
  OrderStatus status = OrderStatus::kPending;
  TimePoint pending_until;  // Pending → Unshipped at this time.
  bool is_prime = false;
  std::string ship_service_level;
  std::string service_level_category;  // "Standard", "Expedited", "NextDay", ...
  TimePoint earliest_ship_date;
  TimePoint latest_ship_date;
  TimePoint earliest_delivery_date;
  TimePoint latest_delivery_date;
  std::vector<OrderLine> lines;
  std::vector<Package> packages;
  std::optional<TimePoint> first_confirmation;  // Arrival of the first confirmation.
  std::optional<TimePoint> buyer_cancel_at;     // A buyer who will cancel if still unshipped.
  Canceller cancelled_by = Canceller::kNone;
  std::optional<TimePoint> cancel_time;
  int dropped_confirmations = 0;             // confirmShipment calls answered 204 but not applied.
  std::vector<AmazonLabel> amazon_labels;    // Labels bought on Amazon, oldest first.
  std::optional<TimePoint> refunded_at;      // The shipped units were refunded in full.
  int address_revision = 0;                  // Bumped when the buyer changes the address.
  bool address_without_postal_code = false;  // As Amazon sends some addresses.

  int QuantityOrdered() const;
  int QuantityShipped() const;
  // What the buyer pays: prices and shipping, less promotions.
  std::int64_t TotalMinor() const;
  const OrderLine* FindLine(std::string_view order_item_id) const;
  OrderLine* FindLine(std::string_view order_item_id);
  const Package* FindPackage(std::string_view package_reference_id) const;
  // Late as Amazon counts it: first confirmation arrived after latest_ship_date.
  bool IsLate() const;
};

}  // namespace sellerbridge::emulators::amazon
