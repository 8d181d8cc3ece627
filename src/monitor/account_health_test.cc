#include "monitor/account_health.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "amazon/orders_api.h"
#include "amazon/quota_broker.h"
#include "amazon/rate_limit_table.h"
#include "amazon/reports_api.h"
#include "amazon/restricted_data_tokens.h"
#include "amazon/sp_api_client.h"
#include "base/clock.h"
#include "base/time_format.h"
#include "domain/tracking_number.h"
#include "emulators/amazon/amazon_emulator.h"
#include "http/client.h"
#include "http/oauth_token_provider.h"
#include "store/store.h"

namespace sellerbridge::monitor {
namespace {

namespace emulator = ::sellerbridge::emulators::amazon;
using std::chrono::days;
using std::chrono::hours;

constexpr std::string_view kUk = "A1F83G8C2ARO7P";
constexpr std::string_view kDe = "A1PA6795UKMFR9";
constexpr std::string_view kValidTracking = "AB123456789GB";

// The moment the projection is taken: Saturday 9 January 2027, 10:00 UTC.
TimePoint Now() { return *ParseIso8601("2027-01-09T10:00:00Z"); }

class AccountHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Unique per process and test: ctest runs the tests of this binary side by side.
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("account_health_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(directory_);
    OpenStore();
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(directory_);
  }

