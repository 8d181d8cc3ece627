#include "monitor/at_risk.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/time_format.h"

namespace sellerbridge::monitor {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr std::string_view kUk = "A1F83G8C2ARO7P";
constexpr std::string_view kDe = "A1PA6795UKMFR9";
const TimePoint kStart = *ParseIso8601("2026-11-27T10:00:00Z");

class AtRiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
  }

  // Stores an order due to ship by `deadline`, in `state`.
  void AddOrder(const std::string& id, TimePoint deadline, store::SyncState state,
                std::string_view marketplace = kUk,
                domain::OrderStatus status = domain::OrderStatus::kUnshipped,
                const std::string& goods_out = "") {
    domain::OrderData data;
    data.amazon_order_id = id;
    data.marketplace_id = std::string(marketplace);
    data.status = status;
    data.purchase_date = kStart - hours{20};
    data.last_update_date = kStart - hours{20};
    data.latest_ship_date = deadline;
    data.lines = {{.order_item_id = "1", .sku = "SKU-1", .quantity_ordered = 1}};
    auto tx = Begin();
    ASSERT_TRUE(tx->UpsertOrder(*domain::Order::Create(std::move(data))).ok());
    ASSERT_TRUE(tx->SetOrderSyncState(
                      id, state,
                      goods_out.empty() ? std::nullopt : std::optional<std::string_view>(goods_out))
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }

  // Enqueues a confirmation of one parcel of `id` and moves it to `state`.
  void AddConfirmation(const std::string& id, TimePoint deadline, store::ConfirmationState state,
                       std::string last_error = "") {
    auto tx = Begin();
    const auto enqueued = tx->EnqueueConfirmation({.idempotency_key = id + "/1",
                                                   .amazon_order_id = id,
                                                   .marketplace_id = std::string(kUk),
                                                   .parcel = {.package_reference_id = "1",
                                                              .carrier_code = "Royal Mail",
                                                              .tracking_number = "AB123456789GB",
                                                              .ship_date = clock_.Now()},
                                                   .deadline = deadline});
    ASSERT_TRUE(enqueued.ok()) << enqueued.status();
    if (state != store::ConfirmationState::kPending || !last_error.empty()) {
      ASSERT_TRUE(tx->UpdateConfirmation(enqueued->id, {.state = state,
                                                        .attempts = 1,
                                                        .next_attempt_at = clock_.Now(),
                                                        .last_error = std::move(last_error)})
                      .ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  std::unique_ptr<store::Transaction> Begin() {
    auto tx = store_->Begin();
    EXPECT_TRUE(tx.ok()) << tx.status();
    return std::move(tx).value();
  }

  std::vector<AtRiskOrder> Find(const GoodsOutStatusReader& reader = {}) {
    auto tx = Begin();
    auto found = FindAtRiskOrders(*tx, clock_.Now(), options_, reader);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<AtRiskOrder>{};
  }

  static std::map<std::string, AtRiskOrder> ById(const std::vector<AtRiskOrder>& orders) {
    std::map<std::string, AtRiskOrder> out;
    for (const AtRiskOrder& order : orders) {
      out.emplace(order.amazon_order_id, order);
    }
    return out;
  }

  VirtualClock clock_{kStart};
  std::unique_ptr<store::Store> store_;
  AtRiskOptions options_;
};

TEST_F(AtRiskTest, HeldOrderWithinTheMarginIsAtRiskWithItsHoldReason) {
  AddOrder("026-0000001-0000001", kStart + hours{3}, store::SyncState::kHeld);
  AddOrder("026-0000002-0000002", kStart + hours{5}, store::SyncState::kHeld);
  {
    auto tx = Begin();
    ASSERT_TRUE(tx->HoldException({.kind = "order",
                                   .subject_id = "026-0000001-0000001",
                                   .reason = "no mapping for ship method Std DE Dom_1"})
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  const std::vector<AtRiskOrder> found = Find();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].amazon_order_id, "026-0000001-0000001");
  EXPECT_EQ(found[0].stage, RiskStage::kHeld);
  EXPECT_EQ(found[0].detail, "held (order): no mapping for ship method Std DE Dom_1");
  EXPECT_EQ(found[0].time_left, hours{3});

  // Once the clock reaches the margin of the second one, it is at risk too.
  clock_.Advance(hours{1});
  EXPECT_EQ(Find().size(), 2U);
}

TEST_F(AtRiskTest, OrderNotYetInClarusAndOrdersPastTheirDeadlineAreListedEarliestFirst) {
  AddOrder("026-0000003-0000003", kStart + hours{2}, store::SyncState::kNew);
  AddOrder("026-0000004-0000004", kStart - hours{1}, store::SyncState::kUpdatePending);
  AddOrder("026-0000005-0000005", kStart + hours{1}, store::SyncState::kNew, kUk,
           domain::OrderStatus::kCancelled);
  const std::vector<AtRiskOrder> found = Find();
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].amazon_order_id, "026-0000004-0000004");
  EXPECT_EQ(found[0].stage, RiskStage::kNotInClarus);
  EXPECT_LT(found[0].time_left, Duration::zero());
  EXPECT_EQ(found[1].amazon_order_id, "026-0000003-0000003");
  EXPECT_EQ(found[1].detail, "imported, not yet sent to Clarus");
}

TEST_F(AtRiskTest, OrdersInClarusAreStagedByTheirGoodsOutStatus) {
  AddOrder("026-0000006-0000006", kStart + hours{1}, store::SyncState::kSentToClarus, kUk,
           domain::OrderStatus::kUnshipped, "GO-6");
  AddOrder("026-0000007-0000007", kStart + hours{2}, store::SyncState::kSentToClarus, kUk,
           domain::OrderStatus::kUnshipped, "GO-7");
  AddOrder("026-0000008-0000008", kStart + hours{3}, store::SyncState::kSentToClarus, kUk,
           domain::OrderStatus::kUnshipped, "GO-8");
  const std::map<std::string, Result<std::string>> statuses = {
      {"GO-6", std::string("ALLOCATED")},
      {"GO-7", std::string("PICK")},
      {"GO-8", UnavailableError("clarus GraphQL: 503")}};
  std::vector<std::string> asked;
  const auto found = ById(Find([&](const std::string& id) -> Result<std::string> {
    asked.push_back(id);
    return statuses.at(id);
  }));
  EXPECT_EQ(asked, (std::vector<std::string>{"GO-6", "GO-7", "GO-8"}));
  EXPECT_EQ(found.at("026-0000006-0000006").stage, RiskStage::kNotPicked);
  EXPECT_EQ(found.at("026-0000006-0000006").detail,
            "Clarus goods-out GO-6 is ALLOCATED: not picked yet");
  EXPECT_EQ(found.at("026-0000007-0000007").stage, RiskStage::kPicking);
  EXPECT_EQ(found.at("026-0000008-0000008").stage, RiskStage::kNotPicked);
  EXPECT_NE(found.at("026-0000008-0000008").detail.find("clarus GraphQL: 503"), std::string::npos);
  EXPECT_EQ(found.at("026-0000008-0000008").clarus_goods_out_id, "GO-8");
}

TEST_F(AtRiskTest, DispatchNotConfirmedAfterTheGraceIsAtRisk) {
  AddOrder("026-0000009-0000009", kStart + hours{20}, store::SyncState::kDispatched);
  AddConfirmation("026-0000009-0000009", kStart + hours{20}, store::ConfirmationState::kPending,
                  "amazon POST …/shipmentConfirmation: 503 ServiceUnavailable");
  EXPECT_TRUE(Find().empty()) << "within the grace";
  clock_.Advance(options_.confirm_grace);
  const std::vector<AtRiskOrder> found = Find();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].stage, RiskStage::kDispatchedNotConfirmed);
  EXPECT_NE(found[0].detail.find("503 ServiceUnavailable"), std::string::npos);
}

