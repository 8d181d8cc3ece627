#include "emulators/amazon/orders_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <variant>

#include "base/marketplace.h"
#include "base/time_format.h"
#include "emulators/amazon/formats/carrier_codes.h"
#include "emulators/amazon/order_json.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

constexpr std::chrono::minutes kMinimumAge{2};

http::Response InvalidInput(std::string_view details) {
  return ErrorResponse(400, "InvalidInput", "Invalid Input", details);
}

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// The date filters shared by searchOrders and getOrders: exactly one "after"
// (created or last updated), no mixing, "before" at or after "after" and at
// least two minutes before now (which it defaults to).
struct DateNames {
  std::string_view created_after;
  std::string_view created_before;
  std::string_view updated_after;
  std::string_view updated_before;
};

std::optional<std::string> ReadDates(const http::Request& request, const DateNames& names,
                                     TimePoint now, OrderQuery& query) {
  const auto created_after = request.Query(names.created_after);
  const auto created_before = request.Query(names.created_before);
  const auto updated_after = request.Query(names.updated_after);
  const auto updated_before = request.Query(names.updated_before);
  if (created_after.has_value() == updated_after.has_value()) {
    return fmt::format("Exactly one of {} and {} must be provided.", names.created_after,
                       names.updated_after);
  }
  if ((created_after && updated_before) || (updated_after && created_before)) {
    return fmt::format("{}/{} and {}/{} cannot be combined.", names.created_after,
                       names.created_before, names.updated_after, names.updated_before);
  }
  query.by_last_update = updated_after.has_value();
  const std::string_view after_name =
      query.by_last_update ? names.updated_after : names.created_after;
  const std::string_view before_name =
      query.by_last_update ? names.updated_before : names.created_before;
  auto after = ParseIso8601(query.by_last_update ? *updated_after : *created_after);
  if (!after.ok()) {
    return fmt::format("{} must be an ISO 8601 date-time.", after_name);
  }
  query.after = *after;
  const TimePoint latest = now - kMinimumAge;
  const auto& before_text = query.by_last_update ? updated_before : created_before;
  if (before_text) {
    auto before = ParseIso8601(*before_text);
    if (!before.ok()) {
      return fmt::format("{} must be an ISO 8601 date-time.", before_name);
    }
    if (*before < query.after) {
      return fmt::format("{} must be equal to or after {}.", before_name, after_name);
    }
    if (*before > latest) {
      return fmt::format("{} must be at least two minutes before the time of the request.",
                         before_name);
    }
    query.before = *before;
  } else {
    if (query.after > latest) {
      return fmt::format("{} must be at least two minutes before the time of the request.",
                         after_name);
    }
    query.before = latest;
  }
  return std::nullopt;
}

std::optional<std::string> ReadMarketplaces(const std::vector<std::string>& ids,
                                            std::string_view name, OrderQuery& query) {
  if (ids.size() > 50) {
    return fmt::format("{} accepts at most 50 values.", name);
  }
  for (const std::string& id : ids) {
    if (FindMarketplace(id) == nullptr) {
      return fmt::format("{} contains an invalid marketplace ID: {}", name, id);
    }
  }
  query.marketplace_ids = ids;
  return std::nullopt;
}

std::optional<std::string> ReadPageSize(const http::Request& request, std::string_view name,
                                        OrderQuery& query) {
  if (const auto text = request.Query(name)) {
    const auto size = ParseInt(*text);
    if (!size || *size < 1 || *size > 100) {
      return fmt::format("{} must be an integer between 1 and 100.", name);
    }
    query.max_results = *size;
  }
  return std::nullopt;
}

