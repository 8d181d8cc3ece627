#include "emulators/amazon/seller_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/marketplace.h"
#include "emulators/amazon/formats/tracking_numbers.h"
#include "emulators/amazon/ship_by.h"

namespace sellerbridge::emulators::amazon {
namespace {

// Transit business days Amazon promises by service level category.
int TransitDays(std::string_view category) {
  if (category == "NextDay" || category == "SameDay") {
    return 1;
  }
  if (category == "Expedited" || category == "SecondDay" || category == "Priority") {
    return 2;
  }
  return 4;
}

TimePoint OrderTime(const Order& order, bool by_last_update) {
  return by_last_update ? order.last_update : order.purchase_date;
}

void ApplyPatch(Listing& listing, const AvailabilityPatch& patch) {
  switch (patch.op) {
    case AvailabilityPatch::Op::kReplace:
      listing.quantity = patch.quantity.value_or(0);
      listing.lead_time_to_ship_max_days = patch.lead_time_to_ship_max_days;
      listing.restock_date = patch.restock_date;
      break;
    case AvailabilityPatch::Op::kMerge:
      if (patch.quantity) {
        listing.quantity = *patch.quantity;
      }
      if (patch.lead_time_to_ship_max_days) {
        listing.lead_time_to_ship_max_days = patch.lead_time_to_ship_max_days;
      }
      if (patch.restock_date) {
        listing.restock_date = patch.restock_date;
      }
      break;
    case AvailabilityPatch::Op::kDelete:
      listing.quantity = 0;
      listing.lead_time_to_ship_max_days.reset();
      listing.restock_date.reset();
      break;
  }
}

// The units of each order item a package carries, checked against the order:
// every item must be the order's and (with `check_unshipped`) no more than
// its unshipped units. InvalidArgument otherwise, in Amazon's words.
Result<std::map<std::string, int>> RequestedUnits(
    const Order& order, const std::vector<std::pair<std::string, int>>& items,
    bool check_unshipped) {
  std::map<std::string, int> requested;
  for (const auto& [item_id, quantity] : items) {
    if (order.FindLine(item_id) == nullptr) {
      return InvalidArgumentError(
          fmt::format("orderItemId {} is not an item of order {}", item_id, order.order_id));
    }
    requested[item_id] += quantity;
  }
  if (check_unshipped) {
    for (const auto& [item_id, quantity] : requested) {
      const OrderLine* line = order.FindLine(item_id);
      const int unshipped = line->quantity_ordered - line->quantity_shipped;
      if (quantity > unshipped) {
        return InvalidArgumentError(
            fmt::format("quantity {} for orderItemId {} exceeds the {} unit(s) not yet shipped",
                        quantity, item_id, unshipped));
      }
    }
  }
  return requested;
}

// Ships `package` (arriving `now`) with the units in `requested`.
void ShipPackage(Order& order, Package package, const std::map<std::string, int>& requested,
                 TimePoint now) {
  package.arrival_time = now;
  package.last_edit_time = now;
  package.valid_tracking = IsValidTrackingNumber(package.carrier_code, package.tracking_number);
  for (const auto& [item_id, quantity] : requested) {
    order.FindLine(item_id)->quantity_shipped += quantity;
  }
  order.packages.push_back(std::move(package));
  if (!order.first_confirmation) {
    order.first_confirmation = now;
  }
  order.status = order.QuantityShipped() >= order.QuantityOrdered()
                     ? OrderStatus::kShipped
                     : OrderStatus::kPartiallyShipped;
  order.last_update = now;
}

}  // namespace

SellerState::SellerState(const Scenario& scenario, std::uint64_t seed, Clock* clock)
    : seller_id_(scenario.seller_id),
      marketplace_ids_(scenario.marketplace_ids),
      generator_options_(scenario.generator),
      listing_delay_(std::chrono::seconds(scenario.listing_processing_seconds)),
      clock_(clock),
      rng_(seed),
      generator_(scenario.generator, scenario.marketplace_ids, seed * 7919 + 1) {
  const TimePoint now = clock_->Now();
  for (const CatalogueItem& item : scenario.catalogue) {
    Listing listing;
    listing.item = item;
    listing.quantity = item.quantity;
    listing.created = now;
    listing.updated = now;
    listing.history.push_back({.time = now, .quantity = item.quantity, .source = "scenario"});
    listings_.emplace(item.sku, std::move(listing));
  }
  if (generator_options_.enabled) {
    next_arrival_ = generator_.NextArrival(now);
  }
}

std::string SellerState::NewOrderIdLocked() {
  std::uniform_int_distribution<int> block(0, 9'999'999);
  std::uniform_int_distribution<int> lead(2, 4);
  for (;;) {
    std::string id = fmt::format("20{}-{:07d}-{:07d}", lead(rng_), block(rng_), block(rng_));
    if (!order_index_.contains(id)) {
      return id;
    }
  }
}

std::string SellerState::NewOrderItemIdLocked() {
  std::uniform_int_distribution<std::int64_t> digits(10'000'000'000'000, 99'999'999'999'999);
  for (;;) {
    std::string id = std::to_string(digits(rng_));
    if (!item_index_.contains(id)) {
      return id;
    }
  }
}

void SellerState::AdjustStockLocked(const std::string& sku, int delta, TimePoint when,
                                    std::string_view source) {
  const auto it = listings_.find(sku);
  if (it == listings_.end()) {
    return;
  }
  Listing& listing = it->second;
  listing.quantity = std::max(0, listing.quantity + delta);
  listing.updated = when;
  listing.history.push_back(
      {.time = when, .quantity = listing.quantity, .source = std::string(source)});
}

Result<std::string> SellerState::AddOrderLocked(const NewOrder& request, TimePoint now) {
  const std::string marketplace_id =
      request.marketplace_id.empty() ? marketplace_ids_.front() : request.marketplace_id;
  if (std::find(marketplace_ids_.begin(), marketplace_ids_.end(), marketplace_id) ==
      marketplace_ids_.end()) {
    return InvalidArgumentError(
        fmt::format("marketplace {} is not one of the seller's marketplaces", marketplace_id));
  }
  const Marketplace* marketplace = FindMarketplace(marketplace_id);
  if (request.lines.empty()) {
    return InvalidArgumentError("an order needs at least one line");
  }
  if (request.order_id && order_index_.contains(*request.order_id)) {
    return AlreadyExistsError(fmt::format("order {} already exists", *request.order_id));
  }
  std::set<std::string> new_item_ids;
  for (const NewOrderLine& line : request.lines) {
    if (!listings_.contains(line.sku)) {
      return InvalidArgumentError(fmt::format("SKU \"{}\" is not in the catalogue", line.sku));
    }
    if (line.quantity < 1) {
      return InvalidArgumentError(fmt::format("line {}: quantity must be at least 1", line.sku));
    }
    if (line.order_item_id && (item_index_.contains(*line.order_item_id) ||
                               !new_item_ids.insert(*line.order_item_id).second)) {
      return AlreadyExistsError(fmt::format("order item {} already exists", *line.order_item_id));
    }
  }
  Order order;
  order.order_id = request.order_id.value_or(NewOrderIdLocked());
  order.marketplace_id = marketplace_id;
  order.purchase_date = request.purchase_date.value_or(now);
  order.pending_until = order.purchase_date + std::chrono::seconds(request.pending_seconds);
  order.status = order.pending_until > now ? OrderStatus::kPending : OrderStatus::kUnshipped;
  order.last_update =
      order.status == OrderStatus::kPending ? order.purchase_date : order.pending_until;
  order.is_prime = request.is_prime;
  order.address_without_postal_code = request.address_without_postal_code;
  const ServiceLevel fallback{.name = "Std Dom_1", .category = "Standard"};
  const ServiceLevel& default_level = generator_options_.service_levels.empty()
                                          ? fallback
                                          : generator_options_.service_levels.front();
  order.ship_service_level =
      request.ship_service_level.empty() ? default_level.name : request.ship_service_level;
  order.service_level_category = request.service_level_category.empty()
                                     ? default_level.category
                                     : request.service_level_category;
  // Prime orders ship the same business day when placed before the cut-off.
  const int handling_days = order.is_prime ? 0 : generator_options_.handling_days;
  auto window = ComputeShipWindow(order.purchase_date, marketplace->time_zone, handling_days,
                                  generator_options_.cutoff_hour,
                                  order.is_prime ? 1 : TransitDays(order.service_level_category));
  if (!window.ok()) {
    return window.status();
  }
  order.earliest_ship_date = window->earliest_ship;
  order.latest_ship_date = request.latest_ship_date.value_or(window->latest_ship);
  order.earliest_delivery_date = window->earliest_delivery;
  order.latest_delivery_date = window->latest_delivery;
  for (const NewOrderLine& line : request.lines) {
    const Listing& listing = listings_.at(line.sku);
    order.lines.push_back({.order_item_id = line.order_item_id.value_or(NewOrderItemIdLocked()),
                           .sku = line.sku,
                           .asin = listing.item.asin,
                           .title = listing.item.title,
                           .quantity_ordered = line.quantity,
                           .unit_price_minor = listing.item.price_minor,
                           .shipping_minor = line.shipping_minor,
                           .promotion_minor = listing.item.price_minor * line.quantity *
                                              line.promotion_percent / 100});
  }
  if (request.buyer_cancels_after) {
    order.buyer_cancel_at = order.purchase_date + *request.buyer_cancels_after;
  }
  const std::size_t index = orders_.size();
  order_index_.emplace(order.order_id, index);
  for (const OrderLine& line : order.lines) {
    item_index_.emplace(line.order_item_id, index);
    // Lines are taken in turn, so a second line of the same SKU sees what the
    // first left.
    const int shown = listings_.at(line.sku).quantity;
    units_ordered_[line.sku] += line.quantity_ordered;
    if (line.quantity_ordered > shown) {
      units_oversold_[line.sku] += line.quantity_ordered - shown;
    }
    AdjustStockLocked(line.sku, -line.quantity_ordered, order.purchase_date, "order");
  }
  if (order.status == OrderStatus::kPending) {
    events_.emplace(order.pending_until, std::pair{EventKind::kAuthorise, index});
  }
  if (order.buyer_cancel_at) {
    events_.emplace(*order.buyer_cancel_at, std::pair{EventKind::kBuyerCancel, index});
  }
  events_.emplace(order.latest_ship_date + kAutoCancelAfter,
                  std::pair{EventKind::kAutoCancel, index});
  std::string id = order.order_id;
  orders_.push_back(std::move(order));
  return id;
}

void SellerState::CancelLocked(Order& order, Canceller by, TimePoint when) {
  order.status = OrderStatus::kCanceled;
  order.cancelled_by = by;
  order.cancel_time = when;
  order.last_update = when;
  for (const OrderLine& line : order.lines) {
    AdjustStockLocked(line.sku, line.quantity_ordered - line.quantity_shipped, when,
                      by == Canceller::kBuyer ? "buyer-cancel" : "cancel");
  }
}

void SellerState::SyncLocked(TimePoint now) {
  for (;;) {
    const bool arrival_due = next_arrival_.has_value() && *next_arrival_ <= now;
    const bool event_due = !events_.empty() && events_.begin()->first <= now;
    const bool listing_due = !listing_events_.empty() && listing_events_.begin()->first <= now;
    if (!arrival_due && !event_due && !listing_due) {
      return;
    }
    // Work through whatever is due earliest, so effects happen in time order.
    TimePoint earliest = now;
    if (arrival_due) {
      earliest = std::min(earliest, *next_arrival_);
    }
    if (event_due) {
      earliest = std::min(earliest, events_.begin()->first);
    }
    if (listing_due) {
      earliest = std::min(earliest, listing_events_.begin()->first);
    }
    if (arrival_due && *next_arrival_ == earliest) {
      const TimePoint when = *next_arrival_;
      std::vector<std::pair<std::string, int>> in_stock;
      for (const auto& [sku, listing] : listings_) {
        if (listing.quantity > 0) {
          in_stock.emplace_back(sku, listing.quantity);
        }
      }
      if (auto drawn = generator_.Draw(when, in_stock)) {
        AddOrderLocked(*drawn, now).status().IgnoreError();
      }
      next_arrival_ = generator_.NextArrival(when);
    } else if (event_due && events_.begin()->first == earliest) {
      const auto [when, event] = *events_.begin();
      events_.erase(events_.begin());
      Order& order = orders_[event.second];
      switch (event.first) {
        case EventKind::kAuthorise:
          if (order.status == OrderStatus::kPending) {
            order.status = OrderStatus::kUnshipped;
            order.last_update = when;
          }
          break;
        case EventKind::kBuyerCancel:
          if (order.status == OrderStatus::kPending || order.status == OrderStatus::kUnshipped) {
            CancelLocked(order, Canceller::kBuyer, when);
          }
          break;
        case EventKind::kAutoCancel:
          if (order.status == OrderStatus::kPending || order.status == OrderStatus::kUnshipped) {
            CancelLocked(order, Canceller::kAmazonUnconfirmed, when);
          }
          break;
      }
    } else {
      const auto [when, sku] = *listing_events_.begin();
      listing_events_.erase(listing_events_.begin());
      const auto it = listings_.find(sku);
      if (it != listings_.end() && !it->second.pending.empty()) {
        Listing& listing = it->second;
        const Listing::Pending change = listing.pending.front();
        listing.pending.erase(listing.pending.begin());
        ApplyPatch(listing, change.patch);
        listing.updated = when;
        listing.history.push_back(
            {.time = when, .quantity = listing.quantity, .source = change.source});
      }
    }
  }
}

Result<std::string> SellerState::AddOrder(const NewOrder& order) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  return AddOrderLocked(order, now);
}

