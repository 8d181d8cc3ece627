#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "finance/settlements.h"
#include "http/server.h"
#include "monitor/watch.h"
#include "server/api_tokens.h"
#include "store/store.h"
#include "sync/dispatch_intake.h"
#include "sync/exception_desk.h"
#include "sync/ship_method_mappings.h"
#include "sync/stock_sync.h"

namespace sellerbridge::server {

// Who a request acts as, once its bearer token is known.
struct Principal {
  std::string name;  // The token's name; "config" for [server] api_token.
  Role role = Role::kAdmin;
  std::int64_t token_id = 0;  // 0 for [server] api_token.

  // How changes made through the API are audited: "api:<name>".
  std::string Actor() const { return "api:" + name; }
};

// sellerbridge's HTTP API (see docs/api.md and docs/mappings.md):
// - GET /healthz and GET /readyz, open to all: alive; ready when the store can be read and every
//   readiness check (both remote systems) passes, else 503 naming what is not;
// - GET /metrics in Prometheus's text format, for any valid token;
// - POST /hooks/clarus/<webhook token>: Clarus automations (AcceptClarusAutomations);
// - under /api/v1/, only for requests with "Authorization: Bearer <token>", where the token is
//   config.api_token (role admin, compared in constant time) or an API token from the store
//   (only its SHA-256 is stored; see api_tokens.h for the roles). Others get 401 with
//   WWW-Authenticate: Bearer; a valid token whose role may not use the endpoint gets 403.
//   The endpoints and the role each needs are listed in docs/api.md: orders, the at-risk list,
//   alerts, account health, exceptions, mappings, stock policies, quota, jobs, tokens, the
//   audit log, settlements and finance's account rules.
// Errors are JSON: {"error": {"code": "...", "message": "...", "problems": [...]}} (problems only
// for 422). Changes are audited with actor "api:<token name>". Neither secrets nor request bodies
// are logged.
class ApiServer {
 public:
  // At most this many exceptions are listed at once.
  static constexpr int kExceptionListLimit = 1000;

  // `store`, `mappings` and `exceptions` must outlive the server.
  // `clock` times token use and readiness checks (the system clock when null).
  ApiServer(const config::ServerConfig& config, store::Store* store,
            sync::ShipMethodMappings* mappings, sync::ExceptionDesk* exceptions,
            Clock* clock = nullptr);
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

  // Adds the stock flow's figures to /metrics and /api/v1/stock. `stock` must outlive the
  // server. Before Start only.
  void ExportStock(const sync::StockSync* stock) { stock_ = stock; }

  // Serves what the watch knows: /api/v1/at-risk, /alerts, /jobs, /quota, /credentials, and
  // /api/v1/account-health for `marketplace_ids` (our projection beside Amazon's report); adds
  // its figures to /metrics. `watch` must outlive the server. Before Start only.
  void ExportWatch(const monitor::Watch* watch, std::vector<std::string> marketplace_ids);

  // Reads the store-derived part of /metrics (order and dispatch histograms and counts) and keeps
  // it, so that a scrape serves it from memory; the daemon calls this on a cadence. Until the
  // first call a scrape reads the store itself. Fails when the store cannot be read (the last
  // text is kept).
  Status RefreshMetrics();

  // Serves the money flow: /api/v1/settlements (the stored settlement reports, one with its
  // problems, journals and postings, its journals as CSV or JSON, re-analysis) and
  // /api/v1/finance/accounts (the account rules in force; PUT replaces them from CSV and
  // analyses again the settlements needing attention). `book` must outlive the server. Before
  // Start only.
  void ExportFinance(finance::SettlementBook* book, const config::FinanceConfig& config);

  // Serves the stock policies of `config` at /api/v1/stock/policies. Before Start only.
  void ExportStockPolicies(const config::StockConfig& config) { stock_config_ = config; }

  // Adds a check that /readyz runs (at most every few seconds; the result is kept between):
  // `check` returns Ok when `name` (e.g. "amazon", "clarus") can be reached. Before Start only.
  void AddReadinessCheck(std::string name, std::function<Status()> check);

