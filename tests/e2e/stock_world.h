#pragma once

// Both emulators on loopback, one clock shared by Amazon, Clarus and
// sellerbridge, and the stock flow pointed at them: for the stock tests and
// the stock benchmark.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "clarus/tenant.h"
#include "config/config.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/clarus/clarus_emulator.h"
#include "store/store.h"
#include "sync/connections.h"
#include "sync/stock_sync.h"

namespace sellerbridge::e2e {

struct StockWorldOptions {
  std::filesystem::path dir;  // The store goes here.
  Clock* clock = nullptr;     // Required; shared by everything.
  std::uint64_t seed = 1;
  int skus = 3;                               // "STK-000001", "STK-000002", …
  std::int64_t clarus_available = 100;        // Each SKU's stock in Clarus at start.
  int amazon_quantity = 0;                    // Each listing's quantity on Amazon at start.
  std::vector<std::string> amazon_only_skus;  // Listed on Amazon, unknown to Clarus.
  std::vector<std::string> clarus_only_skus;  // In Clarus, not listed on Amazon.
  int listing_processing_seconds = 120;
  // The emulated Amazon's [feeds] table, e.g. "queue_seconds = 30\n".
  std::string amazon_feeds_toml;
  // Raise every Amazon limit (emulator and broker) to 10,000/s.
  bool lift_rate_limits = false;
  config::StockConfig stock;
  // Stock flow tuning beyond the configuration (options from the config are
  // filled in).
  sync::StockSyncOptions tuning;
};

class StockWorld {
 public:
  static Result<std::unique_ptr<StockWorld>> Create(const StockWorldOptions& options);
  ~StockWorld();

  // The n-th SKU (1-based) of the catalogue.
  static std::string Sku(int n);

  emulators::amazon::AmazonEmulator& Amazon() { return *amazon_; }
  emulators::clarus::ClarusEmulator& Clarus() { return *clarus_; }
  store::Store& Store() { return *store_; }
  sync::StockSync& Stock() { return *stock_; }
  const config::Config& Config() const { return config_; }
  sync::Connections& GetConnections() { return *connections_; }
  const std::string& Marketplace() const { return config_.amazon.marketplaces.front(); }

  // Replaces the stock flow by a new one on the same store (a restart); it
  // has Load()ed.
  Status Restart();

  // Clarus's available units of `sku` in the warehouse; NotFound if unknown.
  Result<std::int64_t> ClarusAvailable(const std::string& sku);
  // Moves Clarus's available units of `sku` by `delta` (a sale elsewhere, a
  // receipt, a stock count). FailedPrecondition if it would go below zero.
  Status AdjustClarus(const std::string& sku, std::int64_t delta);
  // The quantity buyers see on Amazon now; nullopt for an unknown SKU.
  std::optional<int> AmazonQuantity(const std::string& sku);

 private:
  StockWorld() = default;

  StockWorldOptions options_;
  std::unique_ptr<emulators::amazon::AmazonEmulator> amazon_;
  std::unique_ptr<emulators::clarus::ClarusEmulator> clarus_;
  config::Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sync::Connections> connections_;
  std::unique_ptr<clarus::Tenant> tenant_;
  std::unique_ptr<sync::StockSync> stock_;
};

}  // namespace sellerbridge::e2e
