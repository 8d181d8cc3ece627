#include "domain/ship_method_mapping.h"

#include <gtest/gtest.h>

#include "domain/stock.h"

namespace sellerbridge::domain {
namespace {

ShipMethodMappingData Valid() {
  return {.marketplace_id = "A1F83G8C2ARO7P",
          .ship_service_level = "Std UK Dom_1",
          .clarus_carrier = "royal-mail",
          .clarus_service = "tracked-48",
          .amazon_carrier_code = "Royal Mail",
          .amazon_shipping_method = "Tracked 48"};
}

TEST(ShipMethodMappingTest, AcceptsCompleteMapping) {
  const auto mapping = ShipMethodMapping::Create(Valid());
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  EXPECT_EQ(mapping->Key(), "A1F83G8C2ARO7P / Std UK Dom_1 / standard");
}

TEST(ShipMethodMappingTest, ReportsEveryProblemAtOnce) {
  ShipMethodMappingData data = Valid();
  data.clarus_service.clear();
  data.amazon_carrier_code = "Other";
  const auto mapping = ShipMethodMapping::Create(data);
  ASSERT_FALSE(mapping.ok());
  EXPECT_NE(mapping.status().message().find("clarus_service is missing"), std::string::npos);
  EXPECT_NE(mapping.status().message().find("amazon_carrier_name is required"), std::string::npos);
}

TEST(ShipMethodMappingTest, NeedsExactlyOneWayToMatchOrders) {
  ShipMethodMappingData data = Valid();
  data.automated_carrier = "Royal Mail";
  data.automated_ship_method = "RM Tracked 48";
  EXPECT_FALSE(ShipMethodMapping::Create(data).ok());
  data.ship_service_level.clear();
  EXPECT_TRUE(ShipMethodMapping::Create(data).ok());
  data.automated_ship_method.clear();
  EXPECT_FALSE(ShipMethodMapping::Create(data).ok());
}

TEST(StockLevelTest, SellableIsFlooredAtZero) {
  const auto oversold = StockLevel::Create({.sku = "SKU-1", .available = -3});
  ASSERT_TRUE(oversold.ok());
  EXPECT_EQ(oversold->Sellable(), 0);
  EXPECT_EQ(StockLevel::Create({.sku = "SKU-1", .available = 5})->Sellable(), 5);
  EXPECT_FALSE(StockLevel::Create({.sku = "", .available = 5}).ok());
}

}  // namespace
}  // namespace sellerbridge::domain