std::optional<std::string> ParseStatuses2026(const std::vector<std::string>& values,
                                             std::vector<OrderStatus>& out, bool& impossible) {
  for (const std::string& value : values) {
    bool found = false;
    for (const OrderStatus status :
         {OrderStatus::kPending, OrderStatus::kUnshipped, OrderStatus::kPartiallyShipped,
          OrderStatus::kShipped, OrderStatus::kCanceled}) {
      if (value == FulfillmentStatusName(status)) {
        out.push_back(status);
        found = true;
      }
    }
    if (!found && value != "PENDING_AVAILABILITY" && value != "UNFULFILLABLE") {
      return fmt::format("Invalid fulfillmentStatuses value: {}", value);
    }
  }
  // Only statuses the emulator never produces were asked for.
  impossible = !values.empty() && out.empty();
  return std::nullopt;
}

http::Response SearchOrders(const http::Request& request, SellerState* state, Clock* clock) {
  IncludedData included;
  std::string bad;
  if (!ParseIncludedData(QueryList(request, "includedData"), included, bad)) {
    return InvalidInput(fmt::format("Invalid includedData value: {}", bad));
  }
  OrderPage page;
  if (const auto token = request.Query("paginationToken")) {
    auto next = state->Continue(*token);
    if (!next.ok()) {
      return InvalidInput(next.status().message());
    }
    page = *std::move(next);
  } else {
    const TimePoint now = clock->Now();
    OrderQuery query;
    bool impossible = false;
    for (const auto& problem :
         {ReadDates(request,
                    {"createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore"}, now,
                    query),
          ReadMarketplaces(QueryList(request, "marketplaceIds"), "marketplaceIds", query),
          ReadPageSize(request, "maxResultsPerPage", query),
          ParseStatuses2026(QueryList(request, "fulfillmentStatuses"), query.statuses,
                            impossible)}) {
      if (problem) {
        return InvalidInput(*problem);
      }
    }
    const std::vector<std::string> fulfilled_by = QueryList(request, "fulfilledBy");
    for (const std::string& value : fulfilled_by) {
      if (value != "MERCHANT" && value != "AMAZON") {
        return InvalidInput(fmt::format("Invalid fulfilledBy value: {}", value));
      }
    }
    // Every emulated order is merchant-fulfilled.
    const bool merchant =
        fulfilled_by.empty() ||
        std::find(fulfilled_by.begin(), fulfilled_by.end(), "MERCHANT") != fulfilled_by.end();
    if (impossible || !merchant) {
      query.after = query.before + std::chrono::seconds(1);
    }
    page = state->Search(query);
  }
  json orders = json::array();
  for (const Order& order : page.orders) {
    orders.push_back(OrderJson(order, included));
  }
  json body = {{"orders", std::move(orders)}};
  if (page.next_token) {
    body["pagination"] = {{"nextToken", *page.next_token}};
  }
  const std::string before = FormatIso8601(page.query.before);
  body[page.query.by_last_update ? "lastUpdatedBefore" : "createdBefore"] = before;
  return http::Response::Json(200, body.dump());
}

http::Response GetOrder2026(const http::Request& request, SellerState* state) {
  IncludedData included;
  std::string bad;
  if (!ParseIncludedData(QueryList(request, "includedData"), included, bad)) {
    return InvalidInput(fmt::format("Invalid includedData value: {}", bad));
  }
  const std::string& order_id = request.path_params.at("orderId");
  const auto order = state->GetOrder(order_id);
  if (!order) {
    return ErrorResponse(404, "NotFound", "Order not found",
                         fmt::format("Order {} not found", order_id));
  }
  return http::Response::Json(200, json{{"order", OrderJson(*order, included)}}.dump());
}

