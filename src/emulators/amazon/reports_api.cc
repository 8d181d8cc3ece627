#include "emulators/amazon/reports_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <nlohmann/json.hpp>

#include "base/marketplace.h"
#include "base/time_format.h"
#include "emulators/amazon/encoding.h"
#include "emulators/amazon/performance_report.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kSettlementReportType = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2";
constexpr std::string_view kPerformanceReportType = "GET_V2_SELLER_PERFORMANCE_REPORT";

// Settlement report types and the numbers Amazon's refusal quotes for them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kScheduledOnly = {{
    {"GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", "1118"},
    {"GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE", "1117"},
    {"GET_V2_SETTLEMENT_REPORT_DATA_XML", "GET_V2_SETTLEMENT_REPORT_DATA_XML"},
}};

// Report types a seller can request (Amazon's Report Type Values); the
// emulator has data for the seller performance report only, so the others
// end CANCELLED.
constexpr std::array<std::string_view, 24> kRequestableTypes = {
    "GET_MERCHANT_LISTINGS_ALL_DATA",
    "GET_MERCHANT_LISTINGS_DATA",
    "GET_MERCHANT_LISTINGS_INACTIVE_DATA",
    "GET_MERCHANT_LISTINGS_DATA_BACK_COMPAT",
    "GET_MERCHANT_LISTINGS_DATA_LITE",
    "GET_MERCHANT_LISTINGS_DATA_LITER",
    "GET_MERCHANT_CANCELLED_LISTINGS_DATA",
    "GET_FLAT_FILE_OPEN_LISTINGS_DATA",
    "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING",
    "GET_ORDER_REPORT_DATA_SHIPPING",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    "GET_XML_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
    "GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE",
    "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
    "GET_AFN_INVENTORY_DATA",
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "FEE_DISCOUNTS_REPORT",
    "GET_SELLER_FEEDBACK_DATA",
    "GET_V2_SELLER_PERFORMANCE_REPORT",
    "GET_DATE_RANGE_FINANCIAL_TRANSACTION_DATA",
    "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE",
    "GET_SALES_AND_TRAFFIC_REPORT",
};

constexpr std::array<std::string_view, 5> kStatuses = {"CANCELLED", "DONE", "FATAL", "IN_PROGRESS",
                                                       "IN_QUEUE"};

// A requested report waits, is processed, then is done (seller performance)
// or cancelled for lack of data.
constexpr std::chrono::seconds kQueuedFor{10};
constexpr std::chrono::seconds kProcessedBy{30};

http::Response InvalidInput(std::string_view message, std::string_view details = {}) {
  return ErrorResponse(400, "InvalidInput", message, details);
}

bool Contains(const auto& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Report document ids: Amazon's amzn1.spdoc… form, or the bare UUIDs of older
// documents and of the model's examples.
bool IsDocumentId(std::string_view id) {
  const auto allowed = [](std::string_view text, std::string_view extra) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [extra](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             extra.find(c) != std::string_view::npos;
    });
  };
  if (id.starts_with("amzn1.spdoc.")) {
    return allowed(id, ".-_");
  }
  return id.size() == 36 && allowed(id, "-") && id[8] == '-' && id[13] == '-' && id[18] == '-' &&
         id[23] == '-';
}

}  // namespace

ReportsApi::ReportsApi(SettlementLedger* settlements, SellerState* state, std::uint64_t seed,
                       Clock* clock)
    : settlements_(settlements),
      state_(state),
      clock_(clock),
      signing_key_(fmt::format("emulator-document-key-{:016x}", seed * 0x9e3779b97f4a7c15ULL)),
      rng_(seed * 0xd1342543de82ef95ULL + 11) {}

