// `sellerbridge audit` as an operator runs it, against a store file the test fills first: what it
// prints and its exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"
#include "domain/order.h"
#include "domain/ship_method_mapping.h"
#include "domain/stock.h"
#include "e2e/subprocess.h"
#include "store/store.h"

namespace sellerbridge {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::RunProcess;

const std::string kExe = SELLERBRIDGE_EXE;
const std::string kExample = std::string(SELLERBRIDGE_SOURCE_DIR) + "/sellerbridge.example.toml";
constexpr std::string_view kOrderId = "203-7654321-7654321";

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-audit-cli-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "store.db").string();

    std::ifstream in(kExample);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string from = "sqlite:///var/lib/sellerbridge/sellerbridge.db";
    const auto at = config.find(from);
    ASSERT_NE(at, std::string::npos);
    config.replace(at, from.size(), url_);
    config_ = (dir_ / "sellerbridge.toml").string();
    std::ofstream(config_) << config;

    auto opened = store::OpenStore(url_, SystemClock::Get());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<store::Transaction> Begin() {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok()) << txn.status();
    return std::move(txn).value();
  }

  // An order held for a person whose latest ship date passed an hour ago: critical. Its ship
  // method is mapped and its SKU in Clarus and on Amazon, so that nothing else is wrong.
  void PlantLateHeldOrder() {
    const TimePoint now = SystemClock::Get()->Now();
    domain::OrderData data;
    data.amazon_order_id = std::string(kOrderId);
    data.marketplace_id = "A1F83G8C2ARO7P";
    data.status = domain::OrderStatus::kUnshipped;
    data.purchase_date = now - std::chrono::hours{30};
    data.last_update_date = data.purchase_date;
    data.latest_ship_date = now - std::chrono::hours{1};
    data.ship_service_level = "STANDARD";
    data.lines = {{.order_item_id = "11", .sku = "SKU-1", .quantity_ordered = 1}};
    auto txn = Begin();
    auto mapping = domain::ShipMethodMapping::Create({.marketplace_id = "A1F83G8C2ARO7P",
                                                      .ship_service_level = "STANDARD",
                                                      .clarus_carrier = "ROYALMAIL",
                                                      .clarus_service = "RM48",
                                                      .amazon_carrier_code = "Royal Mail",
                                                      .amazon_shipping_method = "Tracked 48"});
    ASSERT_TRUE(mapping.ok()) << mapping.status();
    ASSERT_TRUE(txn->PutShipMethodMapping(*mapping).ok());
    ASSERT_TRUE(txn->UpsertStockLevel(*domain::StockLevel::Create(
                                          {.sku = "SKU-1", .available = 4, .observed_at = now}))
                    .ok());
    ASSERT_TRUE(txn->RecordStockPublication({.sku = "SKU-1",
                                             .marketplace_id = "A1F83G8C2ARO7P",
                                             .quantity = 4,
                                             .changed_at = now,
                                             .published_at = now,
                                             .lane = "fast",
                                             .transport = "patch"})
                    .ok());
    ASSERT_TRUE(txn->UpsertOrder(*domain::Order::Create(std::move(data))).ok());
    ASSERT_TRUE(txn->SetOrderSyncState(kOrderId, store::SyncState::kHeld, std::nullopt).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  // A job whose last run took 90 s against a cadence of 60 s: a warning only.
  void PlantSlowJob() {
    const std::string now = FormatIso8601(SystemClock::Get()->Now());
    auto txn = Begin();
    ASSERT_TRUE(txn->SetWatermark("job:verifier", nlohmann::json{{"cadence_seconds", 60},
                                                                 {"last_started", now},
                                                                 {"last_succeeded", now},
                                                                 {"runs", 4},
                                                                 {"failures", 0},
                                                                 {"last_duration_ms", 90000}}
                                                      .dump())
                    .ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  testing::ProcessResult Audit(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {kExe, "audit"});
    args.insert(args.end(), {"--config", config_});
    return RunProcess(args);
  }

  std::filesystem::path dir_;
  std::string url_;
  std::string config_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(AuditCliTest, ACleanStoreExitsZero) {
  const auto result = Audit();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("0 critical, 0 warnings"));
  EXPECT_THAT(result.out, HasSubstr("Verdict: OK"));
  EXPECT_THAT(result.err, IsEmpty());
}

TEST_F(AuditCliTest, WarningsAloneStillExitZero) {
  PlantSlowJob();
  const auto result = Audit();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("job verifier"));
  EXPECT_THAT(result.out, HasSubstr("Verdict: WARNING"));
}

TEST_F(AuditCliTest, SomethingCriticalExitsOne) {
  PlantLateHeldOrder();
  PlantSlowJob();
  const auto result = Audit();
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.out, HasSubstr("CRITICAL (1)"));
  EXPECT_THAT(result.out, HasSubstr(std::string(kOrderId)));
  EXPECT_THAT(result.out, HasSubstr("Verdict: CRITICAL"));
}

TEST_F(AuditCliTest, JsonCarriesTheSameFindings) {
  PlantLateHeldOrder();
  const auto result = Audit({"--json"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const auto json = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << result.out;
  EXPECT_EQ(json["verdict"], "critical");
  EXPECT_EQ(json["critical"], 1);
  ASSERT_EQ(json["findings"].size(), 1U);
  EXPECT_EQ(json["findings"][0]["check"], "stuck_orders");
  EXPECT_EQ(json["findings"][0]["severity"], "critical");
  EXPECT_EQ(json["findings"][0]["subject"], kOrderId);
}

TEST_F(AuditCliTest, ABadConfigurationIsBadInput) {
  std::ofstream(config_) << "[store]\nurl = 42\n";
  const auto result = Audit();
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("sellerbridge.toml"));
  EXPECT_THAT(result.out, IsEmpty());
}

}  // namespace
}  // namespace sellerbridge
