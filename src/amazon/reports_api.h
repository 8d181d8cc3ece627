#pragma once

#include <optional>
#include <string>
#include <vector>

#include "amazon/sp_api_client.h"
#include "base/result.h"
#include "http/client.h"

namespace sellerbridge::amazon {

inline constexpr std::string_view kSettlementReportType =
    "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2";
inline constexpr std::string_view kSellerPerformanceReportType = "GET_V2_SELLER_PERFORMANCE_REPORT";

// A report as getReports lists it and getReport answers.
struct ReportInfo {
  std::string report_id;
  std::string report_type;
  // IN_QUEUE, IN_PROGRESS, DONE (the document can be read), CANCELLED or FATAL.
  std::string processing_status;
  TimePoint created_time;
  std::optional<TimePoint> data_start_time;
  std::optional<TimePoint> data_end_time;
  std::vector<std::string> marketplace_ids;
  std::optional<std::string> report_document_id;

  // DONE, CANCELLED or FATAL: it will not change any more.
  bool Finished() const;
};

// Reports 2021-06-30: getReports with paging to the end (for the reports
// Amazon schedules itself, settlements), createReport and getReport (for the
// reports a seller requests, such as the seller performance report),
// getReportDocument and the download, gunzipped. Thread-safe.
class ReportsApi {
 public:
  // Both must outlive this; `http` is for the document URLs.
  ReportsApi(SpApiClient* client, http::HttpClient* http) : client_(client), http_(http) {}

  // Every report of `report_type` created in [since, until) (Amazon's
  // default window is 90 days), every page, in the order Amazon lists them.
  // With `processing_status` ("DONE"), only the reports in that status.
  Result<std::vector<ReportInfo>> ListReports(std::string_view report_type, TimePoint since,
                                              std::optional<TimePoint> until,
                                              const CallOptions& options,
                                              std::string_view processing_status = {});

  // createReport for `report_type` over `marketplace_ids` (1 to 25). Returns
  // the report id. InvalidArgument when Amazon refuses the type (settlement
  // reports cannot be requested) or a marketplace. Not retried once its
  // outcome is unknown: a timeout is returned at once (a second request
  // would only make a second report).
  Result<std::string> CreateReport(std::string_view report_type,
                                   const std::vector<std::string>& marketplace_ids,
                                   const CallOptions& options);

  // getReport: the report's processing status and, once DONE, its document
  // id. NotFound for an unknown report.
  Result<ReportInfo> GetReport(const std::string& report_id, const CallOptions& options);

  // The document's text. NotFound for an unknown document.
  Result<std::string> Download(const std::string& document_id, const CallOptions& options);

 private:
  SpApiClient* const client_;
  http::HttpClient* const http_;
};

}  // namespace sellerbridge::amazon
