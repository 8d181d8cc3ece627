#include "cli/demo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>

#include "base/clock.h"
#include "base/time_format.h"
#include "cli/shutdown_signal.h"
#include "config/config.h"
#include "store/store.h"
#include "sync/daemon.h"

namespace sellerbridge::cli {
namespace {

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
  config::Config config;
  config.store.url = "sqlite://" + (*dir / "sellerbridge.db").string();
  int exit_code = 0;
  {
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
    std::optional<std::chrono::milliseconds> timeout;
    if (options.duration_seconds > 0) {
      timeout =
          std::chrono::milliseconds{static_cast<std::int64_t>(options.duration_seconds * 1000)};
      spdlog::info("demo running for {} s (SIGINT stops it sooner)", options.duration_seconds);
    } else {
      spdlog::info("demo running until SIGINT or SIGTERM");
    }
    if (const int signal_number = shutdown.Wait(timeout); signal_number != 0) {
      spdlog::info("signal {} received: finishing the work in hand", signal_number);
    }
    daemon.Stop();
    const auto summary = daemon.Summary();
    if (!summary.ok()) {
      spdlog::error("cannot summarise the demo: {}", summary.status().ToString());
      exit_code = 1;
    } else if (options.json) {
      std::cout << SummaryJson(*summary).dump(2) << "\n";
    } else {
      PrintText(*summary);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(*dir, ec);
  return exit_code;
}

}  // namespace sellerbridge::cli
