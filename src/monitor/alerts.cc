#include "monitor/alerts.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "base/redact.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "monitor/notifiers.h"

namespace sellerbridge::monitor {
namespace {

using nlohmann::json;

// "3d 4h", "1h 20m", "45m", "30s": to the minute from an hour up, to the
// second below.
std::string Human(Duration d) {
  using std::chrono::duration_cast;
  if (d < Duration::zero()) {
    d = -d;
  }
  const auto total_seconds = duration_cast<std::chrono::seconds>(d).count();
  const auto days = total_seconds / 86400;
  const auto hours = total_seconds % 86400 / 3600;
  const auto minutes = total_seconds % 3600 / 60;
  if (days > 0) {
    return hours > 0 ? fmt::format("{}d {}h", days, hours) : fmt::format("{}d", days);
  }
  if (hours > 0) {
    return minutes > 0 ? fmt::format("{}h {}m", hours, minutes) : fmt::format("{}h", hours);
  }
  if (minutes > 0) {
    return fmt::format("{}m", minutes);
  }
  return fmt::format("{}s", total_seconds);
}

using Alerts = std::map<std::string, Alert, std::less<>>;

// Adds `alert` unless its key is there already: the first word on a subject
// stands.
void Add(Alerts& alerts, Alert alert) {
  std::string key = alert.key;
  alerts.emplace(std::move(key), std::move(alert));
}

void OrdersAtRisk(const AlertRules& rules, const AlertSignals& signals, Alerts& out) {
  std::vector<const AtRiskSignal*> orders;
  for (const AtRiskSignal& order : signals.at_risk_orders) {
    orders.push_back(&order);
  }
  // The earliest deadline speaks for an order listed twice.
  std::stable_sort(orders.begin(), orders.end(), [](const AtRiskSignal* a, const AtRiskSignal* b) {
    return a->deadline < b->deadline;
  });
  for (const AtRiskSignal* order : orders) {
    const Duration left = order->deadline - signals.now;
    if (left > rules.at_risk_within) {
      continue;
    }
    const bool missed = left < Duration::zero();
    Add(out, {.key = fmt::format("order_at_risk:{}", order->amazon_order_id),
              .rule = "order_at_risk",
              .severity = Severity::kCritical,
              .summary = missed ? fmt::format("Order {} ({}) missed its latest ship date {}: {}",
                                              order->amazon_order_id, order->marketplace_id,
                                              FormatIso8601(order->deadline), order->stage)
                                : fmt::format("Order {} ({}) at risk: {}, latest ship date {}",
                                              order->amazon_order_id, order->marketplace_id,
                                              order->stage, FormatIso8601(order->deadline)),
              .details = missed ? fmt::format("Overdue by {}.", Human(left))
                                : fmt::format("Due in {}.", Human(left)),
              .since = order->deadline - rules.at_risk_within});
  }
}

void ConfirmationLatencyRule(const AlertRules& rules, const AlertSignals& signals, Alerts& out) {
  const ConfirmationLatency& latency = signals.confirmation_latency;
  if (!latency.p95 || latency.confirmations < rules.min_confirmations ||
      *latency.p95 <= rules.confirmation_p95) {
    return;
  }
  Add(out, {.key = "confirmation_latency",
            .rule = "confirmation_latency",
            .severity = Severity::kWarning,
            .summary = fmt::format("Confirmation latency p95 {} over the last hour is above {}",
                                   Human(*latency.p95), Human(rules.confirmation_p95)),
            .details = fmt::format("{} confirmations in the window.", latency.confirmations),
            .since = signals.now});
}

void PermanentErrors(const AlertSignals& signals, Alerts& out) {
  for (const PermanentError& error : signals.permanent_errors) {
    Add(out, {.key = fmt::format("permanent_error:{}", error.exception_id),
              .rule = "permanent_error",
              .severity = Severity::kCritical,
              .summary = fmt::format("Permanent error {} on {} (exception {})", error.kind,
                                     error.subject, error.exception_id),
              .details = Redact(error.reason),
              .since = error.first_seen});
  }
}

void StuckFeeds(const AlertSignals& signals, Alerts& out) {
  for (const StuckFeed& feed : signals.stuck_feeds) {
    Add(out, {.key = fmt::format("stuck_feed:{}", feed.feed_id),
              .rule = "stuck_feed",
              .severity = Severity::kCritical,
              .summary = fmt::format("Feed {} ({}) submitted {} is not processed", feed.feed_id,
                                     feed.kind, FormatIso8601(feed.submitted_at)),
              .details = fmt::format("Waiting for {}.", Human(signals.now - feed.submitted_at)),
              .since = feed.submitted_at});
  }
}

void Credentials(const AlertRules& rules, const AlertSignals& signals, Alerts& out) {
  for (const CredentialState& credential : signals.credentials) {
    if (credential.refresh_failing) {
      const TimePoint since = credential.failing_since.value_or(signals.now);
      Add(out, {.key = fmt::format("credential_refresh:{}", credential.system),
                .rule = "credential_refresh",
                .severity = Severity::kCritical,
                .summary = fmt::format("{} credential refresh failing since {}", credential.system,
                                       FormatIso8601(since)),
                .details = Redact(credential.message),
                .since = since});
    }
    if (!credential.expires_at) {
      continue;
    }
    const Duration left = *credential.expires_at - signals.now;
    if (left > rules.credential_expiry_warning) {
      continue;
    }
    const bool expired = left <= Duration::zero();
    Add(out,
        {.key = fmt::format("credential_expiry:{}", credential.system),
         .rule = "credential_expiry",
         .severity = expired ? Severity::kCritical : Severity::kWarning,
         .summary = expired ? fmt::format("{} client secret expired {}", credential.system,
                                          FormatIso8601(*credential.expires_at))
                            : fmt::format("{} client secret expires {}; rotate it",
                                          credential.system, FormatIso8601(*credential.expires_at)),
         .details = expired ? fmt::format("Expired {} ago.", Human(left))
                            : fmt::format("Expires in {}.", Human(left)),
         .since = *credential.expires_at - rules.credential_expiry_warning});
  }
}

void StalledJobs(const AlertRules& rules, const AlertSignals& signals, Alerts& out) {
  for (const sync::JobStats& job : signals.jobs) {
    const std::optional<TimePoint> reference =
        job.last_success ? job.last_success : signals.jobs_started_at;
    if (!reference || job.cadence <= Duration::zero()) {
      continue;
    }
    const Duration limit = job.cadence * rules.job_missed_cadences;
    if (signals.now - *reference <= limit) {
      continue;
    }
    std::string details = fmt::format("{} consecutive failures.", job.consecutive_failures);
    if (!job.last_status.ok()) {
      details += fmt::format(" Last: {}", Redact(job.last_status.ToString()));
    }
    Add(out, {.key = fmt::format("job_stalled:{}", job.name),
              .rule = "job_stalled",
              .severity = Severity::kCritical,
              .summary = job.last_success
                             ? fmt::format("Job {} has not succeeded since {} ({} cadences of {})",
                                           job.name, FormatIso8601(*reference),
                                           rules.job_missed_cadences, Human(job.cadence))
                             : fmt::format("Job {} has not succeeded since the start at {} ({} "
                                           "cadences of {})",
                                           job.name, FormatIso8601(*reference),
                                           rules.job_missed_cadences, Human(job.cadence)),
              .details = std::move(details),
              .since = *reference + limit});
  }
}

json AlertToJson(const Alert& alert) {
  return {{"key", alert.key},
          {"rule", alert.rule},
          {"severity", SeverityName(alert.severity)},
          {"summary", alert.summary},
          {"details", alert.details},
          {"since", FormatIso8601(alert.since)}};
}

// Reads a field that must be a string; throws json::exception otherwise.
std::string Text(const json& object, const char* name) {
  return object.at(name).get<std::string>();
}

TimePoint Time(const json& object, const char* name) {
  Result<TimePoint> time = ParseIso8601(Text(object, name));
  if (!time.ok()) {
    throw json::other_error::create(501, time.status().message(), &object);
  }
  return *time;
}

Alert AlertFromJson(const json& object) {
  const std::string severity = Text(object, "severity");
  if (severity != "warning" && severity != "critical") {
    throw json::other_error::create(501, "unknown severity '" + severity + "'", &object);
  }
  return {.key = Text(object, "key"),
          .rule = Text(object, "rule"),
          .severity = severity == "critical" ? Severity::kCritical : Severity::kWarning,
          .summary = Text(object, "summary"),
          .details = Text(object, "details"),
          .since = Time(object, "since")};
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kCritical ? "critical" : "warning";
}

AlertRules AlertRules::FromConfig(const config::AlertsConfig& alerts) {
  AlertRules rules;
  rules.at_risk_within = alerts.at_risk_within;
  rules.confirmation_p95 = alerts.confirmation_p95;
  rules.job_missed_cadences = alerts.job_missed_cadences;
  rules.credential_expiry_warning = alerts.credential_expiry_warning;
  return rules;
}

std::vector<Alert> ComputeAlerts(const AlertRules& rules, const AlertSignals& signals) {
  Alerts alerts;
  OrdersAtRisk(rules, signals, alerts);
  ConfirmationLatencyRule(rules, signals, alerts);
  PermanentErrors(signals, alerts);
  StuckFeeds(signals, alerts);
  Credentials(rules, signals, alerts);
  StalledJobs(rules, signals, alerts);
  std::vector<Alert> out;
  out.reserve(alerts.size());
  for (auto& [key, alert] : alerts) {
    out.push_back(std::move(alert));
  }
  return out;
}

// A notification waiting for its target.
struct AlertEngine::Delivery {
  std::string target;  // Notifier::Name().
  Notification notification;
};

struct AlertEngine::State {
  std::map<std::string, Alert, std::less<>> firing;  // By key.
  std::deque<Delivery> pending;                      // Oldest first.
  std::string saved;                                 // The JSON last written, to skip rewrites.

