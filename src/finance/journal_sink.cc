#include "finance/journal_sink.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "base/redact.h"
#include "finance/journal_export.h"
#include "http/status_mapping.h"

namespace sellerbridge::finance {
namespace {

using nlohmann::json;

// Remote messages are quoted, but only so much of them.
constexpr std::size_t kMaxQuoted = 400;

// `url` without user information, query or fragment: those may carry
// credentials (an API key in a query is common for webhook-style sinks).
std::string ShownUrl(std::string_view url) {
  const std::size_t cut = url.find_first_of("?#");
  if (cut != std::string_view::npos) {
    url = url.substr(0, cut);
  }
  std::string out(url);
  const std::size_t scheme = out.find("://");
  const std::size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t path = out.find('/', authority);
  const std::size_t at = out.rfind('@', path == std::string::npos ? out.size() : path);
  if (at != std::string::npos && at >= authority) {
    out.erase(authority, at + 1 - authority);
  }
  return out;
}

void ReplaceAll(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) {
    return;
  }
  for (std::size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

std::string Shorten(std::string text) {
  if (text.size() > kMaxQuoted) {
    text.resize(kMaxQuoted);
    text += "…";
  }
  return text;
}

std::string StringField(const json& object, std::string_view key) {
  const auto found = object.find(key);
  if (found != object.end() && found->is_string()) {
    return found->get<std::string>();
  }
  return "";
}

// Xero's validation errors: {"Message", "Elements": [{"ValidationErrors":
// [{"Message"}]}]}; its authorisation errors: {"Title", "Detail"}.
std::string XeroMessage(const json& body) {
  std::vector<std::string> parts;
  const std::string message = StringField(body, "Message");
  if (!message.empty()) {
    parts.push_back(message);
  }
  const auto elements = body.find("Elements");
  if (elements != body.end() && elements->is_array()) {
    for (const json& element : *elements) {
      const auto errors = element.find("ValidationErrors");
      if (!element.is_object() || errors == element.end() || !errors->is_array()) {
        continue;
      }
      for (const json& error : *errors) {
        if (error.is_object() && !StringField(error, "Message").empty()) {
          parts.push_back(StringField(error, "Message"));
        }
      }
    }
  }
  for (const std::string_view key : {"Title", "Detail"}) {
    if (!StringField(body, key).empty()) {
      parts.push_back(StringField(body, key));
    }
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// A generic system's {"message"}, {"error": "…"} or {"error": {"message"}}.
std::string GenericMessage(const json& body) {
  for (const std::string_view key : {"message", "error_description", "detail"}) {
    if (!StringField(body, key).empty()) {
      return StringField(body, key);
    }
  }
  const auto error = body.find("error");
  if (error != body.end()) {
    if (error->is_string()) {
      return error->get<std::string>();
    }
    if (error->is_object() && !StringField(*error, "message").empty()) {
      return StringField(*error, "message");
    }
  }
  return "";
}

// What the system said about a refused journal, or its body as text.
std::string RemoteMessage(const http::ClientResponse& response, config::JournalFormat format) {
  std::string message;
  try {
    const json body = json::parse(response.body);
    if (body.is_object()) {
      message = format == config::JournalFormat::kXero ? XeroMessage(body) : GenericMessage(body);
    }
  } catch (const json::exception&) {
    // Not JSON: the text itself is the message.
  }
  if (message.empty()) {
    message = response.body;
  }
  return Shorten(std::move(message));
}

// The id the finance system gave the journal, "" when its answer has none.
std::string JournalId(const std::string& body, config::JournalFormat format) {
  try {
    const json answer = json::parse(body);
    if (!answer.is_object()) {
      return "";
    }
    if (format == config::JournalFormat::kXero) {
      const auto journals = answer.find("ManualJournals");
      if (journals != answer.end() && journals->is_array() && !journals->empty() &&
          journals->front().is_object()) {
        return StringField(journals->front(), "ManualJournalID");
      }
      return "";
    }
    const auto id = answer.find("id");
    if (id == answer.end()) {
      return "";
    }
    if (id->is_string()) {
      return id->get<std::string>();
    }
    return id->is_number() ? id->dump() : "";
  } catch (const json::exception&) {
    // The journal was accepted; an answer we cannot read only costs the id.
    return "";
  }
}

}  // namespace

JournalSink::JournalSink(config::JournalSinkConfig config, http::HttpClient* http)
    : config_(std::move(config)), http_(http), shown_url_(ShownUrl(config_.url)) {}

Result<std::string> JournalSink::Post(const Journal& journal) const {
  const bool xero = config_.format == config::JournalFormat::kXero;
  http::ClientRequest request;
  request.method = "POST";
  request.url = config_.url;
  request.headers.emplace("Content-Type", "application/json");
  request.headers.emplace("Accept", "application/json");
  request.headers.emplace("Idempotency-Key", journal.idempotency_key);
  if (!config_.token.empty()) {
    request.headers.emplace("Authorization", "Bearer " + config_.token.Reveal());
  }
  if (xero && !config_.tenant_id.empty()) {
    request.headers.emplace("xero-tenant-id", config_.tenant_id);
  }
  const json body = xero ? json{{"ManualJournals",
                                 json::array({XeroManualJournal(journal, config_.journal_status)})}}
                         : JournalToJson(journal);
  // Replacement characters rather than an exception for text that is not
  // UTF-8 (a description copied from a settlement file in another encoding).
  request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

  const std::string where = fmt::format("finance sink {}: POST {} journal {}", config_.name,
                                        shown_url_, journal.idempotency_key);
  // Whatever a remote end or the transport says is cleaned of the URL and
  // the token before it is quoted.
  const auto clean = [&](std::string text) {
    ReplaceAll(text, config_.url, shown_url_);
    ReplaceAll(text, config_.token.Reveal(), kRedacted);
    return Redact(text);
  };

  Result<http::ClientResponse> response = http_->Send(request);
  if (!response.ok()) {
    return Status(response.status().code(), fmt::format("{}: the request did not complete: {}",
                                                        where, clean(response.status().message())));
  }
  const int status = response->status;
  if (status >= 200 && status < 300) {
    return JournalId(response->body, config_.format);
  }
  const std::string said = clean(RemoteMessage(*response, config_.format));
  const std::string message =
      fmt::format("{}: HTTP {}{}{}", where, status, said.empty() ? "" : ": ", said);
  if (status == 429) {
    if (const std::optional<std::string> retry_after = response->Header("Retry-After")) {
      return ResourceExhaustedError(
          fmt::format("{} (retry after {} s)", message, clean(*retry_after)));
    }
  }
  Status mapped = http::StatusForHttpStatus(status, message);
  // Whatever else a finance system answers with a 4xx (an unknown account
  // code is a 404 to some) is a refusal of this journal: sending it again
  // will not change it.
  if (status >= 400 && status < 500 &&
      (mapped.code() == StatusCode::kNotFound || mapped.code() == StatusCode::kAlreadyExists ||
       mapped.code() == StatusCode::kInternal)) {
    return InvalidArgumentError(message);
  }
  return mapped;
}

}  // namespace sellerbridge::finance
