#pragma once

#include "emulators/amazon/api_support.h"
#include "emulators/amazon/seller_state.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

// Registers Listings Items 2021-08-01 getListingsItem and patchListingsItem on
// `server`, behind `gate`. patchListingsItem changes the DEFAULT
// fulfillment_availability (replace, merge, add, delete) after the scenario's
// processing delay; other attribute patches are accepted and have no effect.
// Everything passed must outlive the server.
void RegisterListingsApi(http::Server& server, const ApiGate& gate, SellerState* state);

}  // namespace sellerbridge::emulators::amazon
