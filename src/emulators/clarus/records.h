#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace sellerbridge::emulators::clarus {

// The records the emulated Clarus tenant holds. Ids are Clarus ids: positive
// integers, unique per record type, shown as strings on the wire.

// Where a goods-out stands. kCancelled is the emulator's name for an order
// cancelled after allocation; Draft and Pending orders are deleted instead.
enum class GoodsOutStatus {
  kDraft,
  kPending,
  kPartAllocated,
  kAllocated,
  kPick,
  kCompleted,
  kCancelled,
};

// "DRAFT", "PENDING", "PART_ALLOCATED", "ALLOCATED", "PICK", "COMPLETED", "CANCELLED".
std::string_view GoodsOutStatusName(GoodsOutStatus status);

enum class ShipmentStatus { kPacked, kDispatched, kCancelled };

// "PACKED", "DISPATCHED", "CANCELLED".
std::string_view ShipmentStatusName(ShipmentStatus status);

struct Account {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  bool is_short_pickable = false;
};

struct WarehouseInfo {
  std::int64_t id = 0;
  std::string code;
  std::string name;
};

struct Carrier {
  std::int64_t id = 0;
  std::string code;  // "ROYALMAIL"
  std::string name;
  // Tracking numbers look like this: '#' a digit, 'A' a capital letter, 'X'
  // either, anything else itself ("AA#########GB").
  std::string tracking_format;
  // Parcels packed before this time of day (UTC) leave at it; later ones the
  // next day.
  std::chrono::minutes collection_time{16 * 60};
  // How long after collection the carrier's tracking numbers appear (zero:
  // they are on the label at packing).
  Duration tracking_delay{};
};

struct CarrierService {
  std::int64_t id = 0;
  std::int64_t carrier_id = 0;
  std::string code;  // "RM24"
  std::string name;  // "Royal Mail Tracked 24"
};

struct Product {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string product_code;  // The SKU.
  std::string name;
  std::string barcode;
  TimePoint created_at;
  TimePoint updated_at;
};

// Stock of one product of one account in one warehouse. On hand is
// available + allocated + picked + held.
struct StockBalance {
  std::int64_t id = 0;
  std::int64_t product_id = 0;
  std::int64_t account_id = 0;
  std::int64_t warehouse_id = 0;
  std::int64_t available = 0;
  std::int64_t allocated = 0;
  std::int64_t picked = 0;
  std::int64_t held = 0;
  std::int64_t received = 0;    // Goods-in receipts, all time.
  std::int64_t dispatched = 0;  // Left on shipments, all time.
  TimePoint updated_at;
};

struct Address {
  std::string name;
  std::string address_1;
  std::string address_2;
  std::string address_3;
  std::string address_4;
  std::string postcode;
  std::string country_code;  // ISO 3166-1 alpha-2.
  std::string email_address;
  std::string phone_number;
};

struct GoodsOutLine {
  std::int64_t id = 0;
  std::int64_t goods_out_id = 0;
  std::int64_t product_id = 0;
  std::int64_t order_quantity = 0;
  std::int64_t allocated_quantity = 0;
  std::int64_t pick_quantity = 0;
  std::int64_t dispatch_quantity = 0;
  bool shorted = false;  // short_status "SHORT": no more will be allocated.
  std::string alt_line_number;
  std::string alt_line_reference;
  std::string alt_product_code;
  std::optional<std::int64_t> carrier_id;
  std::optional<std::int64_t> carrier_service_id;
  TimePoint updated_at;
};

struct GoodsOut {
  std::int64_t id = 0;
  std::string reference;
  std::string goods_out_type = "sales_order";
  std::int64_t account_id = 0;
  std::int64_t warehouse_id = 0;
  GoodsOutStatus status = GoodsOutStatus::kPending;
  std::optional<std::int64_t> carrier_id;
  std::optional<std::int64_t> carrier_service_id;
  std::int64_t priority = 0;
  std::string expected_date_of_dispatch;
  std::string delivery_notes;
  std::string dispatch_strategy = "auto";
  std::array<std::string, 3> external_system_references;
  Address address;
  std::vector<GoodsOutLine> lines;
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> dispatch_date;  // When it reached COMPLETED.
};

struct Package {
  std::int64_t id = 0;
  std::int64_t shipment_id = 0;
  std::optional<std::string> tracking_number;  // Absent until the carrier assigns it.
  std::string storage_unit_type = "PARCEL";
};

struct ShipmentLine {
  std::int64_t goods_out_line_id = 0;
  std::int64_t quantity = 0;
};

struct Shipment {
  std::int64_t id = 0;
  std::int64_t goods_out_id = 0;
  std::string reference;
  ShipmentStatus status = ShipmentStatus::kPacked;
  std::int64_t carrier_id = 0;
  std::int64_t carrier_service_id = 0;
  std::optional<TimePoint> collection_datetime;
  std::optional<std::string> label_filename;
  std::vector<Package> packages;
  std::vector<ShipmentLine> lines;
  bool created_by_api = false;              // POST /shipments rather than the simulation.
  std::optional<std::int64_t> replaced_by;  // The re-labelled shipment after a cancel.
  TimePoint created_at;
  TimePoint updated_at;
};

// Everything the tenant holds. Maps are keyed and iterated by id, which is
// also the order of GraphQL connections.
struct WarehouseState {
  std::map<std::int64_t, Account> accounts;
  std::map<std::int64_t, WarehouseInfo> warehouses;
  std::map<std::int64_t, Carrier> carriers;
  std::map<std::int64_t, CarrierService> carrier_services;
  std::map<std::int64_t, Product> products;
  std::map<std::int64_t, StockBalance> balances;
  std::map<std::int64_t, GoodsOut> goods_outs;
  std::map<std::int64_t, Shipment> shipments;
};

}  // namespace sellerbridge::emulators::clarus