http::Response GetOrdersV0(const http::Request& request, const Caller& caller, SellerState* state,
                           Clock* clock) {
  const std::vector<std::string> marketplaces = QueryList(request, "MarketplaceIds");
  if (marketplaces.empty()) {
    return InvalidInput("MarketplaceIds is required.");
  }
  OrderPage page;
  if (const auto token = request.Query("NextToken")) {
    auto next = state->Continue(*token);
    if (!next.ok()) {
      return InvalidInput(next.status().message());
    }
    page = *std::move(next);
  } else {
    OrderQuery query;
    for (const auto& problem :
         {ReadDates(request,
                    {"CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore"},
                    clock->Now(), query),
          ReadMarketplaces(marketplaces, "MarketplaceIds", query),
          ReadPageSize(request, "MaxResultsPerPage", query)}) {
      if (problem) {
        return InvalidInput(*problem);
      }
    }
    static constexpr std::array<std::string_view, 3> kNeverProduced = {
        "Unfulfillable", "InvoiceUnconfirmed", "PendingAvailability"};
    const std::vector<std::string> statuses = QueryList(request, "OrderStatuses");
    for (const std::string& value : statuses) {
      bool found = false;
      for (const OrderStatus status :
           {OrderStatus::kPending, OrderStatus::kUnshipped, OrderStatus::kPartiallyShipped,
            OrderStatus::kShipped, OrderStatus::kCanceled}) {
        if (value == OrderStatusName(status)) {
          query.statuses.push_back(status);
          found = true;
        }
      }
      if (!found &&
          std::find(kNeverProduced.begin(), kNeverProduced.end(), value) == kNeverProduced.end()) {
        return InvalidInput(fmt::format("Invalid OrderStatuses value: {}", value));
      }
    }
    const std::vector<std::string> channels = QueryList(request, "FulfillmentChannels");
    for (const std::string& channel : channels) {
      if (channel != "MFN" && channel != "AFN") {
        return InvalidInput(fmt::format("Invalid FulfillmentChannels value: {}", channel));
      }
    }
    const bool mfn =
        channels.empty() || std::find(channels.begin(), channels.end(), "MFN") != channels.end();
    if ((!statuses.empty() && query.statuses.empty()) || !mfn) {
      query.after = query.before + std::chrono::seconds(1);
    }
    page = state->Search(query);
  }
  const bool address = RdtAllows(caller, "GET", "/orders/v0/orders", "shippingAddress");
  const bool buyer = RdtAllows(caller, "GET", "/orders/v0/orders", "buyerInfo");
  json orders = json::array();
  for (const Order& order : page.orders) {
    orders.push_back(OrderJsonV0(order, address, buyer));
  }
  json payload = {{"Orders", std::move(orders)}};
  if (page.next_token) {
    payload["NextToken"] = *page.next_token;
  }
  payload[page.query.by_last_update ? "LastUpdatedBefore" : "CreatedBefore"] =
      FormatIso8601(page.query.before);
  return http::Response::Json(200, json{{"payload", std::move(payload)}}.dump());
}

http::Response GetOrderV0(const http::Request& request, const Caller& caller, SellerState* state) {
  const std::string& order_id = request.path_params.at("orderId");
  const auto order = state->GetOrder(order_id);
  if (!order) {
    return ErrorResponse(404, "NotFound", "Order not found",
                         fmt::format("Order {} not found", order_id));
  }
  const bool address = RdtAllows(caller, "GET", request.path, "shippingAddress");
  const bool buyer = RdtAllows(caller, "GET", request.path, "buyerInfo");
  return http::Response::Json(200, json{{"payload", OrderJsonV0(*order, address, buyer)}}.dump());
}

http::Response GetOrderItemsV0(const http::Request& request, SellerState* state) {
  const std::string& order_id = request.path_params.at("orderId");
  const auto order = state->GetOrder(order_id);
  if (!order) {
    return ErrorResponse(404, "NotFound", "Order not found",
                         fmt::format("Order {} not found", order_id));
  }
  if (request.Query("NextToken")) {
    return InvalidInput("Invalid NextToken");
  }
  json items = json::array();
  for (const OrderLine& line : order->lines) {
    items.push_back(OrderItemJsonV0(*order, line));
  }
  return http::Response::Json(
      200, json{{"payload", {{"AmazonOrderId", order->order_id}, {"OrderItems", std::move(items)}}}}
               .dump());
}

