#include "monitor/watch.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "base/redact.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "monitor/account_health.h"
#include "monitor/notifiers.h"

namespace sellerbridge::monitor {
namespace {

using nlohmann::json;

json OptionalTime(const std::optional<TimePoint>& at) {
  return at.has_value() ? json(FormatIso8601(*at)) : json(nullptr);
}

std::optional<TimePoint> ToTimePoint(const std::optional<std::chrono::year_month_day>& date) {
  if (!date.has_value()) {
    return std::nullopt;
  }
  return TimePoint(std::chrono::sys_days(*date).time_since_epoch());
}

// The 95th percentile of `values` (nearest rank); nullopt when empty.
std::optional<Duration> P95(std::vector<Duration> values) {
  if (values.empty()) {
    return std::nullopt;
  }
  const std::size_t rank = (values.size() * 95 + 99) / 100;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1),
                   values.end());
  return values[rank - 1];
}

}  // namespace

Watch::Watch(const config::Config& config, store::Store* store, Clock* clock,
             sync::Scheduler* scheduler, sync::Connections* remote,
             std::vector<std::unique_ptr<Notifier>> notifiers)
    : config_(config),
      store_(store),
      clock_(clock),
      scheduler_(scheduler),
      remote_(remote),
      alerts_(AlertRules::FromConfig(config.alerts), clock, store, std::move(notifiers)),
      started_(clock->Now()) {}

Status Watch::AddJobs() {
  RETURN_IF_ERROR(scheduler_->AddJob(
      {"monitor", config_.schedules.monitor, [this](const sync::JobContext&) { return Check(); }}));
  // A minute in, so that a restart loop does not ask Amazon for a report each time.
  return scheduler_->AddJob(
      {"account_health", config_.monitor.performance_report_every,
       [this](const sync::JobContext& context) { return FetchAccountHealth(context.stop); },
       std::chrono::minutes{1}});
}

Status Watch::FetchAccountHealth(const std::stop_token& stop) {
  Status first_failure;
  for (const std::string& marketplace : config_.amazon.marketplaces) {
    const Result<FetchedSellerPerformance> fetched =
        FetchSellerPerformance(remote_->reports.get(), store_, clock_, marketplace, {.stop = stop});
    if (!fetched.ok()) {
      spdlog::warn("account health of {}: Amazon's seller performance report: {}", marketplace,
                   fetched.status().ToString());
      if (first_failure.ok()) {
        first_failure = fetched.status();
      }
    }
  }
  return first_failure;
}

Status Watch::Check() {
  const TimePoint now = clock_->Now();
  sync::Connections& remote = *remote_;
  std::vector<CredentialCheck> credentials = {
      CheckCredential("amazon", remote.amazon_tokens.get(), config_.amazon.client_secret_expires),
      CheckCredential("clarus", remote.clarus_tokens.get(), config_.clarus.client_secret_expires)};

  clarus::GoodsOuts* goods_outs = remote.goods_outs.get();
  const GoodsOutStatusReader clarus_status =
      [goods_outs](const std::string& id) -> Result<std::string> {
    ASSIGN_OR_RETURN(clarus::GoodsOutDetail detail, goods_outs->Read(id));
    return detail.status;
  };
  const AtRiskOptions options{.margin = config_.monitor.at_risk_margin,
                              .verify_after = config_.monitor.verify_after};
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> tx, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(std::vector<AtRiskOrder> at_risk,
                   FindAtRiskOrders(*tx, now, options, clarus_status));
  ASSIGN_OR_RETURN(AlertSignals signals, Signals(*tx, now, at_risk, credentials));
  tx.reset();
  {
    std::lock_guard lock(mu_);
    at_risk_ = {.as_of = now, .orders = std::move(at_risk)};
    credentials_ = credentials;
  }
  RETURN_IF_ERROR(Record(signals.jobs, credentials));
  return alerts_.Evaluate(signals);
}

