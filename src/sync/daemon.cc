#include "sync/daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <utility>

#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::sync {

Daemon::Daemon(config::Config config, store::Store* store, Clock* clock)
    : config_(std::move(config)), store_(store), clock_(clock), scheduler_(clock) {}

Daemon::~Daemon() { Stop(); }

Status Daemon::Start() {
  if (running_) {
    return FailedPreconditionError("the daemon is already running");
  }
  RETURN_IF_ERROR(scheduler_.AddJob(
      {"retention", config_.schedules.retention,
       [this](const JobContext& context) { return PurgeExpiredBuyerData(context); }}));
  started_ = clock_->Now();
  scheduler_.SetRunListener([](const JobRun& run) {
    if (run.status.ok()) {
      spdlog::debug("job {} ran in {}", run.job, FormatDuration(run.duration));
    }
  });
  scheduler_.Start();
  running_ = true;
  for (const JobStats& job : scheduler_.Stats()) {
    spdlog::info("job {} scheduled every {}", job.name, FormatDuration(job.cadence));
  }
  return Status::Ok();
}

void Daemon::Stop() {
  if (running_) {
    scheduler_.Stop();
    running_ = false;
  }
}

Status Daemon::PurgeExpiredBuyerData(const JobContext& context) {
  const TimePoint before = context.started - std::chrono::days{config_.retention.buyer_data_days};
  ASSIGN_OR_RETURN(auto transaction, store_->Begin());
  ASSIGN_OR_RETURN(const std::int64_t purged, transaction->PurgeBuyerData(before));
  RETURN_IF_ERROR(transaction->Commit());
  buyer_records_purged_ += purged;
  spdlog::info("retention: removed buyer personal data from {} order{} dispatched before {}",
               purged, purged == 1 ? "" : "s", FormatIso8601(before));
  return Status::Ok();
}

Result<DaemonSummary> Daemon::Summary() const {
  DaemonSummary summary;
  summary.started = started_;
  summary.uptime = clock_->Now() - started_;
  summary.jobs = scheduler_.Stats();
  summary.buyer_records_purged = buyer_records_purged_;
  ASSIGN_OR_RETURN(auto transaction, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(const auto outbox, transaction->CountConfirmationsByState());
  for (const auto& [state, count] : outbox) {
    summary.store_counts[fmt::format("outbox_{}", store::ConfirmationStateName(state))] = count;
  }
  return summary;
}

}  // namespace sellerbridge::sync
