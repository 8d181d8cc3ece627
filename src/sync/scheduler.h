#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::sync {

// What a job sees while it runs.
struct JobContext {
  std::string_view name;
  TimePoint started;
  // Set when the scheduler stops: finish the unit of work in hand and return.
  std::stop_token stop;
};

// One unit of a job's work. Returns its outcome; a job never throws (an
// exception is caught, reported as Internal, and the job runs again at its
// next cadence).
using JobFn = std::function<Status(const JobContext&)>;

struct JobSpec {
  std::string name;  // Unique; [a-z0-9_]+.
  Duration cadence;  // From the start of one run to the start of the next.
  JobFn run;
  // Delay before the first run; zero runs the job as soon as it starts.
  Duration initial_delay = Duration::zero();
};

// The report of one run.
struct JobRun {
  std::string job;
  TimePoint started;
  Duration duration;  // On the scheduler's clock.
  Status status;
};

// What the scheduler knows of one job.
struct JobStats {
  std::string name;
  Duration cadence{};
  std::int64_t runs = 0;
  std::int64_t failures = 0;
  std::int64_t consecutive_failures = 0;
  std::optional<TimePoint> last_started;
  std::optional<TimePoint> last_success;
  Duration last_duration{};
  Status last_status;
};

// Runs named jobs, each on its own cadence and its own thread, on a Clock. A
// job's failure or slowness never delays another: each thread sleeps on the
// clock until its next run, and a run that overruns its cadence starts the
// next one at once rather than piling up. On a VirtualClock the whole thing
// runs without sleeping in real time. Thread-safe.
class Scheduler {
 public:
  // `clock` must outlive the scheduler.
  explicit Scheduler(Clock* clock);
  ~Scheduler();

  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a job; only before Start. Returns InvalidArgument for a bad name,
  // a cadence that is not positive or a missing function, AlreadyExists for a
  // repeated name and FailedPrecondition once started.
  Status AddJob(JobSpec spec);

  // Called after every run, on the job's thread. Set before Start.
  void SetRunListener(std::function<void(const JobRun&)> listener);

  // Starts one thread per job.
  void Start();

  // Asks every job to stop, lets each finish the run in hand, and joins the
  // threads. Idempotent.
  void Stop();

  // Wakes `name` to run now instead of at its next cadence (e.g. on a webhook
  // hint). Returns NotFound for an unknown job.
  Status Trigger(std::string_view name);

  // A snapshot of every job's figures, in the order added.
  std::vector<JobStats> Stats() const;

 private:
  struct Job;

  void RunLoop(Job& job, const std::stop_token& stop);

  Clock* const clock_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Job>> jobs_;       // Guarded by mu_ until Start.
  std::function<void(const JobRun&)> listener_;  // Set before Start.
  bool started_ = false;                         // Guarded by mu_.
  std::vector<std::jthread> threads_;            // Guarded by mu_.
};

}  // namespace sellerbridge::sync
