#include "monitor/account_health.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "amazon/carrier_codes.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "domain/tracking_number.h"

namespace sellerbridge::monitor {
namespace {

using nlohmann::json;

// ListOrders has no cursor; one read must hold every order of the lookback.
constexpr int kMaxOrders = 1'000'000;
// Confirmations of one order: one per parcel, plus corrections.
constexpr int kMaxConfirmationsPerOrder = 1000;

ProjectedRate Window(std::chrono::days days, TimePoint now, double target,
                     TargetCondition condition) {
  return {.window = days,
          .window_from = now - days,
          .window_to = now,
          .target = target,
          .condition = condition};
}

// Amazon's windows end now and reach back whole days: (from, to].
bool In(const ProjectedRate& rate, TimePoint t) {
  return t > rate.window_from && t <= rate.window_to;
}

bool Accepted(const store::OutboxEntry& entry) {
  return entry.accepted_at.has_value() && (entry.state == store::ConfirmationState::kAccepted ||
                                           entry.state == store::ConfirmationState::kVerified);
}

bool ValidTracking(const domain::Parcel& parcel) {
  return amazon::IsAmazonCarrierCode(parcel.carrier_code) &&
         domain::CheckTrackingNumber(parcel.carrier_code, parcel.tracking_number).ok();
}

json Time(const std::optional<TimePoint>& t) { return t ? json(FormatIso8601(*t)) : json(); }

json RateJson(const ProjectedRate& rate) {
  return {{"numerator", rate.numerator},
          {"denominator", rate.denominator},
          {"rate", rate.Rate()},
          {"target", rate.target},
          {"targetCondition", TargetConditionName(rate.condition)},
          {"breached", rate.Breaches()},
          {"windowFrom", FormatIso8601(rate.window_from)},
          {"windowTo", FormatIso8601(rate.window_to)}};
}

json AmazonMetricJson(const std::optional<amazon::PerformanceMetric>& metric) {
  if (!metric) {
    return nullptr;
  }
  const auto or_null = [](const auto& value) { return value ? json(*value) : json(); };
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? json() : json(text);
  };
  return {{"numerator", or_null(metric->numerator)},
          {"denominator", or_null(metric->denominator)},
          {"rate", or_null(metric->rate)},
          {"status", text_or_null(metric->status)},
          {"target", or_null(metric->target_value)},
          {"targetCondition", text_or_null(metric->target_condition)},
          {"breached", or_null(metric->MissesTarget())},
          {"windowFrom", Time(metric->window_from)},
          {"windowTo", Time(metric->window_to)}};
}

}  // namespace

std::string_view TargetConditionName(TargetCondition condition) {
  return condition == TargetCondition::kLessThan ? "LESS_THAN" : "GREATER_THAN";
}

