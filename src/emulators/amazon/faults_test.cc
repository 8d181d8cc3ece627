#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

class FaultsTest : public EmulatorTest {
 protected:
  int Put(const std::string& path, const std::string& body) {
    const auto result = client_->Put(path, body, "application/json");
    return result ? result->status : -1;
  }
  int Post(const std::string& path, const std::string& body) {
    const auto result = client_->Post(path, body, "application/json");
    return result ? result->status : -1;
  }
};

TEST_F(FaultsTest, ServerErrorsAtTheConfiguredRate) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_EQ(Put("/_emulator/faults/getOrder", R"({"errorRate":1})"), 204);
  for (int i = 0; i < 5; ++i) {
    const auto result = Call("GET", "/orders/2026-01-01/orders/" + id);
    EXPECT_TRUE(result->status == 500 || result->status == 503) << result->status;
    EXPECT_FALSE(JsonOf(result)["errors"][0]["code"].get<std::string>().empty());
  }
  ASSERT_EQ(Put("/_emulator/faults/getOrder", R"({"errorRate":0.5})"), 204);
  int failures = 0;
  for (int i = 0; i < 20; ++i) {
    failures += Call("GET", "/orders/v0/orders/" + id + "/orderItems")->status == 200 ? 0 : 1;
  }
  EXPECT_EQ(failures, 0) << "faults are per operation";
  ASSERT_EQ(client_->Delete("/_emulator/faults")->status, 204);
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 200);
}

TEST_F(FaultsTest, TimeoutsAreProcessedButAnsweredTooLate) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_EQ(Put("/_emulator/faults/confirmShipment", R"({"timeoutRate":1,"timeoutSeconds":1})"),
            204);
  const nlohmann::json body = ConfirmBody(id);
  httplib::Client impatient("127.0.0.1", emulator_->Port());
  impatient.set_read_timeout(0, 200'000);
  const auto result = impatient.Post("/orders/v0/orders/" + id + "/shipmentConfirmation",
                                     Auth(token_), body.dump(), "application/json");
  EXPECT_FALSE(result);
  EXPECT_EQ(emulator_->GetOrder(id)->status, OrderStatus::kShipped);
  ASSERT_EQ(client_->Delete("/_emulator/faults")->status, 204);
  // The client's retry of the same package is accepted and changes nothing.
  EXPECT_EQ(Confirm(id, body)->status, 204);
  EXPECT_EQ(emulator_->GetOrder(id)->packages.size(), 1U);
}

TEST_F(FaultsTest, ThrottlingStormsAnswer429UntilTheyEnd) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_EQ(Post("/_emulator/faults/throttling-storm", R"({"operation":"getOrder","seconds":60})"),
            204);
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 429);
  EXPECT_EQ(Call("GET", "/orders/v0/orders/" + id + "/orderItems")->status, 200);
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 200);
  ASSERT_EQ(Post("/_emulator/faults/throttling-storm", R"({"operation":"*","seconds":10})"), 204);
  EXPECT_EQ(Call("GET", "/orders/v0/orders/" + id + "/orderItems")->status, 429);
}

TEST_F(FaultsTest, SilentlyDroppedConfirmationsAnswer204) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_EQ(Put("/_emulator/faults/confirmShipment", R"({"silentDropRate":1})"), 204);
  EXPECT_EQ(Confirm(id, ConfirmBody(id))->status, 204);
  const auto order = emulator_->GetOrder(id);
  EXPECT_EQ(order->status, OrderStatus::kUnshipped);
  EXPECT_TRUE(order->packages.empty());
  EXPECT_EQ(order->dropped_confirmations, 1);
  // Reading the order back shows the drop; a resend after the fault is applied.
  EXPECT_EQ(
      JsonOf(Call("GET",
                  "/orders/2026-01-01/orders/" + id +
                      "?includedData=FULFILLMENT"))["order"]["fulfillment"]["fulfillmentStatus"],
      "UNSHIPPED");
  ASSERT_EQ(client_->Delete("/_emulator/faults")->status, 204);
  EXPECT_EQ(Confirm(id, ConfirmBody(id))->status, 204);
  EXPECT_EQ(emulator_->GetOrder(id)->status, OrderStatus::kShipped);
}

TEST_F(FaultsTest, LwaOutage) {
  ASSERT_EQ(Post("/_emulator/faults/lwa-outage", R"({"seconds":300})"), 204);
  const std::string form =
      "grant_type=refresh_token&refresh_token=Atzr%7Cemulator-refresh-token"
      "&client_id=amzn1.application-oa2-client.emulator&client_secret=emulator-client-secret";
  EXPECT_EQ(client_->Post("/auth/o2/token", form, "application/x-www-form-urlencoded")->status,
            503);
  clock_.Advance(std::chrono::seconds(300));
  EXPECT_EQ(client_->Post("/auth/o2/token", form, "application/x-www-form-urlencoded")->status,
            200);
}

TEST_F(FaultsTest, ScenarioFaultsApplyFromTheStart) {
  StartEmulator("[faults.getOrder]\nerror_rate = 1.0\n");
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  EXPECT_GE(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 500);
  const auto faults = nlohmann::json::parse(client_->Get("/_emulator/faults")->body);
  EXPECT_EQ(faults["operations"]["getOrder"]["errorRate"], 1.0);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
