#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "http/backoff.h"
#include "http/client.h"
#include "http/oauth_token_provider.h"

namespace sellerbridge::clarus {

// Turns the HTTP outcome of a Clarus call into a Status, with the codes of
// http::StatusForHttpStatus (422 → InvalidArgument, 401 → Unauthenticated,
// 429 → ResourceExhausted, 5xx → Unavailable, …). The message names the call
// (`context`) and lists each JSON:API error as "<source.pointer>: <detail>".
Status StatusFromClarusResponse(std::string_view context, const http::ClientResponse& response);

// Writes `value` as a GraphQL input literal: objects as {name: value},
// strings quoted and escaped, arrays, numbers, booleans and null.
std::string GraphqlLiteral(const nlohmann::json& value);

struct ClarusClientOptions {
  std::string api_base;     // "https://clarus-api.com/api" (or …/api/v1).
  std::string graphql_url;  // "https://clarus-api.com/graphql"
  std::string subdomain;    // The tenant, sent as X-Clarus-Subdomain on every call.
  int max_attempts = 4;
  Duration initial_backoff = std::chrono::seconds{1};
  Duration max_backoff = std::chrono::seconds{30};
  // A 429's Retry-After is followed up to this long; longer waits fail the call.
  Duration max_retry_after = std::chrono::minutes{2};
  std::uint64_t seed = 0;  // For the backoff jitter.
};

// The transport of the Clarus connector: OAuth bearer tokens (refreshed and
// the call retried once when Clarus answers 401, e.g. after a person logged
// into the UI with the API user), the tenant header, JSON:API REST calls,
// GraphQL queries with relay paging, and retries with backoff for 429 (after
// its Retry-After), 5xx and transport failures. A write whose outcome is
// unknown (a timeout) is never repeated here: the caller resolves it by
// reading. Thread-safe.
class ClarusClient {
 public:
  // Every pointer must outlive the client.
  ClarusClient(ClarusClientOptions options, http::HttpClient* http,
               http::OAuthTokenProvider* tokens, Clock* clock);

  // Sends a JSON:API request to `path` under api_base ("/goods_outs",
  // "/goods_outs/42/cancel"); `body` may be null. Returns the parsed response
  // body (null for an empty one). `idempotent` is false for creates: their
  // timeouts come back as DeadlineExceeded and broken connections as
  // Unavailable at once, and a 500, 502 or 504
  // (which may follow a commit) as Unavailable at once; only 503 and 429,
  // answered before any work, are retried.
  Result<nlohmann::json> Rest(std::string_view method, std::string_view path,
                              const nlohmann::json& body, bool idempotent,
                              const std::stop_token& stop = {});

  // Runs a GraphQL query and returns its "data". GraphQL errors are
  // InvalidArgument carrying their messages.
  Result<nlohmann::json> Graphql(std::string_view query, const nlohmann::json& variables,
                                 const std::stop_token& stop = {});

  // Every node of the connection `root` ("goods_outs", "stock_balances", …)
  // that matches `filter` (an object of field → {operator: value}, or null),
  // each with the fields of `selection` ("id reference status"), paging with
  // `page_size` nodes per request until the last page.
  Result<std::vector<nlohmann::json>> GraphqlAll(std::string_view root, std::string_view selection,
                                                 const nlohmann::json& filter, int page_size = 50,
                                                 const std::stop_token& stop = {});

 private:
  // Sends with auth and tenant headers, retrying as the class comment says.
  Result<http::ClientResponse> Send(const http::ClientRequest& base, bool idempotent,
                                    std::string_view context, const std::stop_token& stop);

  const ClarusClientOptions options_;
  http::HttpClient* const http_;
  http::OAuthTokenProvider* const tokens_;
  Clock* const clock_;
  http::Backoff backoff_;
};

}  // namespace sellerbridge::clarus
