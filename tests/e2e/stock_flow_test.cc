// The stock flow against both emulators: Clarus's available stock, through
// the policy, reaches the emulated Amazon by patch or feed, in graduated
// lanes, coalesced, corrected when it drifts, and nothing is lost when Amazon
// refuses a SKU or a feed sticks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "e2e/stock_world.h"

namespace sellerbridge::e2e {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using sync::StockLane;

template <typename T>
T Must(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : T{};
}

std::int64_t Published(const sync::StockFigures& figures, StockLane lane) {
  return figures.published[static_cast<std::size_t>(lane)];
}

class StockFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-stock-flow-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Build(StockWorldOptions options) {
    options.dir = dir_;
    options.clock = &clock_;
    auto world = StockWorld::Create(options);
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = std::move(world).value();
  }

  sync::StockSync& Stock() { return world_->Stock(); }

  sync::StockPass Snapshot() { return Must(Stock().Snapshot({})); }
  sync::StockPass Changes() { return Must(Stock().ReadChanges({})); }
  sync::StockPass Publish() { return Must(Stock().Publish({})); }

  // Moves every clock on; past Amazon's listing processing delay by default.
  void Advance(Duration by = seconds{121}) { clock_.Advance(by); }

  std::vector<store::HeldException> OpenStockExceptions() {
    auto tx = world_->Store().BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    return Must((*tx)->ListExceptions({.open_only = true, .kind = "stock"}));
  }

  std::filesystem::path dir_;
  OffsetClock clock_{SystemClock::Get()};
  std::unique_ptr<StockWorld> world_;
};

TEST_F(StockFlowTest, PublishesWhatThePolicyAllowsAndZeroOutsGoFirst) {
  config::StockConfig stock;
  stock.low_stock_threshold = 3;
  stock.default_policy = {.buffer = domain::BufferKind::kFixed, .buffer_units = 2};
  stock.rules.push_back(
      {.sku = StockWorld::Sku(3),
       .policy = {
           .buffer = domain::BufferKind::kPercent, .buffer_percent = 10, .max_quantity = 50}});
  Build({.skus = 4, .clarus_available = 100, .amazon_quantity = 7, .stock = stock});
  ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(2), -100).ok());  // Nothing left.
  ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(4), -96).ok());   // 4 left: 2 listed.

  const sync::StockPass read = Snapshot();
  EXPECT_EQ(read.changed, 4);
  // The first pass sends the fast lane (the zero-out and the low one) at
  // once, and flushes the rest with it.
  const sync::StockPass pass = Publish();
  EXPECT_EQ(pass.published, 4);
  const sync::StockFigures figures = Stock().Figures();
  EXPECT_EQ(Published(figures, StockLane::kFast), 2);
  EXPECT_EQ(figures.patches, 4);
  EXPECT_EQ(figures.feeds, 0);

  // Amazon applies the patches after its processing delay.
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(1)), 7);
  Advance();
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(1)), 98);
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(2)), 0);
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(3)), 50);  // 90 after 10%, capped at 50.
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(4)), 2);

  // What was published is recorded per listing.
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  const auto latest = Must((*tx)->ListLatestStockPublications());
  ASSERT_EQ(latest.size(), 4U);
  EXPECT_EQ(latest[1].sku, StockWorld::Sku(2));
  EXPECT_EQ(latest[1].quantity, 0);
  EXPECT_EQ(latest[1].lane, "fast");
  EXPECT_EQ(latest[1].transport, "patch");
  EXPECT_EQ(latest[1].marketplace_id, world_->Marketplace());
}

TEST_F(StockFlowTest, ChangesAreCoalescedAndOnlyTheLatestGoesOut) {
  config::StockConfig stock;
  stock.cadence_a = minutes{1};
  stock.cadence_b = minutes{15};
  stock.cadence_c = hours{1};
  Build({.skus = 2, .clarus_available = 100, .stock = stock});
  Snapshot();
  Publish();  // The first flush of every class.
  Advance();
  ASSERT_EQ(world_->AmazonQuantity(StockWorld::Sku(1)), 100);
  EXPECT_EQ(Publish().published, 0);  // Every class flushes (nothing), its cadence restarts.

  // Three changes before SKU 1's class flushes again (within its minute):
  // only the last goes.
  for (const int delta : {-10, +5, -20}) {
    ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(1), delta).ok());
    Advance(seconds{2});
    Changes();
  }
  const sync::StockPass early = Publish();
  EXPECT_EQ(early.published, 0) << "a class change waits for its flush";
  EXPECT_TRUE(Must(Stock().View(StockWorld::Sku(1), world_->Marketplace())).queued);

  // A zero-out of SKU 2 does not wait.
  ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(2), -100).ok());
  Advance(seconds{2});
  Changes();
  EXPECT_EQ(Publish().published, 1);

  Advance(hours{1});
  Changes();
  EXPECT_EQ(Publish().published, 1);
  Advance();
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(1)), 75);
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(2)), 0);
  const sync::StockFigures figures = Stock().Figures();
  EXPECT_EQ(figures.coalesced, 2);
  EXPECT_EQ(figures.patches, 2 + 2);

  // The listing's history on Amazon holds each value once, newest last: no
  // value was sent after a newer one.
  const auto listing = world_->Amazon().GetListing(StockWorld::Sku(1));
  ASSERT_TRUE(listing.has_value());
  std::vector<int> patched;
  for (const auto& change : listing->history) {
    if (change.source == "patchListingsItem") {
      patched.push_back(change.quantity);
    }
  }
  EXPECT_EQ(patched, (std::vector<int>{100, 75}));
}

