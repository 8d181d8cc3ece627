#include "amazon/quota_broker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace sellerbridge::amazon {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kRealTimeout = std::chrono::seconds{20};
const TimePoint kStart = TimePoint{} + std::chrono::hours{24 * 20000};
const TimePoint kNever = TimePoint::max();

const std::vector<OperationLimit> kLimits = {
    {"Orders v0", "confirmShipment", "POST", "/orders/v0/orders/{orderId}/shipmentConfirmation", 2,
     10},
    {"Feeds 2021-06-30", "createFeed", "POST", "/feeds/2021-06-30/feeds", 0.0083, 15},
};

BucketKey Key(const std::string& operation) {
  return {"SELLER1", "EU", operation == "createFeed" ? "Feeds 2021-06-30" : "Orders v0", operation};
}

OperationCounters CountersOf(const QuotaBroker& broker, const std::string& operation) {
  const BucketKey key = Key(operation);
  return broker.Counters().at(OperationName{key.api, key.operation});
}

class QuotaBrokerTest : public ::testing::Test {
 protected:
  VirtualClock clock_{kStart};
  QuotaBroker broker_{&clock_, kLimits};
};

TEST_F(QuotaBrokerTest, BurstIsFreeThenTokensComeAtTheRate) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(broker_.Acquire(Key("confirmShipment"), Lane::kConfirmation, kNever).ok());
  }
  std::atomic<bool> got{false};
  std::jthread caller(
      [&] { got = broker_.Acquire(Key("confirmShipment"), Lane::kConfirmation, kNever).ok(); });
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));
  EXPECT_EQ(clock_.NextWakeup(), kStart + milliseconds{500});  // 2 per second.
  clock_.Advance(milliseconds{499});
  EXPECT_FALSE(got);
  clock_.Advance(milliseconds{1});
  caller.join();
  EXPECT_TRUE(got);
  const auto counters = CountersOf(broker_, "confirmShipment");
  EXPECT_EQ(counters.calls, 11);
  EXPECT_EQ(counters.granted, 11);
  EXPECT_EQ(counters.waits, 1);
  EXPECT_EQ(counters.total_wait, milliseconds{500});
}

TEST(QuotaBrokerWaitTest, SleepsRatherThanSpinsWhenLessThanANanosecondIsMissing) {
  // At 7 per second a token takes 142,857,142.86 ns: after 142,857,142 ns
  // the bucket lacks 0.86 ns of refill, which a truncating conversion turns
  // into a sleep of zero, so that the caller spun while time stood still.
  VirtualClock clock(kStart);
  QuotaBroker broker(&clock, {{"Orders v0", "confirmShipment", "POST", "/x", 7, 1}});
  ASSERT_TRUE(broker.Acquire(Key("confirmShipment"), Lane::kConfirmation, kNever).ok());
  clock.Advance(std::chrono::nanoseconds{142'857'142});
  std::atomic<bool> got{false};
  std::jthread caller(
      [&] { got = broker.Acquire(Key("confirmShipment"), Lane::kConfirmation, kNever).ok(); });
  EXPECT_TRUE(clock.AwaitSleepers(1, kRealTimeout));
  EXPECT_FALSE(got);
  clock.Advance(std::chrono::nanoseconds{1});
  caller.join();
  EXPECT_TRUE(got);
}

TEST_F(QuotaBrokerTest, MoreUrgentLaneGetsTheNextTokenEvenWhenItCameLater) {
  const BucketKey feeds = Key("createFeed");
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(broker_.Acquire(feeds, Lane::kStock, kNever).ok());
  }
  std::mutex mu;
  std::vector<std::string> order;  // Guarded by mu.
  std::vector<std::jthread> callers;
  callers.reserve(30);
  for (int i = 0; i < 30; ++i) {
    callers.emplace_back([&, i](const std::stop_token& stop) {
      if (broker_.Acquire(feeds, Lane::kStock, kNever, stop).ok()) {
        std::lock_guard lock(mu);
        order.push_back("stock" + std::to_string(i));
      }
    });
  }
  ASSERT_TRUE(clock_.AwaitSleepers(30, kRealTimeout));
  std::jthread urgent([&] {
    if (broker_.Acquire(feeds, Lane::kConfirmation, kNever).ok()) {
      std::lock_guard lock(mu);
      order.emplace_back("fulfilment");
    }
  });
  ASSERT_TRUE(clock_.AwaitSleepers(31, kRealTimeout));
  EXPECT_EQ(broker_.Snapshot(feeds)->waiting, 31);
  // One token every ~120 s: the first goes to the fulfilment feed.
  clock_.Advance(seconds{121});
  urgent.join();
  ASSERT_TRUE(clock_.AwaitSleepers(30, kRealTimeout));
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(order.size(), 1U);
    EXPECT_EQ(order[0], "fulfilment");
  }
  // The stock callers still waiting give up with Cancelled when their threads
  // are stopped and joined.
}

