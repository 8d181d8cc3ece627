#include "emulators/amazon/mfn_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <variant>

#include "base/marketplace.h"
#include "base/time_format.h"
#include "emulators/amazon/encoding.h"
#include "emulators/amazon/formats/tracking_numbers.h"
#include "emulators/amazon/order_json.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

// A carrier service Amazon offers through Buy Shipping in a group of
// marketplaces, with a rate of base + per started kilogram.
struct Service {
  std::string_view market;  // "UK", "US", or "EU" for the other marketplaces.
  std::string_view id;
  std::string_view name;
  std::string_view carrier_name;
  std::string_view carrier_code;  // Amazon CarrierCode, for the package and tracking format.
  std::int64_t base_minor;
  std::int64_t per_kg_minor;
  double max_grams;
  int transit_days;
};

constexpr std::array<Service, 8> kServices = {{
    {"UK", "ROYAL_MAIL_TRACKED_24", "Royal Mail Tracked 24", "Royal Mail", "Royal Mail", 365, 80,
     20000, 1},
    {"UK", "ROYAL_MAIL_TRACKED_48", "Royal Mail Tracked 48", "Royal Mail", "Royal Mail", 295, 60,
     20000, 2},
    {"UK", "DPD_UK_NEXT_DAY", "DPD Next Day", "DPD", "DPD", 540, 50, 30000, 1},
    {"EU", "DHL_PAKET", "DHL Paket", "DHL", "DHL", 499, 40, 31500, 2},
    {"EU", "DPD_CLASSIC", "DPD Classic", "DPD", "DPD", 450, 45, 31500, 2},
    {"US", "UPS_PTP_GND", "UPS Ground", "UPS", "UPS", 850, 120, 68000, 4},
    {"US", "UPS_PTP_2ND_DAY_AIR", "UPS 2nd Day Air", "UPS", "UPS", 1420, 200, 68000, 2},
    {"US", "USPS_PTP_PRI", "USPS Priority Mail", "USPS", "USPS", 910, 150, 31750, 3},
}};

constexpr double kGramsPerOunce = 28.349523125;
constexpr std::string_view kMfnApi = "Merchant Fulfillment v0";

std::string_view MarketOf(const Order& order) {
  const Marketplace* marketplace = FindMarketplace(order.marketplace_id);
  const std::string_view country = marketplace != nullptr ? marketplace->country_code : "UK";
  if (country == "UK" || country == "US") {
    return country;
  }
  return "EU";
}

std::string_view CurrencyOf(const Order& order) {
  const Marketplace* marketplace = FindMarketplace(order.marketplace_id);
  return marketplace != nullptr ? marketplace->currency : "GBP";
}

std::int64_t RateOf(const Service& service, double grams) {
  const auto kilos = static_cast<std::int64_t>(std::ceil(std::max(grams, 1.0) / 1000.0));
  return service.base_minor + service.per_kg_minor * kilos;
}

json Money(std::int64_t minor, std::string_view currency) {
  return {{"CurrencyCode", currency}, {"Amount", static_cast<double>(minor) / 100.0}};
}

http::Response InvalidInput(std::string_view details) {
  return ErrorResponse(400, "InvalidInput", "Invalid Input", details);
}

// What ShipmentRequestDetails carries once checked against the model.
struct Details {
  std::string order_id;
  std::vector<std::pair<std::string, int>> items;
  json request;  // As sent: echoed in the Shipment.
  double grams = 0;
  std::optional<TimePoint> ship_date;
  std::string label_format = "PDF";
};

std::optional<std::string> CheckString(const json& object, std::string_view path,
                                       std::string_view name, bool required, std::size_t max) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return required ? std::optional(fmt::format("Missing required field: {}.{}", path, name))
                    : std::nullopt;
  }
  if (!it->is_string() || (required && it->get<std::string>().empty())) {
    return fmt::format("{}.{} must be a non-empty string.", path, name);
  }
  if (it->get<std::string>().size() > max) {
    return fmt::format("{}.{} is longer than {} characters.", path, name, max);
  }
  return std::nullopt;
}

