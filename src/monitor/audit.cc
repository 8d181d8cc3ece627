#include "monitor/audit.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/redact.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "domain/stock_policy.h"
#include "sync/confirmer.h"
#include "sync/stock_sync.h"

namespace sellerbridge::monitor {
namespace {

using std::chrono::duration_cast;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using store::SyncState;

// ListOrders and ListConfirmations need a limit; the audit wants every row.
constexpr int kAllRows = 1'000'000;
// Stored error texts are cut to this many characters in a finding.
constexpr std::size_t kErrorChars = 160;

// "45 s", "90 s", "12 min", "3 h 20 min", "4 days": ages for a person, not a parser.
std::string Human(Duration d) {
  if (d < Duration::zero()) {
    d = -d;
  }
  const auto total_minutes = duration_cast<minutes>(d).count();
  if (total_minutes < 2) {
    return fmt::format("{} s", duration_cast<seconds>(d).count());
  }
  if (total_minutes < 60) {
    return fmt::format("{} min", total_minutes);
  }
  const auto total_hours = total_minutes / 60;
  if (total_hours < 48) {
    const auto rest = total_minutes % 60;
    return rest == 0 ? fmt::format("{} h", total_hours)
                     : fmt::format("{} h {} min", total_hours, rest);
  }
  return fmt::format("{} days", total_hours / 24);
}

std::string Date(TimePoint t) { return FormatIso8601(t).substr(0, 10); }

std::string Plural(std::int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// A stored error text, safe and short enough for one line of the report: the
// daemon records what remote systems answered, which must not carry a secret
// or buyer data into the report.
std::string ErrorText(std::string_view text) {
  std::string out = Redact(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  if (out.size() > kErrorChars) {
    out = out.substr(0, kErrorChars) + "…";
  }
  return out;
}

// Whether the order still has to leave the warehouse through us.
bool IsOpen(const store::StoredOrder& order) {
  switch (order.sync.state) {
    case SyncState::kNew:
    case SyncState::kHeld:
    case SyncState::kSentToClarus:
    case SyncState::kUpdatePending:
      return order.order->status != domain::OrderStatus::kCancelled &&
             order.order->status != domain::OrderStatus::kShipped;
    case SyncState::kCancelled:
    case SyncState::kDispatched:
    case SyncState::kClosed:
      return false;
  }
  return false;
}

AuditSeverity DeadlineSeverity(std::optional<TimePoint> latest_ship_date, TimePoint now) {
  return latest_ship_date && *latest_ship_date - now <= kShipDateCriticalWithin
             ? AuditSeverity::kCritical
             : AuditSeverity::kWarning;
}

// "; its latest ship date passed 3 h ago" or "; its latest ship date is in 1 h 20 min", or
// nothing.
std::string DeadlineText(std::optional<TimePoint> latest_ship_date, TimePoint now) {
  if (!latest_ship_date) {
    return "";
  }
  if (*latest_ship_date <= now) {
    return fmt::format("; its latest ship date passed {} ago", Human(now - *latest_ship_date));
  }
  return fmt::format("; its latest ship date is in {}", Human(*latest_ship_date - now));
}

using KeyTuple = std::tuple<std::string, std::string, std::string, std::string, bool>;

KeyTuple Tuple(const store::ShipMethodKey& key) {
  return {key.marketplace_id, key.ship_service_level, key.automated_carrier,
          key.automated_ship_method, key.is_prime};
}

// As domain::ShipMethodMapping::Key() writes a mapping's key, so that the
// finding names the mapping to add.
std::string DisplayKey(const store::ShipMethodKey& key) {
  const std::string prime = key.is_prime ? "prime" : "standard";
  const bool automated = !key.automated_carrier.empty() || !key.automated_ship_method.empty();
  if (key.ship_service_level.empty()) {
    return fmt::format("{} / {} {} / {}", key.marketplace_id, key.automated_carrier,
                       key.automated_ship_method, prime);
  }
  if (automated) {
    return fmt::format("{} / {} / {} (automation: {} {})", key.marketplace_id,
                       key.ship_service_level, prime, key.automated_carrier,
                       key.automated_ship_method);
  }
  return fmt::format("{} / {} / {}", key.marketplace_id, key.ship_service_level, prime);
}

std::optional<TimePoint> JsonTime(const nlohmann::json& object, const char* key,
                                  std::string* problem) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_string()) {
    *problem = fmt::format("\"{}\" is not a date-time", key);
    return std::nullopt;
  }
  Result<TimePoint> parsed = ParseIso8601(it->get<std::string>());
  if (!parsed.ok()) {
    *problem = fmt::format("\"{}\": {}", key, parsed.status().message());
    return std::nullopt;
  }
  return *parsed;
}

std::int64_t JsonInt(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string JsonString(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// One pass over the store, adding findings as the checks go.
class Auditor {
 public:
  Auditor(store::Transaction& tx, const config::Config& config, const AuditOptions& options,
          TimePoint now)
      : tx_(tx), config_(config), options_(options), now_(now) {}

  Result<AuditReport> Run() {
    ASSIGN_OR_RETURN(recent_,
                     tx_.ListOrders({.updated_since = now_ - kAuditLookback, .limit = kAllRows}));
    std::erase_if(recent_, [this](const store::StoredOrder& order) {
      return order.order->purchase_date < now_ - kAuditLookback;
    });
    RETURN_IF_ERROR(ShipMethods());
    if (config_.stock.enabled) {
      RETURN_IF_ERROR(Skus());
    } else {
      for (const AuditCheck check : {AuditCheck::kSkusUnknownInClarus, AuditCheck::kSkusNotOnAmazon,
                                     AuditCheck::kStaleStock}) {
        report_.skipped.push_back(
            {check,
             "stock publishing is disabled ([stock] enabled = false): the store holds no "
             "Clarus stock levels"});
      }
    }
    RETURN_IF_ERROR(Orders());
    RETURN_IF_ERROR(Confirmations());
    RETURN_IF_ERROR(StockFeeds());
    RETURN_IF_ERROR(Credentials());
    RETURN_IF_ERROR(Schedules());
    report_.at = now_;
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [](const AuditFinding& a, const AuditFinding& b) {
                       return std::tie(a.severity, a.check, a.subject) <
                              std::tie(b.severity, b.check, b.subject);
                     });
    return std::move(report_);
  }

 private:
  void Add(AuditCheck check, AuditSeverity severity, std::string subject, std::string problem,
           std::string fix) {
    report_.findings.push_back({.check = check,
                                .severity = severity,
                                .subject = std::move(subject),
                                .problem = std::move(problem),
                                .fix = std::move(fix)});
  }

  Status ShipMethods() {
    struct Group {
      store::ShipMethodKey key;
      std::int64_t orders = 0;
      std::int64_t open = 0;
    };
    std::map<KeyTuple, Group> groups;
    for (const store::StoredOrder& order : recent_) {
      const store::ShipMethodKey key = store::KeyOf(order.order);
      Group& group = groups[Tuple(key)];
      group.key = key;
      ++group.orders;
      group.open += IsOpen(order) ? 1 : 0;
    }
    for (const auto& [tuple, group] : groups) {
      ASSIGN_OR_RETURN(const std::optional<domain::ShipMethodMapping> mapping,
                       tx_.FindShipMethodMapping(group.key));
      if (mapping) {
        continue;
      }
      Add(AuditCheck::kUnmappedShipMethods,
          group.open > 0 ? AuditSeverity::kCritical : AuditSeverity::kWarning,
          DisplayKey(group.key),
          fmt::format("{} in the last {} days asked for this ship method and no mapping says how "
                      "to ship it; {}",
                      Plural(group.orders, "order", "orders"),
                      duration_cast<hours>(kAuditLookback).count() / 24,
                      group.open > 0 ? fmt::format("{} still open and held until it is mapped",
                                                   Plural(group.open, "is", "are"))
                                     : "none of them is still open"),
          "add a mapping to a Clarus carrier and service and an Amazon carrier code "
          "(`sellerbridge mapping import`, see docs/mappings.md); held orders then go on");
    }
    return Status::Ok();
  }

  Status Skus() {
    ASSIGN_OR_RETURN(const std::vector<domain::StockLevel> levels, tx_.ListStockLevels());
    ASSIGN_OR_RETURN(const std::vector<store::StockPublication> publications,
                     tx_.ListLatestStockPublications());
    std::map<std::string, const domain::StockLevel*> level_of;
    for (const domain::StockLevel& level : levels) {
      level_of[level->sku] = &level;
    }
    std::map<std::string, std::vector<const store::StockPublication*>> published;
    for (const store::StockPublication& publication : publications) {
      published[publication.sku].push_back(&publication);
    }

    // Amazon's side: SKUs in order lines and published listings.
    struct Demand {
      std::int64_t orders = 0;
      std::int64_t open = 0;
    };
    std::map<std::string, Demand> ordered;
    for (const store::StoredOrder& order : recent_) {
      std::set<std::string> skus;
      for (const domain::OrderLine& line : order.order->lines) {
        skus.insert(line.sku);
      }
      for (const std::string& sku : skus) {
        ++ordered[sku].orders;
        ordered[sku].open += IsOpen(order) ? 1 : 0;
      }
    }
    std::set<std::string> amazon_skus;
    for (const auto& [sku, demand] : ordered) {
      amazon_skus.insert(sku);
    }
    for (const auto& [sku, list] : published) {
      amazon_skus.insert(sku);
    }
    for (const std::string& sku : amazon_skus) {
      if (level_of.contains(sku)) {
        continue;
      }
      const Demand demand = ordered.contains(sku) ? ordered[sku] : Demand{};
      const store::StockPublication* last = nullptr;
      if (published.contains(sku)) {
        for (const store::StockPublication* publication : published[sku]) {
          if (last == nullptr || publication->published_at > last->published_at) {
            last = publication;
          }
        }
      }
      std::vector<std::string> seen;
      if (demand.orders > 0) {
        seen.push_back(fmt::format("{} in the last {} days, {} open",
                                   Plural(demand.orders, "order", "orders"),
                                   duration_cast<hours>(kAuditLookback).count() / 24, demand.open));
      }
      if (last != nullptr) {
        seen.push_back(fmt::format("last published to Amazon as {} on {}", last->quantity,
                                   FormatIso8601(last->published_at)));
      }
      const bool critical = demand.open > 0 || (last != nullptr && last->quantity > 0);
      Add(AuditCheck::kSkusUnknownInClarus,
          critical ? AuditSeverity::kCritical : AuditSeverity::kWarning, sku,
          fmt::format("Amazon knows this SKU ({}) but Clarus has no stock of it under this SKU{}",
                      fmt::join(seen, "; "),
                      last != nullptr && last->quantity > 0
                          ? ": Amazon can sell units the warehouse does not hold"
                          : ""),
          "create the product in Clarus with exactly this SKU, or correct the SKU of the Amazon "
          "listing so that both match");
    }

    // Clarus's side, and stale quantities.
    ASSIGN_OR_RETURN(const auto units_ordered,
                     tx_.CountUnitsOrderedBySku(now_ - config_.stock.velocity_window));
    const domain::StockPolicies policies(config_.stock.default_policy, config_.stock.rules);
    for (const domain::StockLevel& level : levels) {
      const Duration age = now_ - level->observed_at;
      if (!published.contains(level->sku)) {
        if (level.Sellable() > 0 && age > kStaleStockTarget) {
          Add(AuditCheck::kSkusNotOnAmazon, AuditSeverity::kWarning, level->sku,
              fmt::format("Clarus has {} available (seen {} ago) but no quantity was ever "
                          "published to Amazon for this SKU",
                          level->available, Human(age)),
              "create the Amazon listing with exactly this seller SKU, or look for a refusal in "
              "`sellerbridge exceptions list --kind stock`");
        }
        continue;
      }
      if (age <= kStaleStockTarget) {
        continue;
      }
      const auto sold = units_ordered.find(level->sku);
      const std::int64_t expected =
          ExpectedQuantity(policies, level, sold == units_ordered.end() ? 0 : sold->second);
      std::vector<std::string> lagging;
      for (const store::StockPublication* publication : published[level->sku]) {
        if (level->observed_at > publication->changed_at && publication->quantity != expected) {
          lagging.push_back(fmt::format("{} in {}", publication->quantity,
                                        publication->marketplace_id.empty()
                                            ? "every marketplace"
                                            : publication->marketplace_id));
        }
      }
      if (lagging.empty()) {
        continue;
      }
      Add(AuditCheck::kStaleStock,
          age > kStaleStockCritical ? AuditSeverity::kCritical : AuditSeverity::kWarning,
          level->sku,
          fmt::format("Clarus changed to {} available {} ago; Amazon still lists {} where the "
                      "stock policy now lists {}",
                      level->available, Human(age), fmt::join(lagging, ", "), expected),
          "check that the stock jobs run (see slow schedules) and the stock exceptions "
          "(`sellerbridge exceptions list --kind stock`); the next publishing pass sends it");
    }
    return Status::Ok();
  }

  // The quantity the stock flow lists for `level`, with the policy applied as
  // sync::StockSync applies it. The velocity comes from the units ordered over
  // the velocity window, where the stock flow counts what left Clarus's stock:
  // the same demand seen from Amazon's side.
  std::int64_t ExpectedQuantity(const domain::StockPolicies& policies,
                                const domain::StockLevel& level, std::int64_t units) const {
    const config::StockConfig& stock = config_.stock;
    const double window_hours =
        std::chrono::duration<double, std::ratio<3600>>(stock.velocity_window).count();
    const double units_per_hour = window_hours > 0 ? static_cast<double>(units) / window_hours : 0;
    domain::VelocityClass velocity_class = domain::VelocityClass::kC;
    Duration cadence = stock.cadence_c;
    if (units_per_hour >= stock.class_a_units_per_hour) {
      velocity_class = domain::VelocityClass::kA;
      cadence = stock.cadence_a;
    } else if (units_per_hour > 0) {
      velocity_class = domain::VelocityClass::kB;
      cadence = stock.cadence_b;
    }
    const sync::StockSyncOptions defaults;
    return domain::ListedQuantity(
        policies.For(level->sku, velocity_class), level->available,
        {.units_per_hour = units_per_hour,
         .publish_latency = cadence + defaults.amazon_processing + defaults.sale_to_warehouse});
  }

  Status Orders() {
    for (const SyncState state :
         {SyncState::kNew, SyncState::kHeld, SyncState::kSentToClarus, SyncState::kUpdatePending}) {
      ASSIGN_OR_RETURN(const std::vector<store::StoredOrder> orders,
                       tx_.ListOrders({.sync_state = state, .limit = kAllRows}));
      for (const store::StoredOrder& order : orders) {
        StuckOrder(order);
      }
    }
    // Dispatched orders whose confirmation never left the outbox.
    ASSIGN_OR_RETURN(
        const std::vector<store::OutboxEntry> pending,
        tx_.ListConfirmations({.state = store::ConfirmationState::kPending, .limit = kAllRows}));
    std::map<std::string, std::vector<const store::OutboxEntry*>> by_order;
    for (const store::OutboxEntry& entry : pending) {
      if (now_ - entry.created_at > kUnconfirmedStuckAfter) {
        by_order[entry.amazon_order_id].push_back(&entry);
      }
    }
    for (const auto& [order_id, entries] : by_order) {
      const store::OutboxEntry& first = *entries.front();  // Earliest deadline first.
      Add(AuditCheck::kStuckOrders, DeadlineSeverity(first.deadline, now_), order_id,
          fmt::format(
              "dispatched by Clarus {} ago but Amazon has not accepted its shipment "
              "confirmation ({} waiting, {} attempts so far{}){}",
              Human(now_ - first.created_at), Plural(std::ssize(entries), "parcel", "parcels"),
              first.attempts,
              first.last_error.empty() ? "" : ", last error: " + ErrorText(first.last_error),
              DeadlineText(first.deadline, now_)),
          "check that the confirmer runs (see slow schedules) and Amazon's answers in the log; "
          "until Amazon accepts it the order counts as shipped late");
    }
    return Status::Ok();
  }

  void StuckOrder(const store::StoredOrder& stored) {
    const domain::OrderData& order = *stored.order;
    const Duration in_state = now_ - stored.sync.updated_at;
    const bool past_ship_date = order.latest_ship_date && *order.latest_ship_date <= now_;
    const AuditSeverity severity = DeadlineSeverity(order.latest_ship_date, now_);
    const std::string deadline = DeadlineText(order.latest_ship_date, now_);
    switch (stored.sync.state) {
      case SyncState::kNew:
        if (in_state > kNewOrderStuckAfter) {
          Add(AuditCheck::kStuckOrders, severity, order.amazon_order_id,
              fmt::format("imported {} ago and still not checked or sent to Clarus{}",
                          Human(in_state), deadline),
              "check that the order import runs (see slow schedules) and its errors in the log");
        }
        return;
      case SyncState::kHeld:
        if (in_state > kHeldOrderStuckAfter || past_ship_date) {
          Add(AuditCheck::kStuckOrders, severity, order.amazon_order_id,
              fmt::format("held for a person for {}{}", Human(in_state), deadline),
              "see why with `sellerbridge exceptions list --kind order`, fix the cause (a "
              "mapping, a SKU), then `sellerbridge exceptions retry ID`; or cancel it on Amazon");
        }
        return;
      case SyncState::kSentToClarus:
        if (past_ship_date) {
          Add(AuditCheck::kStuckOrders, severity, order.amazon_order_id,
              fmt::format("in Clarus as goods-out {} for {} and not dispatched{}",
                          stored.sync.clarus_goods_out_id.empty() ? "(id unknown)"
                                                                  : stored.sync.clarus_goods_out_id,
                          Human(in_state), deadline),
              "pick, pack and dispatch it in Clarus now, or cancel it on Amazon if it cannot "
              "ship");
        }
        return;
      case SyncState::kUpdatePending:
        if (in_state > kUpdatePendingStuckAfter) {
          Add(AuditCheck::kStuckOrders, severity, order.amazon_order_id,
              fmt::format("Amazon changed the order (cancelled or new address) {} ago and its "
                          "Clarus goods-out {} has not followed{}",
                          Human(in_state), stored.sync.clarus_goods_out_id, deadline),
              "update or cancel the goods-out in Clarus by hand if Clarus no longer allows it, "
              "then check `sellerbridge exceptions list`");
        }
        return;
      case SyncState::kCancelled:
      case SyncState::kDispatched:
      case SyncState::kClosed:
        return;
    }
  }

  Status Confirmations() {
    ASSIGN_OR_RETURN(
        const std::vector<store::OutboxEntry> failed,
        tx_.ListConfirmations({.state = store::ConfirmationState::kFailed, .limit = kAllRows}));
    for (const store::OutboxEntry& entry : failed) {
      Add(AuditCheck::kStuckConfirmations, DeadlineSeverity(entry.deadline, now_),
          entry.amazon_order_id,
          fmt::format("Amazon refused the shipment confirmation of parcel {} (outbox entry {}){}{}",
                      entry.parcel.package_reference_id, entry.id,
                      entry.last_error.empty() ? "" : ": " + ErrorText(entry.last_error),
                      DeadlineText(entry.deadline, now_)),
          "see it with `sellerbridge exceptions list --kind confirmation`, correct the tracking "
          "number (`exceptions edit ID --tracking …`) or the mapping, or `exceptions retry ID`");
    }
    ASSIGN_OR_RETURN(
        const std::vector<store::OutboxEntry> sending,
        tx_.ListConfirmations({.state = store::ConfirmationState::kSending, .limit = kAllRows}));
    // The outbox keeps no "sending since": the confirmer sets next_attempt_at
    // to the moment it sent plus how long it waits for the outcome.
    const sync::ConfirmerOptions confirmer;
    for (const store::OutboxEntry& entry : sending) {
      const Duration wait = entry.transport == store::ConfirmationTransport::kFeed
                                ? confirmer.feed_stuck_after
                                : confirmer.sending_timeout;
      const Duration sending_for = now_ - (entry.next_attempt_at - wait);
      if (sending_for <= kSendingStuckAfter) {
        continue;
      }
      Add(AuditCheck::kStuckConfirmations, DeadlineSeverity(entry.deadline, now_),
          entry.amazon_order_id,
          fmt::format("the shipment confirmation of parcel {} (outbox entry {}) was sent{} {} ago "
                      "and its outcome is still unknown{}",
                      entry.parcel.package_reference_id, entry.id,
                      entry.transport == store::ConfirmationTransport::kFeed
                          ? " in feed " + entry.feed_id
                          : "",
                      Human(sending_for), DeadlineText(entry.deadline, now_)),
          "check that the confirmer and verifier run (see slow schedules); the order is read "
          "back from Amazon to settle it");
    }
    return Status::Ok();
  }

  Status StockFeeds() {
    ASSIGN_OR_RETURN(const std::vector<store::StockFeed> feeds, tx_.ListOpenStockFeeds());
    const Duration stuck_after = config_.stock.feed_stuck_after;
    for (const store::StockFeed& feed : feeds) {
      const Duration open_for = now_ - feed.submitted_at;
      if (open_for <= stuck_after) {
        continue;
      }
      Add(AuditCheck::kStuckStockFeeds,
          open_for > 2 * stuck_after ? AuditSeverity::kCritical : AuditSeverity::kWarning,
          "feed " + feed.feed_id,
          fmt::format("a stock feed of {} was submitted {} ago and Amazon has not finished it "
                      "({}); those listings may show old quantities",
                      Plural(feed.messages, "quantity", "quantities"), Human(open_for),
                      feed.status),
          "check that the stock publishing job runs (see slow schedules): it gives up a stuck "
          "feed and sends its quantities one by one; look the feed up in Seller Central");
    }
    return Status::Ok();
  }

  Status Credentials() {
    for (const char* system_name : {"amazon", "clarus"}) {
      const std::string system = system_name;
      const std::optional<std::chrono::year_month_day>& configured =
          system == "amazon" ? config_.amazon.client_secret_expires
                             : config_.clarus.client_secret_expires;
      std::optional<TimePoint> expires;
      if (configured) {
        expires = TimePoint{std::chrono::sys_days{*configured}};
      }
      ASSIGN_OR_RETURN(const std::optional<store::Watermark> watermark,
                       tx_.FindWatermark("credential:" + system));
      if (watermark) {
        const nlohmann::json record = nlohmann::json::parse(watermark->value, nullptr, false);
        std::string problem;
        std::optional<TimePoint> ok;
        std::optional<TimePoint> failed;
        std::optional<TimePoint> recorded_expiry;
        if (record.is_object()) {
          ok = JsonTime(record, "last_refresh_ok", &problem);
          failed = JsonTime(record, "last_failure", &problem);
          recorded_expiry = JsonTime(record, "expires_at", &problem);
        } else {
          problem = "it is not a JSON object";
        }
        if (!problem.empty()) {
          Add(AuditCheck::kCredentials, AuditSeverity::kWarning, system + " credentials",
              fmt::format("the daemon's record of {} token refreshes cannot be read: {}", system,
                          problem),
              "let the daemon refresh its token again (restart it); report it if it stays");
        }
        if (failed && (!ok || *failed > *ok)) {
          const std::string error = JsonString(record, "last_error");
          Add(AuditCheck::kCredentials, AuditSeverity::kCritical, system + " credentials",
              fmt::format(
                  "the last token refresh failed {} ago{}; {}", Human(now_ - *failed),
                  error.empty() ? "" : " (" + ErrorText(error) + ")",
                  ok ? "the last success was " + Human(now_ - *ok) + " ago" : "none has succeeded"),
              fmt::format("check the {} client id, secret{} in the configuration or environment, "
                          "and that the account is still authorised; sellerbridge cannot call {} "
                          "until a refresh works",
                          system, system == "amazon" ? " and refresh token" : "",
                          system == "amazon" ? "Amazon" : "Clarus"));
        }
        if (recorded_expiry) {
          expires = expires ? std::min(*expires, *recorded_expiry) : *recorded_expiry;
        }
      }
      if (!expires || *expires - now_ > kCredentialWarnWithin) {
        continue;
      }
      const bool past = *expires <= now_;
      Add(AuditCheck::kCredentials,
          *expires - now_ <= kCredentialCriticalWithin ? AuditSeverity::kCritical
                                                       : AuditSeverity::kWarning,
          system + " client secret",
          past ? fmt::format("expired on {}: calls to {} fail", Date(*expires), system)
               : fmt::format("expires on {}, in {}", Date(*expires), Human(*expires - now_)),
          system == "amazon"
              ? "rotate the LWA client secret in the Developer Console, set it in [amazon] "
                "client_secret (or SELLERBRIDGE_AMAZON_CLIENT_SECRET) with its new "
                "client_secret_expires, and restart"
              : "issue a new client secret for the API user in Clarus, set it in [clarus] "
                "client_secret (or SELLERBRIDGE_CLARUS_CLIENT_SECRET) with its new "
                "client_secret_expires, and restart");
    }
    return Status::Ok();
  }

  Status Schedules() {
    for (const std::string& job : options_.jobs) {
      ASSIGN_OR_RETURN(const std::optional<store::Watermark> watermark,
                       tx_.FindWatermark("job:" + job));
      if (!watermark) {
        continue;
      }
      const std::string subject = "job " + job;
      const nlohmann::json record = nlohmann::json::parse(watermark->value, nullptr, false);
      std::string problem;
      std::optional<TimePoint> started;
      std::optional<TimePoint> succeeded;
      std::int64_t cadence_seconds = 0;
      if (record.is_object()) {
        cadence_seconds = JsonInt(record, "cadence_seconds");
        started = JsonTime(record, "last_started", &problem);
        succeeded = JsonTime(record, "last_succeeded", &problem);
        if (cadence_seconds <= 0) {
          problem = "\"cadence_seconds\" is missing or not positive";
        }
      } else {
        problem = "it is not a JSON object";
      }
      if (!problem.empty()) {
        Add(AuditCheck::kSlowSchedules, AuditSeverity::kWarning, subject,
            fmt::format("the daemon's record of this job cannot be read: {}", problem),
            "restart the daemon so that it records the job again; report it if it stays");
        continue;
      }
      const Duration cadence = seconds{cadence_seconds};
      const Duration missed = kJobMissedCadences * cadence;
      const std::string error = JsonString(record, "last_error");
      const std::string error_text = error.empty() ? "" : "; last error: " + ErrorText(error);
      if (succeeded ? now_ - *succeeded > missed : started && now_ - *started > missed) {
        Add(AuditCheck::kSlowSchedules, AuditSeverity::kCritical, subject,
            succeeded
                ? fmt::format("last succeeded {} ago, though it should run every {}{}",
                              Human(now_ - *succeeded), Human(cadence), error_text)
                : fmt::format("has never succeeded since it started {} ago (it should run every "
                              "{}){}",
                              Human(now_ - *started), Human(cadence), error_text),
            "check that the daemon is running and read the job's errors in its log; the work "
            "it does is waiting meanwhile");
        continue;
      }
      const std::int64_t duration_ms = JsonInt(record, "last_duration_ms");
      if (std::chrono::milliseconds{duration_ms} > cadence) {
        Add(AuditCheck::kSlowSchedules, AuditSeverity::kWarning, subject,
            fmt::format("the last run took {}, longer than its cadence of {}: it falls behind",
                        Human(std::chrono::milliseconds{duration_ms}), Human(cadence)),
            "find what slows it in the log (Amazon quota, Clarus response times, a large "
            "backlog) or give it a longer cadence in [schedules]");
      }
    }
    return Status::Ok();
  }

  store::Transaction& tx_;
  const config::Config& config_;
  const AuditOptions& options_;
  const TimePoint now_;
  std::vector<store::StoredOrder> recent_;  // Purchased within kAuditLookback.
  AuditReport report_;
};

std::string_view VerdictName(const AuditReport& report) {
  if (report.HasCritical()) {
    return "critical";
  }
  return report.findings.empty() ? "ok" : "warning";
}

}  // namespace

std::string_view AuditSeverityName(AuditSeverity severity) {
  return severity == AuditSeverity::kCritical ? "critical" : "warning";
}

std::string_view AuditCheckName(AuditCheck check) {
  switch (check) {
    case AuditCheck::kUnmappedShipMethods:
      return "unmapped_ship_methods";
    case AuditCheck::kSkusUnknownInClarus:
      return "skus_unknown_in_clarus";
    case AuditCheck::kSkusNotOnAmazon:
      return "skus_not_on_amazon";
    case AuditCheck::kStaleStock:
      return "stale_stock";
    case AuditCheck::kStuckOrders:
      return "stuck_orders";
    case AuditCheck::kStuckConfirmations:
      return "stuck_confirmations";
    case AuditCheck::kStuckStockFeeds:
      return "stuck_stock_feeds";
    case AuditCheck::kCredentials:
      return "credentials";
    case AuditCheck::kSlowSchedules:
      return "slow_schedules";
  }
  return "unknown";
}

std::string_view AuditCheckTitle(AuditCheck check) {
  switch (check) {
    case AuditCheck::kUnmappedShipMethods:
      return "Ship methods without a mapping";
    case AuditCheck::kSkusUnknownInClarus:
      return "Amazon SKUs unknown in Clarus";
    case AuditCheck::kSkusNotOnAmazon:
      return "Clarus SKUs never published to Amazon";
    case AuditCheck::kStaleStock:
      return "SKUs with stale stock on Amazon";
    case AuditCheck::kStuckOrders:
      return "Orders stuck";
    case AuditCheck::kStuckConfirmations:
      return "Shipment confirmations stuck";
    case AuditCheck::kStuckStockFeeds:
      return "Stock feeds stuck";
    case AuditCheck::kCredentials:
      return "Credentials";
    case AuditCheck::kSlowSchedules:
      return "Schedules slower than their targets";
  }
  return "Unknown";
}

std::vector<AuditCheck> AllAuditChecks() {
  std::vector<AuditCheck> checks;
  checks.reserve(kAuditChecks);
  for (int i = 0; i < kAuditChecks; ++i) {
    checks.push_back(static_cast<AuditCheck>(i));
  }
  return checks;
}

std::vector<std::string> DaemonJobNames() {
  return {"order_import",   "confirmer",      "verifier",      "dispatch_hints", "dispatch_sweep",
          "stock_snapshot", "stock_changes",  "stock_publish", "stock_drift",    "settlements",
          "monitor",        "account_health", "metrics",       "retention"};
}

std::int64_t AuditReport::Count(AuditSeverity severity) const {
  return std::count_if(findings.begin(), findings.end(),
                       [severity](const AuditFinding& f) { return f.severity == severity; });
}

Result<AuditReport> RunAudit(store::Transaction& tx, const config::Config& config,
                             const AuditOptions& options, TimePoint now) {
  return Auditor(tx, config, options, now).Run();
}

std::string FormatAuditReport(const AuditReport& report) {
  const std::int64_t critical = report.Count(AuditSeverity::kCritical);
  const std::int64_t warnings = report.Count(AuditSeverity::kWarning);
  std::string out =
      fmt::format("sellerbridge audit at {}: {} critical, {}\n", FormatIso8601(report.at), critical,
                  Plural(warnings, "warning", "warnings"));
  for (const AuditSeverity severity : {AuditSeverity::kCritical, AuditSeverity::kWarning}) {
    const std::int64_t count = report.Count(severity);
    if (count == 0) {
      continue;
    }
    out += fmt::format("\n{} ({})\n", severity == AuditSeverity::kCritical ? "CRITICAL" : "WARNING",
                       count);
    for (const AuditCheck check : AllAuditChecks()) {
      std::vector<const AuditFinding*> group;
      for (const AuditFinding& finding : report.findings) {
        if (finding.severity == severity && finding.check == check) {
          group.push_back(&finding);
        }
      }
      if (group.empty()) {
        continue;
      }
      out += fmt::format("  {} ({})\n", AuditCheckTitle(check), group.size());
      for (const AuditFinding* finding : group) {
        out += fmt::format("    - {}: {}\n      fix: {}\n", finding->subject, finding->problem,
                           finding->fix);
      }
    }
  }
  std::vector<std::string_view> clean;
  for (const AuditCheck check : AllAuditChecks()) {
    const bool skipped = std::any_of(report.skipped.begin(), report.skipped.end(),
                                     [check](const SkippedCheck& s) { return s.check == check; });
    const bool found = std::any_of(report.findings.begin(), report.findings.end(),
                                   [check](const AuditFinding& f) { return f.check == check; });
    if (!skipped && !found) {
      clean.push_back(AuditCheckTitle(check));
    }
  }
  out += "\n";
  if (!clean.empty()) {
    out += fmt::format("Nothing found: {}.\n", fmt::join(clean, "; "));
  }
  for (const SkippedCheck& skipped : report.skipped) {
    out += fmt::format("Not checked: {}: {}.\n", AuditCheckTitle(skipped.check), skipped.reason);
  }
  if (critical > 0) {
    out += fmt::format("Verdict: CRITICAL: {} need{} action now{}.\n",
                       Plural(critical, "finding", "findings"), critical == 1 ? "s" : "",
                       warnings > 0 ? fmt::format(", {} soon", warnings) : "");
  } else if (warnings > 0) {
    out += fmt::format("Verdict: WARNING: nothing critical; {} need{} action soon.\n",
                       Plural(warnings, "warning", "warnings"), warnings == 1 ? "s" : "");
  } else {
    out += "Verdict: OK: no gaps found.\n";
  }
  return out;
}

nlohmann::json AuditReportToJson(const AuditReport& report) {
  nlohmann::json checks = nlohmann::json::array();
  for (const AuditCheck check : AllAuditChecks()) {
    std::int64_t critical = 0;
    std::int64_t warnings = 0;
    for (const AuditFinding& finding : report.findings) {
      if (finding.check == check) {
        ++(finding.severity == AuditSeverity::kCritical ? critical : warnings);
      }
    }
    nlohmann::json entry = {{"check", AuditCheckName(check)},
                            {"title", AuditCheckTitle(check)},
                            {"critical", critical},
                            {"warnings", warnings}};
    const auto skipped = std::find_if(report.skipped.begin(), report.skipped.end(),
                                      [check](const SkippedCheck& s) { return s.check == check; });
    if (skipped != report.skipped.end()) {
      entry["status"] = "skipped";
      entry["reason"] = skipped->reason;
    } else {
      entry["status"] = critical > 0 ? "critical" : warnings > 0 ? "warning" : "ok";
    }
    checks.push_back(std::move(entry));
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const AuditFinding& finding : report.findings) {
    findings.push_back({{"check", AuditCheckName(finding.check)},
                        {"severity", AuditSeverityName(finding.severity)},
                        {"subject", finding.subject},
                        {"problem", finding.problem},
                        {"fix", finding.fix}});
  }
  return {{"at", FormatIso8601(report.at)},
          {"verdict", VerdictName(report)},
          {"critical", report.Count(AuditSeverity::kCritical)},
          {"warnings", report.Count(AuditSeverity::kWarning)},
          {"checks", std::move(checks)},
          {"findings", std::move(findings)}};
}

}  // namespace sellerbridge::monitor
