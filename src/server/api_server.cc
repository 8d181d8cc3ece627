#include "server/api_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include "base/redact.h"
#include "base/time_format.h"
#include "server/dispatch_metrics.h"
#include "server/mapping_json.h"
#include "server/stock_metrics.h"

namespace sellerbridge::server {
namespace {

using nlohmann::json;

constexpr std::string_view kApiPrefix = "/api/v1/";
constexpr std::string_view kActor = "api";
// The name a CSV body goes by in problems: "body:3: …".
constexpr std::string_view kImportSource = "body";

// Invalid UTF-8 (a CSV body may hold anything) is replaced rather than thrown on.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

http::Response JsonResponse(int status, const json& body) {
  return http::Response::Json(status, Dump(body));
}

http::Response Error(int status, std::string_view code, std::string_view message,
                     const std::vector<std::string>& problems = {}) {
  json error = {{"code", code}, {"message", Redact(message)}};
  if (!problems.empty()) {
    error["problems"] = problems;
  }
  return JsonResponse(status, {{"error", std::move(error)}});
}

http::Response Unauthorized(bool configured, bool presented) {
  std::string challenge = R"(Bearer realm="sellerbridge")";
  if (presented) {
    challenge += R"(, error="invalid_token")";
  }
  const std::string_view message =
      !configured ? "the API is disabled: no [server] api_token is configured"
                  : (presented ? "the bearer token is not valid"
                               : "an Authorization: Bearer <token> header is required");
  return Error(401, "unauthenticated", message).WithHeader("WWW-Authenticate", challenge);
}

// The problems of an InvalidArgument from the mapping service: one a line.
std::vector<std::string> ProblemLines(std::string_view message) {
  std::vector<std::string> lines;
  while (!message.empty()) {
    const std::size_t end = message.find('\n');
    lines.emplace_back(message.substr(0, end));
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);
  }
  return lines;
}

// The answer to a failure of the mapping service or the store.
http::Response FromStatus(const http::Request& request, const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: {
      const std::vector<std::string> problems = ProblemLines(status.message());
      return Error(422, "invalid_mapping",
                   fmt::format("{} problem{}", problems.size(), problems.size() == 1 ? "" : "s"),
                   problems);
    }
    case StatusCode::kNotFound:
      return Error(404, "not_found", status.message());
    case StatusCode::kAborted:
      return Error(409, "conflict", status.message());
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      spdlog::warn("api {} {}: {}", request.method, request.path, status.ToString());
      return Error(503, "unavailable", status.message()).WithHeader("Retry-After", "30");
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      // Our own API's authentication happened before: this is a remote system refusing us.
      spdlog::warn("api {} {}: {}", request.method, request.path, status.ToString());
      return Error(502, "upstream_refused", status.message());
    default:
      spdlog::error("api {} {}: {}", request.method, request.path, status.ToString());
      return Error(500, "internal", status.message());
  }
}

// Reads the value of a true/false query parameter; nullopt (and `problem` set) for another value.
std::optional<bool> ParseBool(const http::Request& request, std::string_view name,
                              std::string& problem) {
  const std::optional<std::string> value = request.Query(name);
  if (!value.has_value() || *value == "false") {
    return false;
  }
  if (*value == "true") {
    return true;
  }
  problem = fmt::format("{} must be true or false", name);
  return std::nullopt;
}

// The answer to a failure of the exception desk: its InvalidArgument is a problem of the request
// (422), its FailedPrecondition a change the exception's state does not allow (409).
http::Response FromDeskStatus(const http::Request& request, const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return Error(422, "invalid_argument", status.message(), {status.message()});
    case StatusCode::kFailedPrecondition:
      return Error(409, "failed_precondition", status.message());
    default:
      return FromStatus(request, status);
  }
}

// The exception id of a "/api/v1/exceptions/{id}…" path, or nullopt when it is not a positive
// decimal number.
std::optional<std::int64_t> ExceptionId(const http::Request& request) {
  const auto found = request.path_params.find("id");
  if (found == request.path_params.end()) {
    return std::nullopt;
  }
  const std::string& text = found->second;
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

http::Response BadExceptionId(const http::Request& request) {
  const auto found = request.path_params.find("id");
  return Error(400, "invalid_request",
               fmt::format("'{}' is not an exception id (a positive number)",
                           found == request.path_params.end() ? "" : found->second));
}

// Reads the string member `name` of `request`'s body, a JSON object that may have no other member,
// into `value` (left empty when the member is absent). Returns the error to answer when the body
// is not such an object: 400 when it is not JSON, 422 listing its problems.
std::optional<http::Response> ReadStringMember(const http::Request& request, std::string_view name,
                                               std::string& value) {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Error(400, "invalid_json", "the body is not JSON");
  }
  std::vector<std::string> problems;
  if (!body.is_object()) {
    problems.push_back(fmt::format("the body must be an object with the member '{}'", name));
  } else {
    for (const auto& [member, member_value] : body.items()) {
      if (member != name) {
        problems.push_back(fmt::format("unknown member '{}' (expected only '{}')", member, name));
      } else if (!member_value.is_string()) {
        problems.push_back(fmt::format("{} must be a string", name));
      } else {
        value = member_value.get<std::string>();
      }
    }
  }
  if (!problems.empty()) {
    return Error(422, "invalid_argument",
                 fmt::format("{} problem{}", problems.size(), problems.size() == 1 ? "" : "s"),
                 problems);
  }
  return std::nullopt;
}

}  // namespace

