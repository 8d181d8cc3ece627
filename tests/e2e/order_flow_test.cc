// The order flow end to end: Amazon orders through sellerbridge's import and
// release into Clarus, both emulators on loopback.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "e2e/world.h"

namespace sellerbridge::e2e {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
using std::chrono::minutes;
using store::SyncState;

class OrderFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-order-flow-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto world = World::Create({.dir = dir_, .seed = 5, .lift_rate_limits = true});
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = std::move(world).value();
  }

  void TearDown() override {
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One pass of the order job, which must not fail.
  sync::ReleasePass Pass() {
    auto imported = world_->Import();
    EXPECT_TRUE(imported.ok()) << imported.status();
    auto released = world_->Release();
    EXPECT_TRUE(released.ok()) << released.status();
    EXPECT_EQ(released.ok() ? released->retry_later : -1, 0)
        << (released.ok() ? released->first_error.ToString() : "");
    return released.ok() ? *released : sync::ReleasePass{};
  }

  SyncState StateOf(const std::string& id) {
    auto state = world_->StateOf(id);
    EXPECT_TRUE(state.ok()) << id << ": " << state.status();
    return state.ok() ? *state : SyncState::kNew;
  }

  std::string HoldReason(const std::string& id) {
    auto held = world_->HoldOf(id);
    EXPECT_TRUE(held.ok()) << held.status();
    return held.ok() && *held ? (*held)->reason : "";
  }

  std::filesystem::path dir_;
  std::unique_ptr<World> world_;
};

