#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "clarus/automation_payload.h"
#include "clarus/goods_outs.h"
#include "http/server.h"
#include "store/store.h"

namespace sellerbridge::sync {

struct DispatchIntakeOptions {
  // Who may deliver automations: our tenant (and, when listed, our automations).
  clarus::AutomationSource source;
  // The sweep reads again from this long before its watermark: Clarus stamps
  // records within the same instant that may land after a read.
  Duration sweep_overlap = std::chrono::minutes{1};
  // Where the very first sweep starts.
  Duration sweep_lookback = std::chrono::days{1};
  int hints_per_pass = 200;
  // Called for every stock automation (adjusted, held, released): the stock
  // flow reads the changed balances at once. Unset: stock events are ignored.
  std::function<void()> on_stock_event;
};

// What a delivery of a Clarus automation came to.
enum class DeliveryOutcome {
  kStored,     // A new hint, stored durably: a re-read follows.
  kDuplicate,  // The same event again: nothing to do.
  kIgnored,    // An event nothing acts on (stock, with the stock flow off).
  kStockHint,  // A stock event: the stock flow reads the changed balances now.
};

// Deliveries taken since start, by outcome.
struct DeliveryCounts {
  std::int64_t stored = 0;
  std::int64_t duplicate = 0;
  std::int64_t ignored = 0;
  std::int64_t stock_hints = 0;
  std::int64_t refused = 0;  // Another tenant or automation, or a body that is not one.
};

// What one pass did.
struct IntakePass {
  int goods_outs_read = 0;
  int confirmations_created = 0;
  int waiting_for_tracking = 0;
  int orders_dispatched = 0;  // Newly completed in Clarus.
  int problems = 0;           // Orders held for a person ("dispatch" exceptions).
  int not_ours = 0;           // Goods-outs of no stored Amazon order.
};

// Sees dispatches in Clarus and puts their parcels in the outbox.
//
// Two ways in, both only hints: Clarus automations (goods_out/completed),
// delivered late, twice, out of order or not at all; and a polling sweep of
// goods-outs changed since a watermark, so that a lost delivery costs at most
// one sweep. Whatever the source, the goods-out is read again through GraphQL
// and planned (PlanDispatch) in one store transaction with the order's
// outbox entries, so reading it twice creates nothing twice.
//
// Thread-safe: deliveries may arrive while a pass runs; passes of one kind
// must not overlap (the scheduler runs each job once at a time).
class DispatchIntake {
 public:
  static constexpr std::string_view kSweepWatermark = "dispatch.sweep_after";

  // Every pointer must outlive the intake.
  DispatchIntake(DispatchIntakeOptions options, store::Store* store, clarus::GoodsOuts* goods_outs,
                 Clock* clock);

  // One automation delivery: checks its headers against our tenant and
  // automations (PermissionDenied naming the header), reads it
  // (InvalidArgument naming what is wrong) and stores the hint before
  // returning, so that a 2xx answer means it is durable.
  Result<DeliveryOutcome> Deliver(const http::Headers& headers, std::string_view body);

  DeliveryCounts Deliveries() const;

  // Re-reads the goods-outs of pending hints and plans them.
  Result<IntakePass> ProcessHints(const std::stop_token& stop);

  // Reads every goods-out changed since the watermark and plans it; moves the
  // watermark once all are stored.
  Result<IntakePass> Sweep(const std::stop_token& stop);

 private:
  Result<DeliveryOutcome> Take(const http::Headers& headers, std::string_view body);

  // Plans `goods_out` and stores the outcome; marks the goods-out's hints up
  // to `up_to_hint` processed in the same transaction.
  Status Process(const clarus::GoodsOutDetail& goods_out, std::int64_t up_to_hint,
                 IntakePass& pass);

  const DispatchIntakeOptions options_;
  store::Store* const store_;
  clarus::GoodsOuts* const goods_outs_;
  Clock* const clock_;
  std::atomic<std::int64_t> stored_{0};
  std::atomic<std::int64_t> duplicate_{0};
  std::atomic<std::int64_t> ignored_{0};
  std::atomic<std::int64_t> stock_hints_{0};
  std::atomic<std::int64_t> refused_{0};
};

}  // namespace sellerbridge::sync
