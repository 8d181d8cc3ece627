#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "amazon/orders_api.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::sync {

struct OrderImportOptions {
  std::vector<std::string> marketplace_ids;
  Duration lookback = std::chrono::days{3};    // Where the very first pass starts.
  Duration overlap = std::chrono::minutes{5};  // Re-read before the watermark.
  // How far behind now a pass searches up to: Amazon's own default for
  // lastUpdatedBefore, as orders need a moment to become searchable.
  Duration settle = std::chrono::minutes{2};
  int page_size = 100;
};

// What one import pass did.
struct ImportPass {
  int pages = 0;
  int orders_read = 0;           // Every order of every page, readable or not.
  int orders_new = 0;            // Stored for the first time.
  int orders_changed = 0;        // Stored again, with a newer last update.
  int orders_unchanged = 0;      // Already stored as read (the overlap, a page read twice).
  int goods_outs_to_update = 0;  // Changed on Amazon after their goods-out was created.
  int quarantined = 0;
  std::optional<TimePoint> watermark;  // Where the next pass continues from.
};

// Polls Amazon's searchOrders (v2026-01-01) for merchant-fulfilled orders by
// last update, in UTC, from a stored watermark minus an overlap, pages to the
// end, and stores what it reads: each page in one transaction, every order
// with its lines. The watermark moves (in the last page's transaction) only
// once every page is stored, to the end of the window Amazon searched; a pass
// that fails part-way is read again from the old watermark, which
// de-duplication makes harmless.
//
// What happens to an order already stored:
// - read again unchanged (same or older last update): nothing;
// - changed while still on our side (New, Held): replaced; the release pass
//   judges it again;
// - changed after its goods-out was created (SentToClarus) in a way the
//   warehouse must follow (cancelled, new address): replaced and set to
//   UpdatePending;
// - purged of its buyer data (dispatched, cancelled): stays purged.
// An order that cannot be read is quarantined alone with its document and
// held for a person; the rest of its page flows.
//
// Thread-compatible: one pass at a time.
class OrderImporter {
 public:
  // The watermark's name in the store.
  static constexpr std::string_view kWatermark = "orders.last_updated_after";

  // Every pointer must outlive the importer.
  OrderImporter(OrderImportOptions options, store::Store* store, amazon::OrdersApi* orders,
                Clock* clock);

  // One pass. Errors of Amazon or the store end the pass; what was stored
  // stays stored.
  Result<ImportPass> RunOnce(const std::stop_token& stop);

 private:
  // Stores one page; on the last page also the new watermark.
  Status StorePage(const amazon::OrderSearchPage& page, std::optional<TimePoint> watermark,
                   ImportPass& pass);

  const OrderImportOptions options_;
  store::Store* const store_;
  amazon::OrdersApi* const orders_;
  Clock* const clock_;
};

}  // namespace sellerbridge::sync
