#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "amazon/restricted_data_tokens.h"
#include "amazon/sp_api_client.h"
#include "base/result.h"
#include "domain/order.h"

namespace sellerbridge::amazon {

struct PackageItem {
  std::string order_item_id;
  std::int32_t quantity = 0;

  friend bool operator==(const PackageItem&, const PackageItem&) = default;
};

// A package as Amazon shows it on an order once confirmed.
struct ShippedPackage {
  std::string package_reference_id;
  std::string carrier;  // The carrier code, or the carrier name for "Other".
  std::string shipping_service;
  std::string tracking_number;
  std::optional<TimePoint> ship_time;
  std::vector<PackageItem> items;
};

// An order as searchOrders and getOrder return it, with its packages.
struct AmazonOrder {
  domain::Order order;
  std::vector<ShippedPackage> packages;
};

// An order in a page that could not be read: the rest of the page still
// flows, this one is held for a person with its JSON kept.
struct UnreadableOrder {
  std::string order_id;  // Empty when even the id is unreadable.
  Status problem;
  std::string json;
};

struct SearchOrdersRequest {
  bool by_last_update = false;  // lastUpdatedAfter/Before instead of createdAfter/Before.
  TimePoint after;
  std::optional<TimePoint> before;  // Amazon defaults to now − 2 minutes.
  std::vector<std::string> marketplace_ids;
  std::vector<std::string> fulfillment_statuses;  // "UNSHIPPED", …; empty: all.
  int max_results_per_page = 100;
  bool with_recipient = true;  // includedData RECIPIENT: the delivery address.
};

struct OrderSearchPage {
  std::vector<AmazonOrder> orders;
  std::vector<UnreadableOrder> unreadable;
  std::optional<std::string> next_token;
  // The end of the window Amazon searched (createdBefore / lastUpdatedBefore):
  // the watermark to continue from once the last page is read.
  std::optional<TimePoint> searched_before;
};

// One package to confirm with confirmShipment.
struct ShipmentConfirmation {
  std::string marketplace_id;
  std::string package_reference_id;  // A positive number as text, unique within the order.
  std::string carrier_code;          // From Amazon's list; "Other" needs carrier_name.
  std::string carrier_name;
  std::string shipping_method;
  std::string tracking_number;
  TimePoint ship_date;
  std::vector<PackageItem> items;
};

// Orders v2026-01-01 (searchOrders, getOrder) and, as the fallback, Orders v0
// (getOrders, getOrder + getOrderItems with a restricted data token for the
// address), and confirmShipment. Orders are parsed strictly on the fields
// sellerbridge relies on (ids, status, marketplace, dates, items, SKUs,
// quantities) and leniently on everything else. Thread-safe.
class OrdersApi {
 public:
  // Both must outlive this.
  OrdersApi(SpApiClient* client, RestrictedDataTokens* restricted_data_tokens)
      : client_(client), rdts_(restricted_data_tokens) {}

  // searchOrders. InvalidArgument for a request Amazon rejects (Amazon's
  // message) or a response that is not a searchOrders response; the client's
  // errors otherwise. Orders that do not parse go to `unreadable`.
  Result<OrderSearchPage> SearchOrders(const SearchOrdersRequest& request,
                                       const CallOptions& options);
  // The next page of the search `request` started. Amazon keeps the filters
  // in the token; includedData is sent again, as each page is answered with
  // the datasets its own request names.
  Result<OrderSearchPage> SearchOrdersNextPage(const SearchOrdersRequest& request,
                                               const std::string& next_token,
                                               const CallOptions& options);

  // getOrder v2026-01-01 with FULFILLMENT, PACKAGES, PROCEEDS and (optionally)
  // RECIPIENT. NotFound for an unknown order; InvalidArgument when the order
  // does not parse.
  Result<AmazonOrder> GetOrder(const std::string& order_id, bool with_recipient,
                               const CallOptions& options);

  // Orders v0: getOrder and getOrderItems (every page); with
  // `with_address`, through a restricted data token naming the shipping
  // address. Packages are not part of v0 and stay empty.
  Result<AmazonOrder> GetOrderV0(const std::string& order_id, bool with_address,
                                 const CallOptions& options);

  // Orders v0 getOrders: ids of orders updated after `after` in the
  // marketplaces, every page.
  Result<std::vector<std::string>> ListOrderIdsV0(TimePoint after,
                                                  const std::vector<std::string>& marketplace_ids,
                                                  const CallOptions& options);

  // confirmShipment for one package. OK on 204. InvalidArgument carrying
  // Amazon's message for a rejected confirmation. A timeout is
  // DeadlineExceeded at once: the caller verifies by reading the order back
  // before sending it again.
  Status ConfirmShipment(const std::string& order_id, const ShipmentConfirmation& confirmation,
                         const CallOptions& options);

 private:
  SpApiClient* const client_;
  RestrictedDataTokens* const rdts_;
};

// Parses one order of searchOrders / getOrder (v2026-01-01). Exposed for
// tests. InvalidArgument naming the order and the field.
Result<AmazonOrder> ParseOrder2026(const nlohmann::json& order);

}  // namespace sellerbridge::amazon