  // Listens on `host`:`port` (0 picks a free port) and serves on background threads. Unavailable
  // when the address cannot be bound; FailedPrecondition when already started.
  Status Start(const std::string& host, int port);

  // The bound port, after Start.
  int Port() const;

  // Stops accepting, finishes requests in flight. Idempotent.
  void Stop();

 private:
  using ApiHandler = std::function<http::Response(const http::Request&, const Principal&)>;

  // Who `request`'s bearer token belongs to: nullopt when there is no valid one. `error` is set
  // (to a 503) when the store cannot be read.
  std::optional<Principal> Authenticate(const http::Request& request,
                                        std::optional<http::Response>& error) const;
  // `handler`, for principals whose role may use `area`: 401 without a valid token, 403 for
  // another role.
  http::Handler Allow(Area area, ApiHandler handler) const;
  // Records that `principal` used its token, at most once a minute per token.
  void NoteUse(const Principal& principal) const;

  http::Response Healthz() const;
  http::Response Readyz() const;
  http::Response Metrics() const;
  http::Response ListOrders(const http::Request& request) const;
  http::Response GetOrder(const http::Request& request) const;
  http::Response ListMappings(const http::Request& request) const;
  http::Response PutMapping(const http::Request& request, const std::string& actor) const;
  http::Response DeleteMapping(const http::Request& request, const std::string& actor) const;
  http::Response ImportMappings(const http::Request& request, const std::string& actor) const;
  http::Response ListExceptions(const http::Request& request) const;
  http::Response RetryException(const http::Request& request, const std::string& actor) const;
  http::Response ResolveException(const http::Request& request, const std::string& actor) const;
  http::Response EditException(const http::Request& request, const std::string& actor) const;
  // 200 with exception `id` as it stands, after a change.
  http::Response ExceptionNow(const http::Request& request, std::int64_t id) const;
  http::Response StockPolicies() const;
  http::Response StockListing(const http::Request& request) const;
  http::Response ListTokens(const http::Request& request) const;
  http::Response CreateToken(const http::Request& request, const std::string& actor) const;
  http::Response RevokeToken(const http::Request& request, const std::string& actor) const;
  http::Response ListAuditLog(const http::Request& request) const;
  http::Response AtRisk() const;
  http::Response Alerts() const;
  http::Response Jobs() const;
  http::Response Quota() const;
  http::Response Credentials() const;
  http::Response AccountHealth(const http::Request& request) const;
  http::Response ListSettlements(const http::Request& request) const;
  http::Response GetSettlement(const http::Request& request) const;
  http::Response SettlementJournals(const http::Request& request) const;
  http::Response ReanalyseSettlements(const http::Request& request, const std::string& actor) const;
  http::Response FinanceAccounts(const http::Request& request) const;
  http::Response PutFinanceAccounts(const http::Request& request, const std::string& actor) const;

  struct ReadinessCheck {
    std::string name;
    std::function<Status()> check;
  };
  struct Readiness {
    TimePoint checked_at;
    std::vector<std::pair<std::string, Status>> results;
  };

  const config::Secret api_token_;
  const config::Secret webhook_token_;
  Clock* const clock_;
  store::Store* const store_;
  sync::ShipMethodMappings* const mappings_;
  sync::ExceptionDesk* const exceptions_;
  const sync::StockSync* stock_ = nullptr;
  const monitor::Watch* watch_ = nullptr;
  finance::SettlementBook* settlements_ = nullptr;
  std::optional<config::FinanceConfig> finance_config_;
  std::vector<std::string> marketplace_ids_;
  std::optional<config::StockConfig> stock_config_;
  std::vector<ReadinessCheck> readiness_checks_;  // Set before Start.
  mutable std::mutex mu_;
  mutable std::map<std::int64_t, TimePoint> last_noted_;  // Guarded by mu_.
  mutable std::optional<Readiness> readiness_;            // Guarded by mu_.
  std::optional<std::string> store_metrics_;              // Guarded by mu_.
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
