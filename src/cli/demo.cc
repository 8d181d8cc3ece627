#include "cli/demo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>

#include "base/clock.h"
#include "base/time_format.h"
#include "cli/shutdown_signal.h"
#include "config/config.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/clarus/clarus_emulator.h"
#include "store/store.h"
#include "sync/daemon.h"

namespace sellerbridge::cli {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
namespace clarus_emulator = ::sellerbridge::emulators::clarus;

// The emulated seller: a UK and a DE marketplace, a busy day's orders (about
// one every two seconds), Prime and standard service levels.
constexpr std::string_view kDemoAmazonScenario = R"toml(
marketplace_ids = ["A1F83G8C2ARO7P", "A1PA6795UKMFR9"]

[generator]
enabled = true
orders_per_day = 40000
prime_share = 0.25
buyer_cancel_share = 0.02
pending_seconds = 20
service_levels = [{ name = "Std UK Dom_1", category = "Standard", share = 0.7 },
                  { name = "NextDay UK Dom_1", category = "NextDay", share = 0.3 }]
)toml";

// What the two emulated systems hold now.
struct EmulatedWorld {
  std::map<std::string, std::int64_t> amazon_orders_by_status;
  std::int64_t amazon_orders = 0;
  amazon_emulator::AccountHealth health;
  std::int64_t clarus_goods_outs = 0;
  std::int64_t clarus_products = 0;
};

EmulatedWorld Observe(amazon_emulator::AmazonEmulator& amazon,
                      clarus_emulator::ClarusEmulator& clarus) {
  EmulatedWorld world;
  for (const amazon_emulator::Order& order : amazon.Orders()) {
    ++world.amazon_orders_by_status[std::string(amazon_emulator::OrderStatusName(order.status))];
    ++world.amazon_orders;
  }
  world.health = amazon.Health();
  clarus.GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    world.clarus_goods_outs = static_cast<std::int64_t>(state.goods_outs.size());
    world.clarus_products = static_cast<std::int64_t>(state.products.size());
  });
  return world;
}

nlohmann::json WorldJson(const EmulatedWorld& world) {
  const auto rate = [](const amazon_emulator::RateMetric& metric) {
    return nlohmann::json{{"numerator", metric.numerator},
                          {"denominator", metric.denominator},
                          {"rate", metric.Rate()}};
  };
  return {
      {"amazon",
       {{"orders_created", world.amazon_orders},
        {"orders_by_status", world.amazon_orders_by_status},
        {"late_shipment_rate_10d", rate(world.health.late_shipment_10d)},
        {"cancel_rate_7d", rate(world.health.cancel_7d)},
        {"valid_tracking_rate_7d", rate(world.health.valid_tracking_7d)}}},
      {"clarus", {{"goods_outs", world.clarus_goods_outs}, {"products", world.clarus_products}}},
  };
}

// A fresh directory for the demo's store, under $TMPDIR.
std::optional<std::filesystem::path> MakeTempDir() {
  std::error_code ec;
  const std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) {
    return std::nullopt;
  }
  std::string pattern = (base / "sellerbridge-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return std::nullopt;
  }
  return std::filesystem::path(pattern);
}

nlohmann::json SummaryJson(const sync::DaemonSummary& summary) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const sync::JobStats& job : summary.jobs) {
    jobs.push_back({
        {"name", job.name},
        {"cadence", FormatDuration(job.cadence)},
        {"runs", job.runs},
        {"failures", job.failures},
        {"last_status", job.last_status.ToString()},
    });
  }
  return {
      {"started", FormatIso8601(summary.started)},
      {"uptime_seconds",
       std::chrono::duration_cast<std::chrono::duration<double>>(summary.uptime).count()},
      {"jobs", jobs},
      {"buyer_records_purged", summary.buyer_records_purged},
      {"store", summary.store_counts},
  };
}

void PrintText(const sync::DaemonSummary& summary) {
  std::cout << fmt::format(
      "sellerbridge demo summary\n  ran {:.1f} s from {}\n",
      std::chrono::duration_cast<std::chrono::duration<double>>(summary.uptime).count(),
      FormatIso8601(summary.started));
  std::cout << "  jobs:\n";
  for (const sync::JobStats& job : summary.jobs) {
    std::cout << fmt::format("    {:<16} every {:<6} {:>6} runs {:>4} failures  last: {}\n",
                             job.name, FormatDuration(job.cadence), job.runs, job.failures,
                             job.last_status.ToString());
  }
  std::cout << "  store:\n";
  for (const auto& [name, count] : summary.store_counts) {
    std::cout << fmt::format("    {:<24} {:>8}\n", name, count);
  }
  std::cout << fmt::format("  buyer records purged: {}\n", summary.buyer_records_purged);
}

}  // namespace

