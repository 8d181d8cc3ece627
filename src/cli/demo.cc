#include "cli/demo.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <system_error>

#include "base/clock.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "cli/emulated_config.h"
#include "cli/shutdown_signal.h"
#include "config/config.h"
#include "domain/stock_policy.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/clarus/clarus_emulator.h"
#include "finance/journal_export.h"
#include "finance/settlements.h"
#include "monitor/watch.h"
#include "store/store.h"
#include "sync/daemon.h"
#include "sync/ship_method_mappings.h"

namespace sellerbridge::cli {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
namespace clarus_emulator = ::sellerbridge::emulators::clarus;

// The emulated seller: a UK and a DE marketplace, a busy day's orders (about
// one every two seconds), Prime and standard service levels.
constexpr std::string_view kDemoAmazonScenario = R"toml(
marketplace_ids = ["A1F83G8C2ARO7P", "A1PA6795UKMFR9"]
# Faster than Amazon's minutes, so that the demo shows listings follow.
listing_processing_seconds = 10

[generator]
enabled = true
orders_per_day = 40000
prime_share = 0.25
buyer_cancel_share = 0.02
pending_seconds = 20
service_levels = [{ name = "Std UK Dom_1", category = "Standard", share = 0.7 },
                  { name = "NextDay UK Dom_1", category = "NextDay", share = 0.3 }]
)toml";

// The emulated warehouse: the default tenant, but only two of the seller's
// three Amazon SKUs are set up in Clarus, so orders for the third are held
// until the demo creates it. The T-shirts run out during the demo.
constexpr std::string_view kDemoClarusScenario = R"toml(
[[products]]
id = 1
account = "SELLER1"
product_code = "SB-MUG-001"
name = "Enamel mug"

[[products]]
id = 2
account = "SELLER1"
product_code = "SB-TEE-002"
name = "Cotton T-shirt"

[[stock]]
product_code = "SB-MUG-001"
warehouse = "MAIN"
available = 5000

[[stock]]
product_code = "SB-TEE-002"
warehouse = "MAIN"
available = 150
)toml";

// The ship-method mappings operations would set up: UK only at first, so
// that German orders are held until the demo maps them. Orders v2026-01-01
// names the service level by its category (STANDARD, NEXT_DAY, …).
constexpr std::string_view kDemoUkMappings =
    "marketplace_id,ship_service_level,automated_carrier,automated_ship_method,is_prime,"
    "clarus_carrier,clarus_service,amazon_carrier_code,amazon_carrier_name,"
    "amazon_shipping_method\n"
    "A1F83G8C2ARO7P,STANDARD,,,false,ROYALMAIL,RM48,Royal Mail,,Tracked 48\n"
    "A1F83G8C2ARO7P,EXPEDITED,,,false,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n"
    "A1F83G8C2ARO7P,NEXT_DAY,,,false,DPD,DPDNEXTDAY,DPD,,Next Day\n"
    "A1F83G8C2ARO7P,STANDARD,,,true,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n"
    "A1F83G8C2ARO7P,EXPEDITED,,,true,ROYALMAIL,RM24,Royal Mail,,Tracked 24\n"
    "A1F83G8C2ARO7P,NEXT_DAY,,,true,DPD,DPDNEXTDAY,DPD,,Next Day\n";

constexpr std::string_view kDemoDeMappings =
    "marketplace_id,ship_service_level,automated_carrier,automated_ship_method,is_prime,"
    "clarus_carrier,clarus_service,amazon_carrier_code,amazon_carrier_name,"
    "amazon_shipping_method\n"
    "A1PA6795UKMFR9,STANDARD,,,false,DHL,DHLEXP,DHL,,Express Worldwide\n"
    "A1PA6795UKMFR9,EXPEDITED,,,false,DHL,DHLEXP,DHL,,Express Worldwide\n"
    "A1PA6795UKMFR9,NEXT_DAY,,,false,DHL,DHLEXP,DHL,,Express Worldwide\n"
    "A1PA6795UKMFR9,STANDARD,,,true,DHL,DHLEXP,DHL,,Express Worldwide\n"
    "A1PA6795UKMFR9,EXPEDITED,,,true,DHL,DHLEXP,DHL,,Express Worldwide\n"
    "A1PA6795UKMFR9,NEXT_DAY,,,true,DHL,DHLEXP,DHL,,Express Worldwide\n";

