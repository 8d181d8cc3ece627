#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::emulators::amazon {

// One message of a JSON_LISTINGS_FEED, reduced to what the emulator applies.
struct ListingsFeedMessage {
  int message_id = 0;
  std::string sku;
  std::string operation_type;  // "UPDATE", "PARTIAL_UPDATE", "PATCH" or "DELETE".
  // The fulfillment_availability quantity the message sets, if it sets one.
  std::optional<int> quantity;
  std::string fulfillment_channel_code;  // "DEFAULT" for seller-fulfilled.
};

// An issue with one message, as the processing report lists it.
struct ListingsFeedIssue {
  int message_id = 0;
  std::string code;  // e.g. "4000001"
  std::string message;
  std::string severity;  // "ERROR" or "WARNING"
  std::vector<std::string> attribute_names;
  std::string sku;  // The message's SKU, when it has one.
};

struct ParsedListingsFeed {
  std::string seller_id;
  int messages_seen = 0;
  std::vector<ListingsFeedMessage> messages;  // Valid messages, in order.
  std::vector<ListingsFeedIssue> issues;      // Messages that fail validation.
};

// Validates a JSON_LISTINGS_FEED document against Amazon's listings feed
// schema (embedded) and extracts each message. A message that violates the
// schema becomes an ERROR issue naming what is wrong and is left out of
// `messages`. InvalidArgument when the document as a whole is not JSON or has
// no valid header (the feed ends FATAL). Thread-safe.
Result<ParsedListingsFeed> ParseListingsFeed(std::string_view json);

// The processing report for a listings feed, valid against
// schema-feed-listings-feed-processing-report-schema-v2.json: header
// (sellerId, version "2.0", feedId), issues, and summary (errors, warnings,
// messagesProcessed, messagesAccepted, messagesInvalid).
nlohmann::json ListingsProcessingReport(std::string_view seller_id, std::string_view feed_id,
                                        int messages_processed,
                                        const std::vector<ListingsFeedIssue>& issues);

}  // namespace sellerbridge::emulators::amazon
