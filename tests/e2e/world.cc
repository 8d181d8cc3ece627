#include "e2e/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "amazon/rate_limit_table.h"
#include "base/status_macros.h"
#include "cli/emulated_config.h"

namespace sellerbridge::e2e {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
namespace clarus_emulator = ::sellerbridge::emulators::clarus;

constexpr double kLifted = 10000;

std::string AmazonScenario(const std::vector<std::string>& extra_skus) {
  std::string toml = fmt::format("marketplace_ids = [\"{}\", \"{}\"]\n", kUk, kDe);
  int n = 0;
  for (const std::string_view sku : kSkus) {
    toml += fmt::format(
        "[[catalogue]]\nsku = \"{}\"\nasin = \"B0E2E0000{}\"\nquantity = 1000000\n"
        "price = \"9.99\"\n",
        sku, ++n);
  }
  toml += fmt::format(
      "[[catalogue]]\nsku = \"{}\"\nasin = \"B0E2E00009\"\nquantity = 1000000\n"
      "price = \"19.99\"\n",
      kSkuUnknownInClarus);
  for (const std::string& sku : extra_skus) {
    // Escaped for a TOML basic string: the SKU may hold control characters.
    std::string escaped;
    for (const char c : sku) {
      escaped += static_cast<unsigned char>(c) < 0x20
                     ? fmt::format("\\u{:04x}", static_cast<int>(c))
                     : std::string(1, c);
    }
    toml += fmt::format("[[catalogue]]\nsku = \"{}\"\nasin = \"B0E2E{:05d}\"\nquantity = 1000\n",
                        escaped, ++n + 100);
  }
  return toml;
}

std::string ClarusScenario() {
  std::string toml = "unique_reference = false\n";
  int id = 0;
  for (const std::string_view sku : kSkus) {
    toml += fmt::format(
        "[[products]]\nid = {}\naccount = \"SELLER1\"\nproduct_code = \"{}\"\nname = \"{}\"\n",
        ++id, sku, sku);
  }
  for (const std::string_view sku : kSkus) {
    toml += fmt::format(
        "[[stock]]\nproduct_code = \"{}\"\nwarehouse = \"MAIN\"\navailable = 1000000\n", sku);
  }
  return toml;
}

// The Clarus service and Amazon carrier a (marketplace, level) ships with.
struct Route {
  std::string_view clarus_carrier;
  std::string_view clarus_service;
  std::string_view amazon_carrier;
  std::string_view amazon_method;
};

Route RouteFor(std::string_view marketplace, std::string_view level) {
  if (marketplace == kDe) {
    return {"DHL", "DHLEXP", "DHL", "Express Worldwide"};
  }
  if (level == "NEXT_DAY") {
    return {"DPD", "DPDNEXTDAY", "DPD", "Next Day"};
  }
  return {"ROYALMAIL", "RM48", "Royal Mail", "Tracked 48"};
}

constexpr std::array<std::string_view, 2> kLevels = {"STANDARD", "NEXT_DAY"};

}  // namespace

Result<sync::ConnectionOptions> TestConnectionOptions(emulators::amazon::AmazonEmulator& amazon,
                                                      bool lift_rate_limits) {
  sync::ConnectionOptions options{.amazon_initial_backoff = std::chrono::milliseconds{5},
                                  .amazon_max_backoff = std::chrono::milliseconds{50},
                                  .clarus_initial_backoff = std::chrono::milliseconds{5},
                                  .clarus_max_backoff = std::chrono::milliseconds{50}};
  if (!lift_rate_limits) {
    return options;
  }
  for (const amazon_emulator::RateLimit& limit : amazon.RateLimits()) {
    RETURN_IF_ERROR(amazon.SetRateLimit(limit.operation, kLifted, static_cast<int>(kLifted)));
  }
  options.amazon_rate_limits = amazon::DocumentedRateLimits();
  for (amazon::OperationLimit& limit : options.amazon_rate_limits) {
    limit.rate_per_second = kLifted;
    limit.burst = static_cast<int>(kLifted);
  }
  return options;
}

World::~World() {
  // Close the client's kept-alive connections first, so that the emulators
  // stop at once instead of waiting for them to time out.
  release_.reset();
  importer_.reset();
  mappings_.reset();
  carriers_.reset();
  tenant_.reset();
  connections_.reset();
  if (amazon_) {
    amazon_->Stop();
  }
  if (clarus_) {
    clarus_->Stop();
  }
}

