#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::domain {

// What Clarus says can be sold of one SKU: `available` summed over the
// seller's warehouses and accounts, already net of allocations. May be
// negative when the warehouse is oversold; publishing clamps at zero.
struct StockLevelData {
  std::string sku;
  std::int64_t available = 0;
  TimePoint observed_at;  // When Clarus reported this value.

  friend bool operator==(const StockLevelData&, const StockLevelData&) = default;
};

// A stock reading with a valid SKU. Immutable.
class StockLevel {
 public:
  // Returns InvalidArgument for an invalid SKU.
  static Result<StockLevel> Create(StockLevelData data);

  const StockLevelData& operator*() const { return data_; }
  const StockLevelData* operator->() const { return &data_; }

  // The quantity that may be offered before any buffer: available, floored at 0.
  std::int64_t Sellable() const { return data_.available > 0 ? data_.available : 0; }

  friend bool operator==(const StockLevel&, const StockLevel&) = default;

 private:
  explicit StockLevel(StockLevelData data) : data_(std::move(data)) {}
  StockLevelData data_;
};

}  // namespace sellerbridge::domain
