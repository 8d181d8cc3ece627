#include "monitor/alerts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/redact.h"
#include "monitor/notifiers.h"

namespace sellerbridge::monitor {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

const TimePoint kStart = TimePoint{} + hours{24 * 20000};

// A target that records what it receives, or refuses while `fail` is set.
class RecordingNotifier final : public Notifier {
 public:
  explicit RecordingNotifier(std::string name) : name_(std::move(name)) {}

  const std::string& Name() const override { return name_; }

  Status Send(const Notification& notification) override {
    if (fail) {
      return UnavailableError("webhook " + name_ + ": answered HTTP 503");
    }
    received.push_back(notification);
    return Status::Ok();
  }

  bool fail = false;
  std::vector<Notification> received;

 private:
  std::string name_;
};

// "firing order_at_risk:…" for each notification, to compare sequences.
std::vector<std::string> Events(const RecordingNotifier& notifier) {
  std::vector<std::string> events;
  for (const Notification& n : notifier.received) {
    events.push_back(std::string(NotificationEventName(n.event)) + " " + n.alert.key);
  }
  return events;
}

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    engine_ = NewEngine(&target_);
  }

  // A new engine on the same store, with one recording target named "ops".
  std::unique_ptr<AlertEngine> NewEngine(RecordingNotifier** target) {
    auto notifier = std::make_unique<RecordingNotifier>("ops");
    *target = notifier.get();
    std::vector<std::unique_ptr<Notifier>> notifiers;
    notifiers.push_back(std::move(notifier));
    return std::make_unique<AlertEngine>(AlertRules{}, &clock_, store_.get(), std::move(notifiers));
  }

  AlertSignals Signals() const {
    AlertSignals signals;
    signals.now = clock_.Now();
    return signals;
  }

  // Evaluates `signals` at the clock's time.
  void Evaluate(AlertSignals signals) {
    signals.now = clock_.Now();
    const Status status = engine_->Evaluate(signals);
    ASSERT_TRUE(status.ok()) << status;
  }

  VirtualClock clock_{kStart};
  std::unique_ptr<store::Store> store_;
  RecordingNotifier* target_ = nullptr;
  std::unique_ptr<AlertEngine> engine_;
};

AtRiskSignal Order(TimePoint deadline) {
  return {.amazon_order_id = "203-1234567-1234567",
          .marketplace_id = "A1F83G8C2ARO7P",
          .deadline = deadline,
          .stage = "not picked"};
}

TEST_F(AlertEngineTest, OrderAtRiskFiresWithinTwoHoursOnceAndResolves) {
  AlertSignals signals;
  signals.at_risk_orders = {Order(kStart + hours{3})};
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());

  clock_.Advance(hours{1});
  Evaluate(signals);
  ASSERT_THAT(target_->received, SizeIs(1));
  const Notification& fired = target_->received[0];
  EXPECT_EQ(fired.event, NotificationEvent::kFiring);
  EXPECT_EQ(fired.alert.key, "order_at_risk:203-1234567-1234567");
  EXPECT_EQ(fired.alert.severity, Severity::kCritical);
  EXPECT_THAT(fired.alert.summary, HasSubstr("203-1234567-1234567"));
  EXPECT_THAT(fired.alert.summary, HasSubstr("not picked"));
  EXPECT_THAT(fired.alert.summary, HasSubstr("2024-10-04T03:00:00.000Z"));
  EXPECT_EQ(fired.alert.since, kStart + hours{1});

  clock_.Advance(minutes{30});
  Evaluate(signals);
  clock_.Advance(minutes{1});
  Evaluate(signals);
  EXPECT_THAT(target_->received, SizeIs(1));
  EXPECT_THAT(engine_->Firing(), SizeIs(1));

  clock_.Advance(minutes{1});
  Evaluate(Signals());  // Dispatched and confirmed: no longer at risk.
  EXPECT_THAT(Events(*target_), ElementsAre("firing order_at_risk:203-1234567-1234567",
                                            "resolved order_at_risk:203-1234567-1234567"));
  EXPECT_EQ(target_->received[1].resolved_at, kStart + hours{1} + minutes{32});
  EXPECT_THAT(engine_->Firing(), IsEmpty());
}

