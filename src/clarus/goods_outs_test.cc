// Goods-out operations against the Clarus emulator over loopback.
#include "clarus/goods_outs.h"

#include <gtest/gtest.h>

#include "emulators/clarus/clarus_emulator.h"

namespace sellerbridge::clarus {
namespace {

namespace emulator = ::sellerbridge::emulators::clarus;
using nlohmann::json;

class GoodsOutsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = emulator::ClarusEmulator::Create({.seed = 5}, SystemClock::Get());
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = std::move(created).value();
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    const emulator::Scenario& scenario = emulator_->GetScenario();
    http::OAuthGrant grant = http::ClientCredentialsGrant(
        "clarus", emulator_->BaseUrl() + "/oauth/token", scenario.credentials[0].client_id,
        scenario.credentials[0].client_secret);
    grant.headers.emplace("X-Clarus-Subdomain", scenario.subdomain);
    tokens_ = std::make_unique<http::OAuthTokenProvider>(grant, &http_, SystemClock::Get());
    client_ = MakeClient(&http_);
    goods_outs_ = std::make_unique<GoodsOuts>(client_.get());
  }

  std::unique_ptr<ClarusClient> MakeClient(http::HttpClient* http) {
    return std::make_unique<ClarusClient>(
        ClarusClientOptions{.api_base = emulator_->BaseUrl() + emulator_->ApiPrefix(),
                            .graphql_url = emulator_->BaseUrl() + "/graphql",
                            .subdomain = emulator_->GetScenario().subdomain,
                            .initial_backoff = std::chrono::milliseconds{1},
                            .max_backoff = std::chrono::milliseconds{5}},
        http, tokens_.get(), SystemClock::Get());
  }

  GoodsOutRequest Request(const std::string& reference) {
    const emulator::Scenario& scenario = emulator_->GetScenario();
    GoodsOutRequest request;
    request.reference = reference;
    request.account_id = std::to_string(scenario.accounts.at(0).id);
    request.warehouse_id = std::to_string(scenario.warehouses.at(0).id);
    request.carrier_service_id = std::to_string(scenario.carrier_services.at(0).id);
    request.carrier_id = std::to_string(scenario.carrier_services.at(0).carrier_id);
    request.expected_date_of_dispatch = "2026-12-01";
    request.address = {{"name", "J Doe"},
                       {"address_1", "1 High St"},
                       {"address_2", "Leeds"},
                       {"postcode", "LS1 1AA"},
                       {"country_code", "GB"}};
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      const emulator::Product& product = state.products.begin()->second;
      request.lines.push_back({.product_id = std::to_string(product.id),
                               .quantity = 1,
                               .alt_line_reference = "11111111111111",
                               .alt_product_code = product.product_code});
    });
    return request;
  }

  int GoodsOutsWithReference(const std::string& reference) {
    int count = 0;
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      for (const auto& [id, order] : state.goods_outs) {
        count += order.reference == reference ? 1 : 0;
      }
    });
    return count;
  }

  std::unique_ptr<emulator::ClarusEmulator> emulator_;
  http::CurlHttpClient http_;
  std::unique_ptr<http::OAuthTokenProvider> tokens_;
  std::unique_ptr<ClarusClient> client_;
  std::unique_ptr<GoodsOuts> goods_outs_;
};

TEST_F(GoodsOutsTest, CreatesOnceAndFindsItByReference) {
  const auto first = goods_outs_->Create(Request("203-1111111-0000001"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->already_existed);
  const auto second = goods_outs_->Create(Request("203-1111111-0000001"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->already_existed);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(GoodsOutsWithReference("203-1111111-0000001"), 1);
  const auto found = goods_outs_->FindByReference("203-1111111-0000001");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, first->id);
  EXPECT_EQ((*found)->status, "PENDING");
}

TEST_F(GoodsOutsTest, ATimeoutAfterCommitIsResolvedByLookupWithoutADuplicate) {
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kResponseLost,
                              .method = "POST",
                              .path_prefix = emulator_->ApiPrefix() + "/goods_outs",
                              .delay = std::chrono::milliseconds{3000}});
  http::CurlHttpClient impatient({.total_timeout = std::chrono::milliseconds{500}});
  const auto client = MakeClient(&impatient);
  GoodsOuts goods_outs(client.get());
  const auto created = goods_outs.Create(Request("203-1111111-0000002"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->already_existed);
  EXPECT_EQ(GoodsOutsWithReference("203-1111111-0000002"), 1);
}

TEST_F(GoodsOutsTest, RejectedFieldsAreNamed) {
  GoodsOutRequest request = Request("203-1111111-0000003");
  request.lines[0].product_id = "999999";
  const auto created = goods_outs_->Create(request);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(created.status().message().find("lines_changes/0"), std::string::npos)
      << created.status();
}

TEST_F(GoodsOutsTest, CancelFollowsClarusRulesPerStatus) {
  const auto pending = goods_outs_->Create(Request("203-1111111-0000004"));
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_TRUE(goods_outs_->Cancel(pending->id).ok());
  EXPECT_EQ(GoodsOutsWithReference("203-1111111-0000004"), 0);  // PENDING ones are deleted.

  const auto done = goods_outs_->Create(Request("203-1111111-0000005"));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_TRUE(emulator_->GetWarehouse().CompleteNow(std::stoll(done->id)).ok());
  const Status cancel = goods_outs_->Cancel(done->id);
  EXPECT_EQ(cancel.code(), StatusCode::kFailedPrecondition) << cancel;
}

TEST_F(GoodsOutsTest, ListsWhatChangedSinceAWatermark) {
  ASSERT_TRUE(goods_outs_->Create(Request("203-1111111-0000006")).ok());
  ASSERT_TRUE(goods_outs_->Create(Request("203-1111111-0000007")).ok());
  const auto changed = goods_outs_->UpdatedSince("2000-01-01T00:00:00Z", 1);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->size(), 2U);
  const auto none = goods_outs_->UpdatedSince("2200-01-01T00:00:00Z");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace sellerbridge::clarus
