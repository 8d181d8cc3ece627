#include "emulators/clarus/auth.h"

#include <fmt/format.h>

namespace sellerbridge::emulators::clarus {

TokenIssuer::TokenIssuer(std::vector<ClientCredentials> credentials, Duration lifetime,
                         Clock* clock, std::uint64_t seed)
    : credentials_(std::move(credentials)), lifetime_(lifetime), clock_(clock), rng_(seed) {}

Result<IssuedToken> TokenIssuer::Issue(std::string_view client_id, std::string_view client_secret) {
  const ClientCredentials* match = nullptr;
  for (const ClientCredentials& c : credentials_) {
    if (c.client_id == client_id && c.client_secret == client_secret) {
      match = &c;
    }
  }
  if (match == nullptr) {
    return UnauthenticatedError("invalid_client");
  }
  std::lock_guard lock(mu_);
  IssuedToken token;
  token.created_at = clock_->Now();
  token.lifetime = lifetime_;
  do {
    token.access_token = fmt::format("{:016x}{:016x}", rng_(), rng_());
  } while (tokens_.count(token.access_token) != 0);
  tokens_[token.access_token] = {match->user, token.created_at + lifetime_, false};
  return token;
}

Result<std::string> TokenIssuer::Check(std::string_view access_token) const {
  std::lock_guard lock(mu_);
  auto it = tokens_.find(std::string(access_token));
  if (it == tokens_.end()) {
    return UnauthenticatedError("The access token is invalid");
  }
  if (it->second.revoked) {
    return UnauthenticatedError("The access token was revoked");
  }
  if (clock_->Now() >= it->second.expires_at) {
    return UnauthenticatedError("The access token expired");
  }
  return it->second.user;
}

void TokenIssuer::Expire(std::string_view access_token) {
  std::lock_guard lock(mu_);
  auto it = tokens_.find(std::string(access_token));
  if (it != tokens_.end()) {
    it->second.expires_at = std::min(it->second.expires_at, clock_->Now());
  }
}

int TokenIssuer::EndSession(std::string_view user) {
  std::lock_guard lock(mu_);
  int live = 0;
  const TimePoint now = clock_->Now();
  for (auto& [token, state] : tokens_) {
    if (state.user == user && !state.revoked) {
      live += now < state.expires_at ? 1 : 0;
      state.revoked = true;
    }
  }
  return live;
}

int TokenIssuer::EndAllSessions() {
  std::lock_guard lock(mu_);
  int live = 0;
  const TimePoint now = clock_->Now();
  for (auto& [token, state] : tokens_) {
    if (!state.revoked) {
      live += now < state.expires_at ? 1 : 0;
      state.revoked = true;
    }
  }
  return live;
}

}  // namespace sellerbridge::emulators::clarus
