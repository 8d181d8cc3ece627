#include "cli/cli.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "cli/audit_command.h"
#include "cli/demo.h"
#include "cli/exceptions_command.h"
#include "cli/finance_command.h"
#include "cli/mapping_command.h"
#include "cli/shutdown_signal.h"
#include "cli/tokens_command.h"
#include "config/config.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/clarus/clarus_emulator.h"
#include "finance/settlements.h"
#include "monitor/notifiers.h"
#include "monitor/watch.h"
#include "server/api_server.h"
#include "store/store.h"
#include "sync/daemon.h"
#include "sync/exception_desk.h"

#ifndef SELLERBRIDGE_VERSION
#error "SELLERBRIDGE_VERSION must be defined by the build"
#endif

namespace sellerbridge::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

struct GlobalOptions {
  std::string log_format;
  std::string log_level;
};

// Sets up logging from the command line, falling back to `fallback` for what
// the command line leaves out. Returns false (having said why) on a bad value.
bool SetUpLogging(const GlobalOptions& options, const config::LoggingConfig& fallback) {
  LogFormat format = fallback.format;
  spdlog::level::level_enum level = fallback.level;
  if (!options.log_format.empty()) {
    const auto parsed = ParseLogFormat(options.log_format);
    if (!parsed.ok()) {
      std::cerr << "sellerbridge: --log-format: " << parsed.status().message() << "\n";
      return false;
    }
    format = *parsed;
  }
  if (!options.log_level.empty()) {
    const auto parsed = ParseLogLevel(options.log_level);
    if (!parsed.ok()) {
      std::cerr << "sellerbridge: --log-level: " << parsed.status().message() << "\n";
      return false;
    }
    level = *parsed;
  }
  InitLogging(format, level);
  return true;
}

int CheckConfig(const std::string& path) {
  const config::LoadedConfig loaded = config::LoadConfigFile(path);
  if (loaded.problems.empty()) {
    std::cout << path << ": OK\n";
    return kExitOk;
  }
  for (const config::ConfigProblem& problem : loaded.problems) {
    std::cerr << config::FormatProblem(problem) << "\n";
  }
  std::cerr << fmt::format("{}: {} problem{}\n", path, loaded.problems.size(),
                           loaded.problems.size() == 1 ? "" : "s");
  return kExitBadInput;
}

// The watch's jobs, and the refresh of /metrics's store-derived part every 15 seconds, so that
// a scrape never waits on the store.
Status AddMonitorJobs(monitor::Watch& watch, server::ApiServer& api, sync::Scheduler& scheduler) {
  RETURN_IF_ERROR(watch.AddJobs());
  return scheduler.AddJob({"metrics", std::chrono::seconds{15},
                           [&api](const sync::JobContext&) { return api.RefreshMetrics(); }});
}

// The finance job: settlement reports from Amazon into journals, posted to every sink.
Status AddFinanceJob(const config::Config& config, finance::SettlementBook& book,
                     sync::Scheduler& scheduler) {
  return scheduler.AddJob(
      {"settlements", config.schedules.settlements,
       [&book](const sync::JobContext& context) { return book.RunOnce(context.stop).status(); },
       std::chrono::seconds{30}});
}

std::vector<std::unique_ptr<finance::JournalSink>> MakeJournalSinks(
    const config::FinanceConfig& config, http::HttpClient* http) {
  std::vector<std::unique_ptr<finance::JournalSink>> sinks;
  for (const config::JournalSinkConfig& sink : config.sinks) {
    sinks.push_back(std::make_unique<finance::JournalSink>(sink, http));
  }
  return sinks;
}

