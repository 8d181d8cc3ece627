#include "amazon/feeds_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "amazon/json_fields.h"
#include "base/status_macros.h"
#include "http/gzip.h"
#include "http/status_mapping.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kFeeds = "Feeds 2021-06-30";

// A presigned URL is a credential: only its path appears in messages.
std::string WithoutQuery(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace

bool FeedStatus::Finished() const {
  return processing_status == "DONE" || processing_status == "FATAL" ||
         processing_status == "CANCELLED";
}

Result<std::string> DownloadDocument(http::HttpClient* http, const std::string& url,
                                     const std::string& compression, std::string_view what) {
  const std::string context = fmt::format("amazon {} download {}", what, WithoutQuery(url));
  auto response = http->Send({.method = "GET", .url = url});
  if (!response.ok()) {
    return response.status().WithContext(context);
  }
  if (response->status != 200) {
    return http::StatusForHttpStatus(response->status,
                                     fmt::format("{}: {}", context, response->status));
  }
  if (compression.empty()) {
    return std::move(response->body);
  }
  if (compression != "GZIP") {
    return InvalidArgumentError(
        fmt::format("{}: unknown compressionAlgorithm {}", context, compression));
  }
  auto text = http::Gunzip(response->body);
  if (!text.ok()) {
    return text.status().WithContext(context);
  }
  return text;
}

Result<std::string> FeedsApi::Submit(const std::string& feed_type,
                                     const std::vector<std::string>& marketplace_ids,
                                     const std::string& content, const std::string& content_type,
                                     const CallOptions& options) {
  ASSIGN_OR_RETURN(http::ClientResponse created,
                   client_->Call({.api = std::string(kFeeds),
                                  .operation = "createFeedDocument",
                                  .method = "POST",
                                  .path = "/feeds/2021-06-30/documents",
                                  .body = json{{"contentType", content_type}}.dump(),
                                  .lane = options.lane,
                                  .deadline = options.deadline},
                                 options.stop));
  constexpr std::string_view kWhere = "amazon createFeedDocument";
  ASSIGN_OR_RETURN(json document, ParseObject(created.body, kWhere));
  ASSIGN_OR_RETURN(std::string document_id, RequiredString(document, "feedDocumentId", kWhere));
  ASSIGN_OR_RETURN(std::string url, RequiredString(document, "url", kWhere));

  const std::string upload_context =
      fmt::format("amazon feed document {} upload {}", document_id, WithoutQuery(url));
  http::ClientRequest upload{.method = "PUT", .url = url, .body = content};
  upload.headers.emplace("Content-Type", content_type);
  auto uploaded = http_->Send(upload);
  if (!uploaded.ok()) {
    return uploaded.status().WithContext(upload_context);
  }
  if (uploaded->status < 200 || uploaded->status >= 300) {
    return http::StatusForHttpStatus(uploaded->status,
                                     fmt::format("{}: {}", upload_context, uploaded->status));
  }

  const json specification = {{"feedType", feed_type},
                              {"marketplaceIds", marketplace_ids},
                              {"inputFeedDocumentId", document_id}};
  ASSIGN_OR_RETURN(http::ClientResponse feed,
                   client_->Call({.api = std::string(kFeeds),
                                  .operation = "createFeed",
                                  .method = "POST",
                                  .path = "/feeds/2021-06-30/feeds",
                                  .body = specification.dump(),
                                  .lane = options.lane,
                                  .deadline = options.deadline,
                                  // A second feed would apply the content twice.
                                  .idempotent = false},
                                 options.stop));
  ASSIGN_OR_RETURN(json answer, ParseObject(feed.body, "amazon createFeed"));
  return RequiredString(answer, "feedId", "amazon createFeed");
}

Result<FeedStatus> FeedsApi::GetFeed(const std::string& feed_id, const CallOptions& options) {
  ASSIGN_OR_RETURN(http::ClientResponse response,
                   client_->Call({.api = std::string(kFeeds),
                                  .operation = "getFeed",
                                  .method = "GET",
                                  .path = "/feeds/2021-06-30/feeds/" + http::UrlEncode(feed_id),
                                  .lane = options.lane,
                                  .deadline = options.deadline},
                                 options.stop));
  const std::string where = "amazon getFeed " + feed_id;
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  FeedStatus status;
  ASSIGN_OR_RETURN(status.feed_id, RequiredString(body, "feedId", where));
  ASSIGN_OR_RETURN(status.feed_type, RequiredString(body, "feedType", where));
  ASSIGN_OR_RETURN(status.processing_status, RequiredString(body, "processingStatus", where));
  ASSIGN_OR_RETURN(status.created_time, RequiredTime(body, "createdTime", where));
  ASSIGN_OR_RETURN(status.processing_start_time, OptionalTime(body, "processingStartTime", where));
  ASSIGN_OR_RETURN(status.processing_end_time, OptionalTime(body, "processingEndTime", where));
  ASSIGN_OR_RETURN(std::string result, OptionalString(body, "resultFeedDocumentId", where));
  if (!result.empty()) {
    status.result_document_id = std::move(result);
  }
  return status;
}

Result<std::string> FeedsApi::DownloadResult(const std::string& document_id,
                                             const CallOptions& options) {
  ASSIGN_OR_RETURN(
      http::ClientResponse response,
      client_->Call({.api = std::string(kFeeds),
                     .operation = "getFeedDocument",
                     .method = "GET",
                     .path = "/feeds/2021-06-30/documents/" + http::UrlEncode(document_id),
                     .lane = options.lane,
                     .deadline = options.deadline},
                    options.stop));
  const std::string where = "amazon getFeedDocument " + document_id;
  ASSIGN_OR_RETURN(json body, ParseObject(response.body, where));
  ASSIGN_OR_RETURN(std::string url, RequiredString(body, "url", where));
  ASSIGN_OR_RETURN(std::string compression, OptionalString(body, "compressionAlgorithm", where));
  return DownloadDocument(http_, url, compression, "feed document " + document_id);
}

}  // namespace sellerbridge::amazon
