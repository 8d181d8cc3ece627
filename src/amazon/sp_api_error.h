#pragma once

#include <string_view>

#include "base/status.h"
#include "http/client.h"

namespace sellerbridge::amazon {

// Turns the HTTP outcome of an SP-API call into a Status, with the codes of
// http::StatusForHttpStatus (400 → InvalidArgument, 429 → ResourceExhausted,
// 5xx → Unavailable, …). The message names the call
// (`context`, e.g. "amazon POST /orders/v0/orders/{id}/shipmentConfirmation"),
// the status, and Amazon's error codes and messages from its envelope
// (`{"errors":[{"code","message","details"}]}`), e.g.
// "amazon POST /…/shipmentConfirmation: 400 InvalidInput: Invalid carrier code".
Status StatusFromSpApiResponse(std::string_view context, const http::ClientResponse& response);

// The first error code in Amazon's envelope ("QuotaExceeded",
// "InvalidInput"), or empty if the body has none.
std::string AmazonErrorCode(const http::ClientResponse& response);

}  // namespace sellerbridge::amazon
