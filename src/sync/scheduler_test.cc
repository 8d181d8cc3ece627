#include "sync/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <semaphore>

namespace sellerbridge::sync {
namespace {

using std::chrono::seconds;

constexpr auto kRealTimeout = std::chrono::seconds{20};
const TimePoint kStart = TimePoint{} + std::chrono::hours{24 * 20000};

class SchedulerTest : public ::testing::Test {
 protected:
  // Advances the virtual clock one second at a time, letting `sleepers` jobs
  // finish whatever became due before the next step.
  void AdvanceSeconds(int n, int sleepers) {
    for (int i = 0; i < n; ++i) {
      clock_.Advance(seconds{1});
      ASSERT_TRUE(clock_.AwaitSleepers(sleepers, kRealTimeout));
    }
  }

  VirtualClock clock_{kStart};
  Scheduler scheduler_{&clock_};
};

JobSpec Counting(std::string name, Duration cadence, std::atomic<int>& runs) {
  return {std::move(name), cadence, [&runs](const JobContext&) {
            ++runs;
            return Status::Ok();
          }};
}

TEST_F(SchedulerTest, RunsEachJobOnItsOwnCadence) {
  std::atomic<int> fast{0};
  std::atomic<int> slow{0};
  ASSERT_TRUE(scheduler_.AddJob(Counting("fast", seconds{10}, fast)).ok());
  ASSERT_TRUE(scheduler_.AddJob(Counting("slow", seconds{25}, slow)).ok());
  scheduler_.Start();
  ASSERT_TRUE(clock_.AwaitSleepers(2, kRealTimeout));
  AdvanceSeconds(100, 2);
  EXPECT_EQ(fast, 11);  // At 0, 10, ..., 100.
  EXPECT_EQ(slow, 5);   // At 0, 25, 50, 75, 100.
  scheduler_.Stop();
}

TEST_F(SchedulerTest, SlowJobNeverDelaysAnother) {
  std::atomic<int> fast{0};
  std::latch release(1);
  std::binary_semaphore slow_entered{0};
  ASSERT_TRUE(scheduler_.AddJob(Counting("fast", seconds{1}, fast)).ok());
  ASSERT_TRUE(scheduler_
                  .AddJob({"stuck", seconds{1},
                           [&](const JobContext&) {
                             slow_entered.release();
                             release.wait();
                             return Status::Ok();
                           }})
                  .ok());
  scheduler_.Start();
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));  // Only "fast" can sleep.
  AdvanceSeconds(30, 1);
  // The stuck job's thread may be scheduled late on a loaded machine; what
  // matters is that it is stuck while "fast" kept its cadence.
  EXPECT_TRUE(slow_entered.try_acquire_for(kRealTimeout));
  EXPECT_EQ(fast, 31);
  release.count_down();
  scheduler_.Stop();
}

TEST_F(SchedulerTest, ReportsFailuresAndKeepsRunning) {
  std::atomic<int> attempts{0};
  std::mutex mu;
  std::vector<JobRun> reports;
  ASSERT_TRUE(scheduler_
                  .AddJob({"flaky", seconds{5},
                           [&](const JobContext&) -> Status {
                             if (++attempts <= 2) {
                               return UnavailableError("clarus 503");
                             }
                             clock_.Advance(seconds{2});  // The run takes two seconds.
                             return Status::Ok();
                           }})
                  .ok());
  ASSERT_TRUE(scheduler_
                  .AddJob({"thrower", seconds{5},
                           [](const JobContext&) -> Status { throw std::runtime_error("boom"); }})
                  .ok());
  scheduler_.SetRunListener([&](const JobRun& run) {
    std::lock_guard lock(mu);
    reports.push_back(run);
  });
  scheduler_.Start();
  ASSERT_TRUE(clock_.AwaitSleepers(2, kRealTimeout));
  AdvanceSeconds(10, 2);
  scheduler_.Stop();

  const auto stats = scheduler_.Stats();
  ASSERT_EQ(stats.size(), 2U);
  EXPECT_EQ(stats[0].name, "flaky");
  EXPECT_EQ(stats[0].runs, 3);
  EXPECT_EQ(stats[0].failures, 2);
  EXPECT_EQ(stats[0].consecutive_failures, 0);
  EXPECT_TRUE(stats[0].last_success.has_value());
  EXPECT_EQ(stats[0].last_duration, seconds{2});
  EXPECT_GE(stats[1].runs, 2);
  EXPECT_EQ(stats[1].failures, stats[1].runs);
  EXPECT_EQ(stats[1].last_status.code(), StatusCode::kInternal);
  EXPECT_NE(stats[1].last_status.message().find("boom"), std::string::npos);

  std::lock_guard lock(mu);
  EXPECT_EQ(reports.size(), static_cast<size_t>(stats[0].runs + stats[1].runs));
  EXPECT_EQ(reports.front().status.code() == StatusCode::kOk, false);
}

