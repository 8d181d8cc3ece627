#include <gtest/gtest.h>

#include <set>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

class SearchOrdersTest : public EmulatorTest {
 protected:
  void SetUp() override {
    EmulatorTest::SetUp();
    // Searches are rare at 0.0056 rps; these tests are about the rules, not the quota.
    ASSERT_TRUE(emulator_->SetRateLimit("searchOrders", 1000, 1000).ok());
    ASSERT_TRUE(emulator_->SetRateLimit("getOrders", 1000, 1000).ok());
  }

  httplib::Result Search(const std::string& query) {
    return Call("GET", "/orders/2026-01-01/orders?" + query);
  }
};

TEST_F(SearchOrdersTest, EnforcesTheDateRules) {
  const std::vector<std::string> bad = {
      "",  // No "after".
      "createdAfter=2026-11-01T00:00:00Z&lastUpdatedAfter=2026-11-01T00:00:00Z",
      "createdAfter=2026-11-01T00:00:00Z&lastUpdatedBefore=2026-11-20T00:00:00Z",
      "lastUpdatedAfter=2026-11-01T00:00:00Z&createdBefore=2026-11-20T00:00:00Z",
      "createdAfter=yesterday",
      "createdAfter=2026-11-20T00:00:00Z&createdBefore=2026-11-19T00:00:00Z",  // before < after.
      "createdAfter=2026-11-20T00:00:00Z&createdBefore=2026-11-25T09:59:00Z",  // Within 2 min of
                                                                               // now.
      "createdAfter=2026-11-25T09:59:00Z",  // After within 2 min.
      "createdAfter=2026-11-01T00:00:00Z&maxResultsPerPage=0",
      "createdAfter=2026-11-01T00:00:00Z&maxResultsPerPage=101",
      "createdAfter=2026-11-01T00:00:00Z&fulfillmentStatuses=LOST",
      "createdAfter=2026-11-01T00:00:00Z&fulfilledBy=SELLER",
      "createdAfter=2026-11-01T00:00:00Z&marketplaceIds=NOTAMARKETPLACE",
      "createdAfter=2026-11-01T00:00:00Z&includedData=EVERYTHING",
      "paginationToken=unknown",
  };
  for (const std::string& query : bad) {
    SCOPED_TRACE(query);
    const auto result = Search(query);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400);
    EXPECT_EQ(JsonOf(result)["errors"][0]["code"], "InvalidInput");
  }
  const auto ok = Search("createdAfter=2026-11-20T00:00:00Z&createdBefore=2026-11-25T09:58:00Z");
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(JsonOf(ok)["createdBefore"], "2026-11-25T09:58:00.000Z");
}