// The SKUs whose stock the demo moves and follows, in Clarus and on Amazon.
constexpr std::array<std::string_view, 2> kStockedSkus = {"SB-MUG-001", "SB-TEE-002"};

// What the two emulated systems hold now.
struct EmulatedWorld {
  std::map<std::string, std::int64_t> amazon_orders_by_status;
  std::int64_t amazon_orders = 0;
  amazon_emulator::AccountHealth health;
  std::int64_t clarus_goods_outs = 0;
  std::int64_t clarus_products = 0;
  // Per stocked SKU: Clarus's available and Amazon's listed quantity.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> stock;
  // Units of stocked SKUs sold on Amazon after `since` that the warehouse
  // could not cover: shorted at dispatch, or still unallocated two minutes
  // after reaching Clarus.
  std::int64_t units_oversold = 0;
};

EmulatedWorld Observe(amazon_emulator::AmazonEmulator& amazon,
                      clarus_emulator::ClarusEmulator& clarus, TimePoint since) {
  EmulatedWorld world;
  std::set<std::string> recent;  // Orders bought after `since`.
  for (const amazon_emulator::Order& order : amazon.Orders()) {
    ++world.amazon_orders_by_status[std::string(amazon_emulator::OrderStatusName(order.status))];
    ++world.amazon_orders;
    if (order.purchase_date >= since) {
      recent.insert(order.order_id);
    }
  }
  world.health = amazon.Health();
  for (const std::string_view sku : kStockedSkus) {
    if (const auto listing = amazon.GetListing(sku); listing) {
      world.stock[std::string(sku)].second = listing->quantity;
    }
  }
  const TimePoint now = SystemClock::Get()->Now();
  clarus.GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    world.clarus_goods_outs = static_cast<std::int64_t>(state.goods_outs.size());
    world.clarus_products = static_cast<std::int64_t>(state.products.size());
    std::set<std::int64_t> stocked;
    for (const auto& [id, product] : state.products) {
      if (std::find(kStockedSkus.begin(), kStockedSkus.end(), product.product_code) !=
          kStockedSkus.end()) {
        stocked.insert(id);
        std::int64_t available = 0;
        for (const auto& [balance_id, balance] : state.balances) {
          available += balance.product_id == id ? balance.available : 0;
        }
        world.stock[product.product_code].first = available;
      }
    }
    for (const auto& [id, order] : state.goods_outs) {
      if (order.status == clarus_emulator::GoodsOutStatus::kCancelled ||
          !recent.contains(order.reference)) {
        continue;
      }
      const bool completed = order.status == clarus_emulator::GoodsOutStatus::kCompleted;
      if (!completed && now - order.created_at < std::chrono::minutes{2}) {
        continue;
      }
      for (const clarus_emulator::GoodsOutLine& line : order.lines) {
        if (!stocked.contains(line.product_id)) {
          continue;
        }
        const std::int64_t covered = completed ? line.dispatch_quantity : line.allocated_quantity;
        world.units_oversold += std::max<std::int64_t>(0, line.order_quantity - covered);
      }
    }
  });
  return world;
}

nlohmann::json WorldJson(const EmulatedWorld& world) {
  const auto rate = [](const amazon_emulator::RateMetric& metric) {
    return nlohmann::json{{"numerator", metric.numerator},
                          {"denominator", metric.denominator},
                          {"rate", metric.Rate()}};
  };
  return {
      {"amazon",
       {{"orders_created", world.amazon_orders},
        {"orders_by_status", world.amazon_orders_by_status},
        {"late_shipment_rate_10d", rate(world.health.late_shipment_10d)},
        {"cancel_rate_7d", rate(world.health.cancel_7d)},
        {"valid_tracking_rate_7d", rate(world.health.valid_tracking_7d)}}},
      {"clarus", {{"goods_outs", world.clarus_goods_outs}, {"products", world.clarus_products}}},
      {"units_oversold", world.units_oversold},
  };
}

