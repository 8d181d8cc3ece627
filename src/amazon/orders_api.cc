#include "amazon/orders_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "amazon/json_fields.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "http/client.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kOrders2026 = "Orders 2026-01-01";
constexpr std::string_view kOrdersV0 = "Orders v0";

std::string Joined(const std::vector<std::string>& values) {
  return fmt::format("{}", fmt::join(values, ","));
}

// The datasets sellerbridge reads, URL-encoded: fulfilment status and ship
// window, packages (for verification), proceeds (item prices), and the
// delivery address only when asked.
std::string IncludedData(bool with_recipient) {
  return http::UrlEncode(with_recipient ? "FULFILLMENT,PACKAGES,PROCEEDS,RECIPIENT"
                                        : "FULFILLMENT,PACKAGES,PROCEEDS");
}

// "amount" as Amazon writes it ("12.99") in the currency given.
Result<std::optional<domain::Money>> MoneyOf(const json* money, std::string_view amount_key,
                                             std::string_view currency_key,
                                             std::string_view where) {
  if (money == nullptr || !money->is_object()) {
    return std::optional<domain::Money>();
  }
  ASSIGN_OR_RETURN(std::string amount, RequiredString(*money, amount_key, where));
  ASSIGN_OR_RETURN(std::string currency, RequiredString(*money, currency_key, where));
  ASSIGN_OR_RETURN(domain::Money parsed, domain::Money::Parse(amount, currency));
  return std::optional<domain::Money>(parsed);
}

Result<domain::Address> AddressOf(const json& address, std::string_view where) {
  domain::Address out;
  ASSIGN_OR_RETURN(out.name, OptionalString(address, "name", where));
  ASSIGN_OR_RETURN(out.line1, OptionalString(address, "addressLine1", where));
  ASSIGN_OR_RETURN(out.line2, OptionalString(address, "addressLine2", where));
  ASSIGN_OR_RETURN(out.line3, OptionalString(address, "addressLine3", where));
  ASSIGN_OR_RETURN(out.city, OptionalString(address, "city", where));
  ASSIGN_OR_RETURN(out.state_or_region, OptionalString(address, "stateOrRegion", where));
  ASSIGN_OR_RETURN(out.postal_code, OptionalString(address, "postalCode", where));
  ASSIGN_OR_RETURN(out.country_code, OptionalString(address, "countryCode", where));
  ASSIGN_OR_RETURN(out.phone, OptionalString(address, "phone", where));
  return out;
}

Result<domain::Address> AddressOfV0(const json& address, std::string_view where) {
  domain::Address out;
  ASSIGN_OR_RETURN(out.name, OptionalString(address, "Name", where));
  ASSIGN_OR_RETURN(out.line1, OptionalString(address, "AddressLine1", where));
  ASSIGN_OR_RETURN(out.line2, OptionalString(address, "AddressLine2", where));
  ASSIGN_OR_RETURN(out.line3, OptionalString(address, "AddressLine3", where));
  ASSIGN_OR_RETURN(out.city, OptionalString(address, "City", where));
  ASSIGN_OR_RETURN(out.state_or_region, OptionalString(address, "StateOrRegion", where));
  ASSIGN_OR_RETURN(out.postal_code, OptionalString(address, "PostalCode", where));
  ASSIGN_OR_RETURN(out.country_code, OptionalString(address, "CountryCode", where));
  ASSIGN_OR_RETURN(out.phone, OptionalString(address, "Phone", where));
  return out;
}

Result<std::vector<PackageItem>> PackageItemsOf(const json& items, std::string_view where) {
  std::vector<PackageItem> out;
  for (const json& item : items) {
    ASSIGN_OR_RETURN(std::string id, RequiredString(item, "orderItemId", where));
    ASSIGN_OR_RETURN(std::int64_t quantity, RequiredInteger(item, "quantity", where));
    out.push_back({std::move(id), static_cast<std::int32_t>(quantity)});
  }
  return out;
}

