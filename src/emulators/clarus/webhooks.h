#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/clarus/scenario.h"
#include "emulators/clarus/warehouse.h"

namespace sellerbridge::emulators::clarus {

// How one delivery departs from the happy path.
enum class DeliveryFault {
  kNone,
  kDuplicate,   // Delivered twice.
  kOutOfOrder,  // Held back until the next delivery has gone (or a window passes).
  kLate,        // Delivered late_delay after the event, on the emulator clock.
  kDrop,        // Never delivered.
};

// "none", "duplicate", "out_of_order", "late", "drop".
std::string_view DeliveryFaultName(DeliveryFault fault);
Result<DeliveryFault> ParseDeliveryFault(std::string_view name);

// Counts of what the dispatcher did, for tests and the control API.
struct WebhookStats {
  int events = 0;     // Events accepted for delivery (with a URL set).
  int attempts = 0;   // POSTs made.
  int delivered = 0;  // POSTs answered 2xx (a duplicate counts twice).
  int retried = 0;    // Attempts repeated after a 5xx or a failed connection.
  int dropped = 0;    // Events dropped on purpose.
  int abandoned = 0;  // Events given up after max_attempts or a 4xx.
  int pending = 0;    // Deliveries waiting, late or held back.
};

// Delivers Automation webhooks: POSTs each event's full record, with the
// X-ClarusWMS-* headers, to the configured URL from a background thread, so
// that a slow receiver never holds up the API. Delivery faults come from
// ForceNext() first, then the rates, drawn from the seed. Due times (late
// deliveries, retries) are on the emulator clock; the thread checks them at
// least every 20 ms of real time and whenever Notify() is called.
// Thread-safe.
class WebhookDispatcher {
 public:
  // `clock` must outlive the dispatcher.
  WebhookDispatcher(WebhookOptions options, std::string subdomain, Clock* clock,
                    std::uint64_t seed);
  ~WebhookDispatcher();

  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void Start();
  // Stops the thread; deliveries still waiting are abandoned. Idempotent.
  void Stop();

  // Replaces the URL and rates (the counters stay).
  void SetOptions(WebhookOptions options);
  WebhookOptions Options() const;

  // The next `count` events get `fault` whatever the rates.
  void ForceNext(DeliveryFault fault, int count);

  // Queues `event` for delivery (nothing without a URL). Cheap; safe to call
  // from the warehouse's event sink.
  void Enqueue(const WarehouseEvent& event);

  // Wakes the thread to look at due times now (e.g. after the clock moved).
  void Notify();

  WebhookStats Stats() const;

 private:
  struct Delivery {
    std::uint64_t seq = 0;
    std::string body;
    TimePoint due;
    int attempts = 0;
    bool held = false;       // Out of order: waits for another delivery.
    bool duplicate = false;  // Send once more after success.
  };

  void Run(const std::stop_token& stop);
  // One POST; returns the HTTP status, or 0 if no answer came.
  int Post(const std::string& body, const WebhookOptions& options);
  void Settle(Delivery delivery, int status, TimePoint now);

  Clock* const clock_;
  const std::string subdomain_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  WebhookOptions options_;            // Guarded by mu_.
  std::mt19937_64 rng_;               // Guarded by mu_.
  std::deque<DeliveryFault> forced_;  // Guarded by mu_.
  std::vector<Delivery> queue_;       // Guarded by mu_.
  std::uint64_t next_seq_ = 0;        // Guarded by mu_.
  bool wake_ = false;                 // Guarded by mu_.
  WebhookStats stats_;                // Guarded by mu_.
  std::jthread thread_;
};

}  // namespace sellerbridge::emulators::clarus