TEST_F(StockFlowTest, BackToWhatAmazonHasSendsNothing) {
  Build({.skus = 1, .clarus_available = 40});
  Snapshot();
  Publish();
  ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(1), -5).ok());
  Advance(seconds{2});
  Changes();
  ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(1), +5).ok());
  Advance(seconds{2});
  Changes();
  Advance(hours{2});
  EXPECT_EQ(Publish().published, 0);
  EXPECT_EQ(Stock().Figures().patches, 1);
}

TEST_F(StockFlowTest, ALargeFlushGoesInOneFeedSettledPerMessage) {
  config::StockConfig stock;
  stock.feed_threshold = 5;
  Build({.skus = 12,
         .clarus_available = 30,
         .amazon_feeds_toml = "queue_seconds = 5\nmin_processing_seconds = 10\n"
                              "max_processing_seconds = 20\n",
         .stock = stock});
  Snapshot();
  EXPECT_EQ(Publish().published, 0);
  sync::StockFigures figures = Stock().Figures();
  EXPECT_EQ(figures.feeds, 1);
  EXPECT_EQ(figures.feed_messages, 12);
  EXPECT_EQ(figures.in_feeds, 12);
  EXPECT_TRUE(Must(Stock().View(StockWorld::Sku(3), world_->Marketplace())).in_feed);

  // Followed until Amazon reports DONE, then settled from the report.
  Advance(minutes{1});
  const sync::StockPass settled = Publish();
  EXPECT_EQ(settled.published, 12);
  figures = Stock().Figures();
  EXPECT_EQ(figures.in_feeds, 0);
  EXPECT_EQ(figures.patches, 0);
  EXPECT_EQ(Published(figures, StockLane::kClassC), 12);
  Advance();
  for (int n = 1; n <= 12; ++n) {
    EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(n)), 30) << StockWorld::Sku(n);
  }
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  const auto feeds = Must((*tx)->ListStockFeeds(clock_.Now() - hours{1}));
  ASSERT_EQ(feeds.size(), 1U);
  EXPECT_EQ(feeds[0].status, "DONE");
  EXPECT_EQ(feeds[0].messages, 12);
  EXPECT_TRUE(feeds[0].finished_at.has_value());
}

TEST_F(StockFlowTest, AStuckFeedIsReportedAndItsSkusGoByPatch) {
  config::StockConfig stock;
  stock.feed_threshold = 2;
  stock.feed_stuck_after = minutes{10};
  Build({.skus = 4,
         .clarus_available = 9,
         .amazon_feeds_toml = "queue_seconds = 86400\n",
         .stock = stock});
  Snapshot();
  Publish();
  ASSERT_EQ(Stock().Figures().feeds, 1);
  Advance(minutes{5});
  EXPECT_EQ(Publish().published, 0);
  EXPECT_TRUE(OpenStockExceptions().empty());

  Advance(minutes{6});
  const sync::StockPass pass = Publish();
  EXPECT_EQ(pass.published, 4);
  const sync::StockFigures figures = Stock().Figures();
  EXPECT_EQ(figures.stuck_feeds, 1);
  EXPECT_EQ(figures.patches, 4);
  const auto held = OpenStockExceptions();
  ASSERT_EQ(held.size(), 1U);
  EXPECT_TRUE(held[0].subject_id.starts_with("feed:")) << held[0].subject_id;
  EXPECT_NE(held[0].reason.find("IN_QUEUE"), std::string::npos) << held[0].reason;
  Advance();
  for (int n = 1; n <= 4; ++n) {
    EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(n)), 9);
  }
}

