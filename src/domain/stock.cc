#include "domain/stock.h"

#include <fmt/format.h>

#include "domain/order.h"

namespace sellerbridge::domain {

Result<StockLevel> StockLevel::Create(StockLevelData data) {
  if (!IsValidSku(data.sku)) {
    return InvalidArgumentError(fmt::format("stock level: invalid SKU '{}'", data.sku));
  }
  return StockLevel(std::move(data));
}

}  // namespace sellerbridge::domain
