#include "emulators/amazon/performance_report.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

constexpr double kLateShipmentTarget = 0.04;
constexpr double kCancelTarget = 0.025;
constexpr double kValidTrackingTarget = 0.95;

// Amazon writes reporting dates to the minute: "2020-10-21T00:00Z".
std::string ReportDate(TimePoint t) { return FormatIso8601(t).substr(0, 16) + "Z"; }

json DateRange(TimePoint as_of, std::chrono::days days) {
  return {{"reportingDateFrom", ReportDate(as_of - days)}, {"reportingDateTo", ReportDate(as_of)}};
}

enum class Condition { kLessThan, kGreaterThan };

std::string StatusOf(const RateMetric& metric, double target, Condition condition) {
  if (metric.denominator == 0) {
    return "NONE";
  }
  const double rate = metric.Rate();
  const bool met = condition == Condition::kLessThan ? rate < target : rate > target;
  return met ? "GOOD" : "BAD";
}

// A rate metric the emulator measures: the shared fields, the counts added
// by the caller under the schema's names.
json MeasuredRate(const RateMetric& metric, double target, Condition condition, TimePoint as_of,
                  std::chrono::days days) {
  return {{"reportingDateRange", DateRange(as_of, days)},
          {"status", StatusOf(metric, target, condition)},
          {"rate", metric.Rate()},
          {"targetValue", target},
          {"targetCondition", condition == Condition::kLessThan ? "LESS_THAN" : "GREATER_THAN"}};
}

json Unmeasured(double target, std::string_view condition, TimePoint as_of,
                std::chrono::days days) {
  return {{"reportingDateRange", DateRange(as_of, days)},
          {"status", "NONE"},
          {"rate", 0.0},
          {"targetValue", target},
          {"targetCondition", condition}};
}

json CountAndStatus() { return {{"count", 0}, {"status", "NONE"}}; }

json OrderDefects(std::string_view fulfillment_type, TimePoint as_of) {
  json metric = Unmeasured(0.01, "LESS_THAN", as_of, std::chrono::days{60});
  metric["orderCount"] = 0;
  metric["orderWithDefects"] = CountAndStatus();
  metric["claims"] = CountAndStatus();
  metric["chargebacks"] = CountAndStatus();
  metric["negativeFeedback"] = CountAndStatus();
  metric["fulfillmentType"] = fulfillment_type;
  return metric;
}

json ListingLevel(TimePoint as_of) {
  return {{"reportingDateRange", DateRange(as_of, std::chrono::days{180})},
          {"defectsCount", 0},
          {"status", "GOOD"},
          {"targetValue", 0},
          {"targetCondition", "EQUALS"}};
}

json Metrics(const std::string& marketplace_id, const AccountHealth& health, bool& at_risk) {
  const TimePoint as_of = health.as_of;
  json late = MeasuredRate(health.late_shipment_30d, kLateShipmentTarget, Condition::kLessThan,
                           as_of, std::chrono::days{30});
  late["orderCount"] = health.late_shipment_30d.denominator;
  late["lateShipmentCount"] = health.late_shipment_30d.numerator;

  json cancel = MeasuredRate(health.cancel_7d, kCancelTarget, Condition::kLessThan, as_of,
                             std::chrono::days{7});
  cancel["orderCount"] = health.cancel_7d.denominator;
  cancel["cancellationCount"] = health.cancel_7d.numerator;

  json tracking = MeasuredRate(health.valid_tracking_30d, kValidTrackingTarget,
                               Condition::kGreaterThan, as_of, std::chrono::days{30});
  tracking["shipmentCount"] = health.valid_tracking_30d.denominator;
  tracking["validTrackingCount"] = health.valid_tracking_30d.numerator;

  at_risk = late["status"] == "BAD" || cancel["status"] == "BAD" || tracking["status"] == "BAD";

  json on_time = Unmeasured(0.97, "GREATER_THAN", as_of, std::chrono::days{14});
  on_time["shipmentCountWithValidTracking"] = 0;
  on_time["onTimeDeliveryCount"] = 0;
  json unit_on_time = Unmeasured(0.9, "GREATER_THAN", as_of, std::chrono::days{14});
  unit_on_time["unitOnTimeDeliveryCount"] = 0;
  unit_on_time["totalUnitCount"] = 0;
  json invoices = Unmeasured(0.05, "LESS_THAN", as_of, std::chrono::days{7});
  invoices["orderCount"] = 0;
  invoices["invoiceDefect"] = CountAndStatus();
  invoices["missingInvoice"] = CountAndStatus();
  invoices["lateInvoice"] = CountAndStatus();

  const std::string rating = at_risk ? "WARNED" : "GREAT";
  json metrics = {{"marketplaceId", marketplace_id},
                  {"lateShipmentRate", std::move(late)},
                  {"preFulfillmentCancellationRate", std::move(cancel)},
                  {"validTrackingRate", std::move(tracking)},
                  {"onTimeDeliveryRate", std::move(on_time)},
                  {"unitOnTimeDeliveryRate", std::move(unit_on_time)},
                  {"invoiceDefectRate", std::move(invoices)},
                  {"orderDefectRate",
                   {{"mfn", OrderDefects("mfn", as_of)}, {"afn", OrderDefects("afn", as_of)}}},
                  {"warningStates", json::array()},
                  // The schema requires ahrStatus but declares accountHealthRatingStatus;
                  // both are written so that either reading finds it.
                  {"accountHealthRating",
                   {{"ahrStatus", rating},
                    {"accountHealthRatingStatus", rating},
                    {"reportingDateRange", DateRange(as_of, std::chrono::days{180})}}}};
  for (const char* name :
       {"listingPolicyViolations", "productAuthenticityCustomerComplaints",
        "productConditionCustomerComplaints", "productSafetyCustomerComplaints",
        "receivedIntellectualPropertyComplaints", "restrictedProductPolicyViolations",
        "suspectedIntellectualPropertyViolations", "foodAndProductSafetyIssues",
        "otherPolicyViolations", "documentRequests"}) {
    metrics[name] = ListingLevel(as_of);
  }
  return metrics;
}

}  // namespace

std::string SellerPerformanceDocument(
    const std::vector<std::pair<std::string, AccountHealth>>& by_marketplace) {
  json statuses = json::array();
  json metrics = json::array();
  for (const auto& [marketplace_id, health] : by_marketplace) {
    bool at_risk = false;
    metrics.push_back(Metrics(marketplace_id, health, at_risk));
    statuses.push_back(
        {{"marketplaceId", marketplace_id}, {"status", at_risk ? "AT_RISK" : "NORMAL"}});
  }
  return json{{"accountStatuses", std::move(statuses)}, {"performanceMetrics", std::move(metrics)}}
      .dump();
}

}  // namespace sellerbridge::emulators::amazon
