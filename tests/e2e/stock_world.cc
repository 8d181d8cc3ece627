#include "e2e/stock_world.h"

#include <fmt/format.h>

#include <utility>

#include "base/status_macros.h"
#include "cli/emulated_config.h"
#include "e2e/world.h"
#include "store/store.h"

namespace sellerbridge::e2e {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
namespace clarus_emulator = ::sellerbridge::emulators::clarus;

std::string AmazonScenario(const StockWorldOptions& options) {
  std::string toml = fmt::format(
      "marketplace_ids = [\"A1F83G8C2ARO7P\"]\n"
      "listing_processing_seconds = {}\n",
      options.listing_processing_seconds);
  auto item = [&](const std::string& sku, int n) {
    toml += fmt::format("[[catalogue]]\nsku = \"{}\"\nasin = \"B0S{:07d}\"\nquantity = {}\n", sku,
                        n, options.amazon_quantity);
  };
  for (int n = 1; n <= options.skus; ++n) {
    item(StockWorld::Sku(n), n);
  }
  int n = options.skus;
  for (const std::string& sku : options.amazon_only_skus) {
    item(sku, ++n);
  }
  if (!options.amazon_feeds_toml.empty()) {
    toml += "[feeds]\n" + options.amazon_feeds_toml;
  }
  return toml;
}

clarus_emulator::Scenario ClarusScenario(const StockWorldOptions& options) {
  clarus_emulator::Scenario scenario = clarus_emulator::Scenario::Default();
  scenario.products.clear();
  scenario.stock.clear();
  const std::string account = scenario.accounts.front().code;
  const std::string warehouse = scenario.warehouses.front().code;
  std::int64_t id = 0;
  auto product = [&](const std::string& sku) {
    scenario.products.push_back({++id, account, sku, sku});
    scenario.stock.push_back({sku, warehouse, options.clarus_available, 0});
  };
  for (int n = 1; n <= options.skus; ++n) {
    product(StockWorld::Sku(n));
  }
  for (const std::string& sku : options.clarus_only_skus) {
    product(sku);
  }
  return scenario;
}

}  // namespace

std::string StockWorld::Sku(int n) { return fmt::format("STK-{:06d}", n); }

StockWorld::~StockWorld() {
  stock_.reset();
  tenant_.reset();
  connections_.reset();
  if (amazon_) {
    amazon_->Stop();
  }
  if (clarus_) {
    clarus_->Stop();
  }
}

Result<std::unique_ptr<StockWorld>> StockWorld::Create(const StockWorldOptions& options) {
  std::unique_ptr<StockWorld> world(new StockWorld());
  world->options_ = options;
  ASSIGN_OR_RETURN(
      world->amazon_,
      amazon_emulator::AmazonEmulator::Create(
          {.seed = options.seed, .scenario_toml = AmazonScenario(options)}, options.clock));
  ASSIGN_OR_RETURN(world->clarus_,
                   clarus_emulator::ClarusEmulator::Create(
                       {.seed = options.seed, .scenario = ClarusScenario(options)}, options.clock));
  RETURN_IF_ERROR(world->amazon_->Start("127.0.0.1", 0));
  RETURN_IF_ERROR(world->clarus_->Start("127.0.0.1", 0));

  ASSIGN_OR_RETURN(const sync::ConnectionOptions connection_options,
                   TestConnectionOptions(*world->amazon_, options.lift_rate_limits));
  world->config_ = cli::ConfigForEmulators(
      *world->amazon_, *world->clarus_, "sqlite://" + (options.dir / "sellerbridge.db").string());
  world->config_.stock = options.stock;
  ASSIGN_OR_RETURN(world->store_, store::OpenStore(world->config_.store.url, options.clock));
  world->connections_ =
      sync::Connections::Create(world->config_, options.clock, connection_options);
  world->tenant_ = std::make_unique<clarus::Tenant>(world->connections_->clarus.get());
  RETURN_IF_ERROR(world->Restart());
  return world;
}

Status StockWorld::Restart() {
  sync::StockSyncOptions tuning = options_.tuning;
  tuning.stock = config_.stock;
  tuning.seller_id = config_.amazon.seller_id;
  tuning.marketplaces = config_.amazon.marketplaces;
  tuning.account_codes = {config_.clarus.account};
  tuning.warehouse_codes = config_.clarus.warehouses;
  stock_.reset();
  stock_ = std::make_unique<sync::StockSync>(
      std::move(tuning), store_.get(), tenant_.get(), connections_->stock.get(),
      connections_->listings.get(), connections_->feeds.get(), options_.clock);
  return stock_->Load();
}

Result<std::int64_t> StockWorld::ClarusAvailable(const std::string& sku) {
  std::optional<std::int64_t> available;
  clarus_->GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    for (const auto& [id, product] : state.products) {
      if (product.product_code != sku) {
        continue;
      }
      for (const auto& [balance_id, balance] : state.balances) {
        if (balance.product_id == id) {
          available = available.value_or(0) + balance.available;
        }
      }
    }
  });
  if (!available) {
    return NotFoundError(fmt::format("Clarus holds no stock of {}", sku));
  }
  return *available;
}

Status StockWorld::AdjustClarus(const std::string& sku, std::int64_t delta) {
  std::optional<std::int64_t> product_id;
  clarus_->GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    for (const auto& [id, product] : state.products) {
      if (product.product_code == sku) {
        product_id = id;
      }
    }
  });
  if (!product_id) {
    return NotFoundError(fmt::format("Clarus has no product {}", sku));
  }
  const std::int64_t warehouse = clarus_->GetScenario().warehouses.front().id;
  return clarus_->GetWarehouse()
      .AdjustStock(*product_id, warehouse, delta, delta < 0 ? "sold elsewhere" : "received")
      .status();
}

std::optional<int> StockWorld::AmazonQuantity(const std::string& sku) {
  const std::optional<amazon_emulator::Listing> listing = amazon_->GetListing(sku);
  if (!listing) {
    return std::nullopt;
  }
  return listing->quantity;
}

}  // namespace sellerbridge::e2e