Result<ShippedPackage> PackageOf(const json& package, std::string_view where) {
  ShippedPackage out;
  ASSIGN_OR_RETURN(out.package_reference_id, RequiredString(package, "packageReferenceId", where));
  ASSIGN_OR_RETURN(out.carrier, OptionalString(package, "carrier", where));
  ASSIGN_OR_RETURN(out.shipping_service, OptionalString(package, "shippingService", where));
  ASSIGN_OR_RETURN(out.tracking_number, OptionalString(package, "trackingNumber", where));
  ASSIGN_OR_RETURN(out.ship_time, OptionalTime(package, "shipTime", where));
  ASSIGN_OR_RETURN(const json* items, OptionalArray(package, "packageItems", where));
  ASSIGN_OR_RETURN(out.items, PackageItemsOf(*items, where));
  return out;
}

Result<OrderSearchPage> ParseSearchPage(const http::ClientResponse& response) {
  constexpr std::string_view kWhere = "amazon searchOrders response";
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, kWhere));
  if (!body.contains("orders") || !body["orders"].is_array()) {
    return InvalidArgumentError(fmt::format("{}: orders is missing", kWhere));
  }
  OrderSearchPage page;
  for (const json& entry : body["orders"]) {
    auto order = ParseOrder2026(entry);
    if (order.ok()) {
      page.orders.push_back(*std::move(order));
      continue;
    }
    std::string id;
    if (entry.is_object() && entry.contains("orderId") && entry["orderId"].is_string()) {
      id = entry["orderId"].get<std::string>();
    }
    page.unreadable.push_back({std::move(id), order.status(), entry.dump()});
  }
  ASSIGN_OR_RETURN(const json* pagination, OptionalObject(body, "pagination", kWhere));
  if (pagination != nullptr) {
    ASSIGN_OR_RETURN(std::string token, OptionalString(*pagination, "nextToken", kWhere));
    if (!token.empty()) {
      page.next_token = std::move(token);
    }
  }
  ASSIGN_OR_RETURN(std::optional<TimePoint> created_before,
                   OptionalTime(body, "createdBefore", kWhere));
  ASSIGN_OR_RETURN(std::optional<TimePoint> updated_before,
                   OptionalTime(body, "lastUpdatedBefore", kWhere));
  page.searched_before = created_before ? created_before : updated_before;
  return page;
}

}  // namespace

