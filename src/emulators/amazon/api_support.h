#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "emulators/amazon/faults.h"
#include "emulators/amazon/rate_limiter.h"
#include "emulators/amazon/token_service.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

// Amazon's error envelope: {"errors":[{"code","message","details"?}]}
// (details left out when empty).
std::string ErrorBody(std::string_view code, std::string_view message,
                      std::string_view details = {});
http::Response ErrorResponse(int status, std::string_view code, std::string_view message,
                             std::string_view details = {});

// The XML error document S3 answers a presigned URL with (the feed and
// report document URLs): {"AccessDenied", "Request has expired"}, …
http::Response S3Error(int status, std::string_view code, std::string_view message);

// Every value of an array query parameter: comma-separated (Swagger's csv,
// the default) and repeated parameters both accepted, empty items dropped.
std::vector<std::string> QueryList(const http::Request& request, std::string_view name);

// An SP-API operation as RATE-LIMITS.tsv names it.
struct Operation {
  std::string_view api;      // "Orders v0"
  std::string_view name;     // "confirmShipment"
  bool accepts_rdt = false;  // A restricted operation: an RDT may call it.
};

// A handler that runs once the caller is known; `faults` holds what the
// fault injector drew for this call (e.g. a silent drop).
using ApiHandler =
    std::function<http::Response(const http::Request&, const Caller&, const FaultDecision&)>;

// Puts the checks Amazon makes before an operation runs in front of a
// handler: the x-amz-access-token (403 Unauthorized when missing, unknown or
// expired; an RDT only for restricted operations and the paths it names),
// throttling storms and the token bucket (429 QuotaExceeded), injected 5xx;
// then adds x-amzn-RateLimit-Limit to 2xx, 400 and 404 answers and holds the
// answer back for an injected timeout. Thread-safe.
class ApiGate {
 public:
  // All three must outlive the gate and the handlers it makes.
  ApiGate(TokenService* tokens, RateLimiter* limiter, Faults* faults)
      : tokens_(tokens), limiter_(limiter), faults_(faults) {}

  http::Handler Wrap(Operation operation, ApiHandler handler) const;

 private:
  TokenService* tokens_;
  RateLimiter* limiter_;
  Faults* faults_;
};

}  // namespace sellerbridge::emulators::amazon
