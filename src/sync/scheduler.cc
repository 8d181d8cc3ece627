#include "sync/scheduler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "base/time_format.h"

namespace sellerbridge::sync {

struct Scheduler::Job {
  JobSpec spec;
  mutable std::mutex mu;
  JobStats stats;          // Guarded by mu.
  std::stop_source wake;   // Guarded by mu. Replaced before each sleep.
  bool triggered = false;  // Guarded by mu.
};

namespace {

bool IsJobName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

Scheduler::Scheduler(Clock* clock) : clock_(clock) {}

Scheduler::~Scheduler() { Stop(); }

Status Scheduler::AddJob(JobSpec spec) {
  if (!IsJobName(spec.name)) {
    return InvalidArgumentError(
        fmt::format("job name '{}' must be lower-case letters, digits and _", spec.name));
  }
  if (spec.cadence <= Duration::zero()) {
    return InvalidArgumentError(fmt::format("job {}: cadence must be positive", spec.name));
  }
  if (!spec.run) {
    return InvalidArgumentError(fmt::format("job {}: no function to run", spec.name));
  }
  std::lock_guard lock(mu_);
  if (started_) {
    return FailedPreconditionError(fmt::format("job {}: the scheduler has started", spec.name));
  }
  for (const auto& job : jobs_) {
    if (job->spec.name == spec.name) {
      return AlreadyExistsError(fmt::format("job {} is already scheduled", spec.name));
    }
  }
  auto job = std::make_unique<Job>();
  job->stats.name = spec.name;
  job->stats.cadence = spec.cadence;
  job->spec = std::move(spec);
  jobs_.push_back(std::move(job));
  return Status::Ok();
}

void Scheduler::SetRunListener(std::function<void(const JobRun&)> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void Scheduler::Start() {
  std::lock_guard lock(mu_);
  if (started_) {
    return;
  }
  started_ = true;
  for (auto& job : jobs_) {
    Job* raw = job.get();
    threads_.emplace_back([this, raw](const std::stop_token& stop) { RunLoop(*raw, stop); });
  }
}

void Scheduler::Stop() {
  std::vector<std::jthread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& thread : threads) {
    thread.request_stop();
  }
  // jthread joins on destruction, after each job finished its run in hand.
}

Status Scheduler::Trigger(std::string_view name) {
  std::lock_guard lock(mu_);
  for (auto& job : jobs_) {
    if (job->spec.name == name) {
      std::lock_guard job_lock(job->mu);
      job->triggered = true;
      job->wake.request_stop();
      return Status::Ok();
    }
  }
  return NotFoundError(fmt::format("no job named '{}'", name));
}

std::vector<JobStats> Scheduler::Stats() const {
  std::lock_guard lock(mu_);
  std::vector<JobStats> stats;
  stats.reserve(jobs_.size());
  for (const auto& job : jobs_) {
    std::lock_guard job_lock(job->mu);
    stats.push_back(job->stats);
  }
  return stats;
}

void Scheduler::RunLoop(Job& job, const std::stop_token& stop) {
  TimePoint next = clock_->Now() + job.spec.initial_delay;
  while (!stop.stop_requested()) {
    std::stop_source wake;
    {
      std::lock_guard lock(job.mu);
      if (job.triggered) {
        job.triggered = false;
        next = clock_->Now();
      }
      job.wake = wake;
    }
    // Either the scheduler's stop or a Trigger ends the sleep early.
    std::stop_callback forward(stop, [wake]() mutable { wake.request_stop(); });
    clock_->SleepUntil(next, wake.get_token());
    if (stop.stop_requested()) {
      break;
    }
    {
      std::lock_guard lock(job.mu);
      if (job.triggered) {
        job.triggered = false;
      } else if (clock_->Now() < next) {
        continue;
      }
    }
    const TimePoint started = clock_->Now();
    Status status;
    try {
      status = job.spec.run(JobContext{job.spec.name, started, stop});
    } catch (const std::exception& e) {
      status = InternalError(fmt::format("job {} threw: {}", job.spec.name, e.what()));
    } catch (...) {
      status = InternalError(fmt::format("job {} threw a non-standard exception", job.spec.name));
    }
    const TimePoint finished = clock_->Now();
    const JobRun run{job.spec.name, started, finished - started, status};
    {
      std::lock_guard lock(job.mu);
      JobStats& stats = job.stats;
      ++stats.runs;
      stats.last_started = started;
      stats.last_duration = run.duration;
      stats.last_status = status;
      if (status.ok()) {
        stats.last_success = finished;
        stats.consecutive_failures = 0;
      } else {
        ++stats.failures;
        ++stats.consecutive_failures;
      }
    }
    if (!status.ok()) {
      spdlog::warn("job {} failed after {}: {}", job.spec.name, FormatDuration(run.duration),
                   status.ToString());
    }
    if (listener_) {
      listener_(run);
    }
    // Fixed rate from each start; an overrun starts the next run at once
    // instead of queueing the missed ones.
    next = std::max(started + job.spec.cadence, finished);
  }
}

}  // namespace sellerbridge::sync
