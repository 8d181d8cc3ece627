#pragma once

#include <string>

#include "base/result.h"
#include "config/config.h"
#include "http/server.h"
#include "store/store.h"
#include "sync/ship_method_mappings.h"

namespace sellerbridge::server {

// sellerbridge's HTTP API (see docs/mappings.md):
// - GET /healthz, open to all: 200 {"status":"ok"} when the store can be read, else 503;
// - under /api/v1/, only for requests with "Authorization: Bearer <token>" equal to
//   config.api_token (compared in constant time); others get 401 with WWW-Authenticate: Bearer.
//   Without a configured token every /api/v1/ request gets 401: the API is never open.
//   - GET /api/v1/mappings: 200 {"mappings": [mapping, …]};
//   - PUT /api/v1/mappings: one mapping as JSON; 200 with it once stored, 422 listing its problems;
//   - DELETE /api/v1/mappings?marketplace_id=…&ship_service_level=…&automated_carrier=…
//     &automated_ship_method=…&is_prime=true|false: 204, or 404 when there is no such mapping;
//   - POST /api/v1/mappings/import?replace=true|false: a CSV file as the body; 200 with the import
//     report, 422 listing every problem of the file ("body:<line>: <problem>").
// Errors are JSON: {"error": {"code": "...", "message": "...", "problems": [...]}} (problems only
// for 422). Changes are audited with actor "api". Neither secrets nor request bodies are logged.
class ApiServer {
 public:
  // `store` and `mappings` must outlive the server.
  ApiServer(const config::ServerConfig& config, store::Store* store,
            sync::ShipMethodMappings* mappings);
  ~ApiServer();

  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

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
  http::Response ListMappings(const http::Request& request) const;
  http::Response PutMapping(const http::Request& request) const;
  http::Response DeleteMapping(const http::Request& request) const;
  http::Response ImportMappings(const http::Request& request) const;

  const config::Secret api_token_;
  store::Store* const store_;
  sync::ShipMethodMappings* const mappings_;
  http::Server server_;
};

// Whether `presented` equals `expected`, in time that depends only on the length of `presented`.
// False when `expected` is empty.
bool ConstantTimeEquals(std::string_view presented, std::string_view expected);

}  // namespace sellerbridge::server
