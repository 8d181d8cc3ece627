#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "amazon/quota_broker.h"
#include "amazon/reports_api.h"
#include "amazon/seller_performance.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

// Account health: Amazon's seller-fulfilled performance metrics projected
// from sellerbridge's own records, shown beside the figures of Amazon's
// GET_V2_SELLER_PERFORMANCE_REPORT when one was fetched. See
// docs/account-health.md for what the projection can and cannot know.
namespace sellerbridge::monitor {

// Amazon's standard targets for seller-fulfilled (non-Prime) offers.
inline constexpr double kLateShipmentRateTarget = 0.04;   // Below 4 %.
inline constexpr double kCancelRateTarget = 0.025;        // Below 2.5 %.
inline constexpr double kValidTrackingRateTarget = 0.95;  // Above 95 %.

enum class TargetCondition { kLessThan, kGreaterThan };

// "LESS_THAN" or "GREATER_THAN", as Amazon's report writes them.
std::string_view TargetConditionName(TargetCondition condition);

// One projected rate over one window (window_from, window_to].
struct ProjectedRate {
  std::chrono::days window{0};
  TimePoint window_from;
  TimePoint window_to;
  std::int64_t numerator = 0;
  std::int64_t denominator = 0;
  double target = 0;
  TargetCondition condition = TargetCondition::kLessThan;

  // numerator ÷ denominator; 0 when the window holds nothing.
  double Rate() const;
  // Whether the rate misses the target; false when the window holds nothing.
  bool Breaches() const;
};

// The projection for one marketplace as of one moment, from our records.
struct AccountHealthProjection {
  std::string marketplace_id;
  TimePoint as_of;
  // Orders whose latestShipDate fell in the window and has passed, except
  // cancelled ones; late when the first confirmation Amazon accepted came
  // after latestShipDate, or when none was accepted.
  ProjectedRate late_shipment_10d;
  ProjectedRate late_shipment_30d;
  // Of the late ones in 30 days, those with no accepted confirmation at all.
  std::int64_t unconfirmed_late_30d = 0;
  // Orders purchased or cancelled in the window; the numerator is every
  // cancellation in the window, because our records do not say who
  // cancelled: buyer cancellations, which Amazon leaves out, are counted too,
  // so this is an upper bound.
  ProjectedRate cancel_7d;
  // Of those cancellations, the ones that came after latestShipDate with
  // nothing shipped: how Amazon's automatic cancellation of unconfirmed
  // orders looks. These count against the seller for certain.
  std::int64_t cancelled_after_ship_deadline_7d = 0;
  // Packages whose confirmation Amazon accepted in the window; valid when the
  // carrier code is one of Amazon's and the tracking number fits the
  // carrier's formats (domain::CheckTrackingNumber).
  ProjectedRate valid_tracking_7d;
  ProjectedRate valid_tracking_30d;
};

// How far back orders are read: their last change must be this recent. The
// longest window (30 days) plus room for long ship windows.
inline constexpr std::chrono::days kProjectionLookback{90};

// Computes the projection for `marketplace_id` at `now` from the orders
// changed in the last kProjectionLookback and their outbox entries, reading
// through `tx` (a read-only transaction is enough). Errors are the store's.
// Thread-safe as far as `tx` is used by one thread.
Result<AccountHealthProjection> ProjectAccountHealth(store::Transaction& tx,
                                                     std::string_view marketplace_id,
                                                     TimePoint now);

// A seller performance report as fetched from Amazon.
struct FetchedSellerPerformance {
  std::string report_id;
  TimePoint fetched_at;
  amazon::SellerPerformance report;
};

// "account_health:<marketplace id>": the watermark that keeps the latest
// fetched report of a marketplace.
std::string AccountHealthWatermarkName(std::string_view marketplace_id);

// Stores `document` (the report as Amazon sent it) as the latest report of
// `marketplace_id`, through `tx` (committed by the caller). InvalidArgument
// when the document does not parse (ParseSellerPerformanceReport); errors of
// the store otherwise.
Status SaveSellerPerformance(store::Transaction& tx, std::string_view marketplace_id,
                             std::string_view report_id, TimePoint fetched_at,
                             std::string_view document);

// The latest report stored for `marketplace_id`, if any. DataLoss naming the
// watermark when what is stored cannot be read.
Result<std::optional<FetchedSellerPerformance>> LoadSellerPerformance(
    store::Transaction& tx, std::string_view marketplace_id);

// Our projection beside Amazon's latest figures, for one marketplace.
struct AccountHealthView {
  AccountHealthProjection ours;
  std::optional<FetchedSellerPerformance> amazon;  // Unset until a report was fetched.
};

// ProjectAccountHealth and LoadSellerPerformance together.
Result<AccountHealthView> LoadAccountHealthView(store::Transaction& tx,
                                                std::string_view marketplace_id, TimePoint now);

// The view for the HTTP API and the CLI:
//   {"marketplaceId", "asOf",
//    "amazonReport": null | {"reportId", "fetchedAt", "accountStatus",
//                            "accountHealthRating"},
//    "metrics": {"lateShipmentRate": {"ours": {"10d": R, "30d": R}, "amazon": M},
//                "preFulfillmentCancellationRate": {"ours": {"7d": R}, "amazon": M},
//                "validTrackingRate": {"ours": {"7d": R, "30d": R}, "amazon": M},
//                "onTimeDeliveryRate": {"ours": null, "amazon": M}}}
// R = {"numerator", "denominator", "rate", "target", "targetCondition",
// "breached", "windowFrom", "windowTo"} with extra counts where the
// projection has them; M = Amazon's metric ({"numerator", "denominator",
// "rate", "status", "target", "targetCondition", "breached", "windowFrom",
// "windowTo"}, absent fields null) or null. Rates are fractions (0.04 = 4 %),
// times ISO 8601 UTC. No buyer personal data.
nlohmann::json ToJson(const AccountHealthView& view);

struct FetchOptions {
  // How often getReport is asked while the report is being processed.
  Duration poll_interval = std::chrono::seconds{30};
  // Give up (DeadlineExceeded) when the report is still not done after this
  // long on the fetch's clock. It bounds the polling, not a call waiting for
  // quota: `stop` ends those.
  Duration give_up_after = std::chrono::minutes{30};
  amazon::Lane lane = amazon::Lane::kFinance;
  std::stop_token stop;
};

// Requests Amazon's seller performance report for `marketplace_id`
// (createReport), polls it with getReport every poll_interval of `clock`
// until it is finished, downloads and parses its document and stores it
// (SaveSellerPerformance, in its own transaction of `store`) with
// fetched_at = clock->Now(). Every call goes through `reports` and so through
// the quota broker, in options.lane. Returns what was stored.
// Errors: those of the calls; NotFound when Amazon ends the report CANCELLED
// (it has no data); Unavailable when it ends FATAL; DeadlineExceeded after
// give_up_after; Cancelled when options.stop is requested; InvalidArgument
// when the document is unusable (nothing is stored then). Blocks; call it
// from a job thread. The pointers must outlive the call.
Result<FetchedSellerPerformance> FetchSellerPerformance(amazon::ReportsApi* reports,
                                                        store::Store* store, Clock* clock,
                                                        std::string_view marketplace_id,
                                                        const FetchOptions& options);

}  // namespace sellerbridge::monitor
