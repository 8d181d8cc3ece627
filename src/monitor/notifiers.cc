#include "monitor/notifiers.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "base/time_format.h"
#include "http/status_mapping.h"

namespace sellerbridge::monitor {
namespace {

using nlohmann::json;

std::string_view Upper(NotificationEvent event) {
  return event == NotificationEvent::kFiring ? "FIRING" : "RESOLVED";
}

// Slack reads &, < and > in mrkdwn as markup; alert text must stay text.
std::string EscapeSlack(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// "since …" and, once resolved, "resolved …".
std::string Times(const Notification& notification) {
  std::string out = fmt::format("since {}", FormatIso8601(notification.alert.since));
  if (notification.resolved_at) {
    out += fmt::format(", resolved {}", FormatIso8601(*notification.resolved_at));
  }
  return out;
}

}  // namespace

std::string_view NotificationEventName(NotificationEvent event) {
  return event == NotificationEvent::kFiring ? "firing" : "resolved";
}

std::string WebhookJsonPayload(const Notification& notification) {
  const Alert& alert = notification.alert;
  json payload = {
      {"source", "sellerbridge"},
      {"event", NotificationEventName(notification.event)},
      {"key", alert.key},
      {"rule", alert.rule},
      {"severity", SeverityName(alert.severity)},
      {"summary", alert.summary},
      {"details", alert.details},
      {"since", FormatIso8601(alert.since)},
      {"resolved_at", nullptr},
  };
  if (notification.resolved_at) {
    payload["resolved_at"] = FormatIso8601(*notification.resolved_at);
  }
  // Replacement characters rather than an exception for text that is not
  // UTF-8 (a reason copied from a remote error).
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string SlackPayload(const Notification& notification) {
  const Alert& alert = notification.alert;
  const bool firing = notification.event == NotificationEvent::kFiring;
  const std::string_view icon =
      !firing ? ":white_check_mark:"
              : (alert.severity == Severity::kCritical ? ":rotating_light:" : ":warning:");
  const std::string headline = fmt::format("{} {}: {}", Upper(notification.event),
                                           SeverityName(alert.severity), alert.summary);
  std::string section = fmt::format("{} *{} ({})* {}", icon, Upper(notification.event),
                                    SeverityName(alert.severity), EscapeSlack(alert.summary));
  if (!alert.details.empty()) {
    section += "\n" + EscapeSlack(alert.details);
  }
  const json payload = {
      {"text", headline},
      {"blocks",
       json::array({
           {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", section}}}},
           {{"type", "context"},
            {"elements",
             json::array(
                 {{{"type", "mrkdwn"},
                   {"text", fmt::format("rule `{}` · key `{}` · {}", EscapeSlack(alert.rule),
                                        EscapeSlack(alert.key), Times(notification))}}})}},
       })},
  };
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

WebhookNotifier::WebhookNotifier(std::string name, config::Secret url, config::WebhookFormat format,
                                 http::HttpClient* client)
    : name_(std::move(name)), url_(std::move(url)), format_(format), client_(client) {}

Status WebhookNotifier::Send(const Notification& notification) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = url_.Reveal();
  request.headers.emplace("Content-Type", "application/json");
  request.body = format_ == config::WebhookFormat::kSlack ? SlackPayload(notification)
                                                          : WebhookJsonPayload(notification);
  Result<http::ClientResponse> response = client_->Send(request);
  if (!response.ok()) {
    // The transport error quotes the URL, which is a secret.
    std::string detail = response.status().message();
    const std::string& url = url_.Reveal();
    for (size_t at = detail.find(url); !url.empty() && at != std::string::npos;
         at = detail.find(url, at)) {
      detail.replace(at, url.size(), "<url>");
    }
    return {response.status().code(),
            fmt::format("webhook {}: the request did not complete: {}", name_, detail)};
  }
  if (response->status >= 200 && response->status < 300) {
    return Status::Ok();
  }
  return http::StatusForHttpStatus(
      response->status, fmt::format("webhook {}: answered HTTP {}", name_, response->status));
}

EmailMessage AlertEmail(const Notification& notification) {
  const Alert& alert = notification.alert;
  EmailMessage message;
  message.subject = fmt::format("[sellerbridge] {} {}: {}", Upper(notification.event),
                                SeverityName(alert.severity), alert.summary);
  message.body = alert.summary + "\n";
  if (!alert.details.empty()) {
    message.body += "\n" + alert.details + "\n";
  }
  message.body += fmt::format("\nRule: {}\nKey: {}\nSeverity: {}\nSince: {}\n", alert.rule,
                              alert.key, SeverityName(alert.severity), FormatIso8601(alert.since));
  if (notification.resolved_at) {
    message.body += fmt::format("Resolved: {}\n", FormatIso8601(*notification.resolved_at));
  }
  return message;
}

EmailNotifier::EmailNotifier(std::unique_ptr<SmtpClient> smtp, std::string from,
                             std::vector<std::string> to)
    : smtp_(std::move(smtp)), from_(std::move(from)), to_(std::move(to)) {}

Status EmailNotifier::Send(const Notification& notification) {
  EmailMessage message = AlertEmail(notification);
  message.from = from_;
  message.to = to_;
  Status status = smtp_->Send(message);
  if (!status.ok()) {
    return status.WithContext(fmt::format("e-mail {}", name_));
  }
  return status;
}

std::vector<std::unique_ptr<Notifier>> MakeNotifiers(const config::AlertsConfig& alerts,
                                                     http::HttpClient* client, Clock* clock) {
  std::vector<std::unique_ptr<Notifier>> notifiers;
  for (const config::WebhookTarget& target : alerts.webhooks) {
    notifiers.push_back(
        std::make_unique<WebhookNotifier>(target.name, target.url, target.format, client));
  }
  if (alerts.email) {
    notifiers.push_back(std::make_unique<EmailNotifier>(
        std::make_unique<SmtpClient>(SmtpOptionsFromConfig(*alerts.email), clock),
        alerts.email->from, alerts.email->to));
  }
  return notifiers;
}

}  // namespace sellerbridge::monitor
