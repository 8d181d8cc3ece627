#include "clarus/stock.h"

#include <fmt/format.h>

#include "base/status_macros.h"
#include "clarus/node_reader.h"

namespace sellerbridge::clarus {
namespace {

using nlohmann::json;

constexpr const char* kBalanceFields =
    "id product_id product_code account_id warehouse_id available allocated picked held "
    "updated_at";

}  // namespace

Result<std::vector<StockBalance>> Stock::Read(const json& filter, int page_size) {
  ASSIGN_OR_RETURN(std::vector<json> nodes,
                   client_->GraphqlAll("stock_balances", kBalanceFields, filter, page_size));
  std::vector<StockBalance> out;
  out.reserve(nodes.size());
  for (const json& node : nodes) {
    NodeReader r(node, "clarus stock_balance");
    StockBalance b;
    b.id = r.Id("id");
    b.product_id = r.Id("product_id");
    b.sku = r.OptionalString("product_code");
    b.account_id = r.Id("account_id");
    b.warehouse_id = r.Id("warehouse_id");
    b.available = r.Int("available");
    b.allocated = r.Int("allocated");
    b.picked = r.Int("picked");
    b.held = r.Int("held");
    b.updated_at = r.Time("updated_at");
    RETURN_IF_ERROR(r.status());
    out.push_back(std::move(b));
  }
  return out;
}

Result<std::vector<StockBalance>> Stock::Snapshot(int page_size) {
  return Read(nullptr, page_size);
}

Result<std::vector<StockBalance>> Stock::ChangedSince(const std::string& since, int page_size) {
  return Read(json{{"updated_at", {{"gteq", since}}}}, page_size);
}

}  // namespace sellerbridge::clarus
