#include "amazon/seller_performance.h"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kWhere = "seller performance report";

Status Wrong(const std::string& path, std::string_view expected) {
  return InvalidArgumentError(fmt::format("{}: {} must be {}", kWhere, path, expected));
}

// The member `key` of `object`, or null when absent or JSON null.
const json* Member(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

Result<std::optional<double>> OptionalNumber(const json& object, std::string_view key,
                                             const std::string& path) {
  const json* value = Member(object, key);
  if (value == nullptr) {
    return std::optional<double>();
  }
  if (!value->is_number()) {
    return Wrong(fmt::format("{}.{}", path, key), "a number");
  }
  return std::optional<double>(value->get<double>());
}

// Counts are integers in the schema, but shipmentCountWithValidTracking is
// declared a number: a whole number written as 12.0 is read as 12.
Result<std::optional<std::int64_t>> OptionalCount(const json& object, std::string_view key,
                                                  const std::string& path) {
  const json* value = Member(object, key);
  if (value == nullptr) {
    return std::optional<std::int64_t>();
  }
  if (value->is_number_integer()) {
    return std::optional<std::int64_t>(value->get<std::int64_t>());
  }
  if (value->is_number_float()) {
    const double number = value->get<double>();
    const auto whole = static_cast<std::int64_t>(number);
    if (static_cast<double>(whole) == number) {
      return std::optional<std::int64_t>(whole);
    }
  }
  return Wrong(fmt::format("{}.{}", path, key), "a whole number");
}

Result<std::string> OptionalText(const json& object, std::string_view key,
                                 const std::string& path) {
  const json* value = Member(object, key);
  if (value == nullptr) {
    return std::string();
  }
  if (!value->is_string()) {
    return Wrong(fmt::format("{}.{}", path, key), "a string");
  }
  return value->get<std::string>();
}

// Amazon writes reporting dates to the minute ("2020-10-21T00:00Z"); the
// base parser wants seconds, which are added.
Result<std::optional<TimePoint>> OptionalDate(const json& object, std::string_view key,
                                              const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, OptionalText(object, key, path));
  if (text.empty()) {
    return std::optional<TimePoint>();
  }
  std::string full = text;
  if (full.size() >= 16 && full[13] == ':' && (full.size() == 16 || full[16] != ':')) {
    full.insert(16, ":00");
  }
  if (full.size() == 19) {
    full += 'Z';
  }
  auto parsed = ParseIso8601(full);
  if (!parsed.ok()) {
    return InvalidArgumentError(
        fmt::format("{}: {}.{} is not a date-time: '{}'", kWhere, path, key, text));
  }
  return std::optional<TimePoint>(*parsed);
}

Result<const json*> OptionalObjectAt(const json& object, std::string_view key,
                                     const std::string& path) {
  const json* value = Member(object, key);
  if (value != nullptr && !value->is_object()) {
    return Wrong(fmt::format("{}.{}", path, key), "an object");
  }
  return value;
}

Status ReadWindow(const json& object, const std::string& path, std::optional<TimePoint>& from,
                  std::optional<TimePoint>& to) {
  ASSIGN_OR_RETURN(const json* range, OptionalObjectAt(object, "reportingDateRange", path));
  if (range != nullptr) {
    const std::string range_path = path + ".reportingDateRange";
    ASSIGN_OR_RETURN(from, OptionalDate(*range, "reportingDateFrom", range_path));
    ASSIGN_OR_RETURN(to, OptionalDate(*range, "reportingDateTo", range_path));
  }
  return Status::Ok();
}

// Reads the metric under the first of `keys` that is present. `numerator` is
// a count member, or "<member>.count" for a nested one (orderWithDefects).
Result<std::optional<PerformanceMetric>> ReadMetric(const json& entry,
                                                    std::initializer_list<std::string_view> keys,
                                                    std::string_view numerator,
                                                    std::string_view denominator,
                                                    const std::string& entry_path) {
  for (const std::string_view key : keys) {
    ASSIGN_OR_RETURN(const json* object, OptionalObjectAt(entry, key, entry_path));
    if (object == nullptr) {
      continue;
    }
    const std::string path = fmt::format("{}.{}", entry_path, key);
    PerformanceMetric metric;
    ASSIGN_OR_RETURN(metric.rate, OptionalNumber(*object, "rate", path));
    if (const auto dot = numerator.find('.'); dot != std::string_view::npos) {
      ASSIGN_OR_RETURN(const json* nested,
                       OptionalObjectAt(*object, numerator.substr(0, dot), path));
      if (nested != nullptr) {
        ASSIGN_OR_RETURN(metric.numerator,
                         OptionalCount(*nested, numerator.substr(dot + 1),
                                       fmt::format("{}.{}", path, numerator.substr(0, dot))));
      }
    } else {
      ASSIGN_OR_RETURN(metric.numerator, OptionalCount(*object, numerator, path));
    }
    ASSIGN_OR_RETURN(metric.denominator, OptionalCount(*object, denominator, path));
    ASSIGN_OR_RETURN(metric.status, OptionalText(*object, "status", path));
    ASSIGN_OR_RETURN(metric.target_value, OptionalNumber(*object, "targetValue", path));
    ASSIGN_OR_RETURN(metric.target_condition, OptionalText(*object, "targetCondition", path));
    RETURN_IF_ERROR(ReadWindow(*object, path, metric.window_from, metric.window_to));
    return std::optional<PerformanceMetric>(std::move(metric));
  }
  return std::optional<PerformanceMetric>();
}

