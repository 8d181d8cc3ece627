#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "http/server.h"
#include "store/store.h"
#include "sync/dispatch_intake.h"
#include "sync/exception_desk.h"
#include "sync/ship_method_mappings.h"
#include "sync/stock_sync.h"

namespace sellerbridge::server {

// sellerbridge's HTTP API (see docs/api.md and docs/mappings.md):
// - GET /healthz, open to all: 200 {"status":"ok"} when the store can be read, else 503;
// - GET /metrics, with the same bearer token as /api/v1/: the dispatch flow in Prometheus's text
//   format (DispatchMetricsText), and the stock flow's (StockMetricsText) once ExportStock;
// - POST /hooks/clarus/<webhook token>: Clarus automations (AcceptClarusAutomations);
// - under /api/v1/, only for requests with "Authorization: Bearer <token>" equal to
//   config.api_token (compared in constant time); others get 401 with WWW-Authenticate: Bearer.
//   Without a configured token every /api/v1/ request gets 401: the API is never open.
//   - GET /api/v1/mappings: 200 {"mappings": [mapping, …]};
//   - PUT /api/v1/mappings: one mapping as JSON; 200 with it once stored, 422 listing its problems;
//   - DELETE /api/v1/mappings?marketplace_id=…&ship_service_level=…&automated_carrier=…
//     &automated_ship_method=…&is_prime=true|false: 204, or 404 when there is no such mapping;
//   - POST /api/v1/mappings/import?replace=true|false: a CSV file as the body; 200 with the import
//     report, 422 listing every problem of the file ("body:<line>: <problem>");
//   - GET /api/v1/exceptions?kind=…&all=true|false: 200 {"exceptions": [exception, …]}, the open
//     ones (all of them with all=true), oldest first, at most kExceptionListLimit;
//   - POST /api/v1/exceptions/{id}/retry: 200 with the exception once retried
//     (sync::ExceptionDesk::Retry), 404 for an unknown id, 409 when it cannot be retried;
//   - POST /api/v1/exceptions/{id}/resolve with {"note": "…"}: 200 with the resolved exception,
//     422 without a note, 404, or 409 when it was already resolved;
//   - PATCH /api/v1/exceptions/{id} with {"tracking_number": "…"}: corrects a confirmation's
//     tracking number and retries it; 200 with the exception, 422 when the number does not fit the
//     carrier, 404, or 409 for another kind of exception.
// Errors are JSON: {"error": {"code": "...", "message": "...", "problems": [...]}} (problems only
// for 422). Changes are audited with actor "api". Neither secrets nor request bodies are logged.
class ApiServer {
 public:
  // At most this many exceptions are listed at once.
  static constexpr int kExceptionListLimit = 1000;

  // `store`, `mappings` and `exceptions` must outlive the server.
  ApiServer(const config::ServerConfig& config, store::Store* store,
            sync::ShipMethodMappings* mappings, sync::ExceptionDesk* exceptions);
  ~ApiServer();

  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Takes Clarus automation deliveries at POST /hooks/clarus/<config.webhook_token> and hands
  // them to `intake` (which must outlive the server): 200 once stored (or a duplicate, or an
  // event the dispatch flow ignores), 400 naming what is wrong with the body, 403 when the
  // X-ClarusWMS-* headers name another tenant or automation, 503 when it cannot be stored (Clarus
  // delivers again). Any other token, or none configured, gets 404, in constant time. Before
  // Start only.
  void AcceptClarusAutomations(sync::DispatchIntake* intake);

  // Adds the stock flow's figures to /metrics. `stock` must outlive the server. Before Start
  // only.
  void ExportStock(const sync::StockSync* stock) { stock_ = stock; }

  // Listens on `host`:`port` (0 picks a free port) and serves on background threads. Unavailable
  // when the address cannot be bound; FailedPrecondition when already started.
  Status Start(const std::string& host, int port);

  // The bound port, after Start.
  int Port() const;

  // Stops accepting, finishes requests in flight. Idempotent.
  void Stop();

 private:
  // Whether `request` carries the configured bearer token.
  bool Authorized(const http::Request& request) const;
  // `handler`, behind the bearer-token check.
  http::Handler Authenticated(http::Handler handler) const;

  http::Response Healthz() const;
  http::Response Metrics() const;
  http::Response ListMappings(const http::Request& request) const;
  http::Response PutMapping(const http::Request& request) const;
  http::Response DeleteMapping(const http::Request& request) const;
  http::Response ImportMappings(const http::Request& request) const;
  http::Response ListExceptions(const http::Request& request) const;
  http::Response RetryException(const http::Request& request) const;
  http::Response ResolveException(const http::Request& request) const;
  http::Response EditException(const http::Request& request) const;
  // 200 with exception `id` as it stands, after a change.
  http::Response ExceptionNow(const http::Request& request, std::int64_t id) const;

  const config::Secret api_token_;
  const config::Secret webhook_token_;
  store::Store* const store_;
  sync::ShipMethodMappings* const mappings_;
  sync::ExceptionDesk* const exceptions_;
  const sync::StockSync* stock_ = nullptr;
  http::Server server_;
};

// The JSON form of an exception, as the API and `exceptions list --json` write it: id, kind,
// subject_id, reason, suggested_fix, first_seen, last_seen (ISO 8601 UTC), attempts, resolved_at
// (ISO 8601, null while open), resolved_by and resolution_note (empty while open).
nlohmann::json ExceptionToJson(const store::HeldException& exception);

// Whether `presented` equals `expected`, in time that depends only on the length of `presented`.
// False when `expected` is empty.
bool ConstantTimeEquals(std::string_view presented, std::string_view expected);

}  // namespace sellerbridge::server
