#include "emulators/clarus/clarus_emulator.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace sellerbridge::emulators::clarus {
namespace {

using nlohmann::json;

class ClarusEmulatorTest : public ::testing::Test {
 protected:
  void Start(const std::string& prefix = "/api", Scenario scenario = Scenario::Default()) {
    ClarusEmulatorOptions options;
    options.scenario = std::move(scenario);
    options.api_prefix = prefix;
    auto created = ClarusEmulator::Create(options, &clock_);
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = std::move(*created);
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", emulator_->Port());
    token_ = Token();
  }

  void TearDown() override {
    if (emulator_) {
      emulator_->Stop();
    }
  }

  std::string Token() {
    auto res = client_->Post("/oauth/token",
                             "grant_type=client_credentials&client_id=emulator-client&"
                             "client_secret=emulator-secret",
                             "application/x-www-form-urlencoded");
    EXPECT_TRUE(res && res->status == 200);
    return res ? json::parse(res->body).value("access_token", "") : "";
  }

  httplib::Headers Headers(const std::string& token) const {
    return {{"Authorization", "Bearer " + token}, {"X-Clarus-Subdomain", "sellerbridge-test"}};
  }

  std::pair<int, json> Call(const std::string& method, const std::string& path,
                            const json& body = nullptr, const std::string& token = "") {
    const auto headers = Headers(token.empty() ? token_ : token);
    httplib::Result res =
        method == "GET"     ? client_->Get(path, headers)
        : method == "PATCH" ? client_->Patch(path, headers, body.dump(), "application/vnd.api+json")
                            : client_->Post(path, headers, body.dump(), "application/vnd.api+json");
    if (!res) {
      return {0, nullptr};
    }
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  static json GoodsOutBody(const std::string& reference, std::int64_t product = 1,
                           std::int64_t quantity = 2) {
    return {{"data",
             {{"type", "goods_outs"},
              {"attributes",
               {{"goods_out_type", "sales_order"},
                {"reference", reference},
                {"account_id", 1},
                {"warehouse_id", "1"},
                {"carrier_id", 1},
                {"carrier_service_id", 1},
                {"external_system_reference1", "amazon:" + reference},
                {"addresses",
                 {{{"name", "A Buyer"},
                   {"address_1", "1 High Street"},
                   {"postcode", "SW1A 1AA"},
                   {"country_code", "GB"}}}},
                {"lines_changes",
                 {{{"type", "ADD"},
                   {"attributes",
                    {{"product_id", product},
                     {"order_quantity", quantity},
                     {"alt_line_reference", "item-1"}}}}}}}}}}};
  }

  json Graphql(const std::string& query) {
    auto res = client_->Post("/graphql", Headers(token_), json{{"query", query}}.dump(),
                             "application/json");
    EXPECT_TRUE(res && res->status == 200);
    return res ? json::parse(res->body) : json();
  }

  int CountByReference(const std::string& reference) {
    return Graphql("{ goods_outs { all(filter: {reference: {eq: \"" + reference +
                   "\"}}) { totalCount } } }")["data"]["goods_outs"]["all"]["totalCount"];
  }

  VirtualClock clock_{*ParseIso8601("2026-11-27T08:00:00Z")};
  std::unique_ptr<ClarusEmulator> emulator_;
  std::unique_ptr<httplib::Client> client_;
  std::string token_;
};

TEST_F(ClarusEmulatorTest, TokenEndpointTakesFormOrJsonClientCredentials) {
  Start();
  EXPECT_EQ(token_.size(), 32U);
  auto as_json = client_->Post("/oauth/token",
                               json{{"grant_type", "client_credentials"},
                                    {"client_id", "emulator-client"},
                                    {"client_secret", "emulator-secret"}}
                                   .dump(),
                               "application/json");
  ASSERT_TRUE(as_json);
  const json token = json::parse(as_json->body);
  EXPECT_EQ(token["token_type"], "Bearer");
  EXPECT_EQ(token["expires_in"], 7200);
  auto wrong = client_->Post("/oauth/token",
                             "grant_type=client_credentials&client_id=emulator-client&"
                             "client_secret=nope",
                             "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(json::parse(wrong->body)["error"], "invalid_client");
  auto grant =
      client_->Post("/oauth/token", "grant_type=password", "application/x-www-form-urlencoded");
  EXPECT_EQ(grant->status, 400);
}

TEST_F(ClarusEmulatorTest, CallsNeedAKnownSubdomainAndAnUnexpiredToken) {
  Start();
  auto no_tenant = client_->Get("/api/products", {{"Authorization", "Bearer " + token_}});
  EXPECT_EQ(no_tenant->status, 401);
  auto other_tenant = client_->Get(
      "/api/products", {{"Authorization", "Bearer " + token_}, {"X-Clarus-Subdomain", "other"}});
  EXPECT_EQ(other_tenant->status, 401);
  EXPECT_EQ(Call("GET", "/api/products").first, 200);
  EXPECT_EQ(Call("GET", "/api/products", nullptr, "forged").first, 401);
  clock_.Advance(std::chrono::hours{2});
  const auto [status, body] = Call("GET", "/api/products");
  EXPECT_EQ(status, 401);
  EXPECT_EQ(body["errors"][0]["detail"], "The access token expired");
  EXPECT_EQ(Call("GET", "/api/products", nullptr, Token()).first, 200);
}

TEST_F(ClarusEmulatorTest, UiLoginEndsEveryTokenOfTheApiUser) {
  Start();
  const std::string second = Token();
  auto ended =
      client_->Post("/_emulator/auth/end_session", R"({"user":"api-user"})", "application/json");
  ASSERT_TRUE(ended);
  EXPECT_EQ(json::parse(ended->body)["revoked_tokens"], 2);
  EXPECT_EQ(Call("GET", "/api/products").first, 401);
  EXPECT_EQ(Call("GET", "/api/products", nullptr, second).first, 401);
  token_ = Token();
  EXPECT_EQ(Call("GET", "/api/products").first, 200);

  emulator_->Faults().Inject({FaultKind::kSessionEnded});
  EXPECT_EQ(Call("GET", "/api/products").first, 401);
  EXPECT_EQ(Call("GET", "/api/products").first, 401);  // The token stays revoked.
  emulator_->Faults().Inject({FaultKind::kExpiredToken});
  token_ = Token();
  EXPECT_EQ(Call("GET", "/api/products").second["errors"][0]["detail"], "The access token expired");
}

TEST_F(ClarusEmulatorTest, GoodsOutRoundTripsThroughRestAndGraphqlUnderTheV1Prefix) {
  Start("/api/v1");
  EXPECT_EQ(Call("POST", "/api/goods_outs", GoodsOutBody("SO-1")).first, 404);
  const auto [status, created] = Call("POST", "/api/v1/goods_outs", GoodsOutBody("SO-1"));
  ASSERT_EQ(status, 201) << created.dump();
  EXPECT_EQ(created["data"]["type"], "goods_outs");
  EXPECT_EQ(created["data"]["attributes"]["status"], "PENDING");
  EXPECT_EQ(created["data"]["attributes"]["address"]["postcode"], "SW1A 1AA");
  ASSERT_EQ(created["included"].size(), 1U);
  EXPECT_EQ(created["included"][0]["attributes"]["alt_line_reference"], "item-1");
  const std::string id = created["data"]["id"];

  json patch = {
      {"data",
       {{"type", "goods_outs"},
        {"id", id},
        {"attributes",
         {{"delivery_notes", "Leave with neighbour"},
          {"lines_changes",
           {{{"type", "UPDATE"},
             {"attributes", {{"id", created["included"][0]["id"]}, {"order_quantity", 3}}}}}}}}}}};
  const auto [patched_status, patched] = Call("PATCH", "/api/v1/goods_outs/" + id, patch);
  ASSERT_EQ(patched_status, 200) << patched.dump();
  EXPECT_EQ(patched["included"][0]["attributes"]["order_quantity"], 3);

  const json read =
      Graphql(R"({ goods_outs { all(filter: {external_system_reference1: {eq: "amazon:SO-1"}}) {
      edges { node { id reference delivery_notes goods_out_lines { order_quantity } } } } } })");
  const json& node = read["data"]["goods_outs"]["all"]["edges"][0]["node"];
  EXPECT_EQ(node["id"], id);
  EXPECT_EQ(node["delivery_notes"], "Leave with neighbour");
  EXPECT_EQ(node["goods_out_lines"][0]["order_quantity"], 3);
}