// A fresh directory for the demo's store, under $TMPDIR.
std::optional<std::filesystem::path> MakeTempDir() {
  std::error_code ec;
  const std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) {
    return std::nullopt;
  }
  std::string pattern = (base / "sellerbridge-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return std::nullopt;
  }
  return std::filesystem::path(pattern);
}

// The morning's backlog: orders placed over the last 90 minutes, waiting for
// the first import (newer orders become searchable two minutes after they
// change, as on Amazon). Mostly UK, some German, a quarter Prime, a mix of
// SKUs, a few cancelled by the buyer; deterministic.
void PlaceBacklog(amazon_emulator::AmazonEmulator& amazon) {
  constexpr int kOrders = 150;
  const std::vector<std::string>& marketplaces = amazon.GetScenario().marketplace_ids;
  const std::array<std::string_view, 3> skus = {"SB-MUG-001", "SB-TEE-002", "SB-BAG-003"};
  const std::array<amazon_emulator::ServiceLevel, 2> levels = {
      {{.name = "Std UK Dom_1", .category = "Standard"},
       {.name = "NextDay UK Dom_1", .category = "NextDay"}}};
  const TimePoint now = amazon.Now();
  for (int i = 0; i < kOrders; ++i) {
    amazon_emulator::NewOrder order;
    order.marketplace_id = marketplaces.at(i % 5 == 4 && marketplaces.size() > 1 ? 1U : 0U);
    order.purchase_date = now - std::chrono::minutes{90} + std::chrono::seconds{36 * i};
    order.is_prime = i % 4 == 1;
    const amazon_emulator::ServiceLevel& level = levels.at(i % 7 == 3 ? 1U : 0U);
    order.ship_service_level = level.name;
    order.service_level_category = level.category;
    if (i % 30 == 11) {
      order.buyer_cancels_after = std::chrono::minutes{5};
    }
    order.lines.push_back(
        {.sku = std::string(skus.at(i % 9 == 8 ? 2U : static_cast<size_t>(i % 2))),
         .quantity = 1 + i % 2,
         .order_item_id = std::nullopt});
    if (const auto placed = amazon.AddOrder(order); !placed.ok()) {
      spdlog::error("cannot place a backlog order: {}", placed.status().ToString());
      return;
    }
  }
  spdlog::info("emulated Amazon holds a backlog of {} orders from the last 90 minutes", kOrders);
}

// Puts the ship-method mappings of `csv` in place, as operations would with
// `sellerbridge mapping import`.
Status ImportMappings(sync::Daemon& daemon, std::string_view csv) {
  ASSIGN_OR_RETURN(const sync::MappingImportReport report,
                   daemon.Mappings().Import(csv, "the demo's mappings", "demo", false));
  spdlog::info("ship-method mappings: {} added, {} changed", report.added, report.changed);
  return Status::Ok();
}

// What operations do about the held orders: map the German marketplace and
// create the missing product in Clarus.
void FixWhatHeldOrdersWaitFor(sync::Daemon& daemon, clarus_emulator::ClarusEmulator& clarus) {
  spdlog::info("operations map the German marketplace and create SB-BAG-003 in Clarus");
  if (const Status mapped = ImportMappings(daemon, kDemoDeMappings); !mapped.ok()) {
    spdlog::error("cannot add the German mappings: {}", mapped.ToString());
  }
  std::vector<clarus_emulator::FieldError> errors;
  const auto product = clarus.GetWarehouse().CreateProduct(
      {.account_id = 1, .product_code = "SB-BAG-003", .name = "Weekend bag"}, &errors);
  if (!product.ok()) {
    spdlog::error("cannot create SB-BAG-003 in the emulated Clarus: {}",
                  product.status().ToString());
  }
}

