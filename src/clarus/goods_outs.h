#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "clarus/clarus_client.h"
#include "clarus/shipments.h"

namespace sellerbridge::clarus {

// A goods-out as sellerbridge reads it back from Clarus.
struct GoodsOutSummary {
  std::string id;         // Clarus's id.
  std::string reference;  // The Amazon order id.
  std::string status;     // DRAFT, PENDING, PART_ALLOCATED, ALLOCATED, PICK, COMPLETED, CANCELLED.
  std::string updated_at;
};

struct GoodsOutLineRequest {
  std::string product_id;  // Clarus's product id.
  std::int64_t quantity = 0;
  std::string alt_line_reference;  // The Amazon order item id.
  std::string alt_product_code;    // The seller SKU.
};

// A delivery address as Clarus holds it.
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

// `address` as Clarus's address attributes.
nlohmann::json AddressJson(const Address& address);

// A goods-out to create for one Amazon order. Ids are Clarus's.
struct GoodsOutRequest {
  std::string reference;  // The Amazon order id; also sent as external_system_reference1.
  std::string account_id;
  std::string warehouse_id;
  std::string carrier_id;
  std::string carrier_service_id;
  std::string expected_date_of_dispatch;  // "YYYY-MM-DD", in the marketplace's time zone.
  int priority = 0;
  std::string delivery_notes;
  Address address;
  std::vector<GoodsOutLineRequest> lines;
};

// The outcome of CreateGoodsOut.
struct CreatedGoodsOut {
  std::string id;
  bool already_existed = false;  // Found by reference instead of created.
};

// The attributes of a goods-out that PATCH may change; unset ones are left
// alone. Clarus refuses changes once an order is COMPLETED or CANCELLED.
struct GoodsOutPatch {
  std::optional<int> priority;
  std::optional<std::string> delivery_notes;
  std::optional<std::string> expected_date_of_dispatch;  // "YYYY-MM-DD"
  std::optional<std::string> carrier_id;
  std::optional<std::string> carrier_service_id;
  std::optional<Address> address;  // Replaces the delivery address.
};

// One line of a goods-out, with the quantities Clarus reports for it.
struct GoodsOutLine {
  std::string id;
  std::string product_id;
  std::string sku;                 // The product's code in Clarus.
  std::string alt_line_reference;  // The Amazon order item id, as created.
  std::string alt_product_code;    // The seller SKU, as created.
  std::string carrier_service_id;  // A line-level override, or "".
  std::int64_t ordered = 0;        // order_quantity
  std::int64_t allocated = 0;      // allocated_quantity
  std::int64_t picked = 0;         // pick_quantity
  std::int64_t dispatched = 0;     // dispatch_quantity
  // short_status "SHORT": nothing more will be allocated; on a COMPLETED
  // order, ordered - dispatched will never ship.
  bool shorted = false;
  std::string updated_at;
};

// A goods-out read in full: header, lines, and every shipment with its
// packages (cancelled ones included, so that voided tracking numbers can be
// recognised).
struct GoodsOutDetail {
  std::string id;
  std::string reference;
  std::string status;  // As in GoodsOutSummary.
  std::string external_system_reference1;
  std::string account_id;
  std::string warehouse_id;
  std::string carrier_id;
  std::string carrier_service_id;
  std::int64_t priority = 0;
  std::string expected_date_of_dispatch;
  std::string delivery_notes;
  Address address;
  std::string dispatch_date;  // When it reached COMPLETED (ISO 8601), else "".
  std::string created_at;
  std::string updated_at;
  std::vector<GoodsOutLine> lines;
  std::vector<Shipment> shipments;
};

// Goods-out operations over a ClarusClient. Thread-safe.
class GoodsOuts {
 public:
  // `client` must outlive this.
  explicit GoodsOuts(ClarusClient* client) : client_(client) {}

  // The goods-out whose reference is `reference`, if any.
  Result<std::optional<GoodsOutSummary>> FindByReference(const std::string& reference);

  // Creates the goods-out for `request` exactly once: looks it up by
  // reference first; if absent, creates it; if the create's outcome is
  // unknown (a timeout or a dropped connection after the request was sent),
  // looks it up again rather than sending it twice. Returns FailedPrecondition
  // when the outcome stays unknown (the create was not seen and may still
  // land), so that the caller tries again later, never blindly;
  // InvalidArgument naming the fields Clarus rejected.
  Result<CreatedGoodsOut> Create(const GoodsOutRequest& request);

  // Cancels goods-out `id` as Clarus allows for its status. FailedPrecondition
  // (Clarus's message) when it can no longer be cancelled, e.g. COMPLETED.
  Status Cancel(const std::string& id);

  // Goods-outs updated at or after `since` (ISO 8601), oldest id first.
  Result<std::vector<GoodsOutSummary>> UpdatedSince(const std::string& since, int page_size = 50);

  // Changes the attributes set in `patch` of goods-out `id` and returns it as
  // Clarus now holds it. InvalidArgument for an empty patch or naming the
  // fields Clarus rejected ("/data/attributes/…: detail"); FailedPrecondition
  // when Clarus refuses the change for the order's state (e.g. COMPLETED);
  // NotFound for an unknown id (also a DRAFT or PENDING order cancelled since,
  // as Clarus deletes those).
  Result<GoodsOutSummary> Patch(const std::string& id, const GoodsOutPatch& patch);

  // Goods-out `id` in full; NotFound naming it.
  Result<GoodsOutDetail> Read(const std::string& id);

  // In full, oldest id first, every goods-out that changed at or after
  // `since` (ISO 8601): updated itself, or one of its shipments or packages
  // was (a tracking number that arrives after completion changes only the
  // shipment). Pages to the end, `page_size` orders per request. For a
  // watermark, keep the latest updated_at seen (of the order and of its
  // shipments) and read again from a little before it: records stamped
  // within the same instant may land after a read.
  Result<std::vector<GoodsOutDetail>> ReadGoodsOuts(const std::string& since, int page_size = 25);

 private:
  // Every goods-out matching `filter`, in full.
  Result<std::vector<GoodsOutDetail>> ReadWhere(const nlohmann::json& filter, int page_size);

  ClarusClient* const client_;
};

}  // namespace sellerbridge::clarus
