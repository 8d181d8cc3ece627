#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "emulators/amazon/order.h"

namespace sellerbridge::emulators::amazon {

// The includedData datasets of Orders v2026-01-01 that the emulator fills.
struct IncludedData {
  bool buyer = false;
  bool recipient = false;
  bool proceeds = false;
  bool cancellation = false;
  bool fulfillment = false;
  bool packages = false;
};

// Parses includedData values; false (with `bad` set) for a value outside the
// model's enum. Datasets the emulator has no data for are accepted and left out.
bool ParseIncludedData(const std::vector<std::string>& values, IncludedData& out, std::string& bad);

// "Amazon.co.uk" for A1F83G8C2ARO7P, and so on; "Amazon" when unknown.
std::string_view MarketplaceName(std::string_view marketplace_id);

// "12.99" for 1299 minor units.
std::string FormatAmount(std::int64_t minor);

// An Orders v2026-01-01 Order object (definitions/Order).
nlohmann::json OrderJson(const Order& order, const IncludedData& included);

// An Orders v0 Order object; buyer and address data only when allowed.
nlohmann::json OrderJsonV0(const Order& order, bool shipping_address, bool buyer_info);

// An Orders v0 OrderItem object.
nlohmann::json OrderItemJsonV0(const Order& order, const OrderLine& line);

// The emulator's view of an order for the control API: status, packages with
// tracking and arrival times, lateness and cancellation.
nlohmann::json OrderControlJson(const Order& order);

}  // namespace sellerbridge::emulators::amazon
