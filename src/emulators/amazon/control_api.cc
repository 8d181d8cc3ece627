#include "emulators/amazon/control_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/time_format.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/amazon/order_json.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

http::Response Problem(int status, std::string_view message) {
  return http::Response::Json(status, json{{"error", message}}.dump());
}

http::Response FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return Problem(404, status.message());
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return Problem(409, status.message());
    default:
      return Problem(400, status.message());
  }
}

// Parses the body as a JSON object; an empty body is an empty object.
std::optional<json> ObjectBody(const http::Request& request) {
  if (request.body.empty()) {
    return json::object();
  }
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return std::nullopt;
  }
  return body;
}

// Reads an optional member of type T; false when present with another type.
template <typename T>
bool Read(const json& body, std::string_view name, std::optional<T>& out) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    return true;
  }
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) {
      return false;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) {
      return false;
    }
  } else if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer()) {
      return false;
    }
  } else {
    if (!it->is_number()) {
      return false;
    }
  }
  out = it->get<T>();
  return true;
}

Result<NewOrder> ParseNewOrder(const json& body) {
  NewOrder order;
  std::optional<std::string> marketplace;
  std::optional<std::string> order_id;
  std::optional<std::string> purchase_date;
  std::optional<std::string> latest_ship_date;
  std::optional<bool> is_prime;
  std::optional<std::string> level;
  std::optional<std::string> category;
  std::optional<int> pending_seconds;
  std::optional<double> cancel_after;
  if (!Read(body, "marketplaceId", marketplace) || !Read(body, "orderId", order_id) ||
      !Read(body, "purchaseDate", purchase_date) ||
      !Read(body, "latestShipDate", latest_ship_date) || !Read(body, "isPrime", is_prime) ||
      !Read(body, "shipServiceLevel", level) ||
      !Read(body, "shipmentServiceLevelCategory", category) ||
      !Read(body, "pendingSeconds", pending_seconds) ||
      !Read(body, "buyerCancelsAfterSeconds", cancel_after)) {
    return InvalidArgumentError("a member of the order has the wrong type");
  }
  order.marketplace_id = marketplace.value_or("");
  order.order_id = order_id;
  order.is_prime = is_prime.value_or(false);
  order.ship_service_level = level.value_or("");
  order.service_level_category = category.value_or("");
  order.pending_seconds = pending_seconds.value_or(0);
  if (order.pending_seconds < 0) {
    return InvalidArgumentError("pendingSeconds must not be negative");
  }
  if (purchase_date) {
    auto parsed = ParseIso8601(*purchase_date);
    if (!parsed.ok()) {
      return parsed.status();
    }
    order.purchase_date = *parsed;
  }
  if (latest_ship_date) {
    auto parsed = ParseIso8601(*latest_ship_date);
    if (!parsed.ok()) {
      return parsed.status();
    }
    order.latest_ship_date = *parsed;
  }
  if (cancel_after) {
    order.buyer_cancels_after =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*cancel_after));
  }
  const auto items = body.find("items");
  if (items == body.end() || !items->is_array()) {
    return InvalidArgumentError("items must be an array of {sku, quantity, orderItemId?}");
  }
  for (const json& item : *items) {
    std::optional<std::string> sku;
    std::optional<int> quantity;
    std::optional<std::string> item_id;
    if (!item.is_object() || !Read(item, "sku", sku) || !Read(item, "quantity", quantity) ||
        !Read(item, "orderItemId", item_id) || !sku) {
      return InvalidArgumentError("items must be an array of {sku, quantity, orderItemId?}");
    }
    order.lines.push_back(
        {.sku = *sku, .quantity = quantity.value_or(1), .order_item_id = item_id});
  }
  return order;
}

json MetricJson(const RateMetric& metric) {
  return {{"numerator", metric.numerator},
          {"denominator", metric.denominator},
          {"rate", metric.Rate()}};
}

json HealthJson(const AccountHealth& health) {
  json by_category = json::object();
  for (const auto& [category, metric] : health.valid_tracking_30d_by_category) {
    by_category[category] = MetricJson(metric);
  }
  return {{"asOf", FormatIso8601(health.as_of)},
          {"lateShipmentRate",
           {{"10d", MetricJson(health.late_shipment_10d)},
            {"30d", MetricJson(health.late_shipment_30d)}}},
          {"cancelRate", {{"7d", MetricJson(health.cancel_7d)}}},
          {"validTrackingRate",
           {{"7d", MetricJson(health.valid_tracking_7d)},
            {"30d", MetricJson(health.valid_tracking_30d)},
            {"30dByCategory", std::move(by_category)}}}};
}

