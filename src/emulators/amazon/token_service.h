#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::emulators::amazon {

// A resource a restricted data token opens, as createRestrictedDataToken
// named it. A path segment "{orderId}" matches any order.
struct RestrictedResource {
  std::string method;
  std::string path;
  std::vector<std::string> data_elements;
};

// Who is calling, once the x-amz-access-token has been checked.
struct Caller {
  std::string seller_id;
  bool restricted = false;                    // An RDT rather than an LWA access token.
  std::vector<RestrictedResource> resources;  // For an RDT.
};

// Issues and checks Login with Amazon access tokens (one hour) and restricted
// data tokens (one hour) on the emulator clock. Thread-safe.
class TokenService {
 public:
  static constexpr std::chrono::seconds kLifetime{3600};

  // `clock` must outlive the service.
  TokenService(std::string seller_id, std::string client_id, std::string client_secret,
               std::vector<std::string> refresh_tokens, std::uint64_t seed, Clock* clock);

  // What an LWA grant answers: an OAuth2 error code (invalid_request,
  // invalid_client, invalid_grant, unsupported_grant_type) or a token.
  struct Grant {
    std::string error;  // Empty on success.
    std::string error_description;
    std::string access_token;
  };

  // The refresh_token grant: `fields` are the request's parameters.
  Grant Exchange(const std::multimap<std::string, std::string>& fields);

  // A fresh access token for the scenario's seller, without the LWA round trip.
  std::string IssueAccessToken();

  // A restricted data token for `caller`'s seller opening `resources`.
  std::string IssueRestrictedDataToken(const std::string& seller_id,
                                       std::vector<RestrictedResource> resources);

  // The caller behind `token`, or nullopt if it is unknown or expired. The
  // string in `why` says which, in Amazon's words.
  std::optional<Caller> Check(std::string_view token, std::string& why);

 private:
  struct Issued {
    Caller caller;
    TimePoint expires;
  };

  std::string NewTokenLocked(std::string_view prefix);
  void PurgeLocked(TimePoint now);

  const std::string seller_id_;
  const std::string client_id_;
  const std::string client_secret_;
  const std::vector<std::string> refresh_tokens_;
  Clock* const clock_;
  std::mutex mu_;
  std::mt19937_64 rng_;                                // Guarded by mu_.
  std::map<std::string, Issued, std::less<>> tokens_;  // Guarded by mu_.
  std::uint64_t issued_count_ = 0;                     // Guarded by mu_.
};

// Whether `caller`'s RDT opens `method` `path` and, when `data_element` is not
// empty, that data element. Always false for an LWA access token.
bool RdtAllows(const Caller& caller, std::string_view method, std::string_view path,
               std::string_view data_element);

}  // namespace sellerbridge::emulators::amazon