TEST_F(AtRiskTest, FailedConfirmationIsAtRiskAtOnce) {
  AddOrder("026-0000010-0000010", kStart + hours{20}, store::SyncState::kDispatched);
  AddConfirmation("026-0000010-0000010", kStart + hours{20}, store::ConfirmationState::kFailed,
                  "InvalidInput: tracking number");
  const std::vector<AtRiskOrder> found = Find();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].stage, RiskStage::kDispatchedNotConfirmed);
}

TEST_F(AtRiskTest, AcceptedButNotVerifiedIsAtRiskAfterVerifyAfter) {
  AddOrder("026-0000011-0000011", kStart + hours{20}, store::SyncState::kDispatched);
  AddConfirmation("026-0000011-0000011", kStart + hours{20}, store::ConfirmationState::kAccepted);
  clock_.Advance(options_.verify_after - minutes{1});
  EXPECT_TRUE(Find().empty());
  clock_.Advance(minutes{1});
  const std::vector<AtRiskOrder> found = Find();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].stage, RiskStage::kConfirmedNotVerified);
}

TEST_F(AtRiskTest, DispatchedOrderAmazonStillShowsUnshippedIsAtRisk) {
  AddOrder("026-0000012-0000012", kStart + hours{20}, store::SyncState::kDispatched);
  AddConfirmation("026-0000012-0000012", kStart + hours{20}, store::ConfirmationState::kVerified);
  AddOrder("026-0000013-0000013", kStart + hours{20}, store::SyncState::kDispatched, kUk,
           domain::OrderStatus::kShipped);
  AddConfirmation("026-0000013-0000013", kStart + hours{20}, store::ConfirmationState::kVerified);
  EXPECT_TRUE(Find().empty()) << "Amazon may not have caught up yet";
  clock_.Advance(options_.verify_after);
  const std::vector<AtRiskOrder> found = Find();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].amazon_order_id, "026-0000012-0000012");
  EXPECT_EQ(found[0].stage, RiskStage::kUnshippedOnAmazon);
  EXPECT_NE(found[0].detail.find("Unshipped"), std::string::npos);
}

TEST_F(AtRiskTest, DeadlineIsShownInTheMarketplacesLocalTime) {
  // 13:00 UTC on a winter day: 13:00 in London, 14:00 in Berlin.
  AddOrder("026-0000014-0000014", kStart + hours{3}, store::SyncState::kNew, kUk);
  AddOrder("302-0000015-0000015", kStart + hours{3} + minutes{1}, store::SyncState::kNew, kDe);
  const auto found = ById(Find());
  EXPECT_EQ(found.at("026-0000014-0000014").deadline_local, "2026-11-27 13:00 GMT");
  EXPECT_EQ(found.at("302-0000015-0000015").deadline_local, "2026-11-27 14:01 CET");
  const nlohmann::json json = AtRiskToJson(found.at("302-0000015-0000015"));
  EXPECT_EQ(json["deadline"], "2026-11-27T13:01:00.000Z");
  EXPECT_EQ(json["minutes_left"], 181);
  EXPECT_EQ(json["stage"], "not_in_clarus");
}

}  // namespace
}  // namespace sellerbridge::monitor
