#include "emulators/amazon/order_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>

#include "base/marketplace.h"
#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

struct SyntheticBuyer {
  std::string name;
  std::string email;
  std::string address_line1;
  std::string city;
  std::string postal_code;
  std::string phone;
};

// Buyer data is derived from the order id, so it costs no memory per order
// and is stable across calls; none of it is real.
SyntheticBuyer BuyerOf(const Order& order) {
  static constexpr std::array<std::string_view, 8> kFirst = {"Alex",  "Sam", "Jo",  "Chris",
                                                             "Robin", "Kim", "Lee", "Pat"};
  static constexpr std::array<std::string_view, 8> kLast = {"Taylor", "Morgan", "Evans", "Patel",
                                                            "Smith",  "Khan",   "Jones", "Walker"};
  static constexpr std::array<std::string_view, 4> kCities = {"London", "Leeds", "Bristol", "York"};
  const std::size_t h =
      std::hash<std::string>{}(order.order_id + "#" + std::to_string(order.address_revision));
  SyntheticBuyer buyer;
  buyer.name = fmt::format("{} {}", kFirst[h % kFirst.size()], kLast[(h / 8) % kLast.size()]);
  buyer.email = fmt::format("{}@marketplace.amazon.example", h % 1'000'000'007);
  buyer.address_line1 = fmt::format("{} High Street", 1 + h % 200);
  buyer.city = std::string(kCities[(h / 64) % kCities.size()]);
  buyer.postal_code = fmt::format("AB{} {}CD", 1 + h % 20, h % 10);
  buyer.phone = fmt::format("+44 7700 {:06d}", h % 1'000'000);
  if (order.address_without_postal_code) {
    buyer.postal_code.clear();
  }
  return buyer;
}

std::string_view CurrencyOf(const Order& order) {
  const Marketplace* marketplace = FindMarketplace(order.marketplace_id);
  return marketplace != nullptr ? marketplace->currency : "GBP";
}

std::string_view CountryOf(const Order& order) {
  const Marketplace* marketplace = FindMarketplace(order.marketplace_id);
  if (marketplace == nullptr) {
    return "GB";
  }
  // Addresses carry ISO 3166 codes, where Amazon's marketplace table says UK.
  return marketplace->country_code == "UK" ? "GB" : marketplace->country_code;
}

std::string ServiceLevel2026(std::string_view category) {
  std::string out;
  for (const char c : category) {
    if (c >= 'A' && c <= 'Z' && !out.empty()) {
      out += '_';
    }
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

nlohmann::json Money2026(std::int64_t minor, std::string_view currency) {
  return {{"amount", FormatAmount(minor)}, {"currencyCode", currency}};
}

nlohmann::json MoneyV0(std::int64_t minor, std::string_view currency) {
  return {{"CurrencyCode", currency}, {"Amount", FormatAmount(minor)}};
}

}  // namespace

bool ParseIncludedData(const std::vector<std::string>& values, IncludedData& out,
                       std::string& bad) {
  static constexpr std::array<std::string_view, 5> kKnownWithoutData = {
      "EXPENSE", "PROMOTION", "TAX", "PAYMENT", "FULFILLMENT_ORDERS"};
  for (const std::string& value : values) {
    if (value == "BUYER") {
      out.buyer = true;
    } else if (value == "RECIPIENT") {
      out.recipient = true;
    } else if (value == "PROCEEDS") {
      out.proceeds = true;
    } else if (value == "CANCELLATION") {
      out.cancellation = true;
    } else if (value == "FULFILLMENT") {
      out.fulfillment = true;
    } else if (value == "PACKAGES") {
      out.packages = true;
    } else if (std::find(kKnownWithoutData.begin(), kKnownWithoutData.end(), value) ==
               kKnownWithoutData.end()) {
      bad = value;
      return false;
    }
  }
  return true;
}

std::string_view MarketplaceName(std::string_view marketplace_id) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 21> kNames = {{
      {"UK", "Amazon.co.uk"},  {"DE", "Amazon.de"},     {"FR", "Amazon.fr"},
      {"IT", "Amazon.it"},     {"ES", "Amazon.es"},     {"NL", "Amazon.nl"},
      {"SE", "Amazon.se"},     {"PL", "Amazon.pl"},     {"BE", "Amazon.com.be"},
      {"IE", "Amazon.ie"},     {"US", "Amazon.com"},    {"CA", "Amazon.ca"},
      {"MX", "Amazon.com.mx"}, {"BR", "Amazon.com.br"}, {"JP", "Amazon.co.jp"},
      {"AU", "Amazon.com.au"}, {"SG", "Amazon.sg"},     {"AE", "Amazon.ae"},
      {"SA", "Amazon.sa"},     {"TR", "Amazon.com.tr"}, {"IN", "Amazon.in"},
  }};
  const Marketplace* marketplace = FindMarketplace(marketplace_id);
  if (marketplace != nullptr) {
    for (const auto& [country, name] : kNames) {
      if (country == marketplace->country_code) {
        return name;
      }
    }
  }
  return "Amazon";
}

std::string FormatAmount(std::int64_t minor) {
  const std::int64_t magnitude = minor < 0 ? -minor : minor;
  return fmt::format("{}{}.{:02d}", minor < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

nlohmann::json OrderJson(const Order& order, const IncludedData& included) {
  const std::string_view currency = CurrencyOf(order);
  nlohmann::json json = {
      {"orderId", order.order_id},
      {"createdTime", FormatIso8601(order.purchase_date)},
      {"lastUpdatedTime", FormatIso8601(order.last_update)},
      {"salesChannel",
       {{"channelName", "AMAZON"},
        {"marketplaceId", order.marketplace_id},
        {"marketplaceName", MarketplaceName(order.marketplace_id)}}},
  };
  if (order.is_prime) {
    json["programs"] = nlohmann::json::array({"PRIME"});
  }
  const SyntheticBuyer buyer = BuyerOf(order);
  if (included.buyer) {
    json["buyer"] = {{"buyerName", buyer.name}, {"buyerEmail", buyer.email}};
  }
  if (included.recipient) {
    json["recipient"] = {{"deliveryAddress",
                          {{"name", buyer.name},
                           {"addressLine1", buyer.address_line1},
                           {"city", buyer.city},
                           {"postalCode", buyer.postal_code},
                           {"countryCode", CountryOf(order)},
                           {"phone", buyer.phone},
                           {"addressType", "RESIDENTIAL"}}}};
    if (buyer.postal_code.empty()) {
      json["recipient"]["deliveryAddress"].erase("postalCode");
    }
  }
  if (included.proceeds) {
    json["proceeds"] = {{"grandTotal", Money2026(order.TotalMinor(), currency)}};
  }
  if (included.fulfillment) {
    json["fulfillment"] = {
        {"fulfillmentStatus", FulfillmentStatusName(order.status)},
        {"fulfilledBy", "MERCHANT"},
        {"fulfillmentServiceLevel", ServiceLevel2026(order.service_level_category)},
        {"shipByWindow",
         {{"earliestDateTime", FormatIso8601(order.earliest_ship_date)},
          {"latestDateTime", FormatIso8601(order.latest_ship_date)}}},
        {"deliverByWindow",
         {{"earliestDateTime", FormatIso8601(order.earliest_delivery_date)},
          {"latestDateTime", FormatIso8601(order.latest_delivery_date)}}},
    };
  }
  nlohmann::json items = nlohmann::json::array();
  for (const OrderLine& line : order.lines) {
    nlohmann::json item = {
        {"orderItemId", line.order_item_id},
        {"quantityOrdered", line.quantity_ordered},
        {"product",
         {{"asin", line.asin},
          {"title", line.title},
          {"sellerSku", line.sku},
          {"condition", {{"conditionType", "NEW"}}},
          {"price", {{"unitPrice", Money2026(line.unit_price_minor, currency)}}}}},
    };
    if (included.proceeds) {
      item["proceeds"] = {
          {"proceedsTotal", Money2026(line.unit_price_minor * line.quantity_ordered, currency)}};
    }
    if (included.fulfillment) {
      item["fulfillment"] = {
          {"quantityFulfilled", line.quantity_shipped},
          {"quantityUnfulfilled", line.quantity_ordered - line.quantity_shipped}};
    }
    if (included.cancellation && order.status == OrderStatus::kCanceled) {
      std::string_view by = "MERCHANT";
      std::string_view reason = "Cancelled by the seller";
      if (order.cancelled_by == Canceller::kBuyer) {
        by = "BUYER";
        reason = "Buyer cancelled";
      } else if (order.cancelled_by == Canceller::kAmazonUnconfirmed) {
        by = "AMAZON";
        reason = "Shipment not confirmed within 7 days of the latest ship date";
      }
      item["cancellation"] = {
          {"cancellationExecution", {{"cancelledBy", by}, {"cancelReason", reason}}}};
    }
    items.push_back(std::move(item));
  }
  json["orderItems"] = std::move(items);
  if (included.packages) {
    nlohmann::json packages = nlohmann::json::array();
    for (const Package& package : order.packages) {
      nlohmann::json package_items = nlohmann::json::array();
      for (const auto& [item_id, quantity] : package.items) {
        package_items.push_back({{"orderItemId", item_id}, {"quantity", quantity}});
      }
      nlohmann::json entry = {
          {"packageReferenceId", package.package_reference_id},
          {"createdTime", FormatIso8601(package.arrival_time)},
          {"packageStatus", {{"status", "SHIPPED"}}},
          {"carrier",
           package.carrier_code == "Other" ? package.carrier_name : package.carrier_code},
          {"shipTime", FormatIso8601(package.ship_date)},
          {"trackingNumber", package.tracking_number},
          {"packageItems", std::move(package_items)},
      };
      if (!package.shipping_method.empty()) {
        entry["shippingService"] = package.shipping_method;
      }
      packages.push_back(std::move(entry));
    }
    json["packages"] = std::move(packages);
  }
  return json;
}

nlohmann::json OrderJsonV0(const Order& order, bool shipping_address, bool buyer_info) {
  const std::string_view currency = CurrencyOf(order);
  nlohmann::json json = {
      {"AmazonOrderId", order.order_id},
      {"PurchaseDate", FormatIso8601(order.purchase_date)},
      {"LastUpdateDate", FormatIso8601(order.last_update)},
      {"OrderStatus", OrderStatusName(order.status)},
      {"FulfillmentChannel", "MFN"},
      {"SalesChannel", MarketplaceName(order.marketplace_id)},
      {"ShipServiceLevel", order.ship_service_level},
      {"OrderTotal", MoneyV0(order.TotalMinor(), currency)},
      {"NumberOfItemsShipped", order.QuantityShipped()},
      {"NumberOfItemsUnshipped", order.status == OrderStatus::kCanceled
                                     ? 0
                                     : order.QuantityOrdered() - order.QuantityShipped()},
      {"PaymentMethod", "Other"},
      {"MarketplaceId", order.marketplace_id},
      {"ShipmentServiceLevelCategory", order.service_level_category},
      {"OrderType", "StandardOrder"},
      {"EarliestShipDate", FormatIso8601(order.earliest_ship_date)},
      {"LatestShipDate", FormatIso8601(order.latest_ship_date)},
      {"EarliestDeliveryDate", FormatIso8601(order.earliest_delivery_date)},
      {"IsBusinessOrder", false},
      {"IsPrime", order.is_prime},
      {"IsPremiumOrder", false},
      {"IsGlobalExpressEnabled", false},
      {"IsReplacementOrder", false},
      {"IsSoldByAB", false},
      {"IsISPU", false},
      {"IsAccessPointOrder", false},
      {"HasRegulatedItems", false},
  };
  if (order.status != OrderStatus::kPending && order.status != OrderStatus::kCanceled) {
    json["LatestDeliveryDate"] = FormatIso8601(order.latest_delivery_date);
    const SyntheticBuyer buyer = BuyerOf(order);
    // Without an RDT Amazon still shows the non-personal part of the address.
    nlohmann::json address = {
        {"City", buyer.city}, {"PostalCode", buyer.postal_code}, {"CountryCode", CountryOf(order)}};
    if (buyer.postal_code.empty()) {
      address.erase("PostalCode");
    }
    if (shipping_address) {
      address["Name"] = buyer.name;
      address["AddressLine1"] = buyer.address_line1;
      address["Phone"] = buyer.phone;
      address["AddressType"] = "Residential";
    }
    json["ShippingAddress"] = std::move(address);
    if (buyer_info) {
      json["BuyerInfo"] = {{"BuyerEmail", buyer.email}, {"BuyerName", buyer.name}};
    }
  }
  return json;
}

nlohmann::json OrderItemJsonV0(const Order& order, const OrderLine& line) {
  const std::string_view currency = CurrencyOf(order);
  return {
      {"ASIN", line.asin},
      {"SellerSKU", line.sku},
      {"OrderItemId", line.order_item_id},
      {"Title", line.title},
      {"QuantityOrdered", line.quantity_ordered},
      {"QuantityShipped", line.quantity_shipped},
      {"ItemPrice", MoneyV0(line.unit_price_minor * line.quantity_ordered, currency)},
      {"ShippingPrice", MoneyV0(line.shipping_minor, currency)},
      {"PromotionDiscount", MoneyV0(line.promotion_minor, currency)},
      {"IsGift", "false"},
      {"ConditionId", "New"},
      {"ConditionSubtypeId", "New"},
      {"IsTransparency", false},
      {"SerialNumberRequired", false},
  };
}

nlohmann::json OrderControlJson(const Order& order) {
  nlohmann::json packages = nlohmann::json::array();
  for (const Package& package : order.packages) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& [item_id, quantity] : package.items) {
      items.push_back({{"orderItemId", item_id}, {"quantity", quantity}});
    }
    packages.push_back({{"packageReferenceId", package.package_reference_id},
                        {"carrierCode", package.carrier_code},
                        {"carrierName", package.carrier_name},
                        {"shippingMethod", package.shipping_method},
                        {"trackingNumber", package.tracking_number},
                        {"validTracking", package.valid_tracking},
                        {"shipDate", FormatIso8601(package.ship_date)},
                        {"arrivalTime", FormatIso8601(package.arrival_time)},
                        {"lastEditTime", FormatIso8601(package.last_edit_time)},
                        {"items", std::move(items)}});
  }
  nlohmann::json lines = nlohmann::json::array();
  for (const OrderLine& line : order.lines) {
    lines.push_back({{"orderItemId", line.order_item_id},
                     {"sku", line.sku},
                     {"quantityOrdered", line.quantity_ordered},
                     {"quantityShipped", line.quantity_shipped}});
  }
  nlohmann::json json = {
      {"orderId", order.order_id},
      {"marketplaceId", order.marketplace_id},
      {"status", OrderStatusName(order.status)},
      {"purchaseDate", FormatIso8601(order.purchase_date)},
      {"lastUpdateDate", FormatIso8601(order.last_update)},
      {"latestShipDate", FormatIso8601(order.latest_ship_date)},
      {"isPrime", order.is_prime},
      {"late", order.IsLate()},
      {"droppedConfirmations", order.dropped_confirmations},
      {"items", std::move(lines)},
      {"packages", std::move(packages)},
  };
  json["firstConfirmationTime"] = order.first_confirmation
                                      ? nlohmann::json(FormatIso8601(*order.first_confirmation))
                                      : nlohmann::json();
  if (order.cancelled_by != Canceller::kNone) {
    json["cancelledBy"] = CancellerName(order.cancelled_by);
    json["cancelTime"] = FormatIso8601(order.cancel_time.value_or(order.last_update));
  }
  return json;
}

}  // namespace sellerbridge::emulators::amazon
