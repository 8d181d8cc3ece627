#pragma once

#include <cstdint>
#include <mutex>
#include <random>

#include "base/clock.h"

namespace sellerbridge::http {

// Bounded exponential backoff with jitter, shared by the connectors: the
// wait before attempt n (2, 3, …) is drawn uniformly from [c/2, c], where c
// is `initial` doubled n-2 times and capped at `max`. Half the ceiling is
// kept as a floor so that a retry never comes back at once, the other half is
// random so that callers throttled together do not return together. The
// draws come from `seed`, so a run repeats. Thread-safe.
class Backoff {
 public:
  Backoff(Duration initial, Duration max, std::uint64_t seed)
      : initial_(initial), max_(max), rng_(seed) {}

  // The wait before attempt `attempt` (attempt 1 waits nothing).
  Duration Before(int attempt);

 private:
  const Duration initial_;
  const Duration max_;
  std::mutex mu_;
  std::mt19937_64 rng_;  // Guarded by mu_.
};

}  // namespace sellerbridge::http
