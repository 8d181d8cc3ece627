// One scrape of GET /metrics with 100,000 orders in a SQLite store, over
// loopback HTTP with the bearer token, as Prometheus scrapes the daemon.
//
// Seeds a store file by replaying each order's life in time order on a
// virtual clock, so that the store stamps every write as the daemon would:
// imported, sent to Clarus (audit "order.sent_to_clarus"), dispatched (a
// confirmation in the outbox), accepted by Amazon, verified and closed; some
// held, cancelled, waiting for their goods-out to be updated or with a failed
// confirmation, as exceptions. UK and DE, 1–3 lines each.
//
// Then builds what the daemon builds for /metrics: the API server with an API
// token and the watch (over a scheduler that is not started and connections
// that contact nobody), refreshes the store-derived part once as the daemon's
// "metrics" job does every 15 s (timed: that is the background cost), and
// times N scrapes on one keep-alive connection after a warm-up. For contrast
// it times a few scrapes of a second server whose metrics were never
// refreshed, which reads the store on every scrape. Exits 1 when p99 is 5 ms
// or more. See RESULTS.md.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "http/client.h"
#include "monitor/watch.h"
#include "server/api_server.h"
#include "store/store.h"
#include "sync/carrier_catalog.h"
#include "sync/connections.h"
#include "sync/exception_desk.h"
#include "sync/scheduler.h"
#include "sync/ship_method_mappings.h"

