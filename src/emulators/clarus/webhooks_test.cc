#include "emulators/clarus/webhooks.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/time_format.h"
#include "http/server.h"

namespace sellerbridge::emulators::clarus {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::seconds;

constexpr auto kWait = std::chrono::seconds{10};

// A webhook receiver on loopback that records what arrives and answers with
// the statuses it is given (then 200).
class Receiver {
 public:
  Receiver() {
    server_.Route("POST", "/hooks/clarus", [this](const http::Request& request) {
      std::lock_guard lock(mu_);
      bodies_.push_back(json::parse(request.body));
      headers_.push_back(request.headers);
      const int status = statuses_.empty() ? 200 : statuses_.front();
      if (!statuses_.empty()) {
        statuses_.erase(statuses_.begin());
      }
      cv_.notify_all();
      return http::Response::Json(status, "{}");
    });
    EXPECT_TRUE(server_.Start("127.0.0.1", 0).ok());
  }

  std::string Url() const {
    return fmt::format("http://127.0.0.1:{}/hooks/clarus", server_.Port());
  }

  void AnswerNext(std::vector<int> statuses) {
    std::lock_guard lock(mu_);
    statuses_ = std::move(statuses);
  }

  // Blocks until `count` requests have arrived (or a generous timeout).
  bool AwaitRequests(std::size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return bodies_.size() >= count; });
  }

  std::vector<json> Bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }

  http::Headers FirstHeaders() {
    std::lock_guard lock(mu_);
    return headers_.at(0);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<json> bodies_;
  std::vector<http::Headers> headers_;
  std::vector<int> statuses_;
  http::Server server_;
};

class WebhookDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WebhookOptions options;
    options.url = receiver_.Url();
    options.automation_id = "42";
    options.retry_delay = seconds{30};
    options.late_delay = hours{2};
    dispatcher_ = std::make_unique<WebhookDispatcher>(options, "acme", &clock_, 3);
    dispatcher_->Start();
  }

  void TearDown() override { dispatcher_->Stop(); }

  // A stock adjustment of `quantity`, so each event is recognisable.
  void Event(std::int64_t quantity) {
    WarehouseEvent event;
    event.kind = WarehouseEvent::Kind::kStockAdjusted;
    event.at = clock_.Now();
    event.product = Product{.id = 1, .account_id = 1, .product_code = "SKU-001"};
    event.balance = StockBalance{
        .id = 1, .product_id = 1, .account_id = 1, .warehouse_id = 1, .available = 10 + quantity};
    event.quantity = quantity;
    event.reason = "count";
    dispatcher_->Enqueue(event);
  }

  std::vector<std::int64_t> Quantities() {
    std::vector<std::int64_t> out;
    for (const json& body : receiver_.Bodies()) {
      out.push_back(body["data"]["quantity"]);
    }
    return out;
  }

  // Waits (bounded) for the dispatcher's counters to satisfy `done`; the
  // dispatcher works on its own thread.
  bool AwaitStats(const std::function<bool(const WebhookStats&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (!done(dispatcher_->Stats())) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      std::this_thread::yield();
    }
    return true;
  }

  VirtualClock clock_{*ParseIso8601("2026-11-27T08:00:00Z")};
  Receiver receiver_;
  std::unique_ptr<WebhookDispatcher> dispatcher_;
};

TEST_F(WebhookDispatcherTest, PostsFullRecordsWithClarusHeaders) {
  Event(5);
  ASSERT_TRUE(receiver_.AwaitRequests(1));
  const json body = receiver_.Bodies()[0];
  EXPECT_EQ(body["resource_name"], "stock");
  EXPECT_EQ(body["event"], "adjusted");
  EXPECT_EQ(body["automation_id"], "42");
  EXPECT_EQ(body["triggered_at"], "2026-11-27T08:00:00.000Z");
  EXPECT_EQ(body["data"]["product_code"], "SKU-001");
  EXPECT_EQ(body["data"]["available"], 15);
  const http::Headers headers = receiver_.FirstHeaders();
  EXPECT_EQ(headers.find("X-ClarusWMS-Subdomain")->second, "acme");
  EXPECT_EQ(headers.find("X-ClarusWMS-Automation-ID")->second, "42");
  EXPECT_NE(headers.find("X-ClarusWMS-Domain"), headers.end());
  EXPECT_NE(headers.find("X-ClarusWMS-API-Domain"), headers.end());
  EXPECT_NE(headers.find("X-ClarusWMS-Integration-ID"), headers.end());
}

