#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

#include "amazon/quota_broker.h"
#include "base/clock.h"
#include "base/result.h"
#include "http/backoff.h"
#include "http/client.h"
#include "http/oauth_token_provider.h"

namespace sellerbridge::amazon {

// One SP-API call, as the typed operations build it.
struct SpApiCall {
  std::string api;        // As in Amazon's rate-limit table: "Orders v0".
  std::string operation;  // "confirmShipment"
  std::string method;     // "POST"
  std::string path;       // Concrete and escaped: "/orders/v0/orders/203-…/shipmentConfirmation".
  std::string query;      // Encoded, without '?': "marketplaceIds=A1F83G8C2ARO7P".
  std::string body;       // JSON, or empty.
  Lane lane = Lane::kFinance;
  // Give up waiting for quota, and stop retrying, after this.
  TimePoint deadline = TimePoint::max();
  // False for calls that must not be repeated while their outcome is
  // unknown (a timed-out create): a timeout is then returned at once, for
  // the caller to check what happened before trying again.
  bool idempotent = true;
  // Sent instead of the LWA token when set (for personal data).
  std::optional<std::string> restricted_data_token;
};

// How a typed operation sends its call: the quota lane, when to give up, and
// a way to stop waiting.
struct CallOptions {
  Lane lane = Lane::kFinance;
  TimePoint deadline = TimePoint::max();
  std::stop_token stop;
};

struct SpApiClientOptions {
  std::string endpoint;  // "https://sellingpartnerapi-eu.amazon.com"
  std::string seller_id;
  std::string region;  // "EU"
  int max_attempts = 5;
  Duration initial_backoff = std::chrono::seconds{1};
  Duration max_backoff = std::chrono::seconds{60};
  std::uint64_t seed = 0;  // For the backoff jitter.
};

// Sends SP-API calls the way Amazon wants them sent: every call takes a token
// from the quota broker first (in its lane, before its deadline); carries an
// LWA access token (refreshed once and retried on a 401); follows
// x-amzn-RateLimit-Limit and reports 429s to the broker, so that a throttled
// call is retried only when its bucket has a token again; retries 429, 5xx
// and transport failures with bounded exponential backoff and jitter, and
// nothing else. Thread-safe.
class SpApiClient {
 public:
  // Every pointer must outlive the client.
  SpApiClient(SpApiClientOptions options, http::HttpClient* http, http::OAuthTokenProvider* tokens,
              QuotaBroker* broker, Clock* clock);

  // Sends `call`. Returns the 2xx response, or the error
  // StatusFromSpApiResponse gives for the last attempt; DeadlineExceeded when
  // the deadline passes while waiting; Cancelled when `stop` is requested.
  Result<http::ClientResponse> Call(const SpApiCall& call, const std::stop_token& stop = {});

 private:
  const SpApiClientOptions options_;
  http::HttpClient* const http_;
  http::OAuthTokenProvider* const tokens_;
  QuotaBroker* const broker_;
  Clock* const clock_;
  http::Backoff backoff_;
};

}  // namespace sellerbridge::amazon