Result<AmazonOrder> ParseOrder2026(const json& order) {
  std::string where = "amazon order";
  ASSIGN_OR_RETURN(std::string order_id, RequiredString(order, "orderId", where));
  where = fmt::format("amazon order {}", order_id);
  domain::OrderData data;
  data.amazon_order_id = order_id;
  ASSIGN_OR_RETURN(data.purchase_date, RequiredTime(order, "createdTime", where));
  ASSIGN_OR_RETURN(data.last_update_date, RequiredTime(order, "lastUpdatedTime", where));
  ASSIGN_OR_RETURN(const json* channel, OptionalObject(order, "salesChannel", where));
  if (channel == nullptr) {
    return InvalidArgumentError(where + ": salesChannel is missing");
  }
  ASSIGN_OR_RETURN(data.marketplace_id, RequiredString(*channel, "marketplaceId", where));
  ASSIGN_OR_RETURN(const json* programs, OptionalArray(order, "programs", where));
  for (const json& program : *programs) {
    data.is_prime = data.is_prime || program == "PRIME";
    data.is_business = data.is_business || program == "AMAZON_BUSINESS";
  }
  ASSIGN_OR_RETURN(const json* fulfillment, OptionalObject(order, "fulfillment", where));
  if (fulfillment == nullptr) {
    return InvalidArgumentError(where + ": fulfillment is missing (includedData FULFILLMENT)");
  }
  ASSIGN_OR_RETURN(std::string status, RequiredString(*fulfillment, "fulfillmentStatus", where));
  ASSIGN_OR_RETURN(data.status, domain::ParseOrderStatus(status));
  ASSIGN_OR_RETURN(data.ship_service_level,
                   OptionalString(*fulfillment, "fulfillmentServiceLevel", where));
  ASSIGN_OR_RETURN(const json* ship_by, OptionalObject(*fulfillment, "shipByWindow", where));
  if (ship_by != nullptr) {
    ASSIGN_OR_RETURN(data.earliest_ship_date, OptionalTime(*ship_by, "earliestDateTime", where));
    ASSIGN_OR_RETURN(data.latest_ship_date, OptionalTime(*ship_by, "latestDateTime", where));
  }
  ASSIGN_OR_RETURN(const json* deliver_by, OptionalObject(*fulfillment, "deliverByWindow", where));
  if (deliver_by != nullptr) {
    ASSIGN_OR_RETURN(data.latest_delivery_date, OptionalTime(*deliver_by, "latestDateTime", where));
  }
  ASSIGN_OR_RETURN(const json* recipient, OptionalObject(order, "recipient", where));
  if (recipient != nullptr) {
    ASSIGN_OR_RETURN(const json* address, OptionalObject(*recipient, "deliveryAddress", where));
    if (address != nullptr) {
      ASSIGN_OR_RETURN(domain::Address parsed, AddressOf(*address, where + " deliveryAddress"));
      data.shipping_address = std::move(parsed);
    }
  }
  ASSIGN_OR_RETURN(const json* items, OptionalArray(order, "orderItems", where));
  for (const json& item : *items) {
    domain::OrderLine line;
    ASSIGN_OR_RETURN(line.order_item_id, RequiredString(item, "orderItemId", where));
    const std::string item_where = fmt::format("{} item {}", where, line.order_item_id);
    ASSIGN_OR_RETURN(std::int64_t ordered, RequiredInteger(item, "quantityOrdered", item_where));
    line.quantity_ordered = static_cast<std::int32_t>(ordered);
    ASSIGN_OR_RETURN(const json* product, OptionalObject(item, "product", item_where));
    if (product == nullptr) {
      return InvalidArgumentError(item_where + ": product is missing");
    }
    ASSIGN_OR_RETURN(line.sku, RequiredString(*product, "sellerSku", item_where));
    ASSIGN_OR_RETURN(const json* item_fulfillment, OptionalObject(item, "fulfillment", item_where));
    if (item_fulfillment != nullptr && item_fulfillment->contains("quantityFulfilled")) {
      ASSIGN_OR_RETURN(std::int64_t shipped,
                       RequiredInteger(*item_fulfillment, "quantityFulfilled", item_where));
      line.quantity_shipped = static_cast<std::int32_t>(shipped);
    }
    ASSIGN_OR_RETURN(const json* price, OptionalObject(*product, "price", item_where));
    if (price != nullptr) {
      ASSIGN_OR_RETURN(const json* unit, OptionalObject(*price, "unitPrice", item_where));
      ASSIGN_OR_RETURN(std::optional<domain::Money> unit_price,
                       MoneyOf(unit, "amount", "currencyCode", item_where));
      if (unit_price) {
        line.item_price =
            domain::Money::Create(unit_price->MinorUnits() * ordered, unit_price->Currency())
                .value();
      }
    }
    data.lines.push_back(std::move(line));
  }
  ASSIGN_OR_RETURN(domain::Order parsed, domain::Order::Create(std::move(data)));
  AmazonOrder out{.order = std::move(parsed), .packages = {}};
  ASSIGN_OR_RETURN(const json* packages, OptionalArray(order, "packages", where));
  for (const json& package : *packages) {
    ASSIGN_OR_RETURN(ShippedPackage shipped, PackageOf(package, where + " package"));
    out.packages.push_back(std::move(shipped));
  }
  return out;
}

