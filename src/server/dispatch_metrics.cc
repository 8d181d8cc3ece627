#include "server/dispatch_metrics.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <optional>
#include <vector>

#include "base/status_macros.h"

namespace sellerbridge::server {
namespace {

// Upper bounds, in seconds: from seconds (the target) to a day (a lost cause).
constexpr std::array<double, 13> kBuckets = {1,   2,   5,    10,   30,    60,   120,
                                             300, 600, 1800, 3600, 14400, 86400};

class Histogram {
 public:
  void Observe(Duration d) {
    const double seconds = std::max(0.0, std::chrono::duration<double>(d).count());
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) {
        ++counts_[i];
      }
    }
    ++count_;
    sum_ += seconds;
  }

  void Write(std::string& out, std::string_view name, std::string_view help) const {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, kBuckets[i], counts_[i]);
    }
    out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name, count_, name,
                       sum_, name, count_);
  }

 private:
  std::array<std::int64_t, kBuckets.size()> counts_{};
  std::int64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace

Result<std::string> DispatchMetricsText(store::Transaction& tx) {
  std::string out;
  Histogram released;
  ASSIGN_OR_RETURN(const auto releases, tx.ListOrderReleaseTimings(TimePoint{}));
  for (const auto& [placed, sent] : releases) {
    released.Observe(sent - placed);
  }
  released.Write(out, "sellerbridge_order_to_clarus_seconds",
                 "From an order placed on Amazon to its goods-out created in Clarus.");
  ASSIGN_OR_RETURN(const auto orders, tx.CountOrdersBySyncState());
  out +=
      "# HELP sellerbridge_orders Orders by where they stand in sellerbridge's flow.\n"
      "# TYPE sellerbridge_orders gauge\n";
  for (const store::SyncState state :
       {store::SyncState::kNew, store::SyncState::kHeld, store::SyncState::kSentToClarus,
        store::SyncState::kUpdatePending, store::SyncState::kCancelled,
        store::SyncState::kDispatched, store::SyncState::kClosed}) {
    const auto it = orders.find(state);
    out += fmt::format("sellerbridge_orders{{sync_state=\"{}\"}} {}\n", store::SyncStateName(state),
                       it == orders.end() ? 0 : it->second);
  }

  Histogram seen;
  Histogram confirm;
  Histogram verify;
  Histogram end_to_end;
  ASSIGN_OR_RETURN(const std::vector<store::ConfirmationTiming> timings,
                   tx.ListConfirmationTimings(TimePoint{}));
  for (const store::ConfirmationTiming& t : timings) {
    if (t.transport == store::ConfirmationTransport::kLabel) {
      continue;  // Amazon shipped it when it sold the label: nothing was confirmed.
    }
    seen.Observe(t.seen_at - t.shipped_at);
    if (t.accepted_at) {
      confirm.Observe(*t.accepted_at - t.shipped_at);
      if (t.verified_at) {
        verify.Observe(*t.verified_at - *t.accepted_at);
      }
    }
    if (t.verified_at) {
      end_to_end.Observe(*t.verified_at - t.shipped_at);
    }
  }
  seen.Write(out, "sellerbridge_dispatch_to_seen_seconds",
             "From a parcel leaving the warehouse to sellerbridge seeing it.");
  confirm.Write(out, "sellerbridge_dispatch_to_confirm_seconds",
                "From a parcel leaving the warehouse to Amazon accepting its confirmation.");
  verify.Write(out, "sellerbridge_confirm_to_verify_seconds",
               "From Amazon accepting a confirmation to reading it back from Amazon.");
  end_to_end.Write(
      out, "sellerbridge_dispatch_to_verify_seconds",
      "From a parcel leaving the warehouse to its confirmation read back from Amazon.");

  ASSIGN_OR_RETURN(const auto states, tx.CountConfirmationsByState());
  out +=
      "# HELP sellerbridge_outbox_entries Shipment confirmations by state.\n"
      "# TYPE sellerbridge_outbox_entries gauge\n";
  for (const store::ConfirmationState state :
       {store::ConfirmationState::kPending, store::ConfirmationState::kSending,
        store::ConfirmationState::kAccepted, store::ConfirmationState::kVerified,
        store::ConfirmationState::kFailed}) {
    const auto it = states.find(state);
    out += fmt::format("sellerbridge_outbox_entries{{state=\"{}\"}} {}\n",
                       store::ConfirmationStateName(state), it == states.end() ? 0 : it->second);
  }
  constexpr int kAllOpen = 1000000;
  ASSIGN_OR_RETURN(const auto open, tx.ListExceptions({.open_only = true, .limit = kAllOpen}));
  std::map<std::string, std::int64_t> by_kind = {
      {"confirmation", 0}, {"dispatch", 0}, {"label", 0}, {"order", 0}};
  for (const store::HeldException& held : open) {
    ++by_kind[held.kind];
  }
  out +=
      "# HELP sellerbridge_open_exceptions Items held for a person, by kind.\n"
      "# TYPE sellerbridge_open_exceptions gauge\n";
  for (const auto& [kind, count] : by_kind) {
    out += fmt::format("sellerbridge_open_exceptions{{kind=\"{}\"}} {}\n", kind, count);
  }
  return out;
}

}  // namespace sellerbridge::server