nlohmann::json StockJson(const sync::StockFigures& stock) {
  nlohmann::json published = nlohmann::json::object();
  nlohmann::json staleness = nlohmann::json::object();
  for (int i = 0; i < sync::kStockLanes; ++i) {
    const auto lane = static_cast<std::size_t>(i);
    const std::string name(sync::StockLaneName(static_cast<sync::StockLane>(i)));
    published[name] = stock.published[lane];
    staleness[name] = {{"samples", stock.staleness[lane].samples},
                       {"p50", stock.staleness[lane].p50},
                       {"p95", stock.staleness[lane].p95},
                       {"p99", stock.staleness[lane].p99}};
  }
  return {{"skus", stock.skus},
          {"published_by_lane", published},
          {"staleness_seconds_by_lane", staleness},
          {"patches", stock.patches},
          {"feeds", stock.feeds},
          {"coalesced", stock.coalesced},
          {"drift_checks", stock.drift_checks},
          {"drift_found", stock.drift_found},
          {"refused", stock.refused},
          {"stuck_feeds", stock.stuck_feeds}};
}

nlohmann::json SummaryJson(const sync::DaemonSummary& summary) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const sync::JobStats& job : summary.jobs) {
    jobs.push_back({
        {"name", job.name},
        {"cadence", FormatDuration(job.cadence)},
        {"runs", job.runs},
        {"failures", job.failures},
        {"last_status", job.last_status.ToString()},
    });
  }
  return {
      {"started", FormatIso8601(summary.started)},
      {"uptime_seconds",
       std::chrono::duration_cast<std::chrono::duration<double>>(summary.uptime).count()},
      {"jobs", jobs},
      {"buyer_records_purged", summary.buyer_records_purged},
      {"store", summary.store_counts},
      {"orders",
       {{"imported", summary.orders_imported},
        {"updated", summary.orders_updated},
        {"quarantined", summary.orders_quarantined},
        {"sent_to_clarus", summary.orders_sent_to_clarus},
        {"released_from_hold", summary.orders_released},
        {"held_by_reason", summary.held_by_reason},
        {"cancelled", summary.orders_cancelled},
        {"amazon_labels_bought", summary.labels_bought},
        {"goods_outs_updated", summary.goods_outs_updated}}},
      {"dispatches",
       {{"parcels_dispatched", summary.parcels_dispatched},
        {"confirmations_sent", summary.confirmations_sent},
        {"confirmed", summary.confirmations_accepted},
        {"verified", summary.confirmations_verified},
        {"sent_again_after_read_back", summary.confirmations_resent},
        {"into_feeds", summary.confirmations_fed},
        {"dispatch_exceptions", summary.dispatch_exceptions},
        {"confirmation_exceptions", summary.confirmation_exceptions},
        {"dispatch_to_accepted_seconds_p50_p95_p99", summary.dispatch_to_accepted_seconds}}},
      {"stock", summary.stock ? StockJson(*summary.stock) : nlohmann::json()},
  };
}