// confirmShipment answers 400 in the shape the model's sandbox shows.
http::Response ConfirmInvalid(std::string_view details) {
  return ErrorResponse(400, "Invalid Input", "Invalid Input", details);
}

const json* Member(const json& object, std::string_view name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// Reads a string member: missing (nullopt, `error` empty) or of the wrong
// type (nullopt, `error` set).
std::optional<std::string> StringMember(const json& object, std::string_view name,
                                        std::string& error) {
  const json* value = Member(object, name);
  if (value == nullptr || value->is_null()) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    error = fmt::format("{} must be a string.", name);
    return std::nullopt;
  }
  return value->get<std::string>();
}

bool IsPositiveNumeric(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         text.find_first_not_of('0') != std::string_view::npos;
}

// Checks a ConfirmShipmentRequest body field by field, as the model defines it.
std::variant<ShipmentConfirmation, std::string> ParseConfirmation(std::string_view body) {
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return std::string("The request body must be a JSON object.");
  }
  ShipmentConfirmation out;
  std::string error;
  const auto marketplace = StringMember(request, "marketplaceId", error);
  if (!marketplace) {
    return error.empty() ? std::string("Missing required field: marketplaceId.") : error;
  }
  out.marketplace_id = *marketplace;
  if (const auto cod = StringMember(request, "codCollectionMethod", error);
      cod && *cod != "DirectPayment") {
    return std::string("codCollectionMethod must be DirectPayment.");
  }
  if (!error.empty()) {
    return error;
  }
  const json* detail = Member(request, "packageDetail");
  if (detail == nullptr || !detail->is_object()) {
    return std::string(detail == nullptr ? "Missing required field: packageDetail."
                                         : "packageDetail must be an object.");
  }
  const auto required = [&](std::string_view name,
                            std::string& target) -> std::optional<std::string> {
    const auto value = StringMember(*detail, name, error);
    if (!value) {
      return error.empty() ? fmt::format("Missing required field: packageDetail.{}.", name) : error;
    }
    if (value->empty()) {
      return fmt::format("packageDetail.{} must not be empty.", name);
    }
    target = *value;
    return std::nullopt;
  };
  std::string ship_date;
  for (const auto& [name, target] :
       {std::pair<std::string_view, std::string*>{"packageReferenceId", &out.package_reference_id},
        {"carrierCode", &out.carrier_code},
        {"trackingNumber", &out.tracking_number},
        {"shipDate", &ship_date}}) {
    if (auto problem = required(name, *target)) {
      return *problem;
    }
  }
  for (const auto& [name, target] :
       {std::pair<std::string_view, std::string*>{"carrierName", &out.carrier_name},
        {"shippingMethod", &out.shipping_method}}) {
    if (const auto value = StringMember(*detail, name, error)) {
      *target = *value;
    }
    if (!error.empty()) {
      return error;
    }
  }
  if (!IsPositiveNumeric(out.package_reference_id)) {
    return std::string("packageDetail.packageReferenceId must be a positive numeric value.");
  }
  if (!IsCarrierCode(out.carrier_code)) {
    return fmt::format("packageDetail.carrierCode '{}' is not a valid carrier code.",
                       out.carrier_code);
  }
  if (out.carrier_code == "Other" && out.carrier_name.empty()) {
    return std::string("packageDetail.carrierName is required when carrierCode is Other.");
  }
  auto parsed_date = ParseIso8601(ship_date);
  if (!parsed_date.ok()) {
    return std::string("packageDetail.shipDate must be an ISO 8601 date-time.");
  }
  out.ship_date = *parsed_date;
  const json* items = Member(*detail, "orderItems");
  if (items == nullptr || !items->is_array() || items->empty()) {
    return std::string(items == nullptr ? "Missing required field: packageDetail.orderItems."
                                        : "packageDetail.orderItems must be a non-empty array.");
  }
  for (const json& item : *items) {
    if (!item.is_object()) {
      return std::string("packageDetail.orderItems entries must be objects.");
    }
    const auto item_id = StringMember(item, "orderItemId", error);
    if (!item_id || item_id->empty()) {
      return error.empty() ? std::string("Missing required field: orderItems.orderItemId.") : error;
    }
    const json* quantity = Member(item, "quantity");
    if (quantity == nullptr || !quantity->is_number_integer()) {
      return fmt::format("orderItems.quantity for {} must be an integer.", *item_id);
    }
    const auto count = quantity->get<std::int64_t>();
    if (count < 1 || count > 1'000'000) {
      return fmt::format("orderItems.quantity for {} must be positive.", *item_id);
    }
    out.items.emplace_back(*item_id, static_cast<int>(count));
    if (const json* codes = Member(item, "transparencyCodes"); codes != nullptr) {
      if (!codes->is_array() || !std::all_of(codes->begin(), codes->end(),
                                             [](const json& code) { return code.is_string(); })) {
        return std::string("orderItems.transparencyCodes must be an array of strings.");
      }
      out.transparency_codes.emplace_back(*item_id, codes->get<std::vector<std::string>>());
    }
  }
  return out;
}

