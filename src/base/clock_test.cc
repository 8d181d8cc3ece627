#include "base/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sellerbridge {
namespace {

using std::chrono::seconds;

const TimePoint kStart = TimePoint{} + std::chrono::hours{24 * 20000};

TEST(VirtualClockTest, MovesOnlyWhenAdvanced) {
  VirtualClock clock(kStart);
  EXPECT_EQ(clock.Now(), kStart);
  clock.Advance(seconds{90});
  EXPECT_EQ(clock.Now(), kStart + seconds{90});
  clock.AdvanceTo(kStart);  // Never backwards.
  EXPECT_EQ(clock.Now(), kStart + seconds{90});
}

TEST(VirtualClockTest, SleeperWakesWhenDeadlinePasses) {
  VirtualClock clock(kStart);
  std::atomic<bool> woke{false};
  std::jthread sleeper([&](std::stop_token stop) {
    woke = clock.SleepUntil(kStart + seconds{10}, std::move(stop));
  });
  ASSERT_TRUE(clock.AwaitSleepers(1, std::chrono::seconds{10}));
  EXPECT_EQ(clock.NextWakeup(), kStart + seconds{10});
  clock.Advance(seconds{9});
  EXPECT_EQ(clock.Sleepers(), 1);
  clock.Advance(seconds{1});
  EXPECT_EQ(clock.Sleepers(), 0);  // Counted out as soon as the advance passed it.
  sleeper.join();
  EXPECT_TRUE(woke);
}

TEST(VirtualClockTest, StopRequestEndsSleepEarly) {
  VirtualClock clock(kStart);
  std::atomic<bool> result{true};
  std::jthread sleeper([&](std::stop_token stop) {
    result = clock.SleepUntil(kStart + seconds{10}, std::move(stop));
  });
  ASSERT_TRUE(clock.AwaitSleepers(1, std::chrono::seconds{10}));
  sleeper.request_stop();
  sleeper.join();
  EXPECT_FALSE(result);
  EXPECT_EQ(clock.Sleepers(), 0);
}

TEST(VirtualClockTest, PastDeadlineReturnsAtOnce) {
  VirtualClock clock(kStart);
  std::stop_source never;
  EXPECT_TRUE(clock.SleepUntil(kStart - seconds{1}, never.get_token()));
}

TEST(OffsetClockTest, AddsItsOffsetToTheBaseClock) {
  VirtualClock base(kStart);
  OffsetClock clock(&base);
  EXPECT_EQ(clock.Now(), kStart);
  clock.Advance(std::chrono::hours{2});
  clock.Advance(-std::chrono::hours{5});  // Ignored: never backwards.
  base.Advance(seconds{3});
  EXPECT_EQ(clock.Now(), kStart + std::chrono::hours{2} + seconds{3});
  std::stop_source never;
  EXPECT_TRUE(clock.SleepUntil(kStart + std::chrono::hours{1}, never.get_token()));
}

TEST(SystemClockTest, SleepsUntilDeadlineOrStop) {
  SystemClock* clock = SystemClock::Get();
  std::stop_source stop;
  const TimePoint deadline = clock->Now() + std::chrono::milliseconds{5};
  EXPECT_TRUE(clock->SleepUntil(deadline, stop.get_token()));
  EXPECT_GE(clock->Now(), deadline);
  stop.request_stop();
  EXPECT_FALSE(clock->SleepUntil(clock->Now() + std::chrono::hours{1}, stop.get_token()));
}

}  // namespace
}  // namespace sellerbridge
