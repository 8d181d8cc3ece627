#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "amazon/rate_limit_table.h"
#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::amazon {

// Who is asking for quota, most urgent first. When callers of several lanes
// wait on one bucket, the most urgent lane always gets the next token.
enum class Lane {
  kConfirmation = 0,  // Shipment confirmations: late ones cost account health.
  kOrderImport,       // New orders reaching the warehouse.
  kZeroOut,           // Stock going to zero: overselling otherwise.
  kStock,             // Other stock updates.
  kFinance,           // Settlements, backfills, verification read-backs.
};

// "confirmation", "order_import", "zero_out", "stock", "finance".
std::string_view LaneName(Lane lane);

// Amazon limits each operation per selling partner and application, per region.
struct BucketKey {
  std::string seller_id;
  std::string region;     // "EU", "NA", "FE"
  std::string api;        // "Orders v0", as in Amazon's table.
  std::string operation;  // "confirmShipment"

  // Spelled out: clang-tidy 14 misreads a defaulted operator<=>.
  friend bool operator<(const BucketKey& a, const BucketKey& b) {
    return std::tie(a.seller_id, a.region, a.api, a.operation) <
           std::tie(b.seller_id, b.region, b.api, b.operation);
  }
};

// An SP-API operation: its API and name, as Amazon's table names them.
struct OperationName {
  std::string api;
  std::string operation;

  friend bool operator<(const OperationName& a, const OperationName& b) {
    return std::tie(a.api, a.operation) < std::tie(b.api, b.operation);
  }
};

// Figures per operation, for metrics.
struct OperationCounters {
  std::int64_t calls = 0;      // Tokens asked for.
  std::int64_t granted = 0;    // Tokens handed out.
  std::int64_t waits = 0;      // Calls that had to wait.
  std::int64_t throttled = 0;  // 429s reported.
  std::int64_t timed_out = 0;  // Calls whose deadline passed first.
  Duration total_wait{};
};

// The state of one bucket, for the quota status page and tests.
struct BucketSnapshot {
  double tokens = 0;
  double rate_per_second = 0;
  int burst = 0;
  int waiting = 0;
};

// Every call to Amazon passes here first. Keeps a token bucket per seller ×
// region × operation, seeded from Amazon's documented table, adjusted to the
// rate Amazon reports in x-amzn-RateLimit-Limit, and emptied when Amazon
// answers 429. Callers wait for a token, up to a deadline, instead of failing;
// waiting callers are served by lane (most urgent first), then in arrival
// order. Time is the Clock's, so a VirtualClock runs it in tests. Thread-safe.
class QuotaBroker {
 public:
  // `clock` must outlive the broker. `limits` gives each operation's documented
  // rate and burst (usually DocumentedRateLimits()); where one operation name
  // has two limits, the stricter applies.
  QuotaBroker(Clock* clock, const std::vector<OperationLimit>& limits);

  QuotaBroker(const QuotaBroker&) = delete;
  QuotaBroker& operator=(const QuotaBroker&) = delete;

  // Takes one token from `key`'s bucket for a call in `lane`, waiting until
  // the bucket has a token and no more urgent (or earlier, same-lane) caller
  // waits for it. Returns DeadlineExceeded if `deadline` comes first and
  // Cancelled if `stop` is requested first (no token is taken either way), and
  // NotFound for an operation with no known limit.
  Status Acquire(const BucketKey& key, Lane lane, TimePoint deadline,
                 const std::stop_token& stop = {});

  // After a 429 on a bucket whose rate Amazon does not report, the rate is
  // multiplied by this, down to kMinimumShare of the documented rate.
  static constexpr double kThrottledDecrease = 0.8;
  static constexpr double kMinimumShare = 0.01;
  // Such a bucket then probes back towards the documented rate: kProbeIncrease
  // more every kProbeInterval without a 429.
  static constexpr double kProbeIncrease = 1.02;
  static constexpr Duration kProbeInterval = std::chrono::minutes{1};

  // Follows the rate Amazon reports for `key` (x-amzn-RateLimit-Limit): from
  // then on the reported rate is the bucket's rate, and 429s no longer lower
  // it. Ignores values that are not positive.
  void RecordRateLimit(const BucketKey& key, double rate_per_second);

  // Records a 429: Amazon's bucket is empty, so ours is emptied too, and the
  // next call waits for a full token's refill. When Amazon has not reported
  // the bucket's rate, the 429 also shows that the real rate is below ours
  // (Amazon may apply less than its table says), so the rate goes down by
  // kThrottledDecrease and then probes upwards slowly, settling just under
  // the rate Amazon really applies.
  void RecordThrottled(const BucketKey& key);

  // How long a call in `lane` asked now would wait, given the tokens and the
  // callers already waiting in that lane or more urgent ones. Zero when a
  // token is free. NotFound for an unknown operation.
  Result<Duration> EstimateWait(const BucketKey& key, Lane lane) const;

  // Counters per operation, summed over sellers and regions.
  std::map<OperationName, OperationCounters> Counters() const;

  // The bucket of `key`, if it has been used.
  std::optional<BucketSnapshot> Snapshot(const BucketKey& key) const;

 private:
  struct Waiter;
  struct Bucket {
    double tokens = 0;
    double rate = 0;
    double documented_rate = 0;
    int burst = 0;
    bool rate_reported = false;  // Amazon said the rate: 429s no longer adjust it.
    TimePoint refilled_at;
    TimePoint adjusted_at;         // The last 429 decrease or probe increase.
    std::vector<Waiter*> waiting;  // Ordered: lane, then arrival.
  };

  // Creates `key`'s bucket on first use. Null for an unknown operation.
  Bucket* FindOrCreateLocked(const BucketKey& key);
  void RefillLocked(Bucket& bucket, TimePoint now) const;
  static void ProbeLocked(Bucket& bucket, TimePoint now);
  static void WakeAllLocked(Bucket& bucket);

  Clock* const clock_;
  std::map<OperationName, OperationLimit> limits_;  // Immutable.
  mutable std::mutex mu_;
  std::map<BucketKey, Bucket> buckets_;                  // Guarded by mu_.
  std::map<OperationName, OperationCounters> counters_;  // Guarded by mu_.
  std::uint64_t next_sequence_ = 0;                      // Guarded by mu_.
};

}  // namespace sellerbridge::amazon
