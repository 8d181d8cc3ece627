#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/clarus/records.h"
#include "emulators/clarus/scenario.h"

namespace sellerbridge::emulators::clarus {

// A validation failure tied to one field of a JSON:API request body, e.g.
// {"/data/attributes/lines_changes/0/attributes/product_id", "product 99 does not exist"}.
struct FieldError {
  std::string pointer;
  std::string detail;
};

// One entry of a goods-out's `lines_changes`.
struct LineChange {
  enum class Kind { kAdd, kUpdate, kDestroy };
  Kind kind = Kind::kAdd;
  std::string pointer;             // JSON pointer of this change, for errors.
  std::optional<std::int64_t> id;  // The line, for kUpdate and kDestroy.
  std::optional<std::int64_t> product_id;
  std::optional<std::int64_t> order_quantity;
  std::optional<std::string> alt_line_number;
  std::optional<std::string> alt_line_reference;
  std::optional<std::string> alt_product_code;
  std::optional<std::int64_t> carrier_id;
  std::optional<std::int64_t> carrier_service_id;
};

// The attributes of a goods-out create or update; absent fields are left
// alone (update) or take defaults (create).
struct GoodsOutInput {
  std::optional<std::string> reference;
  std::optional<std::string> goods_out_type;
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> warehouse_id;
  std::optional<std::int64_t> carrier_id;
  std::optional<std::int64_t> carrier_service_id;
  std::optional<std::int64_t> priority;
  std::optional<std::string> expected_date_of_dispatch;
  std::optional<std::string> delivery_notes;
  std::optional<std::string> dispatch_strategy;
  std::array<std::optional<std::string>, 3> external_system_references;
  std::optional<Address> address;
  std::string address_pointer = "/data/attributes/addresses";
  std::optional<GoodsOutStatus> status;  // Only kDraft or kPending.
  std::vector<LineChange> lines_changes;
};

struct ProductInput {
  std::optional<std::int64_t> account_id;
  std::string product_code;
  std::string name;
  std::string barcode;
};

struct PackageInput {
  std::optional<std::string> tracking_number;
  std::string storage_unit_type = "PARCEL";
};

struct ShipmentInput {
  std::optional<std::int64_t> goods_out_id;
  std::optional<std::int64_t> carrier_id;
  std::optional<std::int64_t> carrier_service_id;
  std::optional<std::string> reference;
  std::optional<std::string> tracking_number;  // For a single package.
  std::optional<std::string> label_filename;
  std::vector<PackageInput> packages;
};

// A manual dispatch: which picked quantities leave now, in how many parcels.
struct DispatchRequest {
  std::map<std::int64_t, std::int64_t> quantity_by_line;  // Empty: everything picked.
  int packages = 1;
  std::optional<std::int64_t> carrier_service_id;  // Default: the order's.
};

// Something an Automation may report.
struct WarehouseEvent {
  enum class Kind { kGoodsOutCompleted, kStockAdjusted, kStockHeld, kStockReleased };
  Kind kind = Kind::kStockAdjusted;
  TimePoint at;
  std::optional<GoodsOut> goods_out;         // kGoodsOutCompleted.
  std::vector<Shipment> shipments;           // kGoodsOutCompleted: its live shipments.
  std::map<std::int64_t, Product> products;  // kGoodsOutCompleted: the products of its lines.
  std::optional<StockBalance> balance;
  std::optional<Product> product;
  std::int64_t quantity = 0;  // Signed change for kStockAdjusted; units otherwise.
  std::string reason;
};

// The simulated warehouse: catalogue, stock and the goods-out state machine
// DRAFT → PENDING → (PART_)ALLOCATED → PICK → COMPLETED, run as a discrete
// event simulation on the emulator's clock. Work due by clock->Now() happens
// in AdvanceToNow() (every public method calls it first), in time order, so
// that a run is a pure function of the seed and the calls made.
//
// Thread-safe: one mutex guards everything. The event sink runs with that
// mutex held and must not call back into the Warehouse.
class Warehouse {
 public:
  using EventSink = std::function<void(const WarehouseEvent&)>;

  // InvalidArgument if the scenario's products or stock name unknown
  // accounts, warehouses or products. `clock` must outlive the warehouse.
  static Result<std::unique_ptr<Warehouse>> Create(const Scenario& scenario, Clock* clock,
                                                   std::uint64_t seed);

  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;
  ~Warehouse();

