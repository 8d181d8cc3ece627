#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/time_format.h"
#include "clarus/clarus_client.h"
#include "clarus/goods_outs.h"
#include "emulators/clarus/clarus_emulator.h"
#include "http/client.h"
#include "http/oauth_token_provider.h"

namespace sellerbridge::clarus {

namespace emulator = ::sellerbridge::emulators::clarus;

// Counts the requests that pass through to another HttpClient, so that a
// test can tell how many calls reached Clarus.
class CountingHttpClient final : public http::HttpClient {
 public:
  explicit CountingHttpClient(http::HttpClient* inner) : inner_(inner) {}

  Result<http::ClientResponse> Send(const http::ClientRequest& request) override {
    ++requests_;
    if (request.url.find("/graphql") != std::string::npos) {
      ++graphql_requests_;
    }
    return inner_->Send(request);
  }

  int Requests() const { return requests_; }
  int GraphqlRequests() const { return graphql_requests_; }

 private:
  http::HttpClient* const inner_;
  std::atomic<int> requests_{0};
  std::atomic<int> graphql_requests_{0};
};

// The Clarus emulator on loopback, on a VirtualClock that only the test
// moves, and a client stack pointed at it. The client's own waits (backoff)
// are a few milliseconds of real time, and its token provider reads the
// system clock, so a token that the emulator's clock has expired is found
// out by a 401, as a token revoked early would be.
class ClarusConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override { StartEmulator(emulator::Scenario::Default()); }

  void StartEmulator(emulator::Scenario scenario) {
    auto created =
        emulator::ClarusEmulator::Create({.seed = 11, .scenario = std::move(scenario)}, &clock_);
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = std::move(created).value();
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    const emulator::Scenario& s = emulator_->GetScenario();
    http::OAuthGrant grant =
        http::ClientCredentialsGrant("clarus", emulator_->BaseUrl() + "/oauth/token",
                                     s.credentials[0].client_id, s.credentials[0].client_secret);
    grant.headers.emplace("X-Clarus-Subdomain", s.subdomain);
    tokens_ = std::make_unique<http::OAuthTokenProvider>(grant, &http_, SystemClock::Get());
    client_ = MakeClient(&counting_);
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

  // Moves Clarus's time on and lets the warehouse catch up.
  void Advance(Duration by) {
    clock_.Advance(by);
    emulator_->Sync();
  }

  std::string Now() const { return FormatIso8601(clock_.Now()); }

  const emulator::Scenario& GetScenario() const { return emulator_->GetScenario(); }
  std::string AccountId() const { return std::to_string(GetScenario().accounts.at(0).id); }
  std::string WarehouseId() const { return std::to_string(GetScenario().warehouses.at(0).id); }

  // The id of the scenario's carrier service `code` ("RM24", "EVRI48", …).
  std::int64_t ServiceId(const std::string& code) const {
    for (const emulator::CarrierService& service : GetScenario().carrier_services) {
      if (service.code == code) {
        return service.id;
      }
    }
    ADD_FAILURE() << "no carrier service " << code;
    return 0;
  }

  std::int64_t CarrierIdOfService(std::int64_t service_id) const {
    for (const emulator::CarrierService& service : GetScenario().carrier_services) {
      if (service.id == service_id) {
        return service.carrier_id;
      }
    }
    return 0;
  }

  // A goods-out request for `quantity` of product 1 (SKU-001) shipped with
  // `service` (a carrier service code).
  GoodsOutRequest Request(const std::string& reference, std::int64_t quantity = 1,
                          const std::string& service = "RM24") const {
    GoodsOutRequest request;
    request.reference = reference;
    request.account_id = AccountId();
    request.warehouse_id = WarehouseId();
    const std::int64_t service_id = ServiceId(service);
    request.carrier_service_id = std::to_string(service_id);
    request.carrier_id = std::to_string(CarrierIdOfService(service_id));
    request.expected_date_of_dispatch = "2026-11-28";
    request.address = {.name = "J Doe",
                       .address_1 = "1 High St",
                       .address_2 = "Leeds",
                       .postcode = "LS1 1AA",
                       .country_code = "GB"};
    request.lines.push_back({.product_id = "1",
                             .quantity = quantity,
                             .alt_line_reference = "OI-" + reference,
                             .alt_product_code = "SKU-001"});
    return request;
  }

  // Creates the goods-out of Request(...) and returns its Clarus id.
  std::string CreateOrder(const std::string& reference, std::int64_t quantity = 1,
                          const std::string& service = "RM24") {
    auto created = goods_outs_->Create(Request(reference, quantity, service));
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id : "";
  }

  // Takes goods-out `id` through picking and dispatch now.
  void CompleteNow(const std::string& id) {
    const Status done = emulator_->GetWarehouse().CompleteNow(std::stoll(id));
    ASSERT_TRUE(done.ok()) << done;
  }

  VirtualClock clock_{*ParseIso8601("2026-11-27T08:00:00Z")};
  std::unique_ptr<emulator::ClarusEmulator> emulator_;
  http::CurlHttpClient http_;
  CountingHttpClient counting_{&http_};
  std::unique_ptr<http::OAuthTokenProvider> tokens_;
  std::unique_ptr<ClarusClient> client_;
  std::unique_ptr<GoodsOuts> goods_outs_;
};

}  // namespace sellerbridge::clarus
