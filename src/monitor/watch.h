#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "monitor/alerts.h"
#include "monitor/at_risk.h"
#include "monitor/notifiers.h"
#include "store/store.h"
#include "sync/connections.h"
#include "sync/scheduler.h"

namespace sellerbridge::monitor {

// The orders at risk as the last check found them.
struct AtRiskSnapshot {
  std::optional<TimePoint> as_of;  // Unset until the first check.
  std::vector<AtRiskOrder> orders;
};

// Whether the credentials of one remote system work, as the last check found them.
struct CredentialCheck {
  std::string system;  // "amazon" or "clarus".
  std::optional<TimePoint> last_ok;
  std::optional<TimePoint> failing_since;  // Set while the last attempt failed.
  std::string last_error;                  // Redacted.
  std::optional<TimePoint> token_expires_at;
  std::optional<TimePoint> secret_expires_at;  // From client_secret_expires.
};

// Watches the running daemon (see docs/monitoring.md): every minute ([schedules] monitor) it finds
// the orders at risk (FindAtRiskOrders, reading Clarus for the picking stage), checks that both
// systems' credentials still give tokens, records every job's figures and the credentials' state
// in the store (watermarks "job:<name>" and "credential:<system>", which `sellerbridge audit`
// reads), and evaluates the alert rules (AlertEngine). Its snapshots feed /metrics and the API.
// Thread-safe.
class Watch {
 public:
  // `store`, `clock`, `scheduler` (the daemon's) and `remote` (the daemon's connections) must
  // outlive the watch; `notifiers` are the alert targets.
  Watch(const config::Config& config, store::Store* store, Clock* clock, sync::Scheduler* scheduler,
        sync::Connections* remote, std::vector<std::unique_ptr<Notifier>> notifiers);

  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // Adds the "monitor" job, and "account_health" (Amazon's seller performance report for each
  // of `config.amazon.marketplaces`, every [monitor] performance_report_every), to the
  // scheduler. Before it starts.
  Status AddJobs();

  // Fetches and stores Amazon's seller performance report of every marketplace, as the
  // "account_health" job runs it (FetchSellerPerformance). The first failure is returned after
  // trying every marketplace.
  Status FetchAccountHealth(const std::stop_token& stop);

  // One check, as the job runs it. Fails only when the store cannot be read or written.
  Status Check();

  AtRiskSnapshot AtRisk() const;
  std::vector<Alert> Alerts() const;
  AlertCounters AlertFigures() const;
  std::vector<CredentialCheck> Credentials() const;
  // Every job's figures, from the scheduler.
  std::vector<sync::JobStats> Jobs() const;
  // Amazon's quota per operation (calls, grants, waits, 429s), from the quota broker.
  std::map<amazon::OperationName, amazon::OperationCounters> Quota() const;

 private:
  CredentialCheck CheckCredential(const std::string& system, http::OAuthTokenProvider* tokens,
                                  const std::optional<std::chrono::year_month_day>& expires);
  Result<AlertSignals> Signals(store::Transaction& tx, TimePoint now,
                               const std::vector<AtRiskOrder>& at_risk,
                               const std::vector<CredentialCheck>& credentials) const;
  Status Record(const std::vector<sync::JobStats>& jobs,
                const std::vector<CredentialCheck>& credentials);

  const config::Config config_;
  store::Store* const store_;
  Clock* const clock_;
  sync::Scheduler* const scheduler_;
  sync::Connections* const remote_;
  AlertEngine alerts_;
  const TimePoint started_;
  mutable std::mutex mu_;
  AtRiskSnapshot at_risk_;                    // Guarded by mu_.
  std::vector<CredentialCheck> credentials_;  // Guarded by mu_.
};

// The JSON forms the API writes.
nlohmann::json AlertToJson(const Alert& alert);
nlohmann::json JobToJson(const sync::JobStats& job, TimePoint now);
nlohmann::json CredentialToJson(const CredentialCheck& credential);

}  // namespace sellerbridge::monitor
