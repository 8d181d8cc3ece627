#include "server/api_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "clarus/carriers.h"
#include "clarus/connector_test_fixture.h"
#include "domain/order.h"
#include "http/client.h"
#include "monitor/notifiers.h"
#include "monitor/watch.h"
#include "store/store.h"
#include "sync/carrier_catalog.h"
#include "sync/connections.h"
#include "sync/exception_desk.h"
#include "sync/scheduler.h"
#include "sync/ship_method_mappings.h"

namespace sellerbridge::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::string_view kToken = "s3cr3t-api-token-for-tests";

json Tracked24Json() {
  return {{"marketplace_id", "A1F83G8C2ARO7P"},
          {"ship_service_level", "Std UK Dom_1"},
          {"automated_carrier", ""},
          {"automated_ship_method", ""},
          {"is_prime", false},
          {"clarus_carrier", "ROYALMAIL"},
          {"clarus_service", "RM24"},
          {"amazon_carrier_code", "Royal Mail"},
          {"amazon_carrier_name", ""},
          {"amazon_shipping_method", "Tracked 24"}};
}

constexpr std::string_view kCsvHeader =
    "marketplace_id,ship_service_level,automated_carrier,automated_ship_method,is_prime,"
    "clarus_carrier,clarus_service,amazon_carrier_code,amazon_carrier_name,amazon_shipping_"
    "method\n";

class ApiServerTest : public clarus::ClarusConnectorTest {
 protected:
  void SetUp() override {
    clarus::ClarusConnectorTest::SetUp();
    auto opened = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    carriers_ = std::make_unique<clarus::Carriers>(client_.get());
    catalog_ = std::make_unique<sync::CarrierCatalog>(carriers_.get(), &clock_);
    mappings_ = std::make_unique<sync::ShipMethodMappings>(store_.get(), catalog_.get(), &clock_);
    exceptions_ = std::make_unique<sync::ExceptionDesk>(store_.get(), &clock_);
    config::ServerConfig config;
    config.api_token = config::Secret(std::string(kToken));
    api_ = std::make_unique<ApiServer>(config, store_.get(), mappings_.get(), exceptions_.get());
    ASSERT_TRUE(api_->Start("127.0.0.1", 0).ok());
  }

  // Sends a request to the API, with `token` as the bearer token when set.
  http::ClientResponse Call(const std::string& method, const std::string& path,
                            const std::string& body = "",
                            std::optional<std::string> token = std::string(kToken),
                            ApiServer* server = nullptr, http::HttpClient* client = nullptr) {
    http::ClientRequest request;
    request.method = method;
    request.url =
        fmt::format("http://127.0.0.1:{}{}", (server ? server : api_.get())->Port(), path);
    request.body = body;
    if (token.has_value()) {
      request.headers.emplace("Authorization", "Bearer " + *token);
    }
    auto response = (client ? client : &api_http_)->Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? std::move(response).value() : http::ClientResponse{};
  }

  static json Body(const http::ClientResponse& response) {
    return json::parse(response.body, nullptr, false);
  }

  // The audit log, oldest first.
  std::vector<store::AuditEntry> Audit() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto entries = (*txn)->ListAudit({.limit = 1000});
    EXPECT_TRUE(entries.ok()) << entries.status();
    return {entries->rbegin(), entries->rend()};
  }

  std::vector<domain::ShipMethodMapping> Stored() {
    auto listed = mappings_->List();
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<domain::ShipMethodMapping>{};
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<clarus::Carriers> carriers_;
  std::unique_ptr<sync::CarrierCatalog> catalog_;
  std::unique_ptr<sync::ShipMethodMappings> mappings_;
  std::unique_ptr<sync::ExceptionDesk> exceptions_;
  std::unique_ptr<ApiServer> api_;
  // Declared after the server, so that its kept-alive connections close before the server stops.
  http::CurlHttpClient api_http_;
};

// --- Authentication ----------------------------------------------

TEST_F(ApiServerTest, HealthzIsOpenToAll) {
  const auto response = Call("GET", "/healthz", "", std::nullopt);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Body(response), json({{"status", "ok"}}));
}

TEST_F(ApiServerTest, RefusesTheApiWithoutABearerToken) {
  const auto response = Call("GET", "/api/v1/mappings", "", std::nullopt);
  EXPECT_EQ(response.status, 401);
  EXPECT_THAT(response.Header("WWW-Authenticate").value_or(""), StartsWith("Bearer"));
  EXPECT_EQ(Body(response)["error"]["code"], "unauthenticated");
}

TEST_F(ApiServerTest, RefusesAWrongOrPartialToken) {
  for (const std::string& token :
       {std::string("wrong"), std::string(kToken.substr(0, kToken.size() - 1)),
        std::string(kToken) + "x", std::string(), std::string("S3CR3T-API-TOKEN-FOR-TESTS")}) {
    const auto response = Call("GET", "/api/v1/mappings", "", token);
    EXPECT_EQ(response.status, 401) << token;
    EXPECT_THAT(response.Header("WWW-Authenticate").value_or(""), HasSubstr("invalid_token"));
  }
  http::ClientRequest basic{
      .method = "GET", .url = fmt::format("http://127.0.0.1:{}/api/v1/mappings", api_->Port())};
  basic.headers.emplace("Authorization", "Basic " + std::string(kToken));
  EXPECT_EQ(api_http_.Send(basic)->status, 401);
}

TEST_F(ApiServerTest, AcceptsTheTokenWhateverTheCaseOfTheScheme) {
  http::ClientRequest request{
      .method = "GET", .url = fmt::format("http://127.0.0.1:{}/api/v1/mappings", api_->Port())};
  request.headers.emplace("Authorization", "bearer " + std::string(kToken));
  EXPECT_EQ(api_http_.Send(request)->status, 200);
}

TEST_F(ApiServerTest, UnknownApiPathsNeedTheTokenToo) {
  EXPECT_EQ(Call("GET", "/api/v1/secrets", "", std::nullopt).status, 401);
  const auto found = Call("GET", "/api/v1/secrets");
  EXPECT_EQ(found.status, 404);
  EXPECT_EQ(Body(found)["error"]["code"], "not_found");
  EXPECT_EQ(Call("GET", "/elsewhere", "", std::nullopt).status, 404);
}

TEST_F(ApiServerTest, WithoutAConfiguredTokenOrStoredTokensTheApiIsClosed) {
  ApiServer closed(config::ServerConfig{}, store_.get(), mappings_.get(), exceptions_.get());
  ASSERT_TRUE(closed.Start("127.0.0.1", 0).ok());
  http::CurlHttpClient http;  // Closes its connections before `closed` stops.
  const auto no_token = Call("GET", "/api/v1/mappings", "", std::nullopt, &closed, &http);
  EXPECT_EQ(no_token.status, 401);
  EXPECT_THAT(Body(no_token)["error"]["message"].get<std::string>(),
              HasSubstr("sellerbridge tokens create"));
  EXPECT_EQ(Call("GET", "/api/v1/mappings", "", "", &closed, &http).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/mappings", "", std::string(kToken), &closed, &http).status, 401);
  EXPECT_EQ(Call("PUT", "/api/v1/mappings", Tracked24Json().dump(), "", &closed, &http).status,
            401);
  EXPECT_EQ(Call("GET", "/healthz", "", std::nullopt, &closed, &http).status, 200);
  EXPECT_THAT(Stored(), IsEmpty());
}

TEST(ConstantTimeEqualsTest, ComparesWholeValues) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abd", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abcabc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("x", ""));
}

