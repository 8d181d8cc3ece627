// Orders against the Amazon emulator over loopback HTTP.
#include "amazon/orders_api.h"

#include <gtest/gtest.h>

#include <set>

#include "amazon/connector_test_fixture.h"

namespace sellerbridge::amazon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class OrdersApiTest : public AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    api_ = std::make_unique<OrdersApi>(client_.get(), rdts_.get());
  }

  ShipmentConfirmation RoyalMail(const AmazonOrder& order) const {
    ShipmentConfirmation confirmation{.marketplace_id = order.order->marketplace_id,
                                      .package_reference_id = "1",
                                      .carrier_code = "Royal Mail",
                                      .shipping_method = "Tracked 24",
                                      .tracking_number = "AB123456789GB",
                                      .ship_date = emulator_clock_.Now()};
    for (const domain::OrderLine& line : order.order->lines) {
      confirmation.items.push_back({line.order_item_id, line.quantity_ordered});
    }
    return confirmation;
  }

  std::unique_ptr<OrdersApi> api_;
  CallOptions options_{.lane = Lane::kOrderImport};
};

TEST_F(OrdersApiTest, SearchPagesToTheEndWithLinesShipWindowsAndAddresses) {
  std::set<std::string> placed;
  for (int i = 0; i < 5; ++i) {
    placed.insert(PlaceOrder(i + 1));
  }
  // Amazon only searches up to two minutes before now.
  ASSERT_TRUE(emulator_->AdvanceClock(minutes{3}).ok());
  const SearchOrdersRequest request{.after = emulator_clock_.Now() - hours{1},
                                    .marketplace_ids = {"A1F83G8C2ARO7P"},
                                    .max_results_per_page = 2};
  auto page = api_->SearchOrders(request, options_);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_TRUE(page->searched_before.has_value());
  EXPECT_LE(*page->searched_before, emulator_clock_.Now() - minutes{2});
  std::set<std::string> seen;
  int pages = 1;
  while (true) {
    for (const UnreadableOrder& unreadable : page->unreadable) {
      ADD_FAILURE() << unreadable.problem << " in " << unreadable.json;
    }
    for (const AmazonOrder& order : page->orders) {
      seen.insert(order.order->amazon_order_id);
      EXPECT_EQ(order.order->status, domain::OrderStatus::kUnshipped);
      ASSERT_EQ(order.order->lines.size(), 1U);
      EXPECT_EQ(order.order->lines[0].sku, emulator_->GetScenario().catalogue.front().sku);
      ASSERT_TRUE(order.order->latest_ship_date.has_value());
      ASSERT_TRUE(order.order->latest_delivery_date.has_value());
      EXPECT_GT(*order.order->latest_delivery_date, *order.order->latest_ship_date);
      ASSERT_TRUE(order.order->shipping_address.has_value());
      EXPECT_FALSE(order.order->shipping_address->name.empty());
      EXPECT_EQ(order.order->shipping_address->country_code, "GB");
      ASSERT_TRUE(order.order->lines[0].item_price.has_value());
      EXPECT_EQ(order.order->lines[0].item_price->Currency(), "GBP");
    }
    if (!page->next_token) {
      break;
    }
    page = api_->SearchOrdersNextPage(request, *page->next_token, options_);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
  }
  EXPECT_EQ(seen, placed);
  EXPECT_EQ(pages, 3);
}

TEST_F(OrdersApiTest, ConfirmedPackageReadsBackWithItsTracking) {
  const std::string id = PlaceOrder(2);
  auto before = api_->GetOrder(id, /*with_recipient=*/false, options_);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->packages.empty());
  EXPECT_FALSE(before->order->shipping_address.has_value());

  ASSERT_TRUE(api_->ConfirmShipment(id, RoyalMail(*before), {.lane = Lane::kConfirmation}).ok());

  auto after = api_->GetOrder(id, false, options_);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->order->status, domain::OrderStatus::kShipped);
  ASSERT_EQ(after->packages.size(), 1U);
  EXPECT_EQ(after->packages[0].tracking_number, "AB123456789GB");
  EXPECT_EQ(after->packages[0].carrier, "Royal Mail");
  ASSERT_EQ(after->packages[0].items.size(), 1U);
  EXPECT_EQ(after->packages[0].items[0].quantity, 2);
  EXPECT_EQ(after->order->lines[0].quantity_shipped, 2);
}

