#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "store/store.h"

// The system audit behind `sellerbridge audit`: one read of the store that
// finds every gap a person should close (see docs/audit.md).
namespace sellerbridge::monitor {

// How urgent a finding is: critical needs action now (an order may ship late,
// Amazon may sell stock that is not there, sellerbridge may stop working);
// a warning needs action soon.
enum class AuditSeverity { kCritical, kWarning };

// "critical" or "warning".
std::string_view AuditSeverityName(AuditSeverity severity);

// The checks, in the order the report lists them.
enum class AuditCheck {
  kUnmappedShipMethods,  // Ship methods of recent orders with no mapping.
  kSkusUnknownInClarus,  // SKUs Amazon sells that Clarus has no stock level for.
  kSkusNotOnAmazon,      // SKUs Clarus has stock of that were never published.
  kStaleStock,           // Listed quantities that lag a change in Clarus.
  kStuckOrders,          // Orders that stopped moving through the flow.
  kStuckConfirmations,   // Shipment confirmations refused or never settled.
  kStuckStockFeeds,      // Stock feeds Amazon has not finished.
  kCredentials,          // Secrets close to expiry, token refreshes failing.
  kSlowSchedules,        // Jobs behind or slower than their cadence.
};
inline constexpr int kAuditChecks = 9;

// The check's name in the JSON report: "unmapped_ship_methods",
// "skus_unknown_in_clarus", "skus_not_on_amazon", "stale_stock",
// "stuck_orders", "stuck_confirmations", "stuck_stock_feeds", "credentials",
// "slow_schedules".
std::string_view AuditCheckName(AuditCheck check);

// The check's heading in the readable report, e.g. "Ship methods without a mapping".
std::string_view AuditCheckTitle(AuditCheck check);

// Every check, in report order.
std::vector<AuditCheck> AllAuditChecks();

// The thresholds of the checks (docs/audit.md explains each).
// Orders (and their ship methods and SKUs) purchased this recently are looked at.
inline constexpr Duration kAuditLookback = std::chrono::days{30};
// A change in Clarus not on Amazon after this long is stale; after the second, critically.
inline constexpr Duration kStaleStockTarget = std::chrono::minutes{20};
inline constexpr Duration kStaleStockCritical = std::chrono::hours{1};
// How long an order may stay in a state before it counts as stuck.
inline constexpr Duration kNewOrderStuckAfter = std::chrono::hours{1};
inline constexpr Duration kHeldOrderStuckAfter = std::chrono::hours{24};
inline constexpr Duration kUpdatePendingStuckAfter = std::chrono::minutes{15};
inline constexpr Duration kUnconfirmedStuckAfter = std::chrono::hours{1};
inline constexpr Duration kSendingStuckAfter = std::chrono::minutes{10};
// A stuck order or confirmation is critical when its latest ship date is this close or past.
inline constexpr Duration kShipDateCriticalWithin = std::chrono::hours{2};
// A credential expiring within the first is a warning, within the second (or past) critical.
inline constexpr Duration kCredentialWarnWithin = std::chrono::days{30};
inline constexpr Duration kCredentialCriticalWithin = std::chrono::days{7};
// A job whose last success is older than this many cadences is critical.
inline constexpr int kJobMissedCadences = 3;

// One gap the audit found. No buyer personal data and no secret in any field.
struct AuditFinding {
  AuditCheck check = AuditCheck::kUnmappedShipMethods;
  AuditSeverity severity = AuditSeverity::kWarning;
  // What it is about: an order id, a SKU, a ship-method key, a feed id, a job
  // name ("job order_import"), a credential ("amazon client secret").
  std::string subject;
  std::string problem;  // What is wrong, in one line a warehouse manager understands.
  std::string fix;      // What to do about it.

  friend bool operator==(const AuditFinding&, const AuditFinding&) = default;
};

// A check the audit could not make, and why.
struct SkippedCheck {
  AuditCheck check = AuditCheck::kUnmappedShipMethods;
  std::string reason;

