#pragma once

#include "http/server.h"

namespace sellerbridge::emulators::amazon {

class AmazonEmulator;

// Registers the control API under /_emulator/ (no authentication): create
// and cancel orders, generate orders, read orders, listings and account
// health, advance the clock, override rate limits and inject faults. See
// docs/emulators.md for the routes and bodies. `emulator` must outlive the
// server.
void RegisterControlApi(http::Server& server, AmazonEmulator* emulator);

}  // namespace sellerbridge::emulators::amazon