std::optional<std::string> CheckAddress(const json& address, std::string_view path) {
  if (!address.is_object()) {
    return fmt::format("{} must be an object.", path);
  }
  struct Field {
    std::string_view name;
    bool required;
    std::size_t max;
  };
  static constexpr std::array<Field, 11> kFields = {{{"Name", true, 30},
                                                     {"AddressLine1", true, 180},
                                                     {"AddressLine2", false, 60},
                                                     {"AddressLine3", false, 60},
                                                     {"DistrictOrCounty", false, 150},
                                                     {"Email", true, 256},
                                                     {"City", true, 30},
                                                     {"StateOrProvinceCode", false, 30},
                                                     {"PostalCode", true, 30},
                                                     {"CountryCode", true, 2},
                                                     {"Phone", true, 30}}};
  for (const Field& field : kFields) {
    if (auto problem = CheckString(address, path, field.name, field.required, field.max)) {
      return problem;
    }
  }
  const std::string country = address["CountryCode"];
  if (country.size() != 2 ||
      !std::all_of(country.begin(), country.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return fmt::format("{}.CountryCode must be an ISO 3166-1 alpha-2 code.", path);
  }
  return std::nullopt;
}

bool IsPositiveNumber(const json& object, std::string_view name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_number() && it->get<double>() > 0;
}

bool IsOneOf(const json& value, std::initializer_list<std::string_view> allowed) {
  return value.is_string() &&
         std::find(allowed.begin(), allowed.end(), value.get<std::string>()) != allowed.end();
}

std::variant<Details, std::string> ParseDetails(const json& body) {
  const auto found = body.find("ShipmentRequestDetails");
  if (found == body.end() || !found->is_object()) {
    return std::string("Missing required field: ShipmentRequestDetails.");
  }
  const json& details = *found;
  Details out;
  out.request = details;
  constexpr std::string_view kPath = "ShipmentRequestDetails";
  if (auto problem = CheckString(details, kPath, "AmazonOrderId", true, 64)) {
    return *problem;
  }
  out.order_id = details["AmazonOrderId"];
  if (auto problem = CheckString(details, kPath, "SellerOrderId", false, 64)) {
    return *problem;
  }
  const auto items = details.find("ItemList");
  if (items == details.end() || !items->is_array() || items->empty()) {
    return std::string("ShipmentRequestDetails.ItemList must be a non-empty array.");
  }
  for (const json& item : *items) {
    if (!item.is_object()) {
      return std::string("ItemList entries must be objects.");
    }
    if (auto problem = CheckString(item, "ItemList", "OrderItemId", true, 64)) {
      return *problem;
    }
    const auto quantity = item.find("Quantity");
    if (quantity == item.end() || !quantity->is_number_integer() ||
        quantity->get<std::int64_t>() < 1 || quantity->get<std::int64_t>() > 1'000'000) {
      return fmt::format("ItemList.Quantity for {} must be a positive integer.",
                         item["OrderItemId"].get<std::string>());
    }
    out.items.emplace_back(item["OrderItemId"], quantity->get<int>());
  }
  const auto from = details.find("ShipFromAddress");
  if (from == details.end()) {
    return std::string("Missing required field: ShipmentRequestDetails.ShipFromAddress.");
  }
  if (auto problem = CheckAddress(*from, "ShipFromAddress")) {
    return *problem;
  }
  const auto dimensions = details.find("PackageDimensions");
  if (dimensions == details.end() || !dimensions->is_object()) {
    return std::string("Missing required field: ShipmentRequestDetails.PackageDimensions.");
  }
  if (const auto predefined = dimensions->find("PredefinedPackageDimensions");
      predefined != dimensions->end()) {
    if (!predefined->is_string() || predefined->get<std::string>().empty()) {
      return std::string("PackageDimensions.PredefinedPackageDimensions must be a string.");
    }
  } else if (!IsPositiveNumber(*dimensions, "Length") || !IsPositiveNumber(*dimensions, "Width") ||
             !IsPositiveNumber(*dimensions, "Height") || !dimensions->contains("Unit") ||
             !IsOneOf((*dimensions)["Unit"], {"inches", "centimeters"})) {
    return std::string(
        "PackageDimensions needs Length, Width and Height above 0 and Unit inches or "
        "centimeters, or PredefinedPackageDimensions.");
  }
  const auto weight = details.find("Weight");
  if (weight == details.end() || !weight->is_object() || !IsPositiveNumber(*weight, "Value") ||
      !weight->contains("Unit") || !IsOneOf((*weight)["Unit"], {"oz", "g"})) {
    return std::string("Weight needs a Value above 0 and Unit oz or g.");
  }
  out.grams = (*weight)["Value"].get<double>() * ((*weight)["Unit"] == "oz" ? kGramsPerOunce : 1);
  for (const char* name : {"ShipDate", "MustArriveByDate"}) {
    if (const auto it = details.find(name); it != details.end()) {
      auto parsed =
          it->is_string() ? ParseIso8601(it->get<std::string>()) : ParseIso8601("not a date");
      if (!parsed.ok()) {
        return fmt::format("ShipmentRequestDetails.{} must be an ISO 8601 date-time.", name);
      }
      if (std::string_view(name) == "ShipDate") {
        out.ship_date = *parsed;
      }
    }
  }
  const auto options = details.find("ShippingServiceOptions");
  if (options == details.end() || !options->is_object()) {
    return std::string("Missing required field: ShipmentRequestDetails.ShippingServiceOptions.");
  }
  if (!options->contains("DeliveryExperience") ||
      !IsOneOf((*options)["DeliveryExperience"],
               {"DeliveryConfirmationWithAdultSignature", "DeliveryConfirmationWithSignature",
                "DeliveryConfirmationWithoutSignature", "NoTracking"})) {
    return std::string(
        "ShippingServiceOptions.DeliveryExperience is required and must be one of the model's "
        "values.");
  }
  if (!options->contains("CarrierWillPickUp") || !(*options)["CarrierWillPickUp"].is_boolean()) {
    return std::string(
        "ShippingServiceOptions.CarrierWillPickUp is required and must be a boolean.");
  }
  if (const auto pick_up = options->find("CarrierWillPickUpOption");
      pick_up != options->end() &&
      !IsOneOf(*pick_up, {"CarrierWillPickUp", "ShipperWillDropOff", "NoPreference"})) {
    return std::string("ShippingServiceOptions.CarrierWillPickUpOption is not a valid value.");
  }
  if (const auto format = options->find("LabelFormat"); format != options->end()) {
    if (!IsOneOf(*format, {"PDF", "PNG", "ZPL203", "ZPL300", "ShippingServiceDefault"})) {
      return std::string("ShippingServiceOptions.LabelFormat is not a valid value.");
    }
    out.label_format = *format == "ShippingServiceDefault" ? "PDF" : format->get<std::string>();
  }
  return out;
}

// Checks the order and its items against what Amazon knows; the message for
// the caller, or nullopt when a label can be bought.
std::optional<std::string> CheckOrder(const std::optional<Order>& order, const Details& details) {
  if (!order) {
    return fmt::format("AmazonOrderId {} is not an order of this seller.", details.order_id);
  }
  if (order->status == OrderStatus::kCanceled) {
    return fmt::format("Order {} is cancelled.", details.order_id);
  }
  if (order->status == OrderStatus::kPending) {
    return fmt::format("Order {} is pending and cannot be shipped yet.", details.order_id);
  }
  std::map<std::string, int> requested;
  for (const auto& [item_id, quantity] : details.items) {
    requested[item_id] += quantity;
  }
  for (const auto& [item_id, quantity] : requested) {
    const OrderLine* line = order->FindLine(item_id);
    if (line == nullptr) {
      return fmt::format("OrderItemId {} is not an item of order {}.", item_id, details.order_id);
    }
    if (quantity > line->quantity_ordered - line->quantity_shipped) {
      return fmt::format("Quantity {} for OrderItemId {} exceeds the {} unit(s) not yet shipped.",
                         quantity, item_id, line->quantity_ordered - line->quantity_shipped);
    }
  }
  return std::nullopt;
}

json ServiceJson(const Service& service, const Order& order, const Details& details,
                 std::string_view offer_id, TimePoint now) {
  const TimePoint ship = details.ship_date.value_or(now);
  const std::int64_t rate = RateOf(service, details.grams);
  json options = details.request["ShippingServiceOptions"];
  options["LabelFormat"] = details.label_format;
  return {
      {"ShippingServiceName", service.name},
      {"CarrierName", service.carrier_name},
      {"ShippingServiceId", service.id},
      {"ShippingServiceOfferId", offer_id},
      {"ShipDate", FormatIso8601(ship)},
      {"EarliestEstimatedDeliveryDate",
       FormatIso8601(ship + std::chrono::days(service.transit_days))},
      {"LatestEstimatedDeliveryDate",
       FormatIso8601(ship + std::chrono::days(service.transit_days + 1))},
      {"Rate", Money(rate, CurrencyOf(order))},
      {"RateWithAdjustments", Money(rate, CurrencyOf(order))},
      {"ShippingServiceOptions", std::move(options)},
      {"AvailableLabelFormats", {"PDF", "ZPL203"}},
      {"AvailableFormatOptionsForLabel",
       {{{"LabelFormat", "PDF"}, {"IncludePackingSlipWithLabel", false}},
        {{"LabelFormat", "ZPL203"}, {"IncludePackingSlipWithLabel", false}}}},
      {"RequiresAdditionalSellerInputs", false},
  };
}

// PDF text strings escape backslashes and parentheses.
std::string PdfText(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '(' || c == ')') {
      out += '\\';
    }
    out += static_cast<unsigned char>(c) < 0x80 ? c : '?';
  }
  return out;
}