TEST_F(WebhookDispatcherTest, DuplicateDeliversTheSameBodyTwice) {
  dispatcher_->ForceNext(DeliveryFault::kDuplicate, 1);
  Event(1);
  ASSERT_TRUE(receiver_.AwaitRequests(2));
  const auto bodies = receiver_.Bodies();
  EXPECT_EQ(bodies[0], bodies[1]);
  EXPECT_TRUE(AwaitStats([](const WebhookStats& s) { return s.delivered == 2; }));
}

TEST_F(WebhookDispatcherTest, OutOfOrderDeliveryArrivesAfterTheNextOne) {
  dispatcher_->ForceNext(DeliveryFault::kOutOfOrder, 1);
  Event(1);
  Event(2);
  ASSERT_TRUE(receiver_.AwaitRequests(2));
  EXPECT_EQ(Quantities(), (std::vector<std::int64_t>{2, 1}));
}

TEST_F(WebhookDispatcherTest, HeldBackDeliveryStillArrivesWhenNothingOvertakesIt) {
  dispatcher_->ForceNext(DeliveryFault::kOutOfOrder, 1);
  Event(1);
  ASSERT_TRUE(AwaitStats([](const WebhookStats& s) { return s.pending == 1; }));
  clock_.Advance(std::chrono::minutes{10});
  dispatcher_->Notify();
  ASSERT_TRUE(receiver_.AwaitRequests(1));
}

TEST_F(WebhookDispatcherTest, LateDeliveryWaitsOnTheEmulatorClock) {
  dispatcher_->ForceNext(DeliveryFault::kLate, 1);
  Event(1);
  Event(2);
  ASSERT_TRUE(receiver_.AwaitRequests(1));
  EXPECT_EQ(dispatcher_->Stats().pending, 1);
  EXPECT_EQ(Quantities(), std::vector<std::int64_t>{2});
  clock_.Advance(hours{2});
  dispatcher_->Notify();
  ASSERT_TRUE(receiver_.AwaitRequests(2));
  EXPECT_EQ(Quantities(), (std::vector<std::int64_t>{2, 1}));
}

TEST_F(WebhookDispatcherTest, DroppedDeliveryNeverArrives) {
  dispatcher_->ForceNext(DeliveryFault::kDrop, 1);
  Event(1);
  Event(2);
  // Deliveries go in order, so once the second has arrived the first is gone for good.
  ASSERT_TRUE(receiver_.AwaitRequests(1));
  EXPECT_EQ(Quantities(), std::vector<std::int64_t>{2});
  const WebhookStats stats = dispatcher_->Stats();
  EXPECT_EQ(stats.dropped, 1);
  EXPECT_EQ(stats.pending, 0);
  EXPECT_EQ(stats.events, 2);
}

TEST_F(WebhookDispatcherTest, ReceiverErrorsAreRetriedAfterTheRetryDelay) {
  receiver_.AnswerNext({500, 503});
  Event(7);
  ASSERT_TRUE(receiver_.AwaitRequests(1));
  ASSERT_TRUE(AwaitStats([](const WebhookStats& s) { return s.retried == 1; }));
  clock_.Advance(seconds{30});
  dispatcher_->Notify();
  ASSERT_TRUE(receiver_.AwaitRequests(2));
  ASSERT_TRUE(AwaitStats([](const WebhookStats& s) { return s.retried == 2; }));
  clock_.Advance(seconds{30});
  dispatcher_->Notify();
  ASSERT_TRUE(receiver_.AwaitRequests(3));
  ASSERT_TRUE(AwaitStats([](const WebhookStats& s) { return s.delivered == 1; }));
  EXPECT_EQ(Quantities(), (std::vector<std::int64_t>{7, 7, 7}));
}

TEST_F(WebhookDispatcherTest, GivesUpAfterMaxAttemptsOrAClientError) {
  WebhookOptions options = dispatcher_->Options();
  options.max_attempts = 1;
  dispatcher_->SetOptions(options);
  receiver_.AnswerNext({500, 404});
  Event(1);
  Event(2);
  ASSERT_TRUE(receiver_.AwaitRequests(2));
  EXPECT_TRUE(AwaitStats([](const WebhookStats& s) { return s.abandoned == 2 && s.pending == 0; }));
}

TEST_F(WebhookDispatcherTest, RatesFromTheSeedDecideFaults) {
  WebhookOptions options = dispatcher_->Options();
  options.drop_rate = 1;
  dispatcher_->SetOptions(options);
  for (int i = 0; i < 5; ++i) {
    Event(i);
  }
  EXPECT_EQ(dispatcher_->Stats().dropped, 5);
}

}  // namespace
}  // namespace sellerbridge::emulators::clarus