// --- Mappings ----------------------------------------------------

TEST_F(ApiServerTest, PutStoresAMappingListsItAndAuditsAsTheTokensName) {
  const auto put = Call("PUT", "/api/v1/mappings", Tracked24Json().dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Body(put), Tracked24Json());

  const auto listed = Call("GET", "/api/v1/mappings");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(Body(listed), json({{"mappings", json::array({Tracked24Json()})}}));
  EXPECT_EQ(listed.Header("Cache-Control").value_or(""), "no-store");

  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1U);
  EXPECT_EQ(audit[0].actor, "api:config");
  EXPECT_EQ(audit[0].action, "mapping.add");
  EXPECT_EQ(audit[0].subject, "A1F83G8C2ARO7P / Std UK Dom_1 / standard");
}

TEST_F(ApiServerTest, PutOfAChangeIsAuditedWithOldAndNewValues) {
  ASSERT_EQ(Call("PUT", "/api/v1/mappings", Tracked24Json().dump()).status, 200);
  json changed = Tracked24Json();
  changed["clarus_service"] = "RM48";
  ASSERT_EQ(Call("PUT", "/api/v1/mappings", changed.dump()).status, 200);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 2U);
  EXPECT_EQ(audit[1].action, "mapping.change");
  EXPECT_EQ(audit[1].details, "clarus_service 'RM24' → 'RM48'");
}

TEST_F(ApiServerTest, PutListsEveryProblemWith422) {
  json bad = Tracked24Json();
  bad["amazon_carrier_code"] = "ROYALMAIL";
  bad["clarus_service"] = "RM99";
  const auto put = Call("PUT", "/api/v1/mappings", bad.dump());
  ASSERT_EQ(put.status, 422) << put.body;
  const json error = Body(put)["error"];
  EXPECT_EQ(error["code"], "invalid_mapping");
  ASSERT_EQ(error["problems"].size(), 2U);
  EXPECT_THAT(error["problems"][0].get<std::string>(), HasSubstr("did you mean 'Royal Mail'"));
  EXPECT_EQ(error["problems"][1],
            "Clarus carrier 'ROYALMAIL' has no service 'RM99' (it has: RM1CLS, RM24, RM48)");
  EXPECT_THAT(Stored(), IsEmpty());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ApiServerTest, PutRejectsBodiesThatAreNotAMapping) {
  EXPECT_EQ(Call("PUT", "/api/v1/mappings", "{not json").status, 400);
  json odd = Tracked24Json();
  odd["is_prime"] = "yes";
  odd["clarus_servce"] = "RM24";
  const auto put = Call("PUT", "/api/v1/mappings", odd.dump());
  ASSERT_EQ(put.status, 422);
  const json problems = Body(put)["error"]["problems"];
  ASSERT_EQ(problems.size(), 2U);
  EXPECT_THAT(problems[0].get<std::string>(), HasSubstr("unknown member 'clarus_servce'"));
  EXPECT_EQ(problems[1], "is_prime must be true or false");
  EXPECT_EQ(Call("PUT", "/api/v1/mappings", "[1, 2]").status, 422);
}

TEST_F(ApiServerTest, PutAnswers503WhenClarusCannotBeRead) {
  emulator_->Stop();
  const auto put = Call("PUT", "/api/v1/mappings", Tracked24Json().dump());
  EXPECT_EQ(put.status, 503);
  EXPECT_EQ(Body(put)["error"]["code"], "unavailable");
  EXPECT_THAT(Stored(), IsEmpty());
}

TEST_F(ApiServerTest, DeleteRemovesTheMappingNamedByTheQuery) {
  ASSERT_EQ(Call("PUT", "/api/v1/mappings", Tracked24Json().dump()).status, 200);
  const std::string path =
      "/api/v1/mappings?marketplace_id=A1F83G8C2ARO7P&ship_service_level=Std%20UK%20Dom_1"
      "&is_prime=false";
  const auto deleted = Call("DELETE", path);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_THAT(Stored(), IsEmpty());
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 2U);
  EXPECT_EQ(audit[1].actor, "api:config");
  EXPECT_EQ(audit[1].action, "mapping.delete");

  const auto again = Call("DELETE", path);
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(Body(again)["error"]["code"], "not_found");
}

TEST_F(ApiServerTest, DeleteNeedsAKeyInTheQuery) {
  const auto missing = Call("DELETE", "/api/v1/mappings?ship_service_level=X&is_prime=maybe&x=1");
  ASSERT_EQ(missing.status, 400);
  EXPECT_EQ(Body(missing)["error"]["problems"].size(), 3U);
  EXPECT_EQ(Call("DELETE", "/api/v1/mappings?ship_service_level=X", "", std::nullopt).status, 401);
}

TEST_F(ApiServerTest, ImportAddsEveryRowAndReports) {
  const std::string csv =
      std::string(kCsvHeader) +
      "A1F83G8C2ARO7P,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n"
      "A1F83G8C2ARO7P,Std UK Dom_1,,,true,DPD,DPD12,DPD,,By 12\n";
  const auto imported = Call("POST", "/api/v1/mappings/import", csv);
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(Body(imported), json({{"added", 2}, {"changed", 0}, {"unchanged", 0}, {"removed", 0}}));
  EXPECT_EQ(Stored().size(), 2U);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 2U);
  EXPECT_EQ(audit[0].actor, "api:config");
  EXPECT_THAT(audit[0].details, StartsWith("body:2: "));
}

TEST_F(ApiServerTest, ImportWithReplaceRemovesRowsNotInTheFile) {
  ASSERT_EQ(Call("PUT", "/api/v1/mappings", Tracked24Json().dump()).status, 200);
  const std::string csv =
      std::string(kCsvHeader) + "A1F83G8C2ARO7P,Std UK Dom_1,,,true,DPD,DPD12,DPD,,By 12\n";
  const auto imported = Call("POST", "/api/v1/mappings/import?replace=true", csv);
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(Body(imported), json({{"added", 1}, {"changed", 0}, {"unchanged", 0}, {"removed", 1}}));
  ASSERT_EQ(Stored().size(), 1U);
  EXPECT_TRUE((*Stored().at(0)).is_prime);
  EXPECT_EQ(Call("POST", "/api/v1/mappings/import?replace=maybe", csv).status, 400);
}