json ExceptionToJson(const store::HeldException& exception) {
  return {{"id", exception.id},
          {"kind", exception.kind},
          {"subject_id", exception.subject_id},
          {"reason", exception.reason},
          {"suggested_fix", exception.suggested_fix},
          {"first_seen", FormatIso8601(exception.first_seen)},
          {"last_seen", FormatIso8601(exception.last_seen)},
          {"attempts", exception.attempts},
          {"resolved_at", exception.resolved_at.has_value()
                              ? json(FormatIso8601(*exception.resolved_at))
                              : json(nullptr)},
          {"resolved_by", exception.resolved_by},
          {"resolution_note", exception.resolution_note}};
}

bool ConstantTimeEquals(std::string_view presented, std::string_view expected) {
  if (expected.empty()) {
    return false;
  }
  // Every byte of `presented` is compared, against `expected` repeated, so that neither where the
  // first difference lies nor the length of `expected` shows in the time taken.
  unsigned int difference = presented.size() == expected.size() ? 0U : 1U;
  for (std::size_t i = 0; i < presented.size(); ++i) {
    difference |=
        static_cast<unsigned int>(static_cast<unsigned char>(presented[i]) ^
                                  static_cast<unsigned char>(expected[i % expected.size()]));
  }
  return difference == 0;
}

ApiServer::ApiServer(const config::ServerConfig& config, store::Store* store,
                     sync::ShipMethodMappings* mappings, sync::ExceptionDesk* exceptions)
    : api_token_(config.api_token),
      webhook_token_(config.webhook_token),
      store_(store),
      mappings_(mappings),
      exceptions_(exceptions),
      server_(http::ServerOptions{.worker_threads = 4,
                                  .max_body_bytes = std::size_t{8} * 1024 * 1024}) {
  server_.Route("GET", "/healthz", [this](const http::Request&) { return Healthz(); });
  // Outside /api/v1/, but as closed: only /healthz is open to all.
  server_.Route("GET", "/metrics", [this](const http::Request& request) {
    if (!Authorized(request)) {
      return Unauthorized(!api_token_.empty(), request.Header("Authorization").has_value());
    }
    return Metrics();
  });
  server_.Route("GET", "/api/v1/mappings",
                Authenticated([this](const http::Request& r) { return ListMappings(r); }));
  server_.Route("PUT", "/api/v1/mappings",
                Authenticated([this](const http::Request& r) { return PutMapping(r); }));
  server_.Route("DELETE", "/api/v1/mappings",
                Authenticated([this](const http::Request& r) { return DeleteMapping(r); }));
  server_.Route("POST", "/api/v1/mappings/import",
                Authenticated([this](const http::Request& r) { return ImportMappings(r); }));
  server_.Route("GET", "/api/v1/exceptions",
                Authenticated([this](const http::Request& r) { return ListExceptions(r); }));
  server_.Route("POST", "/api/v1/exceptions/{id}/retry",
                Authenticated([this](const http::Request& r) { return RetryException(r); }));
  server_.Route("POST", "/api/v1/exceptions/{id}/resolve",
                Authenticated([this](const http::Request& r) { return ResolveException(r); }));
  server_.Route("PATCH", "/api/v1/exceptions/{id}",
                Authenticated([this](const http::Request& r) { return EditException(r); }));
  server_.SetNotFound(Authenticated([](const http::Request& request) {
    return Error(404, "not_found", fmt::format("no route for {} {}", request.method, request.path));
  }));
  server_.SetResponseHook([](const http::Request& request, http::Response& response) {
    if (request.path.starts_with(kApiPrefix)) {
      response.WithHeader("Cache-Control", "no-store");
    }
  });
}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::AcceptClarusAutomations(sync::DispatchIntake* intake) {
  server_.Route("POST", "/hooks/clarus/{token}", [this, intake](const http::Request& request) {
    const std::string& token = request.path_params.at("token");
    if (!ConstantTimeEquals(token, webhook_token_.Reveal())) {
      return Error(404, "not_found", "no such webhook");
    }
    const Result<sync::DeliveryOutcome> outcome = intake->Deliver(request.headers, request.body);
    if (outcome.ok()) {
      return http::Response::Json(200, R"({"status":"ok"})");
    }
    const Status& status = outcome.status();
    spdlog::warn("clarus automation delivery refused: {}", status.message());
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
        return Error(400, "invalid_argument", std::string(status.message()));
      case StatusCode::kPermissionDenied:
        return Error(403, "permission_denied", std::string(status.message()));
      default:
        return Error(503, "unavailable", "the delivery could not be stored; deliver it again");
    }
  });
}