Result<OrderSearchPage> OrdersApi::SearchOrders(const SearchOrdersRequest& request,
                                                const CallOptions& options) {
  std::vector<std::string> query;
  const std::string_view after_name = request.by_last_update ? "lastUpdatedAfter" : "createdAfter";
  const std::string_view before_name =
      request.by_last_update ? "lastUpdatedBefore" : "createdBefore";
  query.push_back(fmt::format("{}={}", after_name, http::UrlEncode(FormatIso8601(request.after))));
  if (request.before) {
    query.push_back(
        fmt::format("{}={}", before_name, http::UrlEncode(FormatIso8601(*request.before))));
  }
  if (!request.marketplace_ids.empty()) {
    query.push_back("marketplaceIds=" + http::UrlEncode(Joined(request.marketplace_ids)));
  }
  if (!request.fulfillment_statuses.empty()) {
    query.push_back("fulfillmentStatuses=" + http::UrlEncode(Joined(request.fulfillment_statuses)));
  }
  query.emplace_back("fulfilledBy=MERCHANT");
  query.push_back(fmt::format("maxResultsPerPage={}", request.max_results_per_page));
  query.push_back("includedData=" + IncludedData(request.with_recipient));
  ASSIGN_OR_RETURN(http::ClientResponse response,
                   client_->Call({.api = std::string(kOrders2026),
                                  .operation = "searchOrders",
                                  .method = "GET",
                                  .path = "/orders/2026-01-01/orders",
                                  .query = fmt::format("{}", fmt::join(query, "&")),
                                  .lane = options.lane,
                                  .deadline = options.deadline},
                                 options.stop));
  return ParseSearchPage(response);
}

Result<OrderSearchPage> OrdersApi::SearchOrdersNextPage(const SearchOrdersRequest& request,
                                                        const std::string& next_token,
                                                        const CallOptions& options) {
  ASSIGN_OR_RETURN(http::ClientResponse response,
                   client_->Call({.api = std::string(kOrders2026),
                                  .operation = "searchOrders",
                                  .method = "GET",
                                  .path = "/orders/2026-01-01/orders",
                                  .query = fmt::format("paginationToken={}&includedData={}",
                                                       http::UrlEncode(next_token),
                                                       IncludedData(request.with_recipient)),
                                  .lane = options.lane,
                                  .deadline = options.deadline},
                                 options.stop));
  return ParseSearchPage(response);
}

Result<AmazonOrder> OrdersApi::GetOrder(const std::string& order_id, bool with_recipient,
                                        const CallOptions& options) {
  ASSIGN_OR_RETURN(http::ClientResponse response,
                   client_->Call({.api = std::string(kOrders2026),
                                  .operation = "getOrder",
                                  .method = "GET",
                                  .path = "/orders/2026-01-01/orders/" + http::UrlEncode(order_id),
                                  .query = "includedData=" + IncludedData(with_recipient),
                                  .lane = options.lane,
                                  .deadline = options.deadline},
                                 options.stop));
  const std::string where = "amazon getOrder " + order_id;
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  ASSIGN_OR_RETURN(const json* order, OptionalObject(body, "order", where));
  if (order == nullptr) {
    return InvalidArgumentError(where + ": order is missing");
  }
  return ParseOrder2026(*order);
}

