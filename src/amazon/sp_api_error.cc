#include "amazon/sp_api_error.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "http/status_mapping.h"

namespace sellerbridge::amazon {
namespace {

// `object[key]` when it is a string, else empty: Amazon's envelope is parsed
// leniently, never by throwing.
std::string StringField(const nlohmann::json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string()
             ? object[key].get<std::string>()
             : std::string();
}

// "Code: message; Code: message" from Amazon's error envelope, or the start of
// the body when it is not one.
std::string DescribeBody(const std::string& body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string out;
  if (json.is_object() && json.contains("errors") && json["errors"].is_array()) {
    for (const auto& error : json["errors"]) {
      if (!error.is_object()) {
        continue;
      }
      const std::string code = StringField(error, "code");
      const std::string message = StringField(error, "message");
      const std::string details = StringField(error, "details");
      if (!out.empty()) {
        out += "; ";
      }
      out += message.empty() ? code : fmt::format("{}: {}", code, message);
      if (!details.empty()) {
        out += fmt::format(" ({})", details);
      }
    }
  }
  if (out.empty()) {
    constexpr size_t kMaxBodyInMessage = 200;
    out = body.substr(0, kMaxBodyInMessage);
  }
  return out;
}

}  // namespace

std::string AmazonErrorCode(const http::ClientResponse& response) {
  const nlohmann::json json =
      nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("errors") && json["errors"].is_array() &&
      !json["errors"].empty() && json["errors"][0].is_object()) {
    return StringField(json["errors"][0], "code");
  }
  return "";
}

Status StatusFromSpApiResponse(std::string_view context, const http::ClientResponse& response) {
  const int status = response.status;
  if (status >= 200 && status < 300) {
    return Status::Ok();
  }
  return http::StatusForHttpStatus(
      status, fmt::format("{}: {} {}", context, status, DescribeBody(response.body)));
}

}  // namespace sellerbridge::amazon
