#include "emulators/amazon/api_support.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace sellerbridge::emulators::amazon {

std::string ErrorBody(std::string_view code, std::string_view message, std::string_view details) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!details.empty()) {
    error["details"] = details;
  }
  return nlohmann::json{{"errors", nlohmann::json::array({error})}}.dump();
}

http::Response ErrorResponse(int status, std::string_view code, std::string_view message,
                             std::string_view details) {
  return http::Response::Json(status, ErrorBody(code, message, details));
}

http::Response S3Error(int status, std::string_view code, std::string_view message) {
  http::Response response;
  response.status = status;
  response.content_type = "application/xml";
  response.body = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>"
      "</Error>",
      code, message);
  return response;
}

std::vector<std::string> QueryList(const http::Request& request, std::string_view name) {
  std::vector<std::string> values;
  for (const std::string& value : request.QueryAll(name)) {
    size_t start = 0;
    while (start <= value.size()) {
      const size_t comma = value.find(',', start);
      const size_t end = comma == std::string::npos ? value.size() : comma;
      if (end > start) {
        values.push_back(value.substr(start, end - start));
      }
      if (comma == std::string::npos) {
        break;
      }
      start = comma + 1;
    }
  }
  return values;
}

http::Handler ApiGate::Wrap(Operation operation, ApiHandler handler) const {
  return [this, operation, handler = std::move(handler)](const http::Request& request) {
    const auto token = request.Header("x-amz-access-token");
    if (!token || token->empty()) {
      return ErrorResponse(403, "Unauthorized", "Access to requested resource is denied.",
                           "Access token is missing in the request header.");
    }
    std::string why;
    const auto caller = tokens_->Check(*token, why);
    if (!caller) {
      return ErrorResponse(403, "Unauthorized", "Access to requested resource is denied.", why);
    }
    if (caller->restricted &&
        (!operation.accepts_rdt || !RdtAllows(*caller, request.method, request.path, ""))) {
      return ErrorResponse(403, "Unauthorized", "Access to requested resource is denied.",
                           "The restricted data token does not grant access to this resource.");
    }
    const FaultDecision fault = faults_->Decide(operation.name);
    const auto quota_exceeded = [] {
      // Amazon sends details as an empty string here, unlike other errors.
      return http::Response::Json(
          429,
          R"({"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource.","details":""}]})");
    };
    if (fault.throttle) {
      return quota_exceeded();
    }
    const RateLimiter::Decision decision =
        limiter_->TryAcquire(caller->seller_id, operation.api, operation.name);
    if (!decision.allowed) {
      return quota_exceeded();
    }
    if (fault.server_error == 500) {
      return ErrorResponse(500, "InternalFailure",
                           "We encountered an internal error. Please try again.");
    }
    if (fault.server_error != 0) {
      return ErrorResponse(503, "ServiceUnavailable",
                           "Service temporarily unavailable. Please try again.");
    }
    http::Response response = handler(request, *caller, fault);
    if ((response.status >= 200 && response.status < 300) || response.status == 400 ||
        response.status == 404) {
      if (decision.rate_per_second > 0 && decision.report_rate) {
        response.WithHeader("x-amzn-RateLimit-Limit", FormatRate(decision.rate_per_second));
      }
    }
    if (fault.delay) {
      // The work is done; only the answer is late, as when a gateway times out
      // after the backend committed. Real time, so that client timeouts fire.
      std::this_thread::sleep_for(*fault.delay);
    }
    return response;
  };
}

}  // namespace sellerbridge::emulators::amazon
