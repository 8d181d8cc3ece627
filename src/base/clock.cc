#include "base/clock.h"

#include <algorithm>

namespace sellerbridge {

TimePoint SystemClock::Now() const { return std::chrono::system_clock::now(); }

bool SystemClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  // The predicate is only ever true on a stop request; the wait ends at the
  // deadline otherwise.
  cv.wait_until(lock, stop, deadline, [] { return false; });
  return !stop.stop_requested() && Now() >= deadline;
}

SystemClock* SystemClock::Get() {
  static SystemClock clock;
  return &clock;
}

TimePoint OffsetClock::Now() const { return base_->Now() + Duration{offset_.load()}; }

bool OffsetClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  // Sleep in short slices on the base clock so that an Advance shortens the
  // wait.
  constexpr auto kSlice = std::chrono::milliseconds{50};
  while (Now() < deadline) {
    const Duration remaining = deadline - Now();
    const Duration slice = std::min<Duration>(remaining, kSlice);
    if (!base_->SleepUntil(base_->Now() + slice, stop)) {
      return false;
    }
  }
  return true;
}

void OffsetClock::Advance(Duration by) {
  if (by > Duration::zero()) {
    offset_ += by.count();
  }
}

VirtualClock::VirtualClock(TimePoint start) : now_(start) {}

TimePoint VirtualClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

bool VirtualClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  std::unique_lock lock(mu_);
  if (now_ >= deadline) {
    return true;
  }
  const std::uint64_t id = next_sleeper_id_++;
  sleeping_.emplace(deadline, id);
  cv_.notify_all();  // AwaitSleepers may be waiting for this thread.
  const auto is_mine = [id](const auto& entry) { return entry.second == id; };
  const bool woken = cv_.wait(
      lock, stop, [&] { return std::none_of(sleeping_.begin(), sleeping_.end(), is_mine); });
  if (!woken) {
    auto it = std::find_if(sleeping_.begin(), sleeping_.end(), is_mine);
    if (it != sleeping_.end()) {
      sleeping_.erase(it);
    }
    cv_.notify_all();
    return false;
  }
  return true;
}

void VirtualClock::Advance(Duration by) {
  std::lock_guard lock(mu_);
  if (by > Duration::zero()) {
    now_ += by;
  }
  WakeDueLocked();
}

void VirtualClock::AdvanceTo(TimePoint to) {
  std::lock_guard lock(mu_);
  now_ = std::max(now_, to);
  WakeDueLocked();
}

void VirtualClock::WakeDueLocked() {
  sleeping_.erase(sleeping_.begin(), sleeping_.upper_bound(now_));
  cv_.notify_all();
}

std::optional<TimePoint> VirtualClock::NextWakeup() const {
  std::lock_guard lock(mu_);
  if (sleeping_.empty()) {
    return std::nullopt;
  }
  return sleeping_.begin()->first;
}

bool VirtualClock::AwaitSleepers(int count, std::chrono::milliseconds real_timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, real_timeout,
                      [&] { return static_cast<int>(sleeping_.size()) >= count; });
}

int VirtualClock::Sleepers() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(sleeping_.size());
}

}  // namespace sellerbridge
