#pragma once

#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "amazon/feeds_api.h"
#include "amazon/orders_api.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::sync {

struct ConfirmerOptions {
  int batch = 50;  // Entries sent per pass, earliest deadline first.
  // Retryable failures (429, 5xx, timeouts) wait this long, doubling up to
  // max_backoff; they are retried until Amazon takes them or a person
  // resolves them, never dropped.
  Duration initial_backoff = std::chrono::seconds{5};
  Duration max_backoff = std::chrono::minutes{10};
  // How long after Amazon accepted a confirmation it is read back.
  Duration verify_after = std::chrono::seconds{30};
  // An entry handed to Amazon whose outcome was not recorded (a timeout, or
  // the daemon died) is settled by reading the order back after this long.
  Duration sending_timeout = std::chrono::seconds{30};
  // Feeds: used only when the API quota cannot send the backlog before its
  // deadlines. Empty merchant id: feeds are off.
  std::string merchant_id;
  double api_rate_per_second = 2.0;  // confirmShipment's quota (RATE-LIMITS.tsv).
  int api_burst = 10;
  Duration deadline_margin = std::chrono::minutes{15};  // A confirmation should land this early.
  int backlog_window = 2000;                            // Pending entries looked at for the plan.
  Duration feed_interval = std::chrono::minutes{2};     // createFeed allows about one per 2 min.
  Duration feed_stuck_after = std::chrono::minutes{30};
};

// What one pass did.
struct ConfirmerPass {
  int sent = 0;          // confirmShipment calls made.
  int accepted = 0;      // Amazon took them.
  int retry_later = 0;   // Retryable failures.
  int failed = 0;        // Permanent failures, held for a person.
  int settled = 0;       // Entries of unknown outcome resolved by reading back.
  int verified = 0;      // Read back and found on Amazon.
  int resent = 0;        // Not found on Amazon: sent once more.
  int not_applied = 0;   // Not found after the re-send: held, alerted.
  int fed = 0;           // Moved into a fulfilment feed.
  int feed_results = 0;  // Entries a finished feed reported on.
};

// Sends the outbox to Amazon and checks that Amazon applied it.
//
// Send: due Pending entries go earliest latestShipDate first through
// confirmShipment, in the quota broker's confirmation lane. Before the call
// the entry is marked Sending (committed), so that an outcome lost to a
// timeout or a crash is settled by reading the order back, never by sending
// blind. A tracking number that does not fit its carrier is a permanent error
// before any call. Amazon's permanent refusals (bad carrier code, unknown
// item, shipped with other data, cancelled order) go to the exceptions list at
// once with Amazon's message and a fix; everything else is retried with
// backoff until it succeeds or a person resolves it.
//
// When the pending backlog cannot go through the API quota before its
// deadlines, the entries never tried yet that would be late move into one
// POST_ORDER_FULFILLMENT_DATA feed (createFeed allows about one feed every
// two minutes), followed until DONE and settled per message from the
// processing report. A feed stuck past feed_stuck_after goes back to the API.
//
// Verify: accepted entries are read back with getOrder (low priority) after
// verify_after. A package Amazon does not show is sent once more; if it is
// still missing after that, it is held as "not applied" for a person.
//
// Thread-compatible: one pass of each kind at a time.
class Confirmer {
 public:
  // `feeds` may be null (feeds off). Every pointer must outlive the confirmer.
  Confirmer(ConfirmerOptions options, store::Store* store, amazon::OrdersApi* orders,
            amazon::FeedsApi* feeds, Clock* clock);

  // Settles entries of unknown outcome, plans feeds for a backlog, sends due
  // entries and follows feeds in flight.
  Result<ConfirmerPass> SendOnce(const std::stop_token& stop);

  // Reads back accepted entries that are due for verification.
  Result<ConfirmerPass> VerifyOnce(const std::stop_token& stop);

 private:
  Status Send(const store::OutboxEntry& entry, const std::stop_token& stop, ConfirmerPass& pass);
  Status SettleSending(const std::stop_token& stop, ConfirmerPass& pass);
  Status PlanFeed(const std::stop_token& stop, ConfirmerPass& pass);
  Status FollowFeeds(const std::stop_token& stop, ConfirmerPass& pass);
  // Writes `update` to entry `id` in a transaction of its own.
  Status Update(std::int64_t id, const store::ConfirmationUpdate& update);
  // Marks `entry` Failed and holds it for a person, in one transaction.
  Status Fail(const store::OutboxEntry& entry, const std::string& reason, const std::string& fix);
  Duration Backoff(int attempts) const;

  const ConfirmerOptions options_;
  store::Store* const store_;
  amazon::OrdersApi* const orders_;
  amazon::FeedsApi* const feeds_;
  Clock* const clock_;
  std::optional<TimePoint> last_feed_;
};

}  // namespace sellerbridge::sync
