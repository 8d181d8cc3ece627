#include "emulators/amazon/token_service.h"

#include <algorithm>

namespace sellerbridge::emulators::amazon {
namespace {

std::optional<std::string> Field(const std::multimap<std::string, std::string>& fields,
                                 const std::string& name) {
  const auto it = fields.find(name);
  if (it == fields.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) {
      parts.push_back(path.substr(start, end - start));
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return parts;
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  const auto want = Split(pattern);
  const auto have = Split(path);
  if (want.size() != have.size()) {
    return false;
  }
  for (size_t i = 0; i < want.size(); ++i) {
    const bool wildcard = want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}';
    if (!wildcard && want[i] != have[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

TokenService::TokenService(std::string seller_id, std::string client_id, std::string client_secret,
                           std::vector<std::string> refresh_tokens, std::uint64_t seed,
                           Clock* clock)
    : seller_id_(std::move(seller_id)),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      refresh_tokens_(std::move(refresh_tokens)),
      clock_(clock),
      rng_(seed ^ 0x5eedf00dULL) {}

std::string TokenService::NewTokenLocked(std::string_view prefix) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token(prefix);
  for (int i = 0; i < 48; ++i) {
    token += kAlphabet[rng_() % kAlphabet.size()];
  }
  return token;
}

void TokenService::PurgeLocked(TimePoint now) {
  // Expired tokens are dropped now and then so that a long run stays small.
  if (++issued_count_ % 256 == 0) {
    std::erase_if(tokens_, [now](const auto& entry) { return entry.second.expires <= now; });
  }
}

TokenService::Grant TokenService::Exchange(const std::multimap<std::string, std::string>& fields) {
  const auto grant_type = Field(fields, "grant_type");
  const auto refresh_token = Field(fields, "refresh_token");
  const auto client_id = Field(fields, "client_id");
  const auto client_secret = Field(fields, "client_secret");
  if (!grant_type) {
    return {.error = "invalid_request",
            .error_description = "The request is missing a required parameter : grant_type"};
  }
  if (*grant_type != "refresh_token") {
    return {.error = "unsupported_grant_type",
            .error_description =
                "The authorization grant type is not supported by the authorization server"};
  }
  if (!refresh_token || !client_id || !client_secret) {
    return {.error = "invalid_request",
            .error_description =
                "The request is missing a required parameter : refresh_token, client_id or "
                "client_secret"};
  }
  if (*client_id != client_id_ || *client_secret != client_secret_) {
    return {.error = "invalid_client", .error_description = "Client authentication failed"};
  }
  if (std::find(refresh_tokens_.begin(), refresh_tokens_.end(), *refresh_token) ==
      refresh_tokens_.end()) {
    return {.error = "invalid_grant",
            .error_description = "The request has an invalid grant parameter : refresh_token"};
  }
  return {.access_token = IssueAccessToken()};
}

std::string TokenService::IssueAccessToken() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  PurgeLocked(now);
  std::string token = NewTokenLocked("Atza|");
  tokens_[token] = Issued{.caller = Caller{.seller_id = seller_id_}, .expires = now + kLifetime};
  return token;
}

std::string TokenService::IssueRestrictedDataToken(const std::string& seller_id,
                                                   std::vector<RestrictedResource> resources) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  PurgeLocked(now);
  std::string token = NewTokenLocked("Atz.sprdt|");
  tokens_[token] = Issued{
      .caller =
          Caller{.seller_id = seller_id, .restricted = true, .resources = std::move(resources)},
      .expires = now + kLifetime};
  return token;
}

std::optional<Caller> TokenService::Check(std::string_view token, std::string& why) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) {
    why = "The access token you provided is revoked, malformed or invalid.";
    return std::nullopt;
  }
  if (it->second.expires <= now) {
    why = "The access token you provided has expired.";
    return std::nullopt;
  }
  return it->second.caller;
}

bool RdtAllows(const Caller& caller, std::string_view method, std::string_view path,
               std::string_view data_element) {
  if (!caller.restricted) {
    return false;
  }
  for (const RestrictedResource& resource : caller.resources) {
    if (resource.method != method || !PathMatches(resource.path, path)) {
      continue;
    }
    if (data_element.empty() ||
        std::find(resource.data_elements.begin(), resource.data_elements.end(), data_element) !=
            resource.data_elements.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace sellerbridge::emulators::amazon
