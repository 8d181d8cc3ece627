#pragma once

#include <string>

#include "base/clock.h"
#include "monitor/watch.h"

namespace sellerbridge::server {

// What the watch knows, in the Prometheus text format (version 0.0.4), from memory only (no
// store read, so a scrape stays cheap):
// - sellerbridge_at_risk_orders{stage} and sellerbridge_at_risk_check_timestamp_seconds;
// - sellerbridge_alerts_firing{rule,severity}, sellerbridge_alert_notifications_total{outcome}
//   (sent, failed) and sellerbridge_alert_notifications_pending;
// - per job: sellerbridge_job_runs_total, sellerbridge_job_failures_total,
//   sellerbridge_job_last_success_timestamp_seconds (absent until one),
//   sellerbridge_job_cadence_seconds and sellerbridge_job_last_duration_seconds;
// - per Amazon operation: sellerbridge_amazon_quota_calls_total, _granted_total, _waits_total,
//   _throttled_total (429s), _timed_out_total and sellerbridge_amazon_quota_wait_seconds_total;
// - per system: sellerbridge_credential_ok (1 or 0), sellerbridge_token_expiry_timestamp_seconds
//   and sellerbridge_client_secret_expiry_timestamp_seconds (when configured).
std::string WatchMetricsText(const monitor::Watch& watch);

}  // namespace sellerbridge::server
