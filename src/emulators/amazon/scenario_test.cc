#include "emulators/amazon/scenario.h"

#include <gtest/gtest.h>

namespace sellerbridge::emulators::amazon {
namespace {

TEST(ScenarioTest, ParsesEverySection) {
  const auto scenario = ParseScenario(R"(
seller_id = "A1SELLER"
marketplace_ids = ["A1F83G8C2ARO7P", "A1PA6795UKMFR9"]
listing_processing_seconds = 30

[lwa]
client_id = "amzn1.application-oa2-client.test"
client_secret = "s"
refresh_tokens = ["Atzr|a", "Atzr|b"]

[[catalogue]]
sku = "A-1"
asin = "B000000001"
title = "Mug"
product_type = "DRINKING_CUP"
category = "Kitchen"
quantity = 12
price = "9.5"

[generator]
enabled = true
orders_per_day = 1000
prime_share = 0.3
handling_days = 2
cutoff_hour = 13
service_levels = [{ name = "Std", category = "Standard", share = 1.0 }]

[rate_limits.confirmShipment]
rate = 50
burst = 100

[faults.confirmShipment]
error_rate = 0.01
silent_drop_rate = 0.02
)",
                                      "test.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  EXPECT_EQ(scenario->seller_id, "A1SELLER");
  EXPECT_EQ(scenario->marketplace_ids.size(), 2U);
  EXPECT_EQ(scenario->listing_processing_seconds, 30);
  EXPECT_EQ(scenario->refresh_tokens.size(), 2U);
  ASSERT_EQ(scenario->catalogue.size(), 1U);
  EXPECT_EQ(scenario->catalogue[0].price_minor, 950);
  EXPECT_EQ(scenario->catalogue[0].quantity, 12);
  EXPECT_TRUE(scenario->generator.enabled);
  EXPECT_EQ(scenario->generator.handling_days, 2);
  EXPECT_EQ(scenario->generator.service_levels.size(), 1U);
  EXPECT_EQ(scenario->rate_overrides.at("confirmShipment").burst, 100);
  EXPECT_DOUBLE_EQ(scenario->faults.at("confirmShipment").silent_drop_rate, 0.02);
}

TEST(ScenarioTest, RejectsBadValuesNamingTheKey) {
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"marketplace_ids = [\"NOPE\"]", "marketplace_ids"},
           {"seller_id = 5", "seller_id"},
           {"[generator]\nprime_share = 2.0", "generator.prime_share"},
           {"[[catalogue]]\nsku = \"A\"\n[[catalogue]]\nsku = \"A\"", "sku"},
           {"[[catalogue]]\nsku = \"A\"\nprice = \"1,50\"", "price"},
           {"[faults.getOrder]\nerror_rate = -1", "faults.getOrder.error_rate"},
           {"seller_id = ", "test.toml:1"},
       }) {
    const auto scenario = ParseScenario(text, "test.toml");
    ASSERT_FALSE(scenario.ok()) << text;
    EXPECT_EQ(scenario.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(scenario.status().message().find(key), std::string::npos) << scenario.status();
  }
  EXPECT_EQ(LoadScenarioFile("/nonexistent/scenario.toml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
