#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "config/config.h"
#include "store/store.h"
#include "sync/carrier_catalog.h"
#include "sync/confirmer.h"
#include "sync/connections.h"
#include "sync/dispatch_intake.h"
#include "sync/order_import.h"
#include "sync/order_release.h"
#include "sync/scheduler.h"
#include "sync/ship_method_mappings.h"
#include "sync/stock_sync.h"

namespace sellerbridge::sync {

// What the daemon has done since it started, for `demo`'s summary and for
// operators. Later flows add their figures here.
struct DaemonSummary {
  TimePoint started;
  Duration uptime{};
  std::vector<JobStats> jobs;
  std::int64_t buyer_records_purged = 0;
  std::map<std::string, std::int64_t> store_counts;  // "orders_Held", "outbox_Pending", ...

  // The order flow since start.
  std::int64_t orders_imported = 0;     // New orders stored.
  std::int64_t orders_updated = 0;      // Stored again after a change on Amazon.
  std::int64_t orders_quarantined = 0;  // Unreadable, kept alone.
  std::int64_t orders_sent_to_clarus = 0;
  std::int64_t orders_released = 0;   // Sent after having been held.
  std::int64_t orders_cancelled = 0;  // Before or after reaching Clarus.
  std::int64_t labels_bought = 0;
  std::int64_t goods_outs_updated = 0;
  // Orders held now, by the category of their first reason ("ship method not
  // mapped", "SKU not in Clarus", …), from the store.
  std::map<std::string, std::int64_t> held_by_reason;
  // The dispatch flow since start.
  std::int64_t parcels_dispatched = 0;      // Confirmations put in the outbox.
  std::int64_t confirmations_sent = 0;      // confirmShipment calls.
  std::int64_t confirmations_accepted = 0;  // Taken by Amazon (API or feed).
  std::int64_t confirmations_verified = 0;  // Read back from Amazon.
  std::int64_t confirmations_resent = 0;    // Accepted but not applied: sent again.
  std::int64_t confirmations_fed = 0;       // Moved into fulfilment feeds.
  DeliveryCounts webhooks;                  // Clarus automation deliveries.
  // Open exceptions of the dispatch flow, from the store.
  std::int64_t dispatch_exceptions = 0;      // Shorts, unmapped carriers, …
  std::int64_t confirmation_exceptions = 0;  // Refused or not applied by Amazon.
  // Seconds from the parcel leaving the warehouse to Amazon accepting its
  // confirmation (API only), over the outbox: p50, p95, p99; empty before any.
  std::vector<double> dispatch_to_accepted_seconds;
  // The stock flow, when it runs.
  std::optional<StockFigures> stock;
};

// How a daemon is put together; the defaults are production's.
struct DaemonOptions {
  ConnectionOptions connections;
  // Whether the order and dispatch jobs run (off for tests of other jobs,
  // which have no remote systems).
  bool order_flow = true;
  // Tuning of the confirmer; merchant id and quota come from the config and
  // the connections when left empty.
  ConfirmerOptions confirmer;
};

// The running sellerbridge: every flow registered as a scheduler job on its
// configured cadence, sharing one store. Thread-safe.
class Daemon {
 public:
  // `store` and `clock` must outlive the daemon. Nothing is sent to Amazon
  // or Clarus before Start.
  Daemon(config::Config config, store::Store* store, Clock* clock, DaemonOptions options = {});
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

  // The ship-method mappings, checked against Clarus. Only with the order
  // flow (DaemonOptions::order_flow).
  ShipMethodMappings& Mappings() { return *mappings_; }

  // The dispatch intake, for Clarus automation deliveries. Only with the
  // order flow.
  DispatchIntake& Intake() { return *intake_; }

  // The stock flow; null unless the order flow runs and [stock] is enabled.
  StockSync* Stock() { return stock_.get(); }

  // Both remote systems (clients, token providers, the quota broker), for the monitor.
  Connections& Remote() { return *connections_; }

 private:
  // Removes buyer personal data kept longer than the retention period.
  Status PurgeExpiredBuyerData(const JobContext& context);

  // Imports orders from Amazon, then takes what can go to the warehouse there.
  Status ImportOrders(const JobContext& context);
  // Reads goods-outs named by hints (the webhook) or changed since the sweep's
  // watermark, and puts their parcels in the outbox.
  Status TakeDispatches(const JobContext& context, bool sweep);
  // Sends due confirmations to Amazon.
  Status Confirm(const JobContext& context);
  // Reads accepted confirmations back from Amazon.
  Status Verify(const JobContext& context);
  // The stock flow's jobs.
  Status ReadStock(const JobContext& context, bool snapshot);
  Status PublishStock(const JobContext& context);
  Status CheckStockDrift(const JobContext& context);

  const config::Config config_;
  const DaemonOptions options_;
  store::Store* const store_;
  Clock* const clock_;
  std::unique_ptr<Connections> connections_;
  std::unique_ptr<clarus::Tenant> tenant_;
  std::unique_ptr<CarrierCatalog> carriers_;
  std::unique_ptr<ShipMethodMappings> mappings_;
  std::unique_ptr<OrderImporter> importer_;
  std::unique_ptr<OrderRelease> release_;
  std::unique_ptr<DispatchIntake> intake_;
  std::unique_ptr<Confirmer> confirmer_;
  std::unique_ptr<StockSync> stock_;
  Scheduler scheduler_;
  TimePoint started_;
  std::atomic<std::int64_t> buyer_records_purged_{0};
  mutable std::mutex mu_;
  ImportPass imported_;      // Totals since start. Guarded by mu_.
  ReleasePass released_;     // Totals since start. Guarded by mu_.
  IntakePass taken_;         // Totals since start. Guarded by mu_.
  ConfirmerPass confirmed_;  // Totals since start. Guarded by mu_.
  bool running_ = false;
};

}  // namespace sellerbridge::sync
