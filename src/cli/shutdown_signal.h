#pragma once

#include <chrono>
#include <optional>

namespace sellerbridge::cli {

// Turns SIGINT and SIGTERM into a value the main thread waits for, instead of
// an asynchronous handler. Construct it before starting any thread: it blocks
// both signals for the constructing thread, and every thread started later
// inherits the mask, so only Wait() ever receives them.
class ShutdownSignal {
 public:
  ShutdownSignal();
  ~ShutdownSignal();

  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  // Blocks until SIGINT or SIGTERM arrives, or `timeout` passes (forever if
  // nullopt). Returns the signal number, or 0 on timeout.
  int Wait(std::optional<std::chrono::milliseconds> timeout);
};

}  // namespace sellerbridge::cli
