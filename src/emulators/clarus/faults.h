#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/clarus/scenario.h"

namespace sellerbridge::emulators::clarus {

enum class FaultKind {
  kRateLimited,   // 429 with Retry-After.
  kServerError,   // A 5xx (503 unless told).
  kSlow,          // The answer comes after a real-time delay.
  kExpiredToken,  // The caller's token expires now: 401.
  kSessionEnded,  // The API user's session ends (every token revoked): 401.
  kResponseLost,  // A write commits, then its answer never comes in time.
};

// "rate_limited", "server_error", "slow", "expired_token", "session_ended",
// "response_lost".
std::string_view FaultKindName(FaultKind kind);
Result<FaultKind> ParseFaultKind(std::string_view name);

// One fault to inject, matching requests by method and path prefix (empty:
// any).
struct FaultSpec {
  FaultKind kind = FaultKind::kServerError;
  int count = 1;  // How many matching requests it hits.
  std::string method;
  std::string path_prefix;
  int status = 503;                                 // kServerError.
  Duration retry_after = std::chrono::seconds{30};  // kRateLimited.
  std::chrono::milliseconds delay{2000};            // kSlow; kResponseLost's stall.
};

// Decides which requests of the Clarus API fail, and how: first injected
// faults in order, then the scenario's rates drawn from the seed. Stall()
// and Delay() wait in real time, because a client's timeout is real time;
// Stop() cuts every wait short. Thread-safe.
class FaultInjector {
 public:
  FaultInjector(FaultRates rates, std::uint64_t seed);

  void Inject(FaultSpec spec);
  // Forgets injected faults and sets every rate to zero.
  void Clear();
  void SetRates(FaultRates rates);

  // The fault for this request, if any. kResponseLost only hits writes
  // (`is_write`); other requests pass it by.
  std::optional<FaultSpec> Next(std::string_view method, std::string_view path, bool is_write);

  // Waits `how_long` of real time, or until Stop().
  void Wait(std::chrono::milliseconds how_long);

  // Ends current and future waits at once.
  void Stop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  FaultRates rates_;             // Guarded by mu_.
  std::deque<FaultSpec> queue_;  // Guarded by mu_.
  std::mt19937_64 rng_;          // Guarded by mu_.
  bool stopped_ = false;         // Guarded by mu_.
};

}  // namespace sellerbridge::emulators::clarus