TEST_F(AlertEngineTest, OrderPastItsDeadlineSaysItMissedIt) {
  AlertSignals signals;
  signals.at_risk_orders = {Order(kStart - minutes{35})};
  Evaluate(signals);
  ASSERT_THAT(target_->received, SizeIs(1));
  EXPECT_THAT(target_->received[0].alert.summary, HasSubstr("missed its latest ship date"));
  EXPECT_EQ(target_->received[0].alert.details, "Overdue by 35m.");
}

TEST_F(AlertEngineTest, ConfirmationLatencyNeedsEnoughConfirmationsAndResolvesBelowThreshold) {
  AlertSignals signals;
  signals.confirmation_latency = {.p95 = minutes{6}, .confirmations = 3};
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());

  clock_.Advance(minutes{1});
  signals.confirmation_latency.confirmations = 40;
  Evaluate(signals);
  ASSERT_THAT(target_->received, SizeIs(1));
  EXPECT_EQ(target_->received[0].alert.key, "confirmation_latency");
  EXPECT_EQ(target_->received[0].alert.severity, Severity::kWarning);
  EXPECT_THAT(target_->received[0].alert.summary, HasSubstr("6m"));

  clock_.Advance(minutes{1});
  signals.confirmation_latency.p95 = minutes{7};
  Evaluate(signals);
  EXPECT_THAT(target_->received, SizeIs(1));
  EXPECT_THAT(engine_->Firing(),
              ElementsAre(::testing::Field(&Alert::summary, HasSubstr("7m"))));  // Text follows.

  clock_.Advance(minutes{1});
  signals.confirmation_latency.p95 = minutes{5};
  Evaluate(signals);
  EXPECT_THAT(Events(*target_),
              ElementsAre("firing confirmation_latency", "resolved confirmation_latency"));
}

TEST_F(AlertEngineTest, EachOpenPermanentErrorIsOneAlert) {
  RegisterSecret("Atzr|a-refresh-token-value");
  AlertSignals signals;
  signals.permanent_errors = {
      {.exception_id = 7,
       .kind = "confirmation_failed",
       .subject = "203-1234567-1234567",
       .reason = "InvalidCarrier: Atzr|a-refresh-token-value refused",
       .first_seen = kStart - minutes{3}},
      {.exception_id = 8,
       .kind = "unknown_sku",
       .subject = "SKU-9",
       .reason = "not in Clarus",
       .first_seen = kStart - minutes{1}},
  };
  Evaluate(signals);
  EXPECT_THAT(Events(*target_),
              ElementsAre("firing permanent_error:7", "firing permanent_error:8"));
  EXPECT_THAT(target_->received[0].alert.summary, HasSubstr("203-1234567-1234567"));
  EXPECT_THAT(target_->received[0].alert.details, Not(HasSubstr("a-refresh-token-value")));
  EXPECT_EQ(target_->received[0].alert.since, kStart - minutes{3});

  clock_.Advance(minutes{1});
  signals.permanent_errors.erase(signals.permanent_errors.begin());  // Resolved by a person.
  Evaluate(signals);
  EXPECT_THAT(Events(*target_), ElementsAre("firing permanent_error:7", "firing permanent_error:8",
                                            "resolved permanent_error:7"));
  ClearSecretsForTest();
}

TEST_F(AlertEngineTest, StuckFeedFiresUntilItIsProcessed) {
  AlertSignals signals;
  signals.stuck_feeds = {{.feed_id = "50012",
                          .kind = "POST_ORDER_FULFILLMENT_DATA",
                          .submitted_at = kStart - minutes{45}}};
  Evaluate(signals);
  clock_.Advance(minutes{1});
  Evaluate(signals);
  ASSERT_THAT(Events(*target_), ElementsAre("firing stuck_feed:50012"));
  EXPECT_THAT(target_->received[0].alert.summary, HasSubstr("POST_ORDER_FULFILLMENT_DATA"));

  clock_.Advance(minutes{1});
  Evaluate(Signals());
  EXPECT_THAT(Events(*target_),
              ElementsAre("firing stuck_feed:50012", "resolved stuck_feed:50012"));
}

