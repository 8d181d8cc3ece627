#include "sync/stock_sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::sync {
namespace {

constexpr std::string_view kStockKind = "stock";
constexpr std::string_view kJsonContentType = "application/json; charset=UTF-8";
constexpr std::size_t kFeedMessagesMax = 25'000;
constexpr std::size_t kStalenessSamples = 100'000;
// The lane latency feeding velocity buffers is the p95 of this many samples
// at least; before, the lane's cadence stands in.
constexpr std::size_t kLatencySamplesMin = 20;

StockLane ClassLane(domain::VelocityClass velocity_class) {
  switch (velocity_class) {
    case domain::VelocityClass::kA:
      return StockLane::kClassA;
    case domain::VelocityClass::kB:
      return StockLane::kClassB;
    case domain::VelocityClass::kC:
      break;
  }
  return StockLane::kClassC;
}

std::size_t Index(StockLane lane) { return static_cast<std::size_t>(lane); }

double Percentile(std::vector<double>& sorted, double share) {
  if (sorted.empty()) {
    return 0;
  }
  const auto rank = static_cast<std::size_t>(std::ceil(share * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string_view StockLaneName(StockLane lane) {
  switch (lane) {
    case StockLane::kFast:
      return "fast";
    case StockLane::kClassA:
      return "a";
    case StockLane::kClassB:
      return "b";
    case StockLane::kClassC:
      break;
  }
  return "c";
}

// One SKU in one marketplace (or the one unified quantity).
struct StockSync::Listing {
  enum class Where { kIdle, kWaiting, kReady, kDelayed, kSending };

  SkuState* sku = nullptr;
  std::string marketplace_id;
  bool has_target = false;
  std::int64_t target = 0;
  std::int64_t version = 0;  // Grows with every new target.
  // The Clarus change time of the oldest change not yet sent in the
  // listing's lane (or of the change that made it more urgent): the origin of
  // the staleness of the quantity that will carry it.
  std::optional<TimePoint> pending_since;
  StockLane lane = StockLane::kClassC;        // The lane it is queued or sent in.
  StockLane class_lane = StockLane::kClassC;  // Its velocity class's lane.
  Where where = Where::kIdle;
  bool requeue = false;  // Changed again while being sent.
  std::optional<std::int64_t> published;
  std::int64_t published_version = 0;
  TimePoint published_at;
  std::string feed_id;  // The unfinished feed carrying it, if any.
  TimePoint not_before;
  int attempts = 0;
};

struct StockSync::SkuState {
  std::string sku;
  std::int64_t available = 0;
  TimePoint changed_at;
  std::unordered_map<std::string, std::int64_t> balances;  // Balance id → available.
  std::deque<std::pair<TimePoint, std::int64_t>> outflow;  // Units that left stock, oldest first.
  double seeded_per_hour = 0;                              // From stored orders at start.
  TimePoint seeded_until;
  std::vector<std::unique_ptr<Listing>> listings;  // One per published marketplace.
};

struct StockSync::FeedInFlight {
  std::string feed_id;
  std::string marketplace_id;
  TimePoint submitted_at;
  TimePoint polled_at;
  struct Item {
    Listing* listing = nullptr;
    std::int64_t version = 0;
    std::int64_t quantity = 0;
    TimePoint changed_at;
    StockLane lane = StockLane::kClassC;
  };
  std::vector<Item> items;  // Message id i + 1.
};

StockSync::StockSync(StockSyncOptions options, store::Store* store, clarus::Tenant* tenant,
                     clarus::Stock* clarus, amazon::ListingsApi* listings, amazon::FeedsApi* feeds,
                     Clock* clock)
    : options_(std::move(options)),
      policies_(options_.stock.default_policy, options_.stock.rules),
      store_(store),
      tenant_(tenant),
      clarus_(clarus),
      listings_(listings),
      feeds_(feeds),
      clock_(clock) {
  const TimePoint now = clock_->Now();
  next_flush_.fill(now);
}

StockSync::~StockSync() = default;

Status StockSync::Load() {
  const TimePoint now = clock_->Now();
  ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
  ASSIGN_OR_RETURN(const std::vector<store::StockPublication> published,
                   tx->ListLatestStockPublications());
  ASSIGN_OR_RETURN(const auto ordered,
                   tx->CountUnitsOrderedBySku(now - options_.stock.velocity_window));
  ASSIGN_OR_RETURN(std::vector<store::StockFeed> open, tx->ListOpenStockFeeds());
  tx.reset();

  const double window_hours =
      std::chrono::duration<double, std::ratio<3600>>(options_.stock.velocity_window).count();
  std::lock_guard lock(mu_);
  for (const store::StockPublication& p : published) {
    SkuState& sku = SkuLocked(p.sku);
    Listing* listing = ListingLocked(sku, p.marketplace_id);
    if (listing == nullptr) {
      continue;  // A marketplace no longer published to.
    }
    listing->published = p.quantity;
    listing->published_at = p.published_at;
  }
  for (const auto& [sku_name, units] : ordered) {
    SkuState& sku = SkuLocked(sku_name);
    sku.seeded_per_hour = static_cast<double>(units) / window_hours;
    sku.seeded_until = now + options_.stock.velocity_window;
  }
  for (store::StockFeed& feed : open) {
    // Its listings carry no published quantity from it: the start-up
    // snapshot sends whatever differs again.
    feed.status = "ABANDONED";
    feed.finished_at = now;
    feed.problem = "sellerbridge restarted while the feed was open; its quantities were sent again";
    spdlog::warn("stock feed {}: left open by an earlier run; its listings are sent again",
                 feed.feed_id);
  }
  if (!open.empty()) {
    ASSIGN_OR_RETURN(auto write, store_->Begin());
    for (const store::StockFeed& feed : open) {
      RETURN_IF_ERROR(write->UpdateStockFeed(feed));
    }
    RETURN_IF_ERROR(write->Commit());
  }
  return Status::Ok();
}

StockSync::SkuState& StockSync::SkuLocked(const std::string& sku) {
  auto [it, inserted] = skus_.try_emplace(sku);
  if (inserted) {
    it->second = std::make_unique<SkuState>();
    it->second->sku = sku;
    for (const std::string& marketplace : options_.marketplaces) {
      auto listing = std::make_unique<Listing>();
      listing->sku = it->second.get();
      listing->marketplace_id = marketplace;
      all_listings_.push_back(listing.get());
      it->second->listings.push_back(std::move(listing));
    }
  }
  return *it->second;
}

StockSync::Listing* StockSync::ListingLocked(SkuState& sku, const std::string& marketplace_id) {
  for (const auto& listing : sku.listings) {
    if (listing->marketplace_id == marketplace_id) {
      return listing.get();
    }
  }
  return nullptr;
}

Status StockSync::ResolveScope() {
  std::lock_guard lock(scope_mu_);
  if (scope_) {
    return Status::Ok();
  }
  std::set<std::string> accounts;
  std::set<std::string> warehouses;
  for (const std::string& code : options_.account_codes) {
    ASSIGN_OR_RETURN(std::string id, tenant_->AccountId(code));
    accounts.insert(std::move(id));
  }
  for (const std::string& code : options_.warehouse_codes) {
    ASSIGN_OR_RETURN(std::string id, tenant_->WarehouseId(code));
    warehouses.insert(std::move(id));
  }
  scope_.emplace(std::move(accounts), std::move(warehouses));
  return Status::Ok();
}

bool StockSync::Counts(const clarus::StockBalance& balance) const {
  // Called with scope_ resolved (ResolveScope before every read).
  const auto& [accounts, warehouses] = *scope_;
  return (accounts.empty() || accounts.contains(balance.account_id)) &&
         (warehouses.empty() || warehouses.contains(balance.warehouse_id));
}

Result<StockPass> StockSync::Snapshot(const std::stop_token& stop) {
  RETURN_IF_ERROR(ResolveScope());
  const TimePoint started = clock_->Now();
  ASSIGN_OR_RETURN(const std::vector<clarus::StockBalance> balances,
                   clarus_->Snapshot(options_.clarus_page_size));
  if (stop.stop_requested()) {
    return CancelledError("stock snapshot: stopped before it was applied");
  }
  StockPass pass;
  std::vector<domain::StockLevel> levels;
  {
    std::lock_guard lock(mu_);
    pass.read = static_cast<int>(balances.size());
    pass.changed = ApplyLocked(balances, started, clock_->Now(), &levels);
    ++figures_.snapshots;
  }
  RETURN_IF_ERROR(SaveLevels(levels));
  spdlog::info("stock snapshot: {} balances read, {} listings to publish", pass.read, pass.changed);
  return pass;
}

Result<StockPass> StockSync::ReadChanges(const std::stop_token& stop) {
  std::optional<TimePoint> since;
  {
    std::lock_guard lock(mu_);
    since = watermark_;
  }
  if (!since) {
    return StockPass{};  // The first snapshot sets the watermark.
  }
  ASSIGN_OR_RETURN(const std::vector<clarus::StockBalance> balances,
                   clarus_->ChangedSince(FormatIso8601(*since - options_.change_overlap),
                                         options_.clarus_page_size));
  if (stop.stop_requested()) {
    return CancelledError("stock changes: stopped before they were applied");
  }
  StockPass pass;
  std::vector<domain::StockLevel> levels;
  {
    std::lock_guard lock(mu_);
    pass.read = static_cast<int>(balances.size());
    pass.changed = ApplyLocked(balances, std::nullopt, clock_->Now(), &levels);
  }
  RETURN_IF_ERROR(SaveLevels(levels));
  return pass;
}

int StockSync::ApplyLocked(const std::vector<clarus::StockBalance>& balances,
                           std::optional<TimePoint> snapshot_started, TimePoint now,
                           std::vector<domain::StockLevel>* levels) {
  if (!watched_since_) {
    watched_since_ = now;
  }
  std::unordered_set<SkuState*> touched;
  std::unordered_set<std::string> seen;
  for (const clarus::StockBalance& balance : balances) {
    if (!Counts(balance)) {
      continue;
    }
    const Result<TimePoint> updated_at = ParseIso8601(balance.updated_at);
    if (!updated_at.ok()) {
      spdlog::warn("stock balance {} ({}): updated_at {:?} is not a time; ignored", balance.id,
                   balance.sku, balance.updated_at);
      continue;
    }
    ++figures_.balances_read;
    seen.insert(balance.id);
    watermark_ = watermark_ ? std::max(*watermark_, *updated_at) : *updated_at;
    auto known = balances_.find(balance.id);
    if (known != balances_.end() && known->second.updated_at > *updated_at) {
      continue;  // Older than what is held: a slow read.
    }
    SkuState& sku = SkuLocked(balance.sku);
    if (known != balances_.end()) {
      const std::int64_t before = known->second.available;
      if (known->second.sku != balance.sku) {
        skus_.at(known->second.sku)->balances.erase(balance.id);
        touched.insert(skus_.at(known->second.sku).get());
      } else if (balance.available < before) {
        sku.outflow.emplace_back(*updated_at, before - balance.available);
        while (sku.outflow.front().first < now - options_.stock.velocity_window) {
          sku.outflow.pop_front();
        }
      }
      if (known->second.sku == balance.sku && before == balance.available) {
        known->second.updated_at = *updated_at;
        continue;
      }
    }
    balances_[balance.id] = {
        .sku = balance.sku, .available = balance.available, .updated_at = *updated_at};
    sku.balances[balance.id] = balance.available;
    sku.changed_at = std::max(sku.changed_at, *updated_at);
    touched.insert(&sku);
  }
  if (snapshot_started) {
    // A listing published by an earlier run whose SKU Clarus no longer
    // stocks at all has nothing to sell.
    for (const auto& [name, sku] : skus_) {
      if (sku->balances.empty() &&
          std::any_of(sku->listings.begin(), sku->listings.end(), [](const auto& listing) {
            return !listing->has_target && listing->published.value_or(0) > 0;
          })) {
        sku->changed_at = std::max(sku->changed_at, *snapshot_started);
        touched.insert(sku.get());
      }
    }
    // Balances the snapshot no longer returns, unchanged since it began, are gone.
    for (auto it = balances_.begin(); it != balances_.end();) {
      if (!seen.contains(it->first) && it->second.updated_at < *snapshot_started) {
        SkuState& sku = *skus_.at(it->second.sku);
        sku.balances.erase(it->first);
        sku.changed_at = std::max(sku.changed_at, *snapshot_started);
        touched.insert(&sku);
        it = balances_.erase(it);
      } else {
        ++it;
      }
    }
  }
  int changed = 0;
  for (SkuState* sku : touched) {
    std::int64_t available = 0;
    for (const auto& [id, units] : sku->balances) {
      available += units;
    }
    sku->available = available;
    changed += RetargetLocked(*sku, now);
    Result<domain::StockLevel> level = domain::StockLevel::Create(
        {.sku = sku->sku, .available = available, .observed_at = sku->changed_at});
    if (level.ok()) {
      levels->push_back(*std::move(level));
    }
  }
  return changed;
}

Status StockSync::SaveLevels(const std::vector<domain::StockLevel>& levels) {
  if (levels.empty()) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  RETURN_IF_ERROR(tx->UpsertStockLevels(levels));
  return tx->Commit();
}

double StockSync::UnitsPerHourLocked(const SkuState& sku, TimePoint now) const {
  const TimePoint since = now - options_.stock.velocity_window;
  std::int64_t units = 0;
  for (const auto& [when, count] : sku.outflow) {
    if (when >= since) {
      units += count;
    }
  }
  // Over the time actually watched, when that is shorter than the window
  // (after a start), but at least an hour, so that one early sale does not
  // make a fast mover.
  Duration span = options_.stock.velocity_window;
  if (watched_since_) {
    span = std::clamp<Duration>(now - *watched_since_, std::chrono::hours{1}, span);
  }
  const double hours = std::chrono::duration<double, std::ratio<3600>>(span).count();
  const double observed = static_cast<double>(units) / hours;
  return sku.seeded_until > now ? std::max(observed, sku.seeded_per_hour) : observed;
}

domain::VelocityClass StockSync::ClassOf(double units_per_hour) const {
  if (units_per_hour >= options_.stock.class_a_units_per_hour) {
    return domain::VelocityClass::kA;
  }
  return units_per_hour > 0 ? domain::VelocityClass::kB : domain::VelocityClass::kC;
}

Duration StockSync::LatencyLocked(domain::VelocityClass velocity_class) const {
  const StockLane lane = ClassLane(velocity_class);
  Duration staleness = options_.stock.cadence_c;
  if (latency_[Index(lane)]) {
    staleness = *latency_[Index(lane)];
  } else if (lane == StockLane::kClassA) {
    staleness = options_.stock.cadence_a;
  } else if (lane == StockLane::kClassB) {
    staleness = options_.stock.cadence_b;
  }
  return staleness + options_.amazon_processing + options_.sale_to_warehouse;
}

int StockSync::RetargetLocked(SkuState& sku, TimePoint now) {
  const double units_per_hour = UnitsPerHourLocked(sku, now);
  const domain::VelocityClass velocity_class = ClassOf(units_per_hour);
  const domain::StockPolicy& policy = policies_.For(sku.sku, velocity_class);
  const std::int64_t quantity = domain::ListedQuantity(
      policy, sku.available,
      {.units_per_hour = units_per_hour, .publish_latency = LatencyLocked(velocity_class)});
  const StockLane lane =
      quantity <= options_.stock.low_stock_threshold ? StockLane::kFast : ClassLane(velocity_class);
  int changed = 0;
  for (const auto& owned : sku.listings) {
    Listing& listing = *owned;
    listing.class_lane = ClassLane(velocity_class);
    if (listing.has_target && listing.target == quantity) {
      continue;
    }
    const bool was_queued = listing.where != Listing::Where::kIdle;
    listing.has_target = true;
    listing.target = quantity;
    ++listing.version;
    ++changed;
    ++figures_.changes;
    if (was_queued && listing.where != Listing::Where::kSending) {
      ++figures_.coalesced;
    }
    if (listing.published == quantity && listing.feed_id.empty() &&
        listing.where != Listing::Where::kSending) {
      // Back to what Amazon already has: nothing to send.
      UnqueueLocked(listing);
      listing.pending_since.reset();
      continue;
    }
    // Staleness counts from the change that put the listing in its lane: the
    // oldest one waiting, unless this one makes it more urgent.
    const bool escalates = listing.where != Listing::Where::kIdle &&
                           listing.where != Listing::Where::kSending &&
                           Index(lane) < Index(listing.lane);
    if (!listing.pending_since || escalates) {
      listing.pending_since = std::min(sku.changed_at, now);
    }
    QueueLocked(listing, lane, now);
  }
  return changed;
}

StockLane StockSync::LaneOf(const Listing& listing) const {
  return listing.target <= options_.stock.low_stock_threshold ? StockLane::kFast
                                                              : listing.class_lane;
}

void StockSync::UnqueueLocked(Listing& listing) {
  if (listing.where == Listing::Where::kWaiting) {
    waiting_[Index(listing.lane)].erase(&listing);
  }
  // Ready and delayed entries are dropped lazily when popped.
  if (listing.where != Listing::Where::kSending) {
    listing.where = Listing::Where::kIdle;
  }
}

void StockSync::QueueLocked(Listing& listing, StockLane lane, TimePoint now) {
  switch (listing.where) {
    case Listing::Where::kSending:
      listing.requeue = true;
      return;
    case Listing::Where::kReady:
    case Listing::Where::kDelayed:
      if (Index(listing.lane) <= Index(lane)) {
        return;  // Already going at least as soon.
      }
      break;
    case Listing::Where::kWaiting:
      if (lane != StockLane::kFast && Index(listing.lane) <= Index(lane)) {
        return;
      }
      waiting_[Index(listing.lane)].erase(&listing);
      break;
    case Listing::Where::kIdle:
      break;
  }
  listing.lane = lane;
  if (listing.not_before > now) {
    listing.where = Listing::Where::kDelayed;
    delayed_.emplace(listing.not_before, &listing);
  } else if (lane == StockLane::kFast) {
    listing.where = Listing::Where::kReady;
    ready_[Index(lane)].push_back(&listing);
  } else {
    listing.where = Listing::Where::kWaiting;
    waiting_[Index(lane)].insert(&listing);
  }
}

void StockSync::QueueNowLocked(Listing& listing, StockLane lane, TimePoint now) {
  QueueLocked(listing, lane, now);
  if (listing.where == Listing::Where::kWaiting) {
    waiting_[Index(listing.lane)].erase(&listing);
    listing.where = Listing::Where::kReady;
    ready_[Index(listing.lane)].push_back(&listing);
  }
}

void StockSync::FlushDueLocked(TimePoint now, std::vector<Listing*>& to_feed) {
  for (auto it = delayed_.begin(); it != delayed_.end() && it->first <= now;) {
    Listing* listing = it->second;
    it = delayed_.erase(it);
    if (listing->where == Listing::Where::kDelayed && listing->not_before <= now) {
      listing->where = Listing::Where::kReady;
      ready_[Index(listing->lane)].push_back(listing);
    }
  }
  const std::array<Duration, kStockLanes> cadence = {Duration::zero(), options_.stock.cadence_a,
                                                     options_.stock.cadence_b,
                                                     options_.stock.cadence_c};
  for (int i = 1; i < kStockLanes; ++i) {
    const auto lane = static_cast<std::size_t>(i);
    if (now < next_flush_[lane]) {
      continue;
    }
    next_flush_[lane] = now + cadence[lane];
    auto& waiting = waiting_[lane];
    const bool by_feed = feeds_ != nullptr &&
                         waiting.size() > static_cast<std::size_t>(options_.stock.feed_threshold);
    std::vector<Listing*> flushed(waiting.begin(), waiting.end());
    waiting.clear();
    // Oldest change first, so a flush cut short by the quota serves those first.
    std::sort(flushed.begin(), flushed.end(), [](const Listing* a, const Listing* b) {
      return a->pending_since.value_or(TimePoint::max()) <
             b->pending_since.value_or(TimePoint::max());
    });
    for (Listing* listing : flushed) {
      if (by_feed) {
        listing->where = Listing::Where::kSending;
        to_feed.push_back(listing);
      } else {
        listing->where = Listing::Where::kReady;
        ready_[lane].push_back(listing);
      }
    }
  }
}

StockSync::Listing* StockSync::NextReadyLocked() {
  for (std::size_t lane = 0; lane < ready_.size(); ++lane) {
    auto& queue = ready_[lane];
    while (!queue.empty()) {
      Listing* listing = queue.front();
      queue.pop_front();
      if (listing->where == Listing::Where::kReady && Index(listing->lane) == lane) {
        return listing;
      }
    }
  }
  return nullptr;
}

Result<StockPass> StockSync::Publish(const std::stop_token& stop) {
  std::lock_guard publishing(publish_mu_);
  StockPass pass;
  const TimePoint started = clock_->Now();
  if (feeds_ != nullptr) {
    RETURN_IF_ERROR(FollowFeeds(stop, pass));
  }
  while (!stop.stop_requested()) {
    std::vector<Listing*> to_feed;
    Listing* next = nullptr;
    {
      std::lock_guard lock(mu_);
      FlushDueLocked(clock_->Now(), to_feed);
      if (to_feed.empty()) {
        next = NextReadyLocked();
        if (next != nullptr) {
          next->where = Listing::Where::kSending;
        }
      }
    }
    if (!to_feed.empty()) {
      RETURN_IF_ERROR(SubmitFeeds(to_feed, stop));
      continue;
    }
    if (next == nullptr) {
      break;
    }
    RETURN_IF_ERROR(SendPatch(next, stop, pass));
    if (clock_->Now() - started >= options_.pass_budget) {
      break;
    }
  }
  return pass;
}

Duration StockSync::Backoff(int attempts) const {
  Duration wait = options_.retry_initial;
  for (int i = 1; i < attempts && wait < options_.retry_max; ++i) {
    wait *= 2;
  }
  return std::min(wait, options_.retry_max);
}

Status StockSync::SendPatch(Listing* listing, const std::stop_token& stop, StockPass& pass) {
  amazon::QuantityUpdate update;
  std::int64_t version = 0;
  StockLane lane{};
  std::optional<TimePoint> origin;
  {
    std::lock_guard lock(mu_);
    update = {.sku = listing->sku->sku,
              .marketplace_id = listing->marketplace_id,
              .quantity = static_cast<int>(std::min<std::int64_t>(listing->target, INT32_MAX))};
    version = listing->version;
    lane = listing->lane;
    origin = listing->pending_since;
    listing->pending_since.reset();
    listing->requeue = false;
  }
  const amazon::Lane quota_lane =
      lane == StockLane::kFast ? amazon::Lane::kZeroOut : amazon::Lane::kStock;
  Result<amazon::ListingSubmission> sent =
      listings_->SetQuantity(update, {.lane = quota_lane, .stop = stop});
  std::vector<store::StockPublication> published;
  std::optional<std::pair<std::string, std::string>> hold;
  {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_->Now();
    listing->where = Listing::Where::kIdle;
    if (sent.ok()) {
      ++figures_.patches;
      ++pass.published;
      listing->attempts = 0;
      RecordAcceptedLocked(*listing, version, update.quantity, origin.value_or(now), now, lane,
                           "patch", sent->submission_id, published);
    } else {
      // The change it carried is still pending.
      if (origin) {
        listing->pending_since =
            listing->pending_since ? std::min(*listing->pending_since, *origin) : *origin;
      }
      const StatusCode code = sent.status().code();
      if (code == StatusCode::kCancelled) {
        listing->requeue = true;
      } else if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) {
        ++figures_.refused;
        ++pass.failed;
        listing->not_before = now + options_.refused_retry;
        hold.emplace(fmt::format("marketplace {}: Amazon refused quantity {}: {}",
                                 listing->marketplace_id, update.quantity, sent.status().message()),
                     code == StatusCode::kNotFound
                         ? "create the listing on Amazon, or take the SKU out of the stock flow; "
                           "it is tried again hourly"
                         : "correct the listing on Amazon; it is tried again hourly");
        listing->requeue = true;
      } else {
        ++figures_.failures;
        ++pass.failed;
        ++listing->attempts;
        listing->not_before = now + Backoff(listing->attempts);
        listing->requeue = true;
        spdlog::warn("stock {} in {}: quantity {} not sent ({}); trying again", update.sku,
                     update.marketplace_id, update.quantity, sent.status().message());
      }
    }
    if (listing->has_target && listing->published != listing->target &&
        (listing->requeue || listing->version != version)) {
      listing->requeue = false;
      // It was due already: it goes with the next pass, not the next flush.
      QueueNowLocked(*listing, LaneOf(*listing), now);
    }
  }
  if (hold) {
    RETURN_IF_ERROR(Hold(update.sku, hold->first, hold->second));
  }
  return SavePublications(published);
}

void StockSync::RecordAcceptedLocked(Listing& listing, std::int64_t version, std::int64_t quantity,
                                     TimePoint changed_at, TimePoint at, StockLane lane,
                                     std::string_view transport, const std::string& reference,
                                     std::vector<store::StockPublication>& out) {
  if (version <= listing.published_version) {
    return;  // A newer quantity was recorded first: this one is history.
  }
  listing.published = quantity;
  listing.published_version = version;
  listing.published_at = at;
  ++figures_.published[Index(lane)];
  AddStalenessLocked(lane, at, at - changed_at);
  out.push_back({.sku = listing.sku->sku,
                 .marketplace_id = listing.marketplace_id,
                 .quantity = quantity,
                 .changed_at = changed_at,
                 .published_at = at,
                 .lane = std::string(StockLaneName(lane)),
                 .transport = std::string(transport),
                 .reference = reference});
}

void StockSync::AddStalenessLocked(StockLane lane, TimePoint at, Duration staleness) {
  auto& samples = staleness_[Index(lane)];
  samples.emplace_back(at, std::max(0.0, Seconds(staleness)));
  while (samples.size() > kStalenessSamples ||
         samples.front().first < at - options_.staleness_window) {
    samples.pop_front();
  }
  // Recomputed after a twentieth of the samples changed: cheap with many.
  auto& updates = latency_updates_[Index(lane)];
  if (samples.size() >= kLatencySamplesMin &&
      ++updates >= std::max<std::int64_t>(10, static_cast<std::int64_t>(samples.size()) / 20)) {
    updates = 0;
    std::vector<double> sorted;
    sorted.reserve(samples.size());
    for (const auto& [when, seconds] : samples) {
      sorted.push_back(seconds);
    }
    std::sort(sorted.begin(), sorted.end());
    latency_[Index(lane)] = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(Percentile(sorted, 0.95)));
  }
}

Status StockSync::SavePublications(const std::vector<store::StockPublication>& publications) {
  if (publications.empty()) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  RETURN_IF_ERROR(tx->RecordStockPublications(publications));
  return tx->Commit();
}

Status StockSync::Hold(const std::string& subject, const std::string& reason,
                       const std::string& fix) {
  spdlog::error("stock {} held for a person: {}", subject, reason);
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  RETURN_IF_ERROR(tx->HoldException({.kind = std::string(kStockKind),
                                     .subject_id = subject,
                                     .reason = reason,
                                     .suggested_fix = fix})
                      .status());
  return tx->Commit();
}

Status StockSync::SubmitFeeds(const std::vector<Listing*>& listings, const std::stop_token& stop) {
  // One feed per marketplace and at most kFeedMessagesMax messages.
  std::map<std::string, std::vector<Listing*>> by_marketplace;
  for (Listing* listing : listings) {
    by_marketplace[listing->marketplace_id].push_back(listing);
  }
  for (auto& [marketplace, all] : by_marketplace) {
    for (std::size_t begin = 0; begin < all.size(); begin += kFeedMessagesMax) {
      const std::size_t end = std::min(all.size(), begin + kFeedMessagesMax);
      auto feed = std::make_unique<FeedInFlight>();
      feed->marketplace_id = marketplace;
      std::vector<amazon::ListingsFeedQuantity> messages;
      {
        std::lock_guard lock(mu_);
        for (std::size_t i = begin; i < end; ++i) {
          Listing* listing = all[i];
          const std::int64_t quantity = std::min<std::int64_t>(listing->target, INT32_MAX);
          feed->items.push_back({.listing = listing,
                                 .version = listing->version,
                                 .quantity = quantity,
                                 .changed_at = listing->pending_since.value_or(clock_->Now()),
                                 .lane = listing->lane});
          listing->pending_since.reset();
          listing->requeue = false;
          messages.push_back({.message_id = static_cast<int>(messages.size() + 1),
                              .sku = listing->sku->sku,
                              .quantity = static_cast<int>(quantity)});
        }
      }
      const std::string content = amazon::BuildListingsQuantityFeed(options_.seller_id, messages);
      Result<std::string> feed_id = feeds_->Submit("JSON_LISTINGS_FEED", {marketplace}, content,
                                                   std::string(kJsonContentType),
                                                   {.lane = amazon::Lane::kStock, .stop = stop});
      std::lock_guard lock(mu_);
      const TimePoint now = clock_->Now();
      if (!feed_id.ok()) {
        // Back to their lanes: the next flush tries again.
        ++figures_.failures;
        spdlog::warn(
            "stock feed of {} quantities for {} not submitted ({}); they wait for the "
            "next flush",
            feed->items.size(), marketplace, feed_id.status().message());
        for (const FeedInFlight::Item& item : feed->items) {
          item.listing->where = Listing::Where::kIdle;
          item.listing->pending_since = item.changed_at;
          QueueLocked(*item.listing, item.lane, now);
        }
        continue;
      }
      feed->feed_id = *feed_id;
      feed->submitted_at = now;
      feed->polled_at = now;
      for (const FeedInFlight::Item& item : feed->items) {
        item.listing->where = Listing::Where::kIdle;
        item.listing->feed_id = *feed_id;
        if (item.listing->requeue) {
          item.listing->requeue = false;
          QueueLocked(*item.listing, LaneOf(*item.listing), now);
        }
      }
      ++figures_.feeds;
      figures_.feed_messages += static_cast<std::int64_t>(feed->items.size());
      spdlog::info("stock feed {}: {} quantities for {}", *feed_id, feed->items.size(),
                   marketplace);
      store::StockFeed record{.feed_id = *feed_id,
                              .submitted_at = now,
                              .status = "IN_QUEUE",
                              .messages = static_cast<int>(feed->items.size()),
                              .content = content};
      feeds_in_flight_.emplace(*feed_id, std::move(feed));
      // The record is written under the lock so that FollowFeeds never sees
      // a feed the store does not know.
      Result<std::unique_ptr<store::Transaction>> tx = store_->Begin();
      if (!tx.ok()) {
        return tx.status();
      }
      RETURN_IF_ERROR((*tx)->RecordStockFeed(record));
      RETURN_IF_ERROR((*tx)->Commit());
    }
  }
  return Status::Ok();
}

Status StockSync::FollowFeeds(const std::stop_token& stop, StockPass& pass) {
  std::vector<std::string> due;
  {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_->Now();
    for (const auto& [id, feed] : feeds_in_flight_) {
      if (now - feed->polled_at >= options_.feed_poll) {
        due.push_back(id);
      }
    }
  }
  for (const std::string& id : due) {
    if (stop.stop_requested()) {
      break;
    }
    const amazon::CallOptions options{.lane = amazon::Lane::kStock, .stop = stop};
    Result<amazon::FeedStatus> status = feeds_->GetFeed(id, options);
    FeedInFlight* feed = nullptr;
    TimePoint submitted;
    {
      std::lock_guard lock(mu_);
      feed = feeds_in_flight_.at(id).get();
      feed->polled_at = clock_->Now();
      submitted = feed->submitted_at;
    }
    if (!status.ok()) {
      spdlog::warn("stock feed {}: status not read ({}); asking again later", id,
                   status.status().message());
      if (clock_->Now() - submitted < options_.stock.feed_stuck_after) {
        continue;
      }
    }
    if (status.ok() && status->processing_status == "DONE") {
      if (!status->result_document_id) {
        RETURN_IF_ERROR(SettleFeed(*feed, nullptr, "DONE without a processing report", pass));
        continue;
      }
      Result<std::string> text = feeds_->DownloadResult(*status->result_document_id, options);
      if (!text.ok()) {
        spdlog::warn("stock feed {}: processing report not read ({}); asking again later", id,
                     text.status().message());
        continue;
      }
      Result<amazon::ListingsFeedReport> report = amazon::ParseListingsFeedProcessingReport(*text);
      if (!report.ok()) {
        RETURN_IF_ERROR(SettleFeed(
            *feed, nullptr,
            fmt::format("processing report unreadable: {}", report.status().message()), pass));
        continue;
      }
      RETURN_IF_ERROR(SettleFeed(*feed, &*report, "", pass));
    } else if (status.ok() && status->Finished()) {
      RETURN_IF_ERROR(SettleFeed(
          *feed, nullptr, fmt::format("Amazon ended it {}", status->processing_status), pass));
    } else if (clock_->Now() - submitted >= options_.stock.feed_stuck_after) {
      const std::string problem =
          fmt::format("still {} after {}", status.ok() ? status->processing_status : "unknown",
                      FormatDuration(options_.stock.feed_stuck_after));
      {
        std::lock_guard lock(mu_);
        ++figures_.stuck_feeds;
      }
      RETURN_IF_ERROR(Hold(fmt::format("feed:{}", id),
                           fmt::format("stock feed {} for {} {}; its {} quantities were sent by "
                                       "patchListingsItem instead",
                                       id, feed->marketplace_id, problem, feed->items.size()),
                           "check the feed in Seller Central; nothing else is needed"));
      RETURN_IF_ERROR(SettleFeed(*feed, nullptr, "STUCK: " + problem, pass));
    }
  }
  return Status::Ok();
}

Status StockSync::SettleFeed(FeedInFlight& feed, const amazon::ListingsFeedReport* report,
                             const std::string& problem, StockPass& pass) {
  std::vector<store::StockPublication> published;
  std::vector<std::pair<std::string, std::string>> holds;
  store::StockFeed record;
  {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_->Now();
    std::map<int, std::vector<const amazon::ListingsFeedIssue*>> issues;
    if (report != nullptr) {
      for (const amazon::ListingsFeedIssue& issue : report->issues) {
        issues[issue.message_id].push_back(&issue);
      }
    }
    for (std::size_t i = 0; i < feed.items.size(); ++i) {
      const FeedInFlight::Item& item = feed.items[i];
      Listing& listing = *item.listing;
      if (listing.feed_id == feed.feed_id) {
        listing.feed_id.clear();
      }
      const int message_id = static_cast<int>(i + 1);
      if (report != nullptr && report->Accepted(message_id)) {
        RecordAcceptedLocked(listing, item.version, item.quantity, item.changed_at, now, item.lane,
                             "feed", feed.feed_id, published);
        ++pass.published;
        if (listing.published_version > item.version || listing.version > item.version) {
          // A newer quantity went out (or is waiting) while the feed ran:
          // Amazon may have applied the feed's after it, so the newest goes again.
          if (listing.has_target && listing.where == Listing::Where::kIdle) {
            listing.published.reset();
            listing.pending_since = listing.pending_since.value_or(item.changed_at);
            QueueLocked(listing, StockLane::kFast, now);
          }
        }
        continue;
      }
      if (report != nullptr && issues.contains(message_id)) {
        std::string text;
        for (const amazon::ListingsFeedIssue* issue : issues[message_id]) {
          text += fmt::format("{}{} {}: {}", text.empty() ? "" : "; ", issue->severity, issue->code,
                              issue->message);
        }
        holds.emplace_back(listing.sku->sku,
                           fmt::format("marketplace {}: feed {} refused quantity {}: {}",
                                       feed.marketplace_id, feed.feed_id, item.quantity, text));
        ++figures_.refused;
        listing.not_before = now + options_.refused_retry;
      }
      // Not applied: the listing goes by patch.
      listing.pending_since = listing.pending_since
                                  ? std::min(*listing.pending_since, item.changed_at)
                                  : item.changed_at;
      if (listing.has_target && listing.where != Listing::Where::kSending) {
        listing.where = Listing::Where::kIdle;
        QueueNowLocked(listing, LaneOf(listing), now);
      }
    }
    std::string status = "DONE";
    if (problem.starts_with("STUCK")) {
      status = "STUCK";
    } else if (!problem.empty()) {
      status = "FAILED";
    }
    record = {.feed_id = feed.feed_id,
              .submitted_at = feed.submitted_at,
              .status = std::move(status),
              .messages = static_cast<int>(feed.items.size()),
              .finished_at = now,
              .problem = problem};
    if (report != nullptr && problem.empty() && report->messages_invalid > 0) {
      record.problem =
          fmt::format("{} of {} messages refused", report->messages_invalid, feed.items.size());
    }
    if (!problem.empty()) {
      spdlog::warn("stock feed {}: {}; its quantities go by patch", feed.feed_id, problem);
    }
    feeds_in_flight_.erase(feed.feed_id);  // `feed` is gone from here on.
  }
  for (const auto& [sku, reason] : holds) {
    RETURN_IF_ERROR(
        Hold(sku, reason, "correct the listing on Amazon; the quantity is tried again hourly"));
  }
  {
    ASSIGN_OR_RETURN(auto tx, store_->Begin());
    RETURN_IF_ERROR(tx->UpdateStockFeed(record));
    RETURN_IF_ERROR(tx->Commit());
  }
  return SavePublications(published);
}

Result<StockPass> StockSync::CheckDrift(const std::stop_token& stop) {
  std::lock_guard checking(drift_mu_);
  StockPass pass;
  struct Sample {
    Listing* listing;
    std::string sku;
    std::string marketplace_id;
    std::int64_t expected;
    std::int64_t version;
    TimePoint published_at;
  };
  std::vector<Sample> sample;
  TimePoint oldest = clock_->Now();
  {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_->Now();
    const std::size_t total = all_listings_.size();
    const auto wanted = static_cast<std::size_t>(options_.stock.drift_sample);
    for (std::size_t scanned = 0; scanned < total && sample.size() < wanted; ++scanned) {
      drift_cursor_ = (drift_cursor_ + 1) % total;
      Listing* listing = all_listings_[drift_cursor_];
      if (!listing->has_target || !listing->published || listing->where != Listing::Where::kIdle ||
          !listing->feed_id.empty() || listing->published_version != listing->version ||
          now - listing->published_at < options_.stock.drift_delay) {
        continue;
      }
      sample.push_back({listing, listing->sku->sku, listing->marketplace_id, *listing->published,
                        listing->version, listing->published_at});
      oldest = std::min(oldest, listing->published_at);
    }
  }
  if (sample.empty()) {
    return pass;
  }
  std::map<std::string, std::int64_t> ordered;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(ordered, tx->CountUnitsOrderedBySku(oldest));
  }
  std::vector<store::StockCheck> checks;
  for (const Sample& s : sample) {
    if (stop.stop_requested()) {
      break;
    }
    Result<amazon::ListingAvailability> seen = listings_->GetAvailability(
        s.sku, s.marketplace_id, {.lane = amazon::Lane::kFinance, .stop = stop});
    if (!seen.ok() && seen.status().code() != StatusCode::kNotFound) {
      spdlog::warn("stock drift check of {} in {}: not read ({})", s.sku, s.marketplace_id,
                   seen.status().message());
      continue;
    }
    std::optional<std::int64_t> shown;
    if (seen.ok() && seen->quantity) {
      shown = *seen->quantity;
    }
    const auto sold = ordered.find(s.sku);
    const std::int64_t sold_since = sold == ordered.end() ? 0 : sold->second;
    const bool drifted = !shown || *shown > s.expected || *shown < s.expected - sold_since;
    const TimePoint now = clock_->Now();
    checks.push_back({.sku = s.sku,
                      .marketplace_id = s.marketplace_id,
                      .checked_at = now,
                      .expected = s.expected,
                      .seen = shown,
                      .drifted = drifted});
    ++pass.checked;
    std::lock_guard lock(mu_);
    ++figures_.drift_checks;
    if (!drifted) {
      continue;
    }
    ++pass.drifted;
    ++figures_.drift_found;
    spdlog::warn("stock drift: {} in {} shows {} on Amazon, {} was published; publishing again",
                 s.sku, s.marketplace_id, shown ? std::to_string(*shown) : "no quantity",
                 s.expected);
    Listing& listing = *s.listing;
    if (listing.version == s.version && listing.where == Listing::Where::kIdle) {
      listing.published.reset();
      listing.pending_since = now;
      // Amazon showing more than Clarus allows is an oversell waiting to happen.
      const bool urgent = !shown || *shown > s.expected;
      QueueNowLocked(listing, urgent ? StockLane::kFast : LaneOf(listing), now);
    }
  }
  if (!checks.empty()) {
    ASSIGN_OR_RETURN(auto tx, store_->Begin());
    for (const store::StockCheck& check : checks) {
      RETURN_IF_ERROR(tx->RecordStockCheck(check));
    }
    RETURN_IF_ERROR(tx->Commit());
  }
  return pass;
}

StockFigures StockSync::Figures() const {
  std::lock_guard lock(mu_);
  StockFigures figures = figures_;
  figures.skus =
      static_cast<std::int64_t>(std::count_if(skus_.begin(), skus_.end(), [](const auto& entry) {
        return !entry.second->balances.empty();
      }));
  for (std::size_t lane = 0; lane < ready_.size(); ++lane) {
    figures.queued[lane] = static_cast<std::int64_t>(waiting_[lane].size());
  }
  for (const Listing* listing : all_listings_) {
    if (listing->where == Listing::Where::kReady || listing->where == Listing::Where::kDelayed ||
        listing->where == Listing::Where::kSending) {
      ++figures.queued[Index(listing->lane)];
    }
    if (!listing->feed_id.empty()) {
      ++figures.in_feeds;
    }
  }
  const TimePoint since = clock_->Now() - options_.staleness_window;
  auto summarise = [](std::vector<double>& sorted) {
    std::sort(sorted.begin(), sorted.end());
    return StalenessFigures{.samples = static_cast<std::int64_t>(sorted.size()),
                            .p50 = Percentile(sorted, 0.50),
                            .p95 = Percentile(sorted, 0.95),
                            .p99 = Percentile(sorted, 0.99),
                            .max = sorted.empty() ? 0 : sorted.back()};
  };
  std::vector<double> all;
  for (std::size_t lane = 0; lane < staleness_.size(); ++lane) {
    std::vector<double> sorted;
    for (const auto& [when, seconds] : staleness_[lane]) {
      if (when >= since) {
        sorted.push_back(seconds);
      }
    }
    all.insert(all.end(), sorted.begin(), sorted.end());
    figures.staleness[lane] = summarise(sorted);
  }
  figures.all = summarise(all);
  return figures;
}

Result<StockSync::ListingView> StockSync::View(const std::string& sku,
                                               const std::string& marketplace_id) const {
  std::lock_guard lock(mu_);
  const auto it = skus_.find(sku);
  if (it == skus_.end()) {
    return NotFoundError(fmt::format("stock: SKU {} is not known", sku));
  }
  for (const auto& listing : it->second->listings) {
    if (listing->marketplace_id != marketplace_id) {
      continue;
    }
    const double units_per_hour = UnitsPerHourLocked(*it->second, clock_->Now());
    return ListingView{.available = it->second->available,
                       .target = listing->target,
                       .published = listing->published,
                       .velocity_class = ClassOf(units_per_hour),
                       .units_per_hour = units_per_hour,
                       .lane = listing->lane,
                       .queued = listing->where != Listing::Where::kIdle,
                       .in_feed = !listing->feed_id.empty()};
  }
  return NotFoundError(
      fmt::format("stock: SKU {} is not published to marketplace {}", sku, marketplace_id));
}

}  // namespace sellerbridge::sync