Status ApiServer::Start(const std::string& host, int port) {
  if (api_token_.empty()) {
    spdlog::warn("no [server] api_token is configured: every request under {} is refused",
                 kApiPrefix);
  }
  return server_.Start(host, port);
}

int ApiServer::Port() const { return server_.Port(); }

void ApiServer::Stop() { server_.Stop(); }

bool ApiServer::Authorized(const http::Request& request) const {
  const std::optional<std::string> header = request.Header("Authorization");
  if (!header.has_value() || api_token_.empty()) {
    return false;
  }
  constexpr std::string_view kScheme = "bearer ";
  std::string_view value = *header;
  if (value.size() < kScheme.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = value[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) {
      return false;
    }
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  while (!value.empty() && value.back() == ' ') {
    value.remove_suffix(1);
  }
  return ConstantTimeEquals(value, api_token_.Reveal());
}

http::Handler ApiServer::Authenticated(http::Handler handler) const {
  return [this, handler = std::move(handler)](const http::Request& request) {
    const bool is_api = request.path.starts_with(kApiPrefix) || request.path == "/api/v1";
    if (is_api && !Authorized(request)) {
      return Unauthorized(!api_token_.empty(), request.Header("Authorization").has_value());
    }
    return handler(request);
  };
}

http::Response ApiServer::Healthz() const {
  Result<std::unique_ptr<store::Transaction>> txn = store_->BeginReadOnly();
  Status readable = txn.status();
  if (readable.ok()) {
    readable = (*txn)->ListAppliedMigrations().status();
  }
  if (!readable.ok()) {
    spdlog::warn("healthz: the store cannot be read: {}", readable.ToString());
    return JsonResponse(503, {{"status", "unavailable"}});
  }
  return JsonResponse(200, {{"status", "ok"}});
}

http::Response ApiServer::Metrics() const {
  Result<std::unique_ptr<store::Transaction>> txn = store_->BeginReadOnly();
  Result<std::string> text = txn.ok() ? DispatchMetricsText(**txn) : txn.status();
  if (!text.ok()) {
    spdlog::warn("metrics: the store cannot be read: {}", text.status().ToString());
    return Error(503, "unavailable", "the store cannot be read");
  }
  http::Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = *std::move(text);
  if (stock_ != nullptr) {
    response.body += StockMetricsText(stock_->Figures());
  }
  return response;
}

http::Response ApiServer::ListMappings(const http::Request& request) const {
  const Result<std::vector<domain::ShipMethodMapping>> listed = mappings_->List();
  if (!listed.ok()) {
    return FromStatus(request, listed.status());
  }
  json out = json::array();
  for (const domain::ShipMethodMapping& mapping : *listed) {
    out.push_back(MappingToJson(mapping));
  }
  return JsonResponse(200, {{"mappings", std::move(out)}});
}

http::Response ApiServer::PutMapping(const http::Request& request) const {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Error(400, "invalid_json", "the body is not JSON");
  }
  std::vector<std::string> problems;
  const domain::ShipMethodMappingData data = MappingDataFromJson(body, problems);
  if (problems.empty()) {
    const Result<std::vector<std::string>> found = mappings_->Problems(data);
    if (!found.ok()) {
      return FromStatus(request, found.status());
    }
    problems = *found;
  }
  if (!problems.empty()) {
    return Error(422, "invalid_mapping",
                 fmt::format("{} problem{}", problems.size(), problems.size() == 1 ? "" : "s"),
                 problems);
  }
  const Result<domain::ShipMethodMapping> mapping = domain::ShipMethodMapping::Create(data);
  if (!mapping.ok()) {
    return FromStatus(request, mapping.status());
  }
  if (const Status put = mappings_->Put(*mapping, kActor); !put.ok()) {
    return FromStatus(request, put);
  }
  return JsonResponse(200, MappingToJson(*mapping));
}

