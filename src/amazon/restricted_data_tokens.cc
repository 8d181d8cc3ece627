#include "amazon/restricted_data_tokens.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "amazon/json_fields.h"
#include "base/status_macros.h"

namespace sellerbridge::amazon {

Result<std::string> RestrictedDataTokens::TokenFor(const std::string& method,
                                                   const std::string& path,
                                                   const std::vector<std::string>& data_elements,
                                                   const CallOptions& options) {
  const std::string key = fmt::format("{} {} {}", method, path, fmt::join(data_elements, ","));
  {
    std::lock_guard lock(mu_);
    // Bounded: tokens past their time are dropped whenever one is looked up.
    std::erase_if(cache_, [&](const auto& entry) {
      return entry.second.expires_at <= clock_->Now() + std::chrono::minutes{1};
    });
    if (const auto it = cache_.find(key); it != cache_.end()) {
      return it->second.token;
    }
  }
  nlohmann::json resource = {{"method", method}, {"path", path}};
  if (!data_elements.empty()) {
    resource["dataElements"] = data_elements;
  }
  const nlohmann::json body = {{"restrictedResources", nlohmann::json::array({resource})}};
  ASSIGN_OR_RETURN(http::ClientResponse response,
                   client_->Call({.api = "Tokens 2021-03-01",
                                  .operation = "createRestrictedDataToken",
                                  .method = "POST",
                                  .path = "/tokens/2021-03-01/restrictedDataToken",
                                  .body = body.dump(),
                                  .lane = options.lane,
                                  .deadline = options.deadline},
                                 options.stop));
  const std::string where = "amazon createRestrictedDataToken";
  ASSIGN_OR_RETURN(nlohmann::json answer, ParseObject(response.body, where));
  ASSIGN_OR_RETURN(std::string token, RequiredString(answer, "restrictedDataToken", where));
  ASSIGN_OR_RETURN(std::int64_t expires_in, RequiredInteger(answer, "expiresIn", where));
  std::lock_guard lock(mu_);
  cache_[key] = {token, clock_->Now() + std::chrono::seconds{expires_in}};
  return token;
}

}  // namespace sellerbridge::amazon
