// The order flow survives being killed: `sellerbridge run` against both
// emulators, SIGKILLed at random points of its imports twenty times, then run
// to the end. Every order must be in Clarus exactly once, and no label bought
// twice.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "e2e/subprocess.h"
#include "e2e/world.h"

namespace sellerbridge::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

constexpr int kKills = 20;

class OrderCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-order-crash-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // Amazon's limits are lifted in the emulator only: the daemon keeps the
    // documented ones, as in production.
    auto world = World::Create({.dir = dir_, .seed = 9, .lift_rate_limits = true});
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = std::move(world).value();
    ASSERT_TRUE(world_->MapShipMethods().ok());
    config_ = (dir_ / "sellerbridge.toml").string();
    std::ofstream(config_) << world_->ConfigToml(testing::FreePort());
  }

  void TearDown() override {
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Places `count` orders bought over the last hour; every sixth is Prime.
  void PlaceOrders(int count) {
    for (int i = 0; i < count; ++i) {
      const int n = placed_++;
      const bool prime = n % 6 == 0;
      auto id =
          world_->PlaceOrder({.marketplace = n % 4 == 3 ? kDe : kUk,
                              .sku = std::string(kSkus.at(static_cast<size_t>(n) % kSkus.size())),
                              .prime = prime,
                              .age = minutes{60} - std::chrono::seconds{n}});
      ASSERT_TRUE(id.ok()) << id.status();
      ids_.push_back(*id);
      if (prime) {
        prime_.push_back(*id);
      }
    }
  }

  // How many stored orders are still on their way to Clarus.
  int Unsettled() {
    auto tx = world_->Store().BeginReadOnly();
    if (!tx.ok()) {
      return -1;
    }
    auto counts = (*tx)->CountOrdersBySyncState();
    if (!counts.ok()) {
      return -1;
    }
    // A goods-out the emulated carriers collected meanwhile is in Clarus too.
    int in_clarus = 0;
    for (const store::SyncState state :
         {store::SyncState::kSentToClarus, store::SyncState::kDispatched}) {
      const auto it = counts->find(state);
      in_clarus += it == counts->end() ? 0 : static_cast<int>(it->second);
    }
    return static_cast<int>(ids_.size()) - in_clarus;
  }

  std::filesystem::path dir_;
  std::string config_;
  std::unique_ptr<World> world_;
  int placed_ = 0;
  std::vector<std::string> ids_;
  std::vector<std::string> prime_;
};

TEST_F(OrderCrashTest, KilledTwentyTimesMidImportEveryOrderReachesClarusExactlyOnce) {
  std::mt19937 random(20261127);
  std::uniform_int_distribution<int> delay_ms(50, 2500);
  // Enough work for the kills to land all over it: goods-outs created eight
  // at a time, and Prime labels bought at Amazon's documented 2 a second.
  PlaceOrders(300);
  for (int kill = 0; kill < kKills; ++kill) {
    testing::Subprocess daemon({SELLERBRIDGE_EXE, "run", "--config", config_});
    ASSERT_TRUE(daemon.WaitForStderr("running")) << daemon.Stderr();
    std::this_thread::sleep_for(milliseconds{delay_ms(random)});
    daemon.Signal(SIGKILL);
    EXPECT_EQ(daemon.Wait(), 128 + SIGKILL);
  }

  // Once more, to the end.
  testing::Subprocess daemon({SELLERBRIDGE_EXE, "run", "--config", config_});
  ASSERT_TRUE(daemon.WaitForStderr("running")) << daemon.Stderr();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes{3};
  while (Unsettled() != 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds{200});
  }
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Stderr();
  ASSERT_EQ(Unsettled(), 0) << daemon.Stderr();

  const std::map<std::string, int> goods_outs = world_->GoodsOutsByReference();
  const std::map<std::string, int> amazon_labels = world_->AmazonLabelsByOrder();
  const std::map<std::string, int> label_shipments = world_->LabelShipmentsByOrder();
  EXPECT_EQ(goods_outs.size(), ids_.size());
  for (const std::string& id : ids_) {
    EXPECT_EQ(goods_outs.count(id) > 0 ? goods_outs.at(id) : 0, 1) << id;
  }
  for (const std::string& id : prime_) {
    EXPECT_EQ(amazon_labels.count(id) > 0 ? amazon_labels.at(id) : 0, 1) << id;
    EXPECT_EQ(label_shipments.count(id) > 0 ? label_shipments.at(id) : 0, 1) << id;
  }
  EXPECT_EQ(amazon_labels.size(), prime_.size());
}

}  // namespace
}  // namespace sellerbridge::e2e
