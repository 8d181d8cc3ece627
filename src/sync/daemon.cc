#include "sync/daemon.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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

// How long stock publications and drift checks are kept.
constexpr Duration kStockHistory = std::chrono::days{35};

StockSyncOptions StockOptionsFor(const config::Config& config) {
  StockSyncOptions options{.stock = config.stock, .seller_id = config.amazon.seller_id};
  options.marketplaces = config.amazon.marketplaces;
  if (config.stock.unified_quantity && options.marketplaces.size() > 1) {
    options.marketplaces.resize(1);
  }
  options.account_codes = config.stock.accounts.empty()
                              ? std::vector<std::string>{config.clarus.account}
                              : config.stock.accounts;
  options.warehouse_codes =
      config.stock.warehouses.empty() ? config.clarus.warehouses : config.stock.warehouses;
  // Amazon lists an order two minutes after it was placed; the import runs on
  // its cadence; Clarus allocates within about a minute.
  options.sale_to_warehouse =
      std::chrono::minutes{2} + config.schedules.order_import + std::chrono::minutes{1};
  return options;
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
  DispatchIntakeOptions intake{.source = {.subdomain = config_.clarus.subdomain,
                                          .automation_ids = config_.clarus.automation_ids}};
  if (config_.stock.enabled) {
    // A stock webhook has the changed balances read at once.
    intake.on_stock_event = [this] { (void)scheduler_.Trigger("stock_changes"); };
  }
  intake_ = std::make_unique<DispatchIntake>(std::move(intake), store_,
                                             connections_->goods_outs.get(), clock_);
  ConfirmerOptions confirmer = options_.confirmer;
  if (confirmer.merchant_id.empty()) {
    confirmer.merchant_id = config_.amazon.seller_id;
  }
  // Plan feeds against the quota the broker really applies.
  const std::vector<amazon::OperationLimit>& limits =
      options_.connections.amazon_rate_limits.empty() ? amazon::DocumentedRateLimits()
                                                      : options_.connections.amazon_rate_limits;
  for (const amazon::OperationLimit& limit : limits) {
    if (limit.operation == "confirmShipment") {
      confirmer.api_rate_per_second = limit.rate_per_second;
      confirmer.api_burst = limit.burst;
    }
  }
  confirmer_ = std::make_unique<Confirmer>(confirmer, store_, connections_->orders.get(),
                                           connections_->feeds.get(), clock_);
  if (config_.stock.enabled) {
    stock_ = std::make_unique<StockSync>(StockOptionsFor(config_), store_, tenant_.get(),
                                         connections_->stock.get(), connections_->listings.get(),
                                         connections_->feeds.get(), clock_);
  }
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
    // The confirmer has a job (and so a thread) of its own: nothing else can
    // delay it.
    RETURN_IF_ERROR(
        scheduler_.AddJob({"confirmer", config_.schedules.confirmer,
                           [this](const JobContext& context) { return Confirm(context); }}));
    RETURN_IF_ERROR(
        scheduler_.AddJob({"verifier", config_.schedules.verifier,
                           [this](const JobContext& context) { return Verify(context); }}));
    // Hints from webhooks are taken within a second; the sweep is the backstop.
    RETURN_IF_ERROR(scheduler_.AddJob(
        {"dispatch_hints", std::min<Duration>(config_.schedules.confirmer, std::chrono::seconds{1}),
         [this](const JobContext& context) { return TakeDispatches(context, false); }}));
    RETURN_IF_ERROR(scheduler_.AddJob(
        {"dispatch_sweep", config_.schedules.dispatch_sweep,
         [this](const JobContext& context) { return TakeDispatches(context, true); }}));
  }
  if (stock_) {
    RETURN_IF_ERROR(stock_->Load());
    RETURN_IF_ERROR(scheduler_.AddJob(
        {"stock_snapshot", config_.schedules.stock_snapshot,
         [this](const JobContext& context) { return ReadStock(context, true); }}));
    RETURN_IF_ERROR(scheduler_.AddJob(
        {"stock_changes", config_.schedules.stock_changes,
         [this](const JobContext& context) { return ReadStock(context, false); }}));
    // Publishing has its own thread: zero-outs go within a second.
    RETURN_IF_ERROR(
        scheduler_.AddJob({"stock_publish", std::chrono::seconds{1},
                           [this](const JobContext& context) { return PublishStock(context); }}));
    RETURN_IF_ERROR(
        scheduler_.AddJob({"stock_drift", config_.schedules.drift_check,
                           [this](const JobContext& context) { return CheckStockDrift(context); },
                           config_.stock.drift_delay}));
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
  // Processed dispatch hints only de-duplicate late deliveries: a week is plenty.
  ASSIGN_OR_RETURN(const std::int64_t hints, transaction->PurgeProcessedDispatchHints(
                                                 context.started - std::chrono::days{7}));
  // Stock history serves the metrics and audits of the last weeks; the latest
  // publication of every listing is always kept.
  const TimePoint stock_before = context.started - kStockHistory;
  ASSIGN_OR_RETURN(const std::int64_t publications,
                   transaction->PurgeStockPublications(stock_before));
  ASSIGN_OR_RETURN(const std::int64_t checks, transaction->PurgeStockChecks(stock_before));
  RETURN_IF_ERROR(transaction->Commit());
  if (publications + checks > 0) {
    spdlog::info("retention: removed {} stock publications and {} drift checks older than {}",
                 publications, checks, FormatDuration(kStockHistory));
  }
  if (hints > 0) {
    spdlog::info("retention: removed {} processed dispatch hints older than 7 days", hints);
  }
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

Status Daemon::TakeDispatches(const JobContext& context, bool sweep) {
  const Result<IntakePass> pass =
      sweep ? intake_->Sweep(context.stop) : intake_->ProcessHints(context.stop);
  if (!pass.ok()) {
    return {pass.status().code(),
            fmt::format("{} dispatches from Clarus: {}", sweep ? "sweeping" : "reading hinted",
                        pass.status().message())};
  }
  if (pass->confirmations_created > 0 || pass->problems > 0) {
    spdlog::info(
        "dispatches: {} parcels to confirm, {} orders dispatched, {} held, {} waiting "
        "for tracking ({})",
        pass->confirmations_created, pass->orders_dispatched, pass->problems,
        pass->waiting_for_tracking, sweep ? "sweep" : "webhook");
  }
  const std::lock_guard lock(mu_);
  taken_.confirmations_created += pass->confirmations_created;
  taken_.orders_dispatched += pass->orders_dispatched;
  taken_.problems += pass->problems;
  return Status::Ok();
}

namespace {

void Add(ConfirmerPass& total, const ConfirmerPass& pass) {
  total.sent += pass.sent;
  total.accepted += pass.accepted;
  total.retry_later += pass.retry_later;
  total.failed += pass.failed;
  total.settled += pass.settled;
  total.verified += pass.verified;
  total.resent += pass.resent;
  total.not_applied += pass.not_applied;
  total.fed += pass.fed;
  total.feed_results += pass.feed_results;
}

// The p-th percentile (0 < p < 100) of sorted `values`, nearest rank.
double Percentile(const std::vector<double>& sorted, double p) {
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

Status Daemon::Confirm(const JobContext& context) {
  const Result<ConfirmerPass> pass = confirmer_->SendOnce(context.stop);
  if (!pass.ok()) {
    return {pass.status().code(), fmt::format("confirming shipments: {}", pass.status().message())};
  }
  if (pass->sent > 0 || pass->fed > 0) {
    spdlog::info("confirmations: {} sent, {} accepted, {} to retry, {} held, {} into a feed",
                 pass->sent, pass->accepted, pass->retry_later, pass->failed, pass->fed);
  }
  const std::lock_guard lock(mu_);
  Add(confirmed_, *pass);
  return Status::Ok();
}

Status Daemon::Verify(const JobContext& context) {
  const Result<ConfirmerPass> pass = confirmer_->VerifyOnce(context.stop);
  if (!pass.ok()) {
    return {pass.status().code(),
            fmt::format("verifying confirmations: {}", pass.status().message())};
  }
  if (pass->verified > 0 || pass->resent > 0 || pass->not_applied > 0) {
    spdlog::info("confirmations: {} verified on Amazon, {} sent again, {} not applied",
                 pass->verified, pass->resent, pass->not_applied);
  }
  const std::lock_guard lock(mu_);
  Add(confirmed_, *pass);
  return Status::Ok();
}

Status Daemon::ReadStock(const JobContext& context, bool snapshot) {
  const Result<StockPass> pass =
      snapshot ? stock_->Snapshot(context.stop) : stock_->ReadChanges(context.stop);
  if (!pass.ok()) {
    return {pass.status().code(),
            fmt::format("reading Clarus stock ({}): {}", snapshot ? "snapshot" : "changes",
                        pass.status().message())};
  }
  if (!snapshot && pass->changed > 0) {
    spdlog::debug("stock: {} balances read, {} listings to publish", pass->read, pass->changed);
  }
  return Status::Ok();
}

Status Daemon::PublishStock(const JobContext& context) {
  const Result<StockPass> pass = stock_->Publish(context.stop);
  if (!pass.ok()) {
    return {pass.status().code(), fmt::format("publishing stock: {}", pass.status().message())};
  }
  return Status::Ok();
}

Status Daemon::CheckStockDrift(const JobContext& context) {
  const Result<StockPass> pass = stock_->CheckDrift(context.stop);
  if (!pass.ok()) {
    return {pass.status().code(), fmt::format("checking stock drift: {}", pass.status().message())};
  }
  if (pass->checked > 0) {
    spdlog::info("stock drift check: {} listings read back, {} drifted", pass->checked,
                 pass->drifted);
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
  for (const auto& [kind, count] : {std::pair{"dispatch", &summary.dispatch_exceptions},
                                    std::pair{"confirmation", &summary.confirmation_exceptions}}) {
    ASSIGN_OR_RETURN(const auto open, transaction->ListExceptions(
                                          {.open_only = true, .kind = kind, .limit = 1000000}));
    *count = static_cast<std::int64_t>(open.size());
  }
  ASSIGN_OR_RETURN(const auto timings, transaction->ListConfirmationTimings(started_));
  std::vector<double> latencies;
  for (const store::ConfirmationTiming& timing : timings) {
    if (timing.accepted_at && timing.transport == store::ConfirmationTransport::kApi) {
      latencies.push_back(
          std::chrono::duration<double>(*timing.accepted_at - timing.shipped_at).count());
    }
  }
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    summary.dispatch_to_accepted_seconds = {Percentile(latencies, 50), Percentile(latencies, 95),
                                            Percentile(latencies, 99)};
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
  summary.parcels_dispatched = taken_.confirmations_created;
  summary.confirmations_sent = confirmed_.sent;
  summary.confirmations_accepted = confirmed_.accepted + confirmed_.feed_results;
  summary.confirmations_verified = confirmed_.verified + confirmed_.settled;
  summary.confirmations_resent = confirmed_.resent;
  summary.confirmations_fed = confirmed_.fed;
  if (intake_) {
    summary.webhooks = intake_->Deliveries();
  }
  if (stock_) {
    summary.stock = stock_->Figures();
  }
  return summary;
}

}  // namespace sellerbridge::sync