std::vector<ReportsApi::ReportView> ReportsApi::AllReports(TimePoint now) {
  std::vector<ReportView> views;
  for (const SettlementRecord& record : settlements_->Settlements()) {
    views.push_back({.report_id = record.report_id,
                     .report_type = std::string(kSettlementReportType),
                     .marketplace_ids = {record.marketplace_id},
                     .data_start = record.settlement.start_date,
                     .data_end = record.settlement.end_date,
                     .created = record.created,
                     .status = "DONE",
                     .processing_start = record.created,
                     .processing_end = record.created,
                     .document_id = record.report_document_id});
  }
  std::lock_guard lock(mu_);
  std::erase_if(requested_, [now](const Requested& report) {
    return report.created + SettlementLedger::kRetention <= now;
  });
  for (Requested& report : requested_) {
    ReportView view{.report_id = report.report_id,
                    .report_type = report.report_type,
                    .marketplace_ids = report.marketplace_ids,
                    .data_start = report.data_start,
                    .data_end = report.data_end,
                    .created = report.created,
                    .status = "IN_QUEUE"};
    if (now >= report.created + kQueuedFor) {
      view.status = "IN_PROGRESS";
      view.processing_start = report.created + kQueuedFor;
    }
    if (now >= report.created + kProcessedBy) {
      view.processing_end = report.created + kProcessedBy;
      if (report.report_type == kPerformanceReportType) {
        if (report.document_id.empty()) {
          ProduceDocumentLocked(report, *view.processing_end);
        }
        view.status = "DONE";
        view.document_id = report.document_id;
      } else {
        view.status = "CANCELLED";
      }
    }
    views.push_back(std::move(view));
  }
  return views;
}

void ReportsApi::ProduceDocumentLocked(Requested& report, TimePoint at) {
  // The orders are read as they are now, but every window ends at `at`, so
  // what happened after the processing end does not count.
  const std::vector<Order> orders = state_->AllOrders();
  std::map<std::string, std::string> category_of;
  for (const Listing& listing : state_->Listings()) {
    category_of[listing.item.sku] = listing.item.category;
  }
  std::vector<std::pair<std::string, AccountHealth>> by_marketplace;
  for (const std::string& marketplace_id : report.marketplace_ids) {
    std::vector<Order> in_marketplace;
    std::copy_if(orders.begin(), orders.end(), std::back_inserter(in_marketplace),
                 [&](const Order& order) { return order.marketplace_id == marketplace_id; });
    by_marketplace.emplace_back(marketplace_id,
                                ComputeAccountHealth(in_marketplace, category_of, at));
  }
  report.document = SellerPerformanceDocument(by_marketplace);
  report.document_id = fmt::format("amzn1.spdoc.1.4.eu.{}.{:016x}", report.report_id, rng_());
}

std::optional<std::string> ReportsApi::FindPerformanceDocument(std::string_view document_id) {
  std::lock_guard lock(mu_);
  for (const Requested& report : requested_) {
    if (!report.document_id.empty() && report.document_id == document_id) {
      return report.document;
    }
  }
  return std::nullopt;
}

namespace {

json ReportJson(const auto& view) {
  json report = {{"reportId", view.report_id},
                 {"reportType", view.report_type},
                 {"createdTime", FormatIso8601(view.created)},
                 {"processingStatus", view.status}};
  if (!view.marketplace_ids.empty()) {
    report["marketplaceIds"] = view.marketplace_ids;
  }
  const auto time = [&report](const char* name, const std::optional<TimePoint>& value) {
    if (value) {
      report[name] = FormatIso8601(*value);
    }
  };
  time("dataStartTime", view.data_start);
  time("dataEndTime", view.data_end);
  time("processingStartTime", view.processing_start);
  time("processingEndTime", view.processing_end);
  if (!view.document_id.empty()) {
    report["reportDocumentId"] = view.document_id;
  }
  return report;
}

}  // namespace

