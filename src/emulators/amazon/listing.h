#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "emulators/amazon/scenario.h"

namespace sellerbridge::emulators::amazon {

// A change of the DEFAULT (seller-fulfilled) fulfillment_availability, as a
// listings patch or feed asks for it.
struct AvailabilityPatch {
  enum class Op { kReplace, kMerge, kDelete };
  Op op = Op::kReplace;
  std::optional<int> quantity;
  std::optional<int> lead_time_to_ship_max_days;
  std::optional<std::string> restock_date;
};

// One step in a listing's quantity history.
struct QuantityChange {
  TimePoint time;
  int quantity = 0;    // The quantity after the change.
  std::string source;  // "scenario", "patchListingsItem", "order", "buyer-cancel", ...
};

// A seller-fulfilled listing in one catalogue, with its quantity as buyers
// see it and the changes still being processed.
struct Listing {
  CatalogueItem item;
  int quantity = 0;
  std::optional<int> lead_time_to_ship_max_days;
  std::optional<std::string> restock_date;
  TimePoint created;
  TimePoint updated;
  struct Pending {
    TimePoint apply_at;
    AvailabilityPatch patch;
    std::string source;
  };
  std::vector<Pending> pending;  // Oldest first.
  std::vector<QuantityChange> history;
};

}  // namespace sellerbridge::emulators::amazon
