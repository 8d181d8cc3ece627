#include "clarus/clarus_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "http/status_mapping.h"

namespace sellerbridge::clarus {
namespace {

using nlohmann::json;

std::string StringField(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string()
             ? object[key].get<std::string>()
             : std::string();
}

// "pointer: detail; …" from a JSON:API error document, or the start of the
// body when it is not one.
std::string DescribeErrors(const std::string& body) {
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string out;
  if (document.is_object() && document.contains("errors") && document["errors"].is_array()) {
    for (const json& error : document["errors"]) {
      std::string detail = StringField(error, "detail");
      if (detail.empty()) {
        detail = StringField(error, "title");
      }
      if (detail.empty()) {
        detail = StringField(error, "message");  // GraphQL-style errors.
      }
      std::string pointer;
      if (error.is_object() && error.contains("source")) {
        pointer = StringField(error["source"], "pointer");
      }
      if (!out.empty()) {
        out += "; ";
      }
      out += pointer.empty() ? detail : fmt::format("{}: {}", pointer, detail);
    }
  }
  if (out.empty()) {
    out = body.substr(0, 200);
  }
  return out;
}

}  // namespace

Status StatusFromClarusResponse(std::string_view context, const http::ClientResponse& response) {
  const int status = response.status;
  if (status >= 200 && status < 300) {
    return Status::Ok();
  }
  return http::StatusForHttpStatus(
      status, fmt::format("{}: {} {}", context, status, DescribeErrors(response.body)));
}

std::string GraphqlLiteral(const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& [name, member] : value.items()) {
        out += first ? "" : ", ";
        out += name + ": " + GraphqlLiteral(member);
        first = false;
      }
      return out + "}";
    }
    case json::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const json& item : value) {
        out += first ? "" : ", ";
        out += GraphqlLiteral(item);
        first = false;
      }
      return out + "]";
    }
    default:
      // JSON's scalars are GraphQL's: strings escaped the same way, numbers,
      // true, false and null.
      return value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

ClarusClient::ClarusClient(ClarusClientOptions options, http::HttpClient* http,
                           http::OAuthTokenProvider* tokens, Clock* clock)
    : options_(std::move(options)),
      http_(http),
      tokens_(tokens),
      clock_(clock),
      backoff_(options_.initial_backoff, options_.max_backoff, options_.seed) {}

Result<http::ClientResponse> ClarusClient::Send(const http::ClientRequest& base, bool idempotent,
                                                std::string_view context,
                                                const std::stop_token& stop) {
  bool refreshed = false;
  Duration wait = Duration::zero();
  Status last = InternalError(std::string(context) + ": not attempted");
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    if (wait > Duration::zero() && !clock_->SleepUntil(clock_->Now() + wait, stop)) {
      return CancelledError(std::string(context) + ": stopped");
    }
    wait = backoff_.Before(attempt + 1);
    auto token = tokens_->AccessToken();
    if (!token.ok()) {
      last = token.status();
      if (IsRetryable(last.code())) {
        continue;
      }
      return last;
    }
    http::ClientRequest request = base;
    request.headers.emplace("Authorization", "Bearer " + *token);
    request.headers.emplace("X-Clarus-Subdomain", options_.subdomain);
    request.headers.emplace("Accept", "application/json");
    auto response = http_->Send(request);
    if (!response.ok()) {
      last = response.status().WithContext(context);
      // A broken connection may have carried the whole write, as a timeout
      // may: either leaves a write's outcome unknown.
      if (!idempotent || !IsRetryable(last.code())) {
        return last;
      }
      spdlog::warn("{} (attempt {} of {})", last.ToString(), attempt, options_.max_attempts);
      continue;
    }
    last = StatusFromClarusResponse(context, *response);
    if (last.ok()) {
      return *std::move(response);
    }
    if (!idempotent && response->status >= 500 && response->status != 503) {
      // A 500, 502 or 504 may come after the write committed (a gateway that
      // gave up waiting): its outcome is unknown, so it is not sent again.
      return last;
    }
    if (last.code() == StatusCode::kUnauthenticated && !refreshed) {
      // Ended sessions and expired tokens look alike: one fresh token each.
      refreshed = true;
      tokens_->Invalidate(*token);
      wait = Duration::zero();
      continue;
    }
    if (last.code() == StatusCode::kResourceExhausted) {
      std::int64_t seconds = 0;
      const std::string retry_after = response->Header("Retry-After").value_or("");
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
      const Duration asked = std::chrono::seconds{seconds};
      if (asked > options_.max_retry_after) {
        return last;
      }
      wait = std::max(wait, asked);
    }
    if (!IsRetryable(last.code())) {
      return last;
    }
    spdlog::warn("{} (attempt {} of {})", last.ToString(), attempt, options_.max_attempts);
  }
  return last;
}