// A one-page 4 x 6 inch PDF label with `lines` of text.
std::string LabelPdf(const std::vector<std::string>& lines) {
  std::string content = "BT /F1 14 Tf 18 TL 20 400 Td\n";
  for (const std::string& line : lines) {
    content += fmt::format("({}) Tj T*\n", PdfText(line));
  }
  content += "ET\n";
  const std::array<std::string, 5> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      fmt::format("<< /Length {} >>\nstream\n{}endstream", content.size(), content),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += fmt::format("{} 0 obj\n{}\nendobj\n", i + 1, objects[i]);
  }
  const std::size_t xref = pdf.size();
  pdf += fmt::format("xref\n0 {}\n0000000000 65535 f \n", objects.size() + 1);
  for (const std::size_t offset : offsets) {
    pdf += fmt::format("{:010} 00000 n \n", offset);
  }
  pdf += fmt::format("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
                     objects.size() + 1, xref);
  return pdf;
}

// The same label in ZPL II for 203 dpi thermal printers, with the tracking
// number as a Code 128 barcode.
std::string LabelZpl(const std::vector<std::string>& lines, std::string_view tracking) {
  std::string zpl = "^XA\n^CF0,32\n";
  int y = 30;
  for (const std::string& line : lines) {
    std::string text;
    for (const char c : line) {
      text += c == '^' || c == '~' ? ' ' : c;
    }
    zpl += fmt::format("^FO30,{}^FD{}^FS\n", y, text);
    y += 45;
  }
  zpl += fmt::format("^BY3^FO30,{}^BCN,150,Y,N,N^FD{}^FS\n^XZ\n", y + 20, tracking);
  return zpl;
}

}  // namespace

