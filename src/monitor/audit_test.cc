#include "monitor/audit.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"
#include "domain/order.h"
#include "domain/ship_method_mapping.h"
#include "domain/stock.h"
#include "store/store.h"

namespace sellerbridge::monitor {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using store::ConfirmationState;
using store::SyncState;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

const TimePoint kStart = TimePoint{} + hours{24 * 20000};
// The moment every test audits at; the seeds are placed before it.
const TimePoint kNow = kStart + hours{48};
constexpr std::string_view kUk = "A1F83G8C2ARO7P";
constexpr std::string_view kMapped = "STANDARD";
constexpr std::string_view kBuyerName = "Jane Q Buyer";
constexpr std::string_view kStreet = "7 Quayside Lane";

using Key = std::tuple<AuditCheck, AuditSeverity, std::string>;

std::vector<Key> Keys(const AuditReport& report) {
  std::vector<Key> keys;
  for (const AuditFinding& finding : report.findings) {
    keys.emplace_back(finding.check, finding.severity, finding.subject);
  }
  return keys;
}

// What an order is made of, for the seeds.
struct OrderSeed {
  std::string id;
  std::string ship_service_level = std::string(kMapped);
  bool is_prime = false;
  std::string sku = "SKU-OK";
  TimePoint purchased = kStart;
  std::optional<TimePoint> latest_ship_date = kNow + days{3};
  std::optional<SyncState> state;  // Unset: stays New.
  domain::OrderStatus status = domain::OrderStatus::kUnshipped;
};

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    config_.amazon.marketplaces = {std::string(kUk)};
    // Two or fewer sellable list 0: the stale-stock check must apply it.
    config_.stock.default_policy.zero_at_or_below = 2;
    auto txn = Begin();
    auto mapping = domain::ShipMethodMapping::Create({.marketplace_id = std::string(kUk),
                                                      .ship_service_level = std::string(kMapped),
                                                      .clarus_carrier = "ROYALMAIL",
                                                      .clarus_service = "RM48",
                                                      .amazon_carrier_code = "Royal Mail",
                                                      .amazon_shipping_method = "Tracked 48"});
    ASSERT_TRUE(mapping.ok()) << mapping.status();
    ASSERT_TRUE(txn->PutShipMethodMapping(*mapping).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  std::unique_ptr<store::Transaction> Begin() {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok()) << txn.status();
    return std::move(txn).value();
  }

