#include "sync/order_import.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <utility>

#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::sync {
namespace {

// Whether the warehouse must follow a change Amazon made to an order after
// its goods-out was created: a cancellation or a new delivery address.
bool WarehouseMustFollow(const domain::Order& before, const domain::Order& after) {
  if (after->status == domain::OrderStatus::kCancelled &&
      before->status != domain::OrderStatus::kCancelled) {
    return true;
  }
  return before->shipping_address && after->shipping_address &&
         *before->shipping_address != *after->shipping_address;
}

// Whether the order's buyer data has been purged for good: it left our
// hands, so a re-read must not bring the address back.
bool IsPastOrder(store::SyncState state) {
  return state == store::SyncState::kDispatched || state == store::SyncState::kClosed ||
         state == store::SyncState::kCancelled;
}

// The key an unreadable order is kept under: its id, or a digest of its
// document when even the id cannot be read.
std::string QuarantineKey(const amazon::UnreadableOrder& unreadable) {
  if (!unreadable.order_id.empty()) {
    return unreadable.order_id;
  }
  return fmt::format("unreadable-{:016x}", std::hash<std::string>{}(unreadable.json));
}

}  // namespace

OrderImporter::OrderImporter(OrderImportOptions options, store::Store* store,
                             amazon::OrdersApi* orders, Clock* clock)
    : options_(std::move(options)), store_(store), orders_(orders), clock_(clock) {}

Result<ImportPass> OrderImporter::RunOnce(const std::stop_token& stop) {
  const TimePoint now = clock_->Now();
  TimePoint from = now - options_.lookback;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(const std::optional<store::Watermark> mark, tx->FindWatermark(kWatermark));
    if (mark) {
      Result<TimePoint> parsed = ParseIso8601(mark->value);
      if (!parsed.ok()) {
        return DataLossError(fmt::format("order import: watermark '{}' is unreadable: {}",
                                         kWatermark, parsed.status().message()));
      }
      from = *parsed - options_.overlap;
    }
  }
  ImportPass pass;
  const TimePoint before = now - options_.settle;
  if (before <= from) {
    return pass;
  }
  const amazon::SearchOrdersRequest request{.by_last_update = true,
                                            .after = from,
                                            .before = before,
                                            .marketplace_ids = options_.marketplace_ids,
                                            .max_results_per_page = options_.page_size,
                                            .with_recipient = true};
  const amazon::CallOptions call{.lane = amazon::Lane::kOrderImport, .stop = stop};
  ASSIGN_OR_RETURN(amazon::OrderSearchPage page, orders_->SearchOrders(request, call));
  while (true) {
    ++pass.pages;
    pass.orders_read += static_cast<int>(page.orders.size() + page.unreadable.size());
    const bool last = !page.next_token.has_value();
    std::optional<TimePoint> watermark;
    if (last) {
      watermark = page.searched_before.value_or(before);
    }
    RETURN_IF_ERROR(StorePage(page, watermark, pass));
    if (last) {
      pass.watermark = watermark;
      return pass;
    }
    if (stop.stop_requested()) {
      return pass;  // The watermark stays; the next pass reads these pages again.
    }
    ASSIGN_OR_RETURN(page, orders_->SearchOrdersNextPage(request, *page.next_token, call));
  }
}

Status OrderImporter::StorePage(const amazon::OrderSearchPage& page,
                                std::optional<TimePoint> watermark, ImportPass& pass) {
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  for (const amazon::AmazonOrder& read : page.orders) {
    const domain::Order& incoming = read.order;
    Result<store::StoredOrder> stored = tx->GetOrder(incoming->amazon_order_id);
    if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) {
      return stored.status();
    }
    if (!stored.ok()) {
      RETURN_IF_ERROR(tx->UpsertOrder(incoming));
      ++pass.orders_new;
      continue;
    }
    const domain::Order& before = stored->order;
    if (incoming->last_update_date <= before->last_update_date) {
      ++pass.orders_unchanged;
      continue;
    }
    const store::SyncState state = stored->sync.state;
    domain::OrderData data = *incoming;
    if (IsPastOrder(state) && !before->shipping_address) {
      data.shipping_address.reset();
    }
    ASSIGN_OR_RETURN(const domain::Order order, domain::Order::Create(std::move(data)));
    RETURN_IF_ERROR(tx->UpsertOrder(order));
    ++pass.orders_changed;
    if (state == store::SyncState::kSentToClarus && WarehouseMustFollow(before, order)) {
      RETURN_IF_ERROR(tx->SetOrderSyncState(order->amazon_order_id,
                                            store::SyncState::kUpdatePending, std::nullopt));
      ++pass.goods_outs_to_update;
    }
  }
  for (const amazon::UnreadableOrder& unreadable : page.unreadable) {
    const std::string key = QuarantineKey(unreadable);
    RETURN_IF_ERROR(tx->QuarantineOrder({.subject_id = key,
                                         .problem = std::string(unreadable.problem.message()),
                                         .document = unreadable.json}));
    RETURN_IF_ERROR(
        tx->HoldException({.kind = "order",
                           .subject_id = key,
                           .reason = fmt::format("order unreadable: Amazon sent an order that "
                                                 "sellerbridge cannot read ({})",
                                                 unreadable.problem.message()),
                           .suggested_fix = "Check the order in Seller Central. Its document is "
                                            "kept in quarantine; it is read again when Amazon "
                                            "changes it."})
            .status());
    spdlog::warn("order import: quarantined order {}: {}", key, unreadable.problem.message());
    ++pass.quarantined;
  }
  if (watermark) {
    RETURN_IF_ERROR(tx->SetWatermark(kWatermark, FormatIso8601(*watermark)));
  }
  return tx->Commit();
}

}  // namespace sellerbridge::sync