TEST_F(ClarusEmulatorTest, CancelFollowsTheRulesOfEachStatus) {
  Start();
  const std::string pending =
      Call("POST", "/api/goods_outs", GoodsOutBody("P")).second["data"]["id"];
  const auto [deleted_status, deleted] = Call("POST", "/api/goods_outs/" + pending + "/cancel");
  EXPECT_EQ(deleted_status, 200);
  EXPECT_EQ(deleted["meta"]["deleted"], true);
  EXPECT_EQ(Call("GET", "/api/goods_outs/" + pending).first, 404);

  const std::string done = Call("POST", "/api/goods_outs", GoodsOutBody("C")).second["data"]["id"];
  auto complete =
      client_->Post("/_emulator/goods_outs/" + done + "/complete", "", "application/json");
  ASSERT_EQ(complete->status, 200) << complete->body;
  const auto [refused, why] = Call("POST", "/api/goods_outs/" + done + "/cancel");
  EXPECT_EQ(refused, 422);
  EXPECT_NE(why["errors"][0]["detail"].get<std::string>().find("COMPLETED"), std::string::npos);

  const std::string allocated =
      Call("POST", "/api/goods_outs", GoodsOutBody("A")).second["data"]["id"];
  ASSERT_EQ(
      client_->Post("/_emulator/goods_outs/" + allocated + "/allocate", "", "application/json")
          ->status,
      200);
  const auto [cancelled_status, cancelled] =
      Call("POST", "/api/goods_outs/" + allocated + "/cancel");
  EXPECT_EQ(cancelled_status, 200);
  EXPECT_EQ(cancelled["data"]["attributes"]["status"], "CANCELLED");
}

