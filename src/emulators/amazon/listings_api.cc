#include "emulators/amazon/listings_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/marketplace.h"
#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kAvailabilityPath = "/attributes/fulfillment_availability";

http::Response BadRequest(std::string_view details) {
  return ErrorResponse(400, "BAD_REQUEST", "Invalid input", details);
}

// The checks both operations share: the seller in the path is the caller and
// marketplaceIds names marketplaces of that seller.
std::optional<http::Response> CheckSellerAndMarketplaces(const http::Request& request,
                                                         const Caller& caller, SellerState* state,
                                                         std::vector<std::string>& marketplaces) {
  if (request.path_params.at("sellerId") != caller.seller_id) {
    return ErrorResponse(403, "Unauthorized", "Access to requested resource is denied.",
                         "The seller in the path is not the seller the token was issued for.");
  }
  marketplaces = QueryList(request, "marketplaceIds");
  if (marketplaces.empty()) {
    return BadRequest("Missing required parameter: marketplaceIds");
  }
  for (const std::string& id : marketplaces) {
    const auto& own = state->MarketplaceIds();
    if (FindMarketplace(id) == nullptr || std::find(own.begin(), own.end(), id) == own.end()) {
      return BadRequest(fmt::format("Invalid marketplaceIds value: {}", id));
    }
  }
  return std::nullopt;
}