TEST_F(ApiServerTest, ImportListsEveryProblemWith422AndWritesNothing) {
  const std::string csv = std::string(kCsvHeader) +
                          "A1F83G8C2ARO7P,Std UK Dom_1,,,false,ROYALMAIL,RM24,Royal Mail,,T24\n"
                          "A1F83G8C2ARO7P,Exp UK,,,maybe,ROYALMAIL,RM24,Royal Mail,,T24\n"
                          "A1F83G8C2ARO7P,Std UK Dom_1,,,true,DPDX,DPD12,DPD,,By 12\n";
  const auto imported = Call("POST", "/api/v1/mappings/import", csv);
  ASSERT_EQ(imported.status, 422) << imported.body;
  const json error = Body(imported)["error"];
  EXPECT_EQ(error["message"], "2 problems");
  ASSERT_EQ(error["problems"].size(), 2U);
  EXPECT_THAT(error["problems"][0].get<std::string>(), StartsWith("body:3: is_prime 'maybe'"));
  EXPECT_THAT(error["problems"][1].get<std::string>(),
              StartsWith("body:4: Clarus has no carrier 'DPDX'"));
  EXPECT_THAT(Stored(), IsEmpty());
  EXPECT_THAT(Audit(), IsEmpty());
}

// --- Exceptions --------------------------------------------------

constexpr std::string_view kOrderId = "203-1234567-1234567";

class ApiServerExceptionsTest : public ApiServerTest {
 protected:
  void SetUp() override {
    ApiServerTest::SetUp();
    domain::OrderData data;
    data.amazon_order_id = std::string(kOrderId);
    data.marketplace_id = "A1F83G8C2ARO7P";
    data.status = domain::OrderStatus::kUnshipped;
    data.purchase_date = clock_.Now();
    data.last_update_date = clock_.Now();
    data.lines = {{.order_item_id = "11", .sku = "SKU-1", .quantity_ordered = 1}};
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)->UpsertOrder(*domain::Order::Create(std::move(data))).ok());
    ASSERT_TRUE((*txn)->SetOrderSyncState(kOrderId, store::SyncState::kSentToClarus, "GO-5").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  std::int64_t Hold(std::string_view kind, std::string_view subject_id) {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok());
    auto id = (*txn)->HoldException({.kind = std::string(kind),
                                     .subject_id = std::string(subject_id),
                                     .reason = "Amazon refused the tracking number",
                                     .suggested_fix = "Correct it"});
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*txn)->Commit().ok());
    return id.ok() ? *id : 0;
  }

  // A Royal Mail confirmation Amazon refused, and the exception held for it.
  std::int64_t FailedConfirmation() {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok());
    auto enqueued =
        (*txn)->EnqueueConfirmation({.idempotency_key = "confirm-1",
                                     .amazon_order_id = std::string(kOrderId),
                                     .marketplace_id = "A1F83G8C2ARO7P",
                                     .parcel = {.package_reference_id = "1",
                                                .carrier_code = "Royal Mail",
                                                .tracking_number = "AB12345678",
                                                .ship_date = clock_.Now(),
                                                .items = {{.order_item_id = "11", .quantity = 1}}},
                                     .deadline = clock_.Now()});
    EXPECT_TRUE(enqueued.ok()) << enqueued.status();
    entry_id_ = enqueued->id;
    EXPECT_TRUE((*txn)
                    ->UpdateConfirmation(entry_id_, {.state = store::ConfirmationState::kFailed,
                                                     .attempts = 2,
                                                     .next_attempt_at = clock_.Now(),
                                                     .last_error = "InvalidInput"})
                    .ok());
    auto id = (*txn)->HoldException({.kind = "confirmation",
                                     .subject_id = std::to_string(entry_id_),
                                     .reason = "Amazon refused the tracking number",
                                     .suggested_fix = "Correct it"});
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE((*txn)->Commit().ok());
    return id.ok() ? *id : 0;
  }

  store::OutboxEntry Entry() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto entry = (*txn)->GetConfirmation(entry_id_);
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.ok() ? *entry : store::OutboxEntry{};
  }

  static std::string Path(std::int64_t id, std::string_view action = "") {
    return fmt::format("/api/v1/exceptions/{}{}", id, action);
  }

  std::int64_t entry_id_ = 0;
};

TEST_F(ApiServerExceptionsTest, NeedTheToken) {
  const std::int64_t id = FailedConfirmation();
  for (const auto& [method, path, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/api/v1/exceptions", ""},
           {"POST", Path(id, "/retry"), ""},
           {"POST", Path(id, "/resolve"), R"({"note": "done"})"},
           {"PATCH", Path(id), R"({"tracking_number": "AB123456789GB"})"}}) {
    const auto response = Call(method, path, body, std::nullopt);
    EXPECT_EQ(response.status, 401) << method << " " << path;
    EXPECT_EQ(Body(response)["error"]["code"], "unauthenticated");
    EXPECT_EQ(Call(method, path, body, "wrong").status, 401) << method << " " << path;
  }
  EXPECT_EQ(Entry().state, store::ConfirmationState::kFailed);
  EXPECT_EQ(Entry().parcel.tracking_number, "AB12345678");
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ApiServerExceptionsTest, ListsTheOpenOnesAndAllOnRequest) {
  const std::int64_t order = Hold("order", kOrderId);
  clock_.Advance(std::chrono::minutes{5});
  const std::int64_t dispatch = Hold("dispatch", kOrderId);
  ASSERT_TRUE(exceptions_->Resolve(order, "cli:alice", "mapped it").ok());

  const auto open = Call("GET", "/api/v1/exceptions");
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.Header("Cache-Control").value_or(""), "no-store");
  const json expected = {{"id", dispatch},
                         {"kind", "dispatch"},
                         {"subject_id", kOrderId},
                         {"reason", "Amazon refused the tracking number"},
                         {"suggested_fix", "Correct it"},
                         {"first_seen", "2026-11-27T08:05:00.000Z"},
                         {"last_seen", "2026-11-27T08:05:00.000Z"},
                         {"attempts", 1},
                         {"resolved_at", nullptr},
                         {"resolved_by", ""},
                         {"resolution_note", ""}};
  EXPECT_EQ(Body(open), json({{"exceptions", json::array({expected})}}));

  const json all = Body(Call("GET", "/api/v1/exceptions?all=true"))["exceptions"];
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0]["id"], order);
  EXPECT_EQ(all[0]["resolved_at"], "2026-11-27T08:05:00.000Z");
  EXPECT_EQ(all[0]["resolved_by"], "cli:alice");
  EXPECT_EQ(all[0]["resolution_note"], "mapped it");

  const json orders = Body(Call("GET", "/api/v1/exceptions?kind=order&all=true"))["exceptions"];
  ASSERT_EQ(orders.size(), 1U);
  EXPECT_EQ(orders[0]["kind"], "order");
  EXPECT_EQ(Body(Call("GET", "/api/v1/exceptions?kind=label"))["exceptions"], json::array());

  const auto bad = Call("GET", "/api/v1/exceptions?all=maybe&limit=3");
  ASSERT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["error"]["problems"].size(), 2U);
}

