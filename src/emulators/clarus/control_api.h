#pragma once

#include <functional>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/clarus/auth.h"
#include "emulators/clarus/faults.h"
#include "emulators/clarus/warehouse.h"
#include "emulators/clarus/webhooks.h"
#include "http/server.h"

namespace sellerbridge::emulators::clarus {

// What the control routes work on. Everything must outlive the server.
struct ControlContext {
  Clock* clock = nullptr;
  Warehouse* warehouse = nullptr;
  TokenIssuer* tokens = nullptr;
  FaultInjector* faults = nullptr;
  WebhookDispatcher* webhooks = nullptr;
  // Moves emulator time forward; FailedPrecondition when the clock cannot be
  // moved from here (a VirtualClock belongs to its test).
  std::function<Status(Duration)> advance_time;
};

// Adds the emulator's own API under /_emulator/ (no auth; not part of
// Clarus), as docs/emulators.md describes: read every goods-out, shipment
// and stock balance; seed products and stock; drive orders; inject faults;
// end sessions; configure webhooks; read and advance time.
void AddControlRoutes(http::Server& server, const ControlContext& context);

}  // namespace sellerbridge::emulators::clarus
