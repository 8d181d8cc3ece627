#pragma once

#include <optional>
#include <string>
#include <vector>

#include "amazon/sp_api_client.h"
#include "base/result.h"

namespace sellerbridge::amazon {

// An issue Amazon reports on a listing or a submission.
struct ListingIssue {
  std::string code;
  std::string message;
  std::string severity;  // "ERROR", "WARNING", "INFO".
};

// A seller-fulfilled listing's stock as Amazon shows it.
struct ListingAvailability {
  std::string sku;
  std::optional<int> quantity;  // The DEFAULT channel's; absent when Amazon shows none.
  std::vector<ListingIssue> issues;
};

// What Amazon said to a patch.
struct ListingSubmission {
  std::string submission_id;
  std::string status;  // "ACCEPTED", "INVALID", "VALID".
  std::vector<ListingIssue> issues;
};

struct QuantityUpdate {
  std::string sku;
  std::string marketplace_id;
  int quantity = 0;
  std::optional<int> handling_days;  // lead_time_to_ship_max_days, when the seller sets one.
};

// Listings Items 2021-08-01 for stock: getListingsItem (fulfillment
// availability and issues) and patchListingsItem with a merge of the DEFAULT
// fulfillment_availability, so that attributes not sent are kept. Thread-safe.
class ListingsApi {
 public:
  // `client` must outlive this; `seller_id` is the path's seller.
  ListingsApi(SpApiClient* client, std::string seller_id)
      : client_(client), seller_id_(std::move(seller_id)) {}

  // NotFound for a SKU Amazon does not know; the client's errors otherwise.
  Result<ListingAvailability> GetAvailability(const std::string& sku,
                                              const std::string& marketplace_id,
                                              const CallOptions& options);

  // Sends the quantity. An answer of INVALID is returned as
  // InvalidArgument carrying Amazon's issues; ACCEPTED means Amazon will
  // apply it shortly (read back to see it applied).
  Result<ListingSubmission> SetQuantity(const QuantityUpdate& update, const CallOptions& options);

 private:
  SpApiClient* const client_;
  const std::string seller_id_;
};

}  // namespace sellerbridge::amazon
