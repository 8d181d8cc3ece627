#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "amazon/sp_api_client.h"
#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::amazon {

// Restricted data tokens (Tokens API 2021-03-01 createRestrictedDataToken)
// for the calls that return buyer personal data: one token per method, path
// and data elements, reused until a minute before it expires. The tokens are
// secrets: never logged (Redact() masks the "Atz.sprdt|" form wherever it
// appears, so they need no registering one by one). Thread-safe.
class RestrictedDataTokens {
 public:
  // Both must outlive this.
  RestrictedDataTokens(SpApiClient* client, Clock* clock) : client_(client), clock_(clock) {}

  // A token that opens `method` `path` (e.g. "GET",
  // "/orders/v0/orders/203-…") with `data_elements` ("shippingAddress",
  // "buyerInfo"). The client's errors; InvalidArgument for an answer without
  // a token.
  Result<std::string> TokenFor(const std::string& method, const std::string& path,
                               const std::vector<std::string>& data_elements,
                               const CallOptions& options);

 private:
  struct Cached {
    std::string token;
    TimePoint expires_at;
  };

  SpApiClient* const client_;
  Clock* const clock_;
  std::mutex mu_;
  std::map<std::string, Cached> cache_;  // Guarded by mu_. Key: method, path, elements.
};

}  // namespace sellerbridge::amazon
