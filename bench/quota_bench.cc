// The quota broker against the Amazon emulator, on one VirtualClock that this
// driver advances whenever every worker is waiting for quota, so Amazon's
// slow rates cost no wall time. Prints plain text (see RESULTS.md).
//
// 1. 2,000 confirmShipment calls at Amazon's documented limit (2/s, burst
//    10): the share of the bucket's capacity used, and the 429s.
// 2. The same with Amazon applying only 1/s: once with x-amzn-RateLimit-Limit
//    reporting it, once without the header, so that the broker has to find
//    the rate from its 429s.
// 3. 300 listings feeds (stock lane) waiting for createFeed (0.0083/s, burst
//    15) when a fulfilment feed (confirmation lane) arrives: how many listings
//    feeds got a token between its arrival and its own.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "amazon/feeds_api.h"
#include "amazon/orders_api.h"
#include "amazon/quota_broker.h"
#include "amazon/rate_limit_table.h"
#include "amazon/restricted_data_tokens.h"
#include "amazon/sp_api_client.h"
#include "base/clock.h"
#include "base/time_format.h"
#include "emulators/amazon/amazon_emulator.h"
#include "http/client.h"
#include "http/oauth_token_provider.h"

namespace {

namespace amazon = sellerbridge::amazon;
namespace emulator = sellerbridge::emulators::amazon;
using sellerbridge::Duration;
using sellerbridge::TimePoint;
using sellerbridge::VirtualClock;

constexpr std::string_view kScenario = R"(
marketplace_ids = ["A1F83G8C2ARO7P"]
[[catalogue]]
sku = "SB-MUG-001"
quantity = 1000000
price = "12.99"
)";

// The emulator and a client stack on one virtual clock.
struct Rig {
  explicit Rig(TimePoint start) : clock(start) {
    auto created = emulator::AmazonEmulator::Create(
        {.seed = 11, .scenario_toml = std::string(kScenario), .worker_threads = 16}, &clock);
    if (!created.ok() || !(*created)->Start("127.0.0.1", 0).ok()) {
      fmt::print(stderr, "cannot start the emulator\n");
      std::exit(1);
    }
    amazon_emulator = std::move(created).value();
    const emulator::Scenario& scenario = amazon_emulator->GetScenario();
    const std::string base = fmt::format("http://127.0.0.1:{}", amazon_emulator->Port());
    tokens = std::make_unique<sellerbridge::http::OAuthTokenProvider>(
        sellerbridge::http::LwaRefreshTokenGrant(base + "/auth/o2/token", scenario.lwa_client_id,
                                                 scenario.lwa_client_secret,
                                                 scenario.refresh_tokens.front()),
        &http, &clock);
    client = std::make_unique<amazon::SpApiClient>(
        amazon::SpApiClientOptions{
            .endpoint = base, .seller_id = scenario.seller_id, .region = "EU", .max_attempts = 20},
        &http, tokens.get(), &broker, &clock);
    rdts = std::make_unique<amazon::RestrictedDataTokens>(client.get(), &clock);
  }

  // Runs `work(i)` for i in [0, count) on `threads` threads, advancing the
  // clock to the next wake-up whenever every running thread sleeps on it.
  void Run(int count, int threads, const std::function<void(int)>& work) {
    std::atomic<int> next{0};
    std::atomic<int> running{threads};
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int i = next++; i < count; i = next++) {
          work(i);
        }
        --running;
      });
    }
    // A thread woken by another (a token handed on) can still be listed as
    // asleep for a moment; so the state must hold still for a millisecond of
    // real time before the clock moves, and a wake-up more than an hour away
    // (a waiter behind others sleeps until its deadline) is never jumped to.
    while (running.load() > 0) {
      const int waiting_for = running.load();
      if (!clock.AwaitSleepers(waiting_for, std::chrono::milliseconds{2})) {
        continue;
      }
      const auto wake = clock.NextWakeup();
      std::this_thread::sleep_for(std::chrono::microseconds{500});
      if (!wake || clock.Sleepers() < running.load() || clock.NextWakeup() != wake ||
          *wake > clock.Now() + std::chrono::hours{1}) {
        continue;
      }
      clock.AdvanceTo(*wake);
    }
    for (std::thread& worker : workers) {
      worker.join();
    }
  }

  VirtualClock clock;
  std::unique_ptr<emulator::AmazonEmulator> amazon_emulator;
  sellerbridge::http::CurlHttpClient http;
  amazon::QuotaBroker broker{&clock, amazon::DocumentedRateLimits()};
  std::unique_ptr<sellerbridge::http::OAuthTokenProvider> tokens;
  std::unique_ptr<amazon::SpApiClient> client;
  std::unique_ptr<amazon::RestrictedDataTokens> rdts;
};

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