namespace {

namespace config = sellerbridge::config;
namespace domain = sellerbridge::domain;
namespace http = sellerbridge::http;
namespace monitor = sellerbridge::monitor;
namespace server = sellerbridge::server;
namespace store = sellerbridge::store;
namespace sync = sellerbridge::sync;
using sellerbridge::Duration;
using sellerbridge::Result;
using sellerbridge::Status;
using sellerbridge::TimePoint;
using sellerbridge::VirtualClock;
using std::chrono::hours;
using std::chrono::seconds;
using store::ConfirmationState;
using store::SyncState;

constexpr double kBarMs = 5;
constexpr char kToken[] = "metrics-bench-api-token-0123456789";
constexpr char kUk[] = "A1F83G8C2ARO7P";
constexpr char kDe[] = "A1PA6795UKMFR9";
constexpr int kEventsPerTransaction = 5000;
constexpr Duration kSpan = hours{24 * 60};  // Orders bought over the last 60 days.

// Where an order ends up, and how its confirmation went.
enum class Fate { kNew, kHeld, kCancelled, kSent, kUpdatePending, kDispatched, kClosed };
enum class Outcome { kPending, kAccepted, kFailed };

// One order's life, drawn up front.
struct Plan {
  std::string id;
  bool german = false;
  bool prime = false;
  int lines = 1;
  int first_sku = 0;
  Fate fate = Fate::kNew;
  Outcome outcome = Outcome::kAccepted;
  store::ConfirmationTransport transport = store::ConfirmationTransport::kApi;
  TimePoint purchased;
  TimePoint shipped;
  std::int64_t outbox_id = 0;  // Set when the dispatch is replayed.
};

// What happens to an order at one moment; replayed in time order.
enum class Step { kImport, kHold, kCancel, kSend, kUpdate, kDispatch, kAccept, kFail, kVerify };

struct Event {
  TimePoint at;
  Step step = Step::kImport;
  std::size_t order = 0;
};

Duration Secs(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

domain::OrderData OrderOf(const Plan& plan, domain::OrderStatus status) {
  domain::OrderData data;
  data.amazon_order_id = plan.id;
  data.marketplace_id = plan.german ? kDe : kUk;
  data.status = status;
  data.purchase_date = plan.purchased;
  data.last_update_date = plan.purchased;
  data.earliest_ship_date = plan.purchased;
  data.latest_ship_date = plan.purchased + hours{48};
  data.latest_delivery_date = plan.purchased + hours{120};
  data.ship_service_level = plan.german ? "Std DE Dom_1" : "Std UK Dom_1";
  data.is_prime = plan.prime;
  data.shipping_address = domain::Address{.name = "Bench Buyer",
                                          .line1 = "1 High Street",
                                          .city = plan.german ? "Berlin" : "Leeds",
                                          .postal_code = plan.german ? "10115" : "LS1 1AA",
                                          .country_code = plan.german ? "DE" : "GB"};
  const bool shipped = status == domain::OrderStatus::kShipped;
  for (int n = 0; n < plan.lines; ++n) {
    const std::int32_t quantity = 1 + (plan.first_sku + n) % 3;
    data.lines.push_back({.order_item_id = fmt::format("{}{:02}", plan.id.substr(12), n + 1),
                          .sku = fmt::format("SKU-{:05}", (plan.first_sku + n * 7) % 20000),
                          .quantity_ordered = quantity,
                          .quantity_shipped = shipped ? quantity : 0});
  }
  return data;
}

Status Upsert(store::Transaction& tx, const Plan& plan, domain::OrderStatus status) {
  auto order = domain::Order::Create(OrderOf(plan, status));
  if (!order.ok()) {
    return order.status();
  }
  return tx.UpsertOrder(*order);
}

Status Apply(store::Transaction& tx, const Event& event, Plan& plan, TimePoint now) {
  const std::string goods_out = fmt::format("GO-{:07}", event.order + 1);
  switch (event.step) {
    case Step::kImport:
      return Upsert(tx, plan, domain::OrderStatus::kUnshipped);
    case Step::kHold: {
      auto held = tx.HoldException(
          {.kind = "order",
           .subject_id = plan.id,
           .reason = fmt::format("no ship-method mapping for '{}'",
                                 plan.german ? "Std DE Dom_1" : "Std UK Dom_1"),
           .suggested_fix = "Add the mapping; the order is released at the next pass."});
      if (!held.ok()) {
        return held.status();
      }
      return tx.SetOrderSyncState(plan.id, SyncState::kHeld, std::nullopt);
    }
    case Step::kCancel: {
      if (Status upserted = Upsert(tx, plan, domain::OrderStatus::kCancelled); !upserted.ok()) {
        return upserted;
      }
      return tx.SetOrderSyncState(plan.id, SyncState::kCancelled, std::nullopt);
    }
    case Step::kSend: {
      if (Status set = tx.SetOrderSyncState(plan.id, SyncState::kSentToClarus, goods_out);
          !set.ok()) {
        return set;
      }
      return tx
          .AppendAudit({.at = now,
                        .actor = "system",
                        .action = "order.sent_to_clarus",
                        .subject = plan.id,
                        .details = fmt::format("goods-out {}", goods_out)})
          .status();
    }
    case Step::kUpdate:
      return tx.SetOrderSyncState(plan.id, SyncState::kUpdatePending, std::nullopt);
    case Step::kDispatch: {
      if (Status upserted = Upsert(tx, plan, domain::OrderStatus::kShipped); !upserted.ok()) {
        return upserted;
      }
      domain::Parcel parcel{.package_reference_id = "1",
                            .carrier_code = plan.german ? "DHL" : "Royal Mail",
                            .shipping_method = plan.german ? "Paket" : "Tracked 48",
                            .tracking_number = fmt::format("TN{:09}GB", event.order + 1),
                            .ship_date = plan.shipped};
      for (const domain::OrderLine& line : OrderOf(plan, domain::OrderStatus::kShipped).lines) {
        parcel.items.push_back(
            {.order_item_id = line.order_item_id, .quantity = line.quantity_ordered});
      }
      auto enqueued = tx.EnqueueConfirmation({.idempotency_key = plan.id + "/1",
                                              .amazon_order_id = plan.id,
                                              .marketplace_id = plan.german ? kDe : kUk,
                                              .parcel = std::move(parcel),
                                              .deadline = plan.purchased + hours{48},
                                              .clarus_shipment_id = "SH-" + goods_out.substr(3),
                                              .transport = plan.transport});
      if (!enqueued.ok()) {
        return enqueued.status();
      }
      plan.outbox_id = enqueued->id;
      return tx.SetOrderSyncState(plan.id, SyncState::kDispatched, std::nullopt);
    }
    case Step::kAccept:
      return tx.UpdateConfirmation(
          plan.outbox_id,
          {.state = ConfirmationState::kAccepted, .attempts = 1, .next_attempt_at = now});
    case Step::kFail: {
      const std::string reason =
          "400 InvalidInput: the tracking number is not valid for the carrier";
      if (Status updated =
              tx.UpdateConfirmation(plan.outbox_id, {.state = ConfirmationState::kFailed,
                                                     .attempts = 1,
                                                     .next_attempt_at = now,
                                                     .last_error = reason});
          !updated.ok()) {
        return updated;
      }
      return tx
          .HoldException({.kind = "confirmation",
                          .subject_id = std::to_string(plan.outbox_id),
                          .reason = fmt::format("order {} package 1: {}", plan.id, reason),
                          .suggested_fix = "Correct the tracking number and retry."})
          .status();
    }
    case Step::kVerify: {
      if (Status updated = tx.UpdateConfirmation(
              plan.outbox_id,
              {.state = ConfirmationState::kVerified, .attempts = 1, .next_attempt_at = now});
          !updated.ok()) {
        return updated;
      }
      return tx.SetOrderSyncState(plan.id, SyncState::kClosed, std::nullopt);
    }
  }
  return Status::Ok();
}

// Draws the lives of `count` orders bought over kSpan up to `end`, and the
// events that make them, in time order.
std::pair<std::vector<Plan>, std::vector<Event>> DrawOrders(int count, TimePoint end,
                                                            std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  const auto between = [&](double lo, double hi) { return Secs(lo + (hi - lo) * uniform(rng)); };
  const auto mean = [&](double s) {
    return Secs(std::exponential_distribution<double>(1 / s)(rng));
  };
  std::vector<Plan> plans(static_cast<std::size_t>(count));
  std::vector<Event> events;
  events.reserve(plans.size() * 5);
  const TimePoint start = end - kSpan;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    Plan& plan = plans[i];
    plan.german = uniform(rng) < 0.3;
    plan.id = fmt::format("{}-{:07}-{:07}", plan.german ? 302 : 202, i / 1000 + 1, i + 1);
    plan.prime = uniform(rng) < 0.1;
    const double lines = uniform(rng);
    plan.lines = lines < 0.75 ? 1 : lines < 0.95 ? 2 : 3;
    plan.first_sku = static_cast<int>(uniform(rng) * 20000);
    plan.purchased =
        start + Secs(std::chrono::duration<double>(kSpan).count() * static_cast<double>(i) / count);
    const double fate = uniform(rng);
    plan.fate = fate < 0.02    ? Fate::kNew
                : fate < 0.035 ? Fate::kHeld
                : fate < 0.07  ? Fate::kCancelled
                : fate < 0.13  ? Fate::kSent
                : fate < 0.135 ? Fate::kUpdatePending
                : fate < 0.285 ? Fate::kDispatched
                               : Fate::kClosed;
    const double transport = uniform(rng);
    plan.transport = plan.prime && transport < 0.2 ? store::ConfirmationTransport::kLabel
                     : transport < 0.08            ? store::ConfirmationTransport::kFeed
                                                   : store::ConfirmationTransport::kApi;
    const double outcome = uniform(rng);
    plan.outcome = outcome < 0.02   ? Outcome::kFailed
                   : outcome < 0.12 ? Outcome::kPending
                                    : Outcome::kAccepted;

    // Import every minute, then release within a minute or two; the warehouse ships within a
    // day; a Clarus webhook brings the dispatch in seconds, the sweep in minutes; confirmations go
    // at once by API or within half an hour by feed, and are read back within an hour or two.
    const TimePoint imported = plan.purchased + between(30, 300);
    events.push_back({imported, Step::kImport, i});
    const TimePoint sent = imported + mean(60);
    switch (plan.fate) {
      case Fate::kNew:
        continue;
      case Fate::kHeld:
        events.push_back({sent, Step::kHold, i});
        continue;
      case Fate::kCancelled:
        events.push_back({imported + between(60, 3600), Step::kCancel, i});
        continue;
      default:
        break;
    }
    events.push_back({sent, Step::kSend, i});
    if (plan.fate == Fate::kSent) {
      continue;
    }
    if (plan.fate == Fate::kUpdatePending) {
      events.push_back({sent + between(60, 3600), Step::kUpdate, i});
      continue;
    }
    plan.shipped = sent + between(2 * 3600, 30 * 3600);
    const TimePoint seen = plan.shipped + (uniform(rng) < 0.8 ? between(1, 20) : between(30, 600));
    events.push_back({seen, Step::kDispatch, i});
    if (plan.transport == store::ConfirmationTransport::kLabel) {
      // Nothing to send: the label bought on Amazon shipped it; the entry waits to be read back.
      if (plan.fate == Fate::kClosed) {
        events.push_back({seen + between(900, 7200), Step::kVerify, i});
      }
      continue;
    }
    if (plan.fate == Fate::kDispatched && plan.outcome != Outcome::kAccepted) {
      if (plan.outcome == Outcome::kFailed) {
        events.push_back({seen + between(1, 10), Step::kFail, i});
      }
      continue;
    }
    const TimePoint accepted =
        seen +
        (plan.transport == store::ConfirmationTransport::kFeed ? between(300, 1800) : mean(3));
    events.push_back({accepted, Step::kAccept, i});
    if (plan.fate == Fate::kClosed) {
      events.push_back({accepted + between(900, 7200), Step::kVerify, i});
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  return {std::move(plans), std::move(events)};
}

// Replays `events` into `db` on `clock`, kEventsPerTransaction to a transaction.
Status Seed(store::Store& db, VirtualClock& clock, std::vector<Plan>& plans,
            const std::vector<Event>& events) {
  for (std::size_t from = 0; from < events.size(); from += kEventsPerTransaction) {
    auto tx = db.Begin();
    if (!tx.ok()) {
      return tx.status();
    }
    const std::size_t to = std::min(events.size(), from + kEventsPerTransaction);
    for (std::size_t n = from; n < to; ++n) {
      const Event& event = events[n];
      if (event.at > clock.Now()) {
        clock.AdvanceTo(event.at);
      }
      if (Status applied = Apply(**tx, event, plans[event.order], clock.Now()); !applied.ok()) {
        return applied;
      }
    }
    if (Status committed = (*tx)->Commit(); !committed.ok()) {
      return committed;
    }
  }
  return Status::Ok();
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

struct Scrapes {
  std::vector<double> ms;  // Sorted.
  std::string body;        // The last one.

  // The nearest-rank percentile `p` (0–100).
  double Percentile(double p) const {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(ms.size())));
    return ms[std::clamp<std::size_t>(rank, 1, ms.size()) - 1];
  }
};

// Scrapes `port`'s /metrics `warmup` times untimed, then `count` times timed, on one keep-alive
// connection.
Result<Scrapes> Scrape(int port, int warmup, int count) {
  http::CurlHttpClient client;
  http::ClientRequest request;
  request.url = fmt::format("http://127.0.0.1:{}/metrics", port);
  request.headers.emplace("Authorization", fmt::format("Bearer {}", kToken));
  Scrapes scrapes;
  scrapes.ms.reserve(static_cast<std::size_t>(count));
  for (int n = 0; n < warmup + count; ++n) {
    const auto start = std::chrono::steady_clock::now();
    auto response = client.Send(request);
    const double ms = MsSince(start);
    if (!response.ok()) {
      return response.status();
    }
    if (response->status != 200) {
      return sellerbridge::InternalError(
          fmt::format("GET /metrics: {} {}", response->status, response->body.substr(0, 200)));
    }
    if (n >= warmup) {
      scrapes.ms.push_back(ms);
    }
    scrapes.body = std::move(response->body);
  }
  if (client.ConnectionsOpenedForTest() != 1) {
    return sellerbridge::InternalError(fmt::format("the scrapes opened {} connections, not one",
                                                   client.ConnectionsOpenedForTest()));
  }
  std::sort(scrapes.ms.begin(), scrapes.ms.end());
  return scrapes;
}

// Runs the benchmark with its store in `dir`; returns the exit code.
int Run(int orders, int scrapes, int warmup, int uncached_scrapes, std::uint64_t seed,
        bool print_body, const std::filesystem::path& dir) {
  const TimePoint now = std::chrono::system_clock::now();
  VirtualClock store_clock(now - kSpan);
  auto opened =
      store::OpenStore(fmt::format("sqlite:{}", (dir / "store.db").string()), &store_clock);
  if (!opened.ok()) {
    fmt::print(stderr, "FAILED: cannot open the store: {}\n", opened.status().ToString());
    return 1;
  }
  store::Store& db = **opened;
  auto [plans, events] = DrawOrders(orders, now - hours{2}, seed);
  const auto seeding = std::chrono::steady_clock::now();
  if (Status seeded = Seed(db, store_clock, plans, events); !seeded.ok()) {
    fmt::print(stderr, "FAILED: seeding the store: {}\n", seeded.ToString());
    return 1;
  }
  const double seed_seconds = MsSince(seeding) / 1000;

  // What the daemon builds; nothing is contacted, and no job runs.
  sellerbridge::Clock* clock = sellerbridge::SystemClock::Get();
  config::Config config;
  config.amazon.marketplaces = {kUk, kDe};
  config.server.api_token = config::Secret(std::string(kToken));
  sync::Scheduler scheduler(clock);
  const std::unique_ptr<sync::Connections> remote = sync::Connections::Create(config, clock);
  sync::CarrierCatalog catalog(remote->carriers.get(), clock);
  sync::ShipMethodMappings mappings(&db, &catalog, clock);
  sync::ExceptionDesk exceptions(&db, clock);
  monitor::Watch watch(config, &db, clock, &scheduler, remote.get(), {});
  server::ApiServer api(config.server, &db, &mappings, &exceptions, clock);
  api.ExportWatch(&watch, config.amazon.marketplaces);
  server::ApiServer uncached(config.server, &db, &mappings, &exceptions, clock);
  uncached.ExportWatch(&watch, config.amazon.marketplaces);
  Status set_up = watch.AddJobs();
  if (set_up.ok()) {
    set_up = scheduler.AddJob(
        {"metrics", seconds{15}, [&api](const sync::JobContext&) { return api.RefreshMetrics(); }});
  }
  if (set_up.ok()) {
    set_up = api.Start("127.0.0.1", 0);
  }
  if (set_up.ok()) {
    set_up = uncached.Start("127.0.0.1", 0);
  }
  if (!set_up.ok()) {
    fmt::print(stderr, "FAILED: setting up the server: {}\n", set_up.ToString());
    return 1;
  }

  const auto refreshing = std::chrono::steady_clock::now();
  if (Status refreshed = api.RefreshMetrics(); !refreshed.ok()) {
    fmt::print(stderr, "FAILED: RefreshMetrics: {}\n", refreshed.ToString());
    return 1;
  }
  const double refresh_ms = MsSince(refreshing);
  const auto cached = Scrape(api.Port(), warmup, scrapes);
  const auto direct = Scrape(uncached.Port(), 1, uncached_scrapes);
  api.Stop();
  uncached.Stop();
  if (!cached.ok() || !direct.ok()) {
    fmt::print(stderr, "FAILED: scraping: {}\n",
               (cached.ok() ? direct.status() : cached.status()).ToString());
    return 1;
  }

  std::map<SyncState, std::int64_t> by_state;
  std::map<ConfirmationState, std::int64_t> outbox;
  std::size_t open_exceptions = 0;
  std::size_t audited = 0;
  {
    auto tx = db.BeginReadOnly();
    if (tx.ok()) {
      by_state = (*tx)->CountOrdersBySyncState().value_or(decltype(by_state){});
      outbox = (*tx)->CountConfirmationsByState().value_or(decltype(outbox){});
      open_exceptions = (*tx)
                            ->ListExceptions({.open_only = true, .limit = 1000000})
                            .value_or(std::vector<store::HeldException>{})
                            .size();
      audited = (*tx)
                    ->ListOrderReleaseTimings(TimePoint{})
                    .value_or(std::vector<std::pair<TimePoint, TimePoint>>{})
                    .size();
    }
  }
  std::string states;
  for (const auto& [state, count] : by_state) {
    states +=
        fmt::format("{}{} {}", states.empty() ? "" : ", ", store::SyncStateName(state), count);
  }
  std::string entries;
  for (const auto& [state, count] : outbox) {
    entries += fmt::format("{}{} {}", entries.empty() ? "" : ", ",
                           store::ConfirmationStateName(state), count);
  }
  if (print_body) {
    fmt::print("{}\n", cached->body);
  }
  fmt::print("metrics scrape benchmark: {} orders in a SQLite store, seed {}\n", orders, seed);
  fmt::print("  seeded in {:.1f} s ({} events): {}\n", seed_seconds, events.size(), states);
  fmt::print("  outbox: {}; {} orders sent to Clarus (audited); {} open exceptions\n", entries,
             audited, open_exceptions);
  fmt::print("  RefreshMetrics (the \"metrics\" job, every 15 s): {:.1f} ms\n", refresh_ms);
  const auto line = [](const char* what, const Scrapes& s) {
    fmt::print(
        "  {:<34} {:>5} scrapes  p50 {:8.3f}  p90 {:8.3f}  p99 {:8.3f}  max {:8.3f} ms  body {} "
        "bytes\n",
        what, s.ms.size(), s.Percentile(50), s.Percentile(90), s.Percentile(99), s.ms.back(),
        s.body.size());
  };
  line("GET /metrics, refreshed (cached)", *cached);
  line("GET /metrics, never refreshed", *direct);
  fmt::print("  never refreshed / refreshed, p50: {:.0f}x\n",
             direct->Percentile(50) / cached->Percentile(50));
  const double p99 = cached->Percentile(99);
  const bool pass = p99 < kBarMs;
  fmt::print("  p99 {:.3f} ms: {} vs {:.0f} ms\n", p99, pass ? "PASS" : "FAIL", kBarMs);
  return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // CLI11, std::filesystem and fmt report failures by throwing.
  try {
    int orders = 100000;
    int scrapes = 2000;
    int warmup = 100;
    int uncached_scrapes = 20;
    std::uint64_t seed = 1;
    CLI::App app{"Times GET /metrics over loopback with a store of orders (see bench/RESULTS.md)."};
    app.add_option("--orders", orders, "Orders in the store")->check(CLI::Range(100, 1000000));
    app.add_option("--scrapes", scrapes, "Timed scrapes of the refreshed server")
        ->check(CLI::Range(1, 1000000));
    app.add_option("--warmup", warmup, "Untimed scrapes first")->check(CLI::Range(0, 100000));
    app.add_option("--uncached-scrapes", uncached_scrapes,
                   "Timed scrapes of a server never refreshed (each reads the store)")
        ->check(CLI::Range(1, 10000));
    app.add_option("--seed", seed, "Seed of the orders drawn");
    bool print_body = false;
    app.add_flag("--print-body", print_body, "Print the last body scraped");
    CLI11_PARSE(app, argc, argv);
    spdlog::set_level(spdlog::level::warn);

    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      fmt::format("sellerbridge-metrics-bench-{}", ::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const int exit_code = Run(orders, scrapes, warmup, uncached_scrapes, seed, print_body, dir);
    std::filesystem::remove_all(dir);
    return exit_code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "FAILED: {}\n", e.what());
    return 1;
  }
}