MfnApi::MfnApi(SellerState* state, std::uint64_t seed, Clock* clock)
    : state_(state), clock_(clock), rng_(seed * 0xa0761d6478bd642fULL + 5) {}

http::Response MfnApi::GetEligibleShipmentServices(const http::Request& request) {
  const TimePoint now = clock_->Now();
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidInput("The request body must be a JSON object.");
  }
  auto parsed = ParseDetails(body);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    return InvalidInput(*problem);
  }
  const Details& details = std::get<Details>(parsed);
  const auto order = state_->GetOrder(details.order_id);
  if (auto problem = CheckOrder(order, details)) {
    return InvalidInput(*problem);
  }
  if (details.label_format == "PNG") {
    return InvalidInput("No shipping service offers PNG labels; use PDF or ZPL203.");
  }
  json services = json::array();
  json rejected = json::array();
  std::lock_guard lock(mu_);
  for (const Service& service : kServices) {
    if (service.market != MarketOf(*order)) {
      continue;
    }
    if (details.grams > service.max_grams) {
      rejected.push_back({{"CarrierName", service.carrier_name},
                          {"ShippingServiceName", service.name},
                          {"ShippingServiceId", service.id},
                          {"RejectionReasonCode", "WEIGHT_EXCEEDS_LIMIT"},
                          {"RejectionReasonMessage",
                           fmt::format("The package is heavier than the {} kg the service takes.",
                                       service.max_grams / 1000)}});
      continue;
    }
    std::string offer_id;
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    do {
      offer_id.clear();
      for (int i = 0; i < 120; ++i) {
        offer_id += kAlphabet[rng_() % kAlphabet.size()];
      }
    } while (offers_.contains(offer_id));
    offers_[offer_id] = Offer{.order_id = details.order_id, .service_id = std::string(service.id)};
    services.push_back(ServiceJson(service, *order, details, offer_id, now));
  }
  json payload = {{"ShippingServiceList", std::move(services)},
                  {"RejectedShippingServiceList", std::move(rejected)},
                  {"TemporarilyUnavailableCarrierList", json::array()},
                  {"TermsAndConditionsNotAcceptedCarrierList", json::array()}};
  return http::Response::Json(200, json{{"payload", std::move(payload)}}.dump());
}