TEST_F(ApiServerExceptionsTest, RetryOfAConfirmationAnswersTheResolvedException) {
  const std::int64_t id = FailedConfirmation();
  const auto retried = Call("POST", Path(id, "/retry"));
  ASSERT_EQ(retried.status, 200) << retried.body;
  const json body = Body(retried);
  EXPECT_EQ(body["id"], id);
  EXPECT_EQ(body["resolved_by"], "api:config");
  EXPECT_EQ(body["resolution_note"], "retried");
  EXPECT_EQ(Entry().state, store::ConfirmationState::kPending);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1U);
  EXPECT_EQ(audit[0].actor, "api:config");
  EXPECT_EQ(audit[0].action, "exception.retry");
  EXPECT_EQ(audit[0].subject, fmt::format("exception {}", id));
}

TEST_F(ApiServerExceptionsTest, RetryOfADispatchKeepsTheExceptionOpen) {
  const std::int64_t id = Hold("dispatch", kOrderId);
  const auto retried = Call("POST", Path(id, "/retry"));
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(Body(retried)["resolved_at"], nullptr);
  auto txn = store_->BeginReadOnly();
  ASSERT_TRUE(txn.ok());
  const auto hints = (*txn)->ListPendingDispatchHints(10);
  ASSERT_TRUE(hints.ok());
  ASSERT_EQ(hints->size(), 1U);
  EXPECT_EQ((*hints)[0].goods_out_id, "GO-5");
  EXPECT_EQ((*hints)[0].source, "operator");
}

TEST_F(ApiServerExceptionsTest, RetryAnswersNotFoundConflictOrBadRequest) {
  const std::int64_t order = Hold("order", kOrderId);
  const auto unknown = Call("POST", Path(order + 1, "/retry"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Body(unknown)["error"]["code"], "not_found");
  EXPECT_EQ(Body(unknown)["error"]["message"], fmt::format("no exception {}", order + 1));

  const auto refused = Call("POST", Path(order, "/retry"));
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(Body(refused)["error"]["code"], "failed_precondition");
  EXPECT_THAT(Body(refused)["error"]["message"].get<std::string>(),
              HasSubstr("judges held orders again"));

  const auto not_an_id = Call("POST", "/api/v1/exceptions/abc/retry");
  EXPECT_EQ(not_an_id.status, 400);
  EXPECT_EQ(Body(not_an_id)["error"]["code"], "invalid_request");
  EXPECT_EQ(Call("POST", "/api/v1/exceptions/-1/retry").status, 400);
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ApiServerExceptionsTest, ResolveRecordsTheNoteAndNeedsOne) {
  const std::int64_t id = FailedConfirmation();
  for (const std::string body : {"{}", R"({"note": "  "})"}) {
    const auto missing = Call("POST", Path(id, "/resolve"), body);
    EXPECT_EQ(missing.status, 422) << body;
    EXPECT_EQ(Body(missing)["error"]["code"], "invalid_argument");
    EXPECT_THAT(Body(missing)["error"]["problems"][0].get<std::string>(), HasSubstr("note"));
  }
  const auto odd = Call("POST", Path(id, "/resolve"), R"({"note": 3, "by": "me"})");
  EXPECT_EQ(odd.status, 422);
  EXPECT_EQ(Body(odd)["error"]["problems"].size(), 2U);
  EXPECT_EQ(Call("POST", Path(id, "/resolve"), "{not json").status, 400);
  EXPECT_THAT(Audit(), IsEmpty());

  const auto resolved = Call("POST", Path(id, "/resolve"), R"({"note": "confirmed by hand"})");
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_EQ(Body(resolved)["resolved_by"], "api:config");
  EXPECT_EQ(Body(resolved)["resolution_note"], "confirmed by hand");
  EXPECT_EQ(Entry().state, store::ConfirmationState::kFailed);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1U);
  EXPECT_EQ(audit[0].actor, "api:config");
  EXPECT_EQ(audit[0].action, "exception.resolve");

  EXPECT_EQ(Call("POST", Path(id, "/resolve"), R"({"note": "again"})").status, 409);
  EXPECT_EQ(Call("POST", Path(id + 1, "/resolve"), R"({"note": "x"})").status, 404);
}

TEST_F(ApiServerExceptionsTest, PatchCorrectsTheTrackingNumberAndRetries) {
  const std::int64_t id = FailedConfirmation();
  const auto edited = Call("PATCH", Path(id), R"({"tracking_number": "AB123456789GB"})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(Body(edited)["resolution_note"], "retried");
  EXPECT_EQ(Entry().parcel.tracking_number, "AB123456789GB");
  EXPECT_EQ(Entry().state, store::ConfirmationState::kPending);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1U);
  EXPECT_EQ(audit[0].actor, "api:config");
  EXPECT_EQ(audit[0].action, "exception.edit_tracking");
  EXPECT_THAT(audit[0].details, HasSubstr("'AB12345678' → 'AB123456789GB'"));
}

TEST_F(ApiServerExceptionsTest, PatchRefusesANumberThatDoesNotFitWith422) {
  const std::int64_t id = FailedConfirmation();
  const auto edited = Call("PATCH", Path(id), R"({"tracking_number": "AB12"})");
  ASSERT_EQ(edited.status, 422) << edited.body;
  EXPECT_EQ(Body(edited)["error"]["code"], "invalid_argument");
  ASSERT_EQ(Body(edited)["error"]["problems"].size(), 1U);
  EXPECT_THAT(Body(edited)["error"]["problems"][0].get<std::string>(), HasSubstr("Royal Mail"));
  EXPECT_EQ(Call("PATCH", Path(id), R"({"tracking": "AB123456789GB"})").status, 422);
  EXPECT_EQ(Entry().parcel.tracking_number, "AB12345678");
  EXPECT_EQ(Entry().state, store::ConfirmationState::kFailed);

  const std::int64_t order = Hold("order", kOrderId);
  EXPECT_EQ(Call("PATCH", Path(order), R"({"tracking_number": "AB123456789GB"})").status, 409);
  EXPECT_EQ(Call("PATCH", Path(order + 1), R"({"tracking_number": "AB123456789GB"})").status, 404);
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ApiServerTest, NeverLogsTheToken) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  Call("GET", "/api/v1/mappings", "", "wrong-token-value-123");
  Call("PUT", "/api/v1/mappings", Tracked24Json().dump());
  emulator_->Faults().Inject({.kind = emulators::clarus::FaultKind::kServerError, .count = 100});
  json other = Tracked24Json();
  other["ship_service_level"] = "Exp UK";
  other["clarus_carrier"] = "NEWCARRIER";
  Call("PUT", "/api/v1/mappings", other.dump());
  spdlog::set_default_logger(previous);
  const std::vector<std::string> lines = sink->last_formatted();
  EXPECT_THAT(lines, Not(IsEmpty()));
  for (const std::string& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr(kToken)));
    EXPECT_THAT(line, Not(HasSubstr("wrong-token-value-123")));
  }
}

