#include "amazon/reports_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "amazon/feeds_api.h"
#include "amazon/json_fields.h"
#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kReports = "Reports 2021-06-30";

Result<ReportInfo> ReportOf(const json& report, std::string_view where) {
  ReportInfo out;
  ASSIGN_OR_RETURN(out.report_id, RequiredString(report, "reportId", where));
  ASSIGN_OR_RETURN(out.report_type, RequiredString(report, "reportType", where));
  ASSIGN_OR_RETURN(out.processing_status, RequiredString(report, "processingStatus", where));
  ASSIGN_OR_RETURN(out.created_time, RequiredTime(report, "createdTime", where));
  ASSIGN_OR_RETURN(out.data_start_time, OptionalTime(report, "dataStartTime", where));
  ASSIGN_OR_RETURN(out.data_end_time, OptionalTime(report, "dataEndTime", where));
  ASSIGN_OR_RETURN(const json* marketplaces, OptionalArray(report, "marketplaceIds", where));
  for (const json& id : *marketplaces) {
    if (id.is_string()) {
      out.marketplace_ids.push_back(id.get<std::string>());
    }
  }
  ASSIGN_OR_RETURN(std::string document, OptionalString(report, "reportDocumentId", where));
  if (!document.empty()) {
    out.report_document_id = std::move(document);
  }
  return out;
}

}  // namespace

bool ReportInfo::Finished() const {
  return processing_status == "DONE" || processing_status == "CANCELLED" ||
         processing_status == "FATAL";
}

Result<std::string> ReportsApi::CreateReport(std::string_view report_type,
                                             const std::vector<std::string>& marketplace_ids,
                                             const CallOptions& options) {
  const json specification = {{"reportType", report_type}, {"marketplaceIds", marketplace_ids}};
  ASSIGN_OR_RETURN(http::ClientResponse response,
                   client_->Call({.api = std::string(kReports),
                                  .operation = "createReport",
                                  .method = "POST",
                                  .path = "/reports/2021-06-30/reports",
                                  .body = specification.dump(),
                                  .lane = options.lane,
                                  .deadline = options.deadline,
                                  .idempotent = false},
                                 options.stop));
  const std::string where = fmt::format("amazon createReport {}", report_type);
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  return RequiredString(body, "reportId", where);
}

Result<ReportInfo> ReportsApi::GetReport(const std::string& report_id, const CallOptions& options) {
  ASSIGN_OR_RETURN(
      http::ClientResponse response,
      client_->Call({.api = std::string(kReports),
                     .operation = "getReport",
                     .method = "GET",
                     .path = "/reports/2021-06-30/reports/" + http::UrlEncode(report_id),
                     .lane = options.lane,
                     .deadline = options.deadline},
                    options.stop));
  const std::string where = "amazon getReport " + report_id;
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  return ReportOf(body, where);
}

Result<std::vector<ReportInfo>> ReportsApi::ListReports(std::string_view report_type,
                                                        TimePoint since,
                                                        std::optional<TimePoint> until,
                                                        const CallOptions& options,
                                                        std::string_view processing_status) {
  std::vector<ReportInfo> reports;
  std::optional<std::string> next_token;
  constexpr std::string_view kWhere = "amazon getReports";
  do {
    std::string query;
    if (next_token) {
      // Amazon takes the token as the only parameter of a next page.
      query = "nextToken=" + http::UrlEncode(*next_token);
    } else {
      query = fmt::format("reportTypes={}&pageSize=100&createdSince={}",
                          http::UrlEncode(report_type), http::UrlEncode(FormatIso8601(since)));
      if (until) {
        query += "&createdUntil=" + http::UrlEncode(FormatIso8601(*until));
      }
      if (!processing_status.empty()) {
        query += "&processingStatuses=" + http::UrlEncode(processing_status);
      }
    }
    ASSIGN_OR_RETURN(http::ClientResponse response,
                     client_->Call({.api = std::string(kReports),
                                    .operation = "getReports",
                                    .method = "GET",
                                    .path = "/reports/2021-06-30/reports",
                                    .query = query,
                                    .lane = options.lane,
                                    .deadline = options.deadline},
                                   options.stop));
    ASSIGN_OR_RETURN(json body, ParseObject(response.body, kWhere));
    if (!body.contains("reports") || !body["reports"].is_array()) {
      return InvalidArgumentError(fmt::format("{}: reports is missing", kWhere));
    }
    for (const json& report : body["reports"]) {
      ASSIGN_OR_RETURN(ReportInfo parsed, ReportOf(report, kWhere));
      reports.push_back(std::move(parsed));
    }
    ASSIGN_OR_RETURN(std::string token, OptionalString(body, "nextToken", kWhere));
    next_token = token.empty() ? std::nullopt : std::optional<std::string>(token);
  } while (next_token);
  return reports;
}

Result<std::string> ReportsApi::Download(const std::string& document_id,
                                         const CallOptions& options) {
  ASSIGN_OR_RETURN(
      http::ClientResponse response,
      client_->Call({.api = std::string(kReports),
                     .operation = "getReportDocument",
                     .method = "GET",
                     .path = "/reports/2021-06-30/documents/" + http::UrlEncode(document_id),
                     .lane = options.lane,
                     .deadline = options.deadline},
                    options.stop));
  const std::string where = "amazon getReportDocument " + document_id;
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  ASSIGN_OR_RETURN(std::string url, RequiredString(body, "url", where));
  ASSIGN_OR_RETURN(std::string compression, OptionalString(body, "compressionAlgorithm", where));
  return DownloadDocument(http_, url, compression, "report document " + document_id);
}

}  // namespace sellerbridge::amazon