  void OpenStore() {
    store_.reset();
    auto opened = store::OpenStore("sqlite:" + (directory_ / "store.db").string(), &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  void AddOrder(const std::string& id, std::string_view marketplace, TimePoint purchased,
                TimePoint latest_ship, domain::OrderStatus status, TimePoint last_update) {
    const bool shipped = status == domain::OrderStatus::kShipped;
    auto order = domain::Order::Create({.amazon_order_id = id,
                                        .marketplace_id = std::string(marketplace),
                                        .status = status,
                                        .purchase_date = purchased,
                                        .last_update_date = last_update,
                                        .latest_ship_date = latest_ship,
                                        .ship_service_level = "Std UK Dom_1",
                                        .lines = {{.order_item_id = "11111111111111",
                                                   .sku = "SB-MUG-001",
                                                   .quantity_ordered = 1,
                                                   .quantity_shipped = shipped ? 1 : 0}}});
    ASSERT_TRUE(order.ok()) << order.status();
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE((*tx)->UpsertOrder(*order).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  // Records a parcel of `id` that Amazon accepted (or that failed) at `at`,
  // moving the clock there: the store stamps accepted_at from it.
  void Confirm(const std::string& id, TimePoint at, const std::string& carrier,
               std::string_view tracking,
               store::ConfirmationState state = store::ConfirmationState::kAccepted) {
    clock_.AdvanceTo(at);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    auto enqueued = (*tx)->EnqueueConfirmation(
        {.idempotency_key = id + "/" + FormatIso8601(at),
         .amazon_order_id = id,
         .marketplace_id = std::string(kUk),
         .parcel = {.package_reference_id = "1",
                    .carrier_code = carrier,
                    .shipping_method = "Tracked 24",
                    .tracking_number = std::string(tracking),
                    .ship_date = at,
                    .items = {{.order_item_id = "11111111111111", .quantity = 1}}},
         .deadline = at});
    ASSERT_TRUE(enqueued.ok()) << enqueued.status();
    ASSERT_TRUE((*tx)
                    ->UpdateConfirmation(enqueued->id,
                                         {.state = state, .attempts = 1, .next_attempt_at = at})
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  // Our records over the 45 days before Now(), ending with the clock at
  // Now(). Orders by their latestShipDate (LSD) relative to Now():
  //   A  LSD -2d, accepted -3d (on time), valid tracking
  //   B  LSD -5d, accepted -4d (late), tracking "123"
  //   C  LSD -20d, accepted -19d (late)
  //   D  LSD -25d, accepted -26d (on time)
  //   E  LSD -1d, never accepted (its only entry failed)
  //   F  LSD -40d, accepted -39d (late): outside every window
  //   G  cancelled -2d, before its LSD -1d, purchased -3d
  //   H  cancelled -3d, after its LSD -10d, purchased -12d
  //   I  purchased -2d, LSD +1d: not due yet
  //   J  another marketplace, LSD -2d, unconfirmed
  //   K  LSD -5d, accepted -6d (on time), a carrier code Amazon does not know
  void SeedOrders() {
    const TimePoint now = Now();
    struct Seed {
      const char* id;
      std::string_view marketplace;
      int lsd;
      domain::OrderStatus status;
      std::optional<int> cancelled;
      std::optional<int> purchased;
    };
    using S = domain::OrderStatus;
    const Seed seeds[] = {
        {"203-0000000-0000001", kUk, -2, S::kShipped, {}, {}},
        {"203-0000000-0000002", kUk, -5, S::kShipped, {}, {}},
        {"203-0000000-0000003", kUk, -20, S::kShipped, {}, {}},
        {"203-0000000-0000004", kUk, -25, S::kShipped, {}, {}},
        {"203-0000000-0000005", kUk, -1, S::kUnshipped, {}, {}},
        {"203-0000000-0000006", kUk, -40, S::kShipped, {}, {}},
        {"203-0000000-0000007", kUk, -1, S::kCancelled, -2, -3},
        {"203-0000000-0000008", kUk, -10, S::kCancelled, -3, -12},
        {"203-0000000-0000009", kUk, 1, S::kUnshipped, {}, -2},
        {"203-0000000-0000010", kDe, -2, S::kUnshipped, {}, {}},
        {"203-0000000-0000011", kUk, -5, S::kShipped, {}, {}},
    };
    for (const Seed& seed : seeds) {
      const TimePoint lsd = now + days{seed.lsd};
      // Purchased three days before the deadline unless said otherwise.
      const TimePoint purchased = seed.purchased ? now + days{*seed.purchased} : lsd - days{3};
      const TimePoint updated = seed.cancelled ? now + days{*seed.cancelled} : purchased;
      AddOrder(seed.id, seed.marketplace, purchased, lsd, seed.status, updated);
    }
    ASSERT_TRUE(domain::CheckTrackingNumber("Royal Mail", kValidTracking).ok());
    Confirm("203-0000000-0000006", now - days{39}, "Royal Mail", kValidTracking);
    Confirm("203-0000000-0000004", now - days{26}, "Royal Mail", kValidTracking);
    Confirm("203-0000000-0000003", now - days{19}, "Royal Mail", kValidTracking);
    Confirm("203-0000000-0000011", now - days{6}, "Royal Mai1", kValidTracking);
    Confirm("203-0000000-0000002", now - days{4}, "Royal Mail", "123");
    Confirm("203-0000000-0000001", now - days{3}, "Royal Mail", kValidTracking);
    Confirm("203-0000000-0000005", now - days{2}, "Royal Mail", kValidTracking,
            store::ConfirmationState::kFailed);
    clock_.AdvanceTo(now);
  }

  Result<AccountHealthView> View(TimePoint now) {
    auto tx = store_->BeginReadOnly();
    if (!tx.ok()) {
      return tx.status();
    }
    return LoadAccountHealthView(**tx, kUk, now);
  }

  VirtualClock clock_{Now() - days{45}};
  std::filesystem::path directory_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(AccountHealthTest, ProjectsAmazonsWindowsFromOurOrdersAndConfirmations) {
  SeedOrders();
  auto view = View(Now());
  ASSERT_TRUE(view.ok()) << view.status();
  const AccountHealthProjection& ours = view->ours;
  // A, B, E, K; B late, E never confirmed; G is cancelled, H's LSD is on the edge.
  EXPECT_EQ(ours.late_shipment_10d.denominator, 4);
  EXPECT_EQ(ours.late_shipment_10d.numerator, 2);
  EXPECT_TRUE(ours.late_shipment_10d.Breaches());
  // Plus C (late) and D (on time); F is older.
  EXPECT_EQ(ours.late_shipment_30d.denominator, 6);
  EXPECT_EQ(ours.late_shipment_30d.numerator, 3);
  EXPECT_EQ(ours.unconfirmed_late_30d, 1);
  EXPECT_EQ(ours.late_shipment_30d.window_from, Now() - days{30});
  // Purchased in 7 days: A, E, G, I; cancelled in 7 days: G, H.
  EXPECT_EQ(ours.cancel_7d.denominator, 5);
  EXPECT_EQ(ours.cancel_7d.numerator, 2);
  EXPECT_EQ(ours.cancelled_after_ship_deadline_7d, 1);
  EXPECT_DOUBLE_EQ(ours.cancel_7d.Rate(), 0.4);
  // Accepted in 7 days: A (valid), B (bad number), K (unknown carrier).
  EXPECT_EQ(ours.valid_tracking_7d.denominator, 3);
  EXPECT_EQ(ours.valid_tracking_7d.numerator, 1);
  EXPECT_TRUE(ours.valid_tracking_7d.Breaches());
  EXPECT_EQ(ours.valid_tracking_30d.denominator, 5);
  EXPECT_EQ(ours.valid_tracking_30d.numerator, 3);
  EXPECT_FALSE(view->amazon.has_value());

  // Six days on, B and K have left the 10 days; I's deadline has passed
  // unconfirmed, so it joins E as late.
  auto later = View(Now() + days{6});
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->ours.late_shipment_10d.denominator, 3);
  EXPECT_EQ(later->ours.late_shipment_10d.numerator, 2);
  EXPECT_EQ(later->ours.valid_tracking_7d.denominator, 0);
  EXPECT_FALSE(later->ours.valid_tracking_7d.Breaches());

  const nlohmann::json json = ToJson(*view);
  EXPECT_EQ(json["marketplaceId"], kUk);
  EXPECT_TRUE(json["amazonReport"].is_null());
  const nlohmann::json& late = json["metrics"]["lateShipmentRate"];
  EXPECT_EQ(late["ours"]["10d"]["numerator"], 2);
  EXPECT_EQ(late["ours"]["30d"]["unconfirmed"], 1);
  EXPECT_EQ(late["ours"]["10d"]["breached"], true);
  EXPECT_EQ(late["ours"]["10d"]["targetCondition"], "LESS_THAN");
  EXPECT_TRUE(late["amazon"].is_null());
  EXPECT_EQ(json["metrics"]["validTrackingRate"]["ours"]["30d"]["denominator"], 5);
  EXPECT_EQ(
      json["metrics"]["preFulfillmentCancellationRate"]["ours"]["7d"]["cancelledAfterShipDeadline"],
      1);
}

TEST_F(AccountHealthTest, StoredReportIsReadBackAndUnreadableOnesAreNamed) {
  {
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    EXPECT_EQ(SaveSellerPerformance(**tx, kUk, "1", Now(), "{}").code(),
              StatusCode::kInvalidArgument);
    ASSERT_TRUE(SaveSellerPerformance(**tx, kUk, "55555", Now(),
                                      R"({"accountStatuses":[{"marketplaceId":"A1F83G8C2ARO7P",
                                        "status":"NORMAL"}],"performanceMetrics":[
                                        {"marketplaceId":"A1F83G8C2ARO7P",
                                         "lateShipmentRate":{"rate":0.01,"orderCount":100,
                                         "lateShipmentCount":1,"targetValue":0.04,
                                         "targetCondition":"LESS_THAN","status":"GOOD"}}]})")
                    .ok());
    ASSERT_TRUE((*tx)->SetWatermark(AccountHealthWatermarkName(kDe), "not json").ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  OpenStore();
  auto tx = store_->BeginReadOnly();
  ASSERT_TRUE(tx.ok()) << tx.status();
  auto stored = LoadSellerPerformance(**tx, kUk);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->report_id, "55555");
  EXPECT_EQ((*stored)->fetched_at, Now());
  EXPECT_EQ((*stored)->report.AccountStatusOf(kUk), "NORMAL");
  const auto broken = LoadSellerPerformance(**tx, kDe);
  EXPECT_EQ(broken.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(broken.status().message().find("account_health:A1PA6795UKMFR9"), std::string::npos);
  auto none = LoadSellerPerformance(**tx, "A13V1IB3VIYZZH");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
}

// Amazon's emulator on loopback on the test's clock, and the client stack
// the daemon uses (quota broker, LWA, SP-API client) on the system clock.
class AccountHealthFetchTest : public AccountHealthTest {
 protected:
  void SetUp() override {
    AccountHealthTest::SetUp();
    auto created = emulator::AmazonEmulator::Create({.seed = 11}, &clock_);
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = *std::move(created);
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    const emulator::Scenario& scenario = emulator_->GetScenario();
    const std::string base_url = "http://127.0.0.1:" + std::to_string(emulator_->Port());
    tokens_ = std::make_unique<http::OAuthTokenProvider>(
        http::LwaRefreshTokenGrant(base_url + "/auth/o2/token", scenario.lwa_client_id,
                                   scenario.lwa_client_secret, scenario.refresh_tokens.front()),
        &http_, SystemClock::Get());
    client_ = std::make_unique<amazon::SpApiClient>(
        amazon::SpApiClientOptions{.endpoint = base_url,
                                   .seller_id = scenario.seller_id,
                                   .region = "EU",
                                   .max_attempts = 3,
                                   .initial_backoff = std::chrono::milliseconds{1},
                                   .max_backoff = std::chrono::milliseconds{5}},
        &http_, tokens_.get(), &broker_, SystemClock::Get());
    rdts_ = std::make_unique<amazon::RestrictedDataTokens>(client_.get(), SystemClock::Get());
    orders_ = std::make_unique<amazon::OrdersApi>(client_.get(), rdts_.get());
    reports_ = std::make_unique<amazon::ReportsApi>(client_.get(), &http_);
  }

  // Places an order with Amazon now; returns its id.
  std::string PlaceOnAmazon() {
    emulator::NewOrder order;
    order.lines.push_back({.sku = emulator_->GetScenario().catalogue.front().sku, .quantity = 1});
    auto id = emulator_->AddOrder(order);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : std::string();
  }

  void ShipOnAmazon(const std::string& id) {
    const auto order = emulator_->GetOrder(id);
    ASSERT_TRUE(order.has_value());
    const Status confirmed =
        orders_->ConfirmShipment(id,
                                 {.marketplace_id = std::string(kUk),
                                  .package_reference_id = "1",
                                  .carrier_code = "Royal Mail",
                                  .tracking_number = std::string(kValidTracking),
                                  .ship_date = clock_.Now(),
                                  .items = {{order->lines[0].order_item_id, 1}}},
                                 {});
    ASSERT_TRUE(confirmed.ok()) << confirmed;
  }

  // Runs the fetch on its own thread, moving the clock whenever it waits.
  Result<FetchedSellerPerformance> Fetch(const FetchOptions& options) {
    auto fetch = std::async(std::launch::async, [&] {
      return FetchSellerPerformance(reports_.get(), store_.get(), &clock_, kUk, options);
    });
    while (fetch.wait_for(std::chrono::milliseconds{5}) != std::future_status::ready) {
      if (clock_.AwaitSleepers(1, std::chrono::milliseconds{20})) {
        clock_.Advance(options.poll_interval);
      }
    }
    return fetch.get();
  }

  // Declared first so that it stops last, after the clients closed their
  // connections.
  std::unique_ptr<emulator::AmazonEmulator> emulator_;
  http::CurlHttpClient http_;
  amazon::QuotaBroker broker_{SystemClock::Get(), amazon::DocumentedRateLimits()};
  std::unique_ptr<http::OAuthTokenProvider> tokens_;
  std::unique_ptr<amazon::SpApiClient> client_;
  std::unique_ptr<amazon::RestrictedDataTokens> rdts_;
  std::unique_ptr<amazon::OrdersApi> orders_;
  std::unique_ptr<amazon::ReportsApi> reports_;
};

TEST_F(AccountHealthFetchTest, FetchedReportIsStoredAndShownBesideOurProjection) {
  SeedOrders();
  // Amazon's side: one order shipped at once, one five days on, after its
  // latestShipDate.
  const std::string on_time = PlaceOnAmazon();
  const std::string late = PlaceOnAmazon();
  ShipOnAmazon(on_time);
  clock_.Advance(days{5});
  ShipOnAmazon(late);
  const TimePoint asked_at = clock_.Now();

  auto fetched = Fetch({.poll_interval = std::chrono::seconds{15}});
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_GT(fetched->fetched_at, asked_at);
  EXPECT_EQ(fetched->fetched_at, clock_.Now());

  // What was stored survives a restart.
  OpenStore();
  auto view = View(Now());
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_TRUE(view->amazon.has_value());
  EXPECT_EQ(view->amazon->report_id, fetched->report_id);
  EXPECT_EQ(view->amazon->fetched_at, fetched->fetched_at);
  const amazon::MarketplacePerformance* theirs = view->amazon->report.Find(kUk);
  ASSERT_NE(theirs, nullptr);
  ASSERT_TRUE(theirs->late_shipment_rate.has_value());
  EXPECT_EQ(theirs->late_shipment_rate->numerator, 1);
  EXPECT_EQ(theirs->late_shipment_rate->denominator, 2);

  const nlohmann::json json = ToJson(*view);
  EXPECT_EQ(json["amazonReport"]["reportId"], fetched->report_id);
  EXPECT_EQ(json["amazonReport"]["fetchedAt"], FormatIso8601(fetched->fetched_at));
  EXPECT_EQ(json["amazonReport"]["accountStatus"], "AT_RISK");
  EXPECT_EQ(json["amazonReport"]["accountHealthRating"], "WARNED");
  const nlohmann::json& late_rate = json["metrics"]["lateShipmentRate"];
  EXPECT_EQ(late_rate["ours"]["10d"]["numerator"], 2);
  EXPECT_EQ(late_rate["amazon"]["numerator"], 1);
  EXPECT_EQ(late_rate["amazon"]["denominator"], 2);
  EXPECT_EQ(late_rate["amazon"]["breached"], true);
  EXPECT_EQ(late_rate["amazon"]["status"], "BAD");
  EXPECT_EQ(json["metrics"]["validTrackingRate"]["amazon"]["numerator"], 2);
  EXPECT_EQ(json["metrics"]["onTimeDeliveryRate"]["amazon"]["status"], "NONE");
  EXPECT_TRUE(json["metrics"]["onTimeDeliveryRate"]["ours"].is_null());
}

TEST_F(AccountHealthFetchTest, GivesUpWhenTheReportIsNotDoneInTime) {
  auto fetched =
      Fetch({.poll_interval = std::chrono::seconds{5}, .give_up_after = std::chrono::seconds{20}});
  EXPECT_EQ(fetched.status().code(), StatusCode::kDeadlineExceeded) << fetched.status();
  EXPECT_NE(fetched.status().message().find("seller performance report"), std::string::npos);
  auto tx = store_->BeginReadOnly();
  ASSERT_TRUE(tx.ok()) << tx.status();
  auto stored = LoadSellerPerformance(**tx, kUk);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(stored->has_value());
}

}  // namespace
}  // namespace sellerbridge::monitor