TEST_F(StockFlowTest, ASkuAmazonDoesNotKnowIsHeldAndTheRestFlows) {
  Build({.skus = 2, .clarus_available = 12, .clarus_only_skus = {"NOT-ON-AMAZON"}});
  Snapshot();
  const sync::StockPass pass = Publish();
  EXPECT_EQ(pass.published, 2);
  EXPECT_EQ(pass.failed, 1);
  const auto held = OpenStockExceptions();
  ASSERT_EQ(held.size(), 1U);
  EXPECT_EQ(held[0].subject_id, "NOT-ON-AMAZON");
  EXPECT_NE(held[0].reason.find(world_->Marketplace()), std::string::npos) << held[0].reason;
  // It is not tried again at once.
  Advance(minutes{5});
  EXPECT_EQ(Publish().failed, 0);
  Advance(hours{1});
  EXPECT_EQ(Publish().failed, 1);
}

TEST_F(StockFlowTest, DriftIsFoundAndCorrected) {
  config::StockConfig stock;
  stock.drift_delay = minutes{15};
  stock.drift_sample = 10;
  Build({.skus = 3, .clarus_available = 20, .stock = stock});
  Snapshot();
  Publish();
  // Too early: Amazon may not have applied it yet.
  Advance();
  EXPECT_EQ(Must(Stock().CheckDrift({})).checked, 0);

  // Amazon loses SKU 2's quantity (a feed that said DONE and ignored it).
  emulators::amazon::AvailabilityPatch lost;
  lost.op = emulators::amazon::AvailabilityPatch::Op::kReplace;
  lost.quantity = 35;
  ASSERT_TRUE(world_->Amazon().QueueListingChange(StockWorld::Sku(2), lost, "lost").ok());
  Advance(minutes{16});
  const sync::StockPass check = Must(Stock().CheckDrift({}));
  EXPECT_EQ(check.checked, 3);
  EXPECT_EQ(check.drifted, 1);
  EXPECT_EQ(Stock().Figures().drift_found, 1);

  // Amazon showing more than Clarus allows goes out at once.
  EXPECT_EQ(Publish().published, 1);
  Advance();
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(2)), 20);
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  const auto drifted = Must((*tx)->ListStockChecks(clock_.Now() - hours{1}, true));
  ASSERT_EQ(drifted.size(), 1U);
  EXPECT_EQ(drifted[0].sku, StockWorld::Sku(2));
  EXPECT_EQ(drifted[0].expected, 20);
  EXPECT_EQ(drifted[0].seen, 35);
}

TEST_F(StockFlowTest, ARestartSendsOnlyWhatChanged) {
  Build({.skus = 3, .clarus_available = 15});
  Snapshot();
  EXPECT_EQ(Publish().published, 3);
  ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(3), -15).ok());
  Advance(seconds{2});

  ASSERT_TRUE(world_->Restart().ok());
  Snapshot();
  const sync::StockPass pass = Publish();
  EXPECT_EQ(pass.published, 1);
  Advance();
  EXPECT_EQ(world_->AmazonQuantity(StockWorld::Sku(3)), 0);
}

TEST_F(StockFlowTest, AFeedLeftOpenByARestartIsClosedAndItsListingsGoAgain) {
  config::StockConfig stock;
  stock.feed_threshold = 2;
  Build({.skus = 3,
         .clarus_available = 8,
         .amazon_feeds_toml = "queue_seconds = 86400\n",
         .stock = stock});
  Snapshot();
  Publish();
  ASSERT_EQ(Stock().Figures().feeds, 1);

  ASSERT_TRUE(world_->Restart().ok());
  {
    auto tx = world_->Store().BeginReadOnly();
    ASSERT_TRUE(tx.ok());
    EXPECT_TRUE(Must((*tx)->ListOpenStockFeeds()).empty());
    const auto feeds = Must((*tx)->ListStockFeeds(clock_.Now() - hours{1}));
    ASSERT_EQ(feeds.size(), 1U);
    EXPECT_EQ(feeds[0].status, "ABANDONED");
    EXPECT_NE(feeds[0].problem.find("restarted"), std::string::npos) << feeds[0].problem;
  }
  Snapshot();
  Publish();
  EXPECT_EQ(Stock().Figures().feeds, 1) << "the new run sends every listing again";
  EXPECT_EQ(Stock().Figures().in_feeds, 3);
}

TEST_F(StockFlowTest, ASnapshotNeverUndoesANewerChange) {
  Build({.skus = 1, .clarus_available = 50});
  Snapshot();
  Publish();
  ASSERT_TRUE(world_->AdjustClarus(StockWorld::Sku(1), -50).ok());
  Advance(seconds{2});
  Changes();
  EXPECT_EQ(Must(Stock().View(StockWorld::Sku(1), world_->Marketplace())).target, 0);
  // A second snapshot (Clarus unchanged since) keeps zero.
  Snapshot();
  EXPECT_EQ(Must(Stock().View(StockWorld::Sku(1), world_->Marketplace())).target, 0);
}

}  // namespace
}  // namespace sellerbridge::e2e