json SettlementControlJson(const SettlementRecord& record) {
  return {{"settlementId", record.settlement.settlement_id},
          {"marketplaceId", record.marketplace_id},
          {"currency", record.settlement.currency},
          {"startDate", FormatIso8601(record.settlement.start_date)},
          {"endDate", FormatIso8601(record.settlement.end_date)},
          {"depositDate", FormatIso8601(record.settlement.deposit_date)},
          {"totalAmount", FormatAmount(record.total_minor)},
          {"lines", record.settlement.lines.size()},
          {"reportId", record.report_id},
          {"reportDocumentId", record.report_document_id}};
}

json ListingJson(const Listing& listing) {
  json pending = json::array();
  for (const Listing::Pending& change : listing.pending) {
    json entry = {{"applyAt", FormatIso8601(change.apply_at)}, {"source", change.source}};
    entry["quantity"] = change.patch.quantity ? json(*change.patch.quantity) : json();
    pending.push_back(std::move(entry));
  }
  json history = json::array();
  for (const QuantityChange& change : listing.history) {
    history.push_back({{"time", FormatIso8601(change.time)},
                       {"quantity", change.quantity},
                       {"source", change.source}});
  }
  return {{"sku", listing.item.sku},
          {"asin", listing.item.asin},
          {"productType", listing.item.product_type},
          {"category", listing.item.category},
          {"quantity", listing.quantity},
          {"pending", std::move(pending)},
          {"history", std::move(history)}};
}

json FaultsJson(const Faults::Snapshot& snapshot) {
  json operations = json::object();
  for (const auto& [name, faults] : snapshot.per_operation) {
    operations[name] = {{"errorRate", faults.error_rate},
                        {"timeoutRate", faults.timeout_rate},
                        {"timeoutSeconds", faults.timeout_seconds},
                        {"silentDropRate", faults.silent_drop_rate},
                        {"stuckFeedRate", faults.stuck_feed_rate}};
  }
  json storms = json::object();
  for (const auto& [name, until] : snapshot.storms) {
    storms[name] = FormatIso8601(until);
  }
  json body = {{"operations", std::move(operations)}, {"throttlingStorms", std::move(storms)}};
  body["lwaOutageUntil"] =
      snapshot.lwa_outage_until ? json(FormatIso8601(*snapshot.lwa_outage_until)) : json();
  return body;
}

json FeedControlJson(const FeedInfo& feed) {
  const auto time = [](const std::optional<TimePoint>& t) {
    return t ? json(FormatIso8601(*t)) : json();
  };
  return {
      {"feedId", feed.feed_id},
      {"feedType", feed.feed_type},
      {"marketplaceIds", feed.marketplace_ids},
      {"processingStatus", FeedStatusName(feed.status)},
      {"createdTime", FormatIso8601(feed.created)},
      {"processingStartTime", time(feed.processing_start)},
      {"processingEndTime", time(feed.processing_end)},
      {"inputFeedDocumentId", feed.input_document_id},
      {"resultFeedDocumentId", feed.result_document_id ? json(*feed.result_document_id) : json()},
      {"stuck", feed.stuck},
      {"fatalReason", feed.fatal_reason},
      {"messages",
       {{"processed", feed.messages_processed},
        {"successful", feed.messages_successful},
        {"withError", feed.messages_with_error},
        {"withWarning", feed.messages_with_warning}}}};
}