const TimePoint kStart = *sellerbridge::ParseIso8601("2026-11-27T09:00:00Z");

struct ConfirmResult {
  int confirmed = 0;
  int failed = 0;
  std::int64_t throttled = 0;
  double virtual_seconds = 0;
  double wall_seconds = 0;
  double final_rate = 0;
};

// Confirms `count` orders, one package each, on 4 threads.
ConfirmResult ConfirmOrders(int count, std::optional<double> real_rate, bool reported) {
  Rig rig(kStart);
  if (real_rate &&
      !rig.amazon_emulator->SetRateLimit("confirmShipment", *real_rate, 10, reported).ok()) {
    std::exit(1);
  }
  std::vector<emulator::Order> orders;
  orders.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    emulator::NewOrder order;
    order.lines.push_back({.sku = "SB-MUG-001", .quantity = 1, .order_item_id = std::nullopt});
    auto id = rig.amazon_emulator->AddOrder(order);
    orders.push_back(*rig.amazon_emulator->GetOrder(*id));
  }
  amazon::OrdersApi api(rig.client.get(), rig.rdts.get());
  std::atomic<int> confirmed{0};
  std::atomic<int> failed{0};
  std::mutex mu;
  TimePoint last_done = kStart;
  const auto wall_start = std::chrono::steady_clock::now();
  rig.Run(count, 4, [&](int i) {
    const emulator::Order& order = orders[static_cast<std::size_t>(i)];
    amazon::ShipmentConfirmation confirmation{.marketplace_id = order.marketplace_id,
                                              .package_reference_id = "1",
                                              .carrier_code = "Royal Mail",
                                              .shipping_method = "Tracked 48",
                                              .tracking_number = fmt::format("AB{:09d}GB", i),
                                              .ship_date = rig.clock.Now(),
                                              .items = {{order.lines[0].order_item_id, 1}}};
    const sellerbridge::Status status =
        api.ConfirmShipment(order.order_id, confirmation, {.lane = amazon::Lane::kConfirmation});
    (status.ok() ? confirmed : failed)++;
    if (!status.ok()) {
      fmt::print(stderr, "{}\n", status.ToString());
    }
    std::lock_guard lock(mu);
    last_done = std::max(last_done, rig.clock.Now());
  });
  ConfirmResult result;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  result.confirmed = confirmed;
  result.failed = failed;
  result.virtual_seconds = Seconds(last_done - kStart);
  const auto counters = rig.broker.Counters().at({"Orders v0", "confirmShipment"});
  result.throttled = counters.throttled;
  result.final_rate = rig.broker
                          .Snapshot({rig.amazon_emulator->GetScenario().seller_id, "EU",
                                     "Orders v0", "confirmShipment"})
                          ->rate_per_second;
  return result;
}

void PrintConfirm(std::string_view title, const ConfirmResult& r, double rate, int burst,
                  int count) {
  const double ideal = (count - burst) / rate;
  fmt::print(
      "{}\n  confirmed {} failed {} | 429s {} ({:.2f}% of calls) | {:.0f} s of Amazon time, the "
      "bucket allows {:.0f} s: {:.1f}% of the quota used | broker rate at the end {:.3f}/s | wall "
      "{:.1f} s\n",
      title, r.confirmed, r.failed, r.throttled,
      100.0 * static_cast<double>(r.throttled) / static_cast<double>(r.confirmed + r.throttled),
      r.virtual_seconds, ideal, 100.0 * ideal / r.virtual_seconds, r.final_rate, r.wall_seconds);
}

