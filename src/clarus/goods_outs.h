#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "clarus/clarus_client.h"

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
  nlohmann::json
      address;  // {name, address_1..4, postcode, country_code, email_address, phone_number}
  std::vector<GoodsOutLineRequest> lines;
};

// The outcome of CreateGoodsOut.
struct CreatedGoodsOut {
  std::string id;
  bool already_existed = false;  // Found by reference instead of created.
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

 private:
  ClarusClient* const client_;
};

}  // namespace sellerbridge::clarus