std::vector<std::string> SellerState::GenerateOrders(int count) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    std::vector<std::pair<std::string, int>> in_stock;
    for (const auto& [sku, listing] : listings_) {
      if (listing.quantity > 0) {
        in_stock.emplace_back(sku, listing.quantity);
      }
    }
    auto drawn = generator_.Draw(now, in_stock);
    if (!drawn) {
      break;
    }
    auto id = AddOrderLocked(*drawn, now);
    if (id.ok()) {
      ids.push_back(*std::move(id));
    }
  }
  return ids;
}

std::optional<Order> SellerState::GetOrder(std::string_view order_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  const Order* order = FindOrderLocked(order_id);
  return order != nullptr ? std::optional<Order>(*order) : std::nullopt;
}

Order* SellerState::FindOrderLocked(std::string_view order_id) {
  const auto it = order_index_.find(std::string(order_id));
  return it == order_index_.end() ? nullptr : &orders_[it->second];
}

std::vector<Order> SellerState::AllOrders() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  return orders_;
}

std::size_t SellerState::OrderCount() {
  std::lock_guard lock(mu_);
  return orders_.size();
}

OrderPage SellerState::RunLocked(const OrderQuery& query,
                                 std::optional<std::pair<TimePoint, std::string>> after,
                                 TimePoint now) {
  std::vector<const Order*> matches;
  for (const Order& order : orders_) {
    const TimePoint t = OrderTime(order, query.by_last_update);
    if (t < query.after || t > query.before) {
      continue;
    }
    if (after && std::pair<TimePoint, std::string_view>(t, order.order_id) <=
                     std::pair<TimePoint, std::string_view>(after->first, after->second)) {
      continue;
    }
    if (!query.statuses.empty() && std::find(query.statuses.begin(), query.statuses.end(),
                                             order.status) == query.statuses.end()) {
      continue;
    }
    if (!query.marketplace_ids.empty() &&
        std::find(query.marketplace_ids.begin(), query.marketplace_ids.end(),
                  order.marketplace_id) == query.marketplace_ids.end()) {
      continue;
    }
    matches.push_back(&order);
  }
  const auto less = [&](const Order* a, const Order* b) {
    return std::pair<TimePoint, std::string_view>(OrderTime(*a, query.by_last_update),
                                                  a->order_id) <
           std::pair<TimePoint, std::string_view>(OrderTime(*b, query.by_last_update), b->order_id);
  };
  const auto page_size = static_cast<std::size_t>(std::max(1, query.max_results));
  const std::size_t keep = std::min(matches.size(), page_size);
  std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(keep),
                    matches.end(), less);
  OrderPage page;
  page.query = query;
  for (std::size_t i = 0; i < keep; ++i) {
    page.orders.push_back(*matches[i]);
  }
  if (matches.size() > page_size) {
    std::string token;
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    do {
      token.clear();
      for (int i = 0; i < 40; ++i) {
        token += kAlphabet[rng_() % kAlphabet.size()];
      }
    } while (cursors_.contains(token));
    const Order& last = page.orders.back();
    cursors_[token] = Cursor{.query = query,
                             .last_time = OrderTime(last, query.by_last_update),
                             .last_order_id = last.order_id,
                             .created = now};
    page.next_token = token;
  }
  return page;
}

