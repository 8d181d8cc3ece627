#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "amazon/feeds_api.h"
#include "amazon/listings_api.h"
#include "amazon/listings_feed.h"
#include "base/clock.h"
#include "base/result.h"
#include "clarus/stock.h"
#include "clarus/tenant.h"
#include "config/config.h"
#include "domain/stock_policy.h"
#include "store/store.h"

namespace sellerbridge::sync {

// The lanes stock goes out in, most urgent first: a listed quantity at or
// below the low-stock threshold (zero-outs above all) goes at once; other
// changes wait for their velocity class's next flush.
enum class StockLane { kFast = 0, kClassA, kClassB, kClassC };
inline constexpr int kStockLanes = 4;

// "fast", "a", "b", "c".
std::string_view StockLaneName(StockLane lane);

// How the stock flow is set up: the [stock] configuration resolved against
// the rest.
struct StockSyncOptions {
  config::StockConfig stock;
  std::string seller_id;
  // Where quantities are published: every marketplace of the account, or only
  // the first when stock.unified_quantity is set.
  std::vector<std::string> marketplaces;
  // The Clarus account and warehouse codes whose `available` counts,
  // resolved to ids through the tenant before the first read.
  std::vector<std::string> account_codes;
  std::vector<std::string> warehouse_codes;
  int clarus_page_size = 100;
  // Each read of changes starts this long before the newest updated_at seen,
  // so that a balance written in the same second is not missed.
  Duration change_overlap = std::chrono::seconds{5};
  // A publishing pass hands the thread back after this long (it runs again at
  // once if work remains).
  Duration pass_budget = std::chrono::seconds{10};
  // How often an open feed is asked for its status.
  Duration feed_poll = std::chrono::seconds{30};
  // Backoff of a SKU whose patch failed with a retryable error.
  Duration retry_initial = std::chrono::seconds{5};
  Duration retry_max = std::chrono::minutes{5};
  // A SKU Amazon does not know, or refused, is tried again after this long.
  Duration refused_retry = std::chrono::hours{1};
  // What the velocity buffer covers besides the lane's own staleness: how
  // long Amazon takes to apply an accepted quantity, and how long a sale on
  // Amazon takes to show in Clarus's available (Amazon's order search delay,
  // the order import, the allocation).
  Duration amazon_processing = std::chrono::minutes{2};
  Duration sale_to_warehouse = std::chrono::minutes{5};
  // Staleness figures cover the publications of this last stretch of time.
  Duration staleness_window = std::chrono::hours{1};
};

// Seconds from a stock change in Clarus to Amazon accepting the quantity that
// reflects it, per lane: p50, p95 and p99 over the publications of the last
// staleness_window.
struct StalenessFigures {
  std::int64_t samples = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

// What the stock flow has done since it started, and where it stands.
struct StockFigures {
  std::int64_t skus = 0;           // SKUs Clarus holds for the seller.
  std::int64_t snapshots = 0;      // Full reads of Clarus stock.
  std::int64_t balances_read = 0;  // Balances read (snapshots and changes).
  std::int64_t changes = 0;        // Listed quantities that changed.
  std::int64_t coalesced = 0;      // Changes overtaken by a newer one before going out.
  std::int64_t patches = 0;        // patchListingsItem calls.
  std::int64_t feeds = 0;          // JSON_LISTINGS_FEED submissions.
  std::int64_t feed_messages = 0;  // Quantities sent in feeds.
  std::int64_t stuck_feeds = 0;    // Feeds given up as stuck; their SKUs went by patch.
  std::int64_t failures = 0;       // Retryable failures (sent again later).
  std::int64_t refused = 0;        // Refused by Amazon: held for a person.
  std::int64_t drift_checks = 0;   // Listings read back.
  std::int64_t drift_found = 0;    // Listings Amazon showed otherwise than published.
  std::array<std::int64_t, kStockLanes> published{};  // Quantities accepted, by lane.
  std::array<std::int64_t, kStockLanes> queued{};     // Waiting to go out now, by lane.
  std::int64_t in_feeds = 0;                          // In feeds not finished yet.
  std::array<StalenessFigures, kStockLanes> staleness{};
  StalenessFigures all;  // Every lane together.
};

// One pass's outcome, for logs and the scheduler.
struct StockPass {
  int read = 0;       // Balances read from Clarus.
  int changed = 0;    // Listings whose quantity to publish changed.
  int published = 0;  // Quantities Amazon accepted.
  int failed = 0;
  int checked = 0;
  int drifted = 0;
};

// Publishes Clarus stock to Amazon. Clarus is the only source of truth:
// Amazon's quantity is read only to check for drift.
//
// Reading: Snapshot reads every stock balance (at start and nightly),
// ReadChanges those updated since a watermark (every minute, and on a stock
// webhook). A balance replaces the one held only when it is as new or newer
// (by Clarus's updated_at), so a slow snapshot never undoes a later change.
// A SKU's available is the sum over the configured accounts and warehouses.
//
// Policy: the listed quantity is domain::ListedQuantity of the SKU's policy
// (by SKU, rule or default), with the velocity buffer fed by the units that
// left the SKU's stock over the velocity window (or over the time watched
// since start, when shorter, but at least an hour) and by the current publish
// latency: the lane's p95 staleness (its cadence before enough samples) plus
// amazon_processing and sale_to_warehouse, the whole time during which Amazon
// can sell units Clarus no longer has.
//
// Publishing: changes are coalesced per listing; only the latest quantity
// goes out, and a quantity is recorded as published only if it is newer than
// the one recorded (versions), so no value is ever sent after a newer one.
// Fast-lane changes go at once by patchListingsItem in the quota broker's
// zero-out lane; class A, B and C changes wait for their class's flush
// (stock.cadence_a/b/c) and go by patch in the stock lane, or, when a flush
// holds more than stock.feed_threshold listings, in JSON_LISTINGS_FEED
// documents of up to 25,000 messages. Feeds are followed to DONE and settled
// per message from the processing report; a feed not finished after
// stock.feed_stuck_after is reported and its listings go by patch. A listing
// whose quantity changed while it was in a feed is sent again afterwards.
//
// Drift: CheckDrift reads a rotating sample of listings back (getListingsItem,
// finance lane) once stock.drift_delay has passed since their publication. A
// listing showing more than was published, or fewer than published minus the
// units ordered since, has drifted: it is recorded, logged and published
// again.
//
// Refusals (an unknown SKU, an invalid patch, per-message feed errors) are
// held as "stock" exceptions naming the SKU and Amazon's message; the SKU is
// tried again after refused_retry. Thread-safe: the reading, publishing,
// feed and drift jobs may run concurrently.
class StockSync {
 public:
  // Every pointer must outlive this. `feeds` may be null (patches only).
  StockSync(StockSyncOptions options, store::Store* store, clarus::Tenant* tenant,
            clarus::Stock* clarus, amazon::ListingsApi* listings, amazon::FeedsApi* feeds,
            Clock* clock);
  ~StockSync();

