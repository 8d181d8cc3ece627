// Amazon emulator throughput and memory, printed as plain text (see RESULTS.md).
//
// 1. Requests per second for a cheap call (Orders v2026-01-01 getOrder) from
//    several keep-alive client threads on loopback, with that operation's rate
//    limit lifted through the emulator's API.
// 2. Peak resident memory (VmHWM) with 100,000 orders held.

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "emulators/amazon/amazon_emulator.h"

namespace {

using sellerbridge::emulators::amazon::AmazonEmulator;
using sellerbridge::emulators::amazon::AmazonEmulatorOptions;

std::string PeakRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return line.substr(6);
    }
  }
  return "unknown";
}

int Throughput(AmazonEmulator& emulator, int threads, std::chrono::seconds duration) {
  const std::vector<std::string> ids = emulator.GenerateOrders(100);
  if (ids.empty() || !emulator.SetRateLimit("getOrder", 1e9, 1'000'000'000).ok()) {
    fmt::print("setup failed\n");
    return 1;
  }
  const std::string token = emulator.IssueAccessToken();
  std::atomic<long> ok{0};
  std::atomic<long> failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", emulator.Port());
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      const httplib::Headers headers = {{"x-amz-access-token", token}};
      size_t i = static_cast<size_t>(t);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto result =
            client.Get("/orders/2026-01-01/orders/" + ids[i++ % ids.size()], headers);
        (result && result->status == 200 ? ok : failed).fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::this_thread::sleep_for(duration);
  stop = true;
  for (std::thread& client : clients) {
    client.join();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("getOrder: {} client threads, {:.1f} s: {} ok, {} failed, {:.0f} requests/s\n",
             threads, seconds, ok.load(), failed.load(), static_cast<double>(ok.load()) / seconds);
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace

int main() {
  sellerbridge::OffsetClock clock(sellerbridge::SystemClock::Get());
  int exit_code = 0;
  {
    AmazonEmulatorOptions options;
    options.worker_threads = 8;
    auto emulator = AmazonEmulator::Create(options, &clock);
    if (!emulator.ok() || !(*emulator)->Start("127.0.0.1", 0).ok()) {
      fmt::print("cannot start the emulator\n");
      return 1;
    }
    exit_code = Throughput(**emulator, 4, std::chrono::seconds(10));
  }
  {
    AmazonEmulatorOptions options;
    options.scenario_toml = R"(
[[catalogue]]
sku = "BENCH-1"
quantity = 100000000
[[catalogue]]
sku = "BENCH-2"
quantity = 100000000
)";
    auto emulator = AmazonEmulator::Create(options, &clock);
    if (!emulator.ok()) {
      fmt::print("cannot create the emulator: {}\n", emulator.status().ToString());
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    const size_t placed = (*emulator)->GenerateOrders(100'000).size();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("orders: {} placed in {:.1f} s; peak RSS (VmHWM):{}\n", placed, seconds, PeakRss());
  }
  return exit_code;
}
