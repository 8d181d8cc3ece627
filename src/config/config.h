#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/logging.h"
#include "base/result.h"
#include "domain/stock_policy.h"

namespace sellerbridge::config {

// A credential from the configuration (a client secret, refresh token or API
// token). Streaming a Secret shows "[redacted]" (or "(unset)"), never the
// value, so it cannot leak through logs or test output; Reveal() is for the
// code that hands it to the remote system.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  // The value itself. Never log it.
  const std::string& Reveal() const { return value_; }

  // Whether no value was configured.
  bool empty() const { return value_.empty(); }

  friend bool operator==(const Secret& a, const Secret& b) = default;

 private:
  std::string value_;
};

// Writes "[redacted]", or "(unset)" for an empty secret.
std::ostream& operator<<(std::ostream& os, const Secret& secret);

// [store]: where sellerbridge keeps its state.
struct StoreConfig {
  // "sqlite:///absolute/path.db", "sqlite:relative/path.db", "sqlite::memory:"
  // or "postgresql://…" ("postgres://…"). Required. A password in it is
  // registered for redaction.
  std::string url;
};

// [amazon]: the Selling Partner API account.
struct AmazonConfig {
  // SP-API base URL. Defaults to the endpoint of `region`
  // (https://sellingpartnerapi-eu.amazon.com for EU).
  std::string endpoint = "https://sellingpartnerapi-eu.amazon.com";
  // Login with Amazon token URL.
  std::string lwa_endpoint = "https://api.amazon.com/auth/o2/token";
  Secret client_id;       // Required; env SELLERBRIDGE_AMAZON_CLIENT_ID.
  Secret client_secret;   // Required; env SELLERBRIDGE_AMAZON_CLIENT_SECRET.
  Secret refresh_token;   // Required; env SELLERBRIDGE_AMAZON_REFRESH_TOKEN.
  std::string seller_id;  // Required.
  std::string region;     // Required: "NA", "EU" or "FE".
  // Marketplace ids, at least one, each known to FindMarketplace() and in `region`.
  std::vector<std::string> marketplaces;
  // When the LWA client secret expires (it must be rotated before then), as
  // the first day it no longer works; unset when not configured. The audit
  // and the alerts warn ahead of it.
  std::optional<std::chrono::year_month_day> client_secret_expires;
};

// [clarus]: the Clarus WMS account. Every field is required.
struct ClarusConfig {
  std::string api_base;     // REST (JSON:API) base URL.
  std::string graphql_url;  // GraphQL endpoint.
  std::string token_url;    // OAuth token URL.
  std::string subdomain;
  Secret client_id;                     // Env SELLERBRIDGE_CLARUS_CLIENT_ID.
  Secret client_secret;                 // Env SELLERBRIDGE_CLARUS_CLIENT_SECRET.
  std::string account;                  // The Clarus account code.
  std::vector<std::string> warehouses;  // At least one.
  // The ids of the automations (webhooks) that deliver to sellerbridge;
  // empty accepts any automation of the tenant.
  std::vector<std::string> automation_ids;
  // When the OAuth client secret expires, as for [amazon]; unset when not
  // configured.
  std::optional<std::chrono::year_month_day> client_secret_expires;
};

// [server]: the HTTP API, webhook intake and metrics endpoint.
struct ServerConfig {
  std::string listen = "127.0.0.1";  // An IPv4 or IPv6 address.
  std::uint16_t port = 8085;
  // Bearer token for /api/v1/; empty when not configured. Env SELLERBRIDGE_SERVER_API_TOKEN.
  Secret api_token;
  // The secret last segment of the Clarus automation URL
  // (POST /hooks/clarus/<token>); empty: webhooks are refused and the sweep
  // alone sees dispatches. At least 24 characters. Env
  // SELLERBRIDGE_SERVER_WEBHOOK_TOKEN.
  Secret webhook_token;
};

// [schedules]: how often each job runs. Each lies within 1s..7d, except
// confirmer (100ms..1m).
struct SchedulesConfig {
  Duration order_import = std::chrono::seconds{60};
  Duration dispatch_sweep = std::chrono::seconds{30};
  Duration confirmer = std::chrono::seconds{1};
  Duration verifier = std::chrono::seconds{60};
  Duration stock_changes = std::chrono::minutes{1};
  Duration stock_snapshot = std::chrono::hours{24};
  Duration drift_check = std::chrono::minutes{5};
  Duration settlements = std::chrono::hours{1};
  Duration monitor = std::chrono::minutes{1};
  Duration retention = std::chrono::hours{1};  // Purges buyer data past [retention].
};

// [logging]
struct LoggingConfig {
  LogFormat format = LogFormat::kText;
  spdlog::level::level_enum level = spdlog::level::info;
};

// [retention]
struct RetentionConfig {
  // Days that buyer personal data is kept after dispatch: 1..3650.
  int buyer_data_days = 30;
};

// How a label bought on Amazon is chosen among the services it offers.
enum class LabelRule {
  kCheapest,  // The cheapest service that delivers by the promised date.
  kFastest,   // The service with the earliest latest delivery date.
};

