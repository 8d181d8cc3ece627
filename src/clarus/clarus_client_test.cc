// The Clarus connector's transport against the Clarus emulator over loopback.
#include "clarus/clarus_client.h"

#include <gtest/gtest.h>

#include <set>

#include "clarus/connector_test_fixture.h"
#include "emulators/clarus/clarus_emulator.h"

namespace sellerbridge::clarus {
namespace {

namespace emulator = ::sellerbridge::emulators::clarus;
using nlohmann::json;

class ClarusClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = emulator::ClarusEmulator::Create({.seed = 3}, SystemClock::Get());
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = std::move(created).value();
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    const emulator::Scenario& scenario = emulator_->GetScenario();
    http::OAuthGrant grant = http::ClientCredentialsGrant(
        "clarus", emulator_->BaseUrl() + "/oauth/token", scenario.credentials[0].client_id,
        scenario.credentials[0].client_secret);
    grant.headers.emplace("X-Clarus-Subdomain", scenario.subdomain);
    tokens_ = std::make_unique<http::OAuthTokenProvider>(grant, &http_, SystemClock::Get());
    client_ = std::make_unique<ClarusClient>(
        ClarusClientOptions{.api_base = emulator_->BaseUrl() + emulator_->ApiPrefix(),
                            .graphql_url = emulator_->BaseUrl() + "/graphql",
                            .subdomain = scenario.subdomain,
                            .initial_backoff = std::chrono::milliseconds{1},
                            .max_backoff = std::chrono::milliseconds{5}},
        &http_, tokens_.get(), SystemClock::Get());
  }

  // Creates `count` more products in the emulated tenant.
  void AddProducts(int count) {
    const std::int64_t account = emulator_->GetScenario().accounts.at(0).id;
    for (int i = 0; i < count; ++i) {
      std::vector<emulator::FieldError> errors;
      ASSERT_TRUE(emulator_->GetWarehouse()
                      .CreateProduct({.account_id = account,
                                      .product_code = "EXTRA-" + std::to_string(i),
                                      .name = "Extra"},
                                     &errors)
                      .ok());
    }
  }

  int ProductCount() {
    int count = 0;
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      count = static_cast<int>(state.products.size());
    });
    return count;
  }

  std::unique_ptr<emulator::ClarusEmulator> emulator_;
  http::CurlHttpClient http_;
  std::unique_ptr<http::OAuthTokenProvider> tokens_;
  std::unique_ptr<ClarusClient> client_;
};

TEST_F(ClarusClientTest, PagesThroughAConnectionToTheEnd) {
  AddProducts(23);
  const auto nodes = client_->GraphqlAll("products", "id product_code", nullptr, 5);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  EXPECT_EQ(static_cast<int>(nodes->size()), ProductCount());
  std::set<std::string> codes;
  for (const json& node : *nodes) {
    codes.insert(node.at("product_code").get<std::string>());
  }
  EXPECT_EQ(codes.size(), nodes->size()) << "no node twice";
}

TEST_F(ClarusClientTest, FiltersWithTheDocumentedOperators) {
  AddProducts(12);
  const auto nodes = client_->GraphqlAll("products", "id product_code",
                                         json{{"product_code", {{"like", "EXTRA-1%"}}}}, 5);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  EXPECT_EQ(nodes->size(), 3U);  // EXTRA-1, EXTRA-10, EXTRA-11.
}

TEST_F(ClarusClientTest, GraphqlErrorsAreInvalidArgumentWithTheirMessages) {
  const auto data = client_->Graphql("{ products { all(first: 1) { edges { node { nope } } } } }",
                                     json::object());
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(data.status().message().find("nope"), std::string::npos) << data.status();
}

TEST_F(ClarusClientTest, ValidationErrorsNameTheField) {
  json attributes = {{"reference", "203-0000000-0000001"},
                     {"account_id", 999999},
                     {"lines_changes", json::array()}};
  const json body = {{"data", {{"type", "goods_outs"}, {"attributes", attributes}}}};
  const auto created = client_->Rest("POST", "/goods_outs", body, /*idempotent=*/false);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(created.status().message().find("/data/attributes/account_id"), std::string::npos)
      << created.status();
}

TEST_F(ClarusClientTest, EndedSessionIsRecoveredWithAFreshToken) {
  ASSERT_TRUE(client_->GraphqlAll("products", "id", nullptr).ok());
  EXPECT_GT(emulator_->EndSession(emulator_->GetScenario().credentials[0].user), 0);
  ASSERT_TRUE(client_->GraphqlAll("products", "id", nullptr).ok());
  EXPECT_EQ(tokens_->Refreshes(), 2);
}

TEST_F(ClarusClientTest, ServerErrorsAndThrottlingAreRetried) {
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kServerError, .count = 2});
  emulator_->Faults().Inject(
      {.kind = emulator::FaultKind::kRateLimited, .retry_after = std::chrono::seconds{1}});
  const auto nodes = client_->GraphqlAll("products", "id", nullptr);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  EXPECT_FALSE(nodes->empty());
}

