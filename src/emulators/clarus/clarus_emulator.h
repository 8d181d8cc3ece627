#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/clarus/faults.h"
#include "emulators/clarus/scenario.h"
#include "emulators/clarus/warehouse.h"
#include "emulators/clarus/webhooks.h"

namespace sellerbridge::emulators::clarus {

struct ClarusEmulatorOptions {
  std::uint64_t seed = 1;  // Drives every random choice.
  // The tenant: `scenario` if set, else `scenario_file`, else Scenario::Default().
  std::optional<std::filesystem::path> scenario_file;
  std::optional<Scenario> scenario;
  std::string api_prefix = "/api";  // Unless the scenario sets one.
  // When set, a background thread advances the warehouse this often (real
  // time); standalone runs use it. Tests leave it unset and let each request
  // advance the simulation to the clock's present.
  std::optional<std::chrono::milliseconds> background_advance;
  int worker_threads = 8;
};

// A local stand-in for a Clarus WMS tenant (see docs/emulators.md): OAuth
// tokens, the JSON:API REST writes, GraphQL reads, Automation webhooks and a
// simulated warehouse on `clock`, plus a control API under /_emulator/.
// Thread-safe; in-process accessors may be used while serving.
class ClarusEmulator {
 public:
  // InvalidArgument or NotFound for a bad scenario. `clock` must outlive the
  // emulator; the control API can advance time only if it is an OffsetClock.
  static Result<std::unique_ptr<ClarusEmulator>> Create(ClarusEmulatorOptions options,
                                                        Clock* clock);

  ~ClarusEmulator();
  ClarusEmulator(const ClarusEmulator&) = delete;
  ClarusEmulator& operator=(const ClarusEmulator&) = delete;

  // Serves on host:port (0 picks a free port) and starts the webhook thread.
  // Unavailable if the port cannot be bound.
  Status Start(const std::string& host, int port);
  int Port() const;
  // Stops serving (cutting short any stalled or slow response), then the
  // background threads. Idempotent.
  void Stop();

  // "http://127.0.0.1:<port>" once started.
  std::string BaseUrl() const;
  const Scenario& GetScenario() const;
  const std::string& ApiPrefix() const;

  // In-process access for tests and the demo.
  Warehouse& GetWarehouse();
  FaultInjector& Faults();
  WebhookDispatcher& Webhooks();
  // Ends every token of `user`, as a UI login by that user does.
  int EndSession(const std::string& user);
  // Runs the simulation to the clock's present and wakes the webhook thread.
  void Sync();

 private:
  struct Impl;
  explicit ClarusEmulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `sellerbridge emulate clarus`: serves on 127.0.0.1:`port` on an OffsetClock
// over the system clock (so POST /_emulator/time/advance works) until SIGINT
// or SIGTERM. It blocks both signals before starting any thread and waits
// for them with sigwait, so the caller need not. Returns 0 on a clean stop,
// 2 for a bad scenario, 1 if the port cannot be bound.
int RunClarusEmulatorCommand(int port, std::uint64_t seed,
                             const std::optional<std::string>& scenario_file);

}  // namespace sellerbridge::emulators::clarus
