#include "monitor/at_risk.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "base/local_time.h"
#include "base/marketplace.h"
#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::monitor {
namespace {

using store::ConfirmationState;
using store::SyncState;

// Clarus goods-out statuses before picking starts.
constexpr std::array<std::string_view, 4> kNotPickedStatuses = {"DRAFT", "PENDING",
                                                                "PART_ALLOCATED", "ALLOCATED"};

std::string LocalDeadline(TimePoint deadline, std::string_view marketplace_id) {
  const Marketplace* marketplace = FindMarketplace(marketplace_id);
  if (marketplace != nullptr) {
    Result<std::string> local = FormatLocalTime(deadline, marketplace->time_zone);
    if (local.ok()) {
      return *local;
    }
  }
  return FormatIso8601(deadline);
}

AtRiskOrder Risk(const domain::Order& order, TimePoint deadline, TimePoint now, RiskStage stage,
                 std::string detail, std::string goods_out_id = {}) {
  return AtRiskOrder{.amazon_order_id = order->amazon_order_id,
                     .marketplace_id = order->marketplace_id,
                     .deadline = deadline,
                     .deadline_local = LocalDeadline(deadline, order->marketplace_id),
                     .time_left = deadline - now,
                     .stage = stage,
                     .detail = std::move(detail),
                     .clarus_goods_out_id = std::move(goods_out_id)};
}

// The stage of an order in Clarus that is not dispatched, from its goods-out status.
std::pair<RiskStage, std::string> ClarusStage(const std::string& goods_out_id,
                                              const GoodsOutStatusReader& goods_out_status) {
  if (goods_out_id.empty() || !goods_out_status) {
    return {RiskStage::kNotPicked, "in Clarus, not dispatched"};
  }
  const Result<std::string> status = goods_out_status(goods_out_id);
  if (!status.ok()) {
    return {RiskStage::kNotPicked,
            fmt::format("in Clarus, not dispatched (its status could not be read: {})",
                        status.status().message())};
  }
  if (std::find(kNotPickedStatuses.begin(), kNotPickedStatuses.end(), *status) !=
      kNotPickedStatuses.end()) {
    return {RiskStage::kNotPicked,
            fmt::format("Clarus goods-out {} is {}: not picked yet", goods_out_id, *status)};
  }
  if (*status == "PICK") {
    return {RiskStage::kPicking,
            fmt::format("Clarus goods-out {} is being picked: not dispatched", goods_out_id)};
  }
  if (*status == "COMPLETED") {
    return {RiskStage::kPicking,
            fmt::format("Clarus goods-out {} is COMPLETED but its dispatch has not reached "
                        "sellerbridge yet",
                        goods_out_id)};
  }
  return {RiskStage::kNotPicked, fmt::format("Clarus goods-out {} is {}", goods_out_id, *status)};
}

// Orders in `state` whose deadline is within the margin: not dispatched in Clarus.
Status AddUndispatched(store::Transaction& tx, SyncState state, TimePoint now,
                       const AtRiskOptions& options, const GoodsOutStatusReader& goods_out_status,
                       std::vector<AtRiskOrder>& out) {
  ASSIGN_OR_RETURN(std::vector<store::StoredOrder> orders,
                   tx.ListOrders({.sync_state = state, .limit = options.scan_limit}));
  // The open exceptions by subject, read once and only when a held order is at risk.
  std::optional<std::map<std::string, std::string>> hold_reasons;
  for (const store::StoredOrder& stored : orders) {
    const domain::Order& order = stored.order;
    if (!order->latest_ship_date.has_value() || order->status == domain::OrderStatus::kCancelled ||
        *order->latest_ship_date - now > options.margin) {
      continue;
    }
    const TimePoint deadline = *order->latest_ship_date;
    switch (state) {
      case SyncState::kHeld: {
        if (!hold_reasons.has_value()) {
          ASSIGN_OR_RETURN(std::vector<store::HeldException> held,
                           tx.ListExceptions({.open_only = true, .limit = options.scan_limit}));
          hold_reasons.emplace();
          for (const store::HeldException& exception : held) {
            hold_reasons->try_emplace(
                exception.subject_id,
                fmt::format("held ({}): {}", exception.kind, exception.reason));
          }
        }
        const auto reason = hold_reasons->find(order->amazon_order_id);
        out.push_back(Risk(
            order, deadline, now, RiskStage::kHeld,
            reason != hold_reasons->end() ? reason->second : std::string("held for a person")));
        break;
      }
      case SyncState::kNew:
      case SyncState::kUpdatePending:
        out.push_back(Risk(order, deadline, now, RiskStage::kNotInClarus,
                           state == SyncState::kNew
                               ? "imported, not yet sent to Clarus"
                               : "changed on Amazon; the Clarus goods-out is being updated",
                           stored.sync.clarus_goods_out_id));
        break;
      default: {
        auto [stage, detail] = ClarusStage(stored.sync.clarus_goods_out_id, goods_out_status);
        out.push_back(
            Risk(order, deadline, now, stage, std::move(detail), stored.sync.clarus_goods_out_id));
        break;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view RiskStageName(RiskStage stage) {
  switch (stage) {
    case RiskStage::kHeld:
      return "held";
    case RiskStage::kNotInClarus:
      return "not_in_clarus";
    case RiskStage::kNotPicked:
      return "not_picked";
    case RiskStage::kPicking:
      return "picking";
    case RiskStage::kDispatchedNotConfirmed:
      return "dispatched_not_confirmed";
    case RiskStage::kConfirmedNotVerified:
      return "confirmed_not_verified";
    case RiskStage::kUnshippedOnAmazon:
      return "unshipped_on_amazon";
  }
  return "unknown";
}

Result<std::vector<AtRiskOrder>> FindAtRiskOrders(store::Transaction& tx, TimePoint now,
                                                  const AtRiskOptions& options,
                                                  const GoodsOutStatusReader& goods_out_status) {
  std::vector<AtRiskOrder> out;
  for (const SyncState state :
       {SyncState::kHeld, SyncState::kNew, SyncState::kUpdatePending, SyncState::kSentToClarus}) {
    RETURN_IF_ERROR(AddUndispatched(tx, state, now, options, goods_out_status, out));
  }

  // Confirmations: one risk per order, for its least advanced parcel.
  std::map<std::string, AtRiskOrder> by_order;
  const auto consider = [&](const store::OutboxEntry& entry, RiskStage stage,
                            std::string detail) -> Status {
    auto found = by_order.find(entry.amazon_order_id);
    if (found != by_order.end() && found->second.stage <= stage) {
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(store::StoredOrder stored, tx.GetOrder(entry.amazon_order_id));
    by_order.insert_or_assign(entry.amazon_order_id,
                              Risk(stored.order, entry.deadline, now, stage, std::move(detail),
                                   stored.sync.clarus_goods_out_id));
    return Status::Ok();
  };
  for (const ConfirmationState state :
       {ConfirmationState::kPending, ConfirmationState::kSending, ConfirmationState::kFailed}) {
    ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> entries,
                     tx.ListConfirmations({.state = state, .limit = options.scan_limit}));
    for (const store::OutboxEntry& entry : entries) {
      if (state != ConfirmationState::kFailed && now - entry.created_at < options.confirm_grace) {
        continue;
      }
      std::string detail = fmt::format(
          "parcel {} dispatched {} min ago; confirmation {}", entry.parcel.package_reference_id,
          std::chrono::duration_cast<std::chrono::minutes>(now - entry.created_at).count(),
          store::ConfirmationStateName(state));
      if (!entry.last_error.empty()) {
        detail += fmt::format(" (last error: {})", entry.last_error);
      }
      RETURN_IF_ERROR(consider(entry, RiskStage::kDispatchedNotConfirmed, std::move(detail)));
    }
  }
  ASSIGN_OR_RETURN(
      std::vector<store::OutboxEntry> accepted,
      tx.ListConfirmations({.state = ConfirmationState::kAccepted, .limit = options.scan_limit}));
  for (const store::OutboxEntry& entry : accepted) {
    if (!entry.accepted_at.has_value() || now - *entry.accepted_at < options.verify_after) {
      continue;
    }
    RETURN_IF_ERROR(consider(
        entry, RiskStage::kConfirmedNotVerified,
        fmt::format(
            "parcel {} accepted by Amazon {} min ago, not yet shown when read back",
            entry.parcel.package_reference_id,
            std::chrono::duration_cast<std::chrono::minutes>(now - *entry.accepted_at).count())));
  }

  // Dispatched orders Amazon still shows unshipped once every confirmation is accepted.
  for (const domain::OrderStatus status :
       {domain::OrderStatus::kUnshipped, domain::OrderStatus::kPartiallyShipped}) {
    ASSIGN_OR_RETURN(
        std::vector<store::StoredOrder> orders,
        tx.ListOrders(
            {.sync_state = SyncState::kDispatched, .status = status, .limit = options.scan_limit}));
    for (const store::StoredOrder& stored : orders) {
      const std::string& id = stored.order->amazon_order_id;
      if (by_order.contains(id)) {
        continue;
      }
      ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> entries,
                       tx.ListConfirmations({.amazon_order_id = id, .limit = 1000}));
      std::optional<TimePoint> last_accepted;
      bool all_accepted = !entries.empty();
      for (const store::OutboxEntry& entry : entries) {
        if (!entry.accepted_at.has_value()) {
          all_accepted = false;
          break;
        }
        last_accepted = std::max(last_accepted.value_or(*entry.accepted_at), *entry.accepted_at);
      }
      if (!all_accepted || now - *last_accepted < options.verify_after) {
        continue;
      }
      const TimePoint deadline = stored.order->latest_ship_date.value_or(entries.front().deadline);
      by_order.insert_or_assign(
          id,
          Risk(stored.order, deadline, now, RiskStage::kUnshippedOnAmazon,
               fmt::format(
                   "dispatched in Clarus and accepted by Amazon {} min ago, but "
                   "Amazon still shows it {}",
                   std::chrono::duration_cast<std::chrono::minutes>(now - *last_accepted).count(),
                   domain::OrderStatusName(status)),
               stored.sync.clarus_goods_out_id));
    }
  }
  for (auto& [id, risk] : by_order) {
    out.push_back(std::move(risk));
  }
  std::sort(out.begin(), out.end(), [](const AtRiskOrder& a, const AtRiskOrder& b) {
    return a.deadline != b.deadline ? a.deadline < b.deadline
                                    : a.amazon_order_id < b.amazon_order_id;
  });
  return out;
}

nlohmann::json AtRiskToJson(const AtRiskOrder& order) {
  return {
      {"amazon_order_id", order.amazon_order_id},
      {"marketplace_id", order.marketplace_id},
      {"deadline", FormatIso8601(order.deadline)},
      {"deadline_local", order.deadline_local},
      {"minutes_left", std::chrono::duration_cast<std::chrono::minutes>(order.time_left).count()},
      {"stage", RiskStageName(order.stage)},
      {"detail", order.detail},
      {"clarus_goods_out_id", order.clarus_goods_out_id}};
}

}  // namespace sellerbridge::monitor
