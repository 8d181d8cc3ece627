#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emulators/clarus/records.h"

namespace sellerbridge::emulators::clarus {

// Flat JSON views of records, with Clarus's snake_case field names: ids and
// foreign keys as strings, times as ISO 8601 UTC, absent values as null. The
// REST API uses them as JSON:API attributes, GraphQL as the scalar fields of
// each type, webhooks as payloads. Pure functions of their arguments.

nlohmann::json ProductJson(const Product& product);
nlohmann::json AccountJson(const Account& account);
nlohmann::json WarehouseJson(const WarehouseInfo& warehouse);
nlohmann::json CarrierJson(const Carrier& carrier);
nlohmann::json CarrierServiceJson(const CarrierService& service);
nlohmann::json AddressJson(const Address& address);
// `state` or `products` supplies the product code of balances, lines and stock rows.
nlohmann::json StockBalanceJson(const StockBalance& balance, const WarehouseState& state);
nlohmann::json GoodsOutJson(const GoodsOut& order);
nlohmann::json GoodsOutLineJson(const GoodsOutLine& line,
                                const std::map<std::int64_t, Product>& products);
nlohmann::json ShipmentJson(const Shipment& shipment);
nlohmann::json PackageJson(const Package& package);

// A line-level stock row (GraphQL `stocks`), derived from a balance: one row
// per non-empty state (available, held, picked). Ids are balance id * 10 + kind.
struct StockRow {
  std::int64_t id = 0;
  const StockBalance* balance = nullptr;
  std::string status;  // "available", "held", "picked".
  std::int64_t quantity = 0;
  std::string location;
};
std::vector<StockRow> StockRows(const WarehouseState& state);
nlohmann::json StockRowJson(const StockRow& row, const WarehouseState& state);

// The full record of a goods-out as an Automation sends it: the order with
// its lines, address and live shipments with packages.
nlohmann::json GoodsOutRecordJson(const GoodsOut& order, const std::vector<Shipment>& shipments,
                                  const std::map<std::int64_t, Product>& products);

// "12" for id 12; null for nullopt.
nlohmann::json IdJson(std::optional<std::int64_t> id);

}  // namespace sellerbridge::emulators::clarus