http::Response ApiServer::DeleteMapping(const http::Request& request) const {
  static const std::set<std::string, std::less<>> kKeyParameters = {
      "marketplace_id", "ship_service_level", "automated_carrier", "automated_ship_method",
      "is_prime"};
  std::vector<std::string> problems;
  for (const auto& [name, value] : request.query) {
    if (!kKeyParameters.contains(name)) {
      problems.push_back(fmt::format("unknown query parameter '{}'", name));
    }
  }
  store::ShipMethodKey key{
      .marketplace_id = request.Query("marketplace_id").value_or(""),
      .ship_service_level = request.Query("ship_service_level").value_or(""),
      .automated_carrier = request.Query("automated_carrier").value_or(""),
      .automated_ship_method = request.Query("automated_ship_method").value_or("")};
  if (key.marketplace_id.empty()) {
    problems.emplace_back("marketplace_id is required");
  }
  if (key.ship_service_level.empty() && key.automated_carrier.empty()) {
    problems.emplace_back("give ship_service_level or automated_carrier and automated_ship_method");
  }
  std::string prime_problem;
  const std::optional<bool> is_prime = ParseBool(request, "is_prime", prime_problem);
  if (!is_prime.has_value()) {
    problems.push_back(prime_problem);
  }
  if (!problems.empty()) {
    return Error(400, "invalid_request", "the query does not name a mapping", problems);
  }
  key.is_prime = *is_prime;
  if (const Status deleted = mappings_->Delete(key, kActor); !deleted.ok()) {
    return FromStatus(request, deleted);
  }
  return http::Response::Empty(204);
}

http::Response ApiServer::ImportMappings(const http::Request& request) const {
  std::string problem;
  const std::optional<bool> replace = ParseBool(request, "replace", problem);
  if (!replace.has_value()) {
    return Error(400, "invalid_request", problem);
  }
  const Result<sync::MappingImportReport> report =
      mappings_->Import(request.body, kImportSource, kActor, *replace);
  if (!report.ok()) {
    return FromStatus(request, report.status());
  }
  return JsonResponse(200, ImportReportToJson(*report));
}

http::Response ApiServer::ListExceptions(const http::Request& request) const {
  static const std::set<std::string, std::less<>> kParameters = {"kind", "all"};
  std::vector<std::string> problems;
  for (const auto& [name, value] : request.query) {
    if (!kParameters.contains(name)) {
      problems.push_back(fmt::format("unknown query parameter '{}'", name));
    }
  }
  std::string all_problem;
  const std::optional<bool> all = ParseBool(request, "all", all_problem);
  if (!all.has_value()) {
    problems.push_back(all_problem);
  }
  if (!problems.empty()) {
    return Error(400, "invalid_request", "the query is not one the exception list takes", problems);
  }
  store::ExceptionFilter filter{.open_only = !*all, .limit = kExceptionListLimit};
  if (const std::optional<std::string> kind = request.Query("kind");
      kind.has_value() && !kind->empty()) {
    filter.kind = *kind;
  }
  const Result<std::vector<store::HeldException>> listed = exceptions_->List(filter);
  if (!listed.ok()) {
    return FromStatus(request, listed.status());
  }
  json out = json::array();
  for (const store::HeldException& exception : *listed) {
    out.push_back(ExceptionToJson(exception));
  }
  return JsonResponse(200, {{"exceptions", std::move(out)}});
}

http::Response ApiServer::ExceptionNow(const http::Request& request, std::int64_t id) const {
  const Result<store::HeldException> exception = exceptions_->Get(id);
  if (!exception.ok()) {
    return FromStatus(request, exception.status());
  }
  return JsonResponse(200, ExceptionToJson(*exception));
}

http::Response ApiServer::RetryException(const http::Request& request) const {
  const std::optional<std::int64_t> id = ExceptionId(request);
  if (!id.has_value()) {
    return BadExceptionId(request);
  }
  if (const Status retried = exceptions_->Retry(*id, kActor); !retried.ok()) {
    return FromDeskStatus(request, retried);
  }
  return ExceptionNow(request, *id);
}

http::Response ApiServer::ResolveException(const http::Request& request) const {
  const std::optional<std::int64_t> id = ExceptionId(request);
  if (!id.has_value()) {
    return BadExceptionId(request);
  }
  std::string note;
  if (std::optional<http::Response> error = ReadStringMember(request, "note", note)) {
    return std::move(*error);
  }
  if (const Status resolved = exceptions_->Resolve(*id, kActor, note); !resolved.ok()) {
    return FromDeskStatus(request, resolved);
  }
  return ExceptionNow(request, *id);
}

http::Response ApiServer::EditException(const http::Request& request) const {
  const std::optional<std::int64_t> id = ExceptionId(request);
  if (!id.has_value()) {
    return BadExceptionId(request);
  }
  std::string tracking_number;
  if (std::optional<http::Response> error =
          ReadStringMember(request, "tracking_number", tracking_number)) {
    return std::move(*error);
  }
  if (const Status edited = exceptions_->EditTracking(*id, tracking_number, kActor); !edited.ok()) {
    return FromDeskStatus(request, edited);
  }
  return ExceptionNow(request, *id);
}

}  // namespace sellerbridge::server