TEST_F(ClarusEmulatorTest, UnknownReferencesAreFieldLevel422s) {
  Start();
  json body = GoodsOutBody("BAD", 999);
  body["data"]["attributes"]["account_id"] = 5;
  body["data"]["attributes"]["warehouse_id"] = 6;
  body["data"]["attributes"]["carrier_id"] = 7;
  body["data"]["attributes"]["carrier_service_id"] = 8;
  const auto [status, errors] = Call("POST", "/api/goods_outs", body);
  ASSERT_EQ(status, 422);
  std::set<std::string> pointers;
  for (const json& e : errors["errors"]) {
    EXPECT_EQ(e["status"], "422");
    pointers.insert(e["source"]["pointer"].get<std::string>());
  }
  for (const char* expected :
       {"/data/attributes/account_id", "/data/attributes/warehouse_id",
        "/data/attributes/carrier_id", "/data/attributes/carrier_service_id"}) {
    EXPECT_EQ(pointers.count(expected), 1U) << expected << " in " << errors.dump();
  }
  // With a good account the product is checked against it.
  const auto [product_status, product_errors] =
      Call("POST", "/api/goods_outs", GoodsOutBody("BAD", 999));
  ASSERT_EQ(product_status, 422);
  EXPECT_EQ(product_errors["errors"][0]["source"]["pointer"],
            "/data/attributes/lines_changes/0/attributes/product_id");

  ASSERT_EQ(Call("POST", "/api/goods_outs", GoodsOutBody("DUP")).first, 201);
  const auto [dup_status, dup] = Call("POST", "/api/goods_outs", GoodsOutBody("DUP"));
  EXPECT_EQ(dup_status, 422);
  EXPECT_EQ(dup["errors"][0]["detail"], "has already been taken");
}

TEST_F(ClarusEmulatorTest, DuplicateReferencesAreAllowedWhenTheScenarioSaysSo) {
  Scenario scenario = Scenario::Default();
  scenario.unique_reference = false;
  Start("/api", scenario);
  EXPECT_EQ(Call("POST", "/api/goods_outs", GoodsOutBody("DUP")).first, 201);
  EXPECT_EQ(Call("POST", "/api/goods_outs", GoodsOutBody("DUP")).first, 201);
  EXPECT_EQ(CountByReference("DUP"), 2);
}

TEST_F(ClarusEmulatorTest, CreateCommitsEvenWhenItsResponseIsLostPastTheClientTimeout) {
  Start();
  FaultSpec lost{FaultKind::kResponseLost};
  lost.delay = std::chrono::seconds{30};
  lost.path_prefix = "/api/goods_outs";
  emulator_->Faults().Inject(lost);
  // Reads pass the fault by: only a write loses its answer.
  EXPECT_EQ(Call("GET", "/api/products").first, 200);
  httplib::Client impatient("127.0.0.1", emulator_->Port());
  impatient.set_read_timeout(std::chrono::milliseconds{300});
  auto res = impatient.Post("/api/goods_outs", Headers(token_), GoodsOutBody("LOST").dump(),
                            "application/vnd.api+json");
  EXPECT_FALSE(res);  // Timed out.
  EXPECT_EQ(CountByReference("LOST"), 1);
  // A blind retry collides with the committed order.
  EXPECT_EQ(Call("POST", "/api/goods_outs", GoodsOutBody("LOST")).first, 422);
}