  // Stores the order now (on the virtual clock), in its seed's sync state.
  void AddOrder(const OrderSeed& seed) {
    domain::OrderData data;
    data.amazon_order_id = seed.id;
    data.marketplace_id = std::string(kUk);
    data.status = seed.status;
    data.purchase_date = seed.purchased;
    data.last_update_date = seed.purchased;
    data.latest_ship_date = seed.latest_ship_date;
    data.ship_service_level = seed.ship_service_level;
    data.is_prime = seed.is_prime;
    data.shipping_address = domain::Address{.name = std::string(kBuyerName),
                                            .line1 = std::string(kStreet),
                                            .city = "Leeds",
                                            .postal_code = "LS1 1AA",
                                            .country_code = "GB"};
    data.lines = {{.order_item_id = "1", .sku = seed.sku, .quantity_ordered = 1}};
    auto order = domain::Order::Create(std::move(data));
    ASSERT_TRUE(order.ok()) << order.status();
    auto txn = Begin();
    ASSERT_TRUE(txn->UpsertOrder(*order).ok());
    if (seed.state) {
      ASSERT_TRUE(txn->SetOrderSyncState(seed.id, *seed.state, "GO-" + seed.id.substr(12)).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  }

  // Enqueues a confirmation of `order_id` now and leaves it in `state`.
  void AddConfirmation(std::string_view order_id, ConfirmationState state, TimePoint deadline,
                       TimePoint next_attempt_at) {
    auto txn = Begin();
    auto enqueued =
        txn->EnqueueConfirmation({.idempotency_key = fmt::format("confirm-{}", ++confirmations_),
                                  .amazon_order_id = std::string(order_id),
                                  .marketplace_id = std::string(kUk),
                                  .parcel = {.package_reference_id = "1",
                                             .carrier_code = "Royal Mail",
                                             .tracking_number = "AB123456789GB",
                                             .ship_date = clock_.Now(),
                                             .items = {{.order_item_id = "1", .quantity = 1}}},
                                  .deadline = deadline});
    ASSERT_TRUE(enqueued.ok()) << enqueued.status();
    if (state != ConfirmationState::kPending) {
      ASSERT_TRUE(
          txn->UpdateConfirmation(enqueued->id, {.state = state,
                                                 .attempts = 1,
                                                 .next_attempt_at = next_attempt_at,
                                                 .last_error = state == ConfirmationState::kFailed
                                                                   ? "InvalidInput: tracking number"
                                                                   : ""})
              .ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  }

  void AddLevel(std::string_view sku, std::int64_t available, TimePoint observed_at) {
    auto level = domain::StockLevel::Create(
        {.sku = std::string(sku), .available = available, .observed_at = observed_at});
    ASSERT_TRUE(level.ok());
    auto txn = Begin();
    ASSERT_TRUE(txn->UpsertStockLevel(*level).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  void AddPublication(std::string_view sku, std::int64_t quantity, TimePoint changed_at) {
    auto txn = Begin();
    ASSERT_TRUE(txn->RecordStockPublication({.sku = std::string(sku),
                                             .marketplace_id = std::string(kUk),
                                             .quantity = quantity,
                                             .changed_at = changed_at,
                                             .published_at = changed_at + minutes{1},
                                             .lane = "fast",
                                             .transport = "patch"})
                    .ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  void AddFeed(std::string_view id, TimePoint submitted_at, bool done) {
    auto txn = Begin();
    store::StockFeed feed{.feed_id = std::string(id),
                          .submitted_at = submitted_at,
                          .status = "IN_QUEUE",
                          .messages = 600,
                          .content = "{}"};
    ASSERT_TRUE(txn->RecordStockFeed(feed).ok());
    if (done) {
      feed.status = "DONE";
      feed.finished_at = submitted_at + minutes{5};
      ASSERT_TRUE(txn->UpdateStockFeed(feed).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  }

  void SetWatermark(std::string_view name, std::string_view value) {
    auto txn = Begin();
    ASSERT_TRUE(txn->SetWatermark(name, value).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  static std::string Job(int cadence_seconds, std::optional<TimePoint> succeeded,
                         std::optional<TimePoint> started, std::int64_t duration_ms) {
    nlohmann::json job = {{"cadence_seconds", cadence_seconds},
                          {"runs", 10},
                          {"failures", 0},
                          {"last_duration_ms", duration_ms}};
    if (started) {
      job["last_started"] = FormatIso8601(*started);
    }
    if (succeeded) {
      job["last_succeeded"] = FormatIso8601(*succeeded);
    }
    job["last_error"] = "Unavailable: clarus 503";
    return job.dump();
  }

  AuditReport Audit(const AuditOptions& options = {}) {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok()) << txn.status();
    auto report = RunAudit(**txn, config_, options, kNow);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : AuditReport{};
  }

  // One of every gap the audit looks for, each beside a healthy counterpart
  // that it must not report. Returns what must be found.
  std::vector<Key> PlantEveryGap() {
    std::vector<Key> expected;
    const auto expect = [&expected](AuditCheck check, AuditSeverity severity, std::string subject) {
      expected.emplace_back(check, severity, std::move(subject));
    };
    const auto critical = AuditSeverity::kCritical;
    const auto warning = AuditSeverity::kWarning;

    // Orders that are simply fine: mapped, known SKU, nothing late.
    AddOrder({.id = "203-0000001-0000001", .state = SyncState::kSentToClarus});
    AddOrder({.id = "203-0000001-0000002", .state = SyncState::kClosed});
    // An unmapped ship method seen only before the lookback: ignored.
    AddOrder({.id = "203-0000001-0000003",
              .ship_service_level = "ANCIENT",
              .purchased = kNow - days{40},
              .state = SyncState::kClosed});
    // An unmapped ship method whose orders are all done: a warning.
    AddOrder({.id = "203-0000001-0000004",
              .ship_service_level = "EXPEDITED",
              .is_prime = true,
              .purchased = kNow - days{5},
              .state = SyncState::kClosed});
    expect(AuditCheck::kUnmappedShipMethods, warning, fmt::format("{} / EXPEDITED / prime", kUk));
    // An order asking for a SKU Clarus does not know, still open: critical.
    AddOrder({.id = "203-0000001-0000005", .sku = "GHOST-1", .state = SyncState::kSentToClarus});
    expect(AuditCheck::kSkusUnknownInClarus, critical, "GHOST-1");

    clock_.AdvanceTo(kNow - hours{30});
    AddOrder({.id = "203-0000002-0000001", .state = SyncState::kHeld});
    expect(AuditCheck::kStuckOrders, warning, "203-0000002-0000001");  // Held > 24 h.

    clock_.AdvanceTo(kNow - hours{10});
    AddOrder({.id = "203-0000002-0000002",
              .latest_ship_date = kNow - minutes{30},
              .state = SyncState::kSentToClarus});
    expect(AuditCheck::kStuckOrders, critical, "203-0000002-0000002");  // Not dispatched, late.

    clock_.AdvanceTo(kNow - hours{3});
    AddOrder({.id = "203-0000002-0000003",
              .latest_ship_date = kNow - hours{1},
              .state = SyncState::kHeld});
    expect(AuditCheck::kStuckOrders, critical, "203-0000002-0000003");  // Held, past its date.
    AddOrder({.id = "203-0000003-0000001", .state = SyncState::kDispatched});
    AddConfirmation("203-0000003-0000001", ConfirmationState::kAccepted, kNow + days{1},
                    clock_.Now());

    clock_.AdvanceTo(kNow - hours{2});
    AddOrder({.id = "203-0000002-0000004", .latest_ship_date = kNow + days{1}});
    expect(AuditCheck::kStuckOrders, warning, "203-0000002-0000004");  // New for 2 h.

    clock_.AdvanceTo(kNow - minutes{90});
    AddOrder({.id = "203-0000003-0000002", .state = SyncState::kDispatched});
    AddConfirmation("203-0000003-0000002", ConfirmationState::kPending, kNow + hours{5},
                    clock_.Now());
    expect(AuditCheck::kStuckOrders, warning, "203-0000003-0000002");  // Unconfirmed 90 min.

    clock_.AdvanceTo(kNow - hours{1});
    // An unmapped ship method with an open (held) order: critical.
    AddOrder(
        {.id = "203-0000001-0000006", .ship_service_level = "NEXT_DAY", .state = SyncState::kHeld});
    expect(AuditCheck::kUnmappedShipMethods, critical,
           fmt::format("{} / NEXT_DAY / standard", kUk));
    AddOrder({.id = "203-0000003-0000003", .state = SyncState::kDispatched});
    AddConfirmation("203-0000003-0000003", ConfirmationState::kFailed, kNow - hours{1},
                    clock_.Now());
    expect(AuditCheck::kStuckConfirmations, critical, "203-0000003-0000003");

    clock_.AdvanceTo(kNow - minutes{20});
    AddOrder({.id = "203-0000002-0000005",
              .latest_ship_date = kNow + hours{1},
              .state = SyncState::kUpdatePending});
    expect(AuditCheck::kStuckOrders, critical, "203-0000002-0000005");  // Due within 2 h.
    AddOrder({.id = "203-0000003-0000004", .state = SyncState::kDispatched});
    // Sent 20 min ago: the confirmer waits 30 s for an outcome.
    AddConfirmation("203-0000003-0000004", ConfirmationState::kSending, kNow + days{1},
                    clock_.Now() + seconds{30});
    expect(AuditCheck::kStuckConfirmations, warning, "203-0000003-0000004");

    clock_.AdvanceTo(kNow - minutes{10});
    AddOrder({.id = "203-0000002-0000006"});  // New for 10 min: fine.
    AddOrder({.id = "203-0000003-0000005", .state = SyncState::kDispatched});
    AddConfirmation("203-0000003-0000005", ConfirmationState::kPending, kNow + hours{5},
                    clock_.Now());
    AddOrder({.id = "203-0000003-0000006", .state = SyncState::kDispatched});
    AddConfirmation("203-0000003-0000006", ConfirmationState::kSending, kNow + days{1},
                    kNow + seconds{20});

    clock_.AdvanceTo(kNow - minutes{5});
    AddOrder({.id = "203-0000002-0000007", .state = SyncState::kUpdatePending});

    // Stock. SKU-OK is published as Clarus has it.
    AddLevel("SKU-OK", 5, kNow - hours{3});
    AddPublication("SKU-OK", 5, kNow - hours{3});
    // Published, unknown in Clarus, last listed at 0: a warning.
    AddPublication("OLD-2", 0, kNow - days{3});
    expect(AuditCheck::kSkusUnknownInClarus, warning, "OLD-2");
    // In Clarus for 2 h, never published.
    AddLevel("NEW-9", 7, kNow - hours{2});
    expect(AuditCheck::kSkusNotOnAmazon, warning, "NEW-9");
    AddLevel("NEW-FRESH", 3, kNow - minutes{5});
    AddLevel("EMPTY-0", 0, kNow - hours{2});
    // Changed 2 h ago, Amazon still lists the quantity before.
    AddPublication("STALE-C", 10, kNow - hours{3});
    AddLevel("STALE-C", 4, kNow - hours{2});
    expect(AuditCheck::kStaleStock, critical, "STALE-C");
    AddPublication("STALE-W", 10, kNow - hours{2});
    AddLevel("STALE-W", 6, kNow - minutes{30});
    expect(AuditCheck::kStaleStock, warning, "STALE-W");
    // Changed, but the policy lists what Amazon shows (2 lists 0).
    AddPublication("SAME-Q", 0, kNow - hours{3});
    AddLevel("SAME-Q", 2, kNow - hours{2});
    // Changed within the staleness target.
    AddPublication("RECENT", 3, kNow - hours{1});
    AddLevel("RECENT", 8, kNow - minutes{10});

    AddFeed("F-FRESH", kNow - minutes{5}, false);
    AddFeed("F-DONE", kNow - hours{3}, true);
    AddFeed("F-STUCK", kNow - minutes{45}, false);
    expect(AuditCheck::kStuckStockFeeds, warning, "feed F-STUCK");
    AddFeed("F-DEAD", kNow - hours{2}, false);
    expect(AuditCheck::kStuckStockFeeds, critical, "feed F-DEAD");

    // Credentials: Amazon's refresh fails since its last success; Clarus's
    // failure is older than its success.
    SetWatermark("credential:amazon",
                 nlohmann::json{{"last_refresh_ok", FormatIso8601(kNow - hours{2})},
                                {"last_failure", FormatIso8601(kNow - minutes{10})},
                                {"last_error", "invalid_client"}}
                     .dump());
    expect(AuditCheck::kCredentials, critical, "amazon credentials");
    SetWatermark("credential:clarus",
                 nlohmann::json{{"last_refresh_ok", FormatIso8601(kNow - minutes{1})},
                                {"last_failure", FormatIso8601(kNow - hours{1})},
                                {"last_error", "timeout"}}
                     .dump());

    // Jobs.
    SetWatermark("job:order_import", Job(60, kNow - minutes{10}, kNow - minutes{1}, 500));
    expect(AuditCheck::kSlowSchedules, critical, "job order_import");
    SetWatermark("job:dispatch_sweep", Job(30, std::nullopt, kNow - minutes{5}, 500));
    expect(AuditCheck::kSlowSchedules, critical, "job dispatch_sweep");
    SetWatermark("job:stock_changes", Job(60, kNow - seconds{30}, kNow - seconds{30}, 90000));
    expect(AuditCheck::kSlowSchedules, warning, "job stock_changes");
    SetWatermark("job:verifier", Job(60, kNow - seconds{30}, kNow - seconds{30}, 2000));
    SetWatermark("job:confirmer", Job(1, std::nullopt, kNow - seconds{2}, 10));
    SetWatermark("job:monitor", "not a record");
    expect(AuditCheck::kSlowSchedules, warning, "job monitor");

    clock_.AdvanceTo(kNow);
    return expected;
  }

  // Client secrets: Amazon's expires in 5 days, Clarus's in 20.
  void ExpireSecretsSoon() {
    config_.amazon.client_secret_expires = Day(kNow + days{5});
    config_.clarus.client_secret_expires = Day(kNow + days{20});
  }

  static std::chrono::year_month_day Day(TimePoint t) {
    return std::chrono::year_month_day{std::chrono::floor<days>(t)};
  }

  VirtualClock clock_{kStart};
  std::unique_ptr<store::Store> store_;
  config::Config config_;
  int confirmations_ = 0;
};

TEST_F(AuditTest, FindsEveryPlantedGapWithItsSeverityAndNothingElse) {
  std::vector<Key> expected = PlantEveryGap();
  expected.emplace_back(AuditCheck::kCredentials, AuditSeverity::kCritical, "amazon client secret");
  expected.emplace_back(AuditCheck::kCredentials, AuditSeverity::kWarning, "clarus client secret");

  ExpireSecretsSoon();
  const AuditReport report = Audit();

  EXPECT_THAT(Keys(report), UnorderedElementsAreArray(expected));
  EXPECT_EQ(report.at, kNow);
  EXPECT_THAT(report.skipped, IsEmpty());
  EXPECT_TRUE(report.HasCritical());
  // Critical first, then by check.
  for (std::size_t i = 1; i < report.findings.size(); ++i) {
    const AuditFinding& a = report.findings[i - 1];
    const AuditFinding& b = report.findings[i];
    EXPECT_LE(std::tie(a.severity, a.check), std::tie(b.severity, b.check)) << b.subject;
  }
  for (const AuditFinding& finding : report.findings) {
    EXPECT_THAT(finding.problem, Not(IsEmpty())) << finding.subject;
    EXPECT_THAT(finding.fix, Not(IsEmpty())) << finding.subject;
    EXPECT_THAT(finding.problem, Not(HasSubstr("\n"))) << finding.subject;
  }
}

TEST_F(AuditTest, SaysWhatIsWrongInWordsAPersonCanActOn) {
  PlantEveryGap();
  ExpireSecretsSoon();
  const AuditReport report = Audit();
  const auto find = [&report](std::string_view subject) {
    for (const AuditFinding& finding : report.findings) {
      if (finding.subject == subject) {
        return finding;
      }
    }
    ADD_FAILURE() << "no finding about " << subject;
    return AuditFinding{};
  };
  EXPECT_THAT(find(fmt::format("{} / NEXT_DAY / standard", kUk)).problem,
              HasSubstr("1 order in the last 30 days"));
  EXPECT_THAT(find("STALE-C").problem, HasSubstr("4 available 2 h ago"));
  EXPECT_THAT(find("STALE-C").problem, HasSubstr("still lists 10 in A1F83G8C2ARO7P"));
  EXPECT_THAT(find("203-0000002-0000003").problem,
              HasSubstr("its latest ship date passed 1 h ago"));
  EXPECT_THAT(find("203-0000003-0000003").problem, HasSubstr("InvalidInput: tracking number"));
  EXPECT_THAT(find("203-0000003-0000004").problem, HasSubstr("20 min ago"));
  EXPECT_THAT(find("amazon client secret").problem, HasSubstr("in 5 days"));
  EXPECT_THAT(find("amazon credentials").problem, HasSubstr("invalid_client"));
  EXPECT_THAT(find("job dispatch_sweep").problem, HasSubstr("never succeeded"));
  EXPECT_THAT(find("job stock_changes").problem,
              HasSubstr("took 90 s, longer than its cadence of 60 s"));
}

TEST_F(AuditTest, ReportsAnExpiredSecretAsCriticalAndIgnoresOneFarAway) {
  config_.amazon.client_secret_expires = Day(kNow - days{1});
  config_.clarus.client_secret_expires = Day(kNow + days{31});
  clock_.AdvanceTo(kNow);

  const AuditReport report = Audit();

  ASSERT_THAT(Keys(report), ElementsAre(Key{AuditCheck::kCredentials, AuditSeverity::kCritical,
                                            "amazon client secret"}));
  EXPECT_THAT(report.findings[0].problem, HasSubstr("expired on"));
}

TEST_F(AuditTest, TakesTheEarlierOfTheConfiguredAndTheRecordedExpiry) {
  SetWatermark("credential:clarus",
               nlohmann::json{{"last_refresh_ok", FormatIso8601(kNow - minutes{1})},
                              {"expires_at", FormatIso8601(kNow + days{6})}}
                   .dump());
  config_.clarus.client_secret_expires = Day(kNow + days{200});
  clock_.AdvanceTo(kNow);

  EXPECT_THAT(Keys(Audit()), ElementsAre(Key{AuditCheck::kCredentials, AuditSeverity::kCritical,
                                             "clarus client secret"}));
}

TEST_F(AuditTest, ACleanStoreHasNothingToReport) {
  AddOrder({.id = "203-0000001-0000001", .state = SyncState::kSentToClarus});
  AddLevel("SKU-OK", 5, kStart);
  AddPublication("SKU-OK", 5, kStart);
  SetWatermark("job:order_import", Job(60, kNow - seconds{20}, kNow - seconds{20}, 300));
  clock_.AdvanceTo(kNow);

  const AuditReport report = Audit();

  EXPECT_THAT(report.findings, IsEmpty());
  EXPECT_FALSE(report.HasCritical());
  const std::string text = FormatAuditReport(report);
  EXPECT_THAT(text, HasSubstr("0 critical, 0 warnings"));
  EXPECT_THAT(text, HasSubstr("Nothing found: Ship methods without a mapping; Amazon SKUs"));
  EXPECT_THAT(text, HasSubstr("Verdict: OK"));
  EXPECT_EQ(AuditReportToJson(report)["verdict"], "ok");
}

TEST_F(AuditTest, SkipsTheStockChecksWhenStockPublishingIsDisabled) {
  config_.stock.enabled = false;
  AddOrder({.id = "203-0000001-0000001", .sku = "GHOST-1", .state = SyncState::kSentToClarus});
  AddLevel("NEW-9", 7, kStart);
  clock_.AdvanceTo(kNow);

  const AuditReport report = Audit();

  EXPECT_THAT(report.findings, IsEmpty());
  std::vector<AuditCheck> skipped;
  for (const SkippedCheck& s : report.skipped) {
    skipped.push_back(s.check);
  }
  EXPECT_THAT(skipped, ElementsAre(AuditCheck::kSkusUnknownInClarus, AuditCheck::kSkusNotOnAmazon,
                                   AuditCheck::kStaleStock));
  EXPECT_THAT(FormatAuditReport(report), HasSubstr("Not checked: Amazon SKUs unknown in Clarus"));
}

TEST_F(AuditTest, TheReadableReportGroupsBySeverityAndCheckAndEndsWithAVerdict) {
  PlantEveryGap();
  ExpireSecretsSoon();
  const AuditReport report = Audit();
  const std::string text = FormatAuditReport(report);
  const std::int64_t critical = report.Count(AuditSeverity::kCritical);
  const std::int64_t warnings = report.Count(AuditSeverity::kWarning);

  EXPECT_THAT(text, HasSubstr(fmt::format("{} critical, {} warnings", critical, warnings)));
  const auto critical_at = text.find(fmt::format("CRITICAL ({})", critical));
  const auto warning_at = text.find(fmt::format("WARNING ({})", warnings));
  ASSERT_NE(critical_at, std::string::npos) << text;
  ASSERT_NE(warning_at, std::string::npos) << text;
  EXPECT_LT(critical_at, warning_at);
  // Orders stuck: three critical, between the two headings.
  const auto stuck_at = text.find("Orders stuck (3)");
  EXPECT_GT(stuck_at, critical_at) << text;
  EXPECT_LT(stuck_at, warning_at) << text;
  // Every check found something.
  EXPECT_THAT(text, Not(HasSubstr("Nothing found"))) << text;
  EXPECT_THAT(text, HasSubstr(fmt::format("Verdict: CRITICAL: {} findings need action now, {} soon",
                                          critical, warnings)));
}

TEST_F(AuditTest, NeverShowsBuyerPersonalData) {
  PlantEveryGap();
  ExpireSecretsSoon();
  const AuditReport report = Audit();
  const std::string text = FormatAuditReport(report);
  const std::string json = AuditReportToJson(report).dump();
  for (const std::string_view personal : {kBuyerName, kStreet, std::string_view("LS1 1AA")}) {
    EXPECT_THAT(text, Not(HasSubstr(personal)));
    EXPECT_THAT(json, Not(HasSubstr(personal)));
  }
}

TEST_F(AuditTest, JsonHoldsEveryCheckAndEveryFinding) {
  PlantEveryGap();
  ExpireSecretsSoon();
  const AuditReport report = Audit();

  const nlohmann::json json = AuditReportToJson(report);

  EXPECT_EQ(json["at"], FormatIso8601(kNow));
  EXPECT_EQ(json["verdict"], "critical");
  EXPECT_EQ(json["critical"], report.Count(AuditSeverity::kCritical));
  EXPECT_EQ(json["warnings"], report.Count(AuditSeverity::kWarning));
  ASSERT_EQ(json["checks"].size(), static_cast<std::size_t>(kAuditChecks));
  std::int64_t critical = 0;
  for (const nlohmann::json& check : json["checks"]) {
    critical += check["critical"].get<std::int64_t>();
    EXPECT_TRUE(check.contains("title"));
  }
  EXPECT_EQ(critical, report.Count(AuditSeverity::kCritical));
  EXPECT_EQ(json["checks"][3]["check"], "stale_stock");
  EXPECT_EQ(json["checks"][3]["status"], "critical");
  EXPECT_EQ(json["checks"][2]["check"], "skus_not_on_amazon");
  EXPECT_EQ(json["checks"][2]["status"], "warning");
  ASSERT_EQ(json["findings"].size(), report.findings.size());
  const nlohmann::json& first = json["findings"][0];
  EXPECT_EQ(first["severity"], "critical");
  EXPECT_EQ(first["check"], AuditCheckName(report.findings[0].check));
  EXPECT_EQ(first["subject"], report.findings[0].subject);
  EXPECT_EQ(first["problem"], report.findings[0].problem);
  EXPECT_EQ(first["fix"], report.findings[0].fix);
}

}  // namespace
}  // namespace sellerbridge::monitor
