#pragma once

#include <string>

#include "base/status.h"

namespace sellerbridge::http {

// The Status for an HTTP answer `status`, carrying `message`, in the one
// place both connectors share: 2xx → OK; 400, 413, 415, 422 →
// InvalidArgument; 401 → Unauthenticated; 403 → PermissionDenied; 404 →
// NotFound; 409 → AlreadyExists; 429 → ResourceExhausted; 5xx → Unavailable;
// anything else → Internal. Retry decisions read the code alone.
Status StatusForHttpStatus(int status, std::string message);

}  // namespace sellerbridge::http
