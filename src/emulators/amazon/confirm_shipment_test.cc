#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

class ConfirmShipmentTest : public EmulatorTest {};

TEST_F(ConfirmShipmentTest, AcceptsAValidConfirmationAndRecordsItsArrivalTime) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 2}, {"SB-TEE-002", 1}});
  clock_.Advance(std::chrono::minutes(30));
  const auto result = Confirm(id, ConfirmBody(id));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 204);
  EXPECT_TRUE(result->body.empty());
  EXPECT_EQ(result->get_header_value("x-amzn-RateLimit-Limit"), "2");
  const auto order = emulator_->GetOrder(id);
  EXPECT_EQ(order->status, OrderStatus::kShipped);
  ASSERT_EQ(order->packages.size(), 1U);
  EXPECT_EQ(order->packages[0].arrival_time, clock_.Now());
  EXPECT_EQ(order->packages[0].tracking_number, "AB123456789GB");
  EXPECT_TRUE(order->packages[0].valid_tracking);
  EXPECT_EQ(order->first_confirmation, clock_.Now());
}

TEST_F(ConfirmShipmentTest, PartialShipmentsThenTheRest) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 3}});
  const std::string item = emulator_->GetOrder(id)->lines[0].order_item_id;
  json body = ConfirmBody(id, "1");
  body["packageDetail"]["orderItems"][0]["quantity"] = 1;
  EXPECT_EQ(Confirm(id, body)->status, 204);
  EXPECT_EQ(emulator_->GetOrder(id)->status, OrderStatus::kPartiallyShipped);
  body["packageDetail"]["packageReferenceId"] = "2";
  body["packageDetail"]["orderItems"][0]["quantity"] = 3;
  const auto too_many = Confirm(id, body);
  EXPECT_EQ(too_many->status, 400);
  EXPECT_NE(too_many->body.find("exceeds"), std::string::npos);
  body["packageDetail"]["orderItems"][0]["quantity"] = 2;
  EXPECT_EQ(Confirm(id, body)->status, 204);
  EXPECT_EQ(emulator_->GetOrder(id)->status, OrderStatus::kShipped);
  EXPECT_EQ(emulator_->GetOrder(id)->packages.size(), 2U);
}

TEST_F(ConfirmShipmentTest, RepeatWithTheSamePackageChangesNothing) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const json body = ConfirmBody(id);
  EXPECT_EQ(Confirm(id, body)->status, 204);
  const TimePoint first = clock_.Now();
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(Confirm(id, body)->status, 204);
  const auto order = emulator_->GetOrder(id);
  ASSERT_EQ(order->packages.size(), 1U);
  EXPECT_EQ(order->packages[0].arrival_time, first);
  EXPECT_EQ(order->packages[0].last_edit_time, first);
  EXPECT_EQ(order->last_update, first);
}

TEST_F(ConfirmShipmentTest, SamePackageWithNewTrackingCorrectsItButKeepsTheArrival) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  EXPECT_EQ(Confirm(id, ConfirmBody(id, "1", "Royal Mail", "BAD"))->status, 204);
  EXPECT_FALSE(emulator_->GetOrder(id)->packages[0].valid_tracking);
  const TimePoint first = clock_.Now();
  clock_.Advance(std::chrono::hours(1));
  json corrected = ConfirmBody(id, "1", "Royal Mail", "AB123456789GB");
  corrected["packageDetail"]["orderItems"][0]["quantity"] = 1;
  EXPECT_EQ(Confirm(id, corrected)->status, 204);
  const auto order = emulator_->GetOrder(id);
  EXPECT_TRUE(order->packages[0].valid_tracking);
  EXPECT_EQ(order->packages[0].arrival_time, first);
  EXPECT_EQ(order->packages[0].last_edit_time, clock_.Now());
}

struct BadCase {
  std::string name;
  std::function<void(json&)> mutate;
  std::string expected_detail;
};