void PrintText(const sync::DaemonSummary& summary) {
  std::cout << fmt::format(
      "sellerbridge demo summary\n  ran {:.1f} s from {}\n",
      std::chrono::duration_cast<std::chrono::duration<double>>(summary.uptime).count(),
      FormatIso8601(summary.started));
  std::cout << "  jobs:\n";
  for (const sync::JobStats& job : summary.jobs) {
    std::cout << fmt::format("    {:<16} every {:<6} {:>6} runs {:>4} failures  last: {}\n",
                             job.name, FormatDuration(job.cadence), job.runs, job.failures,
                             job.last_status.ToString());
  }
  std::cout << "  store:\n";
  for (const auto& [name, count] : summary.store_counts) {
    std::cout << fmt::format("    {:<24} {:>8}\n", name, count);
  }
  std::cout << fmt::format("  buyer records purged: {}\n", summary.buyer_records_purged);
  std::cout << fmt::format(
      "  orders: {} imported from Amazon, {} sent to Clarus ({} after a hold), {} cancelled, {} "
      "Amazon labels bought, {} quarantined\n",
      summary.orders_imported, summary.orders_sent_to_clarus, summary.orders_released,
      summary.orders_cancelled, summary.labels_bought, summary.orders_quarantined);
  std::int64_t held = 0;
  for (const auto& [reason, count] : summary.held_by_reason) {
    held += count;
  }
  std::cout << fmt::format("  held now: {}\n", held);
  for (const auto& [reason, count] : summary.held_by_reason) {
    std::cout << fmt::format("    {:<32} {:>8}\n", reason, count);
  }
  std::cout << fmt::format(
      "  dispatches: {} parcels dispatched, {} confirmed on Amazon, {} verified, {} sent again "
      "after a read-back, {} in exceptions ({} dispatch, {} confirmation)\n",
      summary.parcels_dispatched, summary.confirmations_accepted, summary.confirmations_verified,
      summary.confirmations_resent, summary.dispatch_exceptions + summary.confirmation_exceptions,
      summary.dispatch_exceptions, summary.confirmation_exceptions);
  if (summary.dispatch_to_accepted_seconds.size() == 3) {
    std::cout << fmt::format(
        "  dispatch → accepted by Amazon: p50 {:.1f} s, p95 {:.1f} s, p99 {:.1f} s\n",
        summary.dispatch_to_accepted_seconds[0], summary.dispatch_to_accepted_seconds[1],
        summary.dispatch_to_accepted_seconds[2]);
  }
  if (summary.stock) {
    const sync::StockFigures& stock = *summary.stock;
    std::cout << fmt::format(
        "  stock: {} SKUs; quantities published: {} fast lane (zero-outs, low stock), {} class "
        "A, {} class B, {} class C; {} patches, {} feeds, {} changes coalesced\n",
        stock.skus, stock.published[0], stock.published[1], stock.published[2], stock.published[3],
        stock.patches, stock.feeds, stock.coalesced);
    for (int i = 0; i < sync::kStockLanes; ++i) {
      const sync::StalenessFigures& lane = stock.staleness[static_cast<std::size_t>(i)];
      if (lane.samples > 0) {
        std::cout << fmt::format(
            "    staleness {:<4} (Clarus change → accepted by Amazon): p95 {:.1f} s over {} "
            "publications\n",
            sync::StockLaneName(static_cast<sync::StockLane>(i)), lane.p95, lane.samples);
      }
    }
    std::cout << fmt::format("    drift: {} listings read back, {} found drifted; {} refused\n",
                             stock.drift_checks, stock.drift_found, stock.refused);
  }
}

// Stock moving in the warehouse besides Amazon's orders, one step per report:
// mugs sell on another channel, a stock count finds one missing, and later a
// delivery of T-shirts arrives (after they sold out).
void MoveStock(clarus_emulator::ClarusEmulator& clarus, int step) {
  std::map<std::string, std::int64_t> product_ids;
  clarus.GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    for (const auto& [id, product] : state.products) {
      product_ids[product.product_code] = id;
    }
  });
  const std::int64_t warehouse = clarus.GetScenario().warehouses.front().id;
  auto adjust = [&](const std::string& sku, std::int64_t delta, const char* why) {
    const auto product = product_ids.find(sku);
    if (product == product_ids.end()) {
      return;
    }
    const auto moved = clarus.GetWarehouse().AdjustStock(product->second, warehouse, delta, why);
    if (moved.ok()) {
      spdlog::info("clarus: {} {:+d} ({}), {} available", sku, delta, why, moved->available);
    }
  };
  adjust("SB-MUG-001", -(1 + step % 4), "sold on another channel");
  if (step % 6 == 5) {
    adjust("SB-MUG-001", -1, "stock count");
  }
  if (step == 36) {
    adjust("SB-TEE-002", 120, "delivery received");
  }
}