TEST_F(QuotaBrokerTest, SameLaneIsServedInArrivalOrder) {
  const BucketKey key = Key("confirmShipment");
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(broker_.Acquire(key, Lane::kConfirmation, kNever).ok());
  }
  std::mutex mu;
  std::vector<int> order;  // Guarded by mu.
  std::vector<std::jthread> callers;
  callers.reserve(5);
  for (int i = 0; i < 5; ++i) {
    callers.emplace_back([&, i] {
      ASSERT_TRUE(broker_.Acquire(key, Lane::kConfirmation, kNever).ok());
      std::lock_guard lock(mu);
      order.push_back(i);
    });
    ASSERT_TRUE(clock_.AwaitSleepers(i + 1, kRealTimeout));
  }
  for (int served = 1; served <= 5; ++served) {
    clock_.Advance(milliseconds{500});
    ASSERT_TRUE(clock_.AwaitSleepers(5 - served, kRealTimeout));
    // Let the caller that got a token record itself before the next step.
    while (true) {
      std::lock_guard lock(mu);
      if (static_cast<int>(order.size()) == served) {
        break;
      }
    }
  }
  callers.clear();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_F(QuotaBrokerTest, DeadlineEndsTheWaitWithoutTakingAToken) {
  const BucketKey key = Key("createFeed");
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(broker_.Acquire(key, Lane::kFinance, kNever).ok());
  }
  Status result;
  std::jthread caller([&] { result = broker_.Acquire(key, Lane::kFinance, kStart + seconds{30}); });
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));
  clock_.Advance(seconds{30});
  caller.join();
  EXPECT_EQ(result.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CountersOf(broker_, "createFeed").timed_out, 1);
  EXPECT_EQ(broker_.Snapshot(key)->waiting, 0);
}

TEST_F(QuotaBrokerTest, StopCancelsTheWait) {
  const BucketKey key = Key("createFeed");
  for (int i = 0; i < 15; ++i) {
    ASSERT_TRUE(broker_.Acquire(key, Lane::kFinance, kNever).ok());
  }
  std::stop_source stop;
  Status result;
  std::jthread caller(
      [&] { result = broker_.Acquire(key, Lane::kFinance, kNever, stop.get_token()); });
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));
  stop.request_stop();
  caller.join();
  EXPECT_EQ(result.code(), StatusCode::kCancelled);
}

TEST_F(QuotaBrokerTest, FollowsTheRateAmazonReports) {
  const BucketKey key = Key("confirmShipment");
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(broker_.Acquire(key, Lane::kConfirmation, kNever).ok());
  }
  broker_.RecordRateLimit(key, 0.5);
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 0.5);
  EXPECT_EQ(*broker_.EstimateWait(key, Lane::kConfirmation), seconds{2});
  clock_.Advance(seconds{1});
  EXPECT_NEAR(broker_.Snapshot(key)->tokens, 0.5, 1e-9);
  broker_.RecordRateLimit(key, -1);  // Nonsense is ignored.
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 0.5);
}

TEST_F(QuotaBrokerTest, ThrottleEmptiesTheBucket) {
  const BucketKey key = Key("confirmShipment");
  ASSERT_TRUE(broker_.Acquire(key, Lane::kConfirmation, kNever).ok());
  EXPECT_NEAR(broker_.Snapshot(key)->tokens, 9, 1e-9);
  broker_.RecordThrottled(key);
  EXPECT_EQ(broker_.Snapshot(key)->tokens, 0);
  // Amazon has not reported the rate, so the 429 also lowers it: 2 × 0.8.
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 1.6);
  EXPECT_EQ(*broker_.EstimateWait(key, Lane::kConfirmation), milliseconds{625});
  EXPECT_EQ(CountersOf(broker_, "confirmShipment").throttled, 1);
}

TEST_F(QuotaBrokerTest, UnreportedRateSettlesBelowWhatAmazonApplies) {
  const BucketKey key = Key("confirmShipment");
  broker_.RecordThrottled(key);
  broker_.RecordThrottled(key);
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 2 * 0.8 * 0.8);
  // Without 429s it probes upwards, one small step per interval, never past
  // the documented rate.
  clock_.Advance(QuotaBroker::kProbeInterval - seconds{1});
  ASSERT_TRUE(broker_.Acquire(key, Lane::kConfirmation, kNever).ok());
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 1.28);
  clock_.Advance(seconds{1});
  ASSERT_TRUE(broker_.Acquire(key, Lane::kConfirmation, kNever).ok());
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 1.28 * QuotaBroker::kProbeIncrease);
  for (int minute = 0; minute < 120; ++minute) {
    clock_.Advance(QuotaBroker::kProbeInterval);
    ASSERT_TRUE(broker_.Acquire(key, Lane::kConfirmation, kNever).ok());
  }
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 2);
  // However many 429s come, the rate keeps a floor.
  for (int i = 0; i < 100; ++i) {
    broker_.RecordThrottled(key);
  }
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 2 * QuotaBroker::kMinimumShare);
}

TEST_F(QuotaBrokerTest, ReportedRateIsNotLoweredByA429) {
  const BucketKey key = Key("confirmShipment");
  broker_.RecordRateLimit(key, 2);
  broker_.RecordThrottled(key);
  EXPECT_EQ(broker_.Snapshot(key)->tokens, 0);
  EXPECT_DOUBLE_EQ(broker_.Snapshot(key)->rate_per_second, 2);
}

TEST_F(QuotaBrokerTest, UnknownOperationIsNotFound) {
  EXPECT_EQ(broker_.Acquire(Key("frobnicate"), Lane::kStock, kNever).code(), StatusCode::kNotFound);
  EXPECT_FALSE(broker_.EstimateWait(Key("frobnicate"), Lane::kStock).ok());
}

TEST_F(QuotaBrokerTest, BucketsAreSeparatePerSellerAndRegion) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(broker_.Acquire(Key("confirmShipment"), Lane::kConfirmation, kNever).ok());
  }
  EXPECT_TRUE(
      broker_
          .Acquire({"SELLER2", "EU", "Orders v0", "confirmShipment"}, Lane::kConfirmation, kStart)
          .ok());
  EXPECT_TRUE(
      broker_
          .Acquire({"SELLER1", "NA", "Orders v0", "confirmShipment"}, Lane::kConfirmation, kStart)
          .ok());
  EXPECT_EQ(broker_.Acquire(Key("confirmShipment"), Lane::kConfirmation, kStart).code(),
            StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace sellerbridge::amazon