Result<MarketplacePerformance> ReadEntry(const json& entry, const std::string& path) {
  if (!entry.is_object()) {
    return Wrong(path, "an object");
  }
  MarketplacePerformance out;
  ASSIGN_OR_RETURN(out.marketplace_id, OptionalText(entry, "marketplaceId", path));
  if (out.marketplace_id.empty()) {
    return InvalidArgumentError(fmt::format("{}: {}.marketplaceId is missing", kWhere, path));
  }
  ASSIGN_OR_RETURN(out.late_shipment_rate, ReadMetric(entry, {"lateShipmentRate"},
                                                      "lateShipmentCount", "orderCount", path));
  ASSIGN_OR_RETURN(out.pre_fulfillment_cancellation_rate,
                   ReadMetric(entry, {"preFulfillmentCancellationRate", "prefulfillmentCancelRate"},
                              "cancellationCount", "orderCount", path));
  ASSIGN_OR_RETURN(
      out.valid_tracking_rate,
      ReadMetric(entry, {"validTrackingRate"}, "validTrackingCount", "shipmentCount", path));
  ASSIGN_OR_RETURN(out.on_time_delivery_rate,
                   ReadMetric(entry, {"onTimeDeliveryRate"}, "onTimeDeliveryCount",
                              "shipmentCountWithValidTracking", path));
  ASSIGN_OR_RETURN(const json* defects, OptionalObjectAt(entry, "orderDefectRate", path));
  if (defects != nullptr) {
    ASSIGN_OR_RETURN(out.order_defect_rate, ReadMetric(*defects, {"mfn"}, "orderWithDefects.count",
                                                       "orderCount", path + ".orderDefectRate"));
  }
  ASSIGN_OR_RETURN(const json* rating, OptionalObjectAt(entry, "accountHealthRating", path));
  if (rating != nullptr) {
    const std::string rating_path = path + ".accountHealthRating";
    // The schema declares accountHealthRatingStatus but requires ahrStatus.
    ASSIGN_OR_RETURN(out.account_health_rating_status,
                     OptionalText(*rating, "accountHealthRatingStatus", rating_path));
    if (out.account_health_rating_status.empty()) {
      ASSIGN_OR_RETURN(out.account_health_rating_status,
                       OptionalText(*rating, "ahrStatus", rating_path));
    }
    RETURN_IF_ERROR(ReadWindow(*rating, rating_path, out.account_health_rating_from,
                               out.account_health_rating_to));
  }
  return out;
}

}  // namespace

std::optional<bool> PerformanceMetric::MissesTarget() const {
  if (!rate || !target_value) {
    return std::nullopt;
  }
  if (target_condition == "LESS_THAN") {
    return !(*rate < *target_value);
  }
  if (target_condition == "GREATER_THAN") {
    return !(*rate > *target_value);
  }
  if (target_condition == "EQUALS") {
    return *rate != *target_value;
  }
  return std::nullopt;
}

const MarketplacePerformance* SellerPerformance::Find(std::string_view marketplace_id) const {
  for (const MarketplacePerformance& marketplace : marketplaces) {
    if (marketplace.marketplace_id == marketplace_id) {
      return &marketplace;
    }
  }
  return nullptr;
}

std::string SellerPerformance::AccountStatusOf(std::string_view marketplace_id) const {
  for (const AccountStatus& status : account_statuses) {
    if (status.marketplace_id == marketplace_id) {
      return status.status;
    }
  }
  return {};
}

Result<SellerPerformance> ParseSellerPerformanceReport(std::string_view text) {
  const json document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", kWhere));
  }
  SellerPerformance out;
  if (const json* statuses = Member(document, "accountStatuses"); statuses != nullptr) {
    if (!statuses->is_array()) {
      return Wrong("accountStatuses", "an array");
    }
    for (std::size_t i = 0; i < statuses->size(); ++i) {
      const std::string path = fmt::format("accountStatuses[{}]", i);
      const json& status = (*statuses)[i];
      if (!status.is_object()) {
        return Wrong(path, "an object");
      }
      AccountStatus read;
      ASSIGN_OR_RETURN(read.marketplace_id, OptionalText(status, "marketplaceId", path));
      ASSIGN_OR_RETURN(read.status, OptionalText(status, "status", path));
      if (!read.marketplace_id.empty()) {
        out.account_statuses.push_back(std::move(read));
      }
    }
  }
  const json* metrics = Member(document, "performanceMetrics");
  if (metrics == nullptr) {
    return InvalidArgumentError(fmt::format("{}: performanceMetrics is missing", kWhere));
  }
  if (!metrics->is_array()) {
    return Wrong("performanceMetrics", "an array");
  }
  for (std::size_t i = 0; i < metrics->size(); ++i) {
    ASSIGN_OR_RETURN(MarketplacePerformance entry,
                     ReadEntry((*metrics)[i], fmt::format("performanceMetrics[{}]", i)));
    out.marketplaces.push_back(std::move(entry));
  }
  return out;
}

}  // namespace sellerbridge::amazon
