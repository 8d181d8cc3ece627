#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "amazon/merchant_fulfillment_api.h"
#include "base/clock.h"
#include "base/result.h"
#include "clarus/goods_outs.h"
#include "clarus/products.h"
#include "clarus/shipments.h"
#include "clarus/tenant.h"
#include "config/config.h"
#include "store/store.h"
#include "sync/carrier_catalog.h"

namespace sellerbridge::sync {

// What the release pass works with. Every pointer must outlive it.
struct OrderReleaseDeps {
  store::Store* store = nullptr;
  clarus::GoodsOuts* goods_outs = nullptr;
  clarus::Products* products = nullptr;
  clarus::Shipments* shipments = nullptr;
  clarus::Tenant* tenant = nullptr;
  CarrierCatalog* carriers = nullptr;
  amazon::MerchantFulfillmentApi* merchant_fulfillment = nullptr;
  amazon::OrdersApi* orders = nullptr;  // To recover a label purchase cut short.
  Clock* clock = nullptr;
};

struct OrderReleaseOptions {
  std::string clarus_account;    // The account's code in Clarus.
  std::string clarus_warehouse;  // The warehouse's code in Clarus.
  config::OrdersConfig orders;
  int max_orders_per_pass = 50000;  // Per sync state; the rest waits for the next pass.
  int commit_batch = 50;            // Outcomes written per transaction.
};

// What one release pass did.
struct ReleasePass {
  int examined = 0;
  int sent_to_clarus = 0;  // Goods-outs created (or found) and recorded.
  int released = 0;        // Of those, how many had been held.
  int held = 0;            // Held for a person (newly or still).
  int cancelled = 0;       // Cancelled on Amazon before reaching the warehouse.
  int closed = 0;          // Shipped on Amazon outside sellerbridge before release.
  int waiting = 0;         // Pending on Amazon: not to be shipped yet.
  int labels_bought = 0;
  int goods_outs_updated = 0;    // A new address applied.
  int goods_outs_cancelled = 0;  // Cancelled on Amazon, then in Clarus.
  int retry_later = 0;           // A remote system failed; the next pass tries again.
  int not_attempted = 0;         // Left for the next pass: stopped, or a system is down.
  Status first_error;            // The first such failure.
};

// Takes orders from the store to the warehouse floor: every order imported
// (New), held (Held) or changed on Amazon after release (UpdatePending).
//
// A New or Held order is validated: Amazon's status (only Unshipped orders
// are released; Pending ones wait; cancelled ones are closed here), the
// ship-by date, the ship-method mapping and its Clarus service, every SKU in
// Clarus, a complete address, and the label settings for orders whose label
// is bought on Amazon (Prime, Seller Fulfilled Prime, configured levels). An
// order that fails is held with a plain-language reason and the fix, and
// judged again on every pass, so that it is released as soon as its cause is
// fixed; its exception is then resolved by "system".
//
// A valid order gets its goods-out (created exactly once, by reference, even
// across a crash between the create and the store write) and, where its label
// is bought on Amazon, the label (Merchant Fulfillment: eligible services,
// chosen by the configured rule, bought) as a Clarus shipment with its
// tracking number, so that the warehouse prints Amazon's label. A purchase is
// recorded before and after it is made; one cut short by a crash is resolved
// by reading the order back (Amazon ships an order when its label is
// bought): not bought, it is bought now; bought, its tracking number is
// attached and the lost document is held for a person to reprint. A label is
// never bought twice.
//
// An UpdatePending order's goods-out follows Amazon: a cancellation cancels
// it while Clarus allows, a new address is applied before picking starts;
// what Clarus can no longer change is held for the warehouse.
//
// Orders are handled in parallel (config orders.clarus_workers); one order's
// failure never stops another's. Thread-compatible: one pass at a time.
class OrderRelease {
 public:
  OrderRelease(OrderReleaseOptions options, OrderReleaseDeps deps);

  // One pass. Fails only when the store cannot be read or written; remote
  // failures are counted in retry_later and leave the order as it was.
  Result<ReleasePass> RunOnce(const std::stop_token& stop);

 private:
  struct Outcome;
  struct Validated;

  Outcome Release(const store::StoredOrder& stored, const std::stop_token& stop);
  Outcome FollowChange(const store::StoredOrder& stored);
  Result<Validated> Validate(const store::StoredOrder& stored, bool has_label);
  Result<std::optional<store::OrderLabel>> EnsureLabel(const domain::Order& order,
                                                       const std::stop_token& stop,
                                                       Outcome& outcome);
  Status AttachLabel(store::OrderLabel& label, const std::string& goods_out_id,
                     const ClarusServiceRef& service, Outcome& outcome);
  Status Record(const std::vector<Outcome>& outcomes, ReleasePass& pass);
  bool NeedsAmazonLabel(const domain::Order& order) const;

  const OrderReleaseOptions options_;
  const OrderReleaseDeps deps_;
};

}  // namespace sellerbridge::sync
