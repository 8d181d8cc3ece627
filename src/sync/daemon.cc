#include "sync/daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <utility>

#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::sync {

namespace {

// The category of a held order's reason: the text before its first ": ".
std::string ReasonCategory(const std::string& reason) {
  const size_t colon = reason.find(": ");
  return colon == std::string::npos ? reason : reason.substr(0, colon);
}

}  // namespace

Daemon::Daemon(config::Config config, store::Store* store, Clock* clock, DaemonOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      store_(store),
      clock_(clock),
      scheduler_(clock) {
  if (!options_.order_flow) {
    return;
  }
  connections_ = Connections::Create(config_, clock_, options_.connections);
  tenant_ = std::make_unique<clarus::Tenant>(connections_->clarus.get());
  carriers_ = std::make_unique<CarrierCatalog>(connections_->carriers.get(), clock_);
  mappings_ = std::make_unique<ShipMethodMappings>(store_, carriers_.get(), clock_);
  importer_ = std::make_unique<OrderImporter>(
      OrderImportOptions{.marketplace_ids = config_.amazon.marketplaces,
                         .lookback = config_.orders.lookback,
                         .overlap = config_.orders.overlap},
      store_, connections_->orders.get(), clock_);
  release_ = std::make_unique<OrderRelease>(
      OrderReleaseOptions{.clarus_account = config_.clarus.account,
                          .clarus_warehouse = config_.clarus.warehouses.empty()
                                                  ? std::string()
                                                  : config_.clarus.warehouses.front(),
                          .orders = config_.orders},
      OrderReleaseDeps{.store = store_,
                       .goods_outs = connections_->goods_outs.get(),
                       .products = connections_->products.get(),
                       .shipments = connections_->shipments.get(),
                       .tenant = tenant_.get(),
                       .carriers = carriers_.get(),
                       .merchant_fulfillment = connections_->merchant_fulfillment.get(),
                       .orders = connections_->orders.get(),
                       .clock = clock_});
}

Daemon::~Daemon() { Stop(); }

Status Daemon::Start() {
  if (running_) {
    return FailedPreconditionError("the daemon is already running");
  }
  if (options_.order_flow) {
    RETURN_IF_ERROR(
        scheduler_.AddJob({"order_import", config_.schedules.order_import,
                           [this](const JobContext& context) { return ImportOrders(context); }}));
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

Status Daemon::ImportOrders(const JobContext& context) {
  const Result<ImportPass> imported = importer_->RunOnce(context.stop);
  // Held orders can be released even when Amazon cannot be read.
  const Result<ReleasePass> released = release_->RunOnce(context.stop);
  {
    const std::lock_guard lock(mu_);
    if (imported.ok()) {
      imported_.orders_new += imported->orders_new;
      imported_.orders_changed += imported->orders_changed;
      imported_.quarantined += imported->quarantined;
    }
    if (released.ok()) {
      released_.sent_to_clarus += released->sent_to_clarus;
      released_.released += released->released;
      released_.cancelled += released->cancelled;
      released_.goods_outs_cancelled += released->goods_outs_cancelled;
      released_.labels_bought += released->labels_bought;
      released_.goods_outs_updated += released->goods_outs_updated;
    }
  }
  if (imported.ok() && (imported->orders_new > 0 || imported->orders_changed > 0)) {
    spdlog::info("orders: {} new, {} changed, {} quarantined from Amazon ({} pages)",
                 imported->orders_new, imported->orders_changed, imported->quarantined,
                 imported->pages);
  }
  if (released.ok() && (released->sent_to_clarus > 0 || released->cancelled > 0 ||
                        released->goods_outs_cancelled > 0 || released->goods_outs_updated > 0)) {
    spdlog::info(
        "orders: {} sent to Clarus ({} released from hold, {} Amazon labels), {} held, {} "
        "cancelled, {} goods-outs cancelled, {} updated",
        released->sent_to_clarus, released->released, released->labels_bought, released->held,
        released->cancelled, released->goods_outs_cancelled, released->goods_outs_updated);
  }
  if (!imported.ok()) {
    return {imported.status().code(),
            fmt::format("importing orders from Amazon: {}", imported.status().message())};
  }
  if (!released.ok()) {
    return released.status();
  }
  const int waiting = released->retry_later + released->not_attempted;
  if (waiting > 0 && !context.stop.stop_requested()) {
    return {released->first_error.code(),
            fmt::format("{} order{} wait for the next pass: {}", waiting, waiting == 1 ? "" : "s",
                        released->first_error.message())};
  }
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
  ASSIGN_OR_RETURN(const auto orders, transaction->CountOrdersBySyncState());
  for (const auto& [state, count] : orders) {
    summary.store_counts[fmt::format("orders_{}", store::SyncStateName(state))] = count;
  }
  ASSIGN_OR_RETURN(const auto held, transaction->ListExceptions(
                                        {.open_only = true, .kind = "order", .limit = 1000000}));
  for (const store::HeldException& exception : held) {
    ++summary.held_by_reason[ReasonCategory(exception.reason)];
  }
  const std::lock_guard lock(mu_);
  summary.orders_imported = imported_.orders_new;
  summary.orders_updated = imported_.orders_changed;
  summary.orders_quarantined = imported_.quarantined;
  summary.orders_sent_to_clarus = released_.sent_to_clarus;
  summary.orders_released = released_.released;
  summary.orders_cancelled = released_.cancelled + released_.goods_outs_cancelled;
  summary.labels_bought = released_.labels_bought;
  summary.goods_outs_updated = released_.goods_outs_updated;
  return summary;
}

}  // namespace sellerbridge::sync
