#include "sync/dispatch_intake.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "base/status_macros.h"
#include "base/time_format.h"
#include "sync/dispatch_plan.h"

namespace sellerbridge::sync {
namespace {

constexpr std::string_view kDispatchKind = "dispatch";
constexpr int kOutboxEntriesPerOrder = 1000;

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (out.find(part) != std::string::npos) {
      continue;  // The same fix for several problems is said once.
    }
    out += out.empty() ? part : "; " + part;
  }
  return out;
}

// The latest updated_at of a goods-out and its shipments.
std::string LatestStamp(const clarus::GoodsOutDetail& goods_out) {
  std::string latest = goods_out.updated_at;
  TimePoint latest_time = ParseIso8601(latest).value_or(TimePoint{});
  for (const clarus::Shipment& shipment : goods_out.shipments) {
    if (auto t = ParseIso8601(shipment.updated_at); t.ok() && *t > latest_time) {
      latest_time = *t;
      latest = shipment.updated_at;
    }
  }
  return latest;
}

}  // namespace

DispatchIntake::DispatchIntake(DispatchIntakeOptions options, store::Store* store,
                               clarus::GoodsOuts* goods_outs, Clock* clock)
    : options_(std::move(options)), store_(store), goods_outs_(goods_outs), clock_(clock) {}

Result<DeliveryOutcome> DispatchIntake::Deliver(const http::Headers& headers,
                                                std::string_view body) {
  Result<DeliveryOutcome> outcome = Take(headers, body);
  if (!outcome.ok()) {
    const StatusCode code = outcome.status().code();
    if (code == StatusCode::kInvalidArgument || code == StatusCode::kPermissionDenied) {
      ++refused_;
    }
    return outcome;
  }
  switch (*outcome) {
    case DeliveryOutcome::kStored:
      ++stored_;
      break;
    case DeliveryOutcome::kDuplicate:
      ++duplicate_;
      break;
    case DeliveryOutcome::kIgnored:
      ++ignored_;
      break;
    case DeliveryOutcome::kStockHint:
      ++stock_hints_;
      break;
  }
  return outcome;
}

DeliveryCounts DispatchIntake::Deliveries() const {
  return {.stored = stored_,
          .duplicate = duplicate_,
          .ignored = ignored_,
          .stock_hints = stock_hints_,
          .refused = refused_};
}

Result<DeliveryOutcome> DispatchIntake::Take(const http::Headers& headers, std::string_view body) {
  ASSIGN_OR_RETURN(const clarus::AutomationHeaders sender, clarus::ParseAutomationHeaders(headers));
  RETURN_IF_ERROR(clarus::VerifyAutomationSource(sender, options_.source));
  ASSIGN_OR_RETURN(const clarus::AutomationEvent event,
                   clarus::ParseAutomationPayload(headers, body));
  if (event.kind != clarus::AutomationEventKind::kGoodsOutCompleted) {
    // A stock event is a hint to read the changed balances now; the
    // minute's read of changes is the backstop if this one is lost.
    if (!options_.on_stock_event) {
      return DeliveryOutcome::kIgnored;
    }
    options_.on_stock_event();
    return DeliveryOutcome::kStockHint;
  }
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  ASSIGN_OR_RETURN(const bool created, tx->RecordDispatchHint({.dedupe_key = event.dedupe_key,
                                                               .goods_out_id = event.goods_out_id,
                                                               .source = "webhook"}));
  RETURN_IF_ERROR(tx->Commit());
  return created ? DeliveryOutcome::kStored : DeliveryOutcome::kDuplicate;
}

Result<IntakePass> DispatchIntake::ProcessHints(const std::stop_token& stop) {
  IntakePass pass;
  std::vector<store::PendingDispatchHint> hints;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(hints, tx->ListPendingDispatchHints(options_.hints_per_pass));
  }
  // One read per goods-out, covering every hint of it listed here.
  std::map<std::string, std::int64_t> latest_hint;
  std::vector<std::string> order;
  for (const store::PendingDispatchHint& hint : hints) {
    auto [it, inserted] = latest_hint.emplace(hint.goods_out_id, hint.id);
    it->second = std::max(it->second, hint.id);
    if (inserted) {
      order.push_back(hint.goods_out_id);
    }
  }
  for (const std::string& goods_out_id : order) {
    if (stop.stop_requested()) {
      break;
    }
    Result<clarus::GoodsOutDetail> goods_out = goods_outs_->Read(goods_out_id);
    if (goods_out.status().code() == StatusCode::kNotFound) {
      // Deleted in Clarus (a cancelled DRAFT or PENDING order): nothing left.
      ASSIGN_OR_RETURN(auto tx, store_->Begin());
      RETURN_IF_ERROR(tx->MarkDispatchHintsProcessed(goods_out_id, latest_hint[goods_out_id]));
      RETURN_IF_ERROR(tx->Commit());
      ++pass.not_ours;
      continue;
    }
    // Clarus unreachable: the hints stay pending for the next pass.
    RETURN_IF_ERROR(goods_out.status());
    ++pass.goods_outs_read;
    RETURN_IF_ERROR(Process(*goods_out, latest_hint[goods_out_id], pass));
  }
  return pass;
}

