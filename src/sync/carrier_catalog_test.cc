#include "sync/carrier_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "clarus/carriers.h"
#include "clarus/connector_test_fixture.h"

namespace sellerbridge::sync {
namespace {

namespace emulator = ::sellerbridge::emulators::clarus;
using ::testing::HasSubstr;

// Sends every request to `from_base` to `to_base` instead once Switch() is called, as if the
// tenant behind one address had changed.
class SwitchingHttpClient final : public http::HttpClient {
 public:
  SwitchingHttpClient(http::HttpClient* inner, std::string from_base, std::string to_base)
      : inner_(inner), from_base_(std::move(from_base)), to_base_(std::move(to_base)) {}

  void Switch() { switched_ = true; }

  Result<http::ClientResponse> Send(const http::ClientRequest& request) override {
    if (!switched_ || !request.url.starts_with(from_base_)) {
      return inner_->Send(request);
    }
    http::ClientRequest redirected = request;
    redirected.url = to_base_ + request.url.substr(from_base_.size());
    return inner_->Send(redirected);
  }

 private:
  http::HttpClient* const inner_;
  const std::string from_base_;
  const std::string to_base_;
  std::atomic<bool> switched_{false};
};

class CarrierCatalogTest : public clarus::ClarusConnectorTest {
 protected:
  void SetUp() override {
    clarus::ClarusConnectorTest::SetUp();
    carriers_ = std::make_unique<clarus::Carriers>(client_.get());
    catalog_ = std::make_unique<CarrierCatalog>(carriers_.get(), &catalog_clock_, kTtl);
  }

  std::string Id(std::int64_t id) const { return std::to_string(id); }

