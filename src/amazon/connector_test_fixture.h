#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "amazon/quota_broker.h"
#include "amazon/rate_limit_table.h"
#include "amazon/restricted_data_tokens.h"
#include "amazon/sp_api_client.h"
#include "base/clock.h"
#include "emulators/amazon/amazon_emulator.h"
#include "http/client.h"
#include "http/oauth_token_provider.h"

namespace sellerbridge::amazon {

namespace emulator = ::sellerbridge::emulators::amazon;

// The Amazon emulator on loopback and a client stack pointed at it: Login
// with Amazon tokens, the quota broker with Amazon's documented limits, the
// SP-API client with millisecond backoffs, restricted data tokens. The
// emulator runs on an OffsetClock over the system clock, so a test can move
// Amazon's time without waiting.
class AmazonConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override { StartEmulator({}); }

  void StartEmulator(const std::string& scenario_toml) {
    emulator::AmazonEmulatorOptions options{.seed = 7};
    if (!scenario_toml.empty()) {
      options.scenario_toml = scenario_toml;
    }
    auto created = emulator::AmazonEmulator::Create(options, &emulator_clock_);
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = std::move(created).value();
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    const emulator::Scenario& scenario = emulator_->GetScenario();
    base_url_ = "http://127.0.0.1:" + std::to_string(emulator_->Port());
    tokens_ = std::make_unique<http::OAuthTokenProvider>(
        http::LwaRefreshTokenGrant(base_url_ + "/auth/o2/token", scenario.lwa_client_id,
                                   scenario.lwa_client_secret, scenario.refresh_tokens.front()),
        &http_, SystemClock::Get());
    client_ = std::make_unique<SpApiClient>(
        SpApiClientOptions{.endpoint = base_url_,
                           .seller_id = scenario.seller_id,
                           .region = "EU",
                           .max_attempts = 3,
                           .initial_backoff = std::chrono::milliseconds{1},
                           .max_backoff = std::chrono::milliseconds{5}},
        &http_, tokens_.get(), &broker_, SystemClock::Get());
    rdts_ = std::make_unique<RestrictedDataTokens>(client_.get(), SystemClock::Get());
  }

  // Places an order of `quantity` × the scenario's first SKU; returns its id.
  std::string PlaceOrder(int quantity = 1) {
    emulator::NewOrder order;
    order.lines.push_back({.sku = emulator_->GetScenario().catalogue.front().sku,
                           .quantity = quantity,
                           .order_item_id = std::nullopt});
    auto id = emulator_->AddOrder(order);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : std::string();
  }

  OffsetClock emulator_clock_{SystemClock::Get()};
  std::unique_ptr<emulator::AmazonEmulator> emulator_;
  std::string base_url_;
  http::CurlHttpClient http_;
  QuotaBroker broker_{SystemClock::Get(), DocumentedRateLimits()};
  std::unique_ptr<http::OAuthTokenProvider> tokens_;
  std::unique_ptr<SpApiClient> client_;
  std::unique_ptr<RestrictedDataTokens> rdts_;
};

}  // namespace sellerbridge::amazon
