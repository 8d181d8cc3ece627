#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "http/client.h"

namespace sellerbridge::http {

// How to get an access token from an OAuth 2.0 token endpoint: the URL and
// the form fields of the grant.
struct OAuthGrant {
  std::string name;       // For messages: "amazon LWA", "clarus".
  std::string token_url;  // "https://api.amazon.com/auth/o2/token"
  // Sent form-encoded, in order, e.g. grant_type=refresh_token,
  // refresh_token=…, client_id=…, client_secret=….
  std::vector<std::pair<std::string, std::string>> fields;
  Headers headers;  // Extra headers, e.g. a tenant header.
};

// Login with Amazon's grant: a refresh token exchanged for access tokens.
OAuthGrant LwaRefreshTokenGrant(std::string token_url, std::string client_id,
                                std::string client_secret, std::string refresh_token);

// The OAuth client-credentials grant.
OAuthGrant ClientCredentialsGrant(std::string name, std::string token_url, std::string client_id,
                                  std::string client_secret);

// Hands out access tokens of one grant: caches one, refreshes it
// `refresh_margin` before it expires, and lets only one refresh be in flight
// however many callers wait for it (they share its outcome). Thread-safe.
class OAuthTokenProvider {
 public:
  // `http` and `clock` must outlive the provider.
  OAuthTokenProvider(OAuthGrant grant, HttpClient* http, Clock* clock,
                     Duration refresh_margin = std::chrono::minutes{5});

  // A valid access token. Errors: Unauthenticated when the endpoint rejects
  // the credentials (its OAuth error and description in the message, never
  // the secrets), ResourceExhausted for 429, Unavailable for 5xx or an
  // unreachable host, DeadlineExceeded for a timeout, Internal for a
  // response without a token.
  Result<std::string> AccessToken();

  // Forgets `token` if it is the cached one, e.g. after Amazon answered 401
  // with it, so that the next AccessToken() fetches a new one.
  void Invalidate(std::string_view token);

  // When the cached token expires, if one is cached.
  std::optional<TimePoint> ExpiresAt() const;

  // How many tokens have been fetched, and how many fetches failed.
  std::int64_t Refreshes() const;
  std::int64_t RefreshFailures() const;

 private:
  // Calls the token endpoint; no lock held.
  Result<std::pair<std::string, TimePoint>> Fetch();

  const OAuthGrant grant_;
  HttpClient* const http_;
  Clock* const clock_;
  const Duration refresh_margin_;

  mutable std::mutex mu_;
  std::condition_variable refreshed_;
  std::string token_;             // Guarded by mu_.
  TimePoint expires_at_;          // Guarded by mu_.
  bool refreshing_ = false;       // Guarded by mu_.
  std::uint64_t generation_ = 0;  // Guarded by mu_. Counts finished fetches.
  Status last_error_;             // Guarded by mu_. Outcome of the last fetch.
  std::int64_t refreshes_ = 0;    // Guarded by mu_.
  std::int64_t failures_ = 0;     // Guarded by mu_.
};

}  // namespace sellerbridge::http
