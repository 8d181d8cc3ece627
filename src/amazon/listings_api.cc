#include "amazon/listings_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "amazon/json_fields.h"
#include "base/status_macros.h"
#include "http/client.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kListings = "Listings Items 2021-08-01";

Result<std::vector<ListingIssue>> IssuesOf(const json& body, std::string_view where) {
  ASSIGN_OR_RETURN(const json* issues, OptionalArray(body, "issues", where));
  std::vector<ListingIssue> out;
  for (const json& issue : *issues) {
    ListingIssue parsed;
    ASSIGN_OR_RETURN(parsed.code, RequiredString(issue, "code", where));
    ASSIGN_OR_RETURN(parsed.message, RequiredString(issue, "message", where));
    ASSIGN_OR_RETURN(parsed.severity, RequiredString(issue, "severity", where));
    out.push_back(std::move(parsed));
  }
  return out;
}

std::string ItemPath(const std::string& seller_id, const std::string& sku) {
  return fmt::format("/listings/2021-08-01/items/{}/{}", http::UrlEncode(seller_id),
                     http::UrlEncode(sku));
}

}  // namespace

Result<ListingAvailability> ListingsApi::GetAvailability(const std::string& sku,
                                                         const std::string& marketplace_id,
                                                         const CallOptions& options) {
  ASSIGN_OR_RETURN(
      http::ClientResponse response,
      client_->Call({.api = std::string(kListings),
                     .operation = "getListingsItem",
                     .method = "GET",
                     .path = ItemPath(seller_id_, sku),
                     .query = fmt::format("marketplaceIds={}&includedData={}",
                                          http::UrlEncode(marketplace_id),
                                          http::UrlEncode("fulfillmentAvailability,issues")),
                     .lane = options.lane,
                     .deadline = options.deadline},
                    options.stop));
  const std::string where = "amazon getListingsItem " + sku;
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  ListingAvailability out;
  ASSIGN_OR_RETURN(out.sku, RequiredString(body, "sku", where));
  ASSIGN_OR_RETURN(const json* availability, OptionalArray(body, "fulfillmentAvailability", where));
  for (const json& entry : *availability) {
    ASSIGN_OR_RETURN(std::string channel, RequiredString(entry, "fulfillmentChannelCode", where));
    if (channel == "DEFAULT" && entry.contains("quantity")) {
      ASSIGN_OR_RETURN(std::int64_t quantity, RequiredInteger(entry, "quantity", where));
      out.quantity = static_cast<int>(quantity);
    }
  }
  ASSIGN_OR_RETURN(out.issues, IssuesOf(body, where));
  return out;
}

Result<ListingSubmission> ListingsApi::SetQuantity(const QuantityUpdate& update,
                                                   const CallOptions& options) {
  json value = {{"fulfillment_channel_code", "DEFAULT"}, {"quantity", update.quantity}};
  if (update.handling_days) {
    value["lead_time_to_ship_max_days"] = *update.handling_days;
  }
  const json body = {
      {"productType", "PRODUCT"},
      {"patches", json::array({{{"op", "merge"},
                                {"path", "/attributes/fulfillment_availability"},
                                {"value", json::array({value})}}})},
  };
  ASSIGN_OR_RETURN(
      http::ClientResponse response,
      client_->Call({.api = std::string(kListings),
                     .operation = "patchListingsItem",
                     .method = "PATCH",
                     .path = ItemPath(seller_id_, update.sku),
                     .query = "marketplaceIds=" + http::UrlEncode(update.marketplace_id),
                     .body = body.dump(),
                     .lane = options.lane,
                     .deadline = options.deadline},
                    options.stop));
  const std::string where = "amazon patchListingsItem " + update.sku;
  ASSIGN_OR_RETURN(json answer, ParseObject(response.body, where));
  ListingSubmission out;
  ASSIGN_OR_RETURN(out.status, RequiredString(answer, "status", where));
  ASSIGN_OR_RETURN(out.submission_id, RequiredString(answer, "submissionId", where));
  ASSIGN_OR_RETURN(out.issues, IssuesOf(answer, where));
  if (out.status == "INVALID") {
    std::string described;
    for (const ListingIssue& issue : out.issues) {
      described +=
          fmt::format("{}{}: {}", described.empty() ? "" : "; ", issue.code, issue.message);
    }
    return InvalidArgumentError(fmt::format("{}: INVALID: {}", where, described));
  }
  return out;
}

}  // namespace sellerbridge::amazon