json AvailabilityJson(const Listing& listing, bool attribute_style) {
  json entry = attribute_style
                   ? json{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", listing.quantity}}
                   : json{{"fulfillmentChannelCode", "DEFAULT"}, {"quantity", listing.quantity}};
  if (attribute_style && listing.lead_time_to_ship_max_days) {
    entry["lead_time_to_ship_max_days"] = *listing.lead_time_to_ship_max_days;
  }
  if (attribute_style && listing.restock_date) {
    entry["restock_date"] = *listing.restock_date;
  }
  return json::array({entry});
}

http::Response GetListingsItem(const http::Request& request, const Caller& caller,
                               SellerState* state) {
  std::vector<std::string> marketplaces;
  if (auto problem = CheckSellerAndMarketplaces(request, caller, state, marketplaces)) {
    return *problem;
  }
  std::vector<std::string> included = QueryList(request, "includedData");
  static constexpr std::array<std::string_view, 8> kKnown = {
      "summaries",   "attributes",    "issues",      "offers", "fulfillmentAvailability",
      "procurement", "relationships", "productTypes"};
  for (const std::string& value : included) {
    if (std::find(kKnown.begin(), kKnown.end(), value) == kKnown.end()) {
      return BadRequest(fmt::format("Invalid includedData value: {}", value));
    }
  }
  if (included.empty()) {
    included.emplace_back("summaries");
  }
  const auto has = [&](std::string_view name) {
    return std::find(included.begin(), included.end(), name) != included.end();
  };
  const std::string& sku = request.path_params.at("sku");
  const auto listing = state->GetListing(sku);
  if (!listing) {
    return ErrorResponse(
        404, "NOT_FOUND",
        fmt::format("SKU '{}' not found in marketplace {}", sku, marketplaces.front()));
  }
  json body = {{"sku", listing->item.sku}};
  if (has("summaries")) {
    json summaries = json::array();
    for (const std::string& id : marketplaces) {
      json statuses = json::array({"DISCOVERABLE"});
      if (listing->quantity > 0) {
        statuses.push_back("BUYABLE");
      }
      summaries.push_back({{"marketplaceId", id},
                           {"asin", listing->item.asin},
                           {"productType", listing->item.product_type},
                           {"conditionType", "new_new"},
                           {"status", std::move(statuses)},
                           {"itemName", listing->item.title},
                           {"createdDate", FormatIso8601(listing->created)},
                           {"lastUpdatedDate", FormatIso8601(listing->updated)}});
    }
    body["summaries"] = std::move(summaries);
  }
  if (has("attributes")) {
    body["attributes"] = {{"fulfillment_availability", AvailabilityJson(*listing, true)}};
  }
  if (has("issues")) {
    body["issues"] = json::array();
  }
  if (has("fulfillmentAvailability")) {
    body["fulfillmentAvailability"] = AvailabilityJson(*listing, false);
  }
  if (has("productTypes")) {
    body["productTypes"] = json::array();
    for (const std::string& id : marketplaces) {
      body["productTypes"].push_back(
          {{"marketplaceId", id}, {"productType", listing->item.product_type}});
    }
  }
  return http::Response::Json(200, body.dump());
}

json Issue(std::string_view code, std::string_view message, std::string_view attribute) {
  json issue = {{"code", code},
                {"message", message},
                {"severity", "ERROR"},
                {"categories", json::array({"INVALID_ATTRIBUTE"})}};
  if (!attribute.empty()) {
    issue["attributeNames"] = json::array({attribute});
  }
  return issue;
}

// Reads a fulfillment_availability patch value; an issue when it is malformed.
std::optional<json> ReadAvailability(const json& patch, AvailabilityPatch& out) {
  const std::string op = patch.at("op").get<std::string>();
  out.op = op == "merge"    ? AvailabilityPatch::Op::kMerge
           : op == "delete" ? AvailabilityPatch::Op::kDelete
                            : AvailabilityPatch::Op::kReplace;
  if (out.op == AvailabilityPatch::Op::kDelete) {
    return std::nullopt;
  }
  const auto value = patch.find("value");
  if (value == patch.end() || !value->is_array() || value->empty()) {
    return Issue("4000004", "The value of 'fulfillment_availability' is missing.",
                 "fulfillment_availability");
  }
  for (const json& entry : *value) {
    if (!entry.is_object() || !entry.contains("fulfillment_channel_code") ||
        !entry["fulfillment_channel_code"].is_string()) {
      return Issue("4000001", "'fulfillment_channel_code' is required but not supplied.",
                   "fulfillment_availability");
    }
    if (entry["fulfillment_channel_code"] != "DEFAULT") {
      continue;
    }
    if (const auto quantity = entry.find("quantity"); quantity != entry.end()) {
      if (!quantity->is_number_integer() || quantity->get<std::int64_t>() < 0 ||
          quantity->get<std::int64_t>() > 1'000'000'000) {
        return Issue(
            "4000003",
            "The value provided for 'quantity' is invalid; it must be an integer of 0 or more.",
            "fulfillment_availability");
      }
      out.quantity = static_cast<int>(quantity->get<std::int64_t>());
    }
    if (const auto lead = entry.find("lead_time_to_ship_max_days"); lead != entry.end()) {
      if (!lead->is_number_integer() || lead->get<std::int64_t>() < 0 ||
          lead->get<std::int64_t>() > 365) {
        return Issue("4000003", "The value provided for 'lead_time_to_ship_max_days' is invalid.",
                     "fulfillment_availability");
      }
      out.lead_time_to_ship_max_days = static_cast<int>(lead->get<std::int64_t>());
    }
    if (const auto restock = entry.find("restock_date");
        restock != entry.end() && restock->is_string()) {
      out.restock_date = restock->get<std::string>();
    }
  }
  return std::nullopt;
}

http::Response PatchListingsItem(const http::Request& request, const Caller& caller,
                                 SellerState* state, std::uint64_t submission) {
  std::vector<std::string> marketplaces;
  if (auto problem = CheckSellerAndMarketplaces(request, caller, state, marketplaces)) {
    return *problem;
  }
  const auto mode = request.Query("mode");
  if (mode && *mode != "VALIDATION_PREVIEW") {
    return BadRequest(fmt::format("Invalid mode value: {}", *mode));
  }
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return BadRequest("The request body must be a JSON object.");
  }
  const auto product_type = body.find("productType");
  const auto patches = body.find("patches");
  if (product_type == body.end() || !product_type->is_string()) {
    return BadRequest("Missing required field: productType");
  }
  if (patches == body.end() || !patches->is_array() || patches->empty()) {
    return BadRequest("patches must be a non-empty array");
  }
  for (const json& patch : *patches) {
    const auto op = patch.find("op");
    const auto path = patch.find("path");
    if (!patch.is_object() || op == patch.end() || !op->is_string() || path == patch.end() ||
        !path->is_string() ||
        (*op != "add" && *op != "replace" && *op != "merge" && *op != "delete")) {
      return BadRequest("Each patch needs op (add, replace, merge or delete) and path.");
    }
    if (const auto value = patch.find("value");
        value != patch.end() &&
        (!value->is_array() ||
         !std::all_of(value->begin(), value->end(), [](const json& v) { return v.is_object(); }))) {
      return BadRequest("A patch value must be an array of objects.");
    }
  }
  const std::string& sku = request.path_params.at("sku");
  json response = {{"sku", sku}, {"submissionId", fmt::format("{:032x}", submission)}};
  json issues = json::array();
  const auto listing = state->GetListing(sku);
  std::vector<AvailabilityPatch> changes;
  if (!listing) {
    issues.push_back(Issue(
        "4000001",
        fmt::format("The SKU '{}' does not exist for this seller; create the listing first.", sku),
        ""));
  } else {
    for (const json& patch : *patches) {
      if (patch["path"] != kAvailabilityPath) {
        continue;
      }
      AvailabilityPatch change;
      if (auto issue = ReadAvailability(patch, change)) {
        issues.push_back(std::move(*issue));
      } else {
        changes.push_back(change);
      }
    }
  }
  const bool valid = issues.empty();
  response["status"] = !valid ? "INVALID" : (mode ? "VALID" : "ACCEPTED");
  response["issues"] = std::move(issues);
  if (valid && !mode) {
    for (const AvailabilityPatch& change : changes) {
      state->QueueAvailability(sku, change, "patchListingsItem").IgnoreError();
    }
  }
  const std::vector<std::string> included = QueryList(request, "includedData");
  if (listing && std::find(included.begin(), included.end(), "identifiers") != included.end()) {
    json identifiers = json::array();
    for (const std::string& id : marketplaces) {
      identifiers.push_back({{"marketplaceId", id}, {"asin", listing->item.asin}});
    }
    response["identifiers"] = std::move(identifiers);
  }
  return http::Response::Json(200, response.dump());
}

}  // namespace

void RegisterListingsApi(http::Server& server, const ApiGate& gate, SellerState* state) {
  server.Route(
      "GET", "/listings/2021-08-01/items/{sellerId}/{sku}",
      gate.Wrap({"Listings Items 2021-08-01", "getListingsItem"},
                [state](const http::Request& request, const Caller& caller, const FaultDecision&) {
                  return GetListingsItem(request, caller, state);
                }));
  auto submissions = std::make_shared<std::atomic<std::uint64_t>>(0x5b3d0000);
  server.Route("PATCH", "/listings/2021-08-01/items/{sellerId}/{sku}",
               gate.Wrap({"Listings Items 2021-08-01", "patchListingsItem"},
                         [state, submissions](const http::Request& request, const Caller& caller,
                                              const FaultDecision&) {
                           return PatchListingsItem(request, caller, state, ++*submissions);
                         }));
}

}  // namespace sellerbridge::emulators::amazon
