#include "emulators/amazon/feeds_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kApi = "Feeds 2021-06-30";

http::Response BadInput(std::string_view details) {
  return ErrorResponse(400, "InvalidInput", "Invalid input", details);
}

// Ids the emulator could have issued (unknown: 404) as against malformed
// ones (400, as the model's sandbox answers "badFeedId1").
bool IsFeedIdShape(std::string_view id) {
  return !id.empty() && id.size() <= 20 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

bool IsDocumentIdShape(std::string_view id) {
  if (id.starts_with("amzn1.tortuga.")) {
    return true;
  }
  if (id.size() != 36) {
    return false;
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : std::isxdigit(static_cast<unsigned char>(id[i])) == 0) {
      return false;
    }
  }
  return true;
}

http::Response UnknownFeed(std::string_view feed_id) {
  if (!IsFeedIdShape(feed_id)) {
    return BadInput(fmt::format("Invalid feedId: {}", feed_id));
  }
  return ErrorResponse(404, "NotFound", "The requested resource was not found.",
                       fmt::format("Feed {} does not exist", feed_id));
}

json FeedJson(const FeedInfo& feed) {
  json body = {{"feedId", feed.feed_id},
               {"feedType", feed.feed_type},
               {"marketplaceIds", feed.marketplace_ids},
               {"createdTime", FormatIso8601(feed.created)},
               {"processingStatus", FeedStatusName(feed.status)}};
  if (feed.processing_start) {
    body["processingStartTime"] = FormatIso8601(*feed.processing_start);
  }
  if (feed.processing_end) {
    body["processingEndTime"] = FormatIso8601(*feed.processing_end);
  }
  if (feed.result_document_id) {
    body["resultFeedDocumentId"] = *feed.result_document_id;
  }
  return body;
}

// The scheme and authority the caller reached the emulator on.
std::string BaseUrl(const http::Request& request) {
  return "http://" + request.Header("Host").value_or("127.0.0.1");
}

std::optional<json> ObjectBody(const http::Request& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return std::nullopt;
  }
  return body;
}

http::Response CreateFeedDocument(const http::Request& request, FeedStore* feeds) {
  const auto body = ObjectBody(request);
  if (!body) {
    return BadInput("The request body must be a JSON object.");
  }
  const auto content_type = body->find("contentType");
  if (content_type == body->end() || !content_type->is_string() ||
      content_type->get_ref<const std::string&>().empty()) {
    return BadInput("Missing required field: contentType");
  }
  const std::string id = feeds->CreateDocument(content_type->get<std::string>());
  return http::Response::Json(
      201, json{{"feedDocumentId", id},
                {"url", BaseUrl(request) + feeds->PresignedTarget("PUT", id, false)}}
               .dump());
}

http::Response GetFeedDocument(const http::Request& request, FeedStore* feeds) {
  const std::string& id = request.path_params.at("feedDocumentId");
  const auto encoding_header = request.Query("enableContentEncodingUrlHeader");
  if (encoding_header && *encoding_header != "true" && *encoding_header != "false") {
    return BadInput(
        fmt::format("Invalid enableContentEncodingUrlHeader value: {}", *encoding_header));
  }
  if (!feeds->HasDocument(id)) {
    if (!IsDocumentIdShape(id)) {
      return BadInput(fmt::format("Invalid feedDocumentId: {}", id));
    }
    return ErrorResponse(404, "NotFound", "The requested resource was not found.",
                         fmt::format("Feed document {} does not exist", id));
  }
  const auto document = feeds->Document(id);
  const bool gzip = document && document->gzip;
  json body = {{"feedDocumentId", id},
               {"url", BaseUrl(request) +
                           feeds->PresignedTarget("GET", id, gzip && encoding_header == "true")}};
  if (gzip) {
    body["compressionAlgorithm"] = "GZIP";
  }
  return http::Response::Json(200, body.dump());
}