// The sender's address on labels bought on Amazon.
struct ShipFromConfig {
  std::string name;
  std::string line1;
  std::string line2;
  std::string city;
  std::string state_or_region;
  std::string postal_code;
  std::string country_code;  // ISO 3166-1 alpha-2.
  std::string email;
  std::string phone;

  // Whether name, line1, city, postal_code, country_code, email and phone
  // are set: what Amazon's Merchant Fulfillment requires of a sender.
  bool IsComplete() const {
    return !name.empty() && !line1.empty() && !city.empty() && !postal_code.empty() &&
           !country_code.empty() && !email.empty() && !phone.empty();
  }
};

// [orders]: importing Amazon orders into Clarus.
struct OrdersConfig {
  Duration lookback = std::chrono::days{3};    // How far back the first import reads: 1m..30d.
  Duration overlap = std::chrono::minutes{5};  // Each import re-reads this much: 0s..1d.
  LabelRule label_rule = LabelRule::kCheapest;
  // Ship-service levels of non-Prime orders whose labels are bought on Amazon
  // too ("Buy Shipping"). Prime and Seller Fulfilled Prime orders always are.
  std::vector<std::string> buy_shipping_service_levels;
  ShipFromConfig ship_from;  // Required for labels; orders needing one are held without it.
  // The parcel a label is bought for when Clarus knows no better.
  int parcel_length_cm = 30;
  int parcel_width_cm = 20;
  int parcel_height_cm = 10;
  int parcel_weight_g = 1000;
  int clarus_workers = 8;  // Goods-outs created in parallel: 1..64.
};

// [stock]: publishing Clarus stock to Amazon.
struct StockConfig {
  bool enabled = true;
  // The Clarus warehouses and accounts whose `available` is summed per SKU;
  // empty: [clarus] warehouses / [clarus] account.
  std::vector<std::string> warehouses;
  std::vector<std::string> accounts;
  // One quantity per SKU for all the seller's marketplaces of the region (a
  // unified EU account) rather than one per marketplace.
  bool unified_quantity = false;
  // A listed quantity at or below this (zero included) goes out at once (the
  // fast lane): 0..1,000,000.
  std::int64_t low_stock_threshold = 3;
  double class_a_units_per_hour = 1.0;                // Velocity at or above this: class A. > 0.
  Duration velocity_window = std::chrono::hours{24};  // 1h..30d.
  Duration cadence_a = std::chrono::minutes{1};  // How often each class's changes go out: 10s..1d.
  Duration cadence_b = std::chrono::minutes{15};
  Duration cadence_c = std::chrono::hours{1};
  // A flush of more SKUs than this goes in a JSON_LISTINGS_FEED: 1..25,000.
  int feed_threshold = 500;
  Duration feed_stuck_after = std::chrono::minutes{30};  // 1m..1d.
  int drift_sample = 100;  // Listings read back per drift check: 0..10,000.
  // Wait after publishing before reading back: 0s..1d.
  Duration drift_delay = std::chrono::minutes{15};
  // [stock.default]: the policy of every SKU no rule matches, and the values
  // a rule's omitted policy keys take.
  domain::StockPolicy default_policy;
  // [[stock.rules]], in the order of the file: exact-SKU rules win, then the
  // first matching rule (see domain::StockPolicies).
  std::vector<domain::StockPolicyRule> rules;
};

// The payload a webhook target receives.
enum class WebhookFormat {
  kJson,   // One generic JSON object per notification.
  kSlack,  // A Slack-compatible incoming-webhook message ("text" and "blocks").
};

// [[alerts.webhooks]]: one webhook that alerts are posted to.
struct WebhookTarget {
  // Names the target in logs, errors and metrics: [a-z0-9_-], unique.
  std::string name;
  // The URL, from `url` or from the environment variable `url_env` names.
  // A secret: Slack webhook URLs carry their token in the path.
  Secret url;
  WebhookFormat format = WebhookFormat::kJson;
};

// [alerts.email]: alerts by e-mail over SMTP.
struct EmailConfig {
  // "smtp://host[:port]" or "smtps://host[:port]" (TLS from the start).
  std::string smtp_url;
  std::string from;             // The sender's address.
  std::vector<std::string> to;  // The recipients' addresses, at least one.
  std::string username;         // Empty: no authentication.
  Secret password;              // From the environment variable `password_env` names.
  bool starttls = false;        // Require STARTTLS on an smtp:// connection.
};

// [alerts]: alert rule thresholds and where alerts go.
struct AlertsConfig {
  // An undispatched order this close to its latestShipDate (or past it)
  // raises an alert: 1m..7d.
  Duration at_risk_within = std::chrono::hours{2};
  // Confirmation latency p95 over the last hour above this raises an alert:
  // 1s..1d.
  Duration confirmation_p95 = std::chrono::minutes{5};
  // A job whose last success is older than this many of its cadences raises
  // an alert: 1..1000.
  int job_missed_cadences = 3;
  // A credential expiring within this raises an alert: 1h..90d.
  Duration credential_expiry_warning = std::chrono::days{14};
  std::vector<WebhookTarget> webhooks;  // [[alerts.webhooks]], in file order.
  std::optional<EmailConfig> email;     // Unset without [alerts.email].
};

