#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

// The static sandbox requests of the official models, sent to the emulator.
class ContractTest : public EmulatorTest {
 protected:
  void SetUp() override {
    StartEmulator(R"(
marketplace_ids = ["A1F83G8C2ARO7P", "ATVPDKIKX0DER"]
[[catalogue]]
sku = "SB-MUG-001"
quantity = 100
price = "12.99"
category = "Kitchen"
)");
  }

  // The sandbox entries of `file` for `path` `method` answering `status`.
  static std::vector<json> SandboxRequests(const std::string& file, const std::string& path,
                                           const std::string& method, const std::string& status) {
    std::vector<json> requests;
    const json& responses = Model(file)["paths"][path][method]["responses"];
    for (const json& entry : responses[status]["x-amzn-api-sandbox"]["static"]) {
      requests.push_back(entry["request"]["parameters"]);
    }
    return requests;
  }

  static std::string Query(const json& parameters, const std::vector<std::string>& skip) {
    std::string query;
    for (const auto& [name, value] : parameters.items()) {
      if (std::find(skip.begin(), skip.end(), name) != skip.end()) {
        continue;
      }
      std::string text;
      if (value["value"].is_array()) {
        for (const json& item : value["value"]) {
          text += (text.empty() ? "" : ",") + item.get<std::string>();
        }
      } else {
        text = value["value"].get<std::string>();
      }
      query += query.empty() ? '?' : '&';
      query += name;
      query += '=';
      query += text;
    }
    return query;
  }
};

TEST_F(ContractTest, ConfirmShipmentSandboxRequestsGetTheirStatus) {
  const std::string file = "ordersV0.json";
  const std::string path = "/orders/v0/orders/{orderId}/shipmentConfirmation";
  for (const auto& [status, expected] : {std::pair{"204", 204}, std::pair{"400", 400}}) {
    for (const json& parameters : SandboxRequests(file, path, "post", status)) {
      const std::string order_id = parameters["orderId"]["value"];
      const json body = parameters["body"]["value"];
      if (!emulator_->GetOrder(order_id)) {
        NewOrder order;
        order.order_id = order_id;
        order.marketplace_id = body["marketplaceId"];
        for (const json& item : body["packageDetail"]["orderItems"]) {
          order.lines.push_back({.sku = "SB-MUG-001",
                                 .quantity = item["quantity"].get<int>() + 1,
                                 .order_item_id = item["orderItemId"].get<std::string>()});
        }
        ASSERT_TRUE(emulator_->AddOrder(order).ok());
      }
      const auto result = Confirm(order_id, body);
      ASSERT_TRUE(result);
      EXPECT_EQ(result->status, expected) << body.dump() << "\n" << result->body;
    }
  }
}

TEST_F(ContractTest, RestrictedDataTokenSandboxRequestsGetTheirStatus) {
  const std::string file = "tokens_2021-03-01.json";
  const std::string path = "/tokens/2021-03-01/restrictedDataToken";
  for (const auto& [status, expected] : {std::pair{"200", 200}, std::pair{"400", 400}}) {
    for (const json& parameters : SandboxRequests(file, path, "post", status)) {
      const auto result = Call("POST", path, parameters["body"]["value"].dump());
      ASSERT_TRUE(result);
      EXPECT_EQ(result->status, expected) << result->body;
    }
  }
}

TEST_F(ContractTest, SearchAndGetOrderSandboxRequestsAreAccepted) {
  ASSERT_TRUE(emulator_->SetRateLimit("searchOrders", 100, 100).ok());
  for (const json& parameters :
       SandboxRequests("orders_2026-01-01.json", "/orders/2026-01-01/orders", "get", "200")) {
    // Pagination tokens in the model are Amazon's own; the emulator issues its own.
    if (parameters.contains("paginationToken")) {
      continue;
    }
    const auto result = Call("GET", "/orders/2026-01-01/orders" + Query(parameters, {}));
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << parameters.dump() << "\n" << result->body;
  }
  for (const json& parameters : SandboxRequests(
           "orders_2026-01-01.json", "/orders/2026-01-01/orders/{orderId}", "get", "200")) {
    const std::string order_id = parameters["orderId"]["value"];
    NewOrder order;
    order.order_id = order_id;
    order.lines.push_back({.sku = "SB-MUG-001", .quantity = 1});
    ASSERT_TRUE(emulator_->AddOrder(order).ok());
    const auto result =
        Call("GET", "/orders/2026-01-01/orders/" + order_id + Query(parameters, {"orderId"}));
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << result->body;
  }
  const auto bad = Call("GET", "/orders/2026-01-01/orders?createdAfter=TEST_CASE_400");
  EXPECT_EQ(bad->status, 400);
}

TEST_F(ContractTest, EveryResponseOfAFullFlowMatchesTheModels) {
  // One order through its whole life, every answer checked by Call().
  const std::string id = PlaceOrder({{"SB-MUG-001", 2}});
  clock_.Advance(std::chrono::minutes(5));
  int checked = 0;
  const std::string search_orders =
      "/orders/2026-01-01/"
      "orders?createdAfter=2026-11-25T00:00:00Z&includedData=BUYER,RECIPIENT,PROCEEDS,"
      "EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS";
  const std::string get_listing =
      "/listings/2021-08-01/items/A2EMULATORSELLER/"
      "SB-MUG-001?marketplaceIds=A1F83G8C2ARO7P&includedData="
      "summaries,attributes,issues,fulfillmentAvailability,productTypes";
  for (const std::string& path : std::vector<std::string>{
           search_orders,
           "/orders/2026-01-01/orders/" + id +
               "?includedData=BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES",
           "/orders/v0/orders?MarketplaceIds=A1F83G8C2ARO7P&CreatedAfter=2026-11-25T00:00:00Z",
           "/orders/v0/orders/" + id, "/orders/v0/orders/" + id + "/orderItems", get_listing}) {
    const auto result = Call("GET", path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200) << path << "\n" << result->body;
    checked +=
        ExpectMatchesModel("GET", path.substr(0, path.find('?')), result->status, result->body);
  }
  EXPECT_EQ(checked, 6);
  ASSERT_EQ(Confirm(id, ConfirmBody(id))->status, 204);
  ASSERT_TRUE(emulator_->CancelOrder(PlaceOrder({{"SB-MUG-001", 1}}), Canceller::kBuyer).ok());
  clock_.Advance(std::chrono::minutes(5));
  const auto after =
      Call("GET",
           "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T00:00:00Z&includedData="
           "FULFILLMENT,PACKAGES,CANCELLATION");
  ASSERT_EQ(after->status, 200);
  EXPECT_EQ(JsonOf(after)["orders"].size(), 2U);
  for (const std::string& method_path : std::vector<std::string>{
           "/orders/v0/orders/" + id + "/orderItems", "/orders/v0/orders/" + id}) {
    ASSERT_EQ(Call("GET", method_path)->status, 200);
  }
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
