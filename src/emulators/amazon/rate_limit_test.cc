#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"
#include "emulators/amazon/rate_limiter.h"

namespace sellerbridge::emulators::amazon {
namespace {

class RateLimitTest : public EmulatorTest {};

const RateLimit& Documented(std::string_view api, std::string_view operation) {
  for (const RateLimit& limit : DefaultRateLimits()) {
    if (limit.api == api && limit.operation == operation) {
      return limit;
    }
  }
  static const RateLimit kNone;
  return kNone;
}

TEST_F(RateLimitTest, BackToBackCallsGetExactlyBurstSuccessesThenQuotaExceeded) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const RateLimit& limit = Documented("Orders 2026-01-01", "getOrder");
  ASSERT_EQ(limit.burst, 30);
  int ok = 0;
  int throttled = 0;
  for (int i = 0; i < 40; ++i) {
    const auto result = Call("GET", "/orders/2026-01-01/orders/" + id);
    ASSERT_TRUE(result);
    if (result->status == 200) {
      ++ok;
      EXPECT_EQ(throttled, 0) << "a success after a 429 without time passing";
      EXPECT_EQ(result->get_header_value("x-amzn-RateLimit-Limit"), "0.5");
    } else {
      ++throttled;
      EXPECT_EQ(result->status, 429);
      EXPECT_EQ(
          result->body,
          R"({"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource.","details":""}]})");
      EXPECT_FALSE(result->has_header("x-amzn-RateLimit-Limit"));
    }
  }
  EXPECT_EQ(ok, limit.burst);
  EXPECT_EQ(throttled, 40 - limit.burst);
}

TEST_F(RateLimitTest, AnUnreportedLimitIsAppliedWithoutTheHeader) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  ASSERT_TRUE(emulator_->SetRateLimit("getOrder", 0.25, 2, /*report_rate=*/false).ok());
  const std::string path = "/orders/2026-01-01/orders/" + id;
  for (int i = 0; i < 2; ++i) {
    const auto result = Call("GET", path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 200);
    EXPECT_FALSE(result->has_header("x-amzn-RateLimit-Limit"));
  }
  EXPECT_EQ(Call("GET", path)->status, 429);
  clock_.Advance(std::chrono::seconds(4));
  EXPECT_EQ(Call("GET", path)->status, 200);
  // Reported again once set with the default.
  ASSERT_TRUE(emulator_->SetRateLimit("getOrder", 0.25, 2).ok());
  EXPECT_EQ(Call("GET", path)->get_header_value("x-amzn-RateLimit-Limit"), "0.25");
}

TEST_F(RateLimitTest, TokensRefillAtTheDocumentedRateOnTheEmulatorClock) {
  const RateLimit& limit = Documented("Orders v0", "confirmShipment");
  ASSERT_EQ(limit.rate_per_second, 2);
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const std::string body = ConfirmBody(id).dump();
  const std::string path = "/orders/v0/orders/" + id + "/shipmentConfirmation";
  for (int i = 0; i < limit.burst; ++i) {
    EXPECT_EQ(Call("POST", path, body)->status, 204);
  }
  EXPECT_EQ(Call("POST", path, body)->status, 429);
  clock_.Advance(std::chrono::milliseconds(499));
  EXPECT_EQ(Call("POST", path, body)->status, 429);
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(Call("POST", path, body)->status, 204);
  EXPECT_EQ(Call("POST", path, body)->status, 429);
  // Five seconds refill ten tokens: the whole burst, and no more.
  clock_.Advance(std::chrono::seconds(60));
  int ok = 0;
  while (Call("POST", path, body)->status == 204) {
    ++ok;
  }
  EXPECT_EQ(ok, limit.burst);
}

TEST_F(RateLimitTest, SlowOperationsRefillSlowly) {
  // searchOrders: 0.0056 rps, burst 20: one token every ~179 s.
  const std::string path = "/orders/2026-01-01/orders?createdAfter=2026-11-01T00:00:00Z";
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(Call("GET", path)->status, 200);
  }
  EXPECT_EQ(Call("GET", path)->status, 429);
  clock_.Advance(std::chrono::seconds(170));
  EXPECT_EQ(Call("GET", path)->status, 429);
  clock_.Advance(std::chrono::seconds(9));
  const auto result = Call("GET", path);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("x-amzn-RateLimit-Limit"), "0.0056");
}

TEST_F(RateLimitTest, BucketsArePerOperation) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 200);
  }
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 429);
  EXPECT_EQ(Call("GET", "/orders/v0/orders/" + id + "/orderItems")->status, 200);
}

TEST_F(RateLimitTest, ControlApiAndScenarioOverrideRateAndBurst) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const auto put = client_->Put("/_emulator/rate-limits/getOrder", R"({"rate":100,"burst":3})",
                                "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 204);
  for (int i = 0; i < 3; ++i) {
    const auto result = Call("GET", "/orders/2026-01-01/orders/" + id);
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->get_header_value("x-amzn-RateLimit-Limit"), "100");
  }
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 429);
  clock_.Advance(std::chrono::milliseconds(10));
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id)->status, 200);
  EXPECT_EQ(client_
                ->Put("/_emulator/rate-limits/noSuchOperation", R"({"rate":1,"burst":1})",
                      "application/json")
                ->status,
            404);

  StartEmulator("[rate_limits.getListingsItem]\nrate = 1\nburst = 2\n");
  const std::string path =
      "/listings/2021-08-01/items/A2EMULATORSELLER/SB-MUG-001?marketplaceIds=A1F83G8C2ARO7P";
  EXPECT_EQ(Call("GET", path)->status, 200);
  EXPECT_EQ(Call("GET", path)->status, 200);
  EXPECT_EQ(Call("GET", path)->status, 429);
}

TEST(FormatRateTest, WritesTheRateAsAmazonDoes) {
  EXPECT_EQ(FormatRate(0.0167), "0.0167");
  EXPECT_EQ(FormatRate(2), "2");
  EXPECT_EQ(FormatRate(0.5), "0.5");
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