CredentialCheck Watch::CheckCredential(const std::string& system, http::OAuthTokenProvider* tokens,
                                       const std::optional<std::chrono::year_month_day>& expires) {
  CredentialCheck check{.system = system, .secret_expires_at = ToTimePoint(expires)};
  {
    std::lock_guard lock(mu_);
    for (const CredentialCheck& previous : credentials_) {
      if (previous.system == system) {
        check.last_ok = previous.last_ok;
        check.failing_since = previous.failing_since;
      }
    }
  }
  if (tokens == nullptr) {
    return check;
  }
  // A token still valid is returned from the provider's cache: this refreshes only when due.
  const Result<std::string> token = tokens->AccessToken();
  const TimePoint now = clock_->Now();
  if (token.ok()) {
    check.last_ok = now;
    check.failing_since.reset();
  } else {
    check.last_error = Redact(token.status().ToString());
    if (!check.failing_since.has_value()) {
      check.failing_since = now;
    }
  }
  check.token_expires_at = tokens->ExpiresAt();
  return check;
}

Result<AlertSignals> Watch::Signals(store::Transaction& tx, TimePoint now,
                                    const std::vector<AtRiskOrder>& at_risk,
                                    const std::vector<CredentialCheck>& credentials) const {
  AlertSignals signals{.now = now, .jobs_started_at = started_};
  for (const AtRiskOrder& order : at_risk) {
    signals.at_risk_orders.push_back({.amazon_order_id = order.amazon_order_id,
                                      .marketplace_id = order.marketplace_id,
                                      .deadline = order.deadline,
                                      .stage = order.detail});
  }

  // Dispatch → accepted by Amazon, over the last hour.
  ASSIGN_OR_RETURN(std::vector<store::ConfirmationTiming> timings,
                   tx.ListConfirmationTimings(now - std::chrono::hours{1}));
  std::vector<Duration> latencies;
  for (const store::ConfirmationTiming& timing : timings) {
    if (timing.transport != store::ConfirmationTransport::kLabel && timing.accepted_at) {
      latencies.push_back(*timing.accepted_at - timing.shipped_at);
    }
  }
  signals.confirmation_latency = {.p95 = P95(latencies),
                                  .confirmations = static_cast<std::int64_t>(latencies.size())};

  ASSIGN_OR_RETURN(std::vector<store::HeldException> open,
                   tx.ListExceptions({.open_only = true, .limit = 100000}));
  for (const store::HeldException& held : open) {
    signals.permanent_errors.push_back({.exception_id = held.id,
                                        .kind = held.kind,
                                        .subject = held.subject_id,
                                        .reason = held.reason,
                                        .first_seen = held.first_seen});
  }

  ASSIGN_OR_RETURN(std::vector<store::StockFeed> feeds, tx.ListOpenStockFeeds());
  for (const store::StockFeed& feed : feeds) {
    if (now - feed.submitted_at >= config_.stock.feed_stuck_after) {
      signals.stuck_feeds.push_back({.feed_id = feed.feed_id,
                                     .kind = "JSON_LISTINGS_FEED",
                                     .submitted_at = feed.submitted_at});
    }
  }
  // Fulfilment feeds: confirmations still being sent by a feed long after they were queued.
  ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> sending,
                   tx.ListConfirmations({.state = store::ConfirmationState::kSending,
                                         .transport = store::ConfirmationTransport::kFeed,
                                         .limit = 100000}));
  std::map<std::string, TimePoint> feed_since;
  for (const store::OutboxEntry& entry : sending) {
    if (!entry.feed_id.empty()) {
      auto [it, inserted] = feed_since.try_emplace(entry.feed_id, entry.created_at);
      it->second = std::min(it->second, entry.created_at);
    }
  }
  for (const auto& [feed_id, since] : feed_since) {
    if (now - since >= config_.stock.feed_stuck_after) {
      signals.stuck_feeds.push_back(
          {.feed_id = feed_id, .kind = "POST_ORDER_FULFILLMENT_DATA", .submitted_at = since});
    }
  }

  for (const CredentialCheck& credential : credentials) {
    signals.credentials.push_back({.system = credential.system,
                                   .refresh_failing = credential.failing_since.has_value(),
                                   .failing_since = credential.failing_since,
                                   .message = credential.last_error,
                                   .expires_at = credential.secret_expires_at});
  }
  signals.jobs = scheduler_->Stats();
  return signals;
}

