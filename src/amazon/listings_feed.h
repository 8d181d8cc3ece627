#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::amazon {

// One quantity in a JSON_LISTINGS_FEED: a PATCH message that merges the
// DEFAULT (seller-fulfilled) fulfillment_availability, as
// ListingsApi::SetQuantity does.
struct ListingsFeedQuantity {
  int message_id = 0;  // 1.., unique in the feed.
  std::string sku;
  int quantity = 0;                  // >= 0
  std::optional<int> handling_days;  // lead_time_to_ship_max_days, when set.
};

// The largest number of messages one JSON_LISTINGS_FEED may carry.
inline constexpr int kMaxListingsFeedMessages = 25'000;

// The feed document for `messages`, in their order: UTF-8 JSON per Amazon's
// listings-feed-schema-v2, a header {sellerId `seller_id`, version "2.0"} and
// one message each: {messageId, sku, operationType "PATCH", productType
// "PRODUCT", patches [{op "merge", path "/attributes/fulfillment_availability",
// value [{fulfillment_channel_code "DEFAULT", quantity,
// lead_time_to_ship_max_days?}]}]}. "merge" (allowed by the schema since June
// 2025) updates only the members sent, so a restock date or handling time set
// in Seller Central survives a quantity-only message. "PRODUCT" is the same
// generic product type SetQuantity sends. The header carries no issueLocale:
// Amazon then localises issues for the feed's first marketplace. Strings are
// escaped; bytes that are not UTF-8 become U+FFFD, so that one bad SKU costs
// its message, not the whole feed. `messages` must hold 1 to
// kMaxListingsFeedMessages entries with positive, unique message ids,
// non-empty SKUs and quantities >= 0: a caller breaking this has a bug
// (asserted).
std::string BuildListingsQuantityFeed(std::string_view seller_id,
                                      const std::vector<ListingsFeedQuantity>& messages);

// One issue of a processing report: a problem with one message, or with the
// feed as a whole when message_id is 0.
struct ListingsFeedIssue {
  int message_id = 0;  // 0 when the issue concerns the whole feed (no messageId).
  std::string code;    // Empty when Amazon gives none (the schema makes it optional).
  std::string message;
  std::string severity;  // "ERROR", "WARNING", "INFO".
  std::vector<std::string> attribute_names;
};

// The processing report of a JSON_LISTINGS_FEED.
struct ListingsFeedReport {
  int messages_processed = 0;
  int messages_accepted = 0;
  int messages_invalid = 0;
  int errors = 0;
  int warnings = 0;
  std::vector<ListingsFeedIssue> issues;  // In the report's order.

  // Whether message `message_id` was applied: no ERROR issue names it and the
  // whole feed had no ERROR without a messageId.
  bool Accepted(int message_id) const;
};

// Parses the processing report Amazon returns for a JSON_LISTINGS_FEED (the
// result document of FeedsApi::DownloadResult), per Amazon's
// listings-feed-processing-report-schema-v2: a summary (errors, warnings,
// messagesProcessed, messagesAccepted, messagesInvalid) and issues (messageId?,
// code?, severity, message, attributeName?). attributeName, and the
// attributeNames array the Listings Items API uses, fill attribute_names.
// The header, the items and members it does not read are ignored. Returns
// InvalidArgument naming what is wrong: text that is not a JSON object, no
// summary object, a count missing or not a non-negative integer, issues that
// are not an array of objects, an issue whose severity is missing or not
// ERROR, WARNING or INFO, whose message is missing, whose messageId is not a
// positive integer, or whose code or attribute names are not strings.
// Thread-safe.
Result<ListingsFeedReport> ParseListingsFeedProcessingReport(std::string_view text);

}  // namespace sellerbridge::amazon
