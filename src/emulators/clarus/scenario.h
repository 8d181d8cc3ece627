#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/clarus/records.h"

namespace sellerbridge::emulators::clarus {

// One API user allowed to take tokens.
struct ClientCredentials {
  std::string client_id;
  std::string client_secret;
  std::string user = "api-user";  // Tokens of one user end together.
};

// A product to create at start-up; its account is named by code.
struct ScenarioProduct {
  std::int64_t id = 0;
  std::string account_code;
  std::string product_code;
  std::string name;
};

// Stock to hold at start-up.
struct ScenarioStock {
  std::string product_code;
  std::string warehouse_code;
  std::int64_t available = 0;
  std::int64_t held = 0;
};

// How fast the simulated warehouse works and how often it departs from the
// happy path. Rates are probabilities in [0, 1], drawn from the seed.
struct WarehouseRates {
  Duration allocation_delay = std::chrono::minutes{1};  // From PENDING to the first allocation.
  double pick_units_per_hour = 600;                     // One pick queue per warehouse.
  double pack_orders_per_hour = 120;
  // How long a short-pickable account's order waits in PART_ALLOCATED before
  // it is picked short.
  Duration short_after = std::chrono::hours{24};
  double short_pick_rate = 0;    // A picked line comes up one unit short.
  double split_rate = 0;         // An order leaves as two shipments on two collections.
  double multi_parcel_rate = 0;  // A shipment holds two or three packages.
};

// Per-request faults of the Clarus API, drawn from the seed.
struct FaultRates {
  double rate_limited = 0;  // 429 with Retry-After.
  double server_error = 0;  // 503.
  double slow = 0;          // Answers after `slow_delay` of real time.
  std::chrono::milliseconds slow_delay{2000};
  Duration retry_after = std::chrono::seconds{30};
  // How long (real time) a lost response stalls before the server gives up.
  std::chrono::milliseconds lost_response_stall{10000};
};

// Webhook ("Automation") delivery: where, and how it goes wrong.
struct WebhookOptions {
  std::string url;  // "http://host:port/path"; empty: no deliveries.
  std::string automation_id = "1";
  std::string integration_id = "1";
  double duplicate_rate = 0;     // Delivered twice.
  double out_of_order_rate = 0;  // Held back until the next delivery has gone.
  double late_rate = 0;          // Delivered `late_delay` (emulator time) after the event.
  double drop_rate = 0;          // Never delivered.
  Duration late_delay = std::chrono::hours{2};
  Duration out_of_order_window = std::chrono::minutes{10};
  Duration retry_delay = std::chrono::seconds{30};  // After a 5xx or a failed connection.
  int max_attempts = 5;
  std::chrono::milliseconds timeout{5000};  // Per attempt, real time.
};

// Everything an emulated tenant starts with. Scenario{} is a usable default:
// tenant "sellerbridge-test", one account, one warehouse, six UK carriers,
// three products with stock.
struct Scenario {
  std::string subdomain = "sellerbridge-test";
  std::vector<ClientCredentials> credentials = {{"emulator-client", "emulator-secret", "api-user"}};
  Duration token_lifetime = std::chrono::hours{2};
  std::optional<std::string> api_prefix;  // Overrides the emulator option when set.
  int max_page_size = 50;
  bool unique_reference = true;  // A second goods-out with a used reference is a 422.
  std::vector<Account> accounts;
  std::vector<WarehouseInfo> warehouses;
  std::vector<Carrier> carriers;
  std::vector<CarrierService> carrier_services;
  std::vector<ScenarioProduct> products;
  std::vector<ScenarioStock> stock;
  WarehouseRates rates;
  FaultRates faults;
  WebhookOptions webhooks;

  // The built-in tenant described above.
  static Scenario Default();
};

// Parses a scenario from TOML text; `name` names it in messages. Tables and
// keys left out keep Scenario::Default()'s values; a table given replaces the
// default list (e.g. [[carriers]]). Returns InvalidArgument naming the key and
// line for anything malformed.
Result<Scenario> ParseScenario(std::string_view text, std::string_view name);

// Reads and parses a scenario file. NotFound if it cannot be read.
Result<Scenario> LoadScenario(const std::filesystem::path& path);

}  // namespace sellerbridge::emulators::clarus