Result<AmazonOrder> OrdersApi::GetOrderV0(const std::string& order_id, bool with_address,
                                          const CallOptions& options) {
  const std::string path = "/orders/v0/orders/" + http::UrlEncode(order_id);
  std::optional<std::string> rdt;
  if (with_address) {
    ASSIGN_OR_RETURN(rdt, rdts_->TokenFor("GET", path, {"shippingAddress"}, options));
  }
  ASSIGN_OR_RETURN(http::ClientResponse response, client_->Call({.api = std::string(kOrdersV0),
                                                                 .operation = "getOrder",
                                                                 .method = "GET",
                                                                 .path = path,
                                                                 .lane = options.lane,
                                                                 .deadline = options.deadline,
                                                                 .restricted_data_token = rdt},
                                                                options.stop));
  const std::string where = "amazon v0 getOrder " + order_id;
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  ASSIGN_OR_RETURN(const json* payload, OptionalObject(body, "payload", where));
  if (payload == nullptr) {
    return InvalidArgumentError(where + ": payload is missing");
  }
  domain::OrderData data;
  ASSIGN_OR_RETURN(data.amazon_order_id, RequiredString(*payload, "AmazonOrderId", where));
  ASSIGN_OR_RETURN(data.marketplace_id, RequiredString(*payload, "MarketplaceId", where));
  ASSIGN_OR_RETURN(std::string status, RequiredString(*payload, "OrderStatus", where));
  ASSIGN_OR_RETURN(data.status, domain::ParseOrderStatus(status));
  ASSIGN_OR_RETURN(data.purchase_date, RequiredTime(*payload, "PurchaseDate", where));
  ASSIGN_OR_RETURN(data.last_update_date, RequiredTime(*payload, "LastUpdateDate", where));
  ASSIGN_OR_RETURN(data.earliest_ship_date, OptionalTime(*payload, "EarliestShipDate", where));
  ASSIGN_OR_RETURN(data.latest_ship_date, OptionalTime(*payload, "LatestShipDate", where));
  ASSIGN_OR_RETURN(data.latest_delivery_date, OptionalTime(*payload, "LatestDeliveryDate", where));
  ASSIGN_OR_RETURN(data.ship_service_level, OptionalString(*payload, "ShipServiceLevel", where));
  ASSIGN_OR_RETURN(data.is_prime, OptionalBool(*payload, "IsPrime", where));
  ASSIGN_OR_RETURN(data.is_business, OptionalBool(*payload, "IsBusinessOrder", where));
  if (with_address) {
    ASSIGN_OR_RETURN(const json* address, OptionalObject(*payload, "ShippingAddress", where));
    if (address != nullptr) {
      ASSIGN_OR_RETURN(domain::Address parsed, AddressOfV0(*address, where + " ShippingAddress"));
      data.shipping_address = std::move(parsed);
    }
  }
  std::optional<std::string> next_token;
  do {
    ASSIGN_OR_RETURN(
        http::ClientResponse items_response,
        client_->Call({.api = std::string(kOrdersV0),
                       .operation = "getOrderItems",
                       .method = "GET",
                       .path = path + "/orderItems",
                       .query = next_token ? "NextToken=" + http::UrlEncode(*next_token) : "",
                       .lane = options.lane,
                       .deadline = options.deadline},
                      options.stop));
    const std::string items_where = "amazon v0 getOrderItems " + order_id;
    ASSIGN_OR_RETURN(json items_body, ParseObject(items_response.body, items_where));
    ASSIGN_OR_RETURN(const json* items_payload, OptionalObject(items_body, "payload", items_where));
    if (items_payload == nullptr) {
      return InvalidArgumentError(items_where + ": payload is missing");
    }
    ASSIGN_OR_RETURN(const json* items, OptionalArray(*items_payload, "OrderItems", items_where));
    for (const json& item : *items) {
      domain::OrderLine line;
      ASSIGN_OR_RETURN(line.order_item_id, RequiredString(item, "OrderItemId", items_where));
      ASSIGN_OR_RETURN(line.sku, RequiredString(item, "SellerSKU", items_where));
      ASSIGN_OR_RETURN(std::int64_t ordered, RequiredInteger(item, "QuantityOrdered", items_where));
      line.quantity_ordered = static_cast<std::int32_t>(ordered);
      if (item.contains("QuantityShipped")) {
        ASSIGN_OR_RETURN(std::int64_t shipped,
                         RequiredInteger(item, "QuantityShipped", items_where));
        line.quantity_shipped = static_cast<std::int32_t>(shipped);
      }
      ASSIGN_OR_RETURN(const json* price, OptionalObject(item, "ItemPrice", items_where));
      ASSIGN_OR_RETURN(line.item_price, MoneyOf(price, "Amount", "CurrencyCode", items_where));
      data.lines.push_back(std::move(line));
    }
    ASSIGN_OR_RETURN(std::string token, OptionalString(*items_payload, "NextToken", items_where));
    next_token = token.empty() ? std::nullopt : std::optional<std::string>(token);
  } while (next_token);
  ASSIGN_OR_RETURN(domain::Order parsed, domain::Order::Create(std::move(data)));
  return AmazonOrder{.order = std::move(parsed), .packages = {}};
}