  StockSync(const StockSync&) = delete;
  StockSync& operator=(const StockSync&) = delete;

  // Loads what was published before a restart (so that unchanged listings are
  // not sent again), warms the velocity estimate from stored orders, and
  // closes feeds left open by an earlier run (their listings go out again).
  Status Load();

  // Reads every balance from Clarus and recomputes every listing.
  Result<StockPass> Snapshot(const std::stop_token& stop);

  // Reads the balances Clarus changed since the watermark.
  Result<StockPass> ReadChanges(const std::stop_token& stop);

  // Sends what is due: the fast lane, then flushed classes; follows feeds.
  // Returns after pass_budget, or sooner when nothing is left to send.
  Result<StockPass> Publish(const std::stop_token& stop);

  // Reads a sample of listings back from Amazon and corrects drift.
  Result<StockPass> CheckDrift(const std::stop_token& stop);

  StockFigures Figures() const;

  // The quantity the listing should show now and what Amazon last accepted,
  // for tests and the API. NotFound for an unknown SKU or marketplace.
  struct ListingView {
    std::int64_t available = 0;
    std::int64_t target = 0;
    std::optional<std::int64_t> published;
    domain::VelocityClass velocity_class = domain::VelocityClass::kC;
    double units_per_hour = 0;
    StockLane lane = StockLane::kClassC;
    bool queued = false;
    bool in_feed = false;
  };
  Result<ListingView> View(const std::string& sku, const std::string& marketplace_id) const;

 private:
  struct Listing;
  struct SkuState;
  struct FeedInFlight;

