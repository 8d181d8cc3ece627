#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "clarus/clarus_client.h"

namespace sellerbridge::clarus {

// Stock of one product of one account in one warehouse, as Clarus's
// stock_balances report it. On hand is available + allocated + picked + held.
struct StockBalance {
  std::string id;
  std::string product_id;
  std::string sku;  // The product's code.
  std::string account_id;
  std::string warehouse_id;
  std::int64_t available = 0;  // Free to sell: what Amazon may be offered.
  std::int64_t allocated = 0;  // Promised to goods-outs, not yet picked.
  std::int64_t picked = 0;     // Picked, not yet dispatched.
  std::int64_t held = 0;       // On hold / quarantine.
  std::string updated_at;
};

// Reads stock_balances through GraphQL, paging to the end. Thread-safe.
class Stock {
 public:
  // `client` must outlive this.
  explicit Stock(ClarusClient* client) : client_(client) {}

  // Every balance Clarus holds (each product × account × warehouse that has
  // ever had stock), oldest id first. A product absent from a snapshot has
  // no stock. Internal naming the field if Clarus's answer lacks one we rely
  // on (an available, allocated, picked or held quantity, ids, updated_at).
  Result<std::vector<StockBalance>> Snapshot(int page_size = 50);

  // The balances updated at or after `since` (ISO 8601), oldest id first.
  // Keep the latest updated_at seen as the next watermark and read again from
  // a little before it; a snapshot still wins over older changes.
  Result<std::vector<StockBalance>> ChangedSince(const std::string& since, int page_size = 50);

 private:
  Result<std::vector<StockBalance>> Read(const nlohmann::json& filter, int page_size);

  ClarusClient* const client_;
};

}  // namespace sellerbridge::clarus