TEST_F(ApiServerTest, MetricsNeedTheTokenAndShowDispatchLatencies) {
  EXPECT_EQ(Call("GET", "/metrics", "", std::nullopt).status, 401);
  {
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    store::NewConfirmation confirmation{
        .idempotency_key = "clarus-package:1",
        .amazon_order_id = "203-5555555-0000001",
        .marketplace_id = "A1F83G8C2ARO7P",
        .parcel = {.package_reference_id = "1",
                   .carrier_code = "Royal Mail",
                   .tracking_number = "AB123456785GB",
                   .ship_date = clock_.Now() - std::chrono::seconds{3},
                   .items = {{.order_item_id = "1", .quantity = 1}}},
        .deadline = clock_.Now() + std::chrono::hours{24}};
    const auto enqueued = (*txn)->EnqueueConfirmation(confirmation);
    ASSERT_TRUE(enqueued.ok()) << enqueued.status();
    clock_.Advance(std::chrono::seconds{4});  // Accepted 7 s after the parcel left.
    ASSERT_TRUE(
        (*txn)
            ->UpdateConfirmation(enqueued->id, {.state = store::ConfirmationState::kAccepted})
            .ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  const auto response = Call("GET", "/metrics");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body,
              HasSubstr("# TYPE sellerbridge_dispatch_to_confirm_seconds histogram"));
  EXPECT_THAT(response.body,
              HasSubstr("sellerbridge_dispatch_to_confirm_seconds_bucket{le=\"5\"} 0\n"));
  EXPECT_THAT(response.body,
              HasSubstr("sellerbridge_dispatch_to_confirm_seconds_bucket{le=\"10\"} 1\n"));
  EXPECT_THAT(response.body, HasSubstr("sellerbridge_dispatch_to_confirm_seconds_count 1\n"));
  EXPECT_THAT(response.body,
              HasSubstr("sellerbridge_dispatch_to_seen_seconds_bucket{le=\"5\"} 1\n"));
  EXPECT_THAT(response.body, HasSubstr("sellerbridge_confirm_to_verify_seconds_count 0\n"));
  EXPECT_THAT(response.body, HasSubstr("sellerbridge_outbox_entries{state=\"Accepted\"} 1\n"));
  EXPECT_THAT(response.body, HasSubstr("sellerbridge_open_exceptions{kind=\"confirmation\"} 0\n"));
}

// --- Clarus automations ---------------------------------------------

class WebhookTest : public ApiServerTest {
 protected:
  static constexpr std::string_view kHook = "hook-token-0123456789abcdefXYZ";

  void SetUp() override {
    ApiServerTest::SetUp();
    goods_outs_ = std::make_unique<clarus::GoodsOuts>(client_.get());
    intake_ = std::make_unique<sync::DispatchIntake>(
        sync::DispatchIntakeOptions{.source = {.subdomain = "acme", .automation_ids = {"9"}}},
        store_.get(), goods_outs_.get(), &clock_);
    config::ServerConfig config;
    config.api_token = config::Secret(std::string(kToken));
    config.webhook_token = config::Secret(std::string(kHook));
    hooks_ = std::make_unique<ApiServer>(config, store_.get(), mappings_.get(), exceptions_.get());
    hooks_->AcceptClarusAutomations(intake_.get());
    ASSERT_TRUE(hooks_->Start("127.0.0.1", 0).ok());
    // The API without a webhook token refuses every delivery.
    api_->Stop();
    api_ = std::make_unique<ApiServer>(
        config::ServerConfig{.api_token = config::Secret(std::string(kToken))}, store_.get(),
        mappings_.get(), exceptions_.get());
    api_->AcceptClarusAutomations(intake_.get());
    ASSERT_TRUE(api_->Start("127.0.0.1", 0).ok());
  }

  static json Body(std::string_view goods_out_id, std::string_view updated_at) {
    return {{"resource_name", "goods_out"},
            {"event", "completed"},
            {"automation_id", "9"},
            {"triggered_at", "2026-11-27T17:00:00.000Z"},
            {"data",
             {{"id", goods_out_id},
              {"reference", "203-5555555-0000001"},
              {"status", "COMPLETED"},
              {"updated_at", updated_at}}}};
  }

  http::ClientResponse Deliver(ApiServer* server, const std::string& token, const json& body,
                               std::string_view subdomain = "acme") {
    http::ClientRequest request{
        .method = "POST",
        .url = fmt::format("http://127.0.0.1:{}/hooks/clarus/{}", server->Port(), token),
        .body = body.dump()};
    request.headers.emplace("Content-Type", "application/json");
    request.headers.emplace("X-ClarusWMS-Domain", "acme.claruswms.co.uk");
    request.headers.emplace("X-ClarusWMS-Subdomain", std::string(subdomain));
    request.headers.emplace("X-ClarusWMS-Automation-ID", "9");
    auto response = hook_http_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? std::move(response).value() : http::ClientResponse{};
  }

  std::vector<store::PendingDispatchHint> Pending() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto hints = (*txn)->ListPendingDispatchHints(100);
    EXPECT_TRUE(hints.ok()) << hints.status();
    return hints.ok() ? *hints : std::vector<store::PendingDispatchHint>{};
  }

  std::unique_ptr<clarus::GoodsOuts> goods_outs_;
  std::unique_ptr<sync::DispatchIntake> intake_;
  std::unique_ptr<ApiServer> hooks_;
  // Declared after the server, so that its kept-alive connections close before the server stops.
  http::CurlHttpClient hook_http_;
};

TEST_F(WebhookTest, StoresEachDeliveryOnceBeforeAnswering) {
  const std::string token(kHook);
  EXPECT_EQ(Deliver(hooks_.get(), token, Body("12", "2026-11-27T17:00:00.000Z")).status, 200);
  ASSERT_EQ(Pending().size(), 1U);
  EXPECT_EQ(Pending()[0].goods_out_id, "12");
  EXPECT_EQ(Pending()[0].source, "webhook");
  // Clarus delivers twice: nothing new.
  EXPECT_EQ(Deliver(hooks_.get(), token, Body("12", "2026-11-27T17:00:00.000Z")).status, 200);
  EXPECT_EQ(Pending().size(), 1U);
  // A later event of the same goods-out is a new hint.
  EXPECT_EQ(Deliver(hooks_.get(), token, Body("12", "2026-11-27T18:00:00.000Z")).status, 200);
  EXPECT_EQ(Pending().size(), 2U);
  const sync::DeliveryCounts counts = intake_->Deliveries();
  EXPECT_EQ(counts.stored, 2);
  EXPECT_EQ(counts.duplicate, 1);
  EXPECT_EQ(counts.refused, 0);
}