http::Response ConfirmShipment(const http::Request& request, const FaultDecision& fault,
                               SellerState* state) {
  auto parsed = ParseConfirmation(request.body);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    return ConfirmInvalid(*problem);
  }
  const auto& confirmation = std::get<ShipmentConfirmation>(parsed);
  const std::string& order_id = request.path_params.at("orderId");
  auto outcome = state->ConfirmShipment(order_id, confirmation, fault.silent_drop);
  if (!outcome.ok()) {
    if (outcome.status().code() == StatusCode::kNotFound) {
      return ErrorResponse(404, "NotFound", "Order not found", outcome.status().message());
    }
    return ConfirmInvalid(outcome.status().message());
  }
  return http::Response::Empty(204);
}

// The restricted operations an RDT can open, and whether they take dataElements.
struct RestrictedPath {
  std::string_view path;
  bool data_elements;
};
constexpr std::array<RestrictedPath, 8> kRestrictedPaths = {{
    {"/orders/v0/orders", true},
    {"/orders/v0/orders/{orderId}", true},
    {"/orders/v0/orders/{orderId}/orderItems", true},
    {"/orders/v0/orders/{orderId}/address", false},
    {"/orders/v0/orders/{orderId}/buyerInfo", false},
    {"/orders/v0/orders/{orderId}/orderItems/buyerInfo", false},
    {"/mfn/v0/shipments", false},  // createShipment answers with the buyer's address.
    {"/mfn/v0/shipments/{shipmentId}", false},
}};

const RestrictedPath* FindRestrictedPath(std::string_view path) {
  const Caller probe{.restricted = true, .resources = {}};
  for (const RestrictedPath& candidate : kRestrictedPaths) {
    Caller pattern = probe;
    pattern.resources.push_back({.method = "GET", .path = std::string(candidate.path)});
    // A path with a literal "{orderId}" stands for every order.
    if (RdtAllows(pattern, "GET", path, "")) {
      return &candidate;
    }
  }
  return nullptr;
}

