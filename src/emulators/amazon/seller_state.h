#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/amazon/account_health.h"
#include "emulators/amazon/listing.h"
#include "emulators/amazon/order.h"
#include "emulators/amazon/order_generator.h"
#include "emulators/amazon/scenario.h"

namespace sellerbridge::emulators::amazon {

// A searchOrders / getOrders query after validation.
struct OrderQuery {
  bool by_last_update = false;  // Filter and sort on lastUpdated instead of created.
  TimePoint after;
  TimePoint before;
  std::vector<OrderStatus> statuses;         // Empty: any.
  std::vector<std::string> marketplace_ids;  // Empty: any.
  int max_results = 100;
};

struct OrderPage {
  std::vector<Order> orders;
  std::optional<std::string> next_token;
  OrderQuery query;  // The query the page answers (from the token, when paging).
};

// One shipment confirmation as confirmShipment (or a feed) carries it.
struct ShipmentConfirmation {
  std::string marketplace_id;
  std::string package_reference_id;
  std::string carrier_code;
  std::string carrier_name;
  std::string shipping_method;
  std::string tracking_number;
  TimePoint ship_date;
  std::vector<std::pair<std::string, int>> items;  // order item id → quantity.
  std::vector<std::pair<std::string, std::vector<std::string>>> transparency_codes;
};

// A label bought through Merchant Fulfillment for some units of an order.
struct LabelPurchase {
  AmazonLabel label;            // `purchased` is set when it is recorded.
  std::string shipping_method;  // The service's name, e.g. "Royal Mail Tracked 24".
  std::vector<std::pair<std::string, int>> items;  // order item id → quantity.
};

enum class ConfirmOutcome {
  kApplied,    // A new package.
  kUnchanged,  // The same package again: nothing changes.
  kCorrected,  // The same package with new carrier or tracking details.
  kDropped,    // Answered as success but not applied (a fault).
};

// Everything Amazon knows about one seller: orders with their items and
// packages, listings with their quantities, the generated order flow and the
// timed transitions (payment authorised, buyer cancellations, automatic
// cancellation 7 days after latestShipDate, listing updates applied after a
// processing delay). Time-driven work is done lazily: every call first
// brings the state up to the clock's Now(), so no thread runs in the
// background and a VirtualClock drives everything. Thread-safe: one mutex
// guards the whole state.
class SellerState {
 public:
  static constexpr std::chrono::hours kAutoCancelAfter{7 * 24};
  static constexpr std::chrono::hours kPaginationTokenLifetime{24};

  // `clock` must outlive the state.
  SellerState(const Scenario& scenario, std::uint64_t seed, Clock* clock);

  const std::string& SellerId() const { return seller_id_; }
  const std::vector<std::string>& MarketplaceIds() const { return marketplace_ids_; }

  // Places an order. InvalidArgument for an unknown marketplace or SKU, a
  // quantity below 1, or no lines; AlreadyExists for a taken order id or
  // order item id. The listing quantities go down by what was ordered,
  // stopping at 0 (see UnitsOversold); no order is refused for want of stock.
  Result<std::string> AddOrder(const NewOrder& order);

  // Places `count` orders drawn by the generator, purchased now. Returns
  // their ids (fewer if stock runs out).
  std::vector<std::string> GenerateOrders(int count);

  // A copy of the order, if it exists.
  std::optional<Order> GetOrder(std::string_view order_id);

  // Copies of every order, oldest first.
  std::vector<Order> AllOrders();

  // The number of orders held.
  std::size_t OrderCount();

  // Runs `query` from its start. Orders come oldest first by the query's
  // time field; a next_token (valid 24 h) continues after the last one.
  OrderPage Search(const OrderQuery& query);
  // Continues a search. InvalidArgument for an unknown or expired token.
  Result<OrderPage> Continue(std::string_view next_token);

  // Records a shipment confirmation arriving now. NotFound for an unknown
  // order; InvalidArgument (message for the caller) for a marketplace that is
  // not the order's, an order that is cancelled or still pending, an unknown
  // order item, a quantity beyond what is unshipped, or a package reference
  // reused with other items. With `drop`, validates but does not apply.
  Result<ConfirmOutcome> ConfirmShipment(std::string_view order_id,
                                         const ShipmentConfirmation& confirmation, bool drop);