Status Watch::Record(const std::vector<sync::JobStats>& jobs,
                     const std::vector<CredentialCheck>& credentials) {
  const TimePoint now = clock_->Now();
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> tx, store_->Begin());
  for (const sync::JobStats& job : jobs) {
    json value = {
        {"cadence_seconds", std::chrono::duration_cast<std::chrono::seconds>(job.cadence).count()},
        {"last_started", OptionalTime(job.last_started)},
        {"runs", job.runs},
        {"failures", job.failures},
        {"last_duration_ms",
         std::chrono::duration_cast<std::chrono::milliseconds>(job.last_duration).count()}};
    if (job.last_success.has_value()) {
      value["last_succeeded"] = FormatIso8601(*job.last_success);
    }
    if (!job.last_status.ok()) {
      value["last_error"] = Redact(job.last_status.ToString());
      if (job.last_started.has_value()) {
        value["last_failed"] = FormatIso8601(*job.last_started);
      }
    }
    RETURN_IF_ERROR(tx->SetWatermark("job:" + job.name, value.dump()));
  }
  for (const CredentialCheck& credential : credentials) {
    json value = json::object();
    if (credential.last_ok.has_value()) {
      value["last_refresh_ok"] = FormatIso8601(*credential.last_ok);
    }
    if (credential.failing_since.has_value()) {
      value["last_failure"] = FormatIso8601(now);
      value["failing_since"] = FormatIso8601(*credential.failing_since);
      value["last_error"] = credential.last_error;
    }
    if (credential.token_expires_at.has_value()) {
      value["token_expires_at"] = FormatIso8601(*credential.token_expires_at);
    }
    if (credential.secret_expires_at.has_value()) {
      value["expires_at"] = FormatIso8601(*credential.secret_expires_at);
    }
    RETURN_IF_ERROR(tx->SetWatermark("credential:" + credential.system, value.dump()));
  }
  return tx->Commit();
}

AtRiskSnapshot Watch::AtRisk() const {
  std::lock_guard lock(mu_);
  return at_risk_;
}

std::vector<Alert> Watch::Alerts() const { return alerts_.Firing(); }

AlertCounters Watch::AlertFigures() const { return alerts_.Counters(); }

std::vector<CredentialCheck> Watch::Credentials() const {
  std::lock_guard lock(mu_);
  return credentials_;
}

std::vector<sync::JobStats> Watch::Jobs() const { return scheduler_->Stats(); }

std::map<amazon::OperationName, amazon::OperationCounters> Watch::Quota() const {
  return remote_->broker->Counters();
}

json AlertToJson(const Alert& alert) {
  return {{"key", alert.key},
          {"rule", alert.rule},
          {"severity", SeverityName(alert.severity)},
          {"summary", alert.summary},
          {"details", alert.details},
          {"since", FormatIso8601(alert.since)}};
}

json JobToJson(const sync::JobStats& job, TimePoint now) {
  const auto seconds = [](Duration d) { return std::chrono::duration<double>(d).count(); };
  const bool late =
      job.last_success.has_value() ? now - *job.last_success > 3 * job.cadence : job.runs > 0;
  return {{"name", job.name},
          {"cadence_seconds", seconds(job.cadence)},
          {"runs", job.runs},
          {"failures", job.failures},
          {"consecutive_failures", job.consecutive_failures},
          {"last_started", OptionalTime(job.last_started)},
          {"last_success", OptionalTime(job.last_success)},
          {"last_duration_seconds", seconds(job.last_duration)},
          {"last_error",
           job.last_status.ok() ? json(nullptr) : json(Redact(job.last_status.ToString()))},
          {"behind", late}};
}

json CredentialToJson(const CredentialCheck& credential) {
  return {{"system", credential.system},
          {"ok", !credential.failing_since.has_value()},
          {"last_ok", OptionalTime(credential.last_ok)},
          {"failing_since", OptionalTime(credential.failing_since)},
          {"last_error", credential.last_error},
          {"token_expires_at", OptionalTime(credential.token_expires_at)},
          {"client_secret_expires_at", OptionalTime(credential.secret_expires_at)}};
}

}  // namespace sellerbridge::monitor
