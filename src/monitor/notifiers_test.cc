#include "monitor/notifiers.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/server.h"
#include "store/store.h"

namespace sellerbridge::monitor {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

const TimePoint kStart = TimePoint{} + hours{24 * 20000};
constexpr std::string_view kSecretPath = "/services/T00/B00/s3cr3t-t0k3n";

Alert FeedAlert() {
  return {.key = "stuck_feed:50012",
          .rule = "stuck_feed",
          .severity = Severity::kCritical,
          .summary = "Feed 50012 (POST_ORDER_FULFILLMENT_DATA) submitted <late> & stuck",
          .details = "Waiting for 45m.",
          .since = kStart};
}

// A loopback webhook receiver: records each POST to kSecretPath, answers
// `status`.
class WebhookNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Route("POST", kSecretPath, [this](const http::Request& request) {
      std::lock_guard lock(mu_);
      bodies_.push_back(request.body);
      content_types_.push_back(request.Header("Content-Type").value_or(""));
      return http::Response::Json(status_, "{}");
    });
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
    url_ = config::Secret(fmt::format("http://127.0.0.1:{}{}", server_.Port(), kSecretPath));
  }

  // The client goes first: a connection it keeps alive would hold Stop up.
  void TearDown() override {
    client_.reset();
    server_.Stop();
  }

  std::vector<json> Received() {
    std::lock_guard lock(mu_);
    std::vector<json> out;
    for (const std::string& body : bodies_) {
      out.push_back(json::parse(body));
    }
    return out;
  }

  http::Server server_;
  std::unique_ptr<http::CurlHttpClient> client_ = std::make_unique<http::CurlHttpClient>();
  config::Secret url_;
  std::mutex mu_;
  int status_ = 200;                        // Guarded by mu_.
  std::vector<std::string> bodies_;         // Guarded by mu_.
  std::vector<std::string> content_types_;  // Guarded by mu_.
};

TEST_F(WebhookNotifierTest, PostsGenericJson) {
  WebhookNotifier notifier("ops", url_, config::WebhookFormat::kJson, client_.get());
  ASSERT_TRUE(notifier.Send({.event = NotificationEvent::kFiring, .alert = FeedAlert()}).ok());
  ASSERT_TRUE(notifier
                  .Send({.event = NotificationEvent::kResolved,
                         .alert = FeedAlert(),
                         .resolved_at = kStart + minutes{90}})
                  .ok());
  const std::vector<json> received = Received();
  ASSERT_THAT(received, SizeIs(2));
  EXPECT_EQ(received[0],
            json({{"source", "sellerbridge"},
                  {"event", "firing"},
                  {"key", "stuck_feed:50012"},
                  {"rule", "stuck_feed"},
                  {"severity", "critical"},
                  {"summary", "Feed 50012 (POST_ORDER_FULFILLMENT_DATA) submitted <late> & stuck"},
                  {"details", "Waiting for 45m."},
                  {"since", "2024-10-04T00:00:00.000Z"},
                  {"resolved_at", nullptr}}));
  EXPECT_EQ(received[1]["event"], "resolved");
  EXPECT_EQ(received[1]["resolved_at"], "2024-10-04T01:30:00.000Z");
  std::lock_guard lock(mu_);
  EXPECT_EQ(content_types_[0], "application/json");
}

TEST_F(WebhookNotifierTest, PostsSlackTextAndBlocksWithEscapedText) {
  WebhookNotifier notifier("slack", url_, config::WebhookFormat::kSlack, client_.get());
  ASSERT_TRUE(notifier.Send({.event = NotificationEvent::kFiring, .alert = FeedAlert()}).ok());
  const std::vector<json> received = Received();
  ASSERT_THAT(received, SizeIs(1));
  const json& message = received[0];
  EXPECT_EQ(message["text"],
            "FIRING critical: Feed 50012 (POST_ORDER_FULFILLMENT_DATA) submitted <late> & stuck");
  ASSERT_TRUE(message["blocks"].is_array());
  ASSERT_THAT(message["blocks"], SizeIs(2));
  EXPECT_EQ(message["blocks"][0]["type"], "section");
  EXPECT_EQ(message["blocks"][0]["text"]["type"], "mrkdwn");
  const std::string section = message["blocks"][0]["text"]["text"];
  EXPECT_THAT(section, HasSubstr("submitted &lt;late&gt; &amp; stuck"));
  EXPECT_THAT(section, HasSubstr("Waiting for 45m."));
  EXPECT_EQ(message["blocks"][1]["type"], "context");
  const std::string context = message["blocks"][1]["elements"][0]["text"];
  EXPECT_THAT(context, HasSubstr("stuck_feed:50012"));
  EXPECT_THAT(context, HasSubstr("since 2024-10-04T00:00:00.000Z"));
}

TEST_F(WebhookNotifierTest, NonSuccessAnswerNamesTheTargetNotTheUrl) {
  {
    std::lock_guard lock(mu_);
    status_ = 500;
  }
  WebhookNotifier notifier("ops-slack", url_, config::WebhookFormat::kSlack, client_.get());
  const Status status = notifier.Send({.event = NotificationEvent::kFiring, .alert = FeedAlert()});
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("ops-slack"));
  EXPECT_THAT(status.message(), HasSubstr("500"));
  EXPECT_THAT(status.message(), Not(HasSubstr("s3cr3t")));
}

TEST_F(WebhookNotifierTest, UnreachableTargetNamesTheTargetNotTheUrl) {
  const int port = server_.Port();
  server_.Stop();
  WebhookNotifier notifier("ops",
                           config::Secret(fmt::format("http://127.0.0.1:{}{}", port, kSecretPath)),
                           config::WebhookFormat::kJson, client_.get());
  const Status status = notifier.Send({.event = NotificationEvent::kFiring, .alert = FeedAlert()});
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("webhook ops"));
  EXPECT_THAT(status.message(), HasSubstr("POST <url>"));
  EXPECT_THAT(status.message(), Not(HasSubstr("s3cr3t")));
}

TEST_F(WebhookNotifierTest, EngineDeliversThroughConfiguredWebhooks) {
  VirtualClock clock(kStart);
  auto store = store::OpenStore("sqlite::memory:", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  config::AlertsConfig alerts;
  alerts.webhooks = {{.name = "json", .url = url_, .format = config::WebhookFormat::kJson},
                     {.name = "slack", .url = url_, .format = config::WebhookFormat::kSlack}};
  AlertEngine engine(AlertRules::FromConfig(alerts), &clock, store->get(),
                     MakeNotifiers(alerts, client_.get(), &clock));
  AlertSignals signals;
  signals.now = kStart;
  signals.stuck_feeds = {{.feed_id = "7", .kind = "JSON_LISTINGS_FEED", .submitted_at = kStart}};
  ASSERT_TRUE(engine.Evaluate(signals).ok());
  const std::vector<json> received = Received();
  ASSERT_THAT(received, SizeIs(2));
  EXPECT_EQ(received[0]["key"], "stuck_feed:7");
  EXPECT_THAT(received[1]["text"].get<std::string>(), HasSubstr("FIRING"));
  EXPECT_EQ(engine.Counters().sent, 2);
}

TEST(MakeNotifiersTest, NoTargetsWithoutWebhooksOrEmail) {
  http::CurlHttpClient client;
  VirtualClock clock(kStart);
  EXPECT_THAT(MakeNotifiers(config::AlertsConfig{}, &client, &clock), IsEmpty());
}

}  // namespace
}  // namespace sellerbridge::monitor