int Run(const std::string& path, const GlobalOptions& options) {
  const config::LoadedConfig loaded = config::LoadConfigFile(path);
  if (!loaded.problems.empty()) {
    for (const config::ConfigProblem& problem : loaded.problems) {
      std::cerr << config::FormatProblem(problem) << "\n";
    }
    return kExitBadInput;
  }
  if (!SetUpLogging(options, loaded.config.logging)) {
    return kExitBadInput;
  }
  // Before any thread starts, so that only the main thread takes the signals.
  ShutdownSignal shutdown;
  auto store = store::OpenStore(loaded.config.store.url, SystemClock::Get());
  if (!store.ok()) {
    spdlog::error("cannot open the store: {}", store.status().ToString());
    return store.status().code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
  }
  sync::Daemon daemon(loaded.config, store->get(), SystemClock::Get());
  sync::ExceptionDesk exceptions(store->get(), SystemClock::Get());
  sync::Connections& remote = daemon.Remote();
  monitor::Watch watch(
      loaded.config, store->get(), SystemClock::Get(), &daemon.JobScheduler(), &remote,
      monitor::MakeNotifiers(loaded.config.alerts, remote.http.get(), SystemClock::Get()));
  server::ApiServer api(loaded.config.server, store->get(), &daemon.Mappings(), &exceptions);
  api.AcceptClarusAutomations(&daemon.Intake());
  if (daemon.Stock() != nullptr) {
    api.ExportStock(daemon.Stock());
    api.ExportStockPolicies(loaded.config.stock);
  }
  api.ExportWatch(&watch, loaded.config.amazon.marketplaces);
  api.AddReadinessCheck("amazon",
                        [&remote] { return remote.amazon_tokens->AccessToken().status(); });
  api.AddReadinessCheck("clarus",
                        [&remote] { return remote.clarus_tokens->AccessToken().status(); });
  if (const Status added = AddMonitorJobs(watch, api, daemon.JobScheduler()); !added.ok()) {
    spdlog::error("cannot set up the monitor: {}", added.ToString());
    return kExitFailure;
  }
  finance::SettlementBook settlements(loaded.config.finance, store->get(), SystemClock::Get(),
                                      remote.reports.get(),
                                      MakeJournalSinks(loaded.config.finance, remote.http.get()));
  if (const Status added = AddFinanceJob(loaded.config, settlements, daemon.JobScheduler());
      !added.ok()) {
    spdlog::error("cannot set up the settlements job: {}", added.ToString());
    return kExitFailure;
  }
  api.ExportFinance(&settlements, loaded.config.finance);
  if (const Status listening = api.Start(loaded.config.server.listen, loaded.config.server.port);
      !listening.ok()) {
    spdlog::error("cannot serve the HTTP API on {} port {}: {}", loaded.config.server.listen,
                  loaded.config.server.port, listening.ToString());
    return kExitFailure;
  }
  spdlog::info("HTTP API on {} port {} (/healthz, /api/v1/{})", loaded.config.server.listen,
               api.Port(),
               loaded.config.server.webhook_token.empty() ? "" : ", /hooks/clarus/<webhook token>");
  if (const Status started = daemon.Start(); !started.ok()) {
    spdlog::error("cannot start: {}", started.ToString());
    api.Stop();
    return kExitFailure;
  }
  spdlog::info("sellerbridge {} running (config {}); SIGINT or SIGTERM stops it",
               SELLERBRIDGE_VERSION, path);
  const int signal_number = shutdown.Wait(std::nullopt);
  spdlog::info("signal {} received: finishing the work in hand", signal_number);
  api.Stop();
  daemon.Stop();
  spdlog::info("stopped cleanly");
  return kExitOk;
}

}  // namespace