OrderPage SellerState::Search(const OrderQuery& query) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  std::erase_if(cursors_, [now](const auto& entry) {
    return entry.second.created + kPaginationTokenLifetime <= now;
  });
  return RunLocked(query, std::nullopt, now);
}

Result<OrderPage> SellerState::Continue(std::string_view next_token) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  const auto it = cursors_.find(next_token);
  if (it == cursors_.end()) {
    return InvalidArgumentError("Invalid pagination token");
  }
  if (it->second.created + kPaginationTokenLifetime <= now) {
    cursors_.erase(it);
    return InvalidArgumentError("The pagination token has expired");
  }
  const Cursor cursor = it->second;
  return RunLocked(cursor.query, std::pair{cursor.last_time, cursor.last_order_id}, now);
}

Result<ConfirmOutcome> SellerState::ConfirmShipment(std::string_view order_id,
                                                    const ShipmentConfirmation& confirmation,
                                                    bool drop) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  Order* order_ptr = FindOrderLocked(order_id);
  if (order_ptr == nullptr) {
    return NotFoundError(fmt::format("Order {} not found", order_id));
  }
  Order& order = *order_ptr;
  if (confirmation.marketplace_id != order.marketplace_id) {
    return InvalidArgumentError(fmt::format(
        "marketplaceId {} does not match the order's marketplace", confirmation.marketplace_id));
  }
  if (order.status == OrderStatus::kCanceled) {
    return InvalidArgumentError("The order is cancelled and cannot be shipped");
  }
  if (order.status == OrderStatus::kPending) {
    return InvalidArgumentError("The order is pending and cannot be shipped yet");
  }
  auto items = RequestedUnits(order, confirmation.items, /*check_unshipped=*/false);
  if (!items.ok()) {
    return items.status();
  }
  const std::map<std::string, int>& requested = *items;
  const Package* existing = order.FindPackage(confirmation.package_reference_id);
  if (existing != nullptr) {
    std::map<std::string, int> before;
    for (const auto& [item_id, quantity] : existing->items) {
      before[item_id] += quantity;
    }
    if (before != requested) {
      return InvalidArgumentError(
          fmt::format("packageReferenceId {} was already confirmed with other items",
                      confirmation.package_reference_id));
    }
    const bool same = existing->carrier_code == confirmation.carrier_code &&
                      existing->carrier_name == confirmation.carrier_name &&
                      existing->shipping_method == confirmation.shipping_method &&
                      existing->tracking_number == confirmation.tracking_number &&
                      existing->ship_date == confirmation.ship_date;
    if (same) {
      return ConfirmOutcome::kUnchanged;
    }
    if (drop) {
      ++order.dropped_confirmations;
      return ConfirmOutcome::kDropped;
    }
    // Corrections keep the original arrival: lateness counts from the first confirmation.
    Package& package = order.packages[static_cast<std::size_t>(existing - order.packages.data())];
    package.carrier_code = confirmation.carrier_code;
    package.carrier_name = confirmation.carrier_name;
    package.shipping_method = confirmation.shipping_method;
    package.tracking_number = confirmation.tracking_number;
    package.ship_date = confirmation.ship_date;
    package.last_edit_time = now;
    package.valid_tracking = IsValidTrackingNumber(package.carrier_code, package.tracking_number);
    order.last_update = now;
    return ConfirmOutcome::kCorrected;
  }
  if (auto checked = RequestedUnits(order, confirmation.items, /*check_unshipped=*/true);
      !checked.ok()) {
    return checked.status();
  }
  if (drop) {
    ++order.dropped_confirmations;
    return ConfirmOutcome::kDropped;
  }
  Package package;
  package.package_reference_id = confirmation.package_reference_id;
  package.carrier_code = confirmation.carrier_code;
  package.carrier_name = confirmation.carrier_name;
  package.shipping_method = confirmation.shipping_method;
  package.tracking_number = confirmation.tracking_number;
  package.ship_date = confirmation.ship_date;
  package.items = confirmation.items;
  package.transparency_codes = confirmation.transparency_codes;
  ShipPackage(order, std::move(package), requested, now);
  return ConfirmOutcome::kApplied;
}