http::Response CreateFeed(const http::Request& request, FeedStore* feeds) {
  const auto body = ObjectBody(request);
  if (!body) {
    return BadInput("The request body must be a JSON object.");
  }
  FeedSubmission submission;
  const auto feed_type = body->find("feedType");
  if (feed_type == body->end() || !feed_type->is_string() ||
      feed_type->get_ref<const std::string&>().empty()) {
    return BadInput("Missing required field: feedType");
  }
  submission.feed_type = feed_type->get<std::string>();
  const auto marketplaces = body->find("marketplaceIds");
  if (marketplaces == body->end() || !marketplaces->is_array() ||
      !std::all_of(marketplaces->begin(), marketplaces->end(),
                   [](const json& id) { return id.is_string(); })) {
    return BadInput("Missing required field: marketplaceIds (an array of strings)");
  }
  submission.marketplace_ids = marketplaces->get<std::vector<std::string>>();
  const auto document = body->find("inputFeedDocumentId");
  if (document == body->end() || !document->is_string() ||
      document->get_ref<const std::string&>().empty()) {
    return BadInput("Missing required field: inputFeedDocumentId");
  }
  submission.input_document_id = document->get<std::string>();
  if (const auto options = body->find("feedOptions"); options != body->end()) {
    if (!options->is_object() ||
        !std::all_of(options->begin(), options->end(),
                     [](const json& value) { return value.is_string(); })) {
      return BadInput("feedOptions must be an object of strings");
    }
    submission.options = options->get<std::map<std::string, std::string>>();
  }
  auto created = feeds->CreateFeed(submission);
  if (!created.ok()) {
    return BadInput(created.status().message());
  }
  return http::Response::Json(202, json{{"feedId", *created}}.dump());
}

http::Response GetFeeds(const http::Request& request, FeedStore* feeds, Clock* clock) {
  static constexpr std::array<std::string_view, 6> kFilters = {"feedTypes",    "marketplaceIds",
                                                               "pageSize",     "processingStatuses",
                                                               "createdSince", "createdUntil"};
  if (const auto token = request.Query("nextToken")) {
    for (const std::string_view name : kFilters) {
      if (request.Query(name)) {
        return BadInput("nextToken must be the only parameter when it is given");
      }
    }
    auto page = feeds->Continue(*token);
    if (!page.ok()) {
      return BadInput(page.status().message());
    }
    json list = json::array();
    for (const FeedInfo& feed : page->feeds) {
      list.push_back(FeedJson(feed));
    }
    json body = {{"feeds", std::move(list)}};
    if (page->next_token) {
      body["nextToken"] = *page->next_token;
    }
    return http::Response::Json(200, body.dump());
  }
  FeedQuery query;
  query.feed_types = QueryList(request, "feedTypes");
  if (query.feed_types.empty()) {
    return BadInput("Either feedTypes or nextToken is required");
  }
  if (query.feed_types.size() > 10) {
    return BadInput("feedTypes takes at most 10 values");
  }
  query.marketplace_ids = QueryList(request, "marketplaceIds");
  if (query.marketplace_ids.size() > 10) {
    return BadInput("marketplaceIds takes at most 10 values");
  }
  for (const std::string& name : QueryList(request, "processingStatuses")) {
    const auto status = ParseFeedStatus(name);
    if (!status) {
      return BadInput(fmt::format("Invalid processingStatuses value: {}", name));
    }
    query.statuses.push_back(*status);
  }
  if (const auto size = request.Query("pageSize")) {
    int value = 0;
    const auto [end, error] = std::from_chars(size->data(), size->data() + size->size(), value);
    if (error != std::errc() || end != size->data() + size->size() || value < 1 || value > 100) {
      return BadInput("pageSize must be a whole number from 1 to 100");
    }
    query.page_size = value;
  }
  const TimePoint now = clock->Now();
  query.created_since = now - FeedStore::kRetention;
  query.created_until = now;
  for (const auto& [name, out] : {std::pair{"createdSince", &query.created_since},
                                  std::pair{"createdUntil", &query.created_until}}) {
    if (const auto text = request.Query(name)) {
      auto parsed = ParseIso8601(*text);
      if (!parsed.ok()) {
        return BadInput(fmt::format("Invalid {} value: {}", name, *text));
      }
      *out = *parsed;
    }
  }
  if (query.created_since > query.created_until) {
    return BadInput("createdSince must not be after createdUntil");
  }
  const FeedPage page = feeds->Search(query);
  json list = json::array();
  for (const FeedInfo& feed : page.feeds) {
    list.push_back(FeedJson(feed));
  }
  json body = {{"feeds", std::move(list)}};
  if (page.next_token) {
    body["nextToken"] = *page.next_token;
  }
  return http::Response::Json(200, body.dump());
}

http::Response CancelFeed(const http::Request& request, FeedStore* feeds) {
  const std::string& feed_id = request.path_params.at("feedId");
  const Status status = feeds->CancelFeed(feed_id);
  if (status.code() == StatusCode::kNotFound) {
    return UnknownFeed(feed_id);
  }
  if (!status.ok()) {
    return BadInput(status.message());
  }
  return http::Response::Empty(200);
}