http::Response ReportsApi::Page(const Query& query, const std::optional<Cursor>& after,
                                TimePoint now) {
  std::vector<ReportView> matches;
  for (ReportView& view : AllReports(now)) {
    if (!Contains(query.report_types, view.report_type) || view.created < query.created_since ||
        view.created > query.created_until) {
      continue;
    }
    if (!query.statuses.empty() && !Contains(query.statuses, view.status)) {
      continue;
    }
    if (!query.marketplace_ids.empty() &&
        std::none_of(view.marketplace_ids.begin(), view.marketplace_ids.end(),
                     [&](const std::string& id) { return Contains(query.marketplace_ids, id); })) {
      continue;
    }
    // Newest first, as Amazon lists reports; a cursor continues after its last one.
    if (after &&
        std::pair<TimePoint, std::string_view>(view.created, view.report_id) >=
            std::pair<TimePoint, std::string_view>(after->last_created, after->last_report_id)) {
      continue;
    }
    matches.push_back(std::move(view));
  }
  std::sort(matches.begin(), matches.end(), [](const ReportView& a, const ReportView& b) {
    return std::tie(b.created, b.report_id) < std::tie(a.created, a.report_id);
  });
  const auto page_size = static_cast<std::size_t>(query.page_size);
  json reports = json::array();
  for (std::size_t i = 0; i < std::min(page_size, matches.size()); ++i) {
    reports.push_back(ReportJson(matches[i]));
  }
  json body = {{"reports", std::move(reports)}};
  if (matches.size() > page_size) {
    const ReportView& last = matches[page_size - 1];
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::lock_guard lock(mu_);
    std::string token;
    do {
      token.clear();
      for (int i = 0; i < 48; ++i) {
        token += kAlphabet[rng_() % kAlphabet.size()];
      }
    } while (cursors_.contains(token));
    cursors_[token] =
        Cursor{.query = query, .last_created = last.created, .last_report_id = last.report_id};
    body["nextToken"] = token;
  }
  return http::Response::Json(200, body.dump());
}

http::Response ReportsApi::GetReports(const http::Request& request) {
  const TimePoint now = clock_->Now();
  if (const auto token = request.Query("nextToken")) {
    for (const auto& [name, value] : request.query) {
      if (name != "nextToken") {
        return InvalidInput("Invalid input",
                            "nextToken must be the only parameter when it is provided.");
      }
    }
    std::optional<Cursor> cursor;
    {
      std::lock_guard lock(mu_);
      const auto it = cursors_.find(*token);
      if (it != cursors_.end()) {
        cursor = it->second;
      }
    }
    if (!cursor) {
      return InvalidInput("Invalid input", "Invalid nextToken.");
    }
    return Page(cursor->query, cursor, now);
  }
  Query query;
  query.report_types = QueryList(request, "reportTypes");
  if (query.report_types.empty()) {
    return InvalidInput("Invalid input", "Either reportTypes or nextToken is required.");
  }
  if (query.report_types.size() > 10) {
    return InvalidInput("Invalid input", "reportTypes accepts at most 10 values.");
  }
  query.statuses = QueryList(request, "processingStatuses");
  for (const std::string& status : query.statuses) {
    if (!Contains(kStatuses, status)) {
      return InvalidInput("Invalid input", "Invalid input in processing status");
    }
  }
  query.marketplace_ids = QueryList(request, "marketplaceIds");
  if (query.marketplace_ids.size() > 10) {
    return InvalidInput("Invalid input", "marketplaceIds accepts at most 10 values.");
  }
  for (const std::string& id : query.marketplace_ids) {
    if (FindMarketplace(id) == nullptr) {
      return InvalidInput("Invalid input", fmt::format("Invalid marketplaceId: {}", id));
    }
  }
  if (const auto size = request.Query("pageSize")) {
    int value = 0;
    const auto [end, error] = std::from_chars(size->data(), size->data() + size->size(), value);
    if (error != std::errc() || end != size->data() + size->size() || value < 1 || value > 100) {
      return InvalidInput("Invalid input", "pageSize must be an integer from 1 to 100.");
    }
    query.page_size = value;
  }
  query.created_since = now - kDefaultCreatedSince;
  query.created_until = now;
  for (const auto& [name, target] :
       {std::pair<std::string_view, TimePoint*>{"createdSince", &query.created_since},
        {"createdUntil", &query.created_until}}) {
    if (const auto text = request.Query(name)) {
      auto parsed = ParseIso8601(*text);
      if (!parsed.ok()) {
        return InvalidInput("Invalid input",
                            fmt::format("{} must be an ISO 8601 date-time.", name));
      }
      *target = *parsed;
    }
  }
  if (query.created_since > query.created_until) {
    return InvalidInput("Invalid input", "createdSince must be before createdUntil.");
  }
  return Page(query, std::nullopt, now);
}

