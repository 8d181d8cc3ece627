#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/clarus/scenario.h"

namespace sellerbridge::emulators::clarus {

// A bearer token as the token endpoint hands it out.
struct IssuedToken {
  std::string access_token;
  Duration lifetime{};
  TimePoint created_at;
};

// OAuth2 client-credentials tokens of one tenant. Tokens expire after the
// scenario's lifetime on the emulator clock, and end together when their API
// user's session ends (as when someone logs into the UI as that user).
// Thread-safe.
class TokenIssuer {
 public:
  // `clock` must outlive the issuer.
  TokenIssuer(std::vector<ClientCredentials> credentials, Duration lifetime, Clock* clock,
              std::uint64_t seed);

  // A new token for a known client. Unauthenticated for an unknown client id
  // or a wrong secret.
  Result<IssuedToken> Issue(std::string_view client_id, std::string_view client_secret);

  // The API user of a live token. Unauthenticated (with a message that says
  // whether it is unknown, expired or revoked) otherwise.
  Result<std::string> Check(std::string_view access_token) const;

  // Makes `access_token` expired from now on (a no-op for unknown tokens).
  void Expire(std::string_view access_token);

  // Revokes every token of `user`; returns how many were live.
  int EndSession(std::string_view user);

  // Revokes every token of every user; returns how many were live.
  int EndAllSessions();

 private:
  struct TokenState {
    std::string user;
    TimePoint expires_at;
    bool revoked = false;
  };

  const std::vector<ClientCredentials> credentials_;
  const Duration lifetime_;
  Clock* const clock_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;                       // Guarded by mu_.
  std::map<std::string, TokenState> tokens_;  // Guarded by mu_.
};

}  // namespace sellerbridge::emulators::clarus