  std::string ToJson() const {
    json firing_json = json::array();
    for (const auto& [key, alert] : firing) {
      firing_json.push_back(AlertToJson(alert));
    }
    json pending_json = json::array();
    for (const Delivery& delivery : pending) {
      json entry = {{"target", delivery.target},
                    {"event", NotificationEventName(delivery.notification.event)},
                    {"alert", AlertToJson(delivery.notification.alert)}};
      if (delivery.notification.resolved_at) {
        entry["resolved_at"] = FormatIso8601(*delivery.notification.resolved_at);
      }
      pending_json.push_back(std::move(entry));
    }
    return json{{"version", 1}, {"firing", std::move(firing_json)}, {"pending", pending_json}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
  }

  // Throws json::exception for text that is not a state this code wrote.
  void FromJson(std::string_view text) {
    const json root = json::parse(text);
    for (const json& alert : root.at("firing")) {
      Alert parsed = AlertFromJson(alert);
      std::string key = parsed.key;
      firing.emplace(std::move(key), std::move(parsed));
    }
    for (const json& entry : root.at("pending")) {
      const std::string event = Text(entry, "event");
      if (event != "firing" && event != "resolved") {
        throw json::other_error::create(501, "unknown event '" + event + "'", &entry);
      }
      Delivery delivery{.target = Text(entry, "target"),
                        .notification = {.event = event == "firing" ? NotificationEvent::kFiring
                                                                    : NotificationEvent::kResolved,
                                         .alert = AlertFromJson(entry.at("alert"))}};
      if (entry.contains("resolved_at")) {
        delivery.notification.resolved_at = Time(entry, "resolved_at");
      }
      pending.push_back(std::move(delivery));
    }
  }
};

AlertEngine::AlertEngine(AlertRules rules, Clock* clock, store::Store* store,
                         std::vector<std::unique_ptr<Notifier>> notifiers)
    : rules_(rules), clock_(clock), store_(store), notifiers_(std::move(notifiers)) {}

AlertEngine::~AlertEngine() = default;

Status AlertEngine::LoadLocked() {
  if (state_) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(std::optional<store::Watermark> watermark, txn->FindWatermark(kWatermark));
  auto state = std::make_unique<State>();
  if (watermark) {
    try {
      state->FromJson(watermark->value);
    } catch (const json::exception& error) {
      return DataLossError(
          fmt::format("alerts: watermark {} is not an alert state: {}", kWatermark, error.what()));
    }
    state->saved = watermark->value;
  }
  state_ = std::move(state);
  return Status::Ok();
}

Status AlertEngine::SaveLocked() {
  std::string text = state_->ToJson();
  if (text == state_->saved) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->Begin());
  RETURN_IF_ERROR(txn->SetWatermark(kWatermark, text));
  RETURN_IF_ERROR(txn->Commit());
  state_->saved = std::move(text);
  return Status::Ok();
}

Status AlertEngine::Evaluate(const AlertSignals& signals) {
  std::lock_guard lock(evaluate_mu_);
  RETURN_IF_ERROR(LoadLocked());
  const TimePoint now = clock_->Now();
  State& state = *state_;
  // Changes are made on a copy and kept only once stored, so a store failure
  // leaves nothing half-recorded; the next call computes them again.
  State next{.firing = {}, .pending = state.pending, .saved = state.saved};
  for (Alert& alert : ComputeAlerts(rules_, signals)) {
    const auto it = state.firing.find(alert.key);
    if (it == state.firing.end()) {
      for (const auto& notifier : notifiers_) {
        next.pending.push_back(
            {.target = notifier->Name(),
             .notification = {.event = NotificationEvent::kFiring, .alert = alert}});
      }
    } else {
      // The text may change while it fires; the start stays what was sent.
      alert.since = it->second.since;
    }
    std::string key = alert.key;
    next.firing.emplace(std::move(key), std::move(alert));
  }
  for (const auto& [key, alert] : state.firing) {
    if (next.firing.find(key) != next.firing.end()) {
      continue;
    }
    for (const auto& notifier : notifiers_) {
      next.pending.push_back(
          {.target = notifier->Name(),
           .notification = {
               .event = NotificationEvent::kResolved, .alert = alert, .resolved_at = now}});
    }
  }
  std::swap(state, next);
  if (Status saved = SaveLocked(); !saved.ok()) {
    std::swap(state, next);
    return saved;
  }
  DeliverLocked();
  Status saved = SaveLocked();
  PublishLocked();
  return saved;
}

void AlertEngine::DeliverLocked() {
  std::set<std::string, std::less<>> blocked;  // Targets that failed in this pass.
  auto& pending = state_->pending;
  for (auto it = pending.begin(); it != pending.end();) {
    const auto notifier =
        std::find_if(notifiers_.begin(), notifiers_.end(),
                     [&](const std::unique_ptr<Notifier>& n) { return n->Name() == it->target; });
    if (notifier == notifiers_.end()) {
      // The target left the configuration since the delivery was recorded.
      spdlog::warn("alerts: dropping {} notification of {} for target {}, no longer configured",
                   NotificationEventName(it->notification.event), it->notification.alert.key,
                   it->target);
      it = pending.erase(it);
      continue;
    }
    // A target gets its notifications in order: after a failure, the rest
    // wait for the next pass.
    if (blocked.find(it->target) != blocked.end()) {
      ++it;
      continue;
    }
    const Status status = (*notifier)->Send(it->notification);
    if (status.ok()) {
      sent_.fetch_add(1);
      it = pending.erase(it);
      continue;
    }
    failed_.fetch_add(1);
    spdlog::warn("alerts: {} notification of {} to {} failed, retried at the next evaluation: {}",
                 NotificationEventName(it->notification.event), it->notification.alert.key,
                 it->target, status.ToString());
    blocked.insert(it->target);
    ++it;
  }
}

void AlertEngine::PublishLocked() {
  std::vector<Alert> firing;
  firing.reserve(state_->firing.size());
  for (const auto& [key, alert] : state_->firing) {
    firing.push_back(alert);
  }
  std::lock_guard lock(snapshot_mu_);
  firing_snapshot_ = std::move(firing);
  pending_snapshot_ = static_cast<std::int64_t>(state_->pending.size());
}

std::vector<Alert> AlertEngine::Firing() const {
  std::lock_guard lock(snapshot_mu_);
  return firing_snapshot_;
}

AlertCounters AlertEngine::Counters() const {
  std::lock_guard lock(snapshot_mu_);
  return {.sent = sent_.load(), .failed = failed_.load(), .pending = pending_snapshot_};
}

}  // namespace sellerbridge::monitor