// The warehouse floor: goods-outs picked and dispatched a few seconds after
// they arrive (the emulated carriers collect only at their cut-off times).
int DispatchReadyGoodsOuts(clarus_emulator::ClarusEmulator& clarus) {
  constexpr auto kFloorTime = std::chrono::seconds{8};
  constexpr int kPerRound = 25;
  std::vector<std::int64_t> ready;
  const TimePoint now = SystemClock::Get()->Now();
  clarus.GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    for (const auto& [id, order] : state.goods_outs) {
      const bool waiting = order.status != clarus_emulator::GoodsOutStatus::kCompleted &&
                           order.status != clarus_emulator::GoodsOutStatus::kCancelled &&
                           order.status != clarus_emulator::GoodsOutStatus::kDraft;
      if (waiting && now - order.created_at >= kFloorTime && std::ssize(ready) < kPerRound) {
        ready.push_back(id);
      }
    }
  });
  int dispatched = 0;
  for (const std::int64_t id : ready) {
    if (clarus.GetWarehouse().CompleteNow(id).ok()) {
      ++dispatched;
    }
  }
  return dispatched;
}

// The settlements the finance job has stored, newest first, as one line of the live output.
std::string SettlementsLine(store::Store& store) {
  auto txn = store.BeginReadOnly();
  if (!txn.ok()) {
    return txn.status().ToString();
  }
  const auto reports = (*txn)->ListSettlementReports({.limit = 5});
  if (!reports.ok()) {
    return reports.status().ToString();
  }
  if (reports->empty()) {
    return "no settlement yet";
  }
  std::string line;
  for (const store::SettlementReport& report : *reports) {
    const nlohmann::json journals = nlohmann::json::parse(report.journals, nullptr, false);
    const std::size_t count =
        journals.is_object() && journals.contains("journals") ? journals["journals"].size() : 0;
    line +=
        fmt::format("{}settlement {} deposit {} {}, {}, {} journal(s)", line.empty() ? "" : "; ",
                    report.settlement_id, finance::FormatMinor(report.total_minor, 2),
                    report.currency, store::SettlementStateName(report.state), count);
  }
  return line;
}

}  // namespace

