#include "http/oauth_token_provider.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace sellerbridge::http {

OAuthGrant LwaRefreshTokenGrant(std::string token_url, std::string client_id,
                                std::string client_secret, std::string refresh_token) {
  return {"amazon LWA",
          std::move(token_url),
          {{"grant_type", "refresh_token"},
           {"refresh_token", std::move(refresh_token)},
           {"client_id", std::move(client_id)},
           {"client_secret", std::move(client_secret)}},
          {}};
}

OAuthGrant ClientCredentialsGrant(std::string name, std::string token_url, std::string client_id,
                                  std::string client_secret) {
  return {std::move(name),
          std::move(token_url),
          {{"grant_type", "client_credentials"},
           {"client_id", std::move(client_id)},
           {"client_secret", std::move(client_secret)}},
          {}};
}

OAuthTokenProvider::OAuthTokenProvider(OAuthGrant grant, HttpClient* http, Clock* clock,
                                       Duration refresh_margin)
    : grant_(std::move(grant)), http_(http), clock_(clock), refresh_margin_(refresh_margin) {}

Result<std::string> OAuthTokenProvider::AccessToken() {
  std::unique_lock lock(mu_);
  if (!token_.empty() && clock_->Now() + refresh_margin_ < expires_at_) {
    return token_;
  }
  if (refreshing_) {
    // Another caller is fetching; its outcome, good or bad, serves us too.
    const std::uint64_t generation = generation_;
    refreshed_.wait(lock, [&] { return generation_ != generation; });
    if (!last_error_.ok()) {
      return last_error_;
    }
    return token_;
  }
  refreshing_ = true;
  lock.unlock();
  auto fetched = Fetch();
  lock.lock();
  refreshing_ = false;
  ++generation_;
  refreshed_.notify_all();
  if (!fetched.ok()) {
    ++failures_;
    last_error_ = fetched.status();
    return last_error_;
  }
  ++refreshes_;
  last_error_ = Status::Ok();
  token_ = std::move(fetched->first);
  expires_at_ = fetched->second;
  return token_;
}

void OAuthTokenProvider::Invalidate(std::string_view token) {
  std::lock_guard lock(mu_);
  if (token_ == token) {
    token_.clear();
  }
}

std::optional<TimePoint> OAuthTokenProvider::ExpiresAt() const {
  std::lock_guard lock(mu_);
  if (token_.empty()) {
    return std::nullopt;
  }
  return expires_at_;
}

std::int64_t OAuthTokenProvider::Refreshes() const {
  std::lock_guard lock(mu_);
  return refreshes_;
}

std::int64_t OAuthTokenProvider::RefreshFailures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

Result<std::pair<std::string, TimePoint>> OAuthTokenProvider::Fetch() {
  const std::string context = fmt::format("{} POST {}", grant_.name, grant_.token_url);
  ClientRequest request;
  request.method = "POST";
  request.url = grant_.token_url;
  request.headers = grant_.headers;
  request.headers.emplace("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8");
  for (const auto& [name, value] : grant_.fields) {
    if (!request.body.empty()) {
      request.body += '&';
    }
    request.body += UrlEncode(name) + "=" + UrlEncode(value);
  }
  const TimePoint asked_at = clock_->Now();
  auto response = http_->Send(request);
  if (!response.ok()) {
    return response.status().WithContext(context);
  }
  const nlohmann::json json =
      nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (response->status != 200) {
    // OAuth's {"error","error_description"}; other shapes are quoted as they are.
    const auto text = [&](const char* key) {
      return json.is_object() && json.contains(key) && json[key].is_string()
                 ? json[key].get<std::string>()
                 : std::string();
    };
    const std::string why = text("error").empty()
                                ? response->body.substr(0, 200)
                                : fmt::format("{}: {}", text("error"), text("error_description"));
    const std::string message = fmt::format("{}: {} {}", context, response->status, why);
    if (response->status >= 500) {
      return UnavailableError(message);
    }
    if (response->status == 429) {
      return ResourceExhaustedError(message);
    }
    return UnauthenticatedError(message);
  }
  if (!json.is_object() || !json.contains("access_token") || !json["access_token"].is_string() ||
      !json.contains("expires_in") || !json["expires_in"].is_number_integer()) {
    return InternalError(fmt::format("{}: 200 without access_token and expires_in", context));
  }
  // Measure expiry from when we asked: the token may have been minted then.
  const TimePoint expires_at = asked_at + std::chrono::seconds{json["expires_in"].get<int>()};
  return std::make_pair(json["access_token"].get<std::string>(), expires_at);
}

}  // namespace sellerbridge::http