Result<IntakePass> DispatchIntake::Sweep(const std::stop_token& stop) {
  IntakePass pass;
  TimePoint since = clock_->Now() - options_.sweep_lookback;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(auto watermark, tx->FindWatermark(kSweepWatermark));
    if (watermark) {
      ASSIGN_OR_RETURN(const TimePoint stored, ParseIso8601(watermark->value));
      since = stored - options_.sweep_overlap;
    }
  }
  ASSIGN_OR_RETURN(const std::vector<clarus::GoodsOutDetail> changed,
                   goods_outs_->ReadGoodsOuts(FormatIso8601(since)));
  std::optional<TimePoint> latest;
  for (const clarus::GoodsOutDetail& goods_out : changed) {
    if (stop.stop_requested()) {
      return pass;  // The watermark stays: the rest is read again next time.
    }
    ++pass.goods_outs_read;
    RETURN_IF_ERROR(Process(goods_out, 0, pass));
    if (auto stamp = ParseIso8601(LatestStamp(goods_out)); stamp.ok()) {
      latest = latest ? std::max(*latest, *stamp) : *stamp;
    }
  }
  if (latest) {
    ASSIGN_OR_RETURN(auto tx, store_->Begin());
    RETURN_IF_ERROR(tx->SetWatermark(kSweepWatermark, FormatIso8601(*latest)));
    RETURN_IF_ERROR(tx->Commit());
  }
  return pass;
}

Status DispatchIntake::Process(const clarus::GoodsOutDetail& goods_out, std::int64_t up_to_hint,
                               IntakePass& pass) {
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  if (up_to_hint > 0) {
    RETURN_IF_ERROR(tx->MarkDispatchHintsProcessed(goods_out.id, up_to_hint));
  }
  Result<store::StoredOrder> stored = tx->GetOrder(goods_out.reference);
  if (stored.status().code() == StatusCode::kNotFound ||
      (stored.ok() && !stored->sync.clarus_goods_out_id.empty() &&
       stored->sync.clarus_goods_out_id != goods_out.id)) {
    // Another channel's goods-out, or one this order no longer uses.
    ++pass.not_ours;
    return tx->Commit();
  }
  RETURN_IF_ERROR(stored.status());
  DispatchInputs inputs{.order = &stored->order, .goods_out = &goods_out};
  ASSIGN_OR_RETURN(inputs.existing, tx->ListConfirmations({.amazon_order_id = goods_out.reference,
                                                           .limit = kOutboxEntriesPerOrder}));
  ASSIGN_OR_RETURN(inputs.mappings, tx->ListShipMethodMappings());
  ASSIGN_OR_RETURN(inputs.label, tx->FindOrderLabel(goods_out.reference));
  const DispatchPlan plan = PlanDispatch(inputs);

  for (const store::NewConfirmation& confirmation : plan.confirmations) {
    ASSIGN_OR_RETURN(const store::EnqueueOutcome outcome, tx->EnqueueConfirmation(confirmation));
    if (!outcome.created) {
      continue;
    }
    ++pass.confirmations_created;
    if (confirmation.transport == store::ConfirmationTransport::kLabel) {
      // Amazon shipped the order when it sold the label: only a read-back is due.
      RETURN_IF_ERROR(tx->UpdateConfirmation(
          outcome.id,
          {.state = store::ConfirmationState::kAccepted, .next_attempt_at = clock_->Now()}));
    }
  }
  pass.waiting_for_tracking += plan.waiting_for_tracking;

  ASSIGN_OR_RETURN(auto held, tx->FindException(kDispatchKind, goods_out.reference));
  if (!plan.problems.empty()) {
    const std::string reason = Joined(plan.problems);
    // The same problem again changes nothing; one a person resolved stays resolved.
    if (!held || held->reason != reason) {
      ASSIGN_OR_RETURN(const std::int64_t id,
                       tx->HoldException({.kind = std::string(kDispatchKind),
                                          .subject_id = goods_out.reference,
                                          .reason = reason,
                                          .suggested_fix = Joined(plan.fixes)}));
      ++pass.problems;
      spdlog::warn("dispatch of order {} held (exception {}): {}", goods_out.reference, id, reason);
    }
  } else if (held && held->IsOpen()) {
    RETURN_IF_ERROR(
        tx->ResolveException(held->id, "system", "the goods-out, read again, needs nothing more"));
  }

  if (plan.completed && stored->sync.state == store::SyncState::kSentToClarus) {
    RETURN_IF_ERROR(
        tx->SetOrderSyncState(goods_out.reference, store::SyncState::kDispatched, std::nullopt));
    ++pass.orders_dispatched;
  }
  return tx->Commit();
}

}  // namespace sellerbridge::sync
