#include "sync/daemon.h"

#include <gtest/gtest.h>

namespace sellerbridge::sync {
namespace {

using std::chrono::hours;

constexpr auto kRealTimeout = std::chrono::seconds{20};
const TimePoint kStart = TimePoint{} + hours{24 * 20000};

domain::Order OrderWithAddress(const std::string& id) {
  domain::OrderData data;
  data.amazon_order_id = id;
  data.marketplace_id = "A1F83G8C2ARO7P";
  data.status = domain::OrderStatus::kShipped;
  data.purchase_date = kStart;
  data.last_update_date = kStart;
  data.shipping_address = domain::Address{.name = "J Doe",
                                          .line1 = "1 High St",
                                          .city = "Leeds",
                                          .postal_code = "LS1 1AA",
                                          .country_code = "GB"};
  data.lines = {{.order_item_id = "1", .sku = "SKU-1", .quantity_ordered = 1}};
  return *domain::Order::Create(std::move(data));
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    config_.retention.buyer_data_days = 30;
    config_.schedules.retention = hours{1};
  }

  void Dispatched(const std::string& id) {
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE((*tx)->UpsertOrder(OrderWithAddress(id)).ok());
    ASSERT_TRUE((*tx)->SetOrderSyncState(id, store::SyncState::kDispatched, "GO-1").ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  bool HasAddress(const std::string& id) {
    auto tx = store_->BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    auto order = (*tx)->GetOrder(id);
    EXPECT_TRUE(order.ok()) << order.status();
    return order.ok() && order->order->shipping_address.has_value();
  }

  VirtualClock clock_{kStart};
  std::unique_ptr<store::Store> store_;
  config::Config config_;
};

TEST_F(DaemonTest, PurgesBuyerDataOnceRetentionHasPassed) {
  Dispatched("203-0000000-0000001");
  clock_.Advance(hours{24 * 10});
  Dispatched("203-0000000-0000002");

  Daemon daemon(config_, store_.get(), &clock_, {.order_flow = false});
  ASSERT_TRUE(daemon.Start().ok());
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));
  EXPECT_TRUE(HasAddress("203-0000000-0000001"));

  // 30 days after the first dispatch, only the first order's address goes.
  clock_.Advance(hours{24 * 20 + 1});
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));
  EXPECT_FALSE(HasAddress("203-0000000-0000001"));
  EXPECT_TRUE(HasAddress("203-0000000-0000002"));

  clock_.Advance(hours{24 * 10});
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));
  EXPECT_FALSE(HasAddress("203-0000000-0000002"));

  daemon.Stop();
  const auto summary = daemon.Summary();
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->buyer_records_purged, 2);
  ASSERT_EQ(summary->jobs.size(), 1U);
  EXPECT_EQ(summary->jobs[0].name, "retention");
  EXPECT_EQ(summary->jobs[0].failures, 0);
  EXPECT_EQ(summary->uptime, hours{24 * 30 + 1});
}

TEST_F(DaemonTest, StartsOnlyOnce) {
  Daemon daemon(config_, store_.get(), &clock_, {.order_flow = false});
  ASSERT_TRUE(daemon.Start().ok());
  EXPECT_EQ(daemon.Start().code(), StatusCode::kFailedPrecondition);
  daemon.Stop();
  daemon.Stop();
}

}  // namespace
}  // namespace sellerbridge::sync
