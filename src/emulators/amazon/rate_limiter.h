#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "emulators/amazon/formats/rate_limits.h"

namespace sellerbridge::emulators::amazon {

// Amazon's usage plans: one token bucket per selling partner × operation,
// refilled at `rate` tokens per second of the emulator clock up to `burst`;
// each call takes a token and an empty bucket means 429. Thread-safe.
class RateLimiter {
 public:
  // `limits` are the documented rates (DefaultRateLimits()); `clock` must
  // outlive the limiter.
  RateLimiter(std::vector<RateLimit> limits, Clock* clock);

  struct Decision {
    bool allowed = false;
    double rate_per_second = 0;  // The limit in force, for x-amzn-RateLimit-Limit.
    bool report_rate = true;     // False: answer without x-amzn-RateLimit-Limit.
  };

  // Takes a token for `seller_id` calling `api`/`operation` (as in
  // RATE-LIMITS.tsv). Operations missing from the table are not limited.
  Decision TryAcquire(std::string_view seller_id, std::string_view api, std::string_view operation);

  // Replaces rate and burst of every API's `operation` (for every seller);
  // the buckets start full at the new burst. With `report_rate` false the
  // answers leave x-amzn-RateLimit-Limit out, as Amazon may ("when
  // available"), so a client has to find the rate from its 429s. False if no
  // API has the operation.
  bool Override(std::string_view operation, double rate_per_second, int burst,
                bool report_rate = true);

  // The limits in force, overrides applied.
  std::vector<RateLimit> Limits() const;

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint updated;
  };

  const RateLimit* FindLocked(std::string_view api, std::string_view operation) const;

  Clock* const clock_;
  mutable std::mutex mu_;
  std::vector<RateLimit> limits_;                       // Guarded by mu_.
  std::set<std::string, std::less<>> unreported_;       // Guarded by mu_. Operations.
  std::map<std::string, Bucket, std::less<>> buckets_;  // Guarded by mu_.
};

// Formats a rate as the x-amzn-RateLimit-Limit header does ("0.0167", "2").
std::string FormatRate(double rate_per_second);

}  // namespace sellerbridge::emulators::amazon