TEST_F(WebhookTest, RefusesWrongTokensTenantsAndBodies) {
  const json body = Body("12", "2026-11-27T17:00:00.000Z");
  EXPECT_EQ(Deliver(hooks_.get(), "hook-token-0123456789abcdefXYz", body).status, 404);
  EXPECT_EQ(Deliver(hooks_.get(), "short", body).status, 404);
  // No webhook token configured: every delivery is refused.
  EXPECT_EQ(Deliver(api_.get(), std::string(kHook), body).status, 404);
  const auto other_tenant = Deliver(hooks_.get(), std::string(kHook), body, "someone-else");
  EXPECT_EQ(other_tenant.status, 403);
  EXPECT_THAT(other_tenant.body, HasSubstr("X-ClarusWMS-Subdomain"));
  json broken = body;
  broken["data"].erase("updated_at");
  const auto bad = Deliver(hooks_.get(), std::string(kHook), broken);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("updated_at"));
  EXPECT_THAT(Pending(), IsEmpty());
  // A wrong token never reaches the intake; the tenant and the body do.
  EXPECT_EQ(intake_->Deliveries().refused, 2);
}

TEST_F(WebhookTest, StockEventsWakeTheStockFlowWhenItRuns) {
  const json stock = {{"resource_name", "stock"},
                      {"event", "adjusted"},
                      {"automation_id", "9"},
                      {"triggered_at", "2026-11-27T17:00:00.000Z"},
                      {"data",
                       {{"id", "55"},
                        {"product_id", "3"},
                        {"warehouse_id", "1"},
                        {"product_code", "SKU-003"},
                        {"updated_at", "2026-11-27T17:00:00.000Z"}}}};
  // Without the stock flow the event is taken and ignored.
  EXPECT_EQ(Deliver(hooks_.get(), std::string(kHook), stock).status, 200);
  EXPECT_EQ(intake_->Deliveries().ignored, 1);

  int woken = 0;
  sync::DispatchIntake intake(
      sync::DispatchIntakeOptions{.source = {.subdomain = "acme", .automation_ids = {"9"}},
                                  .on_stock_event = [&woken] { ++woken; }},
      store_.get(), goods_outs_.get(), &clock_);
  config::ServerConfig config;
  config.webhook_token = config::Secret(std::string(kHook));
  ApiServer server(config, store_.get(), mappings_.get(), exceptions_.get());
  server.AcceptClarusAutomations(&intake);
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  EXPECT_EQ(Deliver(&server, std::string(kHook), stock).status, 200);
  EXPECT_EQ(Deliver(&server, std::string(kHook), stock).status, 200);
  EXPECT_EQ(woken, 2);
  EXPECT_EQ(intake.Deliveries().stock_hints, 2);
  EXPECT_EQ(intake.Deliveries().ignored, 0);
  // A dispatch still becomes a stored hint, and wakes nothing else.
  EXPECT_EQ(Deliver(&server, std::string(kHook), Body("12", "2026-11-27T17:00:00.000Z")).status,
            200);
  EXPECT_EQ(woken, 2);
  EXPECT_EQ(Pending().size(), 1U);
  server.Stop();
}

// --- Roles and API tokens --------------------------------------------

// Stores a token named `name` with `role` and returns the token.
std::string StoreToken(store::Store& store, const std::string& name, std::string_view role) {
  auto txn = store.Begin();
  EXPECT_TRUE(txn.ok());
  const std::string token = "sbt_test_" + name;
  EXPECT_TRUE((*txn)
                  ->CreateApiToken({.name = name,
                                    .role = std::string(role),
                                    .token_hash = HashApiToken(token),
                                    .created_by = "test"})
                  .ok());
  EXPECT_TRUE((*txn)->Commit().ok());
  return token;
}

struct Endpoint {
  std::string method;
  std::string path;
  std::set<std::string> roles;  // The roles docs/api.md lets in.
};

TEST_F(ApiServerTest, EveryRoleReachesExactlyItsPartOfTheApi) {
  // The watch's endpoints, over a watch that has not checked anything yet.
  config::Config config;
  config.amazon.marketplaces = {"A1F83G8C2ARO7P"};
  sync::Scheduler scheduler(&clock_);
  const std::unique_ptr<sync::Connections> remote = sync::Connections::Create(config, &clock_);
  monitor::Watch watch(config, store_.get(), &clock_, &scheduler, remote.get(), {});
  api_->Stop();
  api_ = std::make_unique<ApiServer>(
      [] {
        config::ServerConfig server;
        server.api_token = config::Secret(std::string(kToken));
        return server;
      }(),
      store_.get(), mappings_.get(), exceptions_.get(), &clock_);
  api_->ExportWatch(&watch, config.amazon.marketplaces);
  finance::SettlementBook book(config.finance, store_.get(), &clock_, nullptr, {});
  api_->ExportFinance(&book, config.finance);
  ASSERT_TRUE(api_->Start("127.0.0.1", 0).ok());

  const std::set<std::string> all = {"ops", "ecommerce", "finance", "admin"};
  const std::vector<Endpoint> endpoints = {
      {"GET", "/metrics", all},
      {"GET", "/api/v1/orders", all},
      {"GET", "/api/v1/orders/026-0000000-0000000", all},
      {"GET", "/api/v1/exceptions", all},
      {"POST", "/api/v1/exceptions/999/retry", {"ops", "admin"}},
      {"POST", "/api/v1/exceptions/999/resolve", {"ops", "admin"}},
      {"PATCH", "/api/v1/exceptions/999", {"ops", "admin"}},
      {"GET", "/api/v1/mappings", {"ops", "ecommerce", "admin"}},
      {"PUT", "/api/v1/mappings", {"ecommerce", "admin"}},
      {"DELETE", "/api/v1/mappings", {"ecommerce", "admin"}},
      {"POST", "/api/v1/mappings/import", {"ecommerce", "admin"}},
      {"GET", "/api/v1/stock/policies", {"ops", "ecommerce", "admin"}},
      {"GET", "/api/v1/stock/listings/SKU-1", {"ops", "ecommerce", "admin"}},
      {"GET", "/api/v1/tokens", {"admin"}},
      {"POST", "/api/v1/tokens", {"admin"}},
      {"DELETE", "/api/v1/tokens/999", {"admin"}},
      {"GET", "/api/v1/audit-log", {"admin"}},
      {"GET", "/api/v1/at-risk", {"ops", "ecommerce", "admin"}},
      {"GET", "/api/v1/alerts", {"ops", "ecommerce", "admin"}},
      {"GET", "/api/v1/account-health", all},
      {"GET", "/api/v1/jobs", {"ops", "admin"}},
      {"GET", "/api/v1/quota", {"ops", "admin"}},
      {"GET", "/api/v1/credentials", {"ops", "admin"}},
      {"GET", "/api/v1/settlements", {"finance", "admin"}},
      {"GET", "/api/v1/settlements/50000000001", {"finance", "admin"}},
      {"GET", "/api/v1/settlements/50000000001/journals", {"finance", "admin"}},
      {"POST", "/api/v1/settlements/reanalyse", {"finance", "admin"}},
      {"GET", "/api/v1/finance/accounts", {"finance", "admin"}},
      {"PUT", "/api/v1/finance/accounts", {"finance", "admin"}},
  };
  for (const std::string& role : all) {
    const std::string token = StoreToken(*store_, "holder-" + role, role);
    for (const Endpoint& endpoint : endpoints) {
      const auto response = Call(endpoint.method, endpoint.path, "{}", token);
      if (endpoint.roles.contains(role)) {
        EXPECT_NE(response.status, 403) << role << " " << endpoint.method << " " << endpoint.path;
        EXPECT_NE(response.status, 401) << role << " " << endpoint.method << " " << endpoint.path;
        EXPECT_LT(response.status, 500)
            << role << " " << endpoint.method << " " << endpoint.path << ": " << response.body;
      } else {
        EXPECT_EQ(response.status, 403) << role << " " << endpoint.method << " " << endpoint.path;
        EXPECT_THAT(Body(response)["error"]["message"].get<std::string>(),
                    HasSubstr("has role " + role));
      }
    }
  }
  // Nothing was changed by a refused request, and nobody got in without a token.
  EXPECT_THAT(Stored(), IsEmpty());
  for (const Endpoint& endpoint : endpoints) {
    EXPECT_EQ(Call(endpoint.method, endpoint.path, "{}", std::nullopt).status, 401)
        << endpoint.method << " " << endpoint.path;
  }
}