Result<std::unique_ptr<World>> World::Create(const WorldOptions& options) {
  std::unique_ptr<World> world(new World());
  world->options_ = options;
  ASSIGN_OR_RETURN(world->amazon_, amazon_emulator::AmazonEmulator::Create(
                                       {.seed = options.seed,
                                        .scenario_toml = AmazonScenario(options.extra_amazon_skus)},
                                       &world->clock_));
  ASSIGN_OR_RETURN(
      clarus_emulator::Scenario tenant,
      clarus_emulator::ParseScenario(
          ClarusScenario() +
              (options.manual_warehouse ? "[rates]\nallocation_delay = \"30d\"\n" : ""),
          "the e2e tenant"));
  ASSIGN_OR_RETURN(world->clarus_,
                   clarus_emulator::ClarusEmulator::Create(
                       {.seed = options.seed, .scenario = std::move(tenant)}, SystemClock::Get()));
  RETURN_IF_ERROR(world->amazon_->Start("127.0.0.1", 0));
  RETURN_IF_ERROR(world->clarus_->Start("127.0.0.1", 0));

  ASSIGN_OR_RETURN(const sync::ConnectionOptions connection_options,
                   TestConnectionOptions(*world->amazon_, options.lift_rate_limits));

  world->config_ = cli::ConfigForEmulators(
      *world->amazon_, *world->clarus_, "sqlite://" + (options.dir / "sellerbridge.db").string());
  config::Config& config = world->config_;
  config.orders.lookback = std::chrono::hours{6};
  config.orders.clarus_workers = options.clarus_workers;

  ASSIGN_OR_RETURN(world->store_, store::OpenStore(config.store.url, &world->clock_));
  world->connections_ = sync::Connections::Create(config, &world->clock_, connection_options);
  world->tenant_ = std::make_unique<clarus::Tenant>(world->connections_->clarus.get());
  world->carriers_ =
      std::make_unique<sync::CarrierCatalog>(world->connections_->carriers.get(), &world->clock_);
  world->mappings_ = std::make_unique<sync::ShipMethodMappings>(
      world->store_.get(), world->carriers_.get(), &world->clock_);
  world->importer_ = std::make_unique<sync::OrderImporter>(
      sync::OrderImportOptions{.marketplace_ids = config.amazon.marketplaces,
                               .lookback = config.orders.lookback,
                               .overlap = config.orders.overlap},
      world->store_.get(), world->connections_->orders.get(), &world->clock_);
  world->release_ = std::make_unique<sync::OrderRelease>(
      sync::OrderReleaseOptions{.clarus_account = config.clarus.account,
                                .clarus_warehouse = config.clarus.warehouses.front(),
                                .orders = config.orders},
      sync::OrderReleaseDeps{
          .store = world->store_.get(),
          .goods_outs = world->connections_->goods_outs.get(),
          .products = world->connections_->products.get(),
          .shipments = world->connections_->shipments.get(),
          .tenant = world->tenant_.get(),
          .carriers = world->carriers_.get(),
          .merchant_fulfillment = world->connections_->merchant_fulfillment.get(),
          .orders = world->connections_->orders.get(),
          .clock = &world->clock_});
  world->intake_ = std::make_unique<sync::DispatchIntake>(
      sync::DispatchIntakeOptions{.source = {.subdomain = config.clarus.subdomain}},
      world->store_.get(), world->connections_->goods_outs.get(), &world->clock_);
  sync::ConfirmerOptions confirmer = options.confirmer;
  confirmer.merchant_id = config.amazon.seller_id;
  if (options.lift_rate_limits) {
    confirmer.api_rate_per_second = kLifted;
    confirmer.api_burst = static_cast<int>(kLifted);
  }
  world->confirmer_ = std::make_unique<sync::Confirmer>(
      confirmer, world->store_.get(), world->connections_->orders.get(),
      world->connections_->feeds.get(), &world->clock_);
  return world;
}

Result<std::int64_t> World::GoodsOutOf(const std::string& order_id) {
  ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(const store::OrderSyncState sync, tx->GetOrderSyncState(order_id));
  if (sync.clarus_goods_out_id.empty()) {
    return NotFoundError(fmt::format("order {} has no goods-out", order_id));
  }
  return std::stoll(sync.clarus_goods_out_id);
}