TEST_F(ClarusClientTest, ALostCreateIsNotRepeated) {
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kResponseLost,
                              .method = "POST",
                              .delay = std::chrono::milliseconds{3000}});
  http::CurlHttpClient impatient({.total_timeout = std::chrono::milliseconds{300}});
  ClarusClient client({.api_base = emulator_->BaseUrl() + emulator_->ApiPrefix(),
                       .graphql_url = emulator_->BaseUrl() + "/graphql",
                       .subdomain = emulator_->GetScenario().subdomain},
                      &impatient, tokens_.get(), SystemClock::Get());
  const json attributes = {{"product_code", "LOST-1"},
                           {"name", "Lost"},
                           {"account_id", emulator_->GetScenario().accounts.at(0).id}};
  const json body = {{"data", {{"type", "products"}, {"attributes", attributes}}}};
  const int before = ProductCount();
  const auto created = client.Rest("POST", "/products", body, /*idempotent=*/false);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kDeadlineExceeded);
  // It was committed once, and not sent again.
  EXPECT_EQ(ProductCount(), before + 1);
}

TEST(GraphqlLiteralTest, WritesInputObjects) {
  EXPECT_EQ(GraphqlLiteral(json{{"status", {{"in", {"PENDING", "PICK"}}}},
                                {"id", {{"gt", 5}}},
                                {"reference", {{"eq", "a\"b"}}}}),
            R"({id: {gt: 5}, reference: {eq: "a\"b"}, status: {in: ["PENDING", "PICK"]}})");
  EXPECT_EQ(GraphqlLiteral(json{{"filled", true}, {"x", nullptr}}), "{filled: true, x: null}");
}

// Authentication on the emulator's virtual clock.
class ClarusAuthTest : public ClarusConnectorTest {
 protected:
  int GoodsOutsWithReference(const std::string& reference) {
    int count = 0;
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      for (const auto& [id, order] : state.goods_outs) {
        count += order.reference == reference ? 1 : 0;
      }
    });
    return count;
  }
};

TEST_F(ClarusAuthTest, ATokenThatExpiredOnClarusIsRefreshedAndTheCallRepeated) {
  ASSERT_TRUE(client_->GraphqlAll("products", "id", nullptr).ok());
  EXPECT_EQ(tokens_->Refreshes(), 1);
  // Clarus's clock passes the token's two hours; ours has not noticed.
  Advance(std::chrono::hours{3});
  const auto nodes = client_->GraphqlAll("products", "id", nullptr);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  EXPECT_EQ(nodes->size(), 3U);
  EXPECT_EQ(tokens_->Refreshes(), 2);
}

TEST_F(ClarusAuthTest, ASessionEndedByAUiLoginDuringACreateIsReAuthenticatedWithoutADuplicate) {
  ASSERT_TRUE(client_->GraphqlAll("products", "id", nullptr).ok());
  // The API user logs into the UI just as the create arrives: Clarus answers
  // 401 before doing anything, so the create is sent once more, with a new
  // token, and lands once.
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kSessionEnded,
                              .method = "POST",
                              .path_prefix = emulator_->ApiPrefix() + "/goods_outs"});
  const auto created = goods_outs_->Create(Request("203-6666666-0000001"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->already_existed);
  EXPECT_EQ(tokens_->Refreshes(), 2);
  EXPECT_EQ(GoodsOutsWithReference("203-6666666-0000001"), 1);
}

TEST_F(ClarusAuthTest, ATokenRejectedAgainAfterARefreshIsUnauthenticated) {
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kExpiredToken, .count = 2});
  const auto nodes = client_->GraphqlAll("products", "id", nullptr);
  ASSERT_FALSE(nodes.ok());
  EXPECT_EQ(nodes.status().code(), StatusCode::kUnauthenticated) << nodes.status();
  EXPECT_EQ(tokens_->Refreshes(), 2) << "one refresh per call, not a loop";
}

TEST_F(ClarusAuthTest, AGatewayErrorOnAWriteIsNotRepeatedButOnAReadIs) {
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kServerError, .status = 502});
  ASSERT_TRUE(client_->GraphqlAll("products", "id", nullptr).ok());

  emulator_->Faults().Inject({.kind = emulator::FaultKind::kServerError,
                              .method = "POST",
                              .path_prefix = emulator_->ApiPrefix() + "/products",
                              .status = 502});
  const json attributes = {{"product_code", "GW-1"}, {"name", "Gateway"}, {"account_id", 1}};
  const auto created = client_->Rest(
      "POST", "/products", json{{"data", {{"type", "products"}, {"attributes", attributes}}}},
      /*idempotent=*/false);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kUnavailable) << created.status();
}

}  // namespace
}  // namespace sellerbridge::clarus
