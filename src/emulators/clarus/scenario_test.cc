#include "emulators/clarus/scenario.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sellerbridge::emulators::clarus {
namespace {

TEST(ScenarioTest, DefaultTenantHasUkCarriersWithRoyalMailTrackedServices) {
  const Scenario s = Scenario::Default();
  EXPECT_EQ(s.max_page_size, 50);
  const auto has = [&](const std::string& code, const std::string& name) {
    return std::any_of(s.carrier_services.begin(), s.carrier_services.end(),
                       [&](const CarrierService& c) { return c.code == code && c.name == name; });
  };
  EXPECT_TRUE(has("RM24", "Royal Mail Tracked 24"));
  EXPECT_TRUE(has("RM48", "Royal Mail Tracked 48"));
  for (const char* carrier : {"ROYALMAIL", "DPD", "PARCELFORCE", "EVRI", "UPS", "DHL"}) {
    EXPECT_TRUE(std::any_of(s.carriers.begin(), s.carriers.end(), [&](const Carrier& c) {
      return c.code == carrier;
    })) << carrier;
  }
}

TEST(ScenarioTest, ParsesTomlOverridingDefaults) {
  auto s = ParseScenario(R"(
subdomain = "acme"
api_prefix = "/api/v1"
max_page_size = 5
unique_reference = false
token_lifetime = "30m"

[[credentials]]
client_id = "id"
client_secret = "secret"
user = "integration"

[[carriers]]
id = 9
code = "ROYALMAIL"
name = "Royal Mail"
tracking_format = "AA#########GB"
collection_time = "15:30"
tracking_delay = "1h"
  [[carriers.services]]
  id = 90
  code = "RM24"
  name = "Royal Mail Tracked 24"

[rates]
pick_units_per_hour = 100
split_rate = 0.5

[faults]
rate_limited = 0.1
lost_response_stall = "3s"

[webhooks]
url = "http://127.0.0.1:9/hook"
duplicate_rate = 0.2
late_delay = "3h"
)",
                         "acme.toml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->subdomain, "acme");
  EXPECT_EQ(s->api_prefix, "/api/v1");
  EXPECT_EQ(s->max_page_size, 5);
  EXPECT_FALSE(s->unique_reference);
  EXPECT_EQ(s->token_lifetime, std::chrono::minutes{30});
  ASSERT_EQ(s->credentials.size(), 1U);
  EXPECT_EQ(s->credentials[0].user, "integration");
  ASSERT_EQ(s->carriers.size(), 1U);
  EXPECT_EQ(s->carriers[0].collection_time, std::chrono::minutes{15 * 60 + 30});
  EXPECT_EQ(s->carriers[0].tracking_delay, std::chrono::hours{1});
  ASSERT_EQ(s->carrier_services.size(), 1U);
  EXPECT_EQ(s->carrier_services[0].carrier_id, 9);
  EXPECT_EQ(s->rates.pick_units_per_hour, 100);
  EXPECT_EQ(s->rates.split_rate, 0.5);
  EXPECT_EQ(s->faults.lost_response_stall, std::chrono::seconds{3});
  EXPECT_EQ(s->webhooks.late_delay, std::chrono::hours{3});
  EXPECT_EQ(s->accounts.size(), 1U);  // Kept from the default.
}

TEST(ScenarioTest, RejectsUnknownKeysAndBadValuesNamingFileAndLine) {
  auto unknown = ParseScenario("subdomain = \"a\"\n[rates]\npick_rate = 3\n", "s.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("s.toml:3: rates.pick_rate"), std::string::npos)
      << unknown.status();
  auto rate = ParseScenario("[webhooks]\ndrop_rate = 2\n", "s.toml");
  ASSERT_FALSE(rate.ok());
  EXPECT_NE(rate.status().message().find("between 0 and 1"), std::string::npos);
  auto syntax = ParseScenario("subdomain = \n", "s.toml");
  EXPECT_FALSE(syntax.ok());
  EXPECT_EQ(LoadScenario("/nonexistent/scenario.toml").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sellerbridge::emulators::clarus