  // Resolves the configured account and warehouse codes once.
  Status ResolveScope();
  SkuState& SkuLocked(const std::string& sku);
  Listing* ListingLocked(SkuState& sku, const std::string& marketplace_id);
  // Whether `balance` is of a configured account and warehouse.
  bool Counts(const clarus::StockBalance& balance) const;
  // Applies balances read from Clarus; `snapshot_started` is set for a full
  // read (balances it did not return, unchanged since it began, are gone).
  // Returns the listings whose target changed; adds the SKUs' new levels.
  int ApplyLocked(const std::vector<clarus::StockBalance>& balances,
                  std::optional<TimePoint> snapshot_started, TimePoint now,
                  std::vector<domain::StockLevel>* levels);
  Status SaveLevels(const std::vector<domain::StockLevel>& levels);
  // Recomputes the target of every listing of `sku` and queues changes.
  int RetargetLocked(SkuState& sku, TimePoint now);
  double UnitsPerHourLocked(const SkuState& sku, TimePoint now) const;
  domain::VelocityClass ClassOf(double units_per_hour) const;
  Duration LatencyLocked(domain::VelocityClass velocity_class) const;
  // The lane of the listing's target: fast at or below the low-stock
  // threshold, else its class's.
  StockLane LaneOf(const Listing& listing) const;
  void QueueLocked(Listing& listing, StockLane lane, TimePoint now);
  // Queues `listing` to go with the next pass (not the next flush).
  void QueueNowLocked(Listing& listing, StockLane lane, TimePoint now);
  void UnqueueLocked(Listing& listing);
  // Moves due delayed listings to ready and flushes the classes whose time
  // has come: to ready, or into `to_feed` when a flush is large.
  void FlushDueLocked(TimePoint now, std::vector<Listing*>& to_feed);
  // The most urgent listing ready to go by patch, or null.
  Listing* NextReadyLocked();
  Duration Backoff(int attempts) const;
  void RecordAcceptedLocked(Listing& listing, std::int64_t version, std::int64_t quantity,
                            TimePoint changed_at, TimePoint at, StockLane lane,
                            std::string_view transport, const std::string& reference,
                            std::vector<store::StockPublication>& out);
  void AddStalenessLocked(StockLane lane, TimePoint at, Duration staleness);

  Status SendPatch(Listing* listing, const std::stop_token& stop, StockPass& pass);
  Status SubmitFeeds(const std::vector<Listing*>& listings, const std::stop_token& stop);
  Status FollowFeeds(const std::stop_token& stop, StockPass& pass);
  // Settles a finished (or abandoned) feed: `report` when Amazon gave one,
  // else `problem` says why its listings go by patch.
  Status SettleFeed(FeedInFlight& feed, const amazon::ListingsFeedReport* report,
                    const std::string& problem, StockPass& pass);
  Status Hold(const std::string& subject, const std::string& reason, const std::string& fix);
  Status SavePublications(const std::vector<store::StockPublication>& publications);

  const StockSyncOptions options_;
  const domain::StockPolicies policies_;
  store::Store* const store_;
  clarus::Tenant* const tenant_;
  clarus::Stock* const clarus_;
  amazon::ListingsApi* const listings_;
  amazon::FeedsApi* const feeds_;
  Clock* const clock_;

  std::mutex scope_mu_;
  // Account ids and warehouse ids: set once under scope_mu_ before the first
  // read of Clarus, only read afterwards.
  std::optional<std::pair<std::set<std::string>, std::set<std::string>>> scope_;
  std::mutex publish_mu_;         // One Publish at a time.
  std::mutex drift_mu_;           // One CheckDrift at a time.
  std::size_t drift_cursor_ = 0;  // Guarded by drift_mu_.
  mutable std::mutex mu_;
  // Clarus balance id → what it said last.
  struct Balance {
    std::string sku;
    std::int64_t available = 0;
    TimePoint updated_at;
  };
  std::unordered_map<std::string, Balance> balances_;                // Guarded by mu_.
  std::unordered_map<std::string, std::unique_ptr<SkuState>> skus_;  // Guarded by mu_.
  std::vector<Listing*> all_listings_;      // Guarded by mu_. In creation order.
  std::optional<TimePoint> watermark_;      // Guarded by mu_. The newest updated_at read.
  std::optional<TimePoint> watched_since_;  // Guarded by mu_. The first read of Clarus.
  // Listings to send now, by lane (stale entries are skipped when popped).
  std::array<std::deque<Listing*>, kStockLanes> ready_;  // Guarded by mu_.
  // Listings changed and waiting for their class's flush.
  std::array<std::unordered_set<Listing*>, kStockLanes> waiting_;  // Guarded by mu_.
  std::array<TimePoint, kStockLanes> next_flush_{};                // Guarded by mu_.
  std::multimap<TimePoint, Listing*> delayed_;  // Guarded by mu_. Backing off until.
  std::map<std::string, std::unique_ptr<FeedInFlight>> feeds_in_flight_;  // Guarded by mu_.
  StockFigures figures_;                                                  // Guarded by mu_.
  // (published at, seconds stale), oldest first, per lane.
  std::array<std::deque<std::pair<TimePoint, double>>, kStockLanes> staleness_;  // Guarded by mu_.
  // Each class lane's p95 staleness, once it has enough samples.
  std::array<std::optional<Duration>, kStockLanes> latency_;  // Guarded by mu_.
  std::array<std::int64_t, kStockLanes> latency_updates_{};   // Guarded by mu_.
};

}  // namespace sellerbridge::sync