// The answer to a presigned request that does not check out, if it does not.
std::optional<http::Response> CheckPresigned(const http::Request& request, FeedStore* feeds,
                                             std::string_view method) {
  switch (feeds->CheckPresigned(method, request.path_params.at("documentId"), request.query)) {
    case PresignedCheck::kValid:
      return std::nullopt;
    case PresignedCheck::kExpired:
      return S3Error(403, "AccessDenied", "Request has expired");
    case PresignedCheck::kSignatureMismatch:
      break;
  }
  return S3Error(403, "SignatureDoesNotMatch",
                 "The request signature we calculated does not match the signature you "
                 "provided. Check your key and signing method.");
}

http::Response Upload(const http::Request& request, FeedStore* feeds) {
  if (auto denied = CheckPresigned(request, feeds, "PUT")) {
    return *denied;
  }
  const std::string& id = request.path_params.at("documentId");
  const Status stored =
      feeds->Upload(id, request.Header("Content-Type").value_or(""), request.body);
  switch (stored.code()) {
    case StatusCode::kOk:
      break;
    case StatusCode::kNotFound:
      return S3Error(404, "NoSuchKey", "The specified key does not exist.");
    case StatusCode::kInvalidArgument:
      return S3Error(403, "SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided. " +
                         std::string(stored.message()));
    default:
      return S3Error(403, "AccessDenied", "Access Denied");
  }
  http::Response response = http::Response::Empty(200);
  response.WithHeader("ETag", fmt::format("\"{:016x}\"", std::hash<std::string>{}(request.body)));
  return response;
}

http::Response Download(const http::Request& request, FeedStore* feeds) {
  if (auto denied = CheckPresigned(request, feeds, "GET")) {
    return *denied;
  }
  const auto document = feeds->Document(request.path_params.at("documentId"));
  if (!document) {
    return S3Error(404, "NoSuchKey", "The specified key does not exist.");
  }
  http::Response response;
  response.status = 200;
  response.body = document->bytes;
  response.content_type = document->content_type;
  if (document->gzip) {
    if (request.Query("response-content-encoding") == "gzip") {
      response.WithHeader("Content-Encoding", "gzip");
    } else {
      // Served as stored; the client decompresses because getFeedDocument
      // said GZIP.
      response.content_type = "application/octet-stream";
    }
  }
  return response;
}

}  // namespace

void RegisterFeedsApi(http::Server& server, const ApiGate& gate, FeedStore* feeds, Clock* clock) {
  server.Route(
      "POST", "/feeds/2021-06-30/documents",
      gate.Wrap({kApi, "createFeedDocument"},
                [feeds](const http::Request& request, const Caller&, const FaultDecision&) {
                  return CreateFeedDocument(request, feeds);
                }));
  server.Route("GET", "/feeds/2021-06-30/documents/{feedDocumentId}",
               gate.Wrap({kApi, "getFeedDocument"}, [feeds](const http::Request& request,
                                                            const Caller&, const FaultDecision&) {
                 return GetFeedDocument(request, feeds);
               }));
  server.Route("POST", "/feeds/2021-06-30/feeds",
               gate.Wrap({kApi, "createFeed"},
                         [feeds](const http::Request& request, const Caller&,
                                 const FaultDecision&) { return CreateFeed(request, feeds); }));
  server.Route("GET", "/feeds/2021-06-30/feeds",
               gate.Wrap({kApi, "getFeeds"}, [feeds, clock](const http::Request& request,
                                                            const Caller&, const FaultDecision&) {
                 return GetFeeds(request, feeds, clock);
               }));
  server.Route("GET", "/feeds/2021-06-30/feeds/{feedId}",
               gate.Wrap({kApi, "getFeed"}, [feeds](const http::Request& request, const Caller&,
                                                    const FaultDecision&) {
                 const std::string& feed_id = request.path_params.at("feedId");
                 const auto feed = feeds->GetFeed(feed_id);
                 if (!feed) {
                   return UnknownFeed(feed_id);
                 }
                 return http::Response::Json(200, FeedJson(*feed).dump());
               }));
  server.Route("DELETE", "/feeds/2021-06-30/feeds/{feedId}",
               gate.Wrap({kApi, "cancelFeed"},
                         [feeds](const http::Request& request, const Caller&,
                                 const FaultDecision&) { return CancelFeed(request, feeds); }));
  server.Route("PUT", "/_upload/{documentId}",
               [feeds](const http::Request& request) { return Upload(request, feeds); });
  server.Route("GET", "/_download/{documentId}",
               [feeds](const http::Request& request) { return Download(request, feeds); });
}

}  // namespace sellerbridge::emulators::amazon
