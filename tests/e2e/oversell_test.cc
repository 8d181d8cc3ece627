// Overselling, end to end: a fast-selling SKU with buyers on the emulated
// Amazon, sales on other channels and a receipt in the emulated Clarus. Amazon
// sells only what its listing shows; each Amazon sale reaches Clarus as an
// allocation a few minutes later (Amazon's order search delay, the import and
// the allocation). A unit Clarus cannot allocate then was oversold. With the
// velocity buffer on, none is; without it, the same day oversells.
#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <random>
#include <string>

#include "e2e/stock_world.h"

namespace sellerbridge::e2e {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr Duration kStep = seconds{10};
constexpr Duration kDay = hours{6};
// From a buyer's order on Amazon to its allocation in Clarus.
constexpr Duration kSaleToWarehouse = minutes{4};
constexpr double kAmazonUnitsPerHour = 45;
constexpr double kElsewhereUnitsPerHour = 20;

struct Outcome {
  std::int64_t sold_on_amazon = 0;
  std::int64_t sold_elsewhere = 0;
  std::int64_t oversold = 0;         // Amazon units Clarus could not allocate.
  std::int64_t amazon_oversold = 0;  // The emulator's own count.
  std::int64_t published = 0;
};

class OversellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-oversell-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs the day with `policy` as the default stock policy.
  Outcome RunDay(const domain::StockPolicy& policy) {
    OffsetClock clock(SystemClock::Get());
    config::StockConfig stock;
    stock.default_policy = policy;
    stock.class_a_units_per_hour = 10;
    stock.velocity_window = hours{1};
    auto created = StockWorld::Create(
        {.dir = dir_,
         .clock = &clock,
         .skus = 1,
         .clarus_available = 120,
         .listing_processing_seconds = 120,
         .lift_rate_limits = true,
         .stock = stock,
         .tuning = {.amazon_processing = minutes{2}, .sale_to_warehouse = kSaleToWarehouse}});
    EXPECT_TRUE(created.ok()) << created.status();
    if (!created.ok()) {
      return {};
    }
    StockWorld& world = **created;
    const std::string sku = StockWorld::Sku(1);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> uniform(0, 1);
    const double step_hours = std::chrono::duration<double, std::ratio<3600>>(kStep).count();
    std::deque<std::pair<TimePoint, int>> to_allocate;
    Outcome outcome;

    EXPECT_TRUE(world.Stock().Snapshot({}).ok());
    const TimePoint end = clock.Now() + kDay;
    int step = 0;
    while (clock.Now() < end) {
      const TimePoint now = clock.Now();
      // Buyers on Amazon, who can buy only what the listing shows.
      if (uniform(rng) < kAmazonUnitsPerHour * step_hours) {
        const int quantity = uniform(rng) < 0.8 ? 1 : 2;
        if (world.AmazonQuantity(sku).value_or(0) >= quantity) {
          emulators::amazon::NewOrder order;
          order.marketplace_id = world.Marketplace();
          order.purchase_date = now;
          order.ship_service_level = "Std UK Dom_1";
          order.service_level_category = "Standard";
          order.lines.push_back({.sku = sku, .quantity = quantity});
          EXPECT_TRUE(world.Amazon().AddOrder(order).ok());
          outcome.sold_on_amazon += quantity;
          to_allocate.emplace_back(now + kSaleToWarehouse, quantity);
        }
      }
      // Amazon's orders reach the warehouse and take stock there.
      while (!to_allocate.empty() && to_allocate.front().first <= now) {
        const int quantity = to_allocate.front().second;
        to_allocate.pop_front();
        const std::int64_t available = world.ClarusAvailable(sku).value_or(0);
        const std::int64_t taken = std::min<std::int64_t>(available, quantity);
        outcome.oversold += quantity - taken;
        if (taken > 0) {
          EXPECT_TRUE(world.AdjustClarus(sku, -taken).ok());
        }
      }
      // Other channels sell from the same stock.
      if (uniform(rng) < kElsewhereUnitsPerHour * step_hours &&
          world.ClarusAvailable(sku).value_or(0) > 0) {
        EXPECT_TRUE(world.AdjustClarus(sku, -1).ok());
        ++outcome.sold_elsewhere;
      }
      // A delivery arrives after two hours and after four.
      if (step == 720 || step == 1440) {
        EXPECT_TRUE(world.AdjustClarus(sku, 60).ok());
      }
      // Stock webhooks make every change read at once.
      EXPECT_TRUE(world.Stock().ReadChanges({}).ok());
      const auto pass = world.Stock().Publish({});
      EXPECT_TRUE(pass.ok()) << pass.status();
      clock.Advance(kStep);
      ++step;
    }
    const auto oversold = world.Amazon().UnitsOversold();
    if (const auto it = oversold.find(sku); it != oversold.end()) {
      outcome.amazon_oversold = it->second;
    }
    const sync::StockFigures figures = world.Stock().Figures();
    for (const std::int64_t n : figures.published) {
      outcome.published += n;
    }
    return outcome;
  }

  std::filesystem::path dir_;
};

TEST_F(OversellTest, TheVelocityBufferKeepsAmazonWithinClarusStock) {
  const Outcome outcome = RunDay({.buffer = domain::BufferKind::kVelocity, .buffer_units = 1});
  // The day really sold out: Amazon sold close to its share of 240 units.
  EXPECT_GT(outcome.sold_on_amazon, 120);
  EXPECT_GT(outcome.sold_elsewhere, 40);
  EXPECT_GT(outcome.published, 50);
  EXPECT_EQ(outcome.oversold, 0);
  EXPECT_EQ(outcome.amazon_oversold, 0);
}

TEST_F(OversellTest, WithoutABufferTheSameDayOversells) {
  const Outcome outcome = RunDay({.buffer = domain::BufferKind::kNone});
  EXPECT_GT(outcome.sold_on_amazon, 120);
  EXPECT_GT(outcome.oversold, 0) << "the scenario must be hard enough to need the buffer";
}

}  // namespace
}  // namespace sellerbridge::e2e