// [monitor]: what the monitor watches for.
struct MonitorConfig {
  // How close to its latestShipDate an undispatched order counts as at risk:
  // 1m..7d.
  Duration at_risk_margin = std::chrono::hours{4};
  // How long after Amazon accepted a confirmation it may stay unverified:
  // 1m..7d.
  Duration verify_after = std::chrono::minutes{30};
  // How often Amazon's seller performance report is read: 1h..7d.
  Duration performance_report_every = std::chrono::hours{24};
};

// The shape of the journals a finance sink receives.
enum class JournalFormat {
  kJson,  // sellerbridge's generic JSON journal.
  kXero,  // Xero Accounting API manual journals (POST …/api.xro/2.0/ManualJournals).
};

// [[finance.sinks]]: a finance system journals are posted to.
struct JournalSinkConfig {
  // Names the sink in logs, errors and the posting records: [a-z0-9_-], unique.
  std::string name;
  std::string url;  // https:// (http:// only to a loopback address).
  JournalFormat format = JournalFormat::kJson;
  // Sent as "Authorization: Bearer …", from `token` or the environment
  // variable `token_env` names. Empty: no Authorization header.
  Secret token;
  std::string tenant_id;  // Xero's xero-tenant-id header; required for kXero.
  // Xero's journal status: "DRAFT" (a person posts it in Xero) or "POSTED".
  std::string journal_status = "DRAFT";
};

// [finance]: settlements, journals and reconciliation.
struct FinanceConfig {
  // How settlement files are decoded: "auto", "utf-8", "iso-8859-1",
  // "windows-1252" or "shift_jis".
  std::string encoding = "auto";
  // A dispatched order not seen in any settlement this long after dispatch
  // is reported as shipped but not settled: 1d..90d.
  Duration settle_within = std::chrono::days{21};
  // How far back the first settlement search looks: 1d..90d (Amazon keeps
  // settlement reports 90 days).
  Duration first_search = std::chrono::days{90};
  std::vector<JournalSinkConfig> sinks;  // [[finance.sinks]], in file order.
};

// The whole configuration. A default-constructed Config holds the defaults;
// required values are empty.
struct Config {
  StoreConfig store;
  AmazonConfig amazon;
  ClarusConfig clarus;
  ServerConfig server;
  SchedulesConfig schedules;
  LoggingConfig logging;
  RetentionConfig retention;
  OrdersConfig orders;
  StockConfig stock;
  AlertsConfig alerts;
  MonitorConfig monitor;
  FinanceConfig finance;
};

// One thing wrong with a configuration file.
struct ConfigProblem {
  std::string file;
  int line = 0;    // 1-based; 0 means the whole file (e.g. a missing section).
  int column = 0;  // 1-based; 0 when line is 0.
  // "section.key" ("amazon.region"), a section alone ("amazon") for problems
  // with a whole section, or empty for problems with the whole file.
  std::string key;
  std::string message;
};

// "FILE:LINE:COL: [section] key: message"; "FILE:LINE:COL: [section]: message"
// for a section; "FILE:LINE:COL: message" without a key.
std::string FormatProblem(const ConfigProblem& p);

// Looks up an environment variable; nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// The process environment (getenv). Thread-safe as long as nothing changes the
// environment (setenv, putenv).
EnvLookup SystemEnv();

// A configuration and everything wrong with it. `config` holds every value
// that could be read, defaults for the rest; use it only if `problems` is empty.
struct LoadedConfig {
  Config config;
  std::vector<ConfigProblem> problems;  // Ordered by line, then column.
};

// Parses and validates `text`, the TOML contents of `file_name`, collecting every problem
// rather than stopping at the first: TOML syntax (one problem at toml++'s
// position), unknown sections, keys and jobs, wrong types, missing required
// values (reported at the section header, or line 0 if the section is
// missing), malformed URLs, store URLs of an unknown scheme, unknown
// marketplaces or marketplaces of another region, bad durations and cadences
// out of range, bad ports, addresses and enumerations, numbers out of range,
// invalid SKUs and inconsistent stock policies and rules, bad dates, webhook
// targets and e-mail settings, and environment variables named by `url_env`
// or `password_env` that are not set.
//
// Secrets are read from the environment variables named in the structs above
// when `env` has a non-empty value for them (the environment wins over the
// file), otherwise from the file; webhook URLs and the SMTP password also
// from the variables the file names. Every secret loaded is passed to
// RegisterSecret(), so logs mask it. Throws nothing. Thread-safe as far as
// `env` is.
LoadedConfig LoadConfigString(std::string_view text, std::string_view file_name,
                              const EnvLookup& env = SystemEnv());

// As LoadConfigString() on the contents of `path`. A file that cannot be read
// is one problem at line 0.
LoadedConfig LoadConfigFile(const std::filesystem::path& path, const EnvLookup& env = SystemEnv());

// The configuration in `path`, or InvalidArgument whose message lists every
// problem, one FormatProblem() line each.
Result<Config> LoadConfig(const std::filesystem::path& path, const EnvLookup& env = SystemEnv());

}  // namespace sellerbridge::config