http::Response MfnApi::CreateShipment(const http::Request& request) {
  const TimePoint now = clock_->Now();
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidInput("The request body must be a JSON object.");
  }
  auto parsed = ParseDetails(body);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    return InvalidInput(*problem);
  }
  const Details& details = std::get<Details>(parsed);
  const auto service_id = body.find("ShippingServiceId");
  if (service_id == body.end() || !service_id->is_string()) {
    return InvalidInput("Missing required field: ShippingServiceId.");
  }
  const auto offer_id = body.find("ShippingServiceOfferId");
  if (offer_id != body.end() && !offer_id->is_string()) {
    return InvalidInput("ShippingServiceOfferId must be a string.");
  }
  if (const auto hazmat = body.find("HazmatType");
      hazmat != body.end() && !IsOneOf(*hazmat, {"None", "LQHazmat"})) {
    return InvalidInput("HazmatType must be None or LQHazmat.");
  }
  const auto order = state_->GetOrder(details.order_id);
  if (auto problem = CheckOrder(order, details)) {
    return InvalidInput(*problem);
  }
  const Service* service = nullptr;
  for (const Service& candidate : kServices) {
    if (candidate.id == service_id->get<std::string>() && candidate.market == MarketOf(*order)) {
      service = &candidate;
    }
  }
  if (service == nullptr) {
    return InvalidInput(fmt::format("ShippingServiceId {} is not offered for order {}.",
                                    service_id->get<std::string>(), details.order_id));
  }
  if (details.grams > service->max_grams) {
    return InvalidInput(fmt::format("The package is too heavy for {}.", service->name));
  }
  if (details.label_format == "PNG") {
    return InvalidInput(fmt::format("{} does not offer PNG labels.", service->name));
  }
  std::unique_lock lock(mu_);
  if (offer_id != body.end()) {
    const auto offer = offers_.find(offer_id->get<std::string>());
    if (offer == offers_.end() || offer->second.order_id != details.order_id ||
        offer->second.service_id != service->id) {
      return InvalidInput(
          "ShippingServiceOfferId is not an offer of getEligibleShipmentServices for this order "
          "and service.");
    }
  }
  const std::uint64_t high = rng_();
  const std::uint64_t low = rng_();
  const std::string shipment_id =
      fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", high >> 32U, (high >> 16U) & 0xffffU,
                  high & 0xfffU, 0x8000U | ((low >> 48U) & 0x3fffU), low & 0xffffffffffffULL);
  const std::string tracking = MakeTrackingNumber(service->carrier_code, rng_);
  lock.unlock();

  const json order_v0 = OrderJsonV0(*order, true, true);
  const json& address = order_v0["ShippingAddress"];
  json ship_to = {{"Name", address.value("Name", "").substr(0, 30)},
                  {"AddressLine1", address.value("AddressLine1", "")},
                  {"City", address.value("City", "")},
                  {"PostalCode", address.value("PostalCode", "")},
                  {"CountryCode", address.value("CountryCode", "")},
                  {"Phone", address.value("Phone", "")},
                  {"Email", order_v0["BuyerInfo"].value("BuyerEmail", "")}};
  const std::vector<std::string> lines = {std::string(service->carrier_name),
                                          std::string(service->name),
                                          ship_to["Name"].get<std::string>(),
                                          ship_to["AddressLine1"].get<std::string>(),
                                          fmt::format("{} {}", ship_to["City"].get<std::string>(),
                                                      ship_to["PostalCode"].get<std::string>()),
                                          fmt::format("Order {}", details.order_id),
                                          fmt::format("Tracking {}", tracking)};
  const bool zpl = details.label_format.starts_with("ZPL");
  const std::string label = zpl ? LabelZpl(lines, tracking) : LabelPdf(lines);

  LabelPurchase purchase;
  purchase.label = AmazonLabel{.shipment_id = shipment_id,
                               .shipping_service_id = std::string(service->id),
                               .carrier_code = std::string(service->carrier_code),
                               .tracking_number = tracking,
                               .rate_minor = RateOf(*service, details.grams)};
  purchase.shipping_method = service->name;
  purchase.items = details.items;
  if (Status recorded = state_->RecordAmazonLabel(details.order_id, purchase); !recorded.ok()) {
    // The order changed since it was checked (e.g. shipped by another call).
    return InvalidInput(recorded.message());
  }
  json items = json::array();
  for (const auto& [item_id, quantity] : details.items) {
    items.push_back({{"OrderItemId", item_id}, {"Quantity", quantity}});
  }
  json shipment = {
      {"ShipmentId", shipment_id},
      {"AmazonOrderId", details.order_id},
      {"ItemList", std::move(items)},
      {"ShipFromAddress", details.request["ShipFromAddress"]},
      {"ShipToAddress", std::move(ship_to)},
      {"PackageDimensions", details.request["PackageDimensions"]},
      {"Weight", details.request["Weight"]},
      {"Insurance", Money(0, CurrencyOf(*order))},
      {"ShippingService",
       ServiceJson(*service, *order, details,
                   offer_id != body.end() ? offer_id->get<std::string>() : "", now)},
      {"Label",
       {{"Dimensions", {{"Length", 6}, {"Width", 4}, {"Unit", "inches"}}},
        {"FileContents",
         {{"Contents", Base64Encode(Gzip(label))},
          {"FileType", zpl ? "application/zpl" : "application/pdf"},
          {"Checksum", Base64Encode(Md5Digest(label))}}},
        {"LabelFormat", zpl ? details.label_format : "PDF"}}},
      {"TrackingId", tracking},
      {"CreatedDate", FormatIso8601(now)},
  };
  if (const auto seller_order = details.request.find("SellerOrderId");
      seller_order != details.request.end() && seller_order->is_string()) {
    shipment["SellerOrderId"] = *seller_order;
  }
  StoredShipment stored{.order_id = details.order_id,
                        .shipment_json = shipment.dump(),
                        .created = now,
                        .cancelled = std::nullopt};
  http::Response response = ShipmentResponse(stored, now);
  lock.lock();
  shipments_.emplace(shipment_id, std::move(stored));
  return response;
}