std::string World::ConfigToml(int api_port) const {
  const config::Config& c = config_;
  std::string toml = fmt::format(
      "[store]\nurl = \"{}\"\n\n"
      "[amazon]\nendpoint = \"{}\"\nlwa_endpoint = \"{}\"\nclient_id = \"{}\"\n"
      "client_secret = \"{}\"\nrefresh_token = \"{}\"\nseller_id = \"{}\"\nregion = \"EU\"\n"
      "marketplaces = [\"{}\"]\n\n"
      "[clarus]\napi_base = \"{}\"\ngraphql_url = \"{}\"\ntoken_url = \"{}\"\nsubdomain = \"{}\"\n"
      "client_id = \"{}\"\nclient_secret = \"{}\"\naccount = \"{}\"\nwarehouses = [\"{}\"]\n\n"
      "[server]\nport = {}\n\n"
      "[schedules]\norder_import = \"2s\"\ndispatch_sweep = \"2s\"\nverifier = \"2s\"\n\n"
      "[orders]\nlookback = \"6h\"\nship_from_name = \"{}\"\nship_from_line1 = \"{}\"\n"
      "ship_from_city = \"{}\"\nship_from_postal_code = \"{}\"\nship_from_country_code = \"{}\"\n"
      "ship_from_email = \"{}\"\nship_from_phone = \"{}\"\n",
      c.store.url, c.amazon.endpoint, c.amazon.lwa_endpoint, c.amazon.client_id.Reveal(),
      c.amazon.client_secret.Reveal(), c.amazon.refresh_token.Reveal(), c.amazon.seller_id,
      fmt::join(c.amazon.marketplaces, "\", \""), c.clarus.api_base, c.clarus.graphql_url,
      c.clarus.token_url, c.clarus.subdomain, c.clarus.client_id.Reveal(),
      c.clarus.client_secret.Reveal(), c.clarus.account, c.clarus.warehouses.front(), api_port,
      c.orders.ship_from.name, c.orders.ship_from.line1, c.orders.ship_from.city,
      c.orders.ship_from.postal_code, c.orders.ship_from.country_code, c.orders.ship_from.email,
      c.orders.ship_from.phone);
  return toml;
}

Status World::Map(std::string_view marketplace, std::string_view level, bool prime) {
  const Route route = RouteFor(marketplace, level);
  ASSIGN_OR_RETURN(domain::ShipMethodMapping mapping,
                   domain::ShipMethodMapping::Create(
                       {.marketplace_id = std::string(marketplace),
                        .ship_service_level = std::string(level),
                        .is_prime = prime,
                        .clarus_carrier = std::string(route.clarus_carrier),
                        .clarus_service = std::string(route.clarus_service),
                        .amazon_carrier_code = std::string(route.amazon_carrier),
                        .amazon_shipping_method = std::string(route.amazon_method)}));
  return mappings_->Put(mapping, "ops:e2e");
}

Status World::MapShipMethods(const std::vector<std::string>& unmapped) {
  for (const std::string_view marketplace : {kUk, kDe}) {
    for (const std::string_view level : kLevels) {
      for (const bool prime : {false, true}) {
        const std::string key =
            fmt::format("{}/{}/{}", marketplace, level, prime ? "prime" : "standard");
        if (std::find(unmapped.begin(), unmapped.end(), key) == unmapped.end()) {
          RETURN_IF_ERROR(Map(marketplace, level, prime));
        }
      }
    }
  }
  return Status::Ok();
}

Result<std::string> World::PlaceOrder(const OrderSpec& spec) {
  amazon_emulator::NewOrder order;
  order.marketplace_id = std::string(spec.marketplace);
  order.purchase_date = amazon_->Now() - spec.age;
  order.is_prime = spec.prime;
  order.ship_service_level = spec.next_day ? "NextDay UK Dom_1" : "Std UK Dom_1";
  order.service_level_category = spec.next_day ? "NextDay" : "Standard";
  order.address_without_postal_code = spec.without_postal_code;
  order.lines.push_back({.sku = spec.sku, .quantity = spec.quantity});
  return amazon_->AddOrder(order);
}

Result<sync::ImportPass> World::Import() { return importer_->RunOnce({}); }

Result<sync::ReleasePass> World::Release() { return release_->RunOnce({}); }

std::map<std::string, int> World::GoodsOutsByReference() {
  std::map<std::string, int> counts;
  clarus_->GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    for (const auto& [id, goods_out] : state.goods_outs) {
      ++counts[goods_out.reference];
    }
  });
  return counts;
}

std::map<std::string, int> World::LabelShipmentsByOrder() {
  std::map<std::string, int> counts;
  clarus_->GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    for (const auto& [id, shipment] : state.shipments) {
      if (!shipment.created_by_api ||
          shipment.status == clarus_emulator::ShipmentStatus::kCancelled) {
        continue;
      }
      if (const auto it = state.goods_outs.find(shipment.goods_out_id);
          it != state.goods_outs.end()) {
        ++counts[it->second.reference];
      }
    }
  });
  return counts;
}

std::map<std::string, int> World::AmazonLabelsByOrder() {
  std::map<std::string, int> counts;
  for (const amazon_emulator::Order& order : amazon_->Orders()) {
    if (!order.amazon_labels.empty()) {
      counts[order.order_id] = static_cast<int>(order.amazon_labels.size());
    }
  }
  return counts;
}

Result<store::SyncState> World::StateOf(const std::string& order_id) {
  ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(const store::OrderSyncState sync, tx->GetOrderSyncState(order_id));
  return sync.state;
}

Result<std::optional<store::HeldException>> World::HoldOf(const std::string& order_id) {
  ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(std::optional<store::HeldException> held, tx->FindException("order", order_id));
  if (held && !held->IsOpen()) {
    held.reset();
  }
  return held;
}

}  // namespace sellerbridge::e2e
