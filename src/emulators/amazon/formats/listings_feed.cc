#include "emulators/amazon/formats/listings_feed.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <climits>
#include <set>

#include "emulators/amazon/formats/json_schema.h"
#include "emulators/amazon/formats/reference_data.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

// The code Amazon's listings processing reports give a message the feed
// schema rejects.
constexpr std::string_view kInvalidMessageCode = "4000001";
constexpr std::string_view kAvailabilityPath = "/attributes/fulfillment_availability";

// The parts of the embedded feed schema applied separately, so that a bad
// message fails alone while a bad header fails the feed.
struct FeedSchemas {
  JsonSchema header;
  JsonSchema message;
};

JsonSchema SchemaAt(const json& document, std::string_view pointer) {
  Result<JsonSchema> schema = JsonSchema::Create(document, pointer);
  // The schema is compiled in and its pointers are fixed: failing is a bug.
  assert(schema.ok());
  return std::move(schema).value();
}

const FeedSchemas& Schemas() {
  static const FeedSchemas kSchemas = [] {
    const json document = json::parse(ListingsFeedSchemaJson(), nullptr, false);
    return FeedSchemas{SchemaAt(document, "#/properties/header"),
                       SchemaAt(document, "#/properties/messages/items")};
  }();
  return kSchemas;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string joined;
  for (const std::string& part : parts) {
    if (!joined.empty()) {
      joined += separator;
    }
    joined += part;
  }
  return joined;
}

void AddName(std::vector<std::string>& names, std::string name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(std::move(name));
  }
}

// The attribute an error pointer inside a message refers to: the member
// under /attributes, or the attribute a patch's path names.
std::string AttributeOf(const json& message, std::string_view error) {
  const std::string_view pointer = error.substr(0, error.find(':'));
  auto first_token = [](std::string_view rest) { return rest.substr(0, rest.find('/')); };
  if (pointer.starts_with("/attributes/")) {
    return std::string(first_token(pointer.substr(12)));
  }
  if (pointer.starts_with("/patches/")) {
    const std::string index(first_token(pointer.substr(9)));
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos ||
        index.size() > 6) {
      return {};
    }
    const auto patches = message.find("patches");
    const size_t i = std::stoul(index);
    if (patches == message.end() || !patches->is_array() || i >= patches->size() ||
        !(*patches)[i].is_object()) {
      return {};
    }
    const json& path = (*patches)[i].value("path", json());
    if (path.is_string() && path.get_ref<const std::string&>().starts_with("/attributes/")) {
      return std::string(
          first_token(std::string_view(path.get_ref<const std::string&>()).substr(12)));
    }
  }
  return {};
}

// Reads a fulfillment_availability value into `out`, preferring the
// seller-fulfilled ("DEFAULT") entry. Returns a problem, or an empty string.
std::string ReadAvailability(const json& value, ListingsFeedMessage& out) {
  if (!value.is_array()) {
    return "fulfillment_availability must be an array";
  }
  const json* chosen = nullptr;
  for (const json& entry : value) {
    if (!entry.is_object()) {
      return "each fulfillment_availability entry must be an object";
    }
    const auto channel = entry.find("fulfillment_channel_code");
    if (channel == entry.end() || !channel->is_string() ||
        channel->get_ref<const std::string&>().empty()) {
      return "each fulfillment_availability entry needs a fulfillment_channel_code";
    }
    if (const auto quantity = entry.find("quantity"); quantity != entry.end()) {
      if (!quantity->is_number_integer() || quantity->get<std::int64_t>() < 0 ||
          quantity->get<std::int64_t>() > INT_MAX) {
        return fmt::format("quantity {} is not a whole number from 0 to {}",
                           quantity->dump(-1, ' ', false, json::error_handler_t::replace), INT_MAX);
      }
    }
    const bool is_default = *channel == "DEFAULT";
    if (chosen == nullptr || (is_default && (*chosen)["fulfillment_channel_code"] != "DEFAULT")) {
      chosen = &entry;
    }
  }
  if (chosen == nullptr) {
    out.quantity.reset();
    out.fulfillment_channel_code.clear();
    return {};
  }
  out.fulfillment_channel_code = (*chosen)["fulfillment_channel_code"].get<std::string>();
  if (const auto quantity = chosen->find("quantity"); quantity != chosen->end()) {
    out.quantity = quantity->get<int>();
  } else {
    out.quantity.reset();
  }
  return {};
}

// Extracts what the emulator applies from a schema-valid message. Returns a
// problem the schema cannot express, or an empty string.
std::string Extract(const json& message, ListingsFeedMessage& out) {
  out.sku = message["sku"].get<std::string>();
  out.operation_type = message["operationType"].get<std::string>();
  if (const auto attributes = message.find("attributes"); attributes != message.end()) {
    if (const auto availability = attributes->find("fulfillment_availability");
        availability != attributes->end()) {
      return ReadAvailability(*availability, out);
    }
  }
  if (const auto patches = message.find("patches"); patches != message.end()) {
    // Patches apply in order, so the last one touching the attribute wins.
    for (const json& patch : *patches) {
      if (patch["path"] != kAvailabilityPath) {
        continue;
      }
      if (patch["op"] == "delete") {
        out.quantity.reset();
        out.fulfillment_channel_code.clear();
        continue;
      }
      const auto value = patch.find("value");
      if (value == patch.end()) {
        return fmt::format("a '{}' patch of {} needs a value", patch["op"].get<std::string>(),
                           kAvailabilityPath);
      }
      if (std::string problem = ReadAvailability(*value, out); !problem.empty()) {
        return problem;
      }
    }
  }
  return {};
}

}  // namespace