http::Response MfnApi::ShipmentResponse(const StoredShipment& shipment, TimePoint now) const {
  json payload = json::parse(shipment.shipment_json);
  payload["Status"] = "Purchased";
  payload["LastUpdatedDate"] = FormatIso8601(shipment.created);
  if (shipment.cancelled) {
    const bool applied = now >= *shipment.cancelled + kLabelRefundDelay;
    payload["Status"] = applied ? "RefundApplied" : "RefundPending";
    payload["LastUpdatedDate"] =
        FormatIso8601(applied ? *shipment.cancelled + kLabelRefundDelay : *shipment.cancelled);
  }
  return http::Response::Json(200, json{{"payload", std::move(payload)}}.dump());
}

http::Response MfnApi::GetShipment(const http::Request& request) {
  const TimePoint now = clock_->Now();
  const std::string& shipment_id = request.path_params.at("shipmentId");
  std::lock_guard lock(mu_);
  const auto it = shipments_.find(shipment_id);
  if (it == shipments_.end()) {
    return InvalidInput(fmt::format("Shipment {} not found.", shipment_id));
  }
  return ShipmentResponse(it->second, now);
}

http::Response MfnApi::CancelShipment(const http::Request& request) {
  const TimePoint now = clock_->Now();
  const std::string& shipment_id = request.path_params.at("shipmentId");
  std::lock_guard lock(mu_);
  const auto it = shipments_.find(shipment_id);
  if (it == shipments_.end()) {
    return InvalidInput(fmt::format("Shipment {} not found.", shipment_id));
  }
  if (it->second.cancelled) {
    return InvalidInput(fmt::format("Shipment {} is already cancelled.", shipment_id));
  }
  if (Status cancelled = state_->CancelAmazonLabel(it->second.order_id, shipment_id);
      !cancelled.ok()) {
    return InvalidInput(cancelled.message());
  }
  it->second.cancelled = now;
  return ShipmentResponse(it->second, now);
}

void MfnApi::Register(http::Server& server, const ApiGate& gate) {
  const auto wrap = [this, &gate](std::string_view operation, bool restricted,
                                  http::Response (MfnApi::*handler)(const http::Request&)) {
    return gate.Wrap({kMfnApi, operation, restricted},
                     [this, handler](const http::Request& request, const Caller&,
                                     const FaultDecision&) { return (this->*handler)(request); });
  };
  server.Route("POST", "/mfn/v0/eligibleShippingServices",
               wrap("getEligibleShipmentServices", false, &MfnApi::GetEligibleShipmentServices));
  server.Route("POST", "/mfn/v0/shipments", wrap("createShipment", true, &MfnApi::CreateShipment));
  server.Route("GET", "/mfn/v0/shipments/{shipmentId}",
               wrap("getShipment", true, &MfnApi::GetShipment));
  server.Route("DELETE", "/mfn/v0/shipments/{shipmentId}",
               wrap("cancelShipment", true, &MfnApi::CancelShipment));
}

}  // namespace sellerbridge::emulators::amazon