TEST_F(ClarusEmulatorTest, InjectedThrottlingAndServerErrorsHitMatchingCalls) {
  Start();
  auto injected = client_->Post(
      "/_emulator/faults",
      R"({"kind":"rate_limited","count":2,"retry_after":"45s","method":"POST","path_prefix":"/graphql"})",
      "application/json");
  ASSERT_EQ(injected->status, 200) << injected->body;
  EXPECT_EQ(Call("GET", "/api/products").first, 200);
  for (int i = 0; i < 2; ++i) {
    auto res =
        client_->Post("/graphql", Headers(token_),
                      R"({"query":"{ accounts { all { totalCount } } }"})", "application/json");
    EXPECT_EQ(res->status, 429);
    EXPECT_EQ(res->get_header_value("Retry-After"), "45");
  }
  EXPECT_EQ(Graphql("{ accounts { all { totalCount } } }")["data"]["accounts"]["all"]["totalCount"],
            1);
  client_->Post("/_emulator/faults", R"({"kind":"server_error","status":502})", "application/json");
  EXPECT_EQ(Call("GET", "/api/products").first, 502);
  EXPECT_EQ(client_->Post("/_emulator/faults", R"({"kind":"bogus"})", "application/json")->status,
            400);
}

TEST_F(ClarusEmulatorTest, ShipmentsCarryPackagesAndCancelVoidsTheLabel) {
  Start();
  const std::string order =
      Call("POST", "/api/goods_outs", GoodsOutBody("SH")).second["data"]["id"];
  json body = {
      {"data",
       {{"type", "shipments"},
        {"attributes",
         {{"goods_out_id", order},
          {"carrier_id", 2},
          {"carrier_service_id", 4},
          {"label_filename", "sh.pdf"},
          {"packages",
           {{{"tracking_number", "15501234567890"}}, {{"storage_unit_type", "PARCEL"}}}}}}}}};
  const auto [status, created] = Call("POST", "/api/shipments", body);
  ASSERT_EQ(status, 201) << created.dump();
  EXPECT_EQ(created["data"]["attributes"]["packages_count"], 2);
  EXPECT_EQ(created["included"][0]["attributes"]["tracking_number"], "15501234567890");
  EXPECT_EQ(created["included"][1]["attributes"]["tracking_number"].get<std::string>().size(), 14U);
  const std::string id = created["data"]["id"];
  const auto [cancel_status, cancelled] = Call("POST", "/api/shipments/" + id + "/cancel");
  EXPECT_EQ(cancel_status, 200);
  EXPECT_EQ(cancelled["data"]["attributes"]["status"], "CANCELLED");
  EXPECT_TRUE(cancelled["data"]["attributes"]["label_filename"].is_null());

  body["data"]["attributes"]["carrier_service_id"] = 1;  // A Royal Mail service, not DPD.
  const auto [bad_status, bad] = Call("POST", "/api/shipments", body);
  EXPECT_EQ(bad_status, 422);
  EXPECT_EQ(bad["errors"][0]["source"]["pointer"], "/data/attributes/carrier_service_id");
}

TEST_F(ClarusEmulatorTest, ControlApiSeedsStockReadsStateAndRefusesToMoveAVirtualClock) {
  Start();
  auto product =
      client_->Post("/_emulator/products", R"({"product_code":"SKU-NEW","name":"New thing"})",
                    "application/json");
  ASSERT_EQ(product->status, 200) << product->body;
  auto stock = client_->Post("/_emulator/stock/receive",
                             R"({"product_code":"SKU-NEW","quantity":12})", "application/json");
  ASSERT_EQ(stock->status, 200) << stock->body;
  EXPECT_EQ(json::parse(stock->body)["available"], 12);
  EXPECT_EQ(client_
                ->Post("/_emulator/stock/adjust", R"({"product_code":"SKU-NEW","quantity":-20})",
                       "application/json")
                ->status,
            409);
  auto state = client_->Get("/_emulator/state");
  const json s = json::parse(state->body);
  EXPECT_EQ(s["products"].size(), 4U);
  EXPECT_EQ(s["stock_balances"].size(), 4U);
  auto advance = client_->Post("/_emulator/time/advance", R"({"by":"1h"})", "application/json");
  EXPECT_EQ(advance->status, 409);
}

TEST(ClarusEmulatorOffsetClockTest, ControlApiAdvancesAnOffsetClock) {
  OffsetClock clock(SystemClock::Get());
  auto emulator = std::move(*ClarusEmulator::Create({}, &clock));
  ASSERT_TRUE(emulator->Start("127.0.0.1", 0).ok());
  httplib::Client client("127.0.0.1", emulator->Port());
  const TimePoint before = clock.Now();
  auto res = client.Post("/_emulator/time/advance", R"({"by":"2h"})", "application/json");
  ASSERT_EQ(res->status, 200);
  EXPECT_GE(clock.Now() - before, std::chrono::hours{2});
  emulator->Stop();
}

}  // namespace
}  // namespace sellerbridge::emulators::clarus