TEST_F(ConfirmShipmentTest, RejectsEveryMalformedField) {
  const std::vector<BadCase> cases = {
      {"missing marketplaceId", [](json& b) { b.erase("marketplaceId"); }, "marketplaceId"},
      {"numeric marketplaceId", [](json& b) { b["marketplaceId"] = 5; }, "marketplaceId"},
      {"other marketplace", [](json& b) { b["marketplaceId"] = "A1PA6795UKMFR9"; }, "marketplace"},
      {"missing packageDetail", [](json& b) { b.erase("packageDetail"); }, "packageDetail"},
      {"missing packageReferenceId",
       [](json& b) { b["packageDetail"].erase("packageReferenceId"); }, "packageReferenceId"},
      {"non-numeric packageReferenceId",
       [](json& b) { b["packageDetail"]["packageReferenceId"] = "A1"; }, "packageReferenceId"},
      {"zero packageReferenceId", [](json& b) { b["packageDetail"]["packageReferenceId"] = "0"; },
       "packageReferenceId"},
      {"missing carrierCode", [](json& b) { b["packageDetail"].erase("carrierCode"); },
       "carrierCode"},
      {"unknown carrierCode", [](json& b) { b["packageDetail"]["carrierCode"] = "Evri"; },
       "carrierCode"},
      {"wrong case carrierCode", [](json& b) { b["packageDetail"]["carrierCode"] = "royal mail"; },
       "carrierCode"},
      {"Other without carrierName", [](json& b) { b["packageDetail"]["carrierCode"] = "Other"; },
       "carrierName"},
      {"missing trackingNumber", [](json& b) { b["packageDetail"].erase("trackingNumber"); },
       "trackingNumber"},
      {"empty trackingNumber", [](json& b) { b["packageDetail"]["trackingNumber"] = ""; },
       "trackingNumber"},
      {"missing shipDate", [](json& b) { b["packageDetail"].erase("shipDate"); }, "shipDate"},
      {"US shipDate", [](json& b) { b["packageDetail"]["shipDate"] = "02/21/2022"; }, "shipDate"},
      {"missing orderItems", [](json& b) { b["packageDetail"].erase("orderItems"); }, "orderItems"},
      {"empty orderItems", [](json& b) { b["packageDetail"]["orderItems"] = json::array(); },
       "orderItems"},
      {"missing orderItemId",
       [](json& b) { b["packageDetail"]["orderItems"][0].erase("orderItemId"); }, "orderItemId"},
      {"unknown orderItemId",
       [](json& b) { b["packageDetail"]["orderItems"][0]["orderItemId"] = "1"; }, "orderItemId"},
      {"missing quantity", [](json& b) { b["packageDetail"]["orderItems"][0].erase("quantity"); },
       "quantity"},
      {"string quantity", [](json& b) { b["packageDetail"]["orderItems"][0]["quantity"] = "1"; },
       "quantity"},
      {"zero quantity", [](json& b) { b["packageDetail"]["orderItems"][0]["quantity"] = 0; },
       "quantity"},
      {"too many", [](json& b) { b["packageDetail"]["orderItems"][0]["quantity"] = 3; }, "exceeds"},
      {"bad codCollectionMethod", [](json& b) { b["codCollectionMethod"] = "Cash"; },
       "codCollectionMethod"},
  };
  ASSERT_TRUE(emulator_->SetRateLimit("confirmShipment", 1000, 1000).ok());
  const std::string id = PlaceOrder({{"SB-MUG-001", 2}});
  for (const BadCase& bad : cases) {
    SCOPED_TRACE(bad.name);
    json body = ConfirmBody(id);
    bad.mutate(body);
    const auto result = Confirm(id, body);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400);
    const json error = JsonOf(result);
    EXPECT_EQ(error["errors"][0]["code"], "Invalid Input");
    EXPECT_NE(error["errors"][0]["details"].get<std::string>().find(bad.expected_detail),
              std::string::npos)
        << result->body;
  }
  const auto not_json = Call("POST", "/orders/v0/orders/" + id + "/shipmentConfirmation", "{oops");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(emulator_->GetOrder(id)->packages.size(), 0U);
  EXPECT_EQ(emulator_->GetOrder(id)->status, OrderStatus::kUnshipped);
}

TEST_F(ConfirmShipmentTest, OtherWithCarrierNameIsAccepted) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  json body = ConfirmBody(id, "1", "Other", "LOCAL12345");
  body["packageDetail"]["carrierName"] = "Local Courier Ltd";
  EXPECT_EQ(Confirm(id, body)->status, 204);
}

TEST_F(ConfirmShipmentTest, UnknownOrderIsNotFound) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const auto result = Confirm("202-0000000-0000000", ConfirmBody(id));
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(result->get_header_value("x-amzn-RateLimit-Limit"), "2");
}

TEST_F(ConfirmShipmentTest, CancelledAndPendingOrdersCannotBeShipped) {
  const std::string cancelled = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_TRUE(emulator_->CancelOrder(cancelled, Canceller::kBuyer).ok());
  EXPECT_EQ(Confirm(cancelled, ConfirmBody(cancelled))->status, 400);
  NewOrder pending_order;
  pending_order.lines.push_back({.sku = "SB-MUG-001", .quantity = 1});
  pending_order.pending_seconds = 600;
  const std::string pending = *emulator_->AddOrder(pending_order);
  EXPECT_EQ(emulator_->GetOrder(pending)->status, OrderStatus::kPending);
  EXPECT_EQ(Confirm(pending, ConfirmBody(pending))->status, 400);
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_EQ(emulator_->GetOrder(pending)->status, OrderStatus::kUnshipped);
  EXPECT_EQ(Confirm(pending, ConfirmBody(pending))->status, 204);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
