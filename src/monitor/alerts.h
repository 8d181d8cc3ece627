#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "store/store.h"
#include "sync/scheduler.h"

// Alert rules over what the daemon measures, and an engine that turns the
// alerts of each moment into "firing" and "resolved" notifications, once
// each, delivered to every target even across failures and restarts.
namespace sellerbridge::monitor {

class Notifier;

enum class Severity { kWarning, kCritical };

// "warning", "critical".
std::string_view SeverityName(Severity severity);

// An undispatched order close to (or past) its latestShipDate.
struct AtRiskSignal {
  std::string amazon_order_id;
  std::string marketplace_id;
  TimePoint deadline;  // latestShipDate.
  std::string stage;   // Where it stands: "held", "not picked", "dispatched, not confirmed"…
};

// Shipment confirmation latency (dispatched → accepted by Amazon) over the
// last hour.
struct ConfirmationLatency {
  std::optional<Duration> p95;  // Unset when there were none.
  std::int64_t confirmations = 0;
};

// An open exception held for a permanent error.
struct PermanentError {
  std::int64_t exception_id = 0;
  std::string kind;
  std::string subject;  // The order, SKU or feed it concerns.
  std::string reason;   // For a person; passed through Redact() before it goes out.
  TimePoint first_seen;
};

// A feed Amazon has not finished processing for too long.
struct StuckFeed {
  std::string feed_id;
  std::string kind;  // The feed type, e.g. "POST_ORDER_FULFILLMENT_DATA".
  TimePoint submitted_at;
};

// The credentials of one remote system.
struct CredentialState {
  std::string system;  // "amazon" or "clarus".
  bool refresh_failing = false;
  std::optional<TimePoint> failing_since;  // The first failure of the current run.
  std::string message;                     // The last failure; passed through Redact().
  std::optional<TimePoint> expires_at;     // When the client secret stops working.
};

// Everything the rules look at, gathered by the caller at one moment.
struct AlertSignals {
  TimePoint now;
  std::vector<AtRiskSignal> at_risk_orders;
  ConfirmationLatency confirmation_latency;
  std::vector<PermanentError> permanent_errors;
  std::vector<StuckFeed> stuck_feeds;
  std::vector<CredentialState> credentials;
  std::vector<sync::JobStats> jobs;
  // When the scheduler started the jobs: a job that never succeeded is
  // counted from here. Unset: such jobs raise nothing.
  std::optional<TimePoint> jobs_started_at;
};

// The thresholds of the rules.
struct AlertRules {
  Duration at_risk_within = std::chrono::hours{2};
  Duration confirmation_p95 = std::chrono::minutes{5};
  // A p95 over fewer confirmations than this says too little to alert on.
  std::int64_t min_confirmations = 5;
  int job_missed_cadences = 3;
  Duration credential_expiry_warning = std::chrono::days{14};

  // The thresholds of [alerts]; min_confirmations keeps its default.
  static AlertRules FromConfig(const config::AlertsConfig& alerts);
};

// One alert: a condition that holds now.
struct Alert {
  // The rule and its subject, stable for as long as the condition holds:
  // "order_at_risk:203-1234567-1234567", "job_stalled:order_import".
  std::string key;
  // "order_at_risk", "confirmation_latency", "permanent_error", "stuck_feed",
  // "credential_refresh", "credential_expiry", "job_stalled".
  std::string rule;
  Severity severity = Severity::kWarning;
  // One line naming the order, feed, job or system and the deadline or age.
  // Never buyer personal data.
  std::string summary;
  std::string details;  // More lines for a person; may be empty.
  TimePoint since;      // When the condition began, as far as known.

  friend bool operator==(const Alert&, const Alert&) = default;
};

// The alerts `signals` call for under `rules`, ordered by key; one per key.
// Pure: the same input gives the same output.
std::vector<Alert> ComputeAlerts(const AlertRules& rules, const AlertSignals& signals);

// What the engine has delivered, for /metrics.
struct AlertCounters {
  std::int64_t sent = 0;     // Notifications a target accepted.
  std::int64_t failed = 0;   // Attempts a target refused or that did not reach it.
  std::int64_t pending = 0;  // Notifications waiting for a retry now.
};

// Keeps the set of firing alerts and notifies every target of each change:
// "firing" when a key first appears, nothing while it stays, "resolved" when
// it disappears. A delivery that fails is kept and retried at the next
// Evaluate, in order per target, until it succeeds; one that succeeded is
// never sent again (a crash between a delivery and the write that records
// it can repeat that one delivery). The firing set and the pending
// deliveries live in the store's watermark "alerts:firing", so a restart
// neither notifies again nor forgets to resolve.
//
// Thread-safe: Evaluate calls are serialised; Firing() and Counters() may be
// called from any thread at any time and do not wait for deliveries.
class AlertEngine {
 public:
  // The watermark the state is kept in.
  static constexpr std::string_view kWatermark = "alerts:firing";

  // `clock` stamps "resolved" notifications; `clock` and `store` must
  // outlive the engine. Targets are named by Notifier::Name(), which must be
  // unique: pending deliveries are kept per name.
  AlertEngine(AlertRules rules, Clock* clock, store::Store* store,
              std::vector<std::unique_ptr<Notifier>> notifiers);
  ~AlertEngine();

  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Computes the alerts of `signals`, records the changes, and delivers
  // every pending notification. Returns an error only when the store cannot
  // be read or written (nothing is delivered then; the next call tries
  // again); failed deliveries are counted and logged, not returned.
  Status Evaluate(const AlertSignals& signals);

  // The alerts firing after the last Evaluate (or as loaded from the store
  // by it), ordered by key.
  std::vector<Alert> Firing() const;

  AlertCounters Counters() const;

 private:
  struct Delivery;
  struct State;

  Status LoadLocked();
  Status SaveLocked();
  void DeliverLocked();
  void PublishLocked();

  const AlertRules rules_;
  Clock* const clock_;
  store::Store* const store_;
  const std::vector<std::unique_ptr<Notifier>> notifiers_;

  std::mutex evaluate_mu_;
  std::unique_ptr<State> state_;  // Guarded by evaluate_mu_; null until loaded.

  mutable std::mutex snapshot_mu_;
  std::vector<Alert> firing_snapshot_;  // Guarded by snapshot_mu_.
  std::int64_t pending_snapshot_ = 0;   // Guarded by snapshot_mu_.
  std::atomic<std::int64_t> sent_{0};
  std::atomic<std::int64_t> failed_{0};
};

}  // namespace sellerbridge::monitor
