// The stock flow at scale, at Amazon's default limits: 100,000 SKUs in the
// emulated Clarus and on the emulated Amazon, 5% of them changing per hour,
// on one virtual clock shared by both emulators and sellerbridge (the
// StockSync jobs run on their own threads as the daemon runs them; the clock
// moves on whenever every one of them sleeps).
//
// The SKUs are fast movers (2%), ordinary (18%) and a long tail (80%); the
// changes fall 60% on fast movers, 35% on ordinary SKUs and 5% on the long
// tail, as sales do. Most changes are sales of 1–3 units; 3% are sell-outs to
// zero and 5% deliveries. Stock webhooks have the changes read within
// seconds (the driver reads them every 5 s of virtual time).
//
// After a warm-up (the first publication of every SKU, by JSON_LISTINGS_FEED,
// and velocity classes forming), it reports over the last hour the staleness
// (Clarus change → Amazon accepted the quantity) per lane: p50, p95, p99; the
// calls per operation; and the 429s the broker saw. Exits 1 when a bar is
// missed: p95 under 60 s for zero-outs (the fast lane), under 2 minutes for
// class A, under 20 minutes for everything, and no 429. See RESULTS.md.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "e2e/stock_world.h"

namespace {

namespace e2e = sellerbridge::e2e;
namespace sync = sellerbridge::sync;
using sellerbridge::Duration;
using sellerbridge::TimePoint;
using sellerbridge::VirtualClock;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kBarFastSeconds = 60;
constexpr double kBarClassASeconds = 120;
constexpr double kBarAllSeconds = 20 * 60;
constexpr Duration kReadEvery = seconds{5};

// A job thread on the virtual clock: runs `work`, then sleeps `cadence`.
class Job {
 public:
  Job(VirtualClock* clock, Duration cadence, std::function<void(const std::stop_token&)> work)
      : thread_([clock, cadence, work = std::move(work)](const std::stop_token& stop) {
          while (!stop.stop_requested()) {
            work(stop);
            if (!clock->SleepUntil(clock->Now() + cadence, stop)) {
              return;
            }
          }
        }) {}

