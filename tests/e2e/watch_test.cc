// The watch over both emulators: an order close to its ship-by deadline is found at risk at each
// stage (held, in Clarus not picked, dispatched), one alert goes to a webhook while it is at
// risk, and it is resolved once Amazon has the confirmation. Jobs and credentials are recorded
// for the audit.

#include "monitor/watch.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "e2e/world.h"
#include "http/server.h"
#include "monitor/notifiers.h"

namespace sellerbridge::e2e {
namespace {

using nlohmann::json;
using std::chrono::minutes;

constexpr std::string_view kUnmapped = "A1F83G8C2ARO7P/NEXT_DAY/standard";

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-watch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto world = World::Create({.dir = dir_, .seed = 5, .manual_warehouse = true});
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = std::move(world).value();
    receiver_.Route("POST", "/alerts", [this](const http::Request& request) {
      std::lock_guard lock(mu_);
      received_.push_back(json::parse(request.body, nullptr, false));
      return http::Response::Json(200, "{}");
    });
    ASSERT_TRUE(receiver_.Start("127.0.0.1", 0).ok());
    config::Config config = world_->Config();
    config.alerts.webhooks.push_back(
        {.name = "ops-webhook",
         .url = config::Secret(fmt::format("http://127.0.0.1:{}/alerts", receiver_.Port())),
         .format = config::WebhookFormat::kJson});
    scheduler_ = std::make_unique<sync::Scheduler>(world_->GetClock());
    watch_ = std::make_unique<monitor::Watch>(
        config, &world_->Store(), world_->GetClock(), scheduler_.get(), &world_->GetConnections(),
        monitor::MakeNotifiers(config.alerts, world_->GetConnections().http.get(),
                               world_->GetClock()));
  }

  void TearDown() override {
    watch_.reset();
    scheduler_.reset();
    receiver_.Stop();
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The watch's one at-risk order after a check.
  std::optional<monitor::AtRiskOrder> CheckOne() {
    const Status checked = watch_->Check();
    EXPECT_TRUE(checked.ok()) << checked;
    const monitor::AtRiskSnapshot snapshot = watch_->AtRisk();
    EXPECT_LE(snapshot.orders.size(), 1U);
    if (snapshot.orders.empty()) {
      return std::nullopt;
    }
    return snapshot.orders.front();
  }

  // The notifications of the at-risk rule (the held order is also an open exception, which has
  // a rule of its own).
  std::vector<json> Received() {
    std::lock_guard lock(mu_);
    std::vector<json> at_risk;
    for (const json& notification : received_) {
      if (notification.value("rule", "") == "order_at_risk") {
        at_risk.push_back(notification);
      }
    }
    return at_risk;
  }

  std::filesystem::path dir_;
  std::unique_ptr<World> world_;
  http::Server receiver_;
  std::mutex mu_;
  std::vector<json> received_;  // Guarded by mu_.
  std::unique_ptr<sync::Scheduler> scheduler_;
  std::unique_ptr<monitor::Watch> watch_;
};

TEST_F(WatchTest, OrderNearItsDeadlineIsFollowedThroughEveryStageAndItsAlertResolves) {
  ASSERT_TRUE(world_->MapShipMethods({std::string(kUnmapped)}).ok());
  auto id = world_->PlaceOrder({.next_day = true});
  ASSERT_TRUE(id.ok()) << id.status();
  world_->Advance(minutes{3});
  ASSERT_TRUE(world_->Import().ok());
  ASSERT_TRUE(world_->Release().ok());
  ASSERT_EQ(*world_->StateOf(*id), store::SyncState::kHeld);

  TimePoint deadline;
  {
    auto tx = world_->Store().BeginReadOnly();
    ASSERT_TRUE(tx.ok());
    auto stored = (*tx)->GetOrder(*id);
    ASSERT_TRUE(stored.ok());
    ASSERT_TRUE(stored->order->latest_ship_date.has_value());
    deadline = *stored->order->latest_ship_date;
  }
  // Far from its deadline the held order is not at risk; 90 minutes before it, it is.
  if (deadline - world_->GetClock()->Now() > std::chrono::hours{4}) {
    EXPECT_FALSE(CheckOne().has_value());
    EXPECT_TRUE(Received().empty());
  }
  world_->Advance(deadline - minutes{90} - world_->GetClock()->Now());
  auto held = CheckOne();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->amazon_order_id, *id);
  EXPECT_EQ(held->stage, monitor::RiskStage::kHeld);
  EXPECT_NE(held->detail.find("held (order)"), std::string::npos) << held->detail;
  ASSERT_EQ(Received().size(), 1U);
  EXPECT_EQ(Received()[0]["event"], "firing");
  EXPECT_EQ(Received()[0]["rule"], "order_at_risk");
  EXPECT_NE(Received()[0]["summary"].get<std::string>().find(*id), std::string::npos);

