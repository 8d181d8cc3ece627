#include "emulators/clarus/clarus_emulator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <thread>

#include "base/status_macros.h"
#include "emulators/clarus/auth.h"
#include "emulators/clarus/control_api.h"
#include "emulators/clarus/graphql_executor.h"
#include "emulators/clarus/rest_api.h"
#include "http/server.h"

namespace sellerbridge::emulators::clarus {

struct ClarusEmulator::Impl {
  Impl(Scenario s, std::string prefix, Clock* c, std::uint64_t seed, std::unique_ptr<Warehouse> w,
       int worker_threads)
      : scenario(std::move(s)),
        api_prefix(std::move(prefix)),
        clock(c),
        warehouse(std::move(w)),
        // Each component draws from its own stream, so that, e.g., a webhook
        // fault rate does not shift the warehouse's choices.
        tokens(scenario.credentials, scenario.token_lifetime, c, seed ^ 0x9E3779B97F4A7C15ULL),
        faults(scenario.faults, seed ^ 0xC2B2AE3D27D4EB4FULL),
        webhooks(scenario.webhooks, scenario.subdomain, c, seed ^ 0x165667B19E3779F9ULL),
        graphql(warehouse.get(), scenario.max_page_size),
        server(http::ServerOptions{.worker_threads = worker_threads}) {}

  const Scenario scenario;
  const std::string api_prefix;
  Clock* const clock;
  std::unique_ptr<Warehouse> warehouse;
  TokenIssuer tokens;
  FaultInjector faults;
  WebhookDispatcher webhooks;
  GraphqlExecutor graphql;
  http::Server server;
  std::optional<std::chrono::milliseconds> background_advance;
  std::jthread ticker;
  bool started = false;
};

ClarusEmulator::ClarusEmulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClarusEmulator::~ClarusEmulator() { Stop(); }

Result<std::unique_ptr<ClarusEmulator>> ClarusEmulator::Create(ClarusEmulatorOptions options,
                                                               Clock* clock) {
  Scenario scenario;
  if (options.scenario) {
    scenario = std::move(*options.scenario);
  } else if (options.scenario_file) {
    ASSIGN_OR_RETURN(scenario, LoadScenario(*options.scenario_file));
  } else {
    scenario = Scenario::Default();
  }
  std::string prefix = scenario.api_prefix.value_or(options.api_prefix);
  while (!prefix.empty() && prefix.back() == '/') {
    prefix.pop_back();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse,
                   Warehouse::Create(scenario, clock, options.seed));
  auto impl = std::make_unique<Impl>(std::move(scenario), std::move(prefix), clock, options.seed,
                                     std::move(warehouse), options.worker_threads);
  impl->background_advance = options.background_advance;
  Impl* raw = impl.get();
  raw->warehouse->SetEventSink(
      [raw](const WarehouseEvent& event) { raw->webhooks.Enqueue(event); });
  AddClarusRoutes(raw->server,
                  ApiContext{raw->scenario.subdomain, raw->api_prefix, raw->warehouse.get(),
                             &raw->tokens, &raw->faults, &raw->graphql});
  auto* offset = dynamic_cast<OffsetClock*>(clock);
  AddControlRoutes(raw->server,
                   ControlContext{clock, raw->warehouse.get(), &raw->tokens, &raw->faults,
                                  &raw->webhooks, [offset](Duration by) -> Status {
                                    if (offset == nullptr) {
                                      return FailedPreconditionError(
                                          "time can only be advanced on an OffsetClock; this "
                                          "emulator's clock belongs to its host");
                                    }
                                    offset->Advance(by);
                                    return Status::Ok();
                                  }});
  return std::unique_ptr<ClarusEmulator>(new ClarusEmulator(std::move(impl)));
}

Status ClarusEmulator::Start(const std::string& host, int port) {
  RETURN_IF_ERROR(impl_->server.Start(host, port));
  impl_->webhooks.Start();
  if (impl_->background_advance) {
    const auto period = *impl_->background_advance;
    Impl* impl = impl_.get();
    impl_->ticker = std::jthread([impl, period](const std::stop_token& stop) {
      while (SystemClock::Get()->SleepUntil(SystemClock::Get()->Now() + period, stop)) {
        impl->warehouse->AdvanceToNow();
        impl->webhooks.Notify();
      }
    });
  }
  impl_->started = true;
  spdlog::info("clarus emulator: tenant '{}' serving on {}:{} (REST under {})",
               impl_->scenario.subdomain, host, Port(), impl_->api_prefix);
  return Status::Ok();
}

int ClarusEmulator::Port() const { return impl_->server.Port(); }

void ClarusEmulator::Stop() {
  if (!impl_ || !impl_->started) {
    return;
  }
  impl_->faults.Stop();
  impl_->server.Stop();
  if (impl_->ticker.joinable()) {
    impl_->ticker.request_stop();
    impl_->ticker.join();
  }
  impl_->webhooks.Stop();
  impl_->started = false;
}

std::string ClarusEmulator::BaseUrl() const { return fmt::format("http://127.0.0.1:{}", Port()); }
const Scenario& ClarusEmulator::GetScenario() const { return impl_->scenario; }
const std::string& ClarusEmulator::ApiPrefix() const { return impl_->api_prefix; }
Warehouse& ClarusEmulator::GetWarehouse() { return *impl_->warehouse; }
FaultInjector& ClarusEmulator::Faults() { return impl_->faults; }
WebhookDispatcher& ClarusEmulator::Webhooks() { return impl_->webhooks; }
int ClarusEmulator::EndSession(const std::string& user) { return impl_->tokens.EndSession(user); }

void ClarusEmulator::Sync() {
  impl_->warehouse->AdvanceToNow();
  impl_->webhooks.Notify();
}

int RunClarusEmulatorCommand(int port, std::uint64_t seed,
                             const std::optional<std::string>& scenario_file) {
  // Blocked here, before any thread starts, so that every thread inherits
  // the mask and only sigwait below receives the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  OffsetClock clock(SystemClock::Get());
  ClarusEmulatorOptions options;
  options.seed = seed;
  if (scenario_file) {
    options.scenario_file = *scenario_file;
  }
  options.background_advance = std::chrono::milliseconds{1000};
  auto emulator = ClarusEmulator::Create(options, &clock);
  if (!emulator.ok()) {
    spdlog::error("clarus emulator: {}", emulator.status().ToString());
    return 2;
  }
  if (Status s = (*emulator)->Start("127.0.0.1", port); !s.ok()) {
    spdlog::error("clarus emulator: {}", s.ToString());
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("clarus emulator: signal {}, stopping", received);
  (*emulator)->Stop();
  return 0;
}

}  // namespace sellerbridge::emulators::clarus