int RunDemo(const DemoOptions& options) {
  // Before any thread starts, so that only this thread takes the signals.
  ShutdownSignal shutdown;
  const std::optional<std::filesystem::path> dir = MakeTempDir();
  if (!dir) {
    spdlog::error("cannot create a temporary directory for the demo store");
    return 1;
  }
  int exit_code = 0;
  {
    auto amazon = amazon_emulator::AmazonEmulator::Create(
        {.scenario_toml = std::string(kDemoAmazonScenario)}, SystemClock::Get());
    auto clarus_scenario =
        clarus_emulator::ParseScenario(kDemoClarusScenario, "the demo's Clarus scenario");
    if (!clarus_scenario.ok()) {
      spdlog::error("{}", clarus_scenario.status().ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    auto clarus = clarus_emulator::ClarusEmulator::Create({.scenario = std::move(*clarus_scenario)},
                                                          SystemClock::Get());
    if (!amazon.ok() || !clarus.ok()) {
      spdlog::error("cannot create the emulators: {} {}", amazon.status().ToString(),
                    clarus.status().ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    if (const Status a = (*amazon)->Start("127.0.0.1", 0), c = (*clarus)->Start("127.0.0.1", 0);
        !a.ok() || !c.ok()) {
      spdlog::error("cannot start the emulators: {} {}", a.ToString(), c.ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    const std::string amazon_url = "http://127.0.0.1:" + std::to_string((*amazon)->Port());
    spdlog::info("emulated Amazon Seller Central at {} (control API under /_emulator/)",
                 amazon_url);
    spdlog::info("emulated Clarus WMS at {} (control API under /_emulator/)", (*clarus)->BaseUrl());

    PlaceBacklog(**amazon);
    config::Config config =
        ConfigForEmulators(**amazon, **clarus, "sqlite://" + (*dir / "sellerbridge.db").string());
    config.schedules.order_import = std::chrono::seconds{2};
    config.schedules.dispatch_sweep = std::chrono::seconds{5};
    config.schedules.verifier = std::chrono::seconds{5};
    config.orders.lookback = std::chrono::hours{2};
    // Stock follows within seconds: the demo is short.
    config.schedules.stock_changes = std::chrono::seconds{5};
    config.schedules.drift_check = std::chrono::seconds{15};
    // The monitor looks every 10 s, so that the live output shows orders at risk and alerts.
    config.schedules.monitor = std::chrono::seconds{10};
    config.stock.cadence_a = std::chrono::seconds{10};
    config.stock.cadence_b = std::chrono::seconds{30};
    config.stock.cadence_c = std::chrono::minutes{1};
    config.stock.drift_delay = std::chrono::seconds{15};
    config.stock.default_policy = {
        .buffer = domain::BufferKind::kVelocity, .buffer_units = 2, .max_quantity = 500};
    // Amazon settles every 14 days; the demo closes a period two thirds of the way in, and the
    // finance job fetches it within 10 s.
    config.schedules.settlements = std::chrono::seconds{10};

    auto store = store::OpenStore(config.store.url, SystemClock::Get());
    if (!store.ok()) {
      spdlog::error("cannot open the demo store: {}", store.status().ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    spdlog::info("demo store ready at {}", config.store.url);
    sync::Daemon daemon(config, store->get(), SystemClock::Get(),
                        {.confirmer = {.verify_after = std::chrono::seconds{5}}});
    if (const Status mapped = ImportMappings(daemon, kDemoUkMappings); !mapped.ok()) {
      spdlog::error("cannot set up the demo's ship-method mappings: {}", mapped.ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    // The watch, as `sellerbridge run` has it, without alert targets: the live output shows
    // the orders at risk and the alerts firing.
    monitor::Watch watch(config, store->get(), SystemClock::Get(), &daemon.JobScheduler(),
                         &daemon.Remote(), {});
    if (const Status watched = watch.AddJobs(); !watched.ok()) {
      spdlog::error("cannot set up the demo's monitor: {}", watched.ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    // The finance job, as `sellerbridge run` has it, without sinks: journals stay in the store.
    finance::SettlementBook settlements(config.finance, store->get(), SystemClock::Get(),
                                        daemon.Remote().reports.get(), {});
    if (const Status added =
            daemon.JobScheduler().AddJob({"settlements", config.schedules.settlements,
                                          [&settlements](const sync::JobContext& context) {
                                            return settlements.RunOnce(context.stop).status();
                                          }});
        !added.ok()) {
      spdlog::error("cannot set up the demo's settlements job: {}", added.ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    if (const Status started = daemon.Start(); !started.ok()) {
      spdlog::error("cannot start the demo: {}", started.ToString());
      std::filesystem::remove_all(*dir);
      return 1;
    }
    const auto started_at = std::chrono::steady_clock::now();
    const TimePoint demo_start = SystemClock::Get()->Now();
    int step = 0;
    const auto duration =
        std::chrono::milliseconds{static_cast<std::int64_t>(options.duration_seconds * 1000)};
    if (options.duration_seconds > 0) {
      spdlog::info("demo running for {} s (SIGINT stops it sooner)", options.duration_seconds);
    } else {
      spdlog::info("demo running until SIGINT or SIGTERM");
    }
    // Live output: what the two systems hold, every few seconds. A third of
    // the way in (or after a minute), operations fix what held orders wait
    // for, and the next pass releases them.
    constexpr auto kReportEvery = std::chrono::seconds{5};
    const auto fix_after = options.duration_seconds > 0
                               ? std::chrono::duration_cast<std::chrono::milliseconds>(duration / 3)
                               : std::chrono::milliseconds{std::chrono::minutes{1}};
    const auto settle_after =
        options.duration_seconds > 0
            ? std::chrono::duration_cast<std::chrono::milliseconds>(duration * 2 / 3)
            : std::chrono::milliseconds{std::chrono::minutes{2}};
    bool fixed = false;
    bool settled = false;
    while (true) {
      std::chrono::milliseconds wait = kReportEvery;
      if (options.duration_seconds > 0) {
        const auto left = duration - std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started_at);
        if (left <= std::chrono::milliseconds::zero()) {
          break;
        }
        wait = std::min(wait, left);
      }
      if (const int signal_number = shutdown.Wait(wait); signal_number != 0) {
        spdlog::info("signal {} received: finishing the work in hand", signal_number);
        break;
      }
      if (!fixed && std::chrono::steady_clock::now() - started_at >= fix_after) {
        fixed = true;
        FixWhatHeldOrdersWaitFor(daemon, **clarus);
      }
      if (!settled && std::chrono::steady_clock::now() - started_at >= settle_after) {
        settled = true;
        const auto closed = (*amazon)->CloseSettlementPeriod();
        spdlog::info("amazon closes the settlement period: {} settlement(s)", closed.size());
      }
      DispatchReadyGoodsOuts(**clarus);
      MoveStock(**clarus, step++);
      const EmulatedWorld world = Observe(**amazon, **clarus, demo_start);
      const auto live = daemon.Summary();
      std::int64_t held_now = 0;
      if (live.ok()) {
        if (const auto it = live->store_counts.find("orders_Held");
            it != live->store_counts.end()) {
          held_now = it->second;
        }
      }
      spdlog::info(
          "amazon: {} orders ({}), late shipment rate {:.1f}% · sellerbridge: {} imported, {} "
          "sent to Clarus, {} held, {} parcels confirmed, {} verified · clarus: {} goods-outs",
          world.amazon_orders, nlohmann::json(world.amazon_orders_by_status).dump(),
          100 * world.health.late_shipment_10d.Rate(), live.ok() ? live->orders_imported : 0,
          live.ok() ? live->orders_sent_to_clarus : 0, held_now,
          live.ok() ? live->confirmations_accepted : 0,
          live.ok() ? live->confirmations_verified : 0, world.clarus_goods_outs);
      std::string stock_line;
      for (const auto& [sku, quantities] : world.stock) {
        stock_line += fmt::format("{}{} clarus {} / amazon {}", stock_line.empty() ? "" : ", ", sku,
                                  quantities.first, quantities.second);
      }
      std::int64_t published = 0;
      if (live.ok() && live->stock) {
        for (const std::int64_t n : live->stock->published) {
          published += n;
        }
      }
      spdlog::info("stock: {} · {} quantities published, {} units oversold", stock_line, published,
                   world.units_oversold);
      const monitor::AtRiskSnapshot at_risk = watch.AtRisk();
      const std::vector<monitor::Alert> alerts = watch.Alerts();
      spdlog::info("watch: {} order(s) at risk{}, {} alert(s) firing{}", at_risk.orders.size(),
                   at_risk.orders.empty()
                       ? ""
                       : fmt::format(" (first: {} {}, {})", at_risk.orders.front().amazon_order_id,
                                     monitor::RiskStageName(at_risk.orders.front().stage),
                                     at_risk.orders.front().deadline_local),
                   alerts.size(),
                   alerts.empty() ? "" : fmt::format(" (first: {})", alerts.front().summary));
      spdlog::info("finance: {}", SettlementsLine(**store));
    }
    daemon.Stop();
    const EmulatedWorld world = Observe(**amazon, **clarus, demo_start);
    (*amazon)->Stop();
    (*clarus)->Stop();
    const auto summary = daemon.Summary();
    if (!summary.ok()) {
      spdlog::error("cannot summarise the demo: {}", summary.status().ToString());
      exit_code = 1;
    } else if (options.json) {
      nlohmann::json out = SummaryJson(*summary);
      out.update(WorldJson(world));
      std::cout << out.dump(2) << "\n";
    } else {
      PrintText(*summary);
      std::cout << fmt::format(
          "  emulated amazon: {} orders created, {} late shipments (rate {:.1f}%), cancel rate "
          "{:.1f}%\n"
          "  emulated clarus: {} goods-outs, {} products\n"
          "  units oversold (sold on Amazon during the demo, not covered by Clarus stock): {}\n",
          world.amazon_orders, world.health.late_shipment_10d.numerator,
          100 * world.health.late_shipment_10d.Rate(), 100 * world.health.cancel_7d.Rate(),
          world.clarus_goods_outs, world.clarus_products, world.units_oversold);
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(*dir, ec);
  return exit_code;
}

}  // namespace sellerbridge::cli