// --- Finance ---------------------------------------------------------

// A small GBP settlement: a sale, its commission, and a row no default rule maps.
constexpr std::string_view kSettlementDocument =
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\t"
    "currency\ttransaction-type\torder-id\tamount-type\tamount-description\tamount\t"
    "posted-date-time\n"
    "12345678901\t2026-11-01 00:00:00 UTC\t2026-11-15 00:00:00 UTC\t2026-11-18 00:00:00 UTC\t"
    "5.50\tGBP\t\t\t\t\t\t\n"
    "12345678901\t\t\t\t\t\tOrder\t202-0000001-0000001\tItemPrice\tPrincipal\t10.00\t"
    "2026-11-03 10:00:00 UTC\n"
    "12345678901\t\t\t\t\t\tOrder\t202-0000001-0000001\tItemFees\tCommission\t-1.50\t"
    "2026-11-03 10:00:00 UTC\n"
    "12345678901\t\t\t\t\t\tLiquidations\t\tLiquidations Brokerage Fee\tFee\t-3.00\t"
    "2026-11-10 10:00:00 UTC\n";

TEST_F(ApiServerTest, FinanceSeesSettlementsAndTheirJournalsAndMapsWhatIsUnmapped) {
  config::FinanceConfig finance_config;
  finance::SettlementBook book(finance_config, store_.get(), &clock_, nullptr, {});
  api_->Stop();
  api_ = std::make_unique<ApiServer>(
      [] {
        config::ServerConfig server;
        server.api_token = config::Secret(std::string(kToken));
        return server;
      }(),
      store_.get(), mappings_.get(), exceptions_.get(), &clock_);
  api_->ExportFinance(&book, finance_config);
  ASSERT_TRUE(api_->Start("127.0.0.1", 0).ok());
  {
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*txn)
                    ->AddSettlementReport({.report_id = "50000000001",
                                           .marketplace_id = "A1F83G8C2ARO7P",
                                           .created_time = clock_.Now(),
                                           .document = std::string(kSettlementDocument)})
                    .ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  ASSERT_TRUE(book.Analyse("50000000001").ok());
  const std::string finance = StoreToken(*store_, "ledger-team", "finance");

  const auto listed = Call("GET", "/api/v1/settlements?state=NeedsAttention", "", finance);
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(Body(listed)["settlements"].size(), 1U);
  EXPECT_EQ(Body(listed)["settlements"][0]["settlement_id"], "12345678901");
  EXPECT_EQ(Call("GET", "/api/v1/settlements?state=Lost", "", finance).status, 400);

  // By settlement id as well as by report id.
  const auto one = Call("GET", "/api/v1/settlements/12345678901", "", finance);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Body(one)["report_id"], "50000000001");
  EXPECT_EQ(Body(one)["journals"]["unmapped"][0],
            "Liquidations / Liquidations Brokerage Fee / Fee");
  EXPECT_EQ(Call("GET", "/api/v1/settlements/59999999999", "", finance).status, 404);

  const auto csv = Call("GET", "/api/v1/settlements/50000000001/journals?format=csv", "", finance);
  ASSERT_EQ(csv.status, 200);
  EXPECT_THAT(csv.Header("Content-Type").value_or(""), StartsWith("text/csv"));
  EXPECT_THAT(csv.body, StartsWith("settlement_id,period,date,account_code"));
  EXPECT_THAT(csv.body, HasSubstr(",9999,"));

  // Finance maps the liquidation fee: the settlement balances now.
  const auto accounts = Call("GET", "/api/v1/finance/accounts?format=csv", "", finance);
  ASSERT_EQ(accounts.status, 200);
  const std::string rules = accounts.body + "Liquidations,*,*,6300,Amazon liquidation fees\r\n";
  const auto bad = Call("PUT", "/api/v1/finance/accounts", "transaction_type,account\n", finance);
  EXPECT_EQ(bad.status, 422);
  EXPECT_THAT(Body(bad)["error"]["message"].get<std::string>(), HasSubstr("request body:1"));
  const auto put = Call("PUT", "/api/v1/finance/accounts", rules, finance);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Body(put)["balanced_now"], 1);
  const auto after = Call("GET", "/api/v1/settlements/50000000001", "", finance);
  EXPECT_EQ(Body(after)["state"], "Balanced");
  EXPECT_EQ(Body(Call("GET", "/api/v1/finance/accounts", "", finance))["source"], "stored");
  const std::vector<store::AuditEntry> audit = Audit();
  const auto imported = std::find_if(audit.begin(), audit.end(), [](const auto& entry) {
    return entry.action == "finance.accounts_imported";
  });
  ASSERT_NE(imported, audit.end());
  EXPECT_EQ(imported->actor, "api:ledger-team");
  EXPECT_EQ(
      Call("PUT", "/api/v1/finance/accounts", rules, StoreToken(*store_, "desk", "ops")).status,
      403);
}