Result<std::vector<std::string>> OrdersApi::ListOrderIdsV0(
    TimePoint after, const std::vector<std::string>& marketplace_ids, const CallOptions& options) {
  std::vector<std::string> ids;
  std::optional<std::string> next_token;
  constexpr std::string_view kWhere = "amazon v0 getOrders";
  do {
    const std::string query =
        next_token
            ? fmt::format("MarketplaceIds={}&NextToken={}",
                          http::UrlEncode(Joined(marketplace_ids)), http::UrlEncode(*next_token))
            : fmt::format("MarketplaceIds={}&LastUpdatedAfter={}&FulfillmentChannels=MFN",
                          http::UrlEncode(Joined(marketplace_ids)),
                          http::UrlEncode(FormatIso8601(after)));
    ASSIGN_OR_RETURN(http::ClientResponse response, client_->Call({.api = std::string(kOrdersV0),
                                                                   .operation = "getOrders",
                                                                   .method = "GET",
                                                                   .path = "/orders/v0/orders",
                                                                   .query = query,
                                                                   .lane = options.lane,
                                                                   .deadline = options.deadline},
                                                                  options.stop));
    ASSIGN_OR_RETURN(json body, ParseObject(response.body, kWhere));
    ASSIGN_OR_RETURN(const json* payload, OptionalObject(body, "payload", kWhere));
    if (payload == nullptr) {
      return InvalidArgumentError(fmt::format("{}: payload is missing", kWhere));
    }
    ASSIGN_OR_RETURN(const json* orders, OptionalArray(*payload, "Orders", kWhere));
    for (const json& order : *orders) {
      ASSIGN_OR_RETURN(std::string id, RequiredString(order, "AmazonOrderId", kWhere));
      ids.push_back(std::move(id));
    }
    ASSIGN_OR_RETURN(std::string token, OptionalString(*payload, "NextToken", kWhere));
    next_token = token.empty() ? std::nullopt : std::optional<std::string>(token);
  } while (next_token);
  return ids;
}

Status OrdersApi::ConfirmShipment(const std::string& order_id,
                                  const ShipmentConfirmation& confirmation,
                                  const CallOptions& options) {
  json items = json::array();
  for (const PackageItem& item : confirmation.items) {
    items.push_back({{"orderItemId", item.order_item_id}, {"quantity", item.quantity}});
  }
  json package = {
      {"packageReferenceId", confirmation.package_reference_id},
      {"carrierCode", confirmation.carrier_code},
      {"trackingNumber", confirmation.tracking_number},
      {"shipDate", FormatIso8601(confirmation.ship_date)},
      {"orderItems", std::move(items)},
  };
  if (!confirmation.carrier_name.empty()) {
    package["carrierName"] = confirmation.carrier_name;
  }
  if (!confirmation.shipping_method.empty()) {
    package["shippingMethod"] = confirmation.shipping_method;
  }
  const json body = {{"marketplaceId", confirmation.marketplace_id},
                     {"packageDetail", std::move(package)}};
  auto response = client_->Call(
      {.api = std::string(kOrdersV0),
       .operation = "confirmShipment",
       .method = "POST",
       .path = fmt::format("/orders/v0/orders/{}/shipmentConfirmation", http::UrlEncode(order_id)),
       .body = body.dump(),
       .lane = options.lane,
       .deadline = options.deadline,
       // A repeat of the same package is harmless on Amazon's side (the same
       // packageReferenceId with the same data changes nothing), but the
       // confirmer verifies by reading back before it sends again, so that a
       // correction is never sent blind.
       .idempotent = false},
      options.stop);
  return response.ok() ? Status::Ok() : response.status();
}

}  // namespace sellerbridge::amazon
