#include "server/api_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#include "base/redact.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "finance/journal_export.h"
#include "monitor/account_health.h"
#include "server/dispatch_metrics.h"
#include "server/mapping_json.h"
#include "server/order_json.h"
#include "server/stock_metrics.h"
#include "server/watch_metrics.h"

namespace sellerbridge::server {
namespace {

using nlohmann::json;

constexpr std::string_view kApiPrefix = "/api/v1/";
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

http::Response Unauthorized(bool presented) {
  std::string challenge = R"(Bearer realm="sellerbridge")";
  if (presented) {
    challenge += R"(, error="invalid_token")";
  }
  const std::string_view message =
      presented ? "the bearer token is not valid (unknown or revoked)"
                : "an Authorization: Bearer <token> header is required (create a token with "
                  "'sellerbridge tokens create')";
  return Error(401, "unauthenticated", message).WithHeader("WWW-Authenticate", challenge);
}

// The token of an "Authorization: Bearer <token>" header (scheme case-insensitive, spaces
// around the token ignored), a view into `header`; nullopt for another header or none.
std::optional<std::string_view> BearerToken(const std::optional<std::string>& header) {
  if (!header.has_value()) {
    return std::nullopt;
  }
  constexpr std::string_view kScheme = "bearer ";
  std::string_view value = *header;
  if (value.size() < kScheme.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = value[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kScheme[i]) {
      return std::nullopt;
    }
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  while (!value.empty() && value.back() == ' ') {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return std::nullopt;
  }
  return value;
}

// What each area is called in a 403.
std::string_view AreaDescription(Area area) {
  switch (area) {
    case Area::kMetrics:
      return "read the metrics";
    case Area::kOrders:
      return "read orders";
    case Area::kAtRisk:
      return "read the at-risk list";
    case Area::kAlerts:
      return "read alerts";
    case Area::kAccountHealth:
      return "read account health";
    case Area::kExceptionsRead:
      return "read exceptions";
    case Area::kExceptionsChange:
      return "act on exceptions";
    case Area::kMappingsRead:
      return "read mappings";
    case Area::kMappingsChange:
      return "change mappings";
    case Area::kStockRead:
      return "read stock";
    case Area::kStockChange:
      return "change stock policies";
    case Area::kQuota:
      return "read quota status";
    case Area::kJobs:
      return "read jobs";
    case Area::kTokens:
      return "manage API tokens";
    case Area::kAuditLog:
      return "read the audit log";
    case Area::kFinanceRead:
      return "read settlements and journals";
    case Area::kFinanceChange:
      return "change account rules";
  }
  return "use this endpoint";
}

// What `read` returns from a read-only transaction of `store`, or why the store cannot be read.
template <typename Read>
auto ReadOnly(store::Store& store, const Read& read)
    -> decltype(read(std::declval<store::Transaction&>())) {
  Result<std::unique_ptr<store::Transaction>> txn = store.BeginReadOnly();
  if (!txn.ok()) {
    return txn.status();
  }
  return read(**txn);
}

// How long a readiness result is kept, so that probes cannot hammer Amazon or Clarus.
constexpr Duration kReadinessTtl = std::chrono::seconds{10};
// Token use is recorded at most this often per token.
constexpr Duration kNoteUseEvery = std::chrono::minutes{1};

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

// The {id} of a path such as "/api/v1/exceptions/{id}…" or "/api/v1/tokens/{id}", or nullopt when
// it is not a positive decimal number.
std::optional<std::int64_t> PathId(const http::Request& request) {
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
                     sync::ShipMethodMappings* mappings, sync::ExceptionDesk* exceptions,
                     Clock* clock)
    : api_token_(config.api_token),
      webhook_token_(config.webhook_token),
      clock_(clock != nullptr ? clock : SystemClock::Get()),
      store_(store),
      mappings_(mappings),
      exceptions_(exceptions),
      server_(http::ServerOptions{.worker_threads = 4,
                                  .max_body_bytes = std::size_t{8} * 1024 * 1024}) {
  // Health is open to all; everything else needs a token.
  server_.Route("GET", "/healthz", [this](const http::Request&) { return Healthz(); });
  server_.Route("GET", "/readyz", [this](const http::Request&) { return Readyz(); });
  const auto route = [this](std::string_view method, std::string_view path, Area area,
                            ApiHandler handler) {
    server_.Route(std::string(method), std::string(path), Allow(area, std::move(handler)));
  };
  const auto reader = [](http::Response (ApiServer::*read)(const http::Request&) const,
                         const ApiServer* self) -> ApiHandler {
    return [read, self](const http::Request& r, const Principal&) { return (self->*read)(r); };
  };
  const auto changer =
      [](http::Response (ApiServer::*change)(const http::Request&, const std::string&) const,
         const ApiServer* self) -> ApiHandler {
    return [change, self](const http::Request& r, const Principal& principal) {
      return (self->*change)(r, principal.Actor());
    };
  };
  route("GET", "/metrics", Area::kMetrics,
        [this](const http::Request&, const Principal&) { return Metrics(); });
  route("GET", "/api/v1/orders", Area::kOrders, reader(&ApiServer::ListOrders, this));
  route("GET", "/api/v1/orders/{id}", Area::kOrders, reader(&ApiServer::GetOrder, this));
  route("GET", "/api/v1/mappings", Area::kMappingsRead, reader(&ApiServer::ListMappings, this));
  route("PUT", "/api/v1/mappings", Area::kMappingsChange, changer(&ApiServer::PutMapping, this));
  route("DELETE", "/api/v1/mappings", Area::kMappingsChange,
        changer(&ApiServer::DeleteMapping, this));
  route("POST", "/api/v1/mappings/import", Area::kMappingsChange,
        changer(&ApiServer::ImportMappings, this));
  route("GET", "/api/v1/exceptions", Area::kExceptionsRead,
        reader(&ApiServer::ListExceptions, this));
  route("POST", "/api/v1/exceptions/{id}/retry", Area::kExceptionsChange,
        changer(&ApiServer::RetryException, this));
  route("POST", "/api/v1/exceptions/{id}/resolve", Area::kExceptionsChange,
        changer(&ApiServer::ResolveException, this));
  route("PATCH", "/api/v1/exceptions/{id}", Area::kExceptionsChange,
        changer(&ApiServer::EditException, this));
  route("GET", "/api/v1/stock/policies", Area::kStockRead,
        [this](const http::Request&, const Principal&) { return StockPolicies(); });
  route("GET", "/api/v1/stock/listings/{sku}", Area::kStockRead,
        reader(&ApiServer::StockListing, this));
  route("GET", "/api/v1/tokens", Area::kTokens, reader(&ApiServer::ListTokens, this));
  route("POST", "/api/v1/tokens", Area::kTokens, changer(&ApiServer::CreateToken, this));
  route("DELETE", "/api/v1/tokens/{id}", Area::kTokens, changer(&ApiServer::RevokeToken, this));
  route("GET", "/api/v1/audit-log", Area::kAuditLog, reader(&ApiServer::ListAuditLog, this));
  // An unknown path under /api/v1/ is 404 only for a valid token: nothing is told to others.
  server_.SetNotFound([this](const http::Request& request) {
    if (request.path.starts_with(kApiPrefix) || request.path == "/api/v1") {
      std::optional<http::Response> error;
      if (!Authenticate(request, error).has_value()) {
        return error.has_value() ? std::move(*error)
                                 : Unauthorized(request.Header("Authorization").has_value());
      }
    }
    return Error(404, "not_found", fmt::format("no route for {} {}", request.method, request.path));
  });
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

void ApiServer::AddReadinessCheck(std::string name, std::function<Status()> check) {
  readiness_checks_.push_back({std::move(name), std::move(check)});
}

Status ApiServer::Start(const std::string& host, int port) {
  if (api_token_.empty()) {
    spdlog::info(
        "no [server] api_token is configured: the API takes only tokens made with "
        "'sellerbridge tokens create'");
  }
  return server_.Start(host, port);
}

int ApiServer::Port() const { return server_.Port(); }

void ApiServer::Stop() { server_.Stop(); }

std::optional<Principal> ApiServer::Authenticate(const http::Request& request,
                                                 std::optional<http::Response>& error) const {
  const std::optional<std::string> header = request.Header("Authorization");
  const std::optional<std::string_view> token = BearerToken(header);
  if (!token.has_value()) {
    return std::nullopt;
  }
  if (ConstantTimeEquals(*token, api_token_.Reveal())) {
    return Principal{.name = "config", .role = Role::kAdmin, .token_id = 0};
  }
  // Only hashes are stored; looking one up reveals nothing of the token itself.
  const Result<std::optional<store::ApiToken>> found = ReadOnly(
      *store_, [&](store::Transaction& tx) { return tx.FindApiTokenByHash(HashApiToken(*token)); });
  if (!found.ok()) {
    spdlog::warn("api: tokens cannot be read: {}", found.status().ToString());
    error = Error(503, "unavailable", "the store cannot be read").WithHeader("Retry-After", "5");
    return std::nullopt;
  }
  if (!found->has_value() || !(*found)->IsActive()) {
    return std::nullopt;
  }
  const Result<Role> role = ParseRole((*found)->role);
  if (!role.ok()) {
    spdlog::error("api: token {} has an unknown role '{}'", (*found)->id, (*found)->role);
    return std::nullopt;
  }
  return Principal{.name = (*found)->name, .role = *role, .token_id = (*found)->id};
}

http::Handler ApiServer::Allow(Area area, ApiHandler handler) const {
  return [this, area, handler = std::move(handler)](const http::Request& request) {
    std::optional<http::Response> error;
    const std::optional<Principal> principal = Authenticate(request, error);
    if (!principal.has_value()) {
      return error.has_value() ? std::move(*error)
                               : Unauthorized(request.Header("Authorization").has_value());
    }
    if (!RoleMay(principal->role, area)) {
      return Error(403, "forbidden",
                   fmt::format("the token '{}' has role {}, which may not {}", principal->name,
                               RoleName(principal->role), AreaDescription(area)));
    }
    NoteUse(*principal);
    return handler(request, *principal);
  };
}

void ApiServer::NoteUse(const Principal& principal) const {
  if (principal.token_id == 0) {
    return;
  }
  const TimePoint now = clock_->Now();
  {
    std::lock_guard lock(mu_);
    auto [last, inserted] = last_noted_.try_emplace(principal.token_id, now);
    if (!inserted && now - last->second < kNoteUseEvery) {
      return;
    }
    last->second = now;
  }
  Result<std::unique_ptr<store::Transaction>> txn = store_->Begin();
  Status noted = txn.status();
  if (noted.ok()) {
    noted = (*txn)->TouchApiToken(principal.token_id);
  }
  if (noted.ok()) {
    noted = (*txn)->Commit();
  }
  if (!noted.ok()) {
    // Only a convenience for admins: the request goes on.
    spdlog::warn("api: cannot record the use of token {}: {}", principal.token_id,
                 noted.ToString());
  }
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

http::Response ApiServer::Readyz() const {
  const TimePoint now = clock_->Now();
  std::vector<std::pair<std::string, Status>> results;
  {
    std::lock_guard lock(mu_);
    if (readiness_.has_value() && now - readiness_->checked_at < kReadinessTtl) {
      results = readiness_->results;
    }
  }
  if (results.empty()) {
    Result<std::unique_ptr<store::Transaction>> txn = store_->BeginReadOnly();
    Status store_status = txn.status();
    if (store_status.ok()) {
      store_status = (*txn)->ListAppliedMigrations().status();
    }
    results.emplace_back("store", store_status);
    for (const ReadinessCheck& check : readiness_checks_) {
      results.emplace_back(check.name, check.check());
    }
    std::lock_guard lock(mu_);
    readiness_ = Readiness{.checked_at = now, .results = results};
  }
  json checks = json::object();
  bool ready = true;
  for (const auto& [name, status] : results) {
    if (status.ok()) {
      checks[name] = "ok";
    } else {
      ready = false;
      checks[name] = Redact(status.ToString());
    }
  }
  return JsonResponse(ready ? 200 : 503,
                      {{"status", ready ? "ready" : "not_ready"}, {"checks", std::move(checks)}});
}

Status ApiServer::RefreshMetrics() {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(std::string text, DispatchMetricsText(*txn));
  std::lock_guard lock(mu_);
  store_metrics_ = std::move(text);
  return Status::Ok();
}

http::Response ApiServer::Metrics() const {
  std::optional<std::string> text;
  {
    std::lock_guard lock(mu_);
    text = store_metrics_;
  }
  if (!text.has_value()) {
    Result<std::string> read =
        ReadOnly(*store_, [](store::Transaction& tx) { return DispatchMetricsText(tx); });
    if (!read.ok()) {
      spdlog::warn("metrics: the store cannot be read: {}", read.status().ToString());
      return Error(503, "unavailable", "the store cannot be read");
    }
    text = *std::move(read);
  }
  http::Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = *std::move(text);
  if (stock_ != nullptr) {
    response.body += StockMetricsText(stock_->Figures());
  }
  if (watch_ != nullptr) {
    response.body += WatchMetricsText(*watch_);
  }
  return response;
}

void ApiServer::ExportWatch(const monitor::Watch* watch, std::vector<std::string> marketplace_ids) {
  watch_ = watch;
  marketplace_ids_ = std::move(marketplace_ids);
  const auto route = [this](std::string_view path, Area area,
                            http::Response (ApiServer::*read)() const) {
    server_.Route("GET", std::string(path),
                  Allow(area, [this, read](const http::Request&, const Principal&) {
                    return (this->*read)();
                  }));
  };
  route("/api/v1/at-risk", Area::kAtRisk, &ApiServer::AtRisk);
  route("/api/v1/alerts", Area::kAlerts, &ApiServer::Alerts);
  route("/api/v1/jobs", Area::kJobs, &ApiServer::Jobs);
  route("/api/v1/quota", Area::kQuota, &ApiServer::Quota);
  route("/api/v1/credentials", Area::kJobs, &ApiServer::Credentials);
  server_.Route("GET", "/api/v1/account-health",
                Allow(Area::kAccountHealth, [this](const http::Request& r, const Principal&) {
                  return AccountHealth(r);
                }));
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

http::Response ApiServer::PutMapping(const http::Request& request, const std::string& actor) const {
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
  if (const Status put = mappings_->Put(*mapping, actor); !put.ok()) {
    return FromStatus(request, put);
  }
  return JsonResponse(200, MappingToJson(*mapping));
}

http::Response ApiServer::DeleteMapping(const http::Request& request,
                                        const std::string& actor) const {
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
  if (const Status deleted = mappings_->Delete(key, actor); !deleted.ok()) {
    return FromStatus(request, deleted);
  }
  return http::Response::Empty(204);
}

http::Response ApiServer::ImportMappings(const http::Request& request,
                                         const std::string& actor) const {
  std::string problem;
  const std::optional<bool> replace = ParseBool(request, "replace", problem);
  if (!replace.has_value()) {
    return Error(400, "invalid_request", problem);
  }
  const Result<sync::MappingImportReport> report =
      mappings_->Import(request.body, kImportSource, actor, *replace);
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

http::Response ApiServer::RetryException(const http::Request& request,
                                         const std::string& actor) const {
  const std::optional<std::int64_t> id = PathId(request);
  if (!id.has_value()) {
    return BadExceptionId(request);
  }
  if (const Status retried = exceptions_->Retry(*id, actor); !retried.ok()) {
    return FromDeskStatus(request, retried);
  }
  return ExceptionNow(request, *id);
}

http::Response ApiServer::ResolveException(const http::Request& request,
                                           const std::string& actor) const {
  const std::optional<std::int64_t> id = PathId(request);
  if (!id.has_value()) {
    return BadExceptionId(request);
  }
  std::string note;
  if (std::optional<http::Response> error = ReadStringMember(request, "note", note)) {
    return std::move(*error);
  }
  if (const Status resolved = exceptions_->Resolve(*id, actor, note); !resolved.ok()) {
    return FromDeskStatus(request, resolved);
  }
  return ExceptionNow(request, *id);
}

http::Response ApiServer::EditException(const http::Request& request,
                                        const std::string& actor) const {
  const std::optional<std::int64_t> id = PathId(request);
  if (!id.has_value()) {
    return BadExceptionId(request);
  }
  std::string tracking_number;
  if (std::optional<http::Response> error =
          ReadStringMember(request, "tracking_number", tracking_number)) {
    return std::move(*error);
  }
  if (const Status edited = exceptions_->EditTracking(*id, tracking_number, actor); !edited.ok()) {
    return FromDeskStatus(request, edited);
  }
  return ExceptionNow(request, *id);
}

namespace {

// The problems of `request`'s query parameters that are not in `known`.
std::vector<std::string> UnknownParameters(const http::Request& request,
                                           std::initializer_list<std::string_view> known) {
  std::vector<std::string> problems;
  for (const auto& [name, value] : request.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      problems.push_back(fmt::format("unknown query parameter '{}'", name));
    }
  }
  return problems;
}

// Reads the limit parameter: 1..max, `fallback` when absent.
int ReadLimit(const http::Request& request, int fallback, int max,
              std::vector<std::string>& problems) {
  const std::optional<std::string> text = request.Query("limit");
  if (!text.has_value()) {
    return fallback;
  }
  int limit = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (error != std::errc() || end != text->data() + text->size() || limit < 1 || limit > max) {
    problems.push_back(fmt::format("limit must be a whole number from 1 to {}", max));
    return fallback;
  }
  return limit;
}

json PolicyToJson(const domain::StockPolicy& policy) {
  return {{"buffer", domain::BufferKindName(policy.buffer)},
          {"buffer_units", policy.buffer_units},
          {"buffer_percent", policy.buffer_percent},
          {"zero_at_or_below", policy.zero_at_or_below},
          {"min_quantity", policy.min_quantity},
          {"max_quantity",
           policy.max_quantity.has_value() ? json(*policy.max_quantity) : json(nullptr)}};
}

json TokenToJson(const store::ApiToken& token) {
  const auto optional_time = [](const std::optional<TimePoint>& at) {
    return at.has_value() ? json(FormatIso8601(*at)) : json(nullptr);
  };
  return {{"id", token.id},
          {"name", token.name},
          {"role", token.role},
          {"created_at", FormatIso8601(token.created_at)},
          {"created_by", token.created_by},
          {"last_used_at", optional_time(token.last_used_at)},
          {"revoked_at", optional_time(token.revoked_at)}};
}

}  // namespace

http::Response ApiServer::ListOrders(const http::Request& request) const {
  std::vector<std::string> problems =
      UnknownParameters(request, {"sync_state", "status", "updated_since", "limit"});
  store::OrderFilter filter;
  filter.limit = ReadLimit(request, 100, 1000, problems);
  if (const std::optional<std::string> state = request.Query("sync_state")) {
    Result<store::SyncState> parsed = store::ParseSyncState(*state);
    if (parsed.ok()) {
      filter.sync_state = *parsed;
    } else {
      problems.push_back(fmt::format("sync_state: {}", parsed.status().message()));
    }
  }
  if (const std::optional<std::string> status = request.Query("status")) {
    Result<domain::OrderStatus> parsed = domain::ParseOrderStatus(*status);
    if (parsed.ok()) {
      filter.status = *parsed;
    } else {
      problems.push_back(fmt::format("status: {}", parsed.status().message()));
    }
  }
  if (const std::optional<std::string> since = request.Query("updated_since")) {
    Result<TimePoint> parsed = ParseIso8601(*since);
    if (parsed.ok()) {
      filter.updated_since = *parsed;
    } else {
      problems.emplace_back("updated_since must be an ISO 8601 time such as 2026-11-27T10:00:00Z");
    }
  }
  if (!problems.empty()) {
    return Error(400, "invalid_request", "the query is not one the order search takes", problems);
  }
  const Result<std::vector<store::StoredOrder>> orders =
      ReadOnly(*store_, [&](store::Transaction& tx) { return tx.ListOrders(filter); });
  if (!orders.ok()) {
    return FromStatus(request, orders.status());
  }
  json out = json::array();
  for (const store::StoredOrder& order : *orders) {
    out.push_back(OrderSummaryToJson(order));
  }
  return JsonResponse(200, {{"orders", std::move(out)}});
}

http::Response ApiServer::GetOrder(const http::Request& request) const {
  const std::string& id = request.path_params.at("id");
  const Result<json> timeline =
      ReadOnly(*store_, [&](store::Transaction& tx) { return OrderTimeline(tx, id); });
  if (!timeline.ok()) {
    if (timeline.status().code() == StatusCode::kNotFound) {
      return Error(404, "not_found", fmt::format("no order {}", id));
    }
    return FromStatus(request, timeline.status());
  }
  return JsonResponse(200, *timeline);
}

http::Response ApiServer::StockPolicies() const {
  if (!stock_config_.has_value()) {
    return Error(404, "not_found", "the stock flow is not configured ([stock] enabled = false)");
  }
  json rules = json::array();
  for (const domain::StockPolicyRule& rule : stock_config_->rules) {
    rules.push_back(
        {{"sku", rule.sku.empty() ? json(nullptr) : json(rule.sku)},
         {"sku_pattern", rule.sku_pattern.empty() ? json(nullptr) : json(rule.sku_pattern)},
         {"velocity_class", rule.velocity_class.has_value()
                                ? json(domain::VelocityClassName(*rule.velocity_class))
                                : json(nullptr)},
         {"policy", PolicyToJson(rule.policy)}});
  }
  return JsonResponse(200, {{"default", PolicyToJson(stock_config_->default_policy)},
                            {"rules", std::move(rules)},
                            {"source", "configuration ([stock.default] and [[stock.rules]])"}});
}

http::Response ApiServer::StockListing(const http::Request& request) const {
  if (stock_ == nullptr) {
    return Error(404, "not_found", "the stock flow is not running");
  }
  std::vector<std::string> problems = UnknownParameters(request, {"marketplace_id"});
  const std::optional<std::string> marketplace = request.Query("marketplace_id");
  if (!marketplace.has_value() || marketplace->empty()) {
    problems.emplace_back("marketplace_id is required");
  }
  if (!problems.empty()) {
    return Error(400, "invalid_request", "the query is not one the stock listing takes", problems);
  }
  const std::string& sku = request.path_params.at("sku");
  const Result<sync::StockSync::ListingView> view = stock_->View(sku, *marketplace);
  if (!view.ok()) {
    return FromStatus(request, view.status());
  }
  return JsonResponse(
      200, {{"sku", sku},
            {"marketplace_id", *marketplace},
            {"available", view->available},
            {"target", view->target},
            {"published", view->published.has_value() ? json(*view->published) : json(nullptr)},
            {"velocity_class", domain::VelocityClassName(view->velocity_class)},
            {"units_per_hour", view->units_per_hour},
            {"lane", sync::StockLaneName(view->lane)},
            {"queued", view->queued},
            {"in_feed", view->in_feed}});
}

http::Response ApiServer::ListTokens(const http::Request& request) const {
  const Result<std::vector<store::ApiToken>> tokens =
      ReadOnly(*store_, [](store::Transaction& tx) { return tx.ListApiTokens(); });
  if (!tokens.ok()) {
    return FromStatus(request, tokens.status());
  }
  json out = json::array();
  for (const store::ApiToken& token : *tokens) {
    out.push_back(TokenToJson(token));
  }
  return JsonResponse(200, {{"tokens", std::move(out)}});
}

http::Response ApiServer::CreateToken(const http::Request& request,
                                      const std::string& actor) const {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Error(400, "invalid_json", "the body is not JSON");
  }
  std::vector<std::string> problems;
  std::string name;
  std::optional<Role> role;
  if (!body.is_object()) {
    problems.emplace_back(R"(the body must be an object: {"name": "…", "role": "ops"})");
  } else {
    for (const auto& [member, value] : body.items()) {
      if (member == "name" && value.is_string() && !value.get<std::string>().empty()) {
        name = value.get<std::string>();
      } else if (member == "role" && value.is_string()) {
        Result<Role> parsed = ParseRole(value.get<std::string>());
        if (parsed.ok()) {
          role = *parsed;
        } else {
          problems.emplace_back(parsed.status().message());
        }
      } else if (member == "name" || member == "role") {
        problems.push_back(fmt::format("{} must be a non-empty string", member));
      } else {
        problems.push_back(fmt::format("unknown member '{}' (expected name and role)", member));
      }
    }
    if (name.empty() && !body.contains("name")) {
      problems.emplace_back("name is required");
    }
    if (!role.has_value() && !body.contains("role")) {
      problems.emplace_back("role is required: ops, ecommerce, finance or admin");
    }
  }
  if (!problems.empty()) {
    return Error(422, "invalid_argument",
                 fmt::format("{} problem{}", problems.size(), problems.size() == 1 ? "" : "s"),
                 problems);
  }
  Result<std::string> token = GenerateApiToken();
  if (!token.ok()) {
    return FromStatus(request, token.status());
  }
  Result<std::unique_ptr<store::Transaction>> txn = store_->Begin();
  Result<std::int64_t> id = txn.ok() ? (*txn)->CreateApiToken({.name = name,
                                                               .role = std::string(RoleName(*role)),
                                                               .token_hash = HashApiToken(*token),
                                                               .created_by = actor})
                                     : Result<std::int64_t>(txn.status());
  Status stored = id.status();
  if (stored.ok()) {
    stored = (*txn)
                 ->AppendAudit({.at = clock_->Now(),
                                .actor = actor,
                                .action = "token.created",
                                .subject = fmt::format("token:{}", *id),
                                .details = fmt::format("name {}, role {}", name, RoleName(*role))})
                 .status();
  }
  if (stored.ok()) {
    stored = (*txn)->Commit();
  }
  if (!stored.ok()) {
    return FromStatus(request, stored);
  }
  return JsonResponse(201, {{"id", *id},
                            {"name", name},
                            {"role", RoleName(*role)},
                            {"token", *token},
                            {"note", "the token is shown only this once; only its hash is kept"}});
}

http::Response ApiServer::RevokeToken(const http::Request& request,
                                      const std::string& actor) const {
  const std::optional<std::int64_t> id = PathId(request);
  if (!id.has_value()) {
    return Error(400, "invalid_request", "the token id must be a positive number");
  }
  Result<std::unique_ptr<store::Transaction>> txn = store_->Begin();
  Status revoked = txn.status();
  if (revoked.ok()) {
    revoked = (*txn)->RevokeApiToken(*id);
  }
  if (revoked.ok()) {
    revoked = (*txn)
                  ->AppendAudit({.at = clock_->Now(),
                                 .actor = actor,
                                 .action = "token.revoked",
                                 .subject = fmt::format("token:{}", *id)})
                  .status();
  }
  if (revoked.ok()) {
    revoked = (*txn)->Commit();
  }
  if (revoked.code() == StatusCode::kFailedPrecondition) {
    return Error(409, "conflict", revoked.message());
  }
  if (!revoked.ok()) {
    return FromStatus(request, revoked);
  }
  return http::Response::Empty(204);
}

http::Response ApiServer::ListAuditLog(const http::Request& request) const {
  std::vector<std::string> problems = UnknownParameters(request, {"after_id", "subject", "limit"});
  store::AuditQuery query;
  query.limit = ReadLimit(request, 100, 1000, problems);
  if (const std::optional<std::string> after = request.Query("after_id")) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(after->data(), after->data() + after->size(), value);
    if (error != std::errc() || end != after->data() + after->size() || value < 0) {
      problems.emplace_back("after_id must be a whole number");
    } else {
      query.after_id = value;
    }
  }
  if (const std::optional<std::string> subject = request.Query("subject")) {
    query.subject = *subject;
  }
  if (!problems.empty()) {
    return Error(400, "invalid_request", "the query is not one the audit log takes", problems);
  }
  const Result<std::vector<store::AuditEntry>> entries =
      ReadOnly(*store_, [&](store::Transaction& tx) { return tx.ListAudit(query); });
  if (!entries.ok()) {
    return FromStatus(request, entries.status());
  }
  json out = json::array();
  for (const store::AuditEntry& entry : *entries) {
    out.push_back({{"id", entry.id},
                   {"at", FormatIso8601(entry.at)},
                   {"actor", entry.actor},
                   {"action", entry.action},
                   {"subject", entry.subject},
                   {"details", entry.details}});
  }
  return JsonResponse(200, {{"entries", std::move(out)}});
}

http::Response ApiServer::AtRisk() const {
  const monitor::AtRiskSnapshot snapshot = watch_->AtRisk();
  json orders = json::array();
  for (const monitor::AtRiskOrder& order : snapshot.orders) {
    orders.push_back(monitor::AtRiskToJson(order));
  }
  return JsonResponse(
      200,
      {{"as_of", snapshot.as_of.has_value() ? json(FormatIso8601(*snapshot.as_of)) : json(nullptr)},
       {"orders", std::move(orders)}});
}

http::Response ApiServer::Alerts() const {
  json alerts = json::array();
  for (const monitor::Alert& alert : watch_->Alerts()) {
    alerts.push_back(monitor::AlertToJson(alert));
  }
  const monitor::AlertCounters counters = watch_->AlertFigures();
  return JsonResponse(
      200,
      {{"firing", std::move(alerts)},
       {"notifications",
        {{"sent", counters.sent}, {"failed", counters.failed}, {"pending", counters.pending}}}});
}

http::Response ApiServer::Jobs() const {
  const TimePoint now = clock_->Now();
  json jobs = json::array();
  for (const sync::JobStats& job : watch_->Jobs()) {
    jobs.push_back(monitor::JobToJson(job, now));
  }
  return JsonResponse(200, {{"jobs", std::move(jobs)}});
}

http::Response ApiServer::Quota() const {
  json operations = json::array();
  for (const auto& [operation, counters] : watch_->Quota()) {
    operations.push_back(
        {{"api", operation.api},
         {"operation", operation.operation},
         {"calls", counters.calls},
         {"granted", counters.granted},
         {"waits", counters.waits},
         {"throttled", counters.throttled},
         {"timed_out", counters.timed_out},
         {"wait_seconds", std::chrono::duration<double>(counters.total_wait).count()}});
  }
  return JsonResponse(200, {{"operations", std::move(operations)}});
}

http::Response ApiServer::Credentials() const {
  json credentials = json::array();
  for (const monitor::CredentialCheck& credential : watch_->Credentials()) {
    credentials.push_back(monitor::CredentialToJson(credential));
  }
  return JsonResponse(200, {{"credentials", std::move(credentials)}});
}

void ApiServer::ExportFinance(finance::SettlementBook* book, const config::FinanceConfig& config) {
  settlements_ = book;
  finance_config_ = config;
  const auto read = [this](std::string_view path, Area area,
                           http::Response (ApiServer::*handler)(const http::Request&) const) {
    server_.Route("GET", std::string(path),
                  Allow(area, [this, handler](const http::Request& r, const Principal&) {
                    return (this->*handler)(r);
                  }));
  };
  const auto change =
      [this](std::string_view method, std::string_view path,
             http::Response (ApiServer::*handler)(const http::Request&, const std::string&) const) {
        server_.Route(std::string(method), std::string(path),
                      Allow(Area::kFinanceChange,
                            [this, handler](const http::Request& r, const Principal& principal) {
                              return (this->*handler)(r, principal.Actor());
                            }));
      };
  read("/api/v1/settlements", Area::kFinanceRead, &ApiServer::ListSettlements);
  read("/api/v1/settlements/{id}", Area::kFinanceRead, &ApiServer::GetSettlement);
  read("/api/v1/settlements/{id}/journals", Area::kFinanceRead, &ApiServer::SettlementJournals);
  change("POST", "/api/v1/settlements/reanalyse", &ApiServer::ReanalyseSettlements);
  read("/api/v1/finance/accounts", Area::kFinanceRead, &ApiServer::FinanceAccounts);
  change("PUT", "/api/v1/finance/accounts", &ApiServer::PutFinanceAccounts);
}

namespace {

json AccountRulesToJson(const std::vector<finance::AccountRule>& rules) {
  json out = json::array();
  for (const finance::AccountRule& rule : rules) {
    out.push_back({{"transaction_type", rule.transaction_type},
                   {"amount_type", rule.amount_type},
                   {"amount_description", rule.amount_description},
                   {"account_code", rule.account.code},
                   {"account_name", rule.account.name}});
  }
  return out;
}

// The ?format= of an export: "json" (the default) or "csv"; nullopt for another.
std::optional<bool> WantsCsv(const http::Request& request) {
  const std::string format = request.Query("format").value_or("json");
  if (format != "json" && format != "csv") {
    return std::nullopt;
  }
  return format == "csv";
}

http::Response CsvResponse(std::string body) {
  http::Response response{
      .status = 200, .content_type = "text/csv; charset=utf-8", .body = std::move(body)};
  return response;
}

}  // namespace

http::Response ApiServer::ListSettlements(const http::Request& request) const {
  store::SettlementReportFilter filter{.limit = 1000};
  if (const std::optional<std::string> state = request.Query("state"); state && !state->empty()) {
    const Result<store::SettlementState> parsed = store::ParseSettlementState(*state);
    if (!parsed.ok()) {
      return Error(400, "invalid_request", "state must be Received, Balanced or NeedsAttention");
    }
    filter.state = *parsed;
  }
  const Result<std::vector<store::SettlementReport>> listed =
      ReadOnly(*store_, [&](store::Transaction& tx) { return tx.ListSettlementReports(filter); });
  if (!listed.ok()) {
    return FromStatus(request, listed.status());
  }
  json out = json::array();
  for (const store::SettlementReport& report : *listed) {
    out.push_back(finance::SettlementReportToJson(report));
  }
  return JsonResponse(200, {{"settlements", std::move(out)}});
}

http::Response ApiServer::GetSettlement(const http::Request& request) const {
  const std::string& id = request.path_params.at("id");
  const Result<json> found = ReadOnly(*store_, [&](store::Transaction& tx) -> Result<json> {
    ASSIGN_OR_RETURN(const store::SettlementReport report, finance::FindSettlementReport(tx, id));
    ASSIGN_OR_RETURN(const std::vector<store::JournalPosting> postings,
                     tx.ListJournalPostings(report.settlement_id));
    json out = finance::SettlementReportToJson(report);
    const json journals = json::parse(report.journals, nullptr, false);
    out["journals"] = journals.is_discarded() ? json(nullptr) : journals;
    json posted = json::array();
    for (const store::JournalPosting& posting : postings) {
      posted.push_back({{"period", posting.period},
                        {"sink", posting.sink},
                        {"posted", posting.posted},
                        {"external_id", posting.external_id},
                        {"attempts", posting.attempts},
                        {"last_error", posting.last_error},
                        {"updated_at", FormatIso8601(posting.updated_at)}});
    }
    out["postings"] = std::move(posted);
    return out;
  });
  if (!found.ok()) {
    return FromStatus(request, found.status());
  }
  return JsonResponse(200, *found);
}

http::Response ApiServer::SettlementJournals(const http::Request& request) const {
  const std::optional<bool> csv = WantsCsv(request);
  if (!csv) {
    return Error(400, "invalid_request", "format must be json or csv");
  }
  const std::string& id = request.path_params.at("id");
  const Result<finance::SettlementAnalysis> analysis =
      ReadOnly(*store_, [&](store::Transaction& tx) {
        return finance::AnalyseStoredSettlement(tx, id, *finance_config_);
      });
  if (!analysis.ok()) {
    return analysis.status().code() == StatusCode::kInvalidArgument
               ? Error(409, "not_a_settlement", analysis.status().message())
               : FromStatus(request, analysis.status());
  }
  if (*csv) {
    return CsvResponse(finance::JournalsToCsv(analysis->journals));
  }
  return JsonResponse(200, finance::JournalsToJson(analysis->journals));
}

http::Response ApiServer::ReanalyseSettlements(const http::Request& request,
                                               const std::string& actor) const {
  const Result<int> balanced = settlements_->Reanalyse();
  if (!balanced.ok()) {
    return FromStatus(request, balanced.status());
  }
  spdlog::info("api: {} asked to analyse again the settlements needing attention; {} balance now",
               actor, *balanced);
  return JsonResponse(200, {{"balanced_now", *balanced}});
}

http::Response ApiServer::FinanceAccounts(const http::Request& request) const {
  const std::optional<bool> csv = WantsCsv(request);
  if (!csv) {
    return Error(400, "invalid_request", "format must be json or csv");
  }
  const Result<std::pair<bool, finance::AccountMap>> accounts =
      ReadOnly(*store_, [](store::Transaction& tx) -> Result<std::pair<bool, finance::AccountMap>> {
        ASSIGN_OR_RETURN(const std::vector<store::FinanceAccountRule> stored,
                         tx.ListFinanceAccountRules());
        ASSIGN_OR_RETURN(finance::AccountMap map, finance::LoadAccountMap(tx));
        return std::pair{!stored.empty(), std::move(map)};
      });
  if (!accounts.ok()) {
    return FromStatus(request, accounts.status());
  }
  if (*csv) {
    return CsvResponse(finance::AccountRulesToCsv(accounts->second.Rules()));
  }
  return JsonResponse(200, {{"source", accounts->first ? "stored" : "defaults"},
                            {"rules", AccountRulesToJson(accounts->second.Rules())}});
}

http::Response ApiServer::PutFinanceAccounts(const http::Request& request,
                                             const std::string& actor) const {
  Result<std::vector<finance::AccountRule>> rules =
      finance::ParseAccountRulesCsv(request.body, "request body");
  Result<finance::AccountMap> accounts = rules.ok()
                                             ? finance::AccountMap::FromRules(*std::move(rules))
                                             : Result<finance::AccountMap>(rules.status());
  if (!accounts.ok()) {
    return accounts.status().code() == StatusCode::kInvalidArgument
               ? Error(422, "invalid_account_rules", accounts.status().message(),
                       {accounts.status().message()})
               : FromStatus(request, accounts.status());
  }
  const Status stored = [&]() -> Status {
    ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> tx, store_->Begin());
    RETURN_IF_ERROR(tx->ReplaceFinanceAccountRules(finance::ToStoreRules(accounts->Rules())));
    RETURN_IF_ERROR(tx->AppendAudit({.at = clock_->Now(),
                                     .actor = actor,
                                     .action = "finance.accounts_imported",
                                     .subject = "finance:accounts",
                                     .details = fmt::format("{} rules", accounts->Rules().size())})
                        .status());
    return tx->Commit();
  }();
  if (!stored.ok()) {
    return FromStatus(request, stored);
  }
  const Result<int> balanced = settlements_->Reanalyse();
  if (!balanced.ok()) {
    return FromStatus(request, balanced.status());
  }
  return JsonResponse(200, {{"rules", accounts->Rules().size()}, {"balanced_now", *balanced}});
}

http::Response ApiServer::AccountHealth(const http::Request& request) const {
  std::vector<std::string> problems = UnknownParameters(request, {"marketplace_id"});
  std::vector<std::string> marketplaces = marketplace_ids_;
  if (const std::optional<std::string> one = request.Query("marketplace_id")) {
    if (std::find(marketplaces.begin(), marketplaces.end(), *one) == marketplaces.end()) {
      problems.push_back(
          fmt::format("marketplace_id {} is not one of [amazon] marketplaces", *one));
    }
    marketplaces = {*one};
  }
  if (!problems.empty()) {
    return Error(400, "invalid_request", "the query is not one account health takes", problems);
  }
  Result<std::unique_ptr<store::Transaction>> txn = store_->BeginReadOnly();
  if (!txn.ok()) {
    return FromStatus(request, txn.status());
  }
  json views = json::array();
  for (const std::string& marketplace : marketplaces) {
    const Result<monitor::AccountHealthView> view =
        monitor::LoadAccountHealthView(**txn, marketplace, clock_->Now());
    if (!view.ok()) {
      return FromStatus(request, view.status());
    }
    views.push_back(monitor::ToJson(*view));
  }
  return JsonResponse(200, {{"marketplaces", std::move(views)}});
}

}  // namespace sellerbridge::server
