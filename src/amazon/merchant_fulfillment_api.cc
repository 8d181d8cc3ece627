#include "amazon/merchant_fulfillment_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "amazon/json_fields.h"
#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kMfn = "Merchant Fulfillment v0";

json ShipmentRequestDetails(const LabelRequest& request) {
  json items = json::array();
  for (const PackageItem& item : request.items) {
    items.push_back({{"OrderItemId", item.order_item_id}, {"Quantity", item.quantity}});
  }
  json from = {{"Name", request.ship_from.name},
               {"AddressLine1", request.ship_from.line1},
               {"City", request.ship_from.city},
               {"PostalCode", request.ship_from.postal_code},
               {"CountryCode", request.ship_from.country_code},
               {"Email", request.ship_from_email},
               {"Phone", request.ship_from.phone}};
  if (!request.ship_from.line2.empty()) {
    from["AddressLine2"] = request.ship_from.line2;
  }
  return {
      {"AmazonOrderId", request.amazon_order_id},
      {"ItemList", std::move(items)},
      {"ShipFromAddress", std::move(from)},
      {"PackageDimensions",
       {{"Length", request.length_cm},
        {"Width", request.width_cm},
        {"Height", request.height_cm},
        {"Unit", "centimeters"}}},
      {"Weight", {{"Value", request.weight_g}, {"Unit", "g"}}},
      {"ShippingServiceOptions",
       {{"DeliveryExperience", request.delivery_experience},
        {"CarrierWillPickUp", request.carrier_will_pick_up},
        {"LabelFormat", request.label_format}}},
  };
}

Result<domain::Money> RateOf(const json& service, std::string_view where) {
  ASSIGN_OR_RETURN(const json* rate, OptionalObject(service, "Rate", where));
  if (rate == nullptr) {
    return InvalidArgumentError(fmt::format("{}: Rate is missing", where));
  }
  const json* amount = rate->contains("Amount") ? &(*rate)["Amount"] : nullptr;
  ASSIGN_OR_RETURN(std::string currency, RequiredString(*rate, "CurrencyCode", where));
  if (amount == nullptr || !amount->is_number()) {
    return InvalidArgumentError(fmt::format("{}: Rate.Amount is not a number", where));
  }
  // Amazon sends the amount as a JSON number; two decimals are all money has.
  return domain::Money::Parse(fmt::format("{:.2f}", amount->get<double>()), currency);
}

}  // namespace

Result<std::vector<ShippingServiceOffer>> MerchantFulfillmentApi::EligibleServices(
    const LabelRequest& request, const CallOptions& options) {
  const json body = {{"ShipmentRequestDetails", ShipmentRequestDetails(request)}};
  ASSIGN_OR_RETURN(http::ClientResponse response,
                   client_->Call({.api = std::string(kMfn),
                                  .operation = "getEligibleShipmentServices",
                                  .method = "POST",
                                  .path = "/mfn/v0/eligibleShippingServices",
                                  .body = body.dump(),
                                  .lane = options.lane,
                                  .deadline = options.deadline},
                                 options.stop));
  const std::string where = "amazon getEligibleShipmentServices " + request.amazon_order_id;
  ASSIGN_OR_RETURN(json answer, ParseObject(response.body, where));
  ASSIGN_OR_RETURN(const json* payload, OptionalObject(answer, "payload", where));
  if (payload == nullptr) {
    return InvalidArgumentError(where + ": payload is missing");
  }
  ASSIGN_OR_RETURN(const json* services, OptionalArray(*payload, "ShippingServiceList", where));
  std::vector<ShippingServiceOffer> offers;
  for (const json& service : *services) {
    ShippingServiceOffer offer{.rate = domain::Money::Create(0, "GBP").value()};
    ASSIGN_OR_RETURN(offer.service_id, RequiredString(service, "ShippingServiceId", where));
    ASSIGN_OR_RETURN(offer.offer_id, RequiredString(service, "ShippingServiceOfferId", where));
    ASSIGN_OR_RETURN(offer.service_name, RequiredString(service, "ShippingServiceName", where));
    ASSIGN_OR_RETURN(offer.carrier_name, RequiredString(service, "CarrierName", where));
    ASSIGN_OR_RETURN(offer.ship_date, RequiredTime(service, "ShipDate", where));
    ASSIGN_OR_RETURN(offer.latest_delivery,
                     OptionalTime(service, "LatestEstimatedDeliveryDate", where));
    ASSIGN_OR_RETURN(offer.rate, RateOf(service, where));
    offers.push_back(std::move(offer));
  }
  std::stable_sort(offers.begin(), offers.end(), [](const auto& a, const auto& b) {
    return a.rate.MinorUnits() < b.rate.MinorUnits();
  });
  return offers;
}