int RunDemo(const DemoOptions& options) {
  // Before any thread starts, so that only this thread takes the signals.
  ShutdownSignal shutdown;
  const std::optional<std::filesystem::path> dir = MakeTempDir();
  if (!dir) {
    spdlog::error("cannot create a temporary directory for the demo store");
    return 1;
  }
  int exit_code = 0;
  {
    auto amazon = amazon_emulator::AmazonEmulator::Create(
        {.scenario_toml = std::string(kDemoAmazonScenario)}, SystemClock::Get());
    auto clarus = clarus_emulator::ClarusEmulator::Create({}, SystemClock::Get());
    if (!amazon.ok() || !clarus.ok()) {
      spdlog::error("cannot create the emulators: {} {}", amazon.status().ToString(),
                    clarus.status().ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    if (const Status a = (*amazon)->Start("127.0.0.1", 0), c = (*clarus)->Start("127.0.0.1", 0);
        !a.ok() || !c.ok()) {
      spdlog::error("cannot start the emulators: {} {}", a.ToString(), c.ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    const std::string amazon_url = "http://127.0.0.1:" + std::to_string((*amazon)->Port());
    spdlog::info("emulated Amazon Seller Central at {} (control API under /_emulator/)",
                 amazon_url);
    spdlog::info("emulated Clarus WMS at {} (control API under /_emulator/)", (*clarus)->BaseUrl());

    config::Config config;
    config.store.url = "sqlite://" + (*dir / "sellerbridge.db").string();
    config.amazon.endpoint = amazon_url;
    config.amazon.lwa_endpoint = amazon_url + "/auth/o2/token";
    config.amazon.seller_id = (*amazon)->GetScenario().seller_id;
    config.amazon.marketplaces = (*amazon)->GetScenario().marketplace_ids;
    config.clarus.api_base = (*clarus)->BaseUrl() + (*clarus)->ApiPrefix();
    config.clarus.graphql_url = (*clarus)->BaseUrl() + "/graphql";
    config.clarus.token_url = (*clarus)->BaseUrl() + "/oauth/token";
    config.clarus.subdomain = (*clarus)->GetScenario().subdomain;

    auto store = store::OpenStore(config.store.url, SystemClock::Get());
    if (!store.ok()) {
      spdlog::error("cannot open the demo store: {}", store.status().ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    spdlog::info("demo store ready at {}", config.store.url);
    sync::Daemon daemon(config, store->get(), SystemClock::Get());
    if (const Status started = daemon.Start(); !started.ok()) {
      spdlog::error("cannot start the demo: {}", started.ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    const auto started_at = std::chrono::steady_clock::now();
    const auto duration =
        std::chrono::milliseconds{static_cast<std::int64_t>(options.duration_seconds * 1000)};
    if (options.duration_seconds > 0) {
      spdlog::info("demo running for {} s (SIGINT stops it sooner)", options.duration_seconds);
    } else {
      spdlog::info("demo running until SIGINT or SIGTERM");
    }
    // Live output: what the two systems hold, every few seconds.
    constexpr auto kReportEvery = std::chrono::seconds{5};
    while (true) {
      std::chrono::milliseconds wait = kReportEvery;
      if (options.duration_seconds > 0) {
        const auto left = duration - std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started_at);
        if (left <= std::chrono::milliseconds::zero()) {
          break;
        }
        wait = std::min(wait, left);
      }
      if (const int signal_number = shutdown.Wait(wait); signal_number != 0) {
        spdlog::info("signal {} received: finishing the work in hand", signal_number);
        break;
      }
      const EmulatedWorld world = Observe(**amazon, **clarus);
      spdlog::info("amazon: {} orders ({}), late shipment rate {:.1f}% · clarus: {} goods-outs",
                   world.amazon_orders, nlohmann::json(world.amazon_orders_by_status).dump(),
                   100 * world.health.late_shipment_10d.Rate(), world.clarus_goods_outs);
    }
    daemon.Stop();
    const EmulatedWorld world = Observe(**amazon, **clarus);
    (*amazon)->Stop();
    (*clarus)->Stop();
    const auto summary = daemon.Summary();
    if (!summary.ok()) {
      spdlog::error("cannot summarise the demo: {}", summary.status().ToString());
      exit_code = 1;
    } else if (options.json) {
      nlohmann::json out = SummaryJson(*summary);
      out.update(WorldJson(world));
      std::cout << out.dump(2) << "\n";
    } else {
      PrintText(*summary);
      std::cout << fmt::format(
          "  emulated amazon: {} orders created, late shipment rate {:.1f}%, cancel rate {:.1f}%\n"
          "  emulated clarus: {} goods-outs, {} products\n",
          world.amazon_orders, 100 * world.health.late_shipment_10d.Rate(),
          100 * world.health.cancel_7d.Rate(), world.clarus_goods_outs, world.clarus_products);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(*dir, ec);
  return exit_code;
}

}  // namespace sellerbridge::cli
