#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "config/config.h"
#include "store/store.h"
#include "sync/scheduler.h"

namespace sellerbridge::sync {

// What the daemon has done since it started, for `demo`'s summary and for
// operators. Later flows add their figures here.
struct DaemonSummary {
  TimePoint started;
  Duration uptime{};
  std::vector<JobStats> jobs;
  std::int64_t buyer_records_purged = 0;
  std::map<std::string, std::int64_t> store_counts;  // "orders", "outbox_pending", ...
};

// The running sellerbridge: every flow registered as a scheduler job on its
// configured cadence, sharing one store. Thread-safe.
class Daemon {
 public:
  // `store` and `clock` must outlive the daemon.
  Daemon(config::Config config, store::Store* store, Clock* clock);
  ~Daemon();

  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Registers the jobs and starts them. FailedPrecondition if already started.
  Status Start();

  // Lets every job finish the unit of work in hand, then stops them.
  // Idempotent.
  void Stop();

  // A snapshot of what has flowed so far.
  Result<DaemonSummary> Summary() const;

  // The scheduler, for triggering jobs on a hint (webhooks) and for tests.
  Scheduler& JobScheduler() { return scheduler_; }

 private:
  // Removes buyer personal data kept longer than the retention period.
  Status PurgeExpiredBuyerData(const JobContext& context);

  const config::Config config_;
  store::Store* const store_;
  Clock* const clock_;
  Scheduler scheduler_;
  TimePoint started_;
  std::atomic<std::int64_t> buyer_records_purged_{0};
  bool running_ = false;
};

}  // namespace sellerbridge::sync