Status SellerState::CancelOrder(std::string_view order_id, Canceller by) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  Order* order_ptr = FindOrderLocked(order_id);
  if (order_ptr == nullptr) {
    return NotFoundError(fmt::format("order {} not found", order_id));
  }
  Order& order = *order_ptr;
  if (order.status != OrderStatus::kPending && order.status != OrderStatus::kUnshipped) {
    return FailedPreconditionError(fmt::format("order {} is {} and cannot be cancelled", order_id,
                                               OrderStatusName(order.status)));
  }
  CancelLocked(order, by, now);
  return Status::Ok();
}

Status SellerState::ChangeAddress(std::string_view order_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  Order* order = FindOrderLocked(order_id);
  if (order == nullptr) {
    return NotFoundError(fmt::format("order {} not found", order_id));
  }
  if (order->status != OrderStatus::kPending && order->status != OrderStatus::kUnshipped) {
    return FailedPreconditionError(fmt::format("order {} is {} and its address cannot change",
                                               order_id, OrderStatusName(order->status)));
  }
  ++order->address_revision;
  order->address_without_postal_code = false;
  order->last_update = now;
  return Status::Ok();
}

Status SellerState::RecordAmazonLabel(std::string_view order_id, const LabelPurchase& purchase) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  Order* order_ptr = FindOrderLocked(order_id);
  if (order_ptr == nullptr) {
    return NotFoundError(fmt::format("Order {} not found", order_id));
  }
  Order& order = *order_ptr;
  if (order.status == OrderStatus::kCanceled || order.status == OrderStatus::kPending) {
    return FailedPreconditionError(fmt::format("Order {} is {} and cannot be shipped", order_id,
                                               OrderStatusName(order.status)));
  }
  for (const auto& [item_id, quantity] : purchase.items) {
    if (quantity < 1) {
      return InvalidArgumentError(fmt::format("Quantity for {} must be at least 1", item_id));
    }
  }
  auto requested = RequestedUnits(order, purchase.items, /*check_unshipped=*/true);
  if (!requested.ok()) {
    return requested.status();
  }
  AmazonLabel label = purchase.label;
  label.purchased = now;
  Package package;
  package.package_reference_id = label.shipment_id;
  package.carrier_code = label.carrier_code;
  package.shipping_method = purchase.shipping_method;
  package.tracking_number = label.tracking_number;
  package.ship_date = now;
  package.items = purchase.items;
  package.amazon_shipment_id = label.shipment_id;
  ShipPackage(order, std::move(package), *requested, now);
  order.amazon_labels.push_back(std::move(label));
  return Status::Ok();
}