Result<json> ClarusClient::Rest(std::string_view method, std::string_view path, const json& body,
                                bool idempotent, const std::stop_token& stop) {
  const std::string context = fmt::format("clarus {} {}", method, path);
  http::ClientRequest request;
  request.method = std::string(method);
  request.url = options_.api_base + std::string(path);
  if (!body.is_null()) {
    request.headers.emplace("Content-Type", "application/vnd.api+json");
    request.body = body.dump();
  }
  auto response = Send(request, idempotent, context, stop);
  if (!response.ok()) {
    return response.status();
  }
  if (response->body.empty()) {
    return json();
  }
  json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return InternalError(
        fmt::format("{}: {} with a body that is not JSON", context, response->status));
  }
  return parsed;
}

Result<json> ClarusClient::Graphql(std::string_view query, const json& variables,
                                   const std::stop_token& stop) {
  const std::string context = "clarus POST /graphql";
  http::ClientRequest request;
  request.method = "POST";
  request.url = options_.graphql_url;
  request.headers.emplace("Content-Type", "application/json");
  request.body = json{{"query", query}, {"variables", variables}}.dump();
  auto response = Send(request, /*idempotent=*/true, context, stop);
  if (!response.ok()) {
    return response.status();
  }
  json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return InternalError(context + ": the answer is not a JSON object");
  }
  if (parsed.contains("errors") && parsed["errors"].is_array() && !parsed["errors"].empty()) {
    return InvalidArgumentError(fmt::format("{}: {}", context, DescribeErrors(response->body)));
  }
  if (!parsed.contains("data") || !parsed["data"].is_object()) {
    return InternalError(context + ": the answer has no data");
  }
  return std::move(parsed["data"]);
}

Result<std::vector<json>> ClarusClient::GraphqlAll(std::string_view root,
                                                   std::string_view selection, const json& filter,
                                                   int page_size, const std::stop_token& stop) {
  const std::string filter_argument =
      filter.is_null() || filter.empty() ? "" : ", filter: " + GraphqlLiteral(filter);
  const std::string query = fmt::format(
      "query Page($first: Int!, $after: String) {{ {} {{ all(first: $first, after: $after{}) {{ "
      "edges {{ cursor node {{ {} }} }} pageInfo {{ hasNextPage endCursor }} }} }} }}",
      root, filter_argument, selection);
  std::vector<json> nodes;
  json after = nullptr;
  while (true) {
    auto data = Graphql(query, json{{"first", page_size}, {"after", after}}, stop);
    if (!data.ok()) {
      return data.status();
    }
    const json* connection = nullptr;
    if (data->contains(root) && (*data)[std::string(root)].contains("all")) {
      connection = &(*data)[std::string(root)]["all"];
    }
    if (connection == nullptr || !connection->contains("edges") ||
        !(*connection)["edges"].is_array() || !connection->contains("pageInfo")) {
      return InternalError(fmt::format("clarus GraphQL {}: the answer is not a connection", root));
    }
    for (const json& edge : (*connection)["edges"]) {
      if (edge.contains("node")) {
        nodes.push_back(edge["node"]);
      }
    }
    const json& page = (*connection)["pageInfo"];
    const bool more = page.contains("hasNextPage") && page["hasNextPage"].is_boolean() &&
                      page["hasNextPage"].get<bool>();
    if (!more) {
      return nodes;
    }
    const std::string cursor = StringField(page, "endCursor");
    if (cursor.empty() || (after.is_string() && after.get<std::string>() == cursor)) {
      return InternalError(fmt::format("clarus GraphQL {}: paging did not advance", root));
    }
    after = cursor;
  }
}

}  // namespace sellerbridge::clarus