http::Response ReportsApi::GetReport(const http::Request& request) {
  const std::string& report_id = request.path_params.at("reportId");
  if (!AllDigits(report_id)) {
    return InvalidInput("Invalid input", fmt::format("Invalid reportId: {}", report_id));
  }
  for (const ReportView& view : AllReports(clock_->Now())) {
    if (view.report_id == report_id) {
      return http::Response::Json(200, ReportJson(view).dump());
    }
  }
  return ErrorResponse(404, "NotFound", "Report not found",
                       fmt::format("No report with reportId {}", report_id));
}

http::Response ReportsApi::CreateReport(const http::Request& request) {
  const TimePoint now = clock_->Now();
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidInput("Invalid input", "The request body must be a JSON object.");
  }
  const auto type = body.find("reportType");
  if (type == body.end() || !type->is_string()) {
    return InvalidInput("Invalid input", "reportType is required.");
  }
  const auto marketplaces = body.find("marketplaceIds");
  if (marketplaces == body.end() || !marketplaces->is_array() || marketplaces->empty() ||
      marketplaces->size() > 25) {
    return InvalidInput("Invalid input", "marketplaceIds must hold 1 to 25 marketplace ids.");
  }
  Requested report;
  for (const json& id : *marketplaces) {
    if (!id.is_string() || FindMarketplace(id.get<std::string>()) == nullptr) {
      return InvalidInput("Invalid input", fmt::format("Invalid marketplaceId: {}", id.dump()));
    }
    report.marketplace_ids.push_back(id.get<std::string>());
  }
  for (const auto& [name, target] :
       {std::pair<std::string_view, std::optional<TimePoint>*>{"dataStartTime", &report.data_start},
        {"dataEndTime", &report.data_end}}) {
    const auto it = body.find(name);
    if (it == body.end()) {
      continue;
    }
    auto parsed = it->is_string() ? ParseIso8601(it->get<std::string>())
                                  : Result<TimePoint>(InvalidArgumentError(""));
    if (!parsed.ok() || *parsed > now) {
      return InvalidInput("Invalid input",
                          fmt::format("{} must be an ISO 8601 date-time not after now.", name));
    }
    *target = *parsed;
  }
  if (report.data_start && report.data_end && *report.data_start > *report.data_end) {
    return InvalidInput("Invalid input", "dataStartTime must not be after dataEndTime.");
  }
  if (const auto options = body.find("reportOptions"); options != body.end()) {
    if (!options->is_object() ||
        !std::all_of(options->begin(), options->end(),
                     [](const json& value) { return value.is_string(); })) {
      return InvalidInput("Invalid input", "reportOptions must map names to strings.");
    }
  }
  report.report_type = type->get<std::string>();
  for (const auto& [scheduled, number] : kScheduledOnly) {
    if (report.report_type == scheduled) {
      // Amazon's words, with no details.
      return InvalidInput(
          fmt::format("Request for report type {} is not allowed at this time", number));
    }
  }
  if (!Contains(kRequestableTypes, report.report_type)) {
    return InvalidInput("Invalid input", fmt::format("Invalid reportType: {}", report.report_type));
  }
  report.created = now;
  std::string id;
  {
    std::lock_guard lock(mu_);
    std::uniform_int_distribution<std::int64_t> digits(10'000'000'000, 99'999'999'999);
    report.report_id = std::to_string(digits(rng_));
    id = report.report_id;
    requested_.push_back(std::move(report));
  }
  return http::Response::Json(202, json{{"reportId", id}}.dump());
}

std::string ReportsApi::Signature(std::string_view document_id, std::string_view host,
                                  std::string_view date, bool gzip_encoding) const {
  return HmacSha256Hex(signing_key_,
                       fmt::format("GET\n/report-documents/{}\nhost:{}\n{}\n{}", document_id, host,
                                   date, gzip_encoding ? "gzip" : "identity"));
}

