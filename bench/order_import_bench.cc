// Orders from the emulated Amazon into the emulated Clarus through
// sellerbridge's order flow (e2e::World): both emulators on loopback, every
// Amazon rate limit lifted in the emulator and in the quota broker, so that
// only sellerbridge, the store and the loopback are measured.
//
// Places the orders (UK and DE, one in ten Prime, bought over the last five
// hours), then times one import pass (searchOrders pages into the store) and
// the release passes until every order is SentToClarus (goods-outs created,
// Prime labels bought through Merchant Fulfillment and attached). Checks that
// every order's goods-out exists exactly once in Clarus and that every Prime
// order has one label, and prints how long Amazon's documented quota alone
// would take for the same work. Exits 1 when a check fails. See RESULTS.md.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "amazon/rate_limit_table.h"
#include "e2e/world.h"

namespace {

namespace amazon = sellerbridge::amazon;
namespace e2e = sellerbridge::e2e;
using sellerbridge::store::SyncState;

constexpr int kPageSize = 100;  // searchOrders' largest page.
constexpr double kBarSeconds = 30;
constexpr int kBarOrders = 10000;
constexpr int kMaxReleasePasses = 20;

struct Placed {
  std::vector<std::string> ids;
  std::vector<std::string> prime;
};

// Places `count` orders bought over the last five hours, the newest five
// minutes ago, so that all are searchable at once; every fourth is German,
// every tenth Prime.
sellerbridge::Result<Placed> PlaceOrders(e2e::World& world, int count) {
  const auto now = world.Amazon().Now();
  const auto oldest = now - std::chrono::hours{5};
  const std::chrono::seconds span = std::chrono::hours{5} - std::chrono::minutes{5};
  Placed placed;
  placed.ids.reserve(static_cast<std::size_t>(count));
  for (int n = 0; n < count; ++n) {
    sellerbridge::emulators::amazon::NewOrder order;
    order.marketplace_id = std::string(n % 4 == 3 ? e2e::kDe : e2e::kUk);
    order.purchase_date = oldest + span * n / count;
    order.is_prime = n % 10 == 0;
    order.ship_service_level = "Std UK Dom_1";
    order.service_level_category = "Standard";
    order.lines.push_back(
        {.sku = std::string(e2e::kSkus.at(static_cast<std::size_t>(n) % e2e::kSkus.size())),
         .quantity = 1});
    auto id = world.Amazon().AddOrder(order);
    if (!id.ok()) {
      return id.status();
    }
    if (order.is_prime) {
      placed.prime.push_back(*id);
    }
    placed.ids.push_back(*std::move(id));
  }
  return placed;
}

// How many stored orders are SentToClarus; -1 when the store cannot say.
std::int64_t SentToClarus(e2e::World& world) {
  auto tx = world.Store().BeginReadOnly();
  if (!tx.ok()) {
    return -1;
  }
  auto counts = (*tx)->CountOrdersBySyncState();
  if (!counts.ok()) {
    return -1;
  }
  const auto sent = counts->find(SyncState::kSentToClarus);
  return sent == counts->end() ? 0 : sent->second;
}

// Amazon's documented limit of `operation`; nullptr if the table lacks it.
const amazon::OperationLimit* DocumentedLimit(std::string_view operation) {
  const auto& limits = amazon::DocumentedRateLimits();
  const auto it = std::find_if(limits.begin(), limits.end(),
                               [&](const auto& limit) { return limit.operation == operation; });
  return it == limits.end() ? nullptr : &*it;
}

// The shortest time Amazon's token bucket allows for `calls`: the burst at
// once, then one call per 1/rate seconds.
double QuotaSeconds(const amazon::OperationLimit& limit, int calls) {
  return std::max(0, calls - limit.burst) / limit.rate_per_second;
}

// What failed in the outcome, one line each; empty when all is well.
std::vector<std::string> Check(e2e::World& world, const Placed& placed) {
  std::vector<std::string> problems;
  const std::map<std::string, int> goods_outs = world.GoodsOutsByReference();
  const std::map<std::string, int> labels = world.AmazonLabelsByOrder();
  const std::map<std::string, int> label_shipments = world.LabelShipmentsByOrder();
  const auto count_of = [](const std::map<std::string, int>& counts, const std::string& id) {
    const auto it = counts.find(id);
    return it == counts.end() ? 0 : it->second;
  };
  int wrong_goods_outs = 0;
  for (const std::string& id : placed.ids) {
    if (const int n = count_of(goods_outs, id); n != 1 && wrong_goods_outs++ < 5) {
      problems.push_back(fmt::format("order {} has {} goods-outs in Clarus", id, n));
    }
  }
  if (goods_outs.size() != placed.ids.size()) {
    problems.push_back(fmt::format("Clarus holds goods-outs for {} references, {} orders placed",
                                   goods_outs.size(), placed.ids.size()));
  }
  int wrong_labels = 0;
  for (const std::string& id : placed.prime) {
    const int bought = count_of(labels, id);
    const int attached = count_of(label_shipments, id);
    if ((bought != 1 || attached != 1) && wrong_labels++ < 5) {
      problems.push_back(
          fmt::format("Prime order {}: {} labels bought on Amazon, {} attached in Clarus", id,
                      bought, attached));
    }
  }
  if (labels.size() != placed.prime.size()) {
    problems.push_back(fmt::format("Amazon sold labels for {} orders, {} Prime orders placed",
                                   labels.size(), placed.prime.size()));
  }
  if (wrong_goods_outs + wrong_labels > 0) {
    problems.push_back(fmt::format("{} orders with a wrong goods-out count, {} with wrong labels",
                                   wrong_goods_outs, wrong_labels));
  }
  return problems;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs the benchmark in `dir`; returns the exit code.
int Run(int orders, int clarus_workers, const std::filesystem::path& dir) {
  auto created = e2e::World::Create(
      {.dir = dir, .seed = 1, .lift_rate_limits = true, .clarus_workers = clarus_workers});
  if (!created.ok()) {
    fmt::print(stderr, "FAILED: cannot build the world: {}\n", created.status().ToString());
    return 1;
  }
  e2e::World& world = **created;
  if (const sellerbridge::Status mapped = world.MapShipMethods(); !mapped.ok()) {
    fmt::print(stderr, "FAILED: cannot map the ship methods: {}\n", mapped.ToString());
    return 1;
  }
  const amazon::OperationLimit* search = DocumentedLimit("searchOrders");
  const amazon::OperationLimit* buy = DocumentedLimit("createShipment");
  if (search == nullptr || buy == nullptr) {
    fmt::print(stderr, "FAILED: searchOrders or createShipment is not in Amazon's table\n");
    return 1;
  }
  const auto placing = std::chrono::steady_clock::now();
  const auto placed_or = PlaceOrders(world, orders);
  if (!placed_or.ok()) {
    fmt::print(stderr, "FAILED: cannot place the orders: {}\n", placed_or.status().ToString());
    return 1;
  }
  const Placed& placed = *placed_or;
  const double place_seconds = SecondsSince(placing);

  const auto start = std::chrono::steady_clock::now();
  auto imported = world.Import();
  const double import_seconds = SecondsSince(start);
  if (!imported.ok()) {
    fmt::print(stderr, "FAILED: import: {}\n", imported.status().ToString());
    return 1;
  }

  const auto releasing = std::chrono::steady_clock::now();
  int passes = 0;
  int sent = 0;
  int labels_bought = 0;
  int retried = 0;
  int held = 0;
  sellerbridge::Status first_error;
  std::int64_t settled = SentToClarus(world);
  while (settled < orders && passes < kMaxReleasePasses) {
    auto pass = world.Release();
    ++passes;
    if (!pass.ok()) {
      fmt::print(stderr, "FAILED: release pass {}: {}\n", passes, pass.status().ToString());
      return 1;
    }
    sent += pass->sent_to_clarus;
    labels_bought += pass->labels_bought;
    retried += pass->retry_later;
    held += pass->held;
    if (first_error.ok() && !pass->first_error.ok()) {
      first_error = pass->first_error;
    }
    const std::int64_t now_settled = SentToClarus(world);
    if (now_settled <= settled) {
      break;  // A pass that moved nothing: the next would not either.
    }
    settled = now_settled;
  }
  const double release_seconds = SecondsSince(releasing);
  const double total_seconds = SecondsSince(start);

  const int pages = (orders + kPageSize - 1) / kPageSize;
  const int prime = static_cast<int>(placed.prime.size());
  const double search_quota = QuotaSeconds(*search, pages);
  const double label_quota = QuotaSeconds(*buy, prime);

  fmt::print(
      "order import, Amazon emulator to Clarus emulator: {} orders ({} Prime), {} Clarus "
      "workers, Amazon rate limits lifted\n",
      orders, prime, clarus_workers);
  fmt::print("  placed in the Amazon emulator in {:.2f} s (not timed below)\n", place_seconds);
  fmt::print("  import:  {:6.2f} s  {} searchOrders pages, {} orders read, {} new\n",
             import_seconds, imported->pages, imported->orders_read, imported->orders_new);
  fmt::print(
      "  release: {:6.2f} s  {} pass{}, {} goods-outs created, {} labels bought, {} held, {} "
      "to retry\n",
      release_seconds, passes, passes == 1 ? "" : "es", sent, labels_bought, held, retried);
  fmt::print("  total:   {:6.2f} s  ({:.0f} orders/s)", total_seconds, orders / total_seconds);
  if (orders == kBarOrders) {
    fmt::print(", bar {:.0f} s: {}", kBarSeconds, total_seconds < kBarSeconds ? "met" : "MISSED");
  }
  fmt::print("\n");
  if (!first_error.ok()) {
    fmt::print("  first error to retry: {}\n", first_error.ToString());
  }
  fmt::print(
      "Amazon's documented quota alone, for contrast:\n"
      "  searchOrders at {}/s, burst {}: {} pages of {} take {:.0f} s ({:.1f} h)\n"
      "  createShipment at {}/s, burst {}: {} labels take {:.0f} s ({:.1f} min)\n",
      search->rate_per_second, search->burst, pages, kPageSize, search_quota, search_quota / 3600,
      buy->rate_per_second, buy->burst, prime, label_quota, label_quota / 60);

  std::vector<std::string> problems = Check(world, placed);
  if (settled != orders) {
    problems.insert(problems.begin(), fmt::format("{} of {} orders SentToClarus after {} release "
                                                  "passes",
                                                  settled, orders, passes));
  }
  if (!problems.empty()) {
    for (const std::string& problem : problems) {
      fmt::print(stderr, "FAILED: {}\n", problem);
    }
    return 1;
  }
  fmt::print(
      "checked: every order's goods-out exists exactly once in Clarus; every Prime order has one "
      "Amazon label, attached to its goods-out\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // CLI11, std::filesystem and fmt report failures by throwing.
  try {
    int orders = kBarOrders;
    int clarus_workers = 8;
    CLI::App app{
        "Times sellerbridge's order import and release from the Amazon emulator into the Clarus "
        "emulator, every Amazon rate limit lifted."};
    app.add_option("--orders", orders, "Orders to place")->check(CLI::Range(1, 1000000));
    app.add_option("--clarus-workers", clarus_workers, "Goods-outs created in parallel")
        ->check(CLI::Range(1, 64));
    CLI11_PARSE(app, argc, argv);
    spdlog::set_level(spdlog::level::warn);  // The world's set-up chatter hides the results.

    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      fmt::format("sellerbridge-order-import-bench-{}", ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const int exit_code = Run(orders, clarus_workers, dir);
    std::filesystem::remove_all(dir);
    return exit_code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "FAILED: {}\n", e.what());
    return 1;
  }
}
