#include "amazon/quota_broker.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace sellerbridge::amazon {
namespace {

// A token "arrives" when the bucket holds at least this much, so that
// floating-point dust never makes a caller wait one extra cycle.
constexpr double kWhole = 1.0 - 1e-9;

// Rounded up: a wait truncated to zero would have the caller spin while the
// clock stands still (a VirtualClock only moves when everyone sleeps).
Duration Seconds(double seconds) {
  return std::chrono::ceil<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

struct QuotaBroker::Waiter {
  Lane lane;
  std::uint64_t sequence;
  std::stop_source wake;  // Guarded by mu_; replaced before each sleep.
};

std::string_view LaneName(Lane lane) {
  switch (lane) {
    case Lane::kConfirmation:
      return "confirmation";
    case Lane::kOrderImport:
      return "order_import";
    case Lane::kZeroOut:
      return "zero_out";
    case Lane::kStock:
      return "stock";
    case Lane::kFinance:
      return "finance";
  }
  return "unknown";
}

QuotaBroker::QuotaBroker(Clock* clock, const std::vector<OperationLimit>& limits) : clock_(clock) {
  for (const OperationLimit& limit : limits) {
    // Where Amazon gives one operation name two limits, keep the stricter.
    auto [it, inserted] = limits_.emplace(OperationName{limit.api, limit.operation}, limit);
    if (!inserted && limit.rate_per_second < it->second.rate_per_second) {
      it->second = limit;
    }
  }
}

QuotaBroker::Bucket* QuotaBroker::FindOrCreateLocked(const BucketKey& key) {
  auto it = buckets_.find(key);
  if (it != buckets_.end()) {
    return &it->second;
  }
  const auto limit = limits_.find(OperationName{key.api, key.operation});
  if (limit == limits_.end()) {
    return nullptr;
  }
  Bucket bucket;
  bucket.rate = limit->second.rate_per_second;
  bucket.documented_rate = bucket.rate;
  bucket.burst = limit->second.burst;
  bucket.tokens = bucket.burst;
  bucket.refilled_at = clock_->Now();
  bucket.adjusted_at = bucket.refilled_at;
  return &buckets_.emplace(key, std::move(bucket)).first->second;
}

void QuotaBroker::RefillLocked(Bucket& bucket, TimePoint now) const {
  if (now > bucket.refilled_at) {
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled_at).count();
    bucket.tokens = std::min<double>(bucket.burst, bucket.tokens + elapsed * bucket.rate);
    bucket.refilled_at = now;
  }
}

void QuotaBroker::ProbeLocked(Bucket& bucket, TimePoint now) {
  if (bucket.rate_reported || bucket.rate >= bucket.documented_rate ||
      now - bucket.adjusted_at < kProbeInterval) {
    return;
  }
  bucket.rate = std::min(bucket.documented_rate, bucket.rate * kProbeIncrease);
  bucket.adjusted_at = now;
}

void QuotaBroker::WakeAllLocked(Bucket& bucket) {
  for (Waiter* waiter : bucket.waiting) {
    waiter->wake.request_stop();
  }
}

Status QuotaBroker::Acquire(const BucketKey& key, Lane lane, TimePoint deadline,
                            const std::stop_token& stop) {
  std::unique_lock lock(mu_);
  Bucket* bucket = FindOrCreateLocked(key);
  if (bucket == nullptr) {
    return NotFoundError(
        fmt::format("no rate limit is known for Amazon operation '{}'", key.operation));
  }
  OperationCounters& counters = counters_[OperationName{key.api, key.operation}];
  ++counters.calls;
  Waiter me{lane, next_sequence_++, {}};
  const auto position = std::upper_bound(
      bucket->waiting.begin(), bucket->waiting.end(), &me, [](const Waiter* a, const Waiter* b) {
        return std::tie(a->lane, a->sequence) < std::tie(b->lane, b->sequence);
      });
  bucket->waiting.insert(position, &me);
  const TimePoint started = clock_->Now();
  bool waited = false;
  const auto leave = [&](Status status) {
    bucket->waiting.erase(std::find(bucket->waiting.begin(), bucket->waiting.end(), &me));
    if (waited) {
      ++counters.waits;
      counters.total_wait += clock_->Now() - started;
    }
    WakeAllLocked(*bucket);  // A new caller may now be first in line.
    return status;
  };
  while (true) {
    const TimePoint now = clock_->Now();
    RefillLocked(*bucket, now);
    const bool first = bucket->waiting.front() == &me;
    if (first && bucket->tokens >= kWhole) {
      bucket->tokens = std::max(0.0, bucket->tokens - 1.0);
      ProbeLocked(*bucket, now);
      ++counters.granted;
      return leave(Status::Ok());
    }
    if (stop.stop_requested()) {
      return leave(CancelledError(fmt::format("waiting for {} quota: stopped", key.operation)));
    }
    if (now >= deadline) {
      ++counters.timed_out;
      return leave(DeadlineExceededError(fmt::format("no {} quota for lane {} before the deadline",
                                                     key.operation, LaneName(lane))));
    }
    waited = true;
    TimePoint wake_at = deadline;
    if (first) {
      wake_at = std::min(wake_at, now + Seconds((1.0 - bucket->tokens) / bucket->rate));
    }
    me.wake = std::stop_source();
    std::stop_source wake = me.wake;
    lock.unlock();
    {
      std::stop_callback forward(stop, [wake]() mutable { wake.request_stop(); });
      clock_->SleepUntil(wake_at, wake.get_token());
    }
    lock.lock();
  }
}

void QuotaBroker::RecordRateLimit(const BucketKey& key, double rate_per_second) {
  if (!(rate_per_second > 0) || !std::isfinite(rate_per_second)) {
    return;
  }
  std::lock_guard lock(mu_);
  Bucket* bucket = FindOrCreateLocked(key);
  if (bucket == nullptr) {
    return;
  }
  bucket->rate_reported = true;
  if (bucket->rate == rate_per_second) {
    return;
  }
  RefillLocked(*bucket, clock_->Now());
  bucket->rate = rate_per_second;
  WakeAllLocked(*bucket);
}

void QuotaBroker::RecordThrottled(const BucketKey& key) {
  std::lock_guard lock(mu_);
  ++counters_[OperationName{key.api, key.operation}].throttled;
  Bucket* bucket = FindOrCreateLocked(key);
  if (bucket == nullptr) {
    return;
  }
  const TimePoint now = clock_->Now();
  bucket->tokens = 0;
  bucket->refilled_at = now;
  if (!bucket->rate_reported) {
    bucket->rate =
        std::max(bucket->documented_rate * kMinimumShare, bucket->rate * kThrottledDecrease);
    bucket->adjusted_at = now;
  }
  WakeAllLocked(*bucket);
}

Result<Duration> QuotaBroker::EstimateWait(const BucketKey& key, Lane lane) const {
  std::lock_guard lock(mu_);
  const auto limit = limits_.find(OperationName{key.api, key.operation});
  if (limit == limits_.end()) {
    return NotFoundError(
        fmt::format("no rate limit is known for Amazon operation '{}'", key.operation));
  }
  double tokens = limit->second.burst;
  double rate = limit->second.rate_per_second;
  int ahead = 0;
  const auto it = buckets_.find(key);
  if (it != buckets_.end()) {
    Bucket copy = it->second;
    RefillLocked(copy, clock_->Now());
    tokens = copy.tokens;
    rate = copy.rate;
    ahead = static_cast<int>(std::count_if(copy.waiting.begin(), copy.waiting.end(),
                                           [lane](const Waiter* w) { return w->lane <= lane; }));
  }
  const double needed = ahead + 1.0 - tokens;
  return needed <= 1.0 - kWhole ? Duration::zero() : Seconds(needed / rate);
}

std::map<OperationName, OperationCounters> QuotaBroker::Counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

std::optional<BucketSnapshot> QuotaBroker::Snapshot(const BucketKey& key) const {
  std::lock_guard lock(mu_);
  const auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    return std::nullopt;
  }
  Bucket copy = it->second;
  RefillLocked(copy, clock_->Now());
  return BucketSnapshot{copy.tokens, copy.rate, copy.burst, static_cast<int>(copy.waiting.size())};
}

}  // namespace sellerbridge::amazon