http::Response ReportsApi::GetReportDocument(const http::Request& request) {
  const std::string& document_id = request.path_params.at("reportDocumentId");
  if (!IsDocumentId(document_id)) {
    return InvalidInput("Invalid input", fmt::format("Invalid reportDocumentId: {}", document_id));
  }
  bool gzip_encoding = false;
  if (const auto flag = request.Query("enableContentEncodingUrlHeader")) {
    if (*flag != "true" && *flag != "false") {
      return InvalidInput("Invalid input", "enableContentEncodingUrlHeader must be true or false.");
    }
    gzip_encoding = *flag == "true";
  }
  if (!settlements_->FindDocument(document_id) && !FindPerformanceDocument(document_id)) {
    return ErrorResponse(404, "NotFound", "Report document not found",
                         fmt::format("No report document with id {}", document_id));
  }
  const std::string host = request.Header("Host").value_or("127.0.0.1");
  const std::string date = AmzDate(clock_->Now());
  std::string url = fmt::format(
      "http://{}/report-documents/{}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={}"
      "&X-Amz-SignedHeaders=host&X-Amz-Expires={}",
      host, document_id, date,
      std::chrono::duration_cast<std::chrono::seconds>(kDocumentUrlLifetime).count());
  if (gzip_encoding) {
    url += "&response-content-encoding=gzip";
  }
  url += "&X-Amz-Signature=" + Signature(document_id, host, date, gzip_encoding);
  return http::Response::Json(
      200, json{{"reportDocumentId", document_id}, {"url", url}, {"compressionAlgorithm", "GZIP"}}
               .dump());
}

http::Response ReportsApi::DownloadDocument(const http::Request& request) {
  const std::string& document_id = request.path_params.at("reportDocumentId");
  const auto date = request.Query("X-Amz-Date");
  const auto expires = request.Query("X-Amz-Expires");
  const auto signature = request.Query("X-Amz-Signature");
  if (!date || !expires || !signature) {
    return S3Error(403, "AccessDenied",
                   "Query-string authentication requires X-Amz-Date, X-Amz-Expires and "
                   "X-Amz-Signature");
  }
  const auto encoding = request.Query("response-content-encoding");
  const bool gzip_encoding = encoding == "gzip";
  const std::string host = request.Header("Host").value_or("127.0.0.1");
  const std::string lifetime = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(kDocumentUrlLifetime).count());
  if (*expires != lifetime || *signature != Signature(document_id, host, *date, gzip_encoding)) {
    return S3Error(403, "SignatureDoesNotMatch",
                   "The request signature we calculated does not match the signature you "
                   "provided.");
  }
  const auto signed_at = ParseAmzDate(*date);
  if (!signed_at || clock_->Now() > *signed_at + kDocumentUrlLifetime) {
    return S3Error(403, "AccessDenied", "Request has expired");
  }
  std::optional<std::string> text;
  if (const auto record = settlements_->FindDocument(document_id)) {
    text = SettlementDocument(*record);
  } else {
    text = FindPerformanceDocument(document_id);
  }
  if (!text) {
    return S3Error(404, "NoSuchKey", "The specified key does not exist.");
  }
  http::Response response;
  response.status = 200;
  // An opaque type keeps the HTTP server from compressing the bytes again.
  response.content_type = "application/octet-stream";
  response.body = Gzip(*text);
  if (gzip_encoding) {
    response.WithHeader("Content-Encoding", "gzip");
  }
  return response;
}

void ReportsApi::Register(http::Server& server, const ApiGate& gate) {
  const auto wrap = [this, &gate](std::string_view operation,
                                  http::Response (ReportsApi::*handler)(const http::Request&)) {
    return gate.Wrap({"Reports 2021-06-30", operation},
                     [this, handler](const http::Request& request, const Caller&,
                                     const FaultDecision&) { return (this->*handler)(request); });
  };
  server.Route("GET", "/reports/2021-06-30/reports", wrap("getReports", &ReportsApi::GetReports));
  server.Route("POST", "/reports/2021-06-30/reports",
               wrap("createReport", &ReportsApi::CreateReport));
  server.Route("GET", "/reports/2021-06-30/reports/{reportId}",
               wrap("getReport", &ReportsApi::GetReport));
  server.Route("GET", "/reports/2021-06-30/documents/{reportDocumentId}",
               wrap("getReportDocument", &ReportsApi::GetReportDocument));
  server.Route("GET", "/report-documents/{reportDocumentId}",
               [this](const http::Request& request) { return DownloadDocument(request); });
}

}  // namespace sellerbridge::emulators::amazon
