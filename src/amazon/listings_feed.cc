#include "amazon/listings_feed.h"

#include <fmt/format.h>

#include <cassert>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "amazon/json_fields.h"
#include "base/status_macros.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;
// Members in the order of Amazon's schema and example, for a reader's sake.
using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view kWhere = "amazon JSON_LISTINGS_FEED processing report";

OrderedJson QuantityMessage(const ListingsFeedQuantity& message) {
  OrderedJson value = {{"fulfillment_channel_code", "DEFAULT"}, {"quantity", message.quantity}};
  if (message.handling_days) {
    value["lead_time_to_ship_max_days"] = *message.handling_days;
  }
  return {{"messageId", message.message_id},
          {"sku", message.sku},
          {"operationType", "PATCH"},
          {"productType", "PRODUCT"},
          {"patches", OrderedJson::array({{{"op", "merge"},
                                           {"path", "/attributes/fulfillment_availability"},
                                           {"value", OrderedJson::array({value})}}})}};
}

// The member `key` of `object` as a non-negative int.
Result<int> Count(const json& object, std::string_view key, std::string_view where) {
  ASSIGN_OR_RETURN(const std::int64_t value, RequiredInteger(object, key, where));
  if (value < 0 || value > std::numeric_limits<int>::max()) {
    return InvalidArgumentError(
        fmt::format("{}: {} {} is not a non-negative integer", where, key, value));
  }
  return static_cast<int>(value);
}

Result<ListingsFeedIssue> ParseIssue(const json& node, std::size_t index) {
  const std::string where = fmt::format("{}: issues[{}]", kWhere, index);
  if (!node.is_object()) {
    return InvalidArgumentError(fmt::format("{} is not an object", where));
  }
  ListingsFeedIssue issue;
  if (const auto id = node.find("messageId"); id != node.end() && !id->is_null()) {
    // Amazon leaves messageId out for issues with the feed as a whole; 0
    // stands for those, so a present messageId must be a real one.
    if (!id->is_number_integer() || id->get<std::int64_t>() < 1 ||
        id->get<std::int64_t>() > std::numeric_limits<int>::max()) {
      return InvalidArgumentError(
          fmt::format("{}: messageId {} is not a positive integer", where, id->dump()));
    }
    issue.message_id = static_cast<int>(id->get<std::int64_t>());
  }
  ASSIGN_OR_RETURN(issue.severity, RequiredString(node, "severity", where));
  if (issue.severity != "ERROR" && issue.severity != "WARNING" && issue.severity != "INFO") {
    return InvalidArgumentError(
        fmt::format("{}: severity '{}' is not ERROR, WARNING or INFO", where, issue.severity));
  }
  ASSIGN_OR_RETURN(issue.code, OptionalString(node, "code", where));
  ASSIGN_OR_RETURN(issue.message, RequiredString(node, "message", where));
  ASSIGN_OR_RETURN(std::string attribute_name, OptionalString(node, "attributeName", where));
  if (!attribute_name.empty()) {
    issue.attribute_names.push_back(std::move(attribute_name));
  }
  ASSIGN_OR_RETURN(const json* attribute_names, OptionalArray(node, "attributeNames", where));
  for (const json& name : *attribute_names) {
    if (!name.is_string()) {
      return InvalidArgumentError(
          fmt::format("{}: attributeNames holds {}, not a string", where, name.dump()));
    }
    issue.attribute_names.push_back(name.get<std::string>());
  }
  return issue;
}

}  // namespace

std::string BuildListingsQuantityFeed(std::string_view seller_id,
                                      const std::vector<ListingsFeedQuantity>& messages) {
  assert(!messages.empty());
  assert(messages.size() <= static_cast<std::size_t>(kMaxListingsFeedMessages));
  OrderedJson feed = {{"header", {{"sellerId", seller_id}, {"version", "2.0"}}},
                      {"messages", OrderedJson::array()}};
  OrderedJson& out = feed["messages"];
  std::set<int> message_ids;
  for (const ListingsFeedQuantity& message : messages) {
    assert(message.message_id > 0);
    [[maybe_unused]] const bool unique = message_ids.insert(message.message_id).second;
    assert(unique);
    assert(!message.sku.empty());
    assert(message.quantity >= 0);
    out.push_back(QuantityMessage(message));
  }
  return feed.dump(-1, ' ', /*ensure_ascii=*/false, OrderedJson::error_handler_t::replace);
}

bool ListingsFeedReport::Accepted(int message_id) const {
  for (const ListingsFeedIssue& issue : issues) {
    if (issue.severity == "ERROR" && (issue.message_id == message_id || issue.message_id == 0)) {
      return false;
    }
  }
  return true;
}

Result<ListingsFeedReport> ParseListingsFeedProcessingReport(std::string_view text) {
  const json report = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded()) {
    return InvalidArgumentError(fmt::format("{}: not valid JSON", kWhere));
  }
  if (!report.is_object()) {
    return InvalidArgumentError(fmt::format("{}: not a JSON object", kWhere));
  }
  ASSIGN_OR_RETURN(const json* summary, OptionalObject(report, "summary", kWhere));
  if (summary == nullptr) {
    return InvalidArgumentError(fmt::format("{}: summary is missing", kWhere));
  }
  const std::string in_summary = fmt::format("{}: summary", kWhere);
  ListingsFeedReport parsed;
  ASSIGN_OR_RETURN(parsed.errors, Count(*summary, "errors", in_summary));
  ASSIGN_OR_RETURN(parsed.warnings, Count(*summary, "warnings", in_summary));
  ASSIGN_OR_RETURN(parsed.messages_processed, Count(*summary, "messagesProcessed", in_summary));
  ASSIGN_OR_RETURN(parsed.messages_accepted, Count(*summary, "messagesAccepted", in_summary));
  ASSIGN_OR_RETURN(parsed.messages_invalid, Count(*summary, "messagesInvalid", in_summary));
  ASSIGN_OR_RETURN(const json* issues, OptionalArray(report, "issues", kWhere));
  std::size_t index = 0;
  for (const json& node : *issues) {
    ASSIGN_OR_RETURN(ListingsFeedIssue issue, ParseIssue(node, index++));
    parsed.issues.push_back(std::move(issue));
  }
  return parsed;
}

}  // namespace sellerbridge::amazon
