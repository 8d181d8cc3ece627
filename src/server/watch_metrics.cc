#include "server/watch_metrics.h"

#include <fmt/format.h>

#include <map>
#include <utility>

namespace sellerbridge::server {
namespace {

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

double Timestamp(TimePoint t) { return Seconds(t.time_since_epoch()); }

// Label values are names we choose or Amazon's operation names; quotes and backslashes are
// escaped all the same.
std::string Escape(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

void Header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string WatchMetricsText(const monitor::Watch& watch) {
  std::string out;
  const monitor::AtRiskSnapshot at_risk = watch.AtRisk();
  std::map<std::string_view, int> by_stage;
  for (const monitor::RiskStage stage :
       {monitor::RiskStage::kHeld, monitor::RiskStage::kNotInClarus, monitor::RiskStage::kNotPicked,
        monitor::RiskStage::kPicking, monitor::RiskStage::kDispatchedNotConfirmed,
        monitor::RiskStage::kConfirmedNotVerified, monitor::RiskStage::kUnshippedOnAmazon}) {
    by_stage[monitor::RiskStageName(stage)] = 0;
  }
  for (const monitor::AtRiskOrder& order : at_risk.orders) {
    ++by_stage[monitor::RiskStageName(order.stage)];
  }
  Header(out, "sellerbridge_at_risk_orders", "gauge",
         "Orders at risk of missing their ship-by deadline or showing unshipped, by stage.");
  for (const auto& [stage, count] : by_stage) {
    out += fmt::format("sellerbridge_at_risk_orders{{stage=\"{}\"}} {}\n", stage, count);
  }
  if (at_risk.as_of.has_value()) {
    Header(out, "sellerbridge_at_risk_check_timestamp_seconds", "gauge",
           "When the at-risk orders were last looked for.");
    out += fmt::format("sellerbridge_at_risk_check_timestamp_seconds {:.3f}\n",
                       Timestamp(*at_risk.as_of));
  }

  std::map<std::pair<std::string, std::string>, int> firing;
  for (const monitor::Alert& alert : watch.Alerts()) {
    ++firing[{alert.rule, std::string(monitor::SeverityName(alert.severity))}];
  }
  Header(out, "sellerbridge_alerts_firing", "gauge", "Alerts firing now, by rule and severity.");
  for (const auto& [key, count] : firing) {
    out += fmt::format("sellerbridge_alerts_firing{{rule=\"{}\",severity=\"{}\"}} {}\n",
                       Escape(key.first), key.second, count);
  }
  const monitor::AlertCounters counters = watch.AlertFigures();
  Header(out, "sellerbridge_alert_notifications_total", "counter",
         "Alert notifications delivered to a target, or refused by it.");
  out += fmt::format(
      "sellerbridge_alert_notifications_total{{outcome=\"sent\"}} {}\n"
      "sellerbridge_alert_notifications_total{{outcome=\"failed\"}} {}\n",
      counters.sent, counters.failed);
  Header(out, "sellerbridge_alert_notifications_pending", "gauge",
         "Alert notifications waiting to be retried.");
  out += fmt::format("sellerbridge_alert_notifications_pending {}\n", counters.pending);

  const std::vector<sync::JobStats> jobs = watch.Jobs();
  Header(out, "sellerbridge_job_runs_total", "counter", "Runs of each job since start.");
  for (const sync::JobStats& job : jobs) {
    out += fmt::format("sellerbridge_job_runs_total{{job=\"{}\"}} {}\n", job.name, job.runs);
  }
  Header(out, "sellerbridge_job_failures_total", "counter", "Failed runs of each job since start.");
  for (const sync::JobStats& job : jobs) {
    out +=
        fmt::format("sellerbridge_job_failures_total{{job=\"{}\"}} {}\n", job.name, job.failures);
  }
  Header(out, "sellerbridge_job_last_success_timestamp_seconds", "gauge",
         "When each job last succeeded.");
  for (const sync::JobStats& job : jobs) {
    if (job.last_success.has_value()) {
      out += fmt::format("sellerbridge_job_last_success_timestamp_seconds{{job=\"{}\"}} {:.3f}\n",
                         job.name, Timestamp(*job.last_success));
    }
  }
  Header(out, "sellerbridge_job_cadence_seconds", "gauge", "How often each job is meant to run.");
  for (const sync::JobStats& job : jobs) {
    out += fmt::format("sellerbridge_job_cadence_seconds{{job=\"{}\"}} {}\n", job.name,
                       Seconds(job.cadence));
  }
  Header(out, "sellerbridge_job_last_duration_seconds", "gauge",
         "How long each job's last run took.");
  for (const sync::JobStats& job : jobs) {
    out += fmt::format("sellerbridge_job_last_duration_seconds{{job=\"{}\"}} {}\n", job.name,
                       Seconds(job.last_duration));
  }

  const auto quota = watch.Quota();
  const auto per_operation = [&](std::string_view name, std::string_view help, auto value) {
    Header(out, name, "counter", help);
    for (const auto& [operation, figures] : quota) {
      out += fmt::format("{}{{api=\"{}\",operation=\"{}\"}} {}\n", name, Escape(operation.api),
                         Escape(operation.operation), value(figures));
    }
  };
  using Counters = amazon::OperationCounters;
  per_operation("sellerbridge_amazon_quota_calls_total", "Calls that asked the broker for a token.",
                [](const Counters& c) { return c.calls; });
  per_operation("sellerbridge_amazon_quota_granted_total", "Tokens the broker handed out.",
                [](const Counters& c) { return c.granted; });
  per_operation("sellerbridge_amazon_quota_waits_total", "Calls that had to wait for a token.",
                [](const Counters& c) { return c.waits; });
  per_operation("sellerbridge_amazon_quota_throttled_total", "429 answers from Amazon.",
                [](const Counters& c) { return c.throttled; });
  per_operation("sellerbridge_amazon_quota_timed_out_total",
                "Calls whose deadline passed before a token came.",
                [](const Counters& c) { return c.timed_out; });
  per_operation("sellerbridge_amazon_quota_wait_seconds_total", "Time spent waiting for tokens.",
                [](const Counters& c) { return Seconds(c.total_wait); });

  const std::vector<monitor::CredentialCheck> credentials = watch.Credentials();
  Header(out, "sellerbridge_credential_ok", "gauge",
         "1 when the system's credentials gave a token at the last check.");
  for (const monitor::CredentialCheck& credential : credentials) {
    out += fmt::format("sellerbridge_credential_ok{{system=\"{}\"}} {}\n", credential.system,
                       credential.failing_since.has_value() ? 0 : 1);
  }
  Header(out, "sellerbridge_token_expiry_timestamp_seconds", "gauge",
         "When the system's current access token expires.");
  for (const monitor::CredentialCheck& credential : credentials) {
    if (credential.token_expires_at.has_value()) {
      out += fmt::format("sellerbridge_token_expiry_timestamp_seconds{{system=\"{}\"}} {:.3f}\n",
                         credential.system, Timestamp(*credential.token_expires_at));
    }
  }
  Header(out, "sellerbridge_client_secret_expiry_timestamp_seconds", "gauge",
         "When the system's client secret stops working (client_secret_expires).");
  for (const monitor::CredentialCheck& credential : credentials) {
    if (credential.secret_expires_at.has_value()) {
      out += fmt::format(
          "sellerbridge_client_secret_expiry_timestamp_seconds{{system=\"{}\"}} {:.3f}\n",
          credential.system, Timestamp(*credential.secret_expires_at));
    }
  }
  return out;
}

}  // namespace sellerbridge::server
