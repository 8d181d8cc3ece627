#pragma once

#include "emulators/amazon/faults.h"
#include "emulators/amazon/token_service.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

// Registers Login with Amazon's token endpoint, POST /auth/o2/token, with
// the refresh_token grant in a form-encoded or JSON body. Success answers
// {"access_token","token_type":"bearer","expires_in":3600,"refresh_token"};
// failures answer OAuth2 errors {"error","error_description"} (400, or 401
// for invalid_client); an LWA outage fault answers 503. Both must outlive
// the server.
void RegisterLwaApi(http::Server& server, TokenService* tokens, Faults* faults);

}  // namespace sellerbridge::emulators::amazon