 private:
  std::jthread thread_;
};

struct Change {
  TimePoint at;
  int sku = 0;  // 1-based.
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"stock flow benchmark (see bench/RESULTS.md)"};
  int skus = 100000;
  double changing_per_hour = 0.05;
  double warmup_hours = 2;
  double measured_hours = 1;
  std::uint64_t seed = 1;
  app.add_option("--skus", skus, "SKUs in both catalogues")->check(CLI::Range(100, 1000000));
  app.add_option("--changing-per-hour", changing_per_hour, "share of SKUs changing per hour");
  app.add_option("--warmup-hours", warmup_hours, "virtual hours before measuring");
  app.add_option("--measured-hours", measured_hours,
                 "virtual hours measured (the last hour counts)");
  app.add_option("--seed", seed);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    fmt::format("sellerbridge-stock-bench-{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  VirtualClock clock(std::chrono::system_clock::now());

  sellerbridge::config::StockConfig stock;  // The defaults: cadences 1 min, 15 min, 1 h.
  stock.default_policy = {.buffer = sellerbridge::domain::BufferKind::kVelocity, .buffer_units = 1};
  const auto wall_start = std::chrono::steady_clock::now();
  auto created = e2e::StockWorld::Create({.dir = dir,
                                          .clock = &clock,
                                          .seed = seed,
                                          .skus = skus,
                                          .clarus_available = 500,
                                          .amazon_quantity = 0,
                                          .stock = stock});
  if (!created.ok()) {
    fmt::print(stderr, "stock_bench: {}\n", created.status().ToString());
    return 1;
  }
  e2e::StockWorld& world = **created;
  const double setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  // The changes, drawn up front: Poisson arrivals, SKU by class share.
  std::mt19937_64 rng(seed);
  const int fast = std::max(1, skus / 50);
  const int ordinary = skus * 18 / 100;
  const double per_second = changing_per_hour * skus / 3600;
  const TimePoint start = clock.Now();
  const TimePoint measure_from =
      start + std::chrono::duration_cast<Duration>(
                  std::chrono::duration<double, std::ratio<3600>>(warmup_hours));
  const TimePoint end =
      measure_from + std::chrono::duration_cast<Duration>(
                         std::chrono::duration<double, std::ratio<3600>>(measured_hours));
  std::vector<Change> changes;
  {
    std::exponential_distribution<double> gap(per_second);
    std::uniform_real_distribution<double> uniform(0, 1);
    // The first changes come once the start-up snapshot is under way.
    TimePoint at = start + seconds{30};
    while (at < end) {
      at += std::chrono::duration_cast<Duration>(std::chrono::duration<double>(gap(rng)));
      const double draw = uniform(rng);
      int sku = 0;
      if (draw < 0.60) {
        sku = 1 + static_cast<int>(uniform(rng) * fast);
      } else if (draw < 0.95) {
        sku = 1 + fast + static_cast<int>(uniform(rng) * ordinary);
      } else {
        sku = 1 + fast + ordinary + static_cast<int>(uniform(rng) * (skus - fast - ordinary));
      }
      changes.push_back({at, std::min(sku, skus)});
    }
  }

  std::atomic<std::int64_t> publish_errors{0};
  std::atomic<std::int64_t> drift_errors{0};
  std::vector<std::unique_ptr<Job>> jobs;
  auto snapshot = world.Stock().Snapshot({});
  if (!snapshot.ok()) {
    fmt::print(stderr, "stock_bench: snapshot: {}\n", snapshot.status().ToString());
    return 1;
  }
  jobs.push_back(std::make_unique<Job>(&clock, seconds{1}, [&](const std::stop_token& stop) {
    if (!world.Stock().Publish(stop).ok()) {
      ++publish_errors;
    }
  }));
  jobs.push_back(std::make_unique<Job>(&clock, minutes{5}, [&](const std::stop_token& stop) {
    if (!world.Stock().CheckDrift(stop).ok()) {
      ++drift_errors;
    }
  }));
  const int threads = static_cast<int>(jobs.size());

  std::uniform_real_distribution<double> uniform(0, 1);
  std::int64_t zero_outs = 0;
  std::int64_t deliveries = 0;
  std::int64_t refused_moves = 0;
  std::size_t next = 0;
  bool changed = false;
  TimePoint next_read = clock.Now() + kReadEvery;
  while (clock.Now() < end) {
    if (!clock.AwaitSleepers(threads, std::chrono::milliseconds{120000})) {
      fmt::print(stderr, "stock_bench: the jobs did not settle within 2 minutes of real time\n");
      return 1;
    }
    TimePoint to = std::min(next_read, end);
    if (const auto wake = clock.NextWakeup(); wake && *wake < to) {
      to = *wake;
    }
    clock.AdvanceTo(to);
    const TimePoint now = clock.Now();
    for (; next < changes.size() && changes[next].at <= now; ++next) {
      const std::string sku = e2e::StockWorld::Sku(changes[next].sku);
      const std::int64_t available = world.ClarusAvailable(sku).value_or(0);
      const double kind = uniform(rng);
      std::int64_t delta = 0;
      if (kind < 0.03 || available <= 3) {
        delta = available > 0 ? -available : 200;  // Sold out; or restocked.
        zero_outs += available > 0 ? 1 : 0;
      } else if (kind < 0.08) {
        delta = 50 + static_cast<std::int64_t>(uniform(rng) * 150);
        ++deliveries;
      } else {
        delta = -(1 + static_cast<std::int64_t>(uniform(rng) * 3));
      }
      if (!world.AdjustClarus(sku, delta).ok()) {
        ++refused_moves;
      }
      changed = true;
    }
    if (now >= next_read) {
      next_read = now + kReadEvery;
      if (std::exchange(changed, false)) {
        const auto read = world.Stock().ReadChanges({});
        if (!read.ok()) {
          fmt::print(stderr, "stock_bench: reading changes: {}\n", read.status().ToString());
        }
      }
    }
  }
  jobs.clear();
  const double wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  const sync::StockFigures figures = world.Stock().Figures();
  const auto counters = world.GetConnections().broker->Counters();
  std::int64_t throttled = 0;
  fmt::print(
      "stock benchmark: {} SKUs, {:.0f}% changing per hour, {} changes over {:.1f} h "
      "({:.1f} h warm-up), seed {}\n",
      skus, changing_per_hour * 100, changes.size(), warmup_hours + measured_hours, warmup_hours,
      seed);
  fmt::print("  wall time {:.1f} s (set-up {:.1f} s); sell-outs {}, deliveries {}\n", wall_seconds,
             setup_seconds, zero_outs, deliveries);
  fmt::print("  staleness over the last hour, Clarus change -> Amazon accepted (s):\n");
  bool met = true;
  for (int lane = 0; lane < sync::kStockLanes; ++lane) {
    const sync::StalenessFigures& s = figures.staleness[static_cast<std::size_t>(lane)];
    fmt::print("    {:<5} {:>6} samples  p50 {:>7.1f}  p95 {:>7.1f}  p99 {:>7.1f}  max {:>7.1f}\n",
               sync::StockLaneName(static_cast<sync::StockLane>(lane)), s.samples, s.p50, s.p95,
               s.p99, s.max);
  }
  fmt::print("    {:<5} {:>6} samples  p50 {:>7.1f}  p95 {:>7.1f}  p99 {:>7.1f}  max {:>7.1f}\n",
             "all", figures.all.samples, figures.all.p50, figures.all.p95, figures.all.p99,
             figures.all.max);
  fmt::print("  calls per operation (whole run):\n");
  for (const auto& [operation, c] : counters) {
    fmt::print("    {:<28} {:>8} calls  {:>6} waited  {:>4} throttled (429)\n", operation.operation,
               c.calls, c.waits, c.throttled);
    throttled += c.throttled;
  }
  fmt::print(
      "  published: fast {}, a {}, b {}, c {}; patches {}, feeds {} ({} quantities), "
      "stuck feeds {}, drift checks {}, drift found {}, retryable failures {}, "
      "refused {}\n",
      figures.published[0], figures.published[1], figures.published[2], figures.published[3],
      figures.patches, figures.feeds, figures.feed_messages, figures.stuck_feeds,
      figures.drift_checks, figures.drift_found, figures.failures, figures.refused);
  auto verdict = [&](const char* what, double value, double bar) {
    const bool ok = value < bar;
    met = met && ok;
    fmt::print("  {:<40} p95 {:>7.1f} s  (bar < {:.0f} s)  {}\n", what, value, bar,
               ok ? "met" : "MISSED");
  };
  verdict("zero-outs and low stock (fast lane)", figures.staleness[0].p95, kBarFastSeconds);
  verdict("class A", figures.staleness[1].p95, kBarClassASeconds);
  verdict("everything", figures.all.p95, kBarAllSeconds);
  fmt::print("  429s: {} {}\n", throttled, throttled == 0 ? "(bar: 0, met)" : "(bar: 0, MISSED)");
  met = met && throttled == 0 && publish_errors == 0;
  if (publish_errors > 0 || drift_errors > 0 || refused_moves > 0) {
    fmt::print("  errors: publish passes {}, drift passes {}, stock moves refused {}\n",
               publish_errors.load(), drift_errors.load(), refused_moves);
  }
  created->reset();
  std::filesystem::remove_all(dir);
  return met ? 0 : 1;
}
