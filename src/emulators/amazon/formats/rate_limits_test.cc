#include "emulators/amazon/formats/rate_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace sellerbridge::emulators::amazon {
namespace {

using ::testing::HasSubstr;

const RateLimit* Find(const std::vector<RateLimit>& limits, std::string_view operation) {
  const auto it = std::find_if(limits.begin(), limits.end(), [&](const RateLimit& limit) {
    return limit.operation == operation;
  });
  return it == limits.end() ? nullptr : &*it;
}

TEST(RateLimitsTest, DefaultTableHasEveryOperation) {
  const std::vector<RateLimit>& limits = DefaultRateLimits();
  EXPECT_EQ(limits.size(), 77U);
  const RateLimit* confirm = Find(limits, "confirmShipment");
  ASSERT_NE(confirm, nullptr);
  EXPECT_EQ(confirm->api, "Orders v0");
  EXPECT_EQ(confirm->method, "POST");
  EXPECT_EQ(confirm->path, "/orders/v0/orders/{orderId}/shipmentConfirmation");
  EXPECT_DOUBLE_EQ(confirm->rate_per_second, 2);
  EXPECT_EQ(confirm->burst, 10);
  const RateLimit* get_orders = Find(limits, "getOrders");
  ASSERT_NE(get_orders, nullptr);
  EXPECT_DOUBLE_EQ(get_orders->rate_per_second, 0.0167);
  EXPECT_EQ(get_orders->burst, 20);
}

TEST(RateLimitsTest, FindsColumnsByNameAndToleratesCrlf) {
  const auto limits = ParseRateLimits(
      "burst\tpath\toperation\tapi\trate_per_second\thttp_method\r\n"
      "5\t/a/{id}\top\tApi v1\t0.5\tGET\r\n"
      "\n");
  ASSERT_TRUE(limits.ok()) << limits.status();
  ASSERT_EQ(limits->size(), 1U);
  EXPECT_EQ((*limits)[0].api, "Api v1");
  EXPECT_EQ((*limits)[0].operation, "op");
  EXPECT_EQ((*limits)[0].method, "GET");
  EXPECT_EQ((*limits)[0].path, "/a/{id}");
  EXPECT_DOUBLE_EQ((*limits)[0].rate_per_second, 0.5);
  EXPECT_EQ((*limits)[0].burst, 5);
}

TEST(RateLimitsTest, RejectsMalformedRowsNamingTheLine) {
  constexpr std::string_view kHeader =
      "api\toperation\thttp_method\tpath\trate_per_second\tburst\n";
  const std::string bad_rate = std::string(kHeader) + "A\tb\tGET\t/p\tfast\t5\n";
  const auto rate = ParseRateLimits(bad_rate);
  EXPECT_EQ(rate.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(rate.status().message(), HasSubstr("line 2"));
  EXPECT_THAT(rate.status().message(), HasSubstr("fast"));

  const auto burst = ParseRateLimits(std::string(kHeader) + "A\tb\tGET\t/p\t1\t0\n");
  EXPECT_EQ(burst.status().code(), StatusCode::kInvalidArgument);

  const auto fields = ParseRateLimits(std::string(kHeader) + "A\tb\tGET\t/p\t1\n");
  EXPECT_THAT(fields.status().message(), HasSubstr("5 fields, expected 6"));

  const auto path = ParseRateLimits(std::string(kHeader) + "A\tb\tGET\tp\t1\t1\n");
  EXPECT_EQ(path.status().code(), StatusCode::kInvalidArgument);
}

TEST(RateLimitsTest, RejectsMissingHeaderOrColumn) {
  EXPECT_EQ(ParseRateLimits("").status().code(), StatusCode::kInvalidArgument);
  const auto missing = ParseRateLimits("api\toperation\tpath\trate_per_second\tburst\n");
  EXPECT_THAT(missing.status().message(), HasSubstr("http_method"));
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