TEST_F(SchedulerTest, StopLetsTheRunInHandFinish) {
  std::latch entered(1);
  std::atomic<bool> finished{false};
  std::atomic<bool> saw_stop{false};
  std::mutex mu;
  std::condition_variable_any cv;
  ASSERT_TRUE(scheduler_
                  .AddJob({"writer", seconds{60},
                           [&](const JobContext& ctx) {
                             entered.count_down();
                             std::unique_lock lock(mu);
                             cv.wait(lock, ctx.stop, [] { return false; });
                             saw_stop = ctx.stop.stop_requested();
                             finished = true;
                             return Status::Ok();
                           }})
                  .ok());
  scheduler_.Start();
  entered.wait();
  scheduler_.Stop();
  EXPECT_TRUE(finished);
  EXPECT_TRUE(saw_stop);
  EXPECT_EQ(scheduler_.Stats()[0].runs, 1);
}

TEST_F(SchedulerTest, TriggerRunsAJobBeforeItsCadence) {
  std::mutex mu;
  std::condition_variable cv;
  int runs = 0;  // Guarded by mu.
  ASSERT_TRUE(scheduler_
                  .AddJob({"sweep", seconds{30},
                           [&](const JobContext&) {
                             std::lock_guard lock(mu);
                             ++runs;
                             cv.notify_all();
                             return Status::Ok();
                           }})
                  .ok());
  scheduler_.Start();
  ASSERT_TRUE(clock_.AwaitSleepers(1, kRealTimeout));
  ASSERT_TRUE(scheduler_.Trigger("sweep").ok());
  {
    // The triggered run happens without the clock moving.
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kRealTimeout, [&] { return runs == 2; }));
  }
  EXPECT_EQ(clock_.Now(), kStart);
  EXPECT_EQ(scheduler_.Trigger("nope").code(), StatusCode::kNotFound);
  scheduler_.Stop();
  EXPECT_EQ(scheduler_.Stats()[0].runs, 2);
}

TEST_F(SchedulerTest, RejectsBadJobs) {
  std::atomic<int> runs{0};
  EXPECT_EQ(scheduler_.AddJob(Counting("Bad Name", seconds{1}, runs)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(scheduler_.AddJob(Counting("zero", Duration::zero(), runs)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(scheduler_.AddJob({"nofn", seconds{1}, nullptr}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(scheduler_.AddJob(Counting("once", seconds{1}, runs)).ok());
  EXPECT_EQ(scheduler_.AddJob(Counting("once", seconds{1}, runs)).code(),
            StatusCode::kAlreadyExists);
  scheduler_.Start();
  EXPECT_EQ(scheduler_.AddJob(Counting("late", seconds{1}, runs)).code(),
            StatusCode::kFailedPrecondition);
  scheduler_.Stop();
}

}  // namespace
}  // namespace sellerbridge::sync