TEST_F(OrderFlowTest, FiveHundredOrdersReachClarusExactlyOnceAndHeldOnesWaitWithTheirReason) {
  // Operations have mapped everything but German next-day orders.
  ASSERT_TRUE(world_->MapShipMethods({std::string(kDe) + "/NEXT_DAY/standard"}).ok());

  std::set<std::string> importable;       // Must end in Clarus exactly once.
  std::set<std::string> unmapped;         // Held until the mapping exists.
  std::set<std::string> unknown_sku;      // Held throughout.
  std::set<std::string> cancelled_early;  // Cancelled before the first import.
  std::set<std::string> prime;
  std::vector<std::string> ids;
  for (int i = 0; i < 500; ++i) {
    const bool german = i % 3 == 2;
    const bool next_day = i % 4 == 1;
    const bool is_prime = i % 10 == 0;
    const bool lost_sku = i % 47 == 5;
    const auto placed = world_->PlaceOrder(
        {.marketplace = german ? kDe : kUk,
         .sku = std::string(lost_sku ? kSkuUnknownInClarus
                                     : kSkus.at(static_cast<size_t>(i) % kSkus.size())),
         .quantity = 1 + i % 2,
         .prime = is_prime,
         .next_day = next_day,
         .age = minutes{200} - minutes{i % 180}});
    ASSERT_TRUE(placed.ok()) << placed.status();
    const std::string& id = *placed;
    ids.push_back(id);
    if (i % 31 == 7 && !lost_sku) {
      ASSERT_TRUE(world_->Amazon().CancelOrder(id, amazon_emulator::Canceller::kBuyer).ok());
      cancelled_early.insert(id);
    } else if (lost_sku) {
      unknown_sku.insert(id);
    } else if (german && next_day && !is_prime) {
      unmapped.insert(id);
    } else {
      importable.insert(id);
      if (is_prime) {
        prime.insert(id);
      }
    }
  }
  ASSERT_FALSE(unmapped.empty());
  ASSERT_FALSE(unknown_sku.empty());
  ASSERT_FALSE(prime.empty());
  // Cancellations change the order now: Amazon lets them be searched two
  // minutes later.
  world_->Advance(minutes{3});

  const sync::ReleasePass first = Pass();
  EXPECT_EQ(first.sent_to_clarus, static_cast<int>(importable.size()));
  EXPECT_EQ(first.labels_bought, static_cast<int>(prime.size()));
  EXPECT_EQ(first.cancelled, static_cast<int>(cancelled_early.size()));
  EXPECT_EQ(first.held, static_cast<int>(unmapped.size() + unknown_sku.size()));
  for (const std::string& id : unmapped) {
    EXPECT_EQ(StateOf(id), SyncState::kHeld) << id;
    EXPECT_EQ(
        HoldReason(id).rfind("ship method not mapped: nothing maps 'NEXT_DAY' (DE, not Prime)", 0),
        0U)
        << HoldReason(id);
  }
  for (const std::string& id : unknown_sku) {
    EXPECT_EQ(StateOf(id), SyncState::kHeld) << id;
    EXPECT_NE(HoldReason(id).find("SKU not in Clarus"), std::string::npos) << HoldReason(id);
    EXPECT_NE(HoldReason(id).find(kSkuUnknownInClarus), std::string::npos) << HoldReason(id);
  }
  for (const std::string& id : cancelled_early) {
    EXPECT_EQ(StateOf(id), SyncState::kCancelled) << id;
  }

  // Buyers cancel some orders already in the warehouse (not Prime ones: their
  // Amazon label shipped them).
  std::set<std::string> cancelled_late;
  for (const std::string& id : importable) {
    if (prime.count(id) == 0 && cancelled_late.size() < 12 &&
        world_->Amazon().CancelOrder(id, amazon_emulator::Canceller::kBuyer).ok()) {
      cancelled_late.insert(id);
    }
  }
  // Operations add the missing mapping; nobody touches the held orders.
  ASSERT_TRUE(world_->Map(kDe, "NEXT_DAY", false).ok());
  world_->Advance(minutes{3});
  const sync::ReleasePass second = Pass();
  EXPECT_EQ(second.goods_outs_cancelled, static_cast<int>(cancelled_late.size()));
  EXPECT_EQ(second.sent_to_clarus, static_cast<int>(unmapped.size()));
  EXPECT_EQ(second.released, static_cast<int>(unmapped.size()));
  EXPECT_EQ(second.held, static_cast<int>(unknown_sku.size()));

  // A third pass finds nothing to do: nothing is created twice.
  world_->Advance(minutes{3});
  const sync::ReleasePass third = Pass();
  EXPECT_EQ(third.sent_to_clarus, 0);
  EXPECT_EQ(third.labels_bought, 0);

  const std::map<std::string, int> goods_outs = world_->GoodsOutsByReference();
  const std::map<std::string, int> label_shipments = world_->LabelShipmentsByOrder();
  const std::map<std::string, int> amazon_labels = world_->AmazonLabelsByOrder();
  for (const std::string& id : ids) {
    const int in_clarus = goods_outs.count(id) > 0 ? goods_outs.at(id) : 0;
    if (cancelled_late.count(id) > 0) {
      EXPECT_EQ(StateOf(id), SyncState::kCancelled) << id;
      EXPECT_LE(in_clarus, 1) << id;
    } else if (importable.count(id) > 0 || unmapped.count(id) > 0) {
      EXPECT_EQ(in_clarus, 1) << id;
      EXPECT_EQ(StateOf(id), SyncState::kSentToClarus) << id;
      EXPECT_EQ(HoldReason(id), "") << id;
    } else {
      EXPECT_EQ(in_clarus, 0) << id;
    }
    const bool labelled = prime.count(id) > 0;
    EXPECT_EQ(amazon_labels.count(id) > 0 ? amazon_labels.at(id) : 0, labelled ? 1 : 0) << id;
    EXPECT_EQ(label_shipments.count(id) > 0 ? label_shipments.at(id) : 0, labelled ? 1 : 0) << id;
  }
  for (const std::string& id : unknown_sku) {
    EXPECT_EQ(StateOf(id), SyncState::kHeld) << id;
  }
  // A cancelled goods-out is gone or CANCELLED in Clarus.
  world_->Clarus().GetWarehouse().Read([&](const emulators::clarus::WarehouseState& state) {
    for (const auto& [id, goods_out] : state.goods_outs) {
      if (cancelled_late.count(goods_out.reference) > 0) {
        EXPECT_EQ(goods_out.status, emulators::clarus::GoodsOutStatus::kCancelled)
            << goods_out.reference;
      }
    }
  });
}

}  // namespace
}  // namespace sellerbridge::e2e
