// The confirmer's way around its quota: a backlog that confirmShipment
// cannot send before its deadlines goes into a POST_ORDER_FULFILLMENT_DATA
// feed, followed to DONE and settled per message; a stuck feed goes back to
// the API.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "e2e/world.h"

namespace sellerbridge::e2e {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using store::ConfirmationState;
using store::ConfirmationTransport;

constexpr int kOrders = 24;

class ConfirmerFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-confirmer-feed-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto world = World::Create(
        {.dir = dir_, .seed = 13, .lift_rate_limits = true, .manual_warehouse = true});
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = std::move(world).value();
    ASSERT_TRUE(world_->MapShipMethods().ok());
    for (int i = 0; i < kOrders; ++i) {
      auto id = world_->PlaceOrder({.quantity = 1 + i % 2});
      ASSERT_TRUE(id.ok()) << id.status();
      ids_.push_back(*id);
    }
    ASSERT_TRUE(world_->Import().ok());
    ASSERT_TRUE(world_->Release().ok());
    for (const std::string& id : ids_) {
      auto goods_out = world_->GoodsOutOf(id);
      ASSERT_TRUE(goods_out.ok()) << goods_out.status();
      ASSERT_TRUE(world_->Clarus().GetWarehouse().CompleteNow(*goods_out).ok());
    }
    std::stop_source stop;
    auto swept = world_->Intake().Sweep(stop.get_token());
    ASSERT_TRUE(swept.ok()) << swept.status();
    ASSERT_EQ(swept->confirmations_created, kOrders);
    // confirmShipment as slow as one call an hour: nothing would reach
    // Amazon before its ship-by date less the margin.
    confirmer_ = std::make_unique<sync::Confirmer>(
        sync::ConfirmerOptions{.verify_after = seconds{30},
                               .merchant_id = world_->Config().amazon.seller_id,
                               .api_rate_per_second = 1.0 / 3600,
                               .api_burst = 0,
                               .deadline_margin = hours{24 * 20}},
        &world_->Store(), world_->GetConnections().orders.get(),
        world_->GetConnections().feeds.get(), world_->GetClock());
  }

  void TearDown() override {
    confirmer_.reset();
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<store::OutboxEntry> Outbox() {
    auto tx = world_->Store().BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    auto entries = (*tx)->ListConfirmations({.limit = 1000});
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *entries : std::vector<store::OutboxEntry>{};
  }

  int InState(ConfirmationState state) {
    int n = 0;
    for (const store::OutboxEntry& entry : Outbox()) {
      n += entry.state == state ? 1 : 0;
    }
    return n;
  }

  // Passes of the confirmer with time moving on, until nothing is in flight.
  void Settle() {
    std::stop_source stop;
    for (int round = 0; round < 80; ++round) {
      auto sent = confirmer_->SendOnce(stop.get_token());
      ASSERT_TRUE(sent.ok()) << sent.status();
      world_->Advance(minutes{1});
      auto verified = confirmer_->VerifyOnce(stop.get_token());
      ASSERT_TRUE(verified.ok()) << verified.status();
      if (InState(ConfirmationState::kVerified) + InState(ConfirmationState::kFailed) == kOrders) {
        return;
      }
    }
    ADD_FAILURE() << "the outbox did not settle";
  }

  std::filesystem::path dir_;
  std::unique_ptr<World> world_;
  std::unique_ptr<sync::Confirmer> confirmer_;
  std::vector<std::string> ids_;
};

TEST_F(ConfirmerFeedTest, BacklogBeyondTheQuotaGoesIntoOneFeedSettledPerMessage) {
  // One order is cancelled on Amazon before the feed reaches it.
  ASSERT_TRUE(world_->Amazon().CancelOrder(ids_[5], amazon_emulator::Canceller::kBuyer).ok());
  std::stop_source stop;
  auto first = confirmer_->SendOnce(stop.get_token());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->fed, kOrders);
  EXPECT_EQ(first->sent, 0);
  std::set<std::string> feeds;
  for (const store::OutboxEntry& entry : Outbox()) {
    EXPECT_EQ(entry.transport, ConfirmationTransport::kFeed);
    EXPECT_EQ(entry.state, ConfirmationState::kSending);
    feeds.insert(entry.feed_id);
  }
  ASSERT_EQ(feeds.size(), 1U);
  const auto feed = world_->Amazon().GetFeed(*feeds.begin());
  ASSERT_TRUE(feed.has_value());
  EXPECT_EQ(feed->feed_type, "POST_ORDER_FULFILLMENT_DATA");

  Settle();
  EXPECT_EQ(InState(ConfirmationState::kVerified), kOrders - 1);
  EXPECT_EQ(InState(ConfirmationState::kFailed), 1);
  for (const store::OutboxEntry& entry : Outbox()) {
    if (entry.amazon_order_id == ids_[5]) {
      EXPECT_EQ(entry.state, ConfirmationState::kFailed);
      EXPECT_NE(entry.last_error.find("feed"), std::string::npos) << entry.last_error;
    }
  }
  for (const std::string& id : ids_) {
    const auto order = world_->Amazon().GetOrder(id);
    ASSERT_TRUE(order.has_value());
    EXPECT_EQ(order->packages.size(), id == ids_[5] ? 0U : 1U) << id;
  }
  // Only one feed: createFeed's quota is kept for what needs it.
  int fulfilment_feeds = 0;
  for (const auto& info : world_->Amazon().Feeds()) {
    fulfilment_feeds += info.feed_type == "POST_ORDER_FULFILLMENT_DATA" ? 1 : 0;
  }
  EXPECT_EQ(fulfilment_feeds, 1);
}

TEST_F(ConfirmerFeedTest, StuckFeedGoesBackToTheApi) {
  world_->Amazon().FaultInjector().SetOperation("POST_ORDER_FULFILLMENT_DATA",
                                                {.stuck_feed_rate = 1.0});
  std::stop_source stop;
  auto first = confirmer_->SendOnce(stop.get_token());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->fed, kOrders);
  world_->Amazon().FaultInjector().Clear();
  // Past feed_stuck_after (30 min) the entries return to the API, which
  // sends them at once: having been tried, they do not go into a feed again.
  world_->Advance(minutes{31});
  auto back = confirmer_->SendOnce(stop.get_token());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->fed, 0);
  EXPECT_EQ(back->sent, kOrders);
  for (const store::OutboxEntry& entry : Outbox()) {
    EXPECT_EQ(entry.transport, ConfirmationTransport::kApi) << entry.id;
    EXPECT_EQ(entry.feed_id, "") << entry.id;
  }
  Settle();
  EXPECT_EQ(InState(ConfirmationState::kVerified), kOrders);
  for (const std::string& id : ids_) {
    EXPECT_EQ(world_->Amazon().GetOrder(id)->packages.size(), 1U) << id;
  }
}

}  // namespace
}  // namespace sellerbridge::e2e
