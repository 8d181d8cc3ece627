#pragma once

#include <optional>
#include <string>
#include <vector>

#include "amazon/sp_api_client.h"
#include "base/result.h"
#include "http/client.h"

namespace sellerbridge::amazon {

// A feed as getFeed reports it.
struct FeedStatus {
  std::string feed_id;
  std::string feed_type;
  std::string processing_status;  // IN_QUEUE, IN_PROGRESS, DONE, FATAL, CANCELLED.
  TimePoint created_time;
  std::optional<TimePoint> processing_start_time;
  std::optional<TimePoint> processing_end_time;
  std::optional<std::string> result_document_id;

  // DONE, FATAL or CANCELLED: it will not change any more.
  bool Finished() const;
};

// Feeds API 2021-06-30: createFeedDocument, the upload to the URL Amazon
// gives, createFeed, getFeed, getFeedDocument and the download of the result
// document (gunzipped when Amazon compressed it). The upload and download go
// straight to the document URLs, without SP-API headers or quota. Thread-safe.
class FeedsApi {
 public:
  // Both must outlive this; `http` is for the document URLs.
  FeedsApi(SpApiClient* client, http::HttpClient* http) : client_(client), http_(http) {}

  // createFeedDocument, the upload of `content`, and createFeed. Returns the
  // feed id. `content_type` is e.g. "text/xml; charset=UTF-8" or
  // "application/json; charset=UTF-8". A failed upload is Unavailable or
  // PermissionDenied (an expired URL) naming the document; nothing is then
  // submitted.
  Result<std::string> Submit(const std::string& feed_type,
                             const std::vector<std::string>& marketplace_ids,
                             const std::string& content, const std::string& content_type,
                             const CallOptions& options);

  // getFeed. NotFound for an unknown feed.
  Result<FeedStatus> GetFeed(const std::string& feed_id, const CallOptions& options);

  // getFeedDocument and the download: the processing report's text.
  Result<std::string> DownloadResult(const std::string& document_id, const CallOptions& options);

 private:
  SpApiClient* const client_;
  http::HttpClient* const http_;
};

// Downloads a document from the URL getFeedDocument / getReportDocument gave
// and gunzips it when `compression` is "GZIP". Shared by feeds and reports.
Result<std::string> DownloadDocument(http::HttpClient* http, const std::string& url,
                                     const std::string& compression, std::string_view what);

}  // namespace sellerbridge::amazon
