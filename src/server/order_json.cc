#include "server/order_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "base/time_format.h"
#include "server/api_server.h"

namespace sellerbridge::server {
namespace {

using nlohmann::json;

json OptionalTime(const std::optional<TimePoint>& at) {
  return at.has_value() ? json(FormatIso8601(*at)) : json(nullptr);
}

struct Event {
  TimePoint at;
  std::string system;
  std::string event;
  std::string detail;
};

}  // namespace

json OrderSummaryToJson(const store::StoredOrder& stored) {
  const domain::Order& order = stored.order;
  json lines = json::array();
  for (const domain::OrderLine& line : order->lines) {
    lines.push_back({{"order_item_id", line.order_item_id},
                     {"sku", line.sku},
                     {"quantity_ordered", line.quantity_ordered},
                     {"quantity_shipped", line.quantity_shipped}});
  }
  return {{"amazon_order_id", order->amazon_order_id},
          {"marketplace_id", order->marketplace_id},
          {"status", domain::OrderStatusName(order->status)},
          {"sync_state", store::SyncStateName(stored.sync.state)},
          {"clarus_goods_out_id", stored.sync.clarus_goods_out_id},
          {"purchase_date", FormatIso8601(order->purchase_date)},
          {"latest_ship_date", OptionalTime(order->latest_ship_date)},
          {"ship_service_level", order->ship_service_level},
          {"is_prime", order->is_prime},
          {"is_business", order->is_business},
          {"lines", std::move(lines)},
          {"updated_at", FormatIso8601(stored.updated_at)}};
}

Result<json> OrderTimeline(store::Transaction& tx, std::string_view amazon_order_id) {
  ASSIGN_OR_RETURN(store::StoredOrder stored, tx.GetOrder(amazon_order_id));
  const std::string id(amazon_order_id);
  const domain::Order& order = stored.order;
  std::vector<Event> events;
  events.push_back({order->purchase_date, "amazon", "order.placed",
                    fmt::format("{} in {}, {} line(s){}", id, order->marketplace_id,
                                order->lines.size(), order->is_prime ? ", Prime" : "")});
  if (order->last_update_date != order->purchase_date) {
    events.push_back({order->last_update_date, "amazon", "order.updated",
                      fmt::format("status {}", domain::OrderStatusName(order->status))});
  }

  ASSIGN_OR_RETURN(std::vector<store::AuditEntry> audit,
                   tx.ListAudit({.subject = id, .limit = 1000}));
  for (const store::AuditEntry& entry : audit) {
    events.push_back({entry.at, "sellerbridge", entry.action,
                      entry.details.empty()
                          ? fmt::format("by {}", entry.actor)
                          : fmt::format("{} (by {})", entry.details, entry.actor)});
  }

  ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> confirmations,
                   tx.ListConfirmations({.amazon_order_id = id, .limit = 1000}));
  json confirmations_json = json::array();
  for (const store::OutboxEntry& entry : confirmations) {
    const domain::Parcel& parcel = entry.parcel;
    const std::string what = fmt::format("parcel {} ({} {})", parcel.package_reference_id,
                                         parcel.carrier_code, parcel.tracking_number);
    events.push_back({parcel.ship_date, "clarus", "parcel.dispatched", what});
    events.push_back(
        {entry.created_at, "sellerbridge", "confirmation.queued",
         fmt::format("{} by {}", what, store::ConfirmationTransportName(entry.transport))});
    if (entry.accepted_at.has_value()) {
      events.push_back({*entry.accepted_at, "amazon", "confirmation.accepted", what});
    }
    if (entry.verified_at.has_value()) {
      events.push_back({*entry.verified_at, "amazon", "confirmation.verified", what});
    }
    confirmations_json.push_back({{"id", entry.id},
                                  {"package_reference_id", parcel.package_reference_id},
                                  {"carrier_code", parcel.carrier_code},
                                  {"carrier_name", parcel.carrier_name},
                                  {"shipping_method", parcel.shipping_method},
                                  {"tracking_number", parcel.tracking_number},
                                  {"ship_date", FormatIso8601(parcel.ship_date)},
                                  {"state", store::ConfirmationStateName(entry.state)},
                                  {"transport", store::ConfirmationTransportName(entry.transport)},
                                  {"attempts", entry.attempts},
                                  {"last_error", entry.last_error},
                                  {"deadline", FormatIso8601(entry.deadline)},
                                  {"created_at", FormatIso8601(entry.created_at)},
                                  {"accepted_at", OptionalTime(entry.accepted_at)},
                                  {"verified_at", OptionalTime(entry.verified_at)},
                                  {"clarus_shipment_id", entry.clarus_shipment_id}});
  }

  ASSIGN_OR_RETURN(std::optional<store::OrderLabel> label, tx.FindOrderLabel(id));
  if (label.has_value()) {
    events.push_back(
        {label->updated_at, "amazon", "label." + std::string(store::LabelStateName(label->state)),
         fmt::format("{} {} {}", label->carrier_name, label->service_name, label->tracking_id)});
  }

  ASSIGN_OR_RETURN(std::vector<store::HeldException> exceptions,
                   tx.ListExceptions({.open_only = false, .subject_id = id, .limit = 1000}));
  json exceptions_json = json::array();
  for (const store::HeldException& exception : exceptions) {
    events.push_back({exception.first_seen, "sellerbridge", "exception.held",
                      fmt::format("{}: {}", exception.kind, exception.reason)});
    if (exception.resolved_at.has_value()) {
      events.push_back({*exception.resolved_at, "sellerbridge", "exception.resolved",
                        fmt::format("{} by {}", exception.kind, exception.resolved_by)});
    }
    exceptions_json.push_back(ExceptionToJson(exception));
  }

  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  json timeline = json::array();
  for (const Event& event : events) {
    timeline.push_back({{"at", FormatIso8601(event.at)},
                        {"system", event.system},
                        {"event", event.event},
                        {"detail", event.detail}});
  }
  return json{{"order", OrderSummaryToJson(stored)},
              {"timeline", std::move(timeline)},
              {"confirmations", std::move(confirmations_json)},
              {"exceptions", std::move(exceptions_json)}};
}

}  // namespace sellerbridge::server
