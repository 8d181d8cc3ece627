#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::amazon {

// One <Message> of a POST_ORDER_FULFILLMENT_DATA feed: one package of one
// order.
struct FulfillmentFeedMessage {
  int message_id = 0;  // 1.., unique in the feed.
  std::string amazon_order_id;
  TimePoint fulfillment_date;  // The ship date.
  std::string carrier_code;    // Amazon CarrierCode, e.g. "Royal Mail".
  std::string carrier_name;    // Required by Amazon when carrier_code is "Other".
  std::string shipping_method;
  std::string tracking_number;
  // Order item id → quantity (1..). Empty: Amazon ships every unit of the
  // order not shipped yet.
  std::vector<std::pair<std::string, int>> items;
};

// The feed document for `messages`, in their order: UTF-8 XML, an
// AmazonEnvelope with Header (DocumentVersion, MerchantIdentifier
// `merchant_id`), MessageType OrderFulfillment and one Message each, elements
// in the order of Amazon's OrderFulfillment.xsd. Items are named by
// AmazonOrderItemCode. Empty strings leave their element out (FulfillmentData
// too when all four of its fields are empty). Every text is escaped;
// characters XML 1.0 cannot carry (control characters other than tab, line
// feed and carriage return, and bytes that are not UTF-8) become U+FFFD, so
// that one bad field costs its message, not the whole feed. `messages` must
// not be empty, message ids must be positive and unique and quantities
// positive: a caller breaking this has a bug (asserted).
std::string BuildOrderFulfillmentFeed(std::string_view merchant_id,
                                      const std::vector<FulfillmentFeedMessage>& messages);

// One <Result> of a processing report: a problem with one message, or with
// the document as a whole when message_id is 0.
struct FulfillmentFeedResult {
  int message_id = 0;
  std::string result_code;   // "Error" or "Warning".
  std::string message_code;  // ResultMessageCode, e.g. "18028".
  std::string description;
};

// The processing report of a POST_ORDER_FULFILLMENT_DATA feed.
struct FulfillmentFeedReport {
  int messages_processed = 0;
  int messages_successful = 0;
  int messages_with_error = 0;
  int messages_with_warning = 0;
  std::vector<FulfillmentFeedResult> results;  // In the report's order.
};

// Parses the processing report Amazon returns for a POST_ORDER_FULFILLMENT_DATA
// feed (the result document of FeedsApi::DownloadResult): an AmazonEnvelope
// whose Message holds a ProcessingReport with a ProcessingSummary
// (MessagesProcessed, MessagesSuccessful, MessagesWithError,
// MessagesWithWarning) and a Result (MessageID, ResultCode,
// ResultMessageCode, ResultDescription) per problem. Texts are trimmed;
// elements it does not read are ignored. Returns InvalidArgument naming what
// is wrong: XML that is not well-formed, another root element, no
// ProcessingReport or ProcessingSummary, a count missing or not a
// non-negative integer, a Result whose MessageID is missing or not a
// non-negative integer, whose ResultCode is not Error or Warning, or that
// lacks ResultMessageCode or ResultDescription. Thread-safe.
Result<FulfillmentFeedReport> ParseFulfillmentProcessingReport(std::string_view xml);

}  // namespace sellerbridge::amazon
