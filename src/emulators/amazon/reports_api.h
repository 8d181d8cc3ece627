#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "emulators/amazon/api_support.h"
#include "emulators/amazon/seller_state.h"
#include "emulators/amazon/settlements.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

// Reports 2021-06-30 for one seller: getReports, getReport, createReport and
// getReportDocument, with settlement reports (GET_V2_SETTLEMENT_REPORT_DATA_
// FLAT_FILE_V2) from a SettlementLedger. Settlement reports cannot be
// requested, as on Amazon. A requested GET_V2_SELLER_PERFORMANCE_REPORT goes
// IN_QUEUE, IN_PROGRESS, then DONE with a JSON document (see
// SellerPerformanceDocument) of the account health per requested
// marketplace, computed from the seller's orders when the report is first
// seen finished, with its windows ending at the processing end. Other report
// types Amazon knows are accepted and end CANCELLED (the emulator has no data
// for them). Documents are served by
// the emulator itself at presigned-looking URLs that expire after five
// minutes of the emulator clock. Thread-safe.
class ReportsApi {
 public:
  static constexpr std::chrono::minutes kDocumentUrlLifetime{5};
  static constexpr std::chrono::days kDefaultCreatedSince{90};

  // `settlements`, `state` and `clock` must outlive the API and the server it
  // is registered on.
  ReportsApi(SettlementLedger* settlements, SellerState* state, std::uint64_t seed, Clock* clock);

  // Registers the operations behind `gate`, and GET /report-documents/{id}
  // (the document URLs, outside the gate as S3 is outside the SP-API).
  void Register(http::Server& server, const ApiGate& gate);

 private:
  // A report as getReports lists it.
  struct ReportView {
    std::string report_id;
    std::string report_type;
    std::vector<std::string> marketplace_ids;
    std::optional<TimePoint> data_start;
    std::optional<TimePoint> data_end;
    TimePoint created;
    std::string status;
    std::optional<TimePoint> processing_start;
    std::optional<TimePoint> processing_end;
    std::string document_id;  // Empty when there is none.
  };
  // A report asked for with createReport.
  struct Requested {
    std::string report_id;
    std::string report_type;
    std::vector<std::string> marketplace_ids;
    std::optional<TimePoint> data_start;
    std::optional<TimePoint> data_end;
    TimePoint created;
    // A seller performance report's document, once it is done.
    std::string document_id;
    std::string document;
  };
  struct Query {
    std::vector<std::string> report_types;
    std::vector<std::string> statuses;
    std::vector<std::string> marketplace_ids;
    int page_size = 10;
    TimePoint created_since;
    TimePoint created_until;
  };
  struct Cursor {
    Query query;
    TimePoint last_created;
    std::string last_report_id;
  };

  http::Response GetReports(const http::Request& request);
  http::Response GetReport(const http::Request& request);
  http::Response CreateReport(const http::Request& request);
  http::Response GetReportDocument(const http::Request& request);
  http::Response DownloadDocument(const http::Request& request);

  std::vector<ReportView> AllReports(TimePoint now);
  // Writes the seller performance document of `report`, processed at `at`.
  void ProduceDocumentLocked(Requested& report, TimePoint at);
  // The seller performance document `document_id`, if one was produced.
  std::optional<std::string> FindPerformanceDocument(std::string_view document_id);
  http::Response Page(const Query& query, const std::optional<Cursor>& after, TimePoint now);
  std::string Signature(std::string_view document_id, std::string_view host, std::string_view date,
                        bool gzip_encoding) const;

  SettlementLedger* const settlements_;
  SellerState* const state_;
  Clock* const clock_;
  const std::string signing_key_;
  std::mutex mu_;
  std::mt19937_64 rng_;                                 // Guarded by mu_.
  std::vector<Requested> requested_;                    // Guarded by mu_.
  std::map<std::string, Cursor, std::less<>> cursors_;  // Guarded by mu_.
};

}  // namespace sellerbridge::emulators::amazon
