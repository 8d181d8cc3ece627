#include "emulators/clarus/record_json.h"

#include "base/time_format.h"

namespace sellerbridge::emulators::clarus {
namespace {

using nlohmann::json;

json TimeJson(const std::optional<TimePoint>& t) {
  return t ? json(FormatIso8601(*t)) : json(nullptr);
}

json ProductCode(std::int64_t product_id, const std::map<std::int64_t, Product>& products) {
  auto it = products.find(product_id);
  return it == products.end() ? json(nullptr) : json(it->second.product_code);
}

}  // namespace

json IdJson(std::optional<std::int64_t> id) {
  return id ? json(std::to_string(*id)) : json(nullptr);
}

json ProductJson(const Product& p) {
  return {{"id", IdJson(p.id)},
          {"account_id", IdJson(p.account_id)},
          {"product_code", p.product_code},
          {"name", p.name},
          {"barcode", p.barcode},
          {"created_at", TimeJson(p.created_at)},
          {"updated_at", TimeJson(p.updated_at)}};
}

json AccountJson(const Account& a) {
  return {{"id", IdJson(a.id)},
          {"code", a.code},
          {"name", a.name},
          {"is_short_pickable", a.is_short_pickable}};
}

json WarehouseJson(const WarehouseInfo& w) {
  return {{"id", IdJson(w.id)}, {"code", w.code}, {"name", w.name}};
}

json CarrierJson(const Carrier& c) {
  return {{"id", IdJson(c.id)}, {"code", c.code}, {"name", c.name}};
}

json CarrierServiceJson(const CarrierService& s) {
  return {{"id", IdJson(s.id)},
          {"carrier_id", IdJson(s.carrier_id)},
          {"code", s.code},
          {"name", s.name}};
}

json AddressJson(const Address& a) {
  return {{"name", a.name},
          {"address_1", a.address_1},
          {"address_2", a.address_2},
          {"address_3", a.address_3},
          {"address_4", a.address_4},
          {"postcode", a.postcode},
          {"country_code", a.country_code},
          {"email_address", a.email_address},
          {"phone_number", a.phone_number}};
}

json StockBalanceJson(const StockBalance& b, const WarehouseState& state) {
  return {{"id", IdJson(b.id)},
          {"product_id", IdJson(b.product_id)},
          {"product_code", ProductCode(b.product_id, state.products)},
          {"account_id", IdJson(b.account_id)},
          {"warehouse_id", IdJson(b.warehouse_id)},
          {"available", b.available},
          {"allocated", b.allocated},
          {"picked", b.picked},
          {"held", b.held},
          {"received", b.received},
          {"dispatched", b.dispatched},
          {"updated_at", TimeJson(b.updated_at)}};
}

json GoodsOutJson(const GoodsOut& o) {
  return {{"id", IdJson(o.id)},
          {"reference", o.reference},
          {"goods_out_type", o.goods_out_type},
          {"status", std::string(GoodsOutStatusName(o.status))},
          {"account_id", IdJson(o.account_id)},
          {"warehouse_id", IdJson(o.warehouse_id)},
          {"carrier_id", IdJson(o.carrier_id)},
          {"carrier_service_id", IdJson(o.carrier_service_id)},
          {"priority", o.priority},
          {"expected_date_of_dispatch", o.expected_date_of_dispatch},
          {"delivery_notes", o.delivery_notes},
          {"dispatch_strategy", o.dispatch_strategy},
          {"external_system_reference1", o.external_system_references[0]},
          {"external_system_reference2", o.external_system_references[1]},
          {"external_system_reference3", o.external_system_references[2]},
          {"dispatch_date", TimeJson(o.dispatch_date)},
          {"created_at", TimeJson(o.created_at)},
          {"updated_at", TimeJson(o.updated_at)}};
}

json GoodsOutLineJson(const GoodsOutLine& l, const std::map<std::int64_t, Product>& products) {
  return {{"id", IdJson(l.id)},
          {"goods_out_id", IdJson(l.goods_out_id)},
          {"product_id", IdJson(l.product_id)},
          {"product_code", ProductCode(l.product_id, products)},
          {"order_quantity", l.order_quantity},
          {"allocated_quantity", l.allocated_quantity},
          {"pick_quantity", l.pick_quantity},
          {"dispatch_quantity", l.dispatch_quantity},
          {"short_status", l.shorted ? "SHORT" : "NONE"},
          {"alt_line_number", l.alt_line_number},
          {"alt_line_reference", l.alt_line_reference},
          {"alt_product_code", l.alt_product_code},
          {"carrier_id", IdJson(l.carrier_id)},
          {"carrier_service_id", IdJson(l.carrier_service_id)},
          {"updated_at", TimeJson(l.updated_at)}};
}

json ShipmentJson(const Shipment& s) {
  return {{"id", IdJson(s.id)},
          {"goods_out_id", IdJson(s.goods_out_id)},
          {"reference", s.reference},
          {"status", std::string(ShipmentStatusName(s.status))},
          {"carrier_id", IdJson(s.carrier_id)},
          {"carrier_service_id", IdJson(s.carrier_service_id)},
          {"collection_datetime", TimeJson(s.collection_datetime)},
          {"label_filename", s.label_filename ? json(*s.label_filename) : json(nullptr)},
          {"packages_count", s.packages.size()},
          {"created_at", TimeJson(s.created_at)},
          {"updated_at", TimeJson(s.updated_at)}};
}

json PackageJson(const Package& p) {
  return {{"id", IdJson(p.id)},
          {"shipment_id", IdJson(p.shipment_id)},
          {"tracking_number", p.tracking_number ? json(*p.tracking_number) : json(nullptr)},
          {"storage_unit_type", p.storage_unit_type}};
}

std::vector<StockRow> StockRows(const WarehouseState& state) {
  std::vector<StockRow> rows;
  for (const auto& [id, b] : state.balances) {
    const std::int64_t on_shelf = b.available + b.allocated;
    const std::array<std::tuple<std::int64_t, const char*, const char*>, 3> parts = {
        {{on_shelf, "available", "A-01"},
         {b.held, "held", "QUARANTINE"},
         {b.picked, "picked", "DESPATCH"}}};
    std::int64_t kind = 1;
    for (const auto& [quantity, status, location] : parts) {
      if (quantity > 0) {
        rows.push_back({b.id * 10 + kind, &b, status, quantity, location});
      }
      ++kind;
    }
  }
  return rows;
}

json StockRowJson(const StockRow& row, const WarehouseState& state) {
  const StockBalance& b = *row.balance;
  return {{"id", IdJson(row.id)},
          {"product_id", IdJson(b.product_id)},
          {"product_code", ProductCode(b.product_id, state.products)},
          {"account_id", IdJson(b.account_id)},
          {"warehouse_id", IdJson(b.warehouse_id)},
          {"quantity", row.quantity},
          {"status", row.status},
          {"location", row.location},
          {"storage_unit", nullptr},
          {"fifo_date", TimeJson(b.updated_at)},
          {"updated_at", TimeJson(b.updated_at)}};
}

json GoodsOutRecordJson(const GoodsOut& order, const std::vector<Shipment>& shipments,
                        const std::map<std::int64_t, Product>& products) {
  json record = GoodsOutJson(order);
  record["address"] = AddressJson(order.address);
  json lines = json::array();
  for (const GoodsOutLine& line : order.lines) {
    lines.push_back(GoodsOutLineJson(line, products));
  }
  record["goods_out_lines"] = std::move(lines);
  json shipment_list = json::array();
  for (const Shipment& s : shipments) {
    json sj = ShipmentJson(s);
    json packages = json::array();
    for (const Package& p : s.packages) {
      packages.push_back(PackageJson(p));
    }
    sj["packages"] = std::move(packages);
    shipment_list.push_back(std::move(sj));
  }
  record["shipments"] = std::move(shipment_list);
  return record;
}

}  // namespace sellerbridge::emulators::clarus