  friend bool operator==(const SkippedCheck&, const SkippedCheck&) = default;
};

struct AuditReport {
  TimePoint at;  // When the audit looked.
  // Critical findings first, then by check (report order), then by subject.
  std::vector<AuditFinding> findings;
  std::vector<SkippedCheck> skipped;

  std::int64_t Count(AuditSeverity severity) const;
  bool HasCritical() const { return Count(AuditSeverity::kCritical) > 0; }
};

// The daemon's job names: order_import, confirmer, verifier, dispatch_hints,
// dispatch_sweep, stock_snapshot, stock_changes, stock_publish, stock_drift,
// settlements, monitor, retention.
std::vector<std::string> DaemonJobNames();

struct AuditOptions {
  // The jobs whose "job:<name>" watermarks are read (the store cannot list
  // watermarks); a job without one is skipped.
  std::vector<std::string> jobs = DaemonJobNames();
};

// Audits the store through `tx` (a read-only transaction is enough) as of
// `now`, with `config` giving the stock policy, the stuck-feed threshold and
// the client secrets' expiry dates. The checks are those of AuditCheck, with the thresholds above:
// - unmapped ship methods: one finding per ship-method key of the orders
//   purchased in kAuditLookback that FindShipMethodMapping does not map;
//   critical when an order with that key is still open (not dispatched,
//   cancelled or closed);
// - SKUs unknown in Clarus: SKUs of those orders' lines, or with a stock
//   publication, that have no stock level; critical when an open order asks
//   for one or its last published quantity is positive;
// - SKUs not on Amazon: SKUs with available stock, observed more than
//   kStaleStockTarget ago, that were never published (only with stock
//   publishing enabled);
// - stale stock: SKUs whose stock level changed after the change their last
//   publication reflects, more than kStaleStockTarget ago (critical beyond
//   kStaleStockCritical), where the stock policy now lists another quantity;
// - stuck orders: New for kNewOrderStuckAfter, Held for kHeldOrderStuckAfter
//   or past its latest ship date, SentToClarus past its latest ship date,
//   UpdatePending for kUpdatePendingStuckAfter, and dispatched with a
//   confirmation still pending kUnconfirmedStuckAfter after it was created;
// - stuck confirmations: Failed, or Sending for kSendingStuckAfter;
//   stuck orders and confirmations are critical when the latest ship date is
//   past or within kShipDateCriticalWithin, warnings otherwise;
// - stuck stock feeds: open longer than stock.feed_stuck_after (critical
//   after twice that);
// - credentials: [amazon]/[clarus] client_secret_expires (the first day the
//   secret no longer works, from 00:00 UTC) and the expires_at of the
//   "credential:<system>" watermarks, whichever is earlier: within
//   kCredentialWarnWithin a warning, within kCredentialCriticalWithin or past
//   critical; and a refresh failure newer than the last success (critical);
// - slow schedules: per "job:<name>" watermark, critical when the last
//   success is older than kJobMissedCadences cadences (or there was none and
//   the last start is that old), else a warning when the last run took longer
//   than the cadence.
// The stock checks (SKUs and stale stock) are skipped when stock publishing
// is disabled: without it the store holds no stock levels.
// A watermark that cannot be read is a warning of its check. Returns the
// store's error when a read fails. Does not write. Uses `tx` from the calling
// thread only, as a Transaction requires.
Result<AuditReport> RunAudit(store::Transaction& tx, const config::Config& config,
                             const AuditOptions& options, TimePoint now);

// The report for a person: a headline with the counts, the findings grouped
// by severity (critical first) and within it by check, each with its subject,
// problem and fix, the checks that found nothing, and a one-line verdict.
std::string FormatAuditReport(const AuditReport& report);

// The same as JSON:
//   {"at": ISO 8601, "verdict": "critical"|"warning"|"ok",
//    "critical": N, "warnings": N,
//    "checks": [{"check", "title", "status": "critical"|"warning"|"ok"|"skipped",
//                "critical": N, "warnings": N, "reason" (when skipped)}, ...every check],
//    "findings": [{"check", "severity", "subject", "problem", "fix"}, ...]}
nlohmann::json AuditReportToJson(const AuditReport& report);

}  // namespace sellerbridge::monitor