  // Mapped and released: in Clarus, not picked, read live from Clarus. Still one alert.
  ASSERT_TRUE(world_->Map(kUk, "NEXT_DAY", false).ok());
  ASSERT_TRUE(world_->Release().ok());
  ASSERT_EQ(*world_->StateOf(*id), store::SyncState::kSentToClarus);
  auto in_clarus = CheckOne();
  ASSERT_TRUE(in_clarus.has_value());
  EXPECT_EQ(in_clarus->stage, monitor::RiskStage::kNotPicked);
  EXPECT_NE(in_clarus->detail.find("not picked"), std::string::npos) << in_clarus->detail;
  EXPECT_EQ(Received().size(), 1U);

  auto goods_out = world_->GoodsOutOf(*id);
  ASSERT_TRUE(goods_out.ok());
  auto& warehouse = world_->Clarus().GetWarehouse();
  ASSERT_TRUE(warehouse.AllocateNow(*goods_out).ok());
  ASSERT_TRUE(warehouse.PickNow(*goods_out, {}).ok());
  ASSERT_TRUE(warehouse.DispatchNow(*goods_out, {}).ok());
  // As a Clarus automation would hint it (the sweep reads by Clarus's own clock, which this
  // test does not move).
  {
    auto tx = world_->Store().Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)
                    ->RecordDispatchHint({.dedupe_key = "hint-1",
                                          .goods_out_id = std::to_string(*goods_out),
                                          .source = "webhook"})
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  std::stop_source stop;
  ASSERT_TRUE(world_->Intake().ProcessHints(stop.get_token()).ok());
  ASSERT_EQ(*world_->StateOf(*id), store::SyncState::kDispatched);
  // Dispatched: no longer late to leave, so the alert resolves; the confirmation is at risk only
  // once it is overdue, and Amazon accepting it ends that too.
  EXPECT_FALSE(CheckOne().has_value()) << "a fresh dispatch is given time to be confirmed";
  world_->Advance(minutes{6});
  auto unconfirmed = CheckOne();
  ASSERT_TRUE(unconfirmed.has_value());
  EXPECT_EQ(unconfirmed->stage, monitor::RiskStage::kDispatchedNotConfirmed);
  auto sent = world_->GetConfirmer().SendOnce(stop.get_token());
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_FALSE(CheckOne().has_value());
  std::vector<std::string> events;
  for (const json& notification : Received()) {
    events.push_back(notification["event"].get<std::string>());
    EXPECT_EQ(notification["key"], "order_at_risk:" + *id);
  }
  EXPECT_EQ(events, (std::vector<std::string>{"firing", "resolved", "firing", "resolved"}));
  for (const monitor::Alert& alert : watch_->Alerts()) {
    EXPECT_NE(alert.rule, "order_at_risk") << alert.summary;
  }

  // The credentials and the jobs are on record for `sellerbridge audit`.
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  auto amazon = (*tx)->FindWatermark("credential:amazon");
  ASSERT_TRUE(amazon.ok());
  ASSERT_TRUE(amazon->has_value());
  const json credential = json::parse((*amazon)->value);
  EXPECT_TRUE(credential.contains("last_refresh_ok"));
  EXPECT_FALSE(credential.contains("last_failure"));
  for (const monitor::CredentialCheck& check : watch_->Credentials()) {
    EXPECT_FALSE(check.failing_since.has_value()) << check.system << ": " << check.last_error;
  }
}

TEST_F(WatchTest, JobsAreRecordedForTheAuditAndAStalledJobAlerts) {
  int runs = 0;
  ASSERT_TRUE(scheduler_
                  ->AddJob({"order_import", minutes{1},
                            [&runs](const sync::JobContext&) {
                              ++runs;
                              return UnavailableError("amazon GET /orders/v0/orders: 503");
                            }})
                  .ok());
  scheduler_->Start();
  while (runs == 0) {
    world_->Advance(std::chrono::seconds{1});
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  world_->Advance(minutes{4});
  ASSERT_TRUE(watch_->Check().ok());
  scheduler_->Stop();
  bool stalled = false;
  for (const monitor::Alert& alert : watch_->Alerts()) {
    stalled = stalled || alert.key == "job_stalled:order_import";
  }
  EXPECT_TRUE(stalled);
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  auto job = (*tx)->FindWatermark("job:order_import");
  ASSERT_TRUE(job.ok());
  ASSERT_TRUE(job->has_value());
  const json value = json::parse((*job)->value);
  EXPECT_EQ(value["cadence_seconds"], 60);
  EXPECT_FALSE(value.contains("last_succeeded"));
  EXPECT_NE(value["last_error"].get<std::string>().find("503"), std::string::npos);
}

}  // namespace
}  // namespace sellerbridge::e2e