http::Response CreateRestrictedDataToken(const http::Request& request, const Caller& caller,
                                         TokenService* tokens) {
  const auto invalid = [](std::string_view details) {
    return ErrorResponse(400, "InvalidRequest", "Request is missing or has invalid parameters",
                         details);
  };
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return invalid("The request body must be a JSON object.");
  }
  const json* resources = Member(body, "restrictedResources");
  if (resources == nullptr || !resources->is_array() || resources->empty()) {
    return invalid("Resource not provided.");
  }
  if (resources->size() > 50) {
    return invalid("At most 50 restricted resources are allowed.");
  }
  if (const json* target = Member(body, "targetApplication");
      target != nullptr && !target->is_string()) {
    return invalid("targetApplication must be a string.");
  }
  std::vector<RestrictedResource> granted;
  for (const json& resource : *resources) {
    if (!resource.is_object()) {
      return invalid("Resource not provided.");
    }
    std::string error;
    const auto method = StringMember(resource, "method", error);
    const auto path = StringMember(resource, "path", error);
    if (!method ||
        (*method != "GET" && *method != "PUT" && *method != "POST" && *method != "DELETE")) {
      return invalid("Resource not provided.");
    }
    if (!path || FindRestrictedPath(*path) == nullptr) {
      return invalid(fmt::format("Resource {} is not a restricted resource.", path.value_or("")));
    }
    RestrictedResource granted_resource{.method = *method, .path = *path};
    if (const json* elements = Member(resource, "dataElements"); elements != nullptr) {
      if (!elements->is_array() || !FindRestrictedPath(*path)->data_elements) {
        return invalid(fmt::format("dataElements are not supported for {}.", *path));
      }
      for (const json& element : *elements) {
        if (!element.is_string() || (element != "buyerInfo" && element != "shippingAddress" &&
                                     element != "buyerTaxInformation")) {
          return invalid("dataElements must be buyerInfo, shippingAddress or buyerTaxInformation.");
        }
        granted_resource.data_elements.push_back(element.get<std::string>());
      }
    }
    granted.push_back(std::move(granted_resource));
  }
  const std::string token = tokens->IssueRestrictedDataToken(caller.seller_id, std::move(granted));
  return http::Response::Json(
      200, json{{"restrictedDataToken", token},
                {"expiresIn",
                 std::chrono::duration_cast<std::chrono::seconds>(TokenService::kLifetime).count()}}
               .dump());
}

}  // namespace

void RegisterOrdersApi(http::Server& server, const ApiGate& gate, SellerState* state,
                       TokenService* tokens, Clock* clock) {
  server.Route(
      "GET", "/orders/2026-01-01/orders",
      gate.Wrap({"Orders 2026-01-01", "searchOrders"},
                [state, clock](const http::Request& request, const Caller&, const FaultDecision&) {
                  return SearchOrders(request, state, clock);
                }));
  server.Route("GET", "/orders/2026-01-01/orders/{orderId}",
               gate.Wrap({"Orders 2026-01-01", "getOrder"},
                         [state](const http::Request& request, const Caller&,
                                 const FaultDecision&) { return GetOrder2026(request, state); }));
  server.Route("GET", "/orders/v0/orders",
               gate.Wrap({"Orders v0", "getOrders", true},
                         [state, clock](const http::Request& request, const Caller& caller,
                                        const FaultDecision&) {
                           return GetOrdersV0(request, caller, state, clock);
                         }));
  server.Route(
      "GET", "/orders/v0/orders/{orderId}",
      gate.Wrap({"Orders v0", "getOrder", true},
                [state](const http::Request& request, const Caller& caller, const FaultDecision&) {
                  return GetOrderV0(request, caller, state);
                }));
  server.Route(
      "GET", "/orders/v0/orders/{orderId}/orderItems",
      gate.Wrap({"Orders v0", "getOrderItems", true},
                [state](const http::Request& request, const Caller&, const FaultDecision&) {
                  return GetOrderItemsV0(request, state);
                }));
  server.Route(
      "POST", "/orders/v0/orders/{orderId}/shipmentConfirmation",
      gate.Wrap({"Orders v0", "confirmShipment"},
                [state](const http::Request& request, const Caller&, const FaultDecision& fault) {
                  return ConfirmShipment(request, fault, state);
                }));
  server.Route(
      "POST", "/tokens/2021-03-01/restrictedDataToken",
      gate.Wrap({"Tokens 2021-03-01", "createRestrictedDataToken"},
                [tokens](const http::Request& request, const Caller& caller, const FaultDecision&) {
                  return CreateRestrictedDataToken(request, caller, tokens);
                }));
}

}  // namespace sellerbridge::emulators::amazon
