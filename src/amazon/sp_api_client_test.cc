// The SP-API client against the Amazon emulator over loopback HTTP.
#include "amazon/sp_api_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "amazon/connector_test_fixture.h"

namespace sellerbridge::amazon {
namespace {

class SpApiClientTest : public AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    const auto ids = emulator_->GenerateOrders(1);
    ASSERT_EQ(ids.size(), 1U);
    order_id_ = ids[0];
  }

  SpApiCall GetOrder() const {
    return {.api = "Orders 2026-01-01",
            .operation = "getOrder",
            .method = "GET",
            .path = "/orders/2026-01-01/orders/" + order_id_,
            .lane = Lane::kOrderImport};
  }

  std::string order_id_;
};

TEST_F(SpApiClientTest, CallsWithATokenFromLoginWithAmazonAndTakesQuota) {
  const auto response = client_->Call(GetOrder());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  const auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body.at("order").at("orderId"), order_id_);
  EXPECT_EQ(tokens_->Refreshes(), 1);
  const auto counters = broker_.Counters().at({"Orders 2026-01-01", "getOrder"});
  EXPECT_EQ(counters.granted, 1);
  ASSERT_TRUE(response->Header("x-amzn-RequestId").has_value());
}

TEST_F(SpApiClientTest, NotFoundIsNotRetried) {
  SpApiCall call = GetOrder();
  call.path = "/orders/2026-01-01/orders/999-0000000-0000000";
  const auto response = client_->Call(call);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(broker_.Counters().at({"Orders 2026-01-01", "getOrder"}).granted, 1);
}

TEST_F(SpApiClientTest, ServerErrorsAreRetriedThenReported) {
  emulator_->FaultInjector().SetOperation("getOrder", {.error_rate = 1.0});
  const auto response = client_->Call(GetOrder());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("getOrder"), std::string::npos);
  EXPECT_EQ(broker_.Counters().at({"Orders 2026-01-01", "getOrder"}).granted, 3);
  emulator_->FaultInjector().Clear();
  EXPECT_TRUE(client_->Call(GetOrder()).ok());
}

TEST_F(SpApiClientTest, ExpiredTokenIsRefreshedOnceAndTheCallRetried) {
  ASSERT_TRUE(client_->Call(GetOrder()).ok());
  // Amazon's clock moves past the token's hour while ours has not.
  ASSERT_TRUE(emulator_->AdvanceClock(std::chrono::hours{2}).ok());
  const auto response = client_->Call(GetOrder());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(tokens_->Refreshes(), 2);
}

TEST_F(SpApiClientTest, ThrottlingDrainsTheBucketAndWaitsForItBeforeRetrying) {
  emulator_->FaultInjector().StartThrottlingStorm(
      "getOrder", emulator_clock_.Now() + std::chrono::milliseconds{500});
  const auto response = client_->Call(GetOrder());
  ASSERT_TRUE(response.ok()) << response.status();
  const auto counters = broker_.Counters().at({"Orders 2026-01-01", "getOrder"});
  EXPECT_EQ(counters.throttled, 1);
  EXPECT_EQ(counters.waits, 1);  // The retry waited for a token (0.5 per second).
  EXPECT_GE(counters.total_wait, std::chrono::milliseconds{1500});
}

TEST_F(SpApiClientTest, FollowsTheRateAmazonReports) {
  ASSERT_TRUE(emulator_->SetRateLimit("getOrder", 0.25, 30).ok());
  ASSERT_TRUE(client_->Call(GetOrder()).ok());
  const auto bucket =
      broker_.Snapshot({emulator_->GetScenario().seller_id, "EU", "Orders 2026-01-01", "getOrder"});
  ASSERT_TRUE(bucket.has_value());
  EXPECT_DOUBLE_EQ(bucket->rate_per_second, 0.25);
}

}  // namespace
}  // namespace sellerbridge::amazon
