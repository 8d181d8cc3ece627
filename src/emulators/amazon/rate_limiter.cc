#include "emulators/amazon/rate_limiter.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace sellerbridge::emulators::amazon {

RateLimiter::RateLimiter(std::vector<RateLimit> limits, Clock* clock)
    : clock_(clock), limits_(std::move(limits)) {}

const RateLimit* RateLimiter::FindLocked(std::string_view api, std::string_view operation) const {
  for (const RateLimit& limit : limits_) {
    if (limit.api == api && limit.operation == operation) {
      return &limit;
    }
  }
  return nullptr;
}

RateLimiter::Decision RateLimiter::TryAcquire(std::string_view seller_id, std::string_view api,
                                              std::string_view operation) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  const RateLimit* limit = FindLocked(api, operation);
  if (limit == nullptr) {
    return {.allowed = true, .rate_per_second = 0};
  }
  const std::string key = fmt::format("{}\n{}\n{}", seller_id, api, operation);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    it = buckets_.emplace(key, Bucket{.tokens = static_cast<double>(limit->burst), .updated = now})
             .first;
  }
  Bucket& bucket = it->second;
  if (now > bucket.updated) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens =
        std::min<double>(limit->burst, bucket.tokens + elapsed * limit->rate_per_second);
    bucket.updated = now;
  }
  const bool report = !unreported_.contains(operation);
  // A tiny epsilon keeps a refill of exactly one token from losing to rounding.
  if (bucket.tokens + 1e-9 >= 1) {
    bucket.tokens = std::max(0.0, bucket.tokens - 1);
    return {.allowed = true, .rate_per_second = limit->rate_per_second, .report_rate = report};
  }
  return {.allowed = false, .rate_per_second = limit->rate_per_second, .report_rate = report};
}

bool RateLimiter::Override(std::string_view operation, double rate_per_second, int burst,
                           bool report_rate) {
  std::lock_guard lock(mu_);
  bool found = false;
  for (RateLimit& limit : limits_) {
    if (limit.operation == operation) {
      limit.rate_per_second = rate_per_second;
      limit.burst = burst;
      found = true;
      const std::string suffix = fmt::format("\n{}\n{}", limit.api, limit.operation);
      std::erase_if(buckets_, [&](const auto& entry) { return entry.first.ends_with(suffix); });
    }
  }
  if (found && report_rate) {
    if (const auto it = unreported_.find(operation); it != unreported_.end()) {
      unreported_.erase(it);
    }
  } else if (found) {
    unreported_.emplace(operation);
  }
  return found;
}

std::vector<RateLimit> RateLimiter::Limits() const {
  std::lock_guard lock(mu_);
  return limits_;
}

std::string FormatRate(double rate_per_second) {
  std::string text = fmt::format("{:.4f}", rate_per_second);
  while (!text.empty() && text.back() == '0') {
    text.pop_back();
  }
  if (!text.empty() && text.back() == '.') {
    text.pop_back();
  }
  return text;
}

}  // namespace sellerbridge::emulators::amazon
