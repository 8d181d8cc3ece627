#include "amazon/sp_api_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "amazon/sp_api_error.h"
#include "base/time_format.h"

namespace sellerbridge::amazon {

SpApiClient::SpApiClient(SpApiClientOptions options, http::HttpClient* http,
                         http::OAuthTokenProvider* tokens, QuotaBroker* broker, Clock* clock)
    : options_(std::move(options)),
      http_(http),
      tokens_(tokens),
      broker_(broker),
      clock_(clock),
      backoff_(options_.initial_backoff, options_.max_backoff, options_.seed) {}

Result<http::ClientResponse> SpApiClient::Call(const SpApiCall& call, const std::stop_token& stop) {
  const BucketKey key{options_.seller_id, options_.region, call.api, call.operation};
  const std::string context =
      fmt::format("amazon {} {} ({})", call.method, call.path, call.operation);
  bool refreshed_after_401 = false;
  // Whether the next attempt waits first. A 429 waits in the broker instead
  // (its bucket decides when to go again), and a refreshed token goes at once.
  bool back_off = false;
  Status last = InternalError(context + ": not attempted");
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    if (back_off) {
      const TimePoint wake = std::min(call.deadline, clock_->Now() + backoff_.Before(attempt));
      if (!clock_->SleepUntil(wake, stop)) {
        return CancelledError(context + ": stopped");
      }
    }
    back_off = true;
    if (const Status quota = broker_->Acquire(key, call.lane, call.deadline, stop); !quota.ok()) {
      return attempt == 1 ? quota : last.WithContext(quota.message());
    }
    std::string token;
    if (call.restricted_data_token) {
      token = *call.restricted_data_token;
    } else {
      auto access = tokens_->AccessToken();
      if (!access.ok()) {
        last = access.status();
        if (IsRetryable(last.code())) {
          continue;
        }
        return last;
      }
      token = *std::move(access);
    }
    http::ClientRequest request;
    request.method = call.method;
    request.url = options_.endpoint + call.path + (call.query.empty() ? "" : "?" + call.query);
    request.headers.emplace("x-amz-access-token", token);
    request.headers.emplace("x-amz-date", FormatIso8601(clock_->Now()));
    request.headers.emplace("Accept", "application/json");
    if (!call.body.empty()) {
      request.headers.emplace("Content-Type", "application/json");
      request.body = call.body;
    }
    auto response = http_->Send(request);
    if (!response.ok()) {
      last = response.status().WithContext(context);
      if (last.code() == StatusCode::kDeadlineExceeded && !call.idempotent) {
        return last;  // The outcome is unknown: the caller checks before repeating.
      }
      if (!IsRetryable(last.code())) {
        return last;
      }
      spdlog::warn("{} (attempt {} of {})", last.ToString(), attempt, options_.max_attempts);
      continue;
    }
    if (const auto limit = response->Header("x-amzn-RateLimit-Limit")) {
      broker_->RecordRateLimit(key, std::strtod(limit->c_str(), nullptr));
    }
    last = StatusFromSpApiResponse(context, *response);
    if (last.ok()) {
      return *std::move(response);
    }
    if (last.code() == StatusCode::kResourceExhausted) {
      broker_->RecordThrottled(key);
      back_off = false;
      continue;
    }
    // Amazon answers an expired or revoked token with 403 "Unauthorized"
    // (its details say which); a fresh token is worth one more try.
    const bool token_rejected = last.code() == StatusCode::kUnauthenticated ||
                                (last.code() == StatusCode::kPermissionDenied &&
                                 AmazonErrorCode(*response) == "Unauthorized");
    if (token_rejected && !call.restricted_data_token && !refreshed_after_401) {
      // The token may have been revoked or have expired early: refresh once.
      refreshed_after_401 = true;
      tokens_->Invalidate(token);
      back_off = false;
      continue;
    }
    if (!IsRetryable(last.code())) {
      return last;
    }
    spdlog::warn("{} (attempt {} of {})", last.ToString(), attempt, options_.max_attempts);
  }
  return last;
}

}  // namespace sellerbridge::amazon