TEST_F(ApiServerTest, AdminCreatesATokenShownOnceStoredHashedAndRevokes) {
  const auto created = Call("POST", "/api/v1/tokens", R"({"name": "ops-desk", "role": "ops"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = Body(created)["token"];
  EXPECT_THAT(token, StartsWith("sbt_"));
  EXPECT_EQ(token.size(), 4U + 43U);
  const std::int64_t id = Body(created)["id"];

  // The store keeps the hash, never the token; the list shows neither.
  {
    auto txn = store_->BeginReadOnly();
    ASSERT_TRUE(txn.ok());
    const auto tokens = (*txn)->ListApiTokens();
    ASSERT_TRUE(tokens.ok());
    ASSERT_EQ(tokens->size(), 1U);
    EXPECT_EQ((*tokens)[0].token_hash, HashApiToken(token));
    EXPECT_EQ((*tokens)[0].token_hash.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ((*tokens)[0].token_hash.size(), 64U);
    EXPECT_EQ((*tokens)[0].created_by, "api:config");
  }
  const auto listed = Call("GET", "/api/v1/tokens");
  ASSERT_EQ(listed.status, 200);
  EXPECT_THAT(listed.body, Not(HasSubstr(token)));
  EXPECT_THAT(listed.body, Not(HasSubstr(HashApiToken(token))));
  EXPECT_EQ(Body(listed)["tokens"][0]["role"], "ops");

  // The new token works with its role's rights and records its use.
  EXPECT_EQ(Call("GET", "/api/v1/exceptions", "", token).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/tokens", "", token).status, 403);
  EXPECT_FALSE(Body(Call("GET", "/api/v1/tokens"))["tokens"][0]["last_used_at"].is_null());

  // Bad requests name their problems.
  const auto bad = Call("POST", "/api/v1/tokens", R"({"name": "x", "role": "owner"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_THAT(bad.body, HasSubstr("unknown role 'owner'"));
  EXPECT_EQ(Call("POST", "/api/v1/tokens", R"({"role": "ops"})").status, 422);

  EXPECT_EQ(Call("DELETE", fmt::format("/api/v1/tokens/{}", id)).status, 204);
  EXPECT_EQ(Call("DELETE", fmt::format("/api/v1/tokens/{}", id)).status, 409);
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/424242").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/exceptions", "", token).status, 401);

  std::vector<std::string> actions;
  for (const store::AuditEntry& entry : Audit()) {
    EXPECT_EQ(entry.actor, "api:config");
    EXPECT_EQ(entry.subject, fmt::format("token:{}", id));
    EXPECT_THAT(entry.details, Not(HasSubstr(token)));
    actions.push_back(entry.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"token.created", "token.revoked"}));
  const auto log = Call("GET", "/api/v1/audit-log?subject=" + fmt::format("token:{}", id));
  ASSERT_EQ(log.status, 200);
  EXPECT_EQ(Body(log)["entries"].size(), 2U);
}

TEST_F(ApiServerTest, OrdersAreSearchedAndOneOrdersTimelineSpansBothSystems) {
  const std::string id = "026-1111111-2222222";
  {
    auto txn = store_->Begin();
    ASSERT_TRUE(txn.ok());
    domain::OrderData data;
    data.amazon_order_id = id;
    data.marketplace_id = "A1F83G8C2ARO7P";
    data.status = domain::OrderStatus::kUnshipped;
    data.purchase_date = clock_.Now() - std::chrono::hours{5};
    data.last_update_date = data.purchase_date;
    data.latest_ship_date = clock_.Now() + std::chrono::hours{10};
    data.shipping_address = domain::Address{.name = "Ada Buyer",
                                            .line1 = "1 High Street",
                                            .city = "Leeds",
                                            .postal_code = "LS1 1AA",
                                            .country_code = "GB"};
    data.lines = {{.order_item_id = "31", .sku = "MUG-1", .quantity_ordered = 2}};
    ASSERT_TRUE((*txn)->UpsertOrder(*domain::Order::Create(std::move(data))).ok());
    ASSERT_TRUE((*txn)->SetOrderSyncState(id, store::SyncState::kDispatched, "GO-77").ok());
    ASSERT_TRUE((*txn)
                    ->AppendAudit({.at = clock_.Now() - std::chrono::hours{4},
                                   .actor = "system",
                                   .action = "order.sent",
                                   .subject = id,
                                   .details = "goods-out GO-77"})
                    .ok());
    const auto entry =
        (*txn)->EnqueueConfirmation({.idempotency_key = id + "/1",
                                     .amazon_order_id = id,
                                     .marketplace_id = "A1F83G8C2ARO7P",
                                     .parcel = {.package_reference_id = "1",
                                                .carrier_code = "Royal Mail",
                                                .tracking_number = "AB123456789GB",
                                                .ship_date = clock_.Now() - std::chrono::hours{1},
                                                .items = {{.order_item_id = "31", .quantity = 2}}},
                                     .deadline = clock_.Now() + std::chrono::hours{10}});
    ASSERT_TRUE(entry.ok());
    ASSERT_TRUE((*txn)
                    ->UpdateConfirmation(entry->id, {.state = store::ConfirmationState::kAccepted,
                                                     .attempts = 1,
                                                     .next_attempt_at = clock_.Now()})
                    .ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  const auto found = Call("GET", "/api/v1/orders?sync_state=Dispatched&limit=10");
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(Body(found)["orders"].size(), 1U);
  EXPECT_EQ(Body(found)["orders"][0]["clarus_goods_out_id"], "GO-77");
  EXPECT_EQ(Body(Call("GET", "/api/v1/orders?sync_state=Held"))["orders"].size(), 0U);
  const auto bad = Call("GET", "/api/v1/orders?sync_state=Lost&limit=0&colour=red");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["error"]["problems"].size(), 3U);

  const auto one = Call("GET", "/api/v1/orders/" + id);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_THAT(one.body, Not(HasSubstr("Ada Buyer")));
  EXPECT_THAT(one.body, Not(HasSubstr("High Street")));
  std::vector<std::string> events;
  const json timeline = Body(one)["timeline"];
  for (const json& event : timeline) {
    events.push_back(event["system"].get<std::string>() + ":" + event["event"].get<std::string>());
  }
  EXPECT_EQ(events,
            (std::vector<std::string>{
                "amazon:order.placed", "sellerbridge:order.sent", "clarus:parcel.dispatched",
                "sellerbridge:confirmation.queued", "amazon:confirmation.accepted"}));
  EXPECT_EQ(Body(one)["confirmations"][0]["state"], "Accepted");
  EXPECT_EQ(Call("GET", "/api/v1/orders/026-0000000-0000404").status, 404);
}

TEST_F(ApiServerTest, ReadyzNamesTheSystemThatCannotBeReached) {
  config::ServerConfig config;
  ApiServer server(config, store_.get(), mappings_.get(), exceptions_.get(), &clock_);
  int amazon_checks = 0;
  bool clarus_up = false;
  server.AddReadinessCheck("amazon", [&amazon_checks] {
    ++amazon_checks;
    return Status::Ok();
  });
  server.AddReadinessCheck("clarus", [&clarus_up] {
    return clarus_up ? Status::Ok() : UnavailableError("clarus token endpoint: 503");
  });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  http::CurlHttpClient http;
  const auto down = Call("GET", "/readyz", "", std::nullopt, &server, &http);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(Body(down)["checks"]["store"], "ok");
  EXPECT_EQ(Body(down)["checks"]["amazon"], "ok");
  EXPECT_THAT(Body(down)["checks"]["clarus"].get<std::string>(), HasSubstr("503"));
  // Kept for a few seconds, so that probes do not hammer the remote systems.
  clarus_up = true;
  EXPECT_EQ(Call("GET", "/readyz", "", std::nullopt, &server, &http).status, 503);
  EXPECT_EQ(amazon_checks, 1);
  clock_.Advance(std::chrono::seconds{10});
  EXPECT_EQ(Call("GET", "/readyz", "", std::nullopt, &server, &http).status, 200);
  EXPECT_EQ(amazon_checks, 2);
  server.Stop();
}

}  // namespace
}  // namespace sellerbridge::server
