#include "emulators/amazon/lwa_api.h"

#include <nlohmann/json.hpp>

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

http::Response OAuthError(int status, std::string_view error, std::string_view description) {
  return http::Response::Json(status,
                              json{{"error", error}, {"error_description", description}}.dump());
}

http::Response Token(const http::Request& request, TokenService* tokens, Faults* faults) {
  if (faults->LwaDown()) {
    return OAuthError(503, "temporarily_unavailable",
                      "The authorization server is temporarily unavailable");
  }
  std::multimap<std::string, std::string> fields;
  const std::string content_type = request.Header("Content-Type").value_or("");
  if (content_type.find("json") != std::string::npos) {
    const json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return OAuthError(400, "invalid_request", "The request body is not valid JSON");
    }
    for (const auto& [name, value] : body.items()) {
      if (value.is_string()) {
        fields.emplace(name, value.get<std::string>());
      }
    }
  } else {
    fields = http::ParseFormBody(request.body);
  }
  const TokenService::Grant grant = tokens->Exchange(fields);
  if (!grant.error.empty()) {
    return OAuthError(grant.error == "invalid_client" ? 401 : 400, grant.error,
                      grant.error_description);
  }
  return http::Response::Json(200, json{{"access_token", grant.access_token},
                                        {"token_type", "bearer"},
                                        {"expires_in", 3600},
                                        {"refresh_token", fields.find("refresh_token")->second}}
                                       .dump());
}

}  // namespace

void RegisterLwaApi(http::Server& server, TokenService* tokens, Faults* faults) {
  server.Route("POST", "/auth/o2/token", [tokens, faults](const http::Request& request) {
    return Token(request, tokens, faults);
  });
}

}  // namespace sellerbridge::emulators::amazon
