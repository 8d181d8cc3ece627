#include "http/backoff.h"

#include <algorithm>

namespace sellerbridge::http {

Duration Backoff::Before(int attempt) {
  if (attempt <= 1) {
    return Duration::zero();
  }
  Duration ceiling = initial_;
  for (int i = 2; i < attempt && ceiling < max_; ++i) {
    ceiling *= 2;
  }
  ceiling = std::min(ceiling, max_);
  std::lock_guard lock(mu_);
  std::uniform_int_distribution<Duration::rep> jitter(ceiling.count() / 2, ceiling.count());
  return Duration{jitter(rng_)};
}

}  // namespace sellerbridge::http