TEST_F(OrdersApiTest, RejectedConfirmationCarriesAmazonsMessage) {
  const std::string id = PlaceOrder();
  auto order = api_->GetOrder(id, false, options_);
  ASSERT_TRUE(order.ok()) << order.status();
  ShipmentConfirmation confirmation = RoyalMail(*order);
  confirmation.carrier_code = "Royal Mayl";
  const Status rejected = api_->ConfirmShipment(id, confirmation, {});
  EXPECT_EQ(rejected.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rejected.message().find("Royal Mayl"), std::string::npos) << rejected;
  EXPECT_NE(rejected.message().find("confirmShipment"), std::string::npos) << rejected;

  const Status unknown = api_->ConfirmShipment("999-0000000-0000000", RoyalMail(*order), {});
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound) << unknown;
  EXPECT_EQ(emulator_->GetOrder(id)->packages.size(), 0U);
}

TEST_F(OrdersApiTest, UnknownOrderIsNotFound) {
  const auto order = api_->GetOrder("999-0000000-0000000", false, options_);
  EXPECT_EQ(order.status().code(), StatusCode::kNotFound);
}

TEST_F(OrdersApiTest, V0FallbackReadsTheAddressOnlyThroughARestrictedDataToken) {
  const std::string id = PlaceOrder(3);
  auto without = api_->GetOrderV0(id, /*with_address=*/false, options_);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_FALSE(without->order->shipping_address.has_value());
  ASSERT_EQ(without->order->lines.size(), 1U);
  EXPECT_EQ(without->order->lines[0].quantity_ordered, 3);
  EXPECT_TRUE(without->order->latest_delivery_date.has_value());

  auto with = api_->GetOrderV0(id, /*with_address=*/true, options_);
  ASSERT_TRUE(with.ok()) << with.status();
  ASSERT_TRUE(with->order->shipping_address.has_value());
  EXPECT_FALSE(with->order->shipping_address->name.empty());
  EXPECT_FALSE(with->order->shipping_address->line1.empty());
  EXPECT_EQ(with->order->amazon_order_id, id);
  // The token was asked for once and reused for the second read.
  ASSERT_TRUE(api_->GetOrderV0(id, true, options_).ok());
  EXPECT_EQ(broker_.Counters().at({"Tokens 2021-03-01", "createRestrictedDataToken"}).granted, 1);

  ASSERT_TRUE(emulator_->AdvanceClock(minutes{3}).ok());
  auto ids = api_->ListOrderIdsV0(emulator_clock_.Now() - hours{1}, {"A1F83G8C2ARO7P"}, options_);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_NE(std::find(ids->begin(), ids->end(), id), ids->end());
}

nlohmann::json SampleOrder() {
  return nlohmann::json::parse(R"({
    "orderId": "203-1234567-1234567",
    "createdTime": "2026-11-20T10:00:00Z",
    "lastUpdatedTime": "2026-11-20T10:05:00Z",
    "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1F83G8C2ARO7P"},
    "programs": ["PRIME"],
    "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfillmentServiceLevel": "NEXT_DAY",
                    "shipByWindow": {"latestDateTime": "2026-11-20T23:59:59Z"}},
    "orderItems": [{"orderItemId": "11111111111111", "quantityOrdered": 2,
                    "product": {"sellerSku": "SB-MUG-001",
                                "price": {"unitPrice": {"amount": "12.99", "currencyCode": "GBP"}}},
                    "aFieldAmazonAddsLater": {"x": 1}}],
    "anotherNewField": [1, 2, 3]
  })");
}

TEST(ParseOrder2026Test, ToleratesFieldsAmazonAddsLater) {
  const auto order = ParseOrder2026(SampleOrder());
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_TRUE(order->order->is_prime);
  EXPECT_EQ(order->order->ship_service_level, "NEXT_DAY");
  ASSERT_EQ(order->order->lines.size(), 1U);
  EXPECT_EQ(order->order->lines[0].item_price->MinorUnits(), 2598);
}

TEST(ParseOrder2026Test, NamesTheOrderAndFieldItCannotDoWithout) {
  nlohmann::json order = SampleOrder();
  order["orderItems"][0]["product"].erase("sellerSku");
  auto parsed = ParseOrder2026(order);
  ASSERT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("203-1234567-1234567"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("sellerSku"), std::string::npos);

  order = SampleOrder();
  order["orderItems"][0]["quantityOrdered"] = "two";
  parsed = ParseOrder2026(order);
  ASSERT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("quantityOrdered"), std::string::npos);

  order = SampleOrder();
  order["fulfillment"]["fulfillmentStatus"] = "TELEPORTED";
  EXPECT_FALSE(ParseOrder2026(order).ok());
}

}  // namespace
}  // namespace sellerbridge::amazon