TEST_F(SearchOrdersTest, DefaultsBeforeToTwoMinutesAgoAndHidesNewerOrders) {
  const std::string old_order = PlaceOrder({{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::minutes(5));
  const std::string new_order = PlaceOrder({{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::minutes(1));
  const auto result = Search("createdAfter=2026-11-25T00:00:00Z");
  ASSERT_EQ(result->status, 200);
  const json body = JsonOf(result);
  ASSERT_EQ(body["orders"].size(), 1U);
  EXPECT_EQ(body["orders"][0]["orderId"], old_order);
  EXPECT_EQ(body["createdBefore"], FormatIso8601(clock_.Now() - std::chrono::minutes(2)));
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_EQ(JsonOf(Search("createdAfter=2026-11-25T00:00:00Z"))["orders"].size(), 2U);
}

TEST_F(SearchOrdersTest, PagesThroughEveryOrderOnceAndTokensExpireAfter24Hours) {
  std::set<std::string> placed;
  for (int i = 0; i < 25; ++i) {
    placed.insert(PlaceOrder({{"SB-TEE-002", 1}}));
    clock_.Advance(std::chrono::seconds(10));
  }
  clock_.Advance(std::chrono::minutes(3));
  std::set<std::string> seen;
  std::string query =
      "createdAfter=2026-11-25T00:00:00Z&maxResultsPerPage=10&includedData=FULFILLMENT";
  std::string token;
  int pages = 0;
  for (;;) {
    const auto result = Search(token.empty() ? query : "paginationToken=" + token);
    ASSERT_EQ(result->status, 200);
    const json body = JsonOf(result);
    ++pages;
    std::string previous;
    for (const json& order : body["orders"]) {
      EXPECT_TRUE(seen.insert(order["orderId"].get<std::string>()).second);
      EXPECT_GE(order["createdTime"].get<std::string>(), previous);
      previous = order["createdTime"];
    }
    if (!body.contains("pagination")) {
      break;
    }
    token = body["pagination"]["nextToken"];
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, placed);

  const json first = JsonOf(Search(query));
  const std::string stale = first["pagination"]["nextToken"];
  clock_.Advance(std::chrono::hours(23));
  EXPECT_EQ(Search("paginationToken=" + stale)->status, 200);
  clock_.Advance(std::chrono::hours(1));
  const auto expired = Search("paginationToken=" + stale);
  EXPECT_EQ(expired->status, 400);
  EXPECT_NE(expired->body.find("expired"), std::string::npos);
}

TEST_F(SearchOrdersTest, FiltersByStatusFulfilledByMarketplaceAndLastUpdate) {
  const std::string shipped = PlaceOrder({{"SB-MUG-001", 1}});
  const std::string unshipped = PlaceOrder({{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::hours(1));
  ASSERT_EQ(Confirm(shipped, ConfirmBody(shipped))->status, 204);
  clock_.Advance(std::chrono::minutes(3));
  const auto ids = [&](const std::string& query) {
    std::set<std::string> out;
    const json body = JsonOf(Search(query));
    for (const json& order : body["orders"]) {
      out.insert(order["orderId"].get<std::string>());
    }
    return out;
  };
  EXPECT_EQ(ids("createdAfter=2026-11-25T00:00:00Z&fulfillmentStatuses=SHIPPED"),
            std::set{shipped});
  EXPECT_EQ(
      ids("createdAfter=2026-11-25T00:00:00Z&fulfillmentStatuses=UNSHIPPED,PARTIALLY_SHIPPED"),
      std::set{unshipped});
  EXPECT_EQ(ids("createdAfter=2026-11-25T00:00:00Z&fulfilledBy=AMAZON"), std::set<std::string>{});
  EXPECT_EQ(ids("createdAfter=2026-11-25T00:00:00Z&fulfilledBy=MERCHANT").size(), 2U);
  EXPECT_EQ(ids("createdAfter=2026-11-25T00:00:00Z&marketplaceIds=A1PA6795UKMFR9"),
            std::set<std::string>{});
  EXPECT_EQ(ids("lastUpdatedAfter=2026-11-25T10:30:00Z"), std::set{shipped});
  const json body =
      JsonOf(Search("lastUpdatedAfter=2026-11-25T10:30:00Z&includedData=PACKAGES,FULFILLMENT"));
  EXPECT_TRUE(body.contains("lastUpdatedBefore"));
  const json order = body["orders"][0];
  EXPECT_EQ(order["fulfillment"]["fulfillmentStatus"], "SHIPPED");
  EXPECT_EQ(order["fulfillment"]["fulfilledBy"], "MERCHANT");
  EXPECT_EQ(order["packages"][0]["trackingNumber"], "AB123456789GB");
  EXPECT_EQ(order["packages"][0]["carrier"], "Royal Mail");
}

TEST_F(SearchOrdersTest, IncludedDataControlsTheDatasets) {
  PlaceOrder({{"SB-MUG-001", 2}}, true);
  clock_.Advance(std::chrono::minutes(3));
  const json bare = JsonOf(Search("createdAfter=2026-11-25T00:00:00Z"))["orders"][0];
  EXPECT_FALSE(bare.contains("buyer"));
  EXPECT_FALSE(bare.contains("recipient"));
  EXPECT_FALSE(bare.contains("fulfillment"));
  EXPECT_EQ(bare["programs"][0], "PRIME");
  EXPECT_EQ(bare["orderItems"][0]["quantityOrdered"], 2);
  EXPECT_EQ(bare["orderItems"][0]["product"]["sellerSku"], "SB-MUG-001");
  const json full =
      JsonOf(Search("createdAfter=2026-11-25T00:00:00Z&includedData=BUYER,RECIPIENT,PROCEEDS,"
                    "FULFILLMENT,PACKAGES"))["orders"][0];
  EXPECT_TRUE(full["buyer"].contains("buyerName"));
  EXPECT_EQ(full["recipient"]["deliveryAddress"]["countryCode"], "GB");
  EXPECT_EQ(full["proceeds"]["grandTotal"]["amount"], "25.98");
  EXPECT_EQ(full["proceeds"]["grandTotal"]["currencyCode"], "GBP");
  EXPECT_EQ(full["orderItems"][0]["fulfillment"]["quantityUnfulfilled"], 2);
}

TEST_F(SearchOrdersTest, BuyerAddressChangesMoveLastUpdateAndMissingPostalCodesAreLeftOut) {
  NewOrder request;
  request.lines.push_back({.sku = "SB-MUG-001", .quantity = 1});
  request.address_without_postal_code = true;
  const std::string id = emulator_->AddOrder(request).value();
  const std::string path = "/orders/2026-01-01/orders/" + id + "?includedData=RECIPIENT";
  const json before = JsonOf(Call("GET", path))["order"];
  EXPECT_FALSE(before["recipient"]["deliveryAddress"].contains("postalCode"));

  clock_.Advance(std::chrono::minutes(5));
  ASSERT_TRUE(emulator_->ChangeAddress(id).ok());
  const json after = JsonOf(Call("GET", path))["order"];
  EXPECT_TRUE(after["recipient"]["deliveryAddress"].contains("postalCode"));
  EXPECT_NE(after["recipient"]["deliveryAddress"]["addressLine1"].dump() +
                after["recipient"]["deliveryAddress"]["name"].dump() +
                after["recipient"]["deliveryAddress"]["city"].dump(),
            before["recipient"]["deliveryAddress"]["addressLine1"].dump() +
                before["recipient"]["deliveryAddress"]["name"].dump() +
                before["recipient"]["deliveryAddress"]["city"].dump());
  EXPECT_GT(after["lastUpdatedTime"].get<std::string>(),
            before["lastUpdatedTime"].get<std::string>());

  ASSERT_TRUE(emulator_->CancelOrder(id, Canceller::kBuyer).ok());
  EXPECT_EQ(emulator_->ChangeAddress(id).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(emulator_->ChangeAddress("203-0000000-0000000").code(), StatusCode::kNotFound);
}

TEST_F(SearchOrdersTest, GetOrderReturnsOneOrderOr404) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const auto found = Call("GET", "/orders/2026-01-01/orders/" + id + "?includedData=FULFILLMENT");
  ASSERT_EQ(found->status, 200);
  EXPECT_EQ(JsonOf(found)["order"]["orderId"], id);
  EXPECT_EQ(JsonOf(found)["order"]["fulfillment"]["fulfillmentStatus"], "UNSHIPPED");
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/203-0000000-0000000")->status, 404);
}

TEST_F(SearchOrdersTest, OrdersV0GetOrdersAndItems) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 2}, {"SB-BAG-003", 1}});
  clock_.Advance(std::chrono::minutes(3));
  EXPECT_EQ(Call("GET", "/orders/v0/orders?CreatedAfter=2026-11-25T00:00:00Z")->status, 400);
  const auto list =
      Call("GET",
           "/orders/v0/orders?MarketplaceIds=A1F83G8C2ARO7P&CreatedAfter=2026-11-25T00:00:00Z"
           "&OrderStatuses=Unshipped,PartiallyShipped&FulfillmentChannels=MFN");
  ASSERT_EQ(list->status, 200);
  const json payload = JsonOf(list)["payload"];
  ASSERT_EQ(payload["Orders"].size(), 1U);
  EXPECT_EQ(payload["Orders"][0]["OrderStatus"], "Unshipped");
  EXPECT_EQ(payload["Orders"][0]["FulfillmentChannel"], "MFN");
  EXPECT_EQ(payload["Orders"][0]["NumberOfItemsUnshipped"], 3);
  EXPECT_TRUE(payload.contains("CreatedBefore"));
  const auto items = Call("GET", "/orders/v0/orders/" + id + "/orderItems");
  ASSERT_EQ(items->status, 200);
  const json item_payload = JsonOf(items)["payload"];
  EXPECT_EQ(item_payload["AmazonOrderId"], id);
  ASSERT_EQ(item_payload["OrderItems"].size(), 2U);
  EXPECT_EQ(item_payload["OrderItems"][0]["ItemPrice"]["Amount"], "25.98");
  EXPECT_EQ(Call("GET", "/orders/v0/orders/203-0000000-0000000/orderItems")->status, 404);
  EXPECT_EQ(Call("GET",
                 "/orders/v0/"
                 "orders?MarketplaceIds=A1F83G8C2ARO7P&CreatedAfter=2026-11-25T00:00:00Z&"
                 "OrderStatuses=Lost")
                ->status,
            400);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