Status SellerState::CancelAmazonLabel(std::string_view order_id, std::string_view shipment_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  Order* order = FindOrderLocked(order_id);
  if (order == nullptr) {
    return NotFoundError(fmt::format("Order {} not found", order_id));
  }
  for (AmazonLabel& label : order->amazon_labels) {
    if (label.shipment_id != shipment_id) {
      continue;
    }
    if (label.cancelled) {
      return FailedPreconditionError(fmt::format("Shipment {} is already cancelled", shipment_id));
    }
    label.cancelled = now;
    return Status::Ok();
  }
  return NotFoundError(fmt::format("Shipment {} not found", shipment_id));
}

Status SellerState::RefundOrder(std::string_view order_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  Order* order_ptr = FindOrderLocked(order_id);
  if (order_ptr == nullptr) {
    return NotFoundError(fmt::format("order {} not found", order_id));
  }
  Order& order = *order_ptr;
  if (order.QuantityShipped() == 0) {
    return FailedPreconditionError(fmt::format("order {} has nothing shipped to refund", order_id));
  }
  if (order.refunded_at) {
    return FailedPreconditionError(fmt::format("order {} was refunded before", order_id));
  }
  order.refunded_at = now;
  order.last_update = now;
  return Status::Ok();
}

std::vector<Order> SellerState::OrdersWithActivity(TimePoint from, TimePoint to) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  const auto within = [from, to](TimePoint t) { return t >= from && t < to; };
  std::vector<Order> active;
  for (const Order& order : orders_) {
    bool any = order.refunded_at && within(*order.refunded_at);
    for (const Package& package : order.packages) {
      any = any || within(package.arrival_time);
    }
    for (const AmazonLabel& label : order.amazon_labels) {
      any = any || within(label.purchased) ||
            (label.cancelled && within(*label.cancelled + kLabelRefundDelay));
    }
    if (any) {
      active.push_back(order);
    }
  }
  return active;
}