  static constexpr Duration kTtl = std::chrono::minutes{5};
  VirtualClock catalog_clock_{*ParseIso8601("2026-11-27T08:00:00Z")};
  std::unique_ptr<clarus::Carriers> carriers_;
  std::unique_ptr<CarrierCatalog> catalog_;
};

TEST_F(CarrierCatalogTest, FindsTheClarusIdsOfACarrierServiceByCodes) {
  const auto found = catalog_->Find("ROYALMAIL", "RM48");
  ASSERT_TRUE(found.ok()) << found.status();
  const std::int64_t service_id = ServiceId("RM48");
  EXPECT_EQ(found->service_id, Id(service_id));
  EXPECT_EQ(found->carrier_id, Id(CarrierIdOfService(service_id)));

  const auto dpd = catalog_->Find("DPD", "DPD12");
  ASSERT_TRUE(dpd.ok()) << dpd.status();
  EXPECT_EQ(dpd->service_id, Id(ServiceId("DPD12")));
  EXPECT_NE(dpd->carrier_id, found->carrier_id);
}

TEST_F(CarrierCatalogTest, NamesTheCarriersClarusHasWhenTheCarrierIsMissing) {
  const auto found = catalog_->Find("DPDX", "DPD12");
  ASSERT_EQ(found.status().code(), StatusCode::kNotFound) << found.status();
  EXPECT_EQ(found.status().message(),
            "Clarus has no carrier 'DPDX' (it has: DHL, DPD, EVRI, PARCELFORCE, ROYALMAIL, UPS)");
}

TEST_F(CarrierCatalogTest, NamesTheServicesOfTheCarrierWhenTheServiceIsMissing) {
  const auto found = catalog_->Find("ROYALMAIL", "RM99");
  ASSERT_EQ(found.status().code(), StatusCode::kNotFound) << found.status();
  EXPECT_EQ(found.status().message(),
            "Clarus carrier 'ROYALMAIL' has no service 'RM99' (it has: RM1CLS, RM24, RM48)");
}

TEST_F(CarrierCatalogTest, CodesAreComparedExactly) {
  EXPECT_EQ(catalog_->Find("royalmail", "RM24").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(catalog_->Find("ROYALMAIL", "rm24").status().code(), StatusCode::kNotFound);
}

TEST_F(CarrierCatalogTest, ReadsClarusOnceWithinTheTtl) {
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  const int after_first = counting_.GraphqlRequests();
  EXPECT_GE(after_first, 1);
  catalog_clock_.Advance(kTtl - std::chrono::seconds{1});
  ASSERT_TRUE(catalog_->Find("EVRI", "EVRI48").ok());
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM48").ok());
  EXPECT_EQ(counting_.GraphqlRequests(), after_first);
}

TEST_F(CarrierCatalogTest, ReadsClarusAgainOnceTheTtlHasPassed) {
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  const int after_first = counting_.GraphqlRequests();
  catalog_clock_.Advance(kTtl);
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  EXPECT_EQ(counting_.GraphqlRequests(), 2 * after_first);
}

TEST_F(CarrierCatalogTest, InvalidateMakesTheNextCallReadClarus) {
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  const int after_first = counting_.GraphqlRequests();
  catalog_->Invalidate();
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  EXPECT_EQ(counting_.GraphqlRequests(), 2 * after_first);
}

TEST_F(CarrierCatalogTest, AMissReReadsClarusOnceBeforeAnsweringNotFound) {
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  const int one_read = counting_.GraphqlRequests();
  EXPECT_EQ(catalog_->Find("YODEL", "YODEL48").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(counting_.GraphqlRequests(), 2 * one_read);
}

TEST_F(CarrierCatalogTest, AMissOnAFreshReadDoesNotReadTwice) {
  EXPECT_EQ(catalog_->Find("YODEL", "YODEL48").status().code(), StatusCode::kNotFound);
  const int reads = counting_.GraphqlRequests();
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  EXPECT_EQ(counting_.GraphqlRequests(), reads);
}

TEST_F(CarrierCatalogTest, SeesACarrierJustAddedInClarusAtOnce) {
  emulator::Scenario grown = emulator::Scenario::Default();
  grown.carriers.push_back({7, "YODEL", "Yodel", "JD################", std::chrono::hours{17}, {}});
  grown.carrier_services.push_back({14, 7, "YODEL48", "Yodel Xpect 48"});
  VirtualClock other_clock{clock_.Now()};
  auto created =
      emulator::ClarusEmulator::Create({.seed = 12, .scenario = std::move(grown)}, &other_clock);
  ASSERT_TRUE(created.ok()) << created.status();
  std::unique_ptr<emulator::ClarusEmulator> grown_tenant = std::move(created).value();
  ASSERT_TRUE(grown_tenant->Start("127.0.0.1", 0).ok());

  // Declared after the second tenant, so that its connections close before that tenant stops.
  http::CurlHttpClient tenant_http;
  SwitchingHttpClient switching(&tenant_http, emulator_->BaseUrl(), grown_tenant->BaseUrl());
  const emulator::Scenario& s = GetScenario();
  http::OAuthGrant grant =
      http::ClientCredentialsGrant("clarus", emulator_->BaseUrl() + "/oauth/token",
                                   s.credentials[0].client_id, s.credentials[0].client_secret);
  grant.headers.emplace("X-Clarus-Subdomain", s.subdomain);
  http::OAuthTokenProvider tokens(grant, &switching, SystemClock::Get());
  clarus::ClarusClient client(
      clarus::ClarusClientOptions{.api_base = emulator_->BaseUrl() + emulator_->ApiPrefix(),
                                  .graphql_url = emulator_->BaseUrl() + "/graphql",
                                  .subdomain = s.subdomain,
                                  .initial_backoff = std::chrono::milliseconds{1},
                                  .max_backoff = std::chrono::milliseconds{5}},
      &switching, &tokens, SystemClock::Get());
  clarus::Carriers carriers(&client);
  CarrierCatalog catalog(&carriers, &catalog_clock_, kTtl);

  ASSERT_TRUE(catalog.Find("ROYALMAIL", "RM24").ok());
  switching.Switch();
  const auto found = catalog.Find("YODEL", "YODEL48");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->carrier_id, "7");
  EXPECT_EQ(found->service_id, "14");
}

TEST_F(CarrierCatalogTest, ReportsClarusUnreachableAsUnavailableNotNotFound) {
  emulator_->Stop();
  const auto found = catalog_->Find("ROYALMAIL", "RM24");
  EXPECT_EQ(found.status().code(), StatusCode::kUnavailable) << found.status();
  EXPECT_THAT(found.status().message(), HasSubstr("reading the carriers from Clarus"));
}

TEST_F(CarrierCatalogTest, AMissWhileClarusFailsIsAnErrorButHitsAreServedFromTheCache) {
  ASSERT_TRUE(catalog_->Find("ROYALMAIL", "RM24").ok());
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kServerError, .count = 100});
  EXPECT_TRUE(catalog_->Find("ROYALMAIL", "RM48").ok());
  EXPECT_EQ(catalog_->Find("YODEL", "YODEL48").status().code(), StatusCode::kUnavailable);
}

TEST_F(CarrierCatalogTest, ServesManyThreadsWithOneRead) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> found{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) {
        if (catalog_->Find("ROYALMAIL", j % 2 == 0 ? "RM24" : "RM48").ok()) {
          ++found;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(found.load(), 160);
  EXPECT_EQ(counting_.GraphqlRequests(), 1);
}

}  // namespace
}  // namespace sellerbridge::sync
