#include "domain/order.h"

#include <gtest/gtest.h>

namespace sellerbridge::domain {
namespace {

OrderData Valid() {
  OrderData data;
  data.amazon_order_id = "203-1234567-1234567";
  data.marketplace_id = "A1F83G8C2ARO7P";
  data.status = OrderStatus::kUnshipped;
  data.earliest_ship_date = TimePoint{} + std::chrono::hours{1};
  data.latest_ship_date = TimePoint{} + std::chrono::hours{2};
  data.lines = {
      {.order_item_id = "11", .sku = "SKU-1", .quantity_ordered = 2},
      {.order_item_id = "12", .sku = "SKU-2", .quantity_ordered = 1, .quantity_shipped = 1}};
  return data;
}

void ExpectRejected(const OrderData& data, const std::string& fragment) {
  const auto order = Order::Create(data);
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(order.status().message().find(fragment), std::string::npos) << order.status();
}

TEST(OrderTest, AcceptsSoundOrder) {
  const auto order = Order::Create(Valid());
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_EQ((*order)->lines.size(), 2U);
  EXPECT_EQ(order->UnshippedQuantity(), 2);
}

TEST(OrderTest, RejectsMalformedOrderId) {
  OrderData data = Valid();
  data.amazon_order_id = "203-123456-1234567";
  ExpectRejected(data, "not an Amazon order id");
}

TEST(OrderTest, RejectsUnknownMarketplace) {
  OrderData data = Valid();
  data.marketplace_id = "XX";
  ExpectRejected(data, "unknown marketplace");
}

TEST(OrderTest, RejectsOrderWithoutLines) {
  OrderData data = Valid();
  data.lines.clear();
  ExpectRejected(data, "no lines");
}

TEST(OrderTest, RejectsRepeatedOrderItemIds) {
  OrderData data = Valid();
  data.lines[1].order_item_id = "11";
  ExpectRejected(data, "repeated");
}

TEST(OrderTest, RejectsOvershippedLine) {
  OrderData data = Valid();
  data.lines[0].quantity_shipped = 3;
  ExpectRejected(data, "shipped 3 of 2");
}

TEST(OrderTest, RejectsInvalidSku) {
  OrderData data = Valid();
  data.lines[0].sku = std::string(41, 'A');
  ExpectRejected(data, "invalid SKU");
}

TEST(OrderTest, RejectsShipWindowEndingBeforeItStarts) {
  OrderData data = Valid();
  data.latest_ship_date = TimePoint{};
  ExpectRejected(data, "latestShipDate");
}

TEST(OrderTest, ParsesStatusesOfBothApis) {
  EXPECT_EQ(*ParseOrderStatus("Unshipped"), OrderStatus::kUnshipped);
  EXPECT_EQ(*ParseOrderStatus("UNSHIPPED"), OrderStatus::kUnshipped);
  EXPECT_EQ(*ParseOrderStatus("Canceled"), OrderStatus::kCancelled);
  EXPECT_EQ(*ParseOrderStatus("PARTIALLY_SHIPPED"), OrderStatus::kPartiallyShipped);
  EXPECT_FALSE(ParseOrderStatus("Lost").ok());
  EXPECT_EQ(OrderStatusName(OrderStatus::kShipped), "Shipped");
}

}  // namespace
}  // namespace sellerbridge::domain
