#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "emulators/amazon/scenario.h"

namespace sellerbridge::emulators::amazon {

// What to do to one API call before, or instead of, serving it.
struct FaultDecision {
  int server_error = 0;                            // 500 or 503: answer this instead of serving.
  bool throttle = false;                           // Answer 429 whatever the bucket holds.
  std::optional<std::chrono::milliseconds> delay;  // Serve, then hold the answer this long.
  bool silent_drop = false;                        // confirmShipment: answer 204 without applying.
};

// Faults on demand: per-operation 5xx, timeouts and silent drops at a rate,
// throttling storms and LWA outages for a period of the emulator clock.
// Random draws come from a seeded generator, so a run repeats. Thread-safe.
class Faults {
 public:
  Faults(const std::map<std::string, OperationFaults>& per_operation, std::uint64_t seed,
         Clock* clock);

  // Draws the faults for one call of `operation`.
  FaultDecision Decide(std::string_view operation);

  // Draws whether a feed of `feed_type` created now sticks IN_PROGRESS for
  // good, at the stuck_feed_rate of the feed type's entry, else createFeed's,
  // else "*"'s.
  bool StickFeed(std::string_view feed_type);

  // Whether the LWA token endpoint is down now.
  bool LwaDown() const;

  // Replaces one operation's rates ("*" applies to every operation without
  // its own entry).
  void SetOperation(const std::string& operation, const OperationFaults& faults);
  // Throttles `operation` ("*" for all) until `until`.
  void StartThrottlingStorm(const std::string& operation, TimePoint until);
  // Takes the LWA endpoint down until `until`.
  void StartLwaOutage(TimePoint until);
  // Removes every fault.
  void Clear();

  struct Snapshot {
    std::map<std::string, OperationFaults> per_operation;
    std::map<std::string, TimePoint> storms;
    std::optional<TimePoint> lwa_outage_until;
  };
  Snapshot Get() const;

 private:
  Clock* const clock_;
  mutable std::mutex mu_;
  std::map<std::string, OperationFaults, std::less<>> per_operation_;  // Guarded by mu_.
  std::map<std::string, TimePoint, std::less<>> storms_;               // Guarded by mu_.
  std::optional<TimePoint> lwa_outage_until_;                          // Guarded by mu_.
  std::mt19937_64 rng_;                                                // Guarded by mu_.
};

}  // namespace sellerbridge::emulators::amazon
