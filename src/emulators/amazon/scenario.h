#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::emulators::amazon {

// One SKU of the seller's catalogue: a seller-fulfilled listing.
struct CatalogueItem {
  std::string sku;
  std::string asin;
  std::string title;
  std::string product_type = "PRODUCT";
  std::string category = "default";  // Valid Tracking Rate is counted per category.
  int quantity = 0;
  std::int64_t price_minor = 1000;  // Unit price in the marketplace currency's minor units.
};

// One ship-service level the generator draws from.
struct ServiceLevel {
  std::string name;      // ShipServiceLevel, e.g. "Std UK Dom_1".
  std::string category;  // ShipmentServiceLevelCategory: "Standard", "Expedited", "NextDay", ...
  double share = 1;      // Relative weight.
};

// How generated orders arrive and what they look like.
struct GeneratorOptions {
  bool enabled = false;       // Orders arrive on their own as the clock moves.
  double orders_per_day = 0;  // Mean arrivals per day, spread over a day-shaped curve.
  double mean_lines_per_order = 1.2;
  int max_quantity_per_line = 2;
  double prime_share = 0.2;
  double buyer_cancel_share = 0.01;  // Buyers who cancel before shipment.
  int pending_seconds = 300;         // Time in Pending before payment is authorised.
  int handling_days = 1;             // Business days to ship (Prime: 0).
  int cutoff_hour = 14;              // Local hour after which the ship-by day moves on.
  std::vector<ServiceLevel> service_levels;
};

// Rate and burst for one operation, replacing the documented default.
struct RateOverride {
  double rate_per_second = 0;
  int burst = 0;
};

// Faults for one operation (see faults.h for what each means).
struct OperationFaults {
  double error_rate = 0;        // Share answered 500 or 503.
  double timeout_rate = 0;      // Share processed but answered only after `timeout_seconds`.
  double timeout_seconds = 30;  // Real seconds the answer is held back.
  double silent_drop_rate = 0;  // confirmShipment only: 204 without applying.
  double stuck_feed_rate = 0;   // createFeed or a feed type: the feed never leaves IN_PROGRESS.
};

// How long feeds take on the emulator clock, and how their results come.
struct FeedProcessing {
  int queue_seconds = 30;           // IN_QUEUE this long after createFeed.
  int min_processing_seconds = 60;  // Then IN_PROGRESS for a time drawn from this range.
  int max_processing_seconds = 120;
  bool compress_results = true;  // Result documents are GZIP-compressed.
};

// A seller as the emulator plays it: loaded from TOML, or the defaults.
struct Scenario {
  std::string seller_id = "A2EMULATORSELLER";
  std::string lwa_client_id = "amzn1.application-oa2-client.emulator";
  std::string lwa_client_secret = "emulator-client-secret";
  std::vector<std::string> refresh_tokens = {"Atzr|emulator-refresh-token"};
  std::vector<std::string> marketplace_ids = {"A1F83G8C2ARO7P"};
  std::vector<CatalogueItem> catalogue;
  GeneratorOptions generator;
  int listing_processing_seconds = 120;  // Delay before a listing quantity change applies.
  std::map<std::string, RateOverride> rate_overrides;  // By operation name.
  std::map<std::string, OperationFaults> faults;       // By operation name.
  FeedProcessing feeds;
};

// The default scenario: one UK seller with a small catalogue, no generator.
Scenario DefaultScenario();

// Parses a scenario from TOML text (format in docs/emulators.md); keys not
// given keep DefaultScenario()'s values. InvalidArgument naming the key (and
// line, for syntax errors) for anything malformed, an unknown marketplace, a
// duplicate SKU or a rate or share out of range. `source_name` names the text
// in messages. Thread-safe.
Result<Scenario> ParseScenario(std::string_view toml_text, std::string_view source_name);

// Reads and parses a scenario file. NotFound if it cannot be read.
Result<Scenario> LoadScenarioFile(const std::filesystem::path& path);

}  // namespace sellerbridge::emulators::amazon
