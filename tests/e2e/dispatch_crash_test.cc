// The dispatch flow survives being killed: `sellerbridge run` SIGKILLed
// twenty times during a burst of shipment confirmations, then run to the end.
// No confirmation may be lost, and none sent twice under different package
// ids.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e/subprocess.h"
#include "e2e/world.h"

namespace sellerbridge::e2e {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
namespace clarus_emulator = ::sellerbridge::emulators::clarus;
using std::chrono::milliseconds;

constexpr int kKills = 20;
constexpr int kOrders = 120;

class DispatchCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-dispatch-crash-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // Amazon's limits are lifted in the emulator only: the daemon keeps the
    // documented ones (confirmShipment 2/s, burst 10), as in production.
    auto world = World::Create(
        {.dir = dir_, .seed = 11, .lift_rate_limits = true, .manual_warehouse = true});
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

  // Entries of the outbox not verified yet; -1 when the store cannot be read.
  int Unverified() {
    auto tx = world_->Store().BeginReadOnly();
    if (!tx.ok()) {
      return -1;
    }
    auto counts = (*tx)->CountConfirmationsByState();
    if (!counts.ok()) {
      return -1;
    }
    int open = 0;
    for (const auto& [state, count] : *counts) {
      open += state == store::ConfirmationState::kVerified ? 0 : static_cast<int>(count);
    }
    return counts->empty() ? -1 : open;
  }

  std::filesystem::path dir_;
  std::string config_;
  std::unique_ptr<World> world_;
};

TEST_F(DispatchCrashTest, KilledTwentyTimesMidBurstNoConfirmationIsLostOrDoubled) {
  std::vector<std::string> ids;
  for (int i = 0; i < kOrders; ++i) {
    auto id = world_->PlaceOrder({.marketplace = i % 4 == 3 ? kDe : kUk,
                                  .sku = std::string(kSkus[static_cast<std::size_t>(i % 3)]),
                                  .quantity = 1 + i % 2});
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(*id);
  }
  ASSERT_TRUE(world_->Import().ok());
  auto released = world_->Release();
  ASSERT_TRUE(released.ok()) << released.status();
  ASSERT_EQ(released->sent_to_clarus, kOrders);
  // Everything leaves the warehouse at once, every fifth order in two parcels.
  std::map<std::string, std::set<std::string>> clarus_packages;
  for (int i = 0; i < kOrders; ++i) {
    auto goods_out = world_->GoodsOutOf(ids[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(goods_out.ok()) << goods_out.status();
    clarus_emulator::Warehouse& warehouse = world_->Clarus().GetWarehouse();
    ASSERT_TRUE(warehouse.AllocateNow(*goods_out).ok());
    ASSERT_TRUE(warehouse.PickNow(*goods_out, {}).ok());
    auto shipped = warehouse.DispatchNow(*goods_out, {.packages = i % 5 == 0 ? 2 : 1});
    ASSERT_TRUE(shipped.ok()) << shipped.status();
    for (const clarus_emulator::Package& package : shipped->packages) {
      clarus_packages[ids[static_cast<std::size_t>(i)]].insert(std::to_string(package.id));
    }
  }

  std::mt19937 random(20261128);
  std::uniform_int_distribution<int> delay_ms(300, 2500);
  for (int kill = 0; kill < kKills; ++kill) {
    testing::Subprocess daemon({SELLERBRIDGE_EXE, "run", "--config", config_});
    ASSERT_TRUE(daemon.WaitForStderr("running")) << daemon.Stderr();
    std::this_thread::sleep_for(milliseconds{delay_ms(random)});
    daemon.Signal(SIGKILL);
    EXPECT_EQ(daemon.Wait(), 128 + SIGKILL);
  }
  const int open_after_kills = Unverified();

  // Once more, to the end.
  testing::Subprocess daemon({SELLERBRIDGE_EXE, "run", "--config", config_});
  ASSERT_TRUE(daemon.WaitForStderr("running")) << daemon.Stderr();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes{4};
  while (Unverified() != 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds{250});
  }
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Stderr();
  ASSERT_EQ(Unverified(), 0) << daemon.Stderr();
  // The kills landed in the middle of the work, not before or after it.
  EXPECT_GT(open_after_kills, 0);

  for (const std::string& id : ids) {
    const std::optional<amazon_emulator::Order> order = world_->Amazon().GetOrder(id);
    ASSERT_TRUE(order.has_value());
    std::set<std::string> references;
    int units = 0;
    for (const amazon_emulator::Package& package : order->packages) {
      // Only Clarus's package ids, each once: nothing sent twice under another id.
      EXPECT_TRUE(clarus_packages[id].contains(package.package_reference_id))
          << id << " " << package.package_reference_id;
      EXPECT_TRUE(references.insert(package.package_reference_id).second) << id;
      for (const auto& [item, quantity] : package.items) {
        units += quantity;
      }
    }
    // Every parcel that has units is there, so every unit is.
    const int ordered = order->lines.front().quantity_ordered;
    EXPECT_EQ(units, ordered) << id;
    EXPECT_EQ(order->status, amazon_emulator::OrderStatus::kShipped) << id;
  }
}

}  // namespace
}  // namespace sellerbridge::e2e
