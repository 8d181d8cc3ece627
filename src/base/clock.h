#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>

namespace sellerbridge {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;

// All time in sellerbridge goes through a Clock, so that tests and simulations
// can run a day of work in seconds on a VirtualClock.
class Clock {
 public:
  virtual ~Clock() = default;

  // The current time (UTC).
  virtual TimePoint Now() const = 0;

  // Blocks until Now() >= deadline or a stop is requested through `stop`.
  // Returns true if the deadline was reached, false if stopped first.
  // Thread-safe.
  virtual bool SleepUntil(TimePoint deadline, std::stop_token stop) = 0;
};

// The wall clock. Thread-safe; one instance may be shared by everything.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;

  // A process-wide instance.
  static SystemClock* Get();
};

// An adjustable clock: another clock plus an offset that only grows. Lets a
// standalone emulator "advance time" on request while still ticking in real
// time. Thread-safe.
class OffsetClock final : public Clock {
 public:
  // `base` must outlive this clock.
  explicit OffsetClock(Clock* base) : base_(base) {}

  TimePoint Now() const override;
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;

  // Moves this clock forward by `by` (ignored unless positive). Sleepers
  // notice at their next check, within 50 ms of real time.
  void Advance(Duration by);

 private:
  Clock* const base_;
  std::atomic<Duration::rep> offset_{0};
};

// A clock that moves only when a test advances it. Threads sleeping on it wake
// when an advance passes their deadline. Thread-safe.
class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(TimePoint start);

  TimePoint Now() const override;
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;

  // Moves time forward by `by` (or to `to`; never backwards) and wakes every
  // sleeper whose deadline has been reached. Those sleepers stop counting as
  // asleep before this returns, so AwaitSleepers afterwards sees only threads
  // that went back to sleep.
  void Advance(Duration by);
  void AdvanceTo(TimePoint to);

  // The earliest deadline among sleeping threads, if any sleep.
  std::optional<TimePoint> NextWakeup() const;

  // Blocks, for at most `real_timeout` of wall time, until at least `count`
  // threads are asleep on this clock. Returns whether that happened. Tests use
  // it to wait for work to settle instead of sleeping.
  bool AwaitSleepers(int count, std::chrono::milliseconds real_timeout) const;

  // The number of threads asleep on this clock now.
  int Sleepers() const;

 private:
  void WakeDueLocked();

  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  TimePoint now_;                                     // Guarded by mu_.
  std::multimap<TimePoint, std::uint64_t> sleeping_;  // Guarded by mu_. Deadline → sleeper id.
  std::uint64_t next_sleeper_id_ = 0;                 // Guarded by mu_.
};

}  // namespace sellerbridge
