#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clarus/goods_outs.h"
#include "domain/order.h"
#include "domain/ship_method_mapping.h"
#include "store/store.h"

namespace sellerbridge::sync {

// What one read of a goods-out means for Amazon.
struct DispatchPlan {
  // Parcels that left and are not in the outbox yet, one confirmation each.
  std::vector<store::NewConfirmation> confirmations;
  // Everything a person must look at for this order (shorts, a Clarus
  // carrier no mapping names, lines Clarus dispatched beyond the order), as
  // one exception of kind "dispatch" for the order; empty when all is well.
  std::vector<std::string> problems;
  std::vector<std::string> fixes;
  // Parcels that left without a tracking number yet: confirmed once Clarus
  // has one (the sweep sees the shipment change).
  int waiting_for_tracking = 0;
  // The goods-out is COMPLETED: nothing more will leave for this order.
  bool completed = false;
};

// What PlanDispatch looks at.
struct DispatchInputs {
  const domain::Order* order = nullptr;
  const clarus::GoodsOutDetail* goods_out = nullptr;
  // The order's outbox entries so far, whatever their state.
  std::vector<store::OutboxEntry> existing;
  // Every ship-method mapping: a parcel's Amazon carrier code comes from the
  // mapping whose Clarus carrier and service shipped it.
  std::vector<domain::ShipMethodMapping> mappings;
  // The label bought on Amazon for the order, if any: Amazon shipped the
  // order when it sold the label, so there is nothing to send, only to verify.
  std::optional<store::OrderLabel> label;
};

// Turns a goods-out read from Clarus into confirmations, one per package
// with a tracking number, and problems for a person. Pure and deterministic.
//
// Clarus reports what each line dispatched, and each shipment's packages,
// but not which units travelled in which shipment. Units are therefore
// attributed by difference: what the lines dispatched minus what earlier
// confirmations of the order already carry belongs to the shipments not
// yet confirmed, dealt out in line order in equal shares over those
// shipments (exact when one shipment leaves at a time, as it usually does),
// then over each shipment's packages. A package that gets no unit (more
// packages than units) is not confirmed; Amazon needs at least one item per
// package. Quantities never exceed what the order asked for.
DispatchPlan PlanDispatch(const DispatchInputs& in);

}  // namespace sellerbridge::sync