TEST_F(AlertEngineTest, FailingCredentialRefreshFiresAndResolvesOnSuccess) {
  AlertSignals signals;
  signals.credentials = {{.system = "amazon",
                          .refresh_failing = true,
                          .failing_since = kStart - minutes{2},
                          .message = "Unauthenticated: invalid_grant"}};
  Evaluate(signals);
  ASSERT_THAT(Events(*target_), ElementsAre("firing credential_refresh:amazon"));
  EXPECT_EQ(target_->received[0].alert.severity, Severity::kCritical);
  EXPECT_EQ(target_->received[0].alert.details, "Unauthenticated: invalid_grant");

  clock_.Advance(minutes{1});
  Evaluate(signals);
  clock_.Advance(minutes{1});
  signals.credentials[0].refresh_failing = false;
  Evaluate(signals);
  EXPECT_THAT(Events(*target_), ElementsAre("firing credential_refresh:amazon",
                                            "resolved credential_refresh:amazon"));
}

TEST_F(AlertEngineTest, ExpiringClientSecretWarnsFourteenDaysAhead) {
  AlertSignals signals;
  signals.credentials = {{.system = "clarus", .expires_at = kStart + days{20}}};
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());

  clock_.Advance(days{6});
  Evaluate(signals);
  ASSERT_THAT(Events(*target_), ElementsAre("firing credential_expiry:clarus"));
  EXPECT_EQ(target_->received[0].alert.severity, Severity::kWarning);

  clock_.Advance(days{15});  // Expired: the same alert, now critical, not sent again.
  Evaluate(signals);
  EXPECT_THAT(target_->received, SizeIs(1));
  ASSERT_THAT(engine_->Firing(), SizeIs(1));
  EXPECT_EQ(engine_->Firing()[0].severity, Severity::kCritical);

  clock_.Advance(minutes{1});
  signals.credentials[0].expires_at = clock_.Now() + days{365};  // Rotated.
  Evaluate(signals);
  EXPECT_THAT(Events(*target_),
              ElementsAre("firing credential_expiry:clarus", "resolved credential_expiry:clarus"));
}

TEST_F(AlertEngineTest, JobFiresAfterThreeMissedCadences) {
  sync::JobStats job{.name = "order_import",
                     .cadence = minutes{1},
                     .consecutive_failures = 3,
                     .last_success = kStart,
                     .last_status = UnavailableError("amazon searchOrders: 503")};
  AlertSignals signals;
  signals.jobs = {job};
  clock_.Advance(minutes{3});
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());

  clock_.Advance(seconds{1});
  Evaluate(signals);
  ASSERT_THAT(Events(*target_), ElementsAre("firing job_stalled:order_import"));
  EXPECT_THAT(target_->received[0].alert.summary, HasSubstr("order_import"));
  EXPECT_THAT(target_->received[0].alert.details, HasSubstr("503"));
  EXPECT_EQ(target_->received[0].alert.since, kStart + minutes{3});

  clock_.Advance(seconds{59});
  signals.jobs[0].last_success = clock_.Now();
  Evaluate(signals);
  EXPECT_THAT(Events(*target_),
              ElementsAre("firing job_stalled:order_import", "resolved job_stalled:order_import"));
}

TEST_F(AlertEngineTest, JobThatNeverSucceededCountsFromTheStart) {
  AlertSignals signals;
  signals.jobs = {{.name = "settlements", .cadence = hours{1}}};
  clock_.Advance(hours{4});
  Evaluate(signals);  // Without a start time there is nothing to count from.
  EXPECT_THAT(target_->received, IsEmpty());

  signals.jobs_started_at = kStart + hours{1};
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());
  clock_.Advance(minutes{1});
  Evaluate(signals);
  EXPECT_THAT(Events(*target_), ElementsAre("firing job_stalled:settlements"));
}

