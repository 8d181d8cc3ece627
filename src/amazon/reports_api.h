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

// A report as getReports lists it.
struct ReportInfo {
  std::string report_id;
  std::string report_type;
  std::string processing_status;  // DONE for a settlement that can be read.
  TimePoint created_time;
  std::optional<TimePoint> data_start_time;
  std::optional<TimePoint> data_end_time;
  std::vector<std::string> marketplace_ids;
  std::optional<std::string> report_document_id;
};

// Reports 2021-06-30 for the reports Amazon schedules itself (settlements):
// getReports with paging to the end, getReportDocument and the download,
// gunzipped. Thread-safe.
class ReportsApi {
 public:
  // Both must outlive this; `http` is for the document URLs.
  ReportsApi(SpApiClient* client, http::HttpClient* http) : client_(client), http_(http) {}

  // Every report of `report_type` created in [since, until) (Amazon's
  // default window is 90 days), every page, in the order Amazon lists them.
  Result<std::vector<ReportInfo>> ListReports(std::string_view report_type, TimePoint since,
                                              std::optional<TimePoint> until,
                                              const CallOptions& options);

  // The document's text. NotFound for an unknown document.
  Result<std::string> Download(const std::string& document_id, const CallOptions& options);

 private:
  SpApiClient* const client_;
  http::HttpClient* const http_;
};

}  // namespace sellerbridge::amazon