Result<ParsedListingsFeed> ParseListingsFeed(std::string_view text) {
  const json document = json::parse(text, nullptr, false);
  if (document.is_discarded()) {
    return InvalidArgumentError("listings feed: the document is not valid JSON");
  }
  if (!document.is_object()) {
    return InvalidArgumentError("listings feed: the document is not a JSON object");
  }
  const auto header = document.find("header");
  if (header == document.end()) {
    return InvalidArgumentError("listings feed: /header: required property is missing");
  }
  if (std::vector<std::string> errors = Schemas().header.Validate(*header); !errors.empty()) {
    for (std::string& error : errors) {
      error.insert(0, "/header");
    }
    return InvalidArgumentError("listings feed: " + Join(errors, "; "));
  }
  const auto messages = document.find("messages");
  if (messages == document.end() || !messages->is_array() || messages->empty() ||
      messages->size() > 25000) {
    return InvalidArgumentError("listings feed: /messages must be an array of 1 to 25000 messages");
  }
  ParsedListingsFeed feed;
  feed.seller_id = (*header)["sellerId"].get<std::string>();
  for (const json& message : *messages) {
    ++feed.messages_seen;
    ListingsFeedIssue issue;
    if (message.is_object()) {
      const auto id = message.find("messageId");
      if (id != message.end() && id->is_number_integer() && id->get<std::int64_t>() > 0 &&
          id->get<std::int64_t>() <= INT_MAX) {
        issue.message_id = id->get<int>();
      }
      const auto sku = message.find("sku");
      if (sku != message.end() && sku->is_string()) {
        issue.sku = sku->get<std::string>();
      }
    }
    std::vector<std::string> errors = Schemas().message.Validate(message);
    ListingsFeedMessage parsed;
    if (errors.empty()) {
      parsed.message_id = issue.message_id;
      if (std::string problem = Extract(message, parsed); !problem.empty()) {
        AddName(issue.attribute_names, "fulfillment_availability");
        errors.push_back(std::string(kAvailabilityPath) + ": " + problem);
      }
    }
    if (errors.empty()) {
      feed.messages.push_back(std::move(parsed));
      continue;
    }
    for (std::string& error : errors) {
      AddName(issue.attribute_names, AttributeOf(message, error));
      // The validator writes the message itself as the empty pointer.
      if (error.starts_with(':')) {
        error.insert(0, "message");
      }
    }
    issue.code = kInvalidMessageCode;
    issue.severity = "ERROR";
    issue.message = "The provided message is invalid: " + Join(errors, "; ");
    feed.issues.push_back(std::move(issue));
  }
  return feed;
}

nlohmann::json ListingsProcessingReport(std::string_view seller_id, std::string_view feed_id,
                                        int messages_processed,
                                        const std::vector<ListingsFeedIssue>& issues) {
  json report_issues = json::array();
  int errors = 0;
  int warnings = 0;
  std::set<int> invalid;
  for (const ListingsFeedIssue& issue : issues) {
    json entry = json::object();
    // The schema wants messageId >= 1 and non-empty strings: an issue with
    // the feed as a whole has no messageId, and empty fields are left out.
    if (issue.message_id > 0) {
      entry["messageId"] = issue.message_id;
    }
    if (!issue.sku.empty()) {
      entry["sku"] = issue.sku;
    }
    if (!issue.code.empty()) {
      entry["code"] = issue.code;
    }
    entry["severity"] = issue.severity;
    entry["message"] = issue.message.empty() ? std::string("Unknown issue.") : issue.message;
    if (!issue.attribute_names.empty()) {
      entry["attributeName"] = Join(issue.attribute_names, ", ");
    }
    report_issues.push_back(std::move(entry));
    if (issue.severity == "ERROR") {
      ++errors;
      if (issue.message_id > 0) {
        invalid.insert(issue.message_id);
      }
    } else if (issue.severity == "WARNING") {
      ++warnings;
    }
  }
  const int messages_invalid = static_cast<int>(invalid.size());
  return json{{"header", {{"sellerId", seller_id}, {"version", "2.0"}, {"feedId", feed_id}}},
              {"issues", std::move(report_issues)},
              {"summary",
               {{"errors", errors},
                {"warnings", warnings},
                {"messagesProcessed", messages_processed},
                {"messagesAccepted", std::max(0, messages_processed - messages_invalid)},
                {"messagesInvalid", messages_invalid}}}};
}

}  // namespace sellerbridge::emulators::amazon