TEST_F(AlertEngineTest, NewEngineOnTheSameStoreNeitherResendsNorForgetsToResolve) {
  AlertSignals signals;
  signals.stuck_feeds = {{.feed_id = "1", .kind = "JSON_LISTINGS_FEED", .submitted_at = kStart}};
  Evaluate(signals);
  ASSERT_THAT(target_->received, SizeIs(1));

  engine_ = NewEngine(&target_);  // A restart.
  clock_.Advance(minutes{1});
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());
  ASSERT_THAT(engine_->Firing(), SizeIs(1));
  EXPECT_EQ(engine_->Firing()[0].key, "stuck_feed:1");
  EXPECT_EQ(engine_->Firing()[0].since, kStart);

  engine_ = NewEngine(&target_);
  clock_.Advance(minutes{1});
  Evaluate(Signals());
  EXPECT_THAT(Events(*target_), ElementsAre("resolved stuck_feed:1"));
}

TEST_F(AlertEngineTest, FailedDeliveryIsRetriedInOrderAndSentOnce) {
  target_->fail = true;
  AlertSignals signals;
  signals.stuck_feeds = {{.feed_id = "9", .kind = "JSON_LISTINGS_FEED", .submitted_at = kStart}};
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());
  EXPECT_EQ(engine_->Counters().failed, 1);
  EXPECT_EQ(engine_->Counters().pending, 1);

  clock_.Advance(minutes{1});
  Evaluate(Signals());  // Cleared while the target is down: both wait, in order.
  EXPECT_EQ(engine_->Counters().failed, 2);
  EXPECT_EQ(engine_->Counters().pending, 2);

  target_->fail = false;
  clock_.Advance(minutes{1});
  Evaluate(Signals());
  EXPECT_THAT(Events(*target_), ElementsAre("firing stuck_feed:9", "resolved stuck_feed:9"));
  EXPECT_EQ(engine_->Counters().sent, 2);
  EXPECT_EQ(engine_->Counters().pending, 0);

  clock_.Advance(minutes{1});
  Evaluate(Signals());
  EXPECT_THAT(target_->received, SizeIs(2));
}

TEST_F(AlertEngineTest, PendingDeliveriesSurviveARestart) {
  target_->fail = true;
  AlertSignals signals;
  signals.permanent_errors = {{.exception_id = 3,
                               .kind = "confirmation_failed",
                               .subject = "203-1",
                               .reason = "bad carrier",
                               .first_seen = kStart}};
  Evaluate(signals);
  EXPECT_THAT(target_->received, IsEmpty());

  engine_ = NewEngine(&target_);
  clock_.Advance(minutes{1});
  Evaluate(signals);
  EXPECT_THAT(Events(*target_), ElementsAre("firing permanent_error:3"));
}

TEST_F(AlertEngineTest, OneTargetFailingDoesNotHoldBackAnother) {
  auto down = std::make_unique<RecordingNotifier>("down");
  auto up = std::make_unique<RecordingNotifier>("up");
  RecordingNotifier* down_ptr = down.get();
  RecordingNotifier* up_ptr = up.get();
  down_ptr->fail = true;
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(std::move(down));
  notifiers.push_back(std::move(up));
  AlertEngine engine(AlertRules{}, &clock_, store_.get(), std::move(notifiers));
  AlertSignals signals = Signals();
  signals.stuck_feeds = {{.feed_id = "4", .kind = "JSON_LISTINGS_FEED", .submitted_at = kStart}};
  ASSERT_TRUE(engine.Evaluate(signals).ok());
  EXPECT_THAT(Events(*up_ptr), ElementsAre("firing stuck_feed:4"));
  EXPECT_THAT(down_ptr->received, IsEmpty());
  EXPECT_EQ(engine.Counters().pending, 1);
}

TEST(ComputeAlertsTest, OrdersByKeyAndUsesConfiguredThresholds) {
  config::AlertsConfig config;
  config.at_risk_within = hours{5};
  const AlertRules rules = AlertRules::FromConfig(config);
  AlertSignals signals;
  signals.now = kStart;
  signals.at_risk_orders = {Order(kStart + hours{4})};
  signals.stuck_feeds = {{.feed_id = "2", .kind = "JSON_LISTINGS_FEED", .submitted_at = kStart}};
  const std::vector<Alert> alerts = ComputeAlerts(rules, signals);
  ASSERT_THAT(alerts, SizeIs(2));
  EXPECT_EQ(alerts[0].key, "order_at_risk:203-1234567-1234567");
  EXPECT_EQ(alerts[1].key, "stuck_feed:2");
}

}  // namespace
}  // namespace sellerbridge::monitor