Result<BoughtLabel> MerchantFulfillmentApi::BuyLabel(const LabelRequest& request,
                                                     const ShippingServiceOffer& offer,
                                                     const CallOptions& options) {
  constexpr std::string_view kPath = "/mfn/v0/shipments";
  ASSIGN_OR_RETURN(std::string rdt, rdts_->TokenFor("POST", std::string(kPath), {}, options));
  const json body = {{"ShipmentRequestDetails", ShipmentRequestDetails(request)},
                     {"ShippingServiceId", offer.service_id},
                     {"ShippingServiceOfferId", offer.offer_id},
                     {"LabelFormatOption", {{"LabelFormat", request.label_format}}}};
  ASSIGN_OR_RETURN(http::ClientResponse response, client_->Call({.api = std::string(kMfn),
                                                                 .operation = "createShipment",
                                                                 .method = "POST",
                                                                 .path = std::string(kPath),
                                                                 .body = body.dump(),
                                                                 .lane = options.lane,
                                                                 .deadline = options.deadline,
                                                                 .idempotent = false,
                                                                 .restricted_data_token = rdt},
                                                                options.stop));
  const std::string where = "amazon createShipment " + request.amazon_order_id;
  ASSIGN_OR_RETURN(json answer, ParseObject(response.body, where));
  ASSIGN_OR_RETURN(const json* shipment, OptionalObject(answer, "payload", where));
  if (shipment == nullptr) {
    return InvalidArgumentError(where + ": payload is missing");
  }
  BoughtLabel label;
  ASSIGN_OR_RETURN(label.shipment_id, RequiredString(*shipment, "ShipmentId", where));
  ASSIGN_OR_RETURN(label.tracking_id, RequiredString(*shipment, "TrackingId", where));
  ASSIGN_OR_RETURN(const json* service, OptionalObject(*shipment, "ShippingService", where));
  if (service == nullptr) {
    return InvalidArgumentError(where + ": ShippingService is missing");
  }
  ASSIGN_OR_RETURN(label.carrier_name, RequiredString(*service, "CarrierName", where));
  ASSIGN_OR_RETURN(label.service_name, RequiredString(*service, "ShippingServiceName", where));
  ASSIGN_OR_RETURN(label.service_id, RequiredString(*service, "ShippingServiceId", where));
  ASSIGN_OR_RETURN(const json* label_json, OptionalObject(*shipment, "Label", where));
  if (label_json == nullptr) {
    return InvalidArgumentError(where + ": Label is missing");
  }
  ASSIGN_OR_RETURN(label.label_format, OptionalString(*label_json, "LabelFormat", where));
  ASSIGN_OR_RETURN(const json* file, OptionalObject(*label_json, "FileContents", where));
  if (file == nullptr) {
    return InvalidArgumentError(where + ": Label.FileContents is missing");
  }
  ASSIGN_OR_RETURN(label.contents, RequiredString(*file, "Contents", where));
  ASSIGN_OR_RETURN(label.file_type, RequiredString(*file, "FileType", where));
  ASSIGN_OR_RETURN(label.checksum, RequiredString(*file, "Checksum", where));
  return label;
}

}  // namespace sellerbridge::amazon