std::optional<Listing> SellerState::GetListing(std::string_view sku) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  const auto it = listings_.find(sku);
  if (it == listings_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<Listing> SellerState::Listings() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  std::vector<Listing> listings;
  for (const auto& [sku, listing] : listings_) {
    listings.push_back(listing);
  }
  return listings;
}

std::map<std::string, std::int64_t> SellerState::UnitsOrdered() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  return units_ordered_;
}

std::map<std::string, std::int64_t> SellerState::UnitsOversold() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  return units_oversold_;
}

Status SellerState::QueueAvailability(std::string_view sku, const AvailabilityPatch& patch,
                                      std::string_view source) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  const auto it = listings_.find(sku);
  if (it == listings_.end()) {
    return NotFoundError(fmt::format("SKU {} not found", sku));
  }
  const TimePoint apply_at = now + listing_delay_;
  it->second.pending.push_back(
      {.apply_at = apply_at, .patch = patch, .source = std::string(source)});
  listing_events_.emplace(apply_at, it->first);
  if (listing_delay_ <= Duration::zero()) {
    SyncLocked(now);
  }
  return Status::Ok();
}

AccountHealth SellerState::Health() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  std::map<std::string, std::string> category_of;
  for (const auto& [sku, listing] : listings_) {
    category_of[sku] = listing.item.category;
  }
  return ComputeAccountHealth(orders_, category_of, now);
}

}  // namespace sellerbridge::emulators::amazon
