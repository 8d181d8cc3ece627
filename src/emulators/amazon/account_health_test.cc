#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

class AccountHealthTest : public EmulatorTest {};

TEST_F(AccountHealthTest, LatestShipDateFollowsHandlingTimeAndCutOffInLondon) {
  // Wednesday 10:00 London, before the 14:00 cut-off, one handling day: Thursday 23:59:59.
  const std::string standard = PlaceOrder({{"SB-MUG-001", 1}});
  EXPECT_EQ(FormatIso8601(emulator_->GetOrder(standard)->latest_ship_date),
            "2026-11-26T23:59:59.000Z");
  // Prime ships the same day.
  const std::string prime = PlaceOrder({{"SB-MUG-001", 1}}, true);
  EXPECT_EQ(FormatIso8601(emulator_->GetOrder(prime)->latest_ship_date),
            "2026-11-25T23:59:59.000Z");
  // Friday after the cut-off: counts from Monday, ships by Tuesday.
  clock_.AdvanceTo(*ParseIso8601("2026-11-27T15:00:00Z"));
  const std::string weekend = PlaceOrder({{"SB-MUG-001", 1}});
  EXPECT_EQ(FormatIso8601(emulator_->GetOrder(weekend)->latest_ship_date),
            "2026-12-01T23:59:59.000Z");
}

TEST_F(AccountHealthTest, CountsLateShipmentsByConfirmationArrivalNotShipDate) {
  const std::string on_time = PlaceOrder({{"SB-MUG-001", 1}});
  const std::string late = PlaceOrder({{"SB-MUG-001", 1}});
  const std::string never = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_EQ(Confirm(on_time, ConfirmBody(on_time))->status, 204);
  clock_.AdvanceTo(*ParseIso8601("2026-11-27T08:00:00Z"));
  // A ship date before the deadline does not help: the arrival counts.
  nlohmann::json body = ConfirmBody(late, "1", "Royal Mail", "123");
  body["packageDetail"]["shipDate"] = "2026-11-26T12:00:00Z";
  ASSERT_EQ(Confirm(late, body)->status, 204);
  EXPECT_FALSE(emulator_->GetOrder(on_time)->IsLate());
  EXPECT_TRUE(emulator_->GetOrder(late)->IsLate());

  const AccountHealth health = emulator_->Health();
  EXPECT_EQ(health.late_shipment_10d.numerator, 1);
  EXPECT_EQ(health.late_shipment_10d.denominator, 3);
  EXPECT_EQ(health.late_shipment_30d.numerator, 1);
  EXPECT_EQ(health.valid_tracking_7d.numerator, 1);
  EXPECT_EQ(health.valid_tracking_7d.denominator, 2);
  EXPECT_EQ(health.valid_tracking_30d_by_category.at("Kitchen").denominator, 2);
  EXPECT_EQ(health.cancel_7d.numerator, 0);

  const auto control = client_->Get("/_emulator/account-health");
  ASSERT_TRUE(control);
  const auto json = nlohmann::json::parse(control->body);
  EXPECT_EQ(json["lateShipmentRate"]["10d"]["numerator"], 1);
  EXPECT_DOUBLE_EQ(json["validTrackingRate"]["7d"]["rate"].get<double>(), 0.5);
  const auto order = nlohmann::json::parse(client_->Get("/_emulator/orders/" + late)->body);
  EXPECT_EQ(order["late"], true);
  EXPECT_EQ(order["packages"][0]["arrivalTime"], "2026-11-27T08:00:00.000Z");
  EXPECT_EQ(order["packages"][0]["validTracking"], false);
  (void)never;
}

TEST_F(AccountHealthTest, UnconfirmedOrdersAreCancelledSevenDaysAfterLatestShipDate) {
  const std::string id = PlaceOrder({{"SB-BAG-003", 2}});
  EXPECT_EQ(emulator_->GetListing("SB-BAG-003")->quantity, 58);
  const TimePoint deadline = emulator_->GetOrder(id)->latest_ship_date + std::chrono::hours(7 * 24);
  clock_.AdvanceTo(deadline - std::chrono::seconds(1));
  EXPECT_EQ(emulator_->GetOrder(id)->status, OrderStatus::kUnshipped);
  clock_.AdvanceTo(deadline);
  const auto order = emulator_->GetOrder(id);
  EXPECT_EQ(order->status, OrderStatus::kCanceled);
  EXPECT_EQ(order->cancelled_by, Canceller::kAmazonUnconfirmed);
  EXPECT_EQ(order->cancel_time, deadline);
  EXPECT_EQ(emulator_->GetListing("SB-BAG-003")->quantity, 60);
  const AccountHealth health = emulator_->Health();
  EXPECT_EQ(health.cancel_7d.numerator, 1);
  EXPECT_EQ(health.cancel_7d.denominator, 1);
  // Too late to confirm now.
  EXPECT_EQ(Confirm(id, ConfirmBody(id))->status, 400);
}

TEST_F(AccountHealthTest, BuyerCancellationsDoNotCountAgainstTheSeller) {
  NewOrder order;
  order.lines.push_back({.sku = "SB-MUG-001", .quantity = 1});
  order.buyer_cancels_after = std::chrono::hours(1);
  const std::string id = *emulator_->AddOrder(order);
  const std::string seller_cancelled = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_TRUE(emulator_->CancelOrder(seller_cancelled, Canceller::kSeller).ok());
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(emulator_->GetOrder(id)->cancelled_by, Canceller::kBuyer);
  const AccountHealth health = emulator_->Health();
  EXPECT_EQ(health.cancel_7d.numerator, 1);
  EXPECT_EQ(health.cancel_7d.denominator, 2);
}

TEST_F(AccountHealthTest, GeneratorPlacesADaysOrdersAsTheClockMoves) {
  StartEmulator(R"(
[generator]
enabled = true
orders_per_day = 480
prime_share = 0.25
buyer_cancel_share = 0.05
pending_seconds = 300
)");
  EXPECT_EQ(emulator_->OrderCount(), 0U);
  clock_.Advance(std::chrono::hours(24));
  const std::vector<Order> orders = emulator_->Orders();
  EXPECT_GT(orders.size(), 380U);
  EXPECT_LT(orders.size(), 580U);
  int prime = 0;
  int evening = 0;
  int night = 0;
  for (const Order& order : orders) {
    EXPECT_GT(order.latest_ship_date, order.purchase_date);
    EXPECT_FALSE(order.lines.empty());
    prime += order.is_prime ? 1 : 0;
    const int hour = static_cast<int>(
        std::chrono::duration_cast<std::chrono::hours>(order.purchase_date.time_since_epoch())
            .count() %
        24);
    evening += hour >= 18 && hour < 22 ? 1 : 0;
    night += hour >= 2 && hour < 6 ? 1 : 0;
  }
  EXPECT_GT(prime, static_cast<int>(orders.size()) / 8);
  EXPECT_LT(prime, static_cast<int>(orders.size()) / 2);
  EXPECT_GT(evening, 3 * night);
}

TEST_F(AccountHealthTest, GenerateOrdersThroughTheControlApi) {
  const auto result =
      client_->Post("/_emulator/orders/generate", R"({"count":25})", "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(nlohmann::json::parse(result->body)["orderIds"].size(), 25U);
  EXPECT_EQ(emulator_->OrderCount(), 25U);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