  // Cancels an unshipped order. NotFound / FailedPrecondition (shipped or
  // already cancelled).
  Status CancelOrder(std::string_view order_id, Canceller by);

  // The buyer gives the unshipped order a new (complete) delivery address
  // now. NotFound / FailedPrecondition (shipped or cancelled).
  Status ChangeAddress(std::string_view order_id);

  // Records a label bought on Amazon now: its items ship in a new package
  // with the label's carrier and tracking number, confirmed now. NotFound for
  // an unknown order; FailedPrecondition for a cancelled or pending order;
  // InvalidArgument for an unknown order item, a quantity below 1 or beyond
  // what is unshipped.
  Status RecordAmazonLabel(std::string_view order_id, const LabelPurchase& purchase);
  // Records that a label's refund was requested now; the order stays shipped.
  // NotFound for an unknown order or label; FailedPrecondition if it was
  // cancelled before.
  Status CancelAmazonLabel(std::string_view order_id, std::string_view shipment_id);
  // Refunds every shipped unit of an order now. NotFound; FailedPrecondition
  // when nothing has shipped or the order was refunded before.
  Status RefundOrder(std::string_view order_id);
  // Copies of the orders with money movements in [from, to): a package
  // confirmed, a label bought or its refund applied, a refund.
  std::vector<Order> OrdersWithActivity(TimePoint from, TimePoint to);

  // A copy of the listing, if the SKU exists.
  std::optional<Listing> GetListing(std::string_view sku);
  std::vector<Listing> Listings();

  // Units ordered per SKU since the state began, cancelled orders included.
  // Only SKUs with any.
  std::map<std::string, std::int64_t> UnitsOrdered();
  // Units ordered per SKU beyond what the listing showed when the order was
  // placed: the quantity stops at 0, so these are units sold that the seller
  // never offered. Counts stay when the order is cancelled. Only SKUs with
  // any.
  std::map<std::string, std::int64_t> UnitsOversold();

  // Queues a change of the SKU's DEFAULT fulfilment availability that
  // applies after the processing delay. NotFound for an unknown SKU.
  Status QueueAvailability(std::string_view sku, const AvailabilityPatch& patch,
                           std::string_view source);

  // The metrics as Amazon would show them now.
  AccountHealth Health();

 private:
  enum class EventKind { kAuthorise, kBuyerCancel, kAutoCancel };

  void SyncLocked(TimePoint now);
  // The order `order_id`, or null.
  Order* FindOrderLocked(std::string_view order_id);
  Result<std::string> AddOrderLocked(const NewOrder& order, TimePoint now);
  void CancelLocked(Order& order, Canceller by, TimePoint when);
  std::string NewOrderIdLocked();
  std::string NewOrderItemIdLocked();
  OrderPage RunLocked(const OrderQuery& query,
                      std::optional<std::pair<TimePoint, std::string>> after, TimePoint now);
  void AdjustStockLocked(const std::string& sku, int delta, TimePoint when,
                         std::string_view source);

  const std::string seller_id_;
  const std::vector<std::string> marketplace_ids_;
  const GeneratorOptions generator_options_;
  const Duration listing_delay_;
  Clock* const clock_;

  std::mutex mu_;
  std::mt19937_64 rng_;                                       // Guarded by mu_.
  OrderGenerator generator_;                                  // Guarded by mu_.
  std::optional<TimePoint> next_arrival_;                     // Guarded by mu_.
  std::vector<Order> orders_;                                 // Guarded by mu_.
  std::unordered_map<std::string, std::size_t> order_index_;  // Guarded by mu_.
  std::unordered_map<std::string, std::size_t> item_index_;   // Guarded by mu_. Item → order.
  std::multimap<TimePoint, std::pair<EventKind, std::size_t>> events_;  // Guarded by mu_.
  std::map<std::string, Listing, std::less<>> listings_;                // Guarded by mu_.
  std::multimap<TimePoint, std::string> listing_events_;  // Guarded by mu_. Apply time → SKU.
  std::map<std::string, std::int64_t> units_ordered_;     // Guarded by mu_.
  std::map<std::string, std::int64_t> units_oversold_;    // Guarded by mu_.
  struct Cursor {
    OrderQuery query;
    TimePoint last_time;
    std::string last_order_id;
    TimePoint created;
  };
  std::map<std::string, Cursor, std::less<>> cursors_;  // Guarded by mu_.
};

}  // namespace sellerbridge::emulators::amazon