int RunCommandLine(int argc, char** argv) {
  CLI::App app{
      "sellerbridge connects a Clarus WMS warehouse to Amazon Seller Central: orders in, "
      "shipment confirmations and stock out, settlements reconciled.",
      "sellerbridge"};
  app.require_subcommand(1);
  GlobalOptions options;
  app.add_option("--log-format", options.log_format, "Log lines as 'text' (default) or 'json'")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", options.log_level,
                 "Least severe level logged: trace, debug, info (default), warn, error, off");

  std::string run_config;
  CLI::App* run =
      app.add_subcommand("run", "Run the daemon with a configuration file until SIGINT or SIGTERM");
  run->add_option("--config", run_config, "The TOML configuration file")
      ->required()
      ->check(CLI::ExistingFile);

  DemoOptions demo_options;
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Run everything on a temporary store, printing what happens, until interrupted or "
      "--duration passes; then print a summary of what flowed");
  demo->add_option("--duration", demo_options.duration_seconds,
                   "Stop after this many seconds (default: run until SIGINT or SIGTERM)")
      ->check(CLI::PositiveNumber);
  demo->add_flag("--json", demo_options.json, "Print the summary as JSON");

  std::string check_path;
  CLI::App* check = app.add_subcommand(
      "check-config",
      "Check a configuration file: exit 0 if it is good, otherwise list every problem with its "
      "line and key and exit 2");
  check->add_option("FILE", check_path, "The TOML configuration file")->required();

  std::string emulate_system;
  int emulate_port = 0;
  std::uint64_t emulate_seed = 1;
  std::string emulate_scenario;
  CLI::App* emulate = app.add_subcommand(
      "emulate",
      "Serve a local emulator of Amazon's Selling Partner API or of Clarus WMS on 127.0.0.1, "
      "for tests and demos, until SIGINT or SIGTERM (see docs/emulators.md)");
  emulate->add_option("SYSTEM", emulate_system, "amazon or clarus")
      ->required()
      ->check(CLI::IsMember({"amazon", "clarus"}));
  emulate->add_option("--port", emulate_port, "TCP port to listen on")
      ->required()
      ->check(CLI::Range(1, 65535));
  emulate->add_option("--seed", emulate_seed, "Seed for every random choice (default 1)");
  emulate->add_option("--scenario", emulate_scenario, "A TOML scenario file")
      ->check(CLI::ExistingFile);

  MappingCommand mapping;
  mapping.AddTo(app);
  ExceptionsCommand exceptions;
  exceptions.AddTo(app);
  AuditCommand audit;
  audit.AddTo(app);
  TokensCommand tokens;
  tokens.AddTo(app);
  FinanceCommand finance;
  finance.AddTo(app);
  ReconcileCommand reconcile;
  reconcile.AddTo(app);

  CLI::App* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  if (version->parsed()) {
    std::cout << "sellerbridge " << SELLERBRIDGE_VERSION << "\n";
    return kExitOk;
  }
  if (check->parsed()) {
    return CheckConfig(check_path);
  }
  if (run->parsed()) {
    return Run(run_config, options);
  }
  if (emulate->parsed()) {
    if (!SetUpLogging(options, config::LoggingConfig{})) {
      return kExitBadInput;
    }
    const std::optional<std::string> scenario =
        emulate_scenario.empty() ? std::nullopt : std::optional<std::string>(emulate_scenario);
    return emulate_system == "amazon"
               ? emulators::amazon::RunAmazonEmulatorCommand(emulate_port, emulate_seed, scenario)
               : emulators::clarus::RunClarusEmulatorCommand(emulate_port, emulate_seed, scenario);
  }
  if (mapping.Parsed()) {
    // Logs go to stderr, warnings and worse unless --log-level says otherwise, so that
    // `mapping export` writes nothing but CSV to stdout.
    if (!SetUpLogging(options, config::LoggingConfig{.level = spdlog::level::warn})) {
      return kExitBadInput;
    }
    return mapping.Run(std::cout, std::cerr);
  }
  if (exceptions.Parsed()) {
    if (!SetUpLogging(options, config::LoggingConfig{.level = spdlog::level::warn})) {
      return kExitBadInput;
    }
    return exceptions.Run(std::cout, std::cerr);
  }
  if (tokens.Parsed()) {
    if (!SetUpLogging(options, config::LoggingConfig{.level = spdlog::level::warn})) {
      return kExitBadInput;
    }
    return tokens.Run(std::cout, std::cerr);
  }
  if (finance.Parsed() || reconcile.Parsed()) {
    if (!SetUpLogging(options, config::LoggingConfig{.level = spdlog::level::warn})) {
      return kExitBadInput;
    }
    return finance.Parsed() ? finance.Run(std::cout, std::cerr)
                            : reconcile.Run(std::cout, std::cerr);
  }
  if (audit.Parsed()) {
    if (!SetUpLogging(options, config::LoggingConfig{.level = spdlog::level::warn})) {
      return kExitBadInput;
    }
    return audit.Run(std::cout, std::cerr);
  }
  if (demo->parsed()) {
    if (!SetUpLogging(options, config::LoggingConfig{})) {
      return kExitBadInput;
    }
    return RunDemo(demo_options);
  }
  return kExitBadInput;
}

}  // namespace sellerbridge::cli