double ProjectedRate::Rate() const {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

bool ProjectedRate::Breaches() const {
  if (denominator == 0) {
    return false;
  }
  return condition == TargetCondition::kLessThan ? !(Rate() < target) : !(Rate() > target);
}

Result<AccountHealthProjection> ProjectAccountHealth(store::Transaction& tx,
                                                     std::string_view marketplace_id,
                                                     TimePoint now) {
  AccountHealthProjection out;
  out.marketplace_id = std::string(marketplace_id);
  out.as_of = now;
  out.late_shipment_10d =
      Window(std::chrono::days{10}, now, kLateShipmentRateTarget, TargetCondition::kLessThan);
  out.late_shipment_30d =
      Window(std::chrono::days{30}, now, kLateShipmentRateTarget, TargetCondition::kLessThan);
  out.cancel_7d = Window(std::chrono::days{7}, now, kCancelRateTarget, TargetCondition::kLessThan);
  out.valid_tracking_7d =
      Window(std::chrono::days{7}, now, kValidTrackingRateTarget, TargetCondition::kGreaterThan);
  out.valid_tracking_30d =
      Window(std::chrono::days{30}, now, kValidTrackingRateTarget, TargetCondition::kGreaterThan);

  ASSIGN_OR_RETURN(
      std::vector<store::StoredOrder> orders,
      tx.ListOrders({.updated_since = now - kProjectionLookback, .limit = kMaxOrders}));
  for (const store::StoredOrder& stored : orders) {
    const domain::OrderData& order = *stored.order;
    if (order.marketplace_id != marketplace_id) {
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> entries,
                     tx.ListConfirmations({.amazon_order_id = order.amazon_order_id,
                                           .limit = kMaxConfirmationsPerOrder}));
    std::optional<TimePoint> first_accepted;
    for (const store::OutboxEntry& entry : entries) {
      if (!Accepted(entry)) {
        continue;
      }
      if (!first_accepted || *entry.accepted_at < *first_accepted) {
        first_accepted = entry.accepted_at;
      }
      for (ProjectedRate* rate : {&out.valid_tracking_7d, &out.valid_tracking_30d}) {
        if (In(*rate, *entry.accepted_at)) {
          ++rate->denominator;
          if (ValidTracking(entry.parcel)) {
            ++rate->numerator;
          }
        }
      }
    }

    const bool cancelled = order.status == domain::OrderStatus::kCancelled;
    // Who cancelled is not recorded, so no cancelled order is held against
    // the late shipment rate, whose count leaves buyer cancellations out.
    if (!cancelled && order.latest_ship_date) {
      const TimePoint deadline = *order.latest_ship_date;
      const bool late = !first_accepted || *first_accepted > deadline;
      for (ProjectedRate* rate : {&out.late_shipment_10d, &out.late_shipment_30d}) {
        if (In(*rate, deadline)) {
          ++rate->denominator;
          rate->numerator += late ? 1 : 0;
        }
      }
      if (In(out.late_shipment_30d, deadline) && !first_accepted) {
        ++out.unconfirmed_late_30d;
      }
    }

    // Amazon's last update of a cancelled order is its cancellation.
    const bool cancelled_in_window = cancelled && In(out.cancel_7d, order.last_update_date);
    if (In(out.cancel_7d, order.purchase_date) || cancelled_in_window) {
      ++out.cancel_7d.denominator;
      if (cancelled_in_window) {
        ++out.cancel_7d.numerator;
        const bool nothing_shipped =
            !first_accepted &&
            std::all_of(order.lines.begin(), order.lines.end(),
                        [](const domain::OrderLine& line) { return line.quantity_shipped == 0; });
        if (nothing_shipped && order.latest_ship_date &&
            order.last_update_date > *order.latest_ship_date) {
          ++out.cancelled_after_ship_deadline_7d;
        }
      }
    }
  }
  return out;
}

std::string AccountHealthWatermarkName(std::string_view marketplace_id) {
  return fmt::format("account_health:{}", marketplace_id);
}

Status SaveSellerPerformance(store::Transaction& tx, std::string_view marketplace_id,
                             std::string_view report_id, TimePoint fetched_at,
                             std::string_view document) {
  RETURN_IF_ERROR(amazon::ParseSellerPerformanceReport(document).status());
  // Checked above, so this parse cannot fail; kept as Amazon sent it so that
  // fields read later are there too.
  const json value = {{"reportId", report_id},
                      {"fetchedAt", FormatIso8601(fetched_at)},
                      {"document", json::parse(document, nullptr, false)}};
  return tx.SetWatermark(AccountHealthWatermarkName(marketplace_id), value.dump());
}

Result<std::optional<FetchedSellerPerformance>> LoadSellerPerformance(
    store::Transaction& tx, std::string_view marketplace_id) {
  const std::string name = AccountHealthWatermarkName(marketplace_id);
  ASSIGN_OR_RETURN(std::optional<store::Watermark> watermark, tx.FindWatermark(name));
  if (!watermark) {
    return std::optional<FetchedSellerPerformance>();
  }
  const auto unreadable = [&name](std::string_view what) {
    return DataLossError(fmt::format("watermark {}: {}", name, what));
  };
  const json value = json::parse(watermark->value, nullptr, false);
  if (!value.is_object() || !value.contains("reportId") || !value["reportId"].is_string() ||
      !value.contains("fetchedAt") || !value["fetchedAt"].is_string() ||
      !value.contains("document")) {
    return unreadable("not a stored seller performance report");
  }
  FetchedSellerPerformance out;
  out.report_id = value["reportId"].get<std::string>();
  auto fetched_at = ParseIso8601(value["fetchedAt"].get<std::string>());
  if (!fetched_at.ok()) {
    return unreadable(fetched_at.status().message());
  }
  out.fetched_at = *fetched_at;
  auto report = amazon::ParseSellerPerformanceReport(value["document"].dump());
  if (!report.ok()) {
    return unreadable(report.status().message());
  }
  out.report = *std::move(report);
  return std::optional<FetchedSellerPerformance>(std::move(out));
}

Result<AccountHealthView> LoadAccountHealthView(store::Transaction& tx,
                                                std::string_view marketplace_id, TimePoint now) {
  AccountHealthView view;
  ASSIGN_OR_RETURN(view.ours, ProjectAccountHealth(tx, marketplace_id, now));
  ASSIGN_OR_RETURN(view.amazon, LoadSellerPerformance(tx, marketplace_id));
  return view;
}

json ToJson(const AccountHealthView& view) {
  const AccountHealthProjection& ours = view.ours;
  const amazon::MarketplacePerformance* theirs =
      view.amazon ? view.amazon->report.Find(ours.marketplace_id) : nullptr;
  const auto amazon_metric =
      [theirs](
          const std::optional<amazon::PerformanceMetric> amazon::MarketplacePerformance::*member) {
        return theirs == nullptr ? json() : AmazonMetricJson(theirs->*member);
      };

  json late_30d = RateJson(ours.late_shipment_30d);
  late_30d["unconfirmed"] = ours.unconfirmed_late_30d;
  json cancel = RateJson(ours.cancel_7d);
  cancel["cancelledAfterShipDeadline"] = ours.cancelled_after_ship_deadline_7d;
  cancel["includesBuyerCancellations"] = true;

  json amazon_report;
  if (view.amazon) {
    const std::string status = view.amazon->report.AccountStatusOf(ours.marketplace_id);
    amazon_report = {
        {"reportId", view.amazon->report_id},
        {"fetchedAt", FormatIso8601(view.amazon->fetched_at)},
        {"accountStatus", status.empty() ? json() : json(status)},
        {"accountHealthRating", theirs == nullptr || theirs->account_health_rating_status.empty()
                                    ? json()
                                    : json(theirs->account_health_rating_status)}};
  }
  return {
      {"marketplaceId", ours.marketplace_id},
      {"asOf", FormatIso8601(ours.as_of)},
      {"amazonReport", std::move(amazon_report)},
      {"metrics",
       {{"lateShipmentRate",
         {{"ours", {{"10d", RateJson(ours.late_shipment_10d)}, {"30d", std::move(late_30d)}}},
          {"amazon", amazon_metric(&amazon::MarketplacePerformance::late_shipment_rate)}}},
        {"preFulfillmentCancellationRate",
         {{"ours", {{"7d", std::move(cancel)}}},
          {"amazon",
           amazon_metric(&amazon::MarketplacePerformance::pre_fulfillment_cancellation_rate)}}},
        {"validTrackingRate",
         {{"ours",
           {{"7d", RateJson(ours.valid_tracking_7d)}, {"30d", RateJson(ours.valid_tracking_30d)}}},
          {"amazon", amazon_metric(&amazon::MarketplacePerformance::valid_tracking_rate)}}},
        {"onTimeDeliveryRate",
         {{"ours", nullptr},
          {"amazon", amazon_metric(&amazon::MarketplacePerformance::on_time_delivery_rate)}}}}}};
}

Result<FetchedSellerPerformance> FetchSellerPerformance(amazon::ReportsApi* reports,
                                                        store::Store* store, Clock* clock,
                                                        std::string_view marketplace_id,
                                                        const FetchOptions& options) {
  const TimePoint give_up_at = clock->Now() + options.give_up_after;
  // No call deadline: give_up_after is measured on `clock`, which need not
  // be the clock the SP-API client waits on; options.stop ends any wait.
  const amazon::CallOptions call{.lane = options.lane, .stop = options.stop};
  ASSIGN_OR_RETURN(std::string report_id,
                   reports->CreateReport(amazon::kSellerPerformanceReportType,
                                         {std::string(marketplace_id)}, call));
  const std::string what =
      fmt::format("seller performance report {} for {}", report_id, marketplace_id);
  amazon::ReportInfo report;
  for (;;) {
    ASSIGN_OR_RETURN(report, reports->GetReport(report_id, call));
    if (report.Finished()) {
      break;
    }
    const TimePoint next = clock->Now() + options.poll_interval;
    if (next > give_up_at) {
      return DeadlineExceededError(fmt::format("{}: still {} after {}", what,
                                               report.processing_status,
                                               FormatDuration(options.give_up_after)));
    }
    if (!clock->SleepUntil(next, options.stop)) {
      return CancelledError(
          fmt::format("{}: stopped while it was {}", what, report.processing_status));
    }
  }
  if (report.processing_status == "CANCELLED") {
    return NotFoundError(fmt::format("{}: Amazon cancelled it (it has no data to report)", what));
  }
  if (report.processing_status != "DONE") {
    return UnavailableError(fmt::format("{}: Amazon ended it {}", what, report.processing_status));
  }
  if (!report.report_document_id) {
    return UnavailableError(fmt::format("{}: DONE without a reportDocumentId", what));
  }
  ASSIGN_OR_RETURN(std::string document, reports->Download(*report.report_document_id, call));
  auto parsed = amazon::ParseSellerPerformanceReport(document);
  if (!parsed.ok()) {
    return parsed.status().WithContext(what);
  }
  FetchedSellerPerformance out{
      .report_id = report_id, .fetched_at = clock->Now(), .report = *std::move(parsed)};
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> tx, store->Begin());
  RETURN_IF_ERROR(SaveSellerPerformance(*tx, marketplace_id, report_id, out.fetched_at, document));
  RETURN_IF_ERROR(tx->Commit());
  return out;
}

}  // namespace sellerbridge::monitor
