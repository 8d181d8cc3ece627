#pragma once

#include "base/clock.h"
#include "emulators/amazon/api_support.h"
#include "emulators/amazon/seller_state.h"
#include "emulators/amazon/token_service.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

// Registers Orders v2026-01-01 (searchOrders, getOrder), Orders v0 (getOrders,
// getOrder, getOrderItems, confirmShipment) and Tokens 2021-03-01
// (createRestrictedDataToken) on `server`, behind `gate`. Everything passed
// must outlive the server.
void RegisterOrdersApi(http::Server& server, const ApiGate& gate, SellerState* state,
                       TokenService* tokens, Clock* clock);

}  // namespace sellerbridge::emulators::amazon
