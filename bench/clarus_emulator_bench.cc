// Drives 1,000 goods-outs through the whole Clarus warehouse cycle (create
// over REST, allocate, pick, pack, carrier collection, completion) on a
// VirtualClock advanced by this driver, then checks the outcome through
// GraphQL paging. Prints the wall time taken.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/time_format.h"
#include "emulators/clarus/clarus_emulator.h"

namespace {

using nlohmann::json;
using sellerbridge::emulators::clarus::ClarusEmulator;
using sellerbridge::emulators::clarus::ClarusEmulatorOptions;
using sellerbridge::emulators::clarus::Scenario;

constexpr int kOrders = 1000;

}  // namespace

int main() {
  sellerbridge::VirtualClock clock(*sellerbridge::ParseIso8601("2026-11-27T08:00:00Z"));
  Scenario scenario = Scenario::Default();
  for (auto& stock : scenario.stock) {
    stock.available = 100000;
  }
  scenario.rates.split_rate = 0.1;
  scenario.rates.multi_parcel_rate = 0.2;
  ClarusEmulatorOptions options;
  options.scenario = scenario;
  options.seed = 42;
  auto created = ClarusEmulator::Create(options, &clock);
  if (!created.ok() || !(*created)->Start("127.0.0.1", 0).ok()) {
    std::fprintf(stderr, "cannot start the emulator\n");
    return 1;
  }
  ClarusEmulator& emulator = **created;
  httplib::Client client("127.0.0.1", emulator.Port());
  // One connection per request: with keep-alive, the server's split
  // header/body writes meet Nagle and delayed ACKs (40 ms a request).
  client.set_tcp_nodelay(true);
  const auto start = std::chrono::steady_clock::now();

  // Tokens last two hours of emulator time, so the reader takes a new one.
  const auto authorise = [&client]() {
    auto reply = client.Post(
        "/oauth/token",
        "grant_type=client_credentials&client_id=emulator-client&client_secret=emulator-secret",
        "application/x-www-form-urlencoded");
    const std::string token = json::parse(reply->body)["access_token"];
    return httplib::Headers{{"Authorization", "Bearer " + token},
                            {"X-Clarus-Subdomain", "sellerbridge-test"}};
  };
  httplib::Headers headers = authorise();
  for (int i = 0; i < kOrders; ++i) {
    const json body = {
        {"data",
         {{"type", "goods_outs"},
          {"attributes",
           {{"reference", "BENCH-" + std::to_string(i)},
            {"account_id", 1},
            {"warehouse_id", 1},
            {"carrier_service_id", 1 + i % 13},
            {"addresses",
             {{{"name", "Buyer"},
               {"address_1", "1 Road"},
               {"postcode", "AB1 2CD"},
               {"country_code", "GB"}}}},
            {"lines_changes",
             {{{"type", "ADD"},
               {"attributes", {{"product_id", 1 + i % 3}, {"order_quantity", 1 + i % 4}}}},
              {{"type", "ADD"},
               {"attributes", {{"product_id", 1 + (i + 1) % 3}, {"order_quantity", 1}}}}}}}}}}};
    auto res = client.Post("/api/goods_outs", headers, body.dump(), "application/vnd.api+json");
    if (!res || res->status != 201) {
      std::fprintf(stderr, "create %d failed\n", i);
      return 1;
    }
    clock.Advance(std::chrono::seconds{5});  // Orders trickle in over 83 minutes.
  }
  const auto created_at = std::chrono::steady_clock::now();

  // Three days of emulator time in ten-minute steps.
  for (int step = 0; step < 3 * 24 * 6; ++step) {
    clock.Advance(std::chrono::minutes{10});
    emulator.Sync();
  }
  const auto simulated_at = std::chrono::steady_clock::now();

  // Read every completed order back, 50 at a time, with its shipments.
  headers = authorise();
  int completed = 0;
  int shipments = 0;
  int pages = 0;
  json after = nullptr;
  for (;;) {
    const json query = {
        {"query",
         "query Done($after: String) { goods_outs { all(first: 50, after: $after, "
         "filter: {status: {eq: \"COMPLETED\"}}) { edges { node { id "
         "goods_out_lines { dispatch_quantity } shipments { packages { tracking_number } } } } "
         "pageInfo { hasNextPage endCursor } } } }"},
        {"variables", {{"after", after}}}};
    auto res = client.Post("/graphql", headers, query.dump(), "application/json");
    const json reply = json::parse(res->body);
    if (!reply.contains("data")) {
      std::fprintf(stderr, "GraphQL: %s\n", res->body.c_str());
      return 1;
    }
    const json page = reply["data"]["goods_outs"]["all"];
    for (const json& edge : page["edges"]) {
      ++completed;
      shipments += static_cast<int>(edge["node"]["shipments"].size());
    }
    ++pages;
    if (!page["pageInfo"]["hasNextPage"].get<bool>()) {
      break;
    }
    after = page["pageInfo"]["endCursor"];
  }
  const auto end = std::chrono::steady_clock::now();
  emulator.Stop();

  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::printf(
      "clarus emulator warehouse cycle: %d goods-outs created, %d COMPLETED "
      "(%d shipments) over 3 days of emulator time\n",
      kOrders, completed, shipments);
  std::printf(
      "wall time: %lld ms total (create over REST %lld ms, simulate %lld ms, "
      "read back in %d GraphQL pages %lld ms)\n",
      static_cast<long long>(ms(end - start)), static_cast<long long>(ms(created_at - start)),
      static_cast<long long>(ms(simulated_at - created_at)), pages,
      static_cast<long long>(ms(end - simulated_at)));
  return completed == kOrders && ms(end - start) < 2000 ? 0 : 1;
}