Duration Seconds(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

void RegisterControlApi(http::Server& server, AmazonEmulator* emulator) {
  server.Route("GET", "/_emulator/clock", [emulator](const http::Request&) {
    return http::Response::Json(200, json{{"now", FormatIso8601(emulator->Now())}}.dump());
  });
  server.Route("POST", "/_emulator/clock/advance", [emulator](const http::Request& request) {
    const auto body = ObjectBody(request);
    std::optional<double> seconds;
    if (!body || !Read(*body, "seconds", seconds) || !seconds) {
      return Problem(400, "body must be {\"seconds\": N}");
    }
    if (Status status = emulator->AdvanceClock(Seconds(*seconds)); !status.ok()) {
      return FromStatus(status);
    }
    return http::Response::Json(200, json{{"now", FormatIso8601(emulator->Now())}}.dump());
  });
  server.Route("POST", "/_emulator/access-token", [emulator](const http::Request&) {
    return http::Response::Json(200, json{{"access_token", emulator->IssueAccessToken()}}.dump());
  });
  server.Route("POST", "/_emulator/orders", [emulator](const http::Request& request) {
    const auto body = ObjectBody(request);
    if (!body) {
      return Problem(400, "the body must be a JSON object");
    }
    auto order = ParseNewOrder(*body);
    if (!order.ok()) {
      return FromStatus(order.status());
    }
    auto id = emulator->AddOrder(*order);
    if (!id.ok()) {
      return FromStatus(id.status());
    }
    return http::Response::Json(201, OrderControlJson(*emulator->GetOrder(*id)).dump());
  });
  server.Route("POST", "/_emulator/orders/generate", [emulator](const http::Request& request) {
    const auto body = ObjectBody(request);
    std::optional<int> count;
    if (!body || !Read(*body, "count", count) || !count || *count < 0 || *count > 1'000'000) {
      return Problem(400, "body must be {\"count\": N} with N from 0 to 1000000");
    }
    return http::Response::Json(200, json{{"orderIds", emulator->GenerateOrders(*count)}}.dump());
  });
  server.Route("GET", "/_emulator/orders", [emulator](const http::Request& request) {
    const auto status = request.Query("status");
    json orders = json::array();
    for (const Order& order : emulator->Orders()) {
      if (!status || *status == OrderStatusName(order.status)) {
        orders.push_back(OrderControlJson(order));
      }
    }
    return http::Response::Json(200, json{{"orders", std::move(orders)}}.dump());
  });
  server.Route("GET", "/_emulator/orders/{orderId}", [emulator](const http::Request& request) {
    const auto order = emulator->GetOrder(request.path_params.at("orderId"));
    if (!order) {
      return Problem(404, "no such order");
    }
    return http::Response::Json(200, OrderControlJson(*order).dump());
  });
  server.Route(
      "POST", "/_emulator/orders/{orderId}/cancel", [emulator](const http::Request& request) {
        const auto body = ObjectBody(request);
        std::optional<std::string> by;
        if (!body || !Read(*body, "by", by) || (by && *by != "buyer" && *by != "seller")) {
          return Problem(400, R"(body must be {"by": "buyer" | "seller"})");
        }
        const Canceller canceller =
            by.value_or("seller") == "buyer" ? Canceller::kBuyer : Canceller::kSeller;
        const std::string& order_id = request.path_params.at("orderId");
        if (Status status = emulator->CancelOrder(order_id, canceller); !status.ok()) {
          return FromStatus(status);
        }
        return http::Response::Json(200, OrderControlJson(*emulator->GetOrder(order_id)).dump());
      });
  server.Route("GET", "/_emulator/listings", [emulator](const http::Request&) {
    json listings = json::array();
    for (const Listing& listing : emulator->Listings()) {
      listings.push_back(ListingJson(listing));
    }
    return http::Response::Json(200, json{{"listings", std::move(listings)}}.dump());
  });
  server.Route("GET", "/_emulator/listings/{sku}", [emulator](const http::Request& request) {
    const auto listing = emulator->GetListing(request.path_params.at("sku"));
    if (!listing) {
      return Problem(404, "no such SKU");
    }
    return http::Response::Json(200, ListingJson(*listing).dump());
  });
  server.Route("GET", "/_emulator/feeds", [emulator](const http::Request&) {
    json feeds = json::array();
    for (const FeedInfo& feed : emulator->Feeds()) {
      feeds.push_back(FeedControlJson(feed));
    }
    return http::Response::Json(200, json{{"feeds", std::move(feeds)}}.dump());
  });
  server.Route("GET", "/_emulator/account-health", [emulator](const http::Request&) {
    return http::Response::Json(200, HealthJson(emulator->Health()).dump());
  });
  server.Route(
      "POST", "/_emulator/orders/{orderId}/refund", [emulator](const http::Request& request) {
        const std::string& order_id = request.path_params.at("orderId");
        if (Status status = emulator->RefundOrder(order_id); !status.ok()) {
          return FromStatus(status);
        }
        return http::Response::Json(200, OrderControlJson(*emulator->GetOrder(order_id)).dump());
      });
  server.Route("GET", "/_emulator/settlements", [emulator](const http::Request&) {
    json settlements = json::array();
    for (const SettlementRecord& record : emulator->Settlements()) {
      settlements.push_back(SettlementControlJson(record));
    }
    return http::Response::Json(200, json{{"settlements", std::move(settlements)}}.dump());
  });
  server.Route("POST", "/_emulator/settlements/generate", [emulator](const http::Request&) {
    json settlements = json::array();
    for (const SettlementRecord& record : emulator->CloseSettlementPeriod()) {
      settlements.push_back(SettlementControlJson(record));
    }
    return http::Response::Json(200, json{{"settlements", std::move(settlements)}}.dump());
  });
  server.Route("GET", "/_emulator/rate-limits", [emulator](const http::Request&) {
    json limits = json::array();
    for (const RateLimit& limit : emulator->RateLimits()) {
      limits.push_back({{"api", limit.api},
                        {"operation", limit.operation},
                        {"method", limit.method},
                        {"path", limit.path},
                        {"rate", limit.rate_per_second},
                        {"burst", limit.burst}});
    }
    return http::Response::Json(200, json{{"rateLimits", std::move(limits)}}.dump());
  });
  server.Route(
      "PUT", "/_emulator/rate-limits/{operation}", [emulator](const http::Request& request) {
        const auto body = ObjectBody(request);
        std::optional<double> rate;
        std::optional<int> burst;
        std::optional<bool> reported;
        if (!body || !Read(*body, "rate", rate) || !Read(*body, "burst", burst) || !rate ||
            !burst || !Read(*body, "reported", reported)) {
          return Problem(400, R"(body must be {"rate": R, "burst": B[, "reported": false]})");
        }
        if (Status status = emulator->SetRateLimit(request.path_params.at("operation"), *rate,
                                                   *burst, reported.value_or(true));
            !status.ok()) {
          return FromStatus(status);
        }
        return http::Response::Empty(204);
      });
  server.Route("GET", "/_emulator/faults", [emulator](const http::Request&) {
    return http::Response::Json(200, FaultsJson(emulator->FaultInjector().Get()).dump());
  });
  server.Route("DELETE", "/_emulator/faults", [emulator](const http::Request&) {
    emulator->FaultInjector().Clear();
    return http::Response::Empty(204);
  });
  server.Route("PUT", "/_emulator/faults/{operation}", [emulator](const http::Request& request) {
    const auto body = ObjectBody(request);
    std::optional<double> error_rate;
    std::optional<double> timeout_rate;
    std::optional<double> timeout_seconds;
    std::optional<double> drop_rate;
    std::optional<double> stuck_rate;
    if (!body || !Read(*body, "errorRate", error_rate) ||
        !Read(*body, "timeoutRate", timeout_rate) ||
        !Read(*body, "timeoutSeconds", timeout_seconds) ||
        !Read(*body, "silentDropRate", drop_rate) || !Read(*body, "stuckFeedRate", stuck_rate)) {
      return Problem(400,
                     "body members errorRate, timeoutRate, timeoutSeconds, silentDropRate, "
                     "stuckFeedRate are numbers");
    }
    OperationFaults faults;
    faults.error_rate = error_rate.value_or(0);
    faults.timeout_rate = timeout_rate.value_or(0);
    faults.timeout_seconds = timeout_seconds.value_or(faults.timeout_seconds);
    faults.silent_drop_rate = drop_rate.value_or(0);
    faults.stuck_feed_rate = stuck_rate.value_or(0);
    for (const double rate : {faults.error_rate, faults.timeout_rate, faults.silent_drop_rate,
                              faults.stuck_feed_rate}) {
      if (rate < 0 || rate > 1) {
        return Problem(400, "rates are between 0 and 1");
      }
    }
    if (faults.timeout_seconds < 0 || faults.timeout_seconds > 600) {
      return Problem(400, "timeoutSeconds is between 0 and 600");
    }
    emulator->FaultInjector().SetOperation(request.path_params.at("operation"), faults);
    return http::Response::Empty(204);
  });
  server.Route("POST", "/_emulator/faults/throttling-storm",
               [emulator](const http::Request& request) {
                 const auto body = ObjectBody(request);
                 std::optional<std::string> operation;
                 std::optional<double> seconds;
                 if (!body || !Read(*body, "operation", operation) ||
                     !Read(*body, "seconds", seconds) || !seconds || *seconds < 0) {
                   return Problem(400, R"(body must be {"operation": name or "*", "seconds": N})");
                 }
                 emulator->FaultInjector().StartThrottlingStorm(
                     operation.value_or("*"), emulator->Now() + Seconds(*seconds));
                 return http::Response::Empty(204);
               });
  server.Route("POST", "/_emulator/faults/lwa-outage", [emulator](const http::Request& request) {
    const auto body = ObjectBody(request);
    std::optional<double> seconds;
    if (!body || !Read(*body, "seconds", seconds) || !seconds || *seconds < 0) {
      return Problem(400, "body must be {\"seconds\": N}");
    }
    emulator->FaultInjector().StartLwaOutage(emulator->Now() + Seconds(*seconds));
    return http::Response::Empty(204);
  });
}

}  // namespace sellerbridge::emulators::amazon
