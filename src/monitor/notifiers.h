#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "http/client.h"
#include "monitor/alerts.h"
#include "monitor/smtp_client.h"

// Where alert notifications go: webhooks (generic JSON or Slack-compatible)
// and e-mail.
namespace sellerbridge::monitor {

enum class NotificationEvent { kFiring, kResolved };

// "firing", "resolved".
std::string_view NotificationEventName(NotificationEvent event);

// A change of one alert, as sent to a target.
struct Notification {
  NotificationEvent event = NotificationEvent::kFiring;
  Alert alert;
  std::optional<TimePoint> resolved_at;  // Set for kResolved.
};

// One target of notifications.
class Notifier {
 public:
  virtual ~Notifier() = default;

  // The target's configured name, for logs, errors and metrics. Never its
  // URL or credentials.
  virtual const std::string& Name() const = 0;

  // Delivers `notification`. An error names the target by Name() and says
  // what went wrong, without the URL or credentials; its code tells whether
  // the same delivery may succeed later (see IsRetryable), though the engine
  // retries every failure. Thread-safe.
  virtual Status Send(const Notification& notification) = 0;
};

// The generic JSON payload of `notification`: {"source": "sellerbridge",
// "event", "key", "rule", "severity", "summary", "details", "since",
// "resolved_at"}, times in ISO 8601 UTC, resolved_at null while firing.
std::string WebhookJsonPayload(const Notification& notification);

// The Slack-compatible payload of `notification`: {"text": one line for
// notifications and clients without blocks, "blocks": a section with the
// summary and details, and a context line with rule, key and times}. Text
// from the alert is escaped for Slack's mrkdwn.
std::string SlackPayload(const Notification& notification);

// Posts notifications to a webhook URL, as WebhookJsonPayload() or
// SlackPayload(). Any 2xx answer is success; other answers are errors coded
// as http::StatusForHttpStatus, naming the target and the HTTP status.
// Thread-safe as far as `client` is.
class WebhookNotifier final : public Notifier {
 public:
  // `client` must outlive the notifier.
  WebhookNotifier(std::string name, config::Secret url, config::WebhookFormat format,
                  http::HttpClient* client);

  const std::string& Name() const override { return name_; }
  Status Send(const Notification& notification) override;

 private:
  const std::string name_;
  const config::Secret url_;
  const config::WebhookFormat format_;
  http::HttpClient* const client_;
};

// The e-mail of `notification`, without sender or recipients: the subject
// "[sellerbridge] FIRING critical: <summary>" ("RESOLVED" once resolved),
// and a plain-text body with the summary, details, rule, key and times.
EmailMessage AlertEmail(const Notification& notification);

// Sends each notification as one e-mail (AlertEmail) from `from` to `to`
// through `smtp`. Errors are SmtpClient::Send's, prefixed "e-mail email:".
// Thread-safe.
class EmailNotifier final : public Notifier {
 public:
  // Named "email".
  EmailNotifier(std::unique_ptr<SmtpClient> smtp, std::string from, std::vector<std::string> to);

  const std::string& Name() const override { return name_; }
  Status Send(const Notification& notification) override;

 private:
  const std::string name_ = "email";
  const std::unique_ptr<SmtpClient> smtp_;
  const std::string from_;
  const std::vector<std::string> to_;
};

// The notifiers of [alerts]: one WebhookNotifier per [[alerts.webhooks]], in
// order, then an EmailNotifier if [alerts.email] is set. `client` and `clock`
// must outlive them.
std::vector<std::unique_ptr<Notifier>> MakeNotifiers(const config::AlertsConfig& alerts,
                                                     http::HttpClient* client, Clock* clock);

}  // namespace sellerbridge::monitor