// 300 listings feeds queue for createFeed; then a fulfilment feed arrives.
void FeedPriority() {
  Rig rig(kStart);
  amazon::FeedsApi feeds(rig.client.get(), &rig.http);
  constexpr int kListingFeeds = 300;
  std::mutex mu;
  std::vector<std::pair<TimePoint, std::string>> submitted;  // Virtual time of createFeed's answer.
  std::atomic<int> failed{0};
  const std::string listings_feed =
      R"({"header":{"sellerId":"A2EMULATORSELLER","version":"2.0","issueLocale":"en_GB"},)"
      R"("messages":[{"messageId":1,"sku":"SB-MUG-001","operationType":"PATCH","productType":"PRODUCT",)"
      R"("patches":[{"op":"replace","path":"/attributes/fulfillment_availability",)"
      R"("value":[{"fulfillment_channel_code":"DEFAULT","quantity":5}]}]}]})";
  std::optional<TimePoint> fulfilment_arrived;
  std::optional<TimePoint> fulfilment_granted;
  int queued_at_arrival = 0;
  rig.Run(kListingFeeds + 1, kListingFeeds + 1, [&](int i) {
    if (i == kListingFeeds) {
      // Arrives once most listings feeds wait for createFeed (the others
      // still wait for createFeedDocument, or have been submitted).
      int queued = 0;
      for (int second = 0; second < 24 * 3600; ++second) {
        queued = rig.broker.Snapshot({"A2EMULATORSELLER", "EU", "Feeds 2021-06-30", "createFeed"})
                     .value_or(amazon::BucketSnapshot{})
                     .waiting;
        if (queued >= kListingFeeds / 2) {
          break;
        }
        rig.clock.SleepUntil(rig.clock.Now() + std::chrono::seconds{1}, {});
      }
      {
        std::lock_guard lock(mu);
        fulfilment_arrived = rig.clock.Now();
        queued_at_arrival = queued;
      }
      const std::string xml =
          R"(<?xml version="1.0" encoding="UTF-8"?>)"
          R"(<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion>)"
          R"(<MerchantIdentifier>A2EMULATORSELLER</MerchantIdentifier></Header>)"
          R"(<MessageType>OrderFulfillment</MessageType></AmazonEnvelope>)";
      auto id = feeds.Submit("POST_ORDER_FULFILLMENT_DATA", {"A1F83G8C2ARO7P"}, xml,
                             "text/xml; charset=UTF-8", {.lane = amazon::Lane::kConfirmation});
      std::lock_guard lock(mu);
      if (!id.ok()) {
        fmt::print(stderr, "fulfilment feed: {}\n", id.status().ToString());
        ++failed;
        return;
      }
      fulfilment_granted = rig.clock.Now();
      submitted.emplace_back(rig.clock.Now(), "fulfilment");
      return;
    }
    auto id = feeds.Submit("JSON_LISTINGS_FEED", {"A1F83G8C2ARO7P"}, listings_feed,
                           "application/json; charset=UTF-8", {.lane = amazon::Lane::kStock});
    std::lock_guard lock(mu);
    if (!id.ok()) {
      ++failed;
      return;
    }
    submitted.emplace_back(rig.clock.Now(), "listings");
  });
  int listings_between = 0;
  for (const auto& [when, kind] : submitted) {
    if (kind == "listings" && fulfilment_arrived && fulfilment_granted &&
        when > *fulfilment_arrived && when < *fulfilment_granted) {
      ++listings_between;
    }
  }
  const auto counters = rig.broker.Counters().at({"Feeds 2021-06-30", "createFeed"});
  fmt::print(
      "300 listings feeds, then a fulfilment feed while {} of them wait for createFeed\n  listings "
      "feeds submitted between its arrival and its own createFeed: {} | it waited {:.0f} s of "
      "Amazon time (one token "
      "is {:.0f} s) | feeds submitted {} failed {} | createFeed 429s {}\n",
      queued_at_arrival, listings_between,
      fulfilment_arrived && fulfilment_granted ? Seconds(*fulfilment_granted - *fulfilment_arrived)
                                               : -1.0,
      1 / 0.0083, submitted.size(), failed.load(), counters.throttled);
}

}  // namespace

int main(int argc, char** argv) {
  const bool feeds_only = argc > 1 && std::string_view(argv[1]) == "feeds";
  if (!feeds_only) {
    constexpr int kCalls = 2000;
    PrintConfirm("confirmShipment x2000 at the documented 2/s, burst 10",
                 ConfirmOrders(kCalls, std::nullopt, true), 2, 10, kCalls);
    PrintConfirm("confirmShipment x2000, Amazon applies 1/s and reports it",
                 ConfirmOrders(kCalls, 1.0, true), 1, 10, kCalls);
    PrintConfirm("confirmShipment x2000, Amazon applies 1/s without x-amzn-RateLimit-Limit",
                 ConfirmOrders(kCalls, 1.0, false), 1, 10, kCalls);
  }
  FeedPriority();
  return 0;
}