  // Receives every event from now on. Set before concurrent use.
  void SetEventSink(EventSink sink);

  // Runs the simulation up to clock->Now().
  void AdvanceToNow();

  // Calls `reader` with the whole state, under the lock, after advancing.
  void Read(const std::function<void(const WarehouseState&)>& reader);

  // Catalogue. InvalidArgument with `errors` filled for unknown accounts or a
  // product code already used by the account.
  Result<Product> CreateProduct(const ProductInput& input, std::vector<FieldError>* errors);

  // Creates a goods-out (PENDING unless input.status is DRAFT). InvalidArgument
  // with `errors` for unknown accounts, warehouses, products, carriers or
  // services, a missing address or reference, bad quantities, and a used
  // reference when the scenario makes references unique.
  Result<GoodsOut> CreateGoodsOut(const GoodsOutInput& input, std::vector<FieldError>* errors);

  // Changes a goods-out. Lines, account and warehouse change only while DRAFT
  // or PENDING; nothing changes once COMPLETED or CANCELLED. NotFound, or
  // InvalidArgument with `errors`.
  Result<GoodsOut> UpdateGoodsOut(std::int64_t id, const GoodsOutInput& input,
                                  std::vector<FieldError>* errors);

  // Cancels as Clarus does: DRAFT and PENDING orders are deleted (returns
  // nullopt); allocated ones are deallocated and CANCELLED; orders in PICK
  // have their picks cancelled (stock back to available) and unshipped
  // parcels voided. FailedPrecondition for COMPLETED or CANCELLED orders.
  Result<std::optional<GoodsOut>> CancelGoodsOut(std::int64_t id);

  // Marks lines short: nothing more is allocated to them and the order goes
  // on with what it has. FailedPrecondition unless the account is
  // short-pickable and the orders are not yet picked.
  Status ShortLines(const std::vector<std::int64_t>& line_ids, std::vector<FieldError>* errors);

  // Records a shipment made outside the simulation (POST /shipments).
  Result<Shipment> CreateShipment(const ShipmentInput& input, std::vector<FieldError>* errors);

  // Voids the shipment's label. A shipment of the simulation is re-labelled:
  // a replacement with new tracking numbers takes its place. Returns the
  // cancelled shipment. NotFound; FailedPrecondition if already cancelled.
  Result<Shipment> CancelShipment(std::int64_t id);

  // Stock of a product in a warehouse. AdjustStock changes available by
  // `delta` (FailedPrecondition if that would go below zero); Hold moves
  // available to held; Release moves held back; Receive books a goods-in
  // receipt. NotFound for an unknown product or warehouse.
  Result<StockBalance> AdjustStock(std::int64_t product_id, std::int64_t warehouse_id,
                                   std::int64_t delta, const std::string& reason);
  Result<StockBalance> HoldStock(std::int64_t product_id, std::int64_t warehouse_id,
                                 std::int64_t quantity);
  Result<StockBalance> ReleaseStock(std::int64_t product_id, std::int64_t warehouse_id,
                                    std::int64_t quantity);
  Result<StockBalance> ReceiveStock(std::int64_t product_id, std::int64_t warehouse_id,
                                    std::int64_t quantity);

  // Driving one order by hand. Each returns NotFound or FailedPrecondition
  // when the order is not in a state that allows the step.
  // Allocates now, ignoring the allocation delay (PENDING, PART_ALLOCATED).
  Status AllocateNow(std::int64_t id);
  // Picks every allocated unit now, less `short_by_line` units per line
  // (which become short); the order is then packed and collected as usual.
  Status PickNow(std::int64_t id, const std::map<std::int64_t, std::int64_t>& short_by_line);
  // Ships picked units now as one DISPATCHED shipment; the order completes
  // when everything picked has left. The simulation leaves the order alone
  // afterwards.
  Result<Shipment> DispatchNow(std::int64_t id, const DispatchRequest& request);
  // Takes the order through every remaining step now, shorting what cannot
  // be allocated (FailedPrecondition if the account is not short-pickable).
  Status CompleteNow(std::int64_t id);
  // When packed, the order leaves as `shipments` shipments (on successive
  // collections) of `packages_per_shipment` parcels each.
  Status PlanSplit(std::int64_t id, int shipments, int packages_per_shipment);

 private:
  struct Impl;
  explicit Warehouse(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sellerbridge::emulators::clarus
