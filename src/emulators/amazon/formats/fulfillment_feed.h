#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::emulators::amazon {

struct FulfillmentItem {
  std::string amazon_order_item_code;
  std::optional<int> quantity;  // Absent: the whole remaining quantity.
};

// One <Message> of a POST_ORDER_FULFILLMENT_DATA feed.
struct FulfillmentMessage {
  int message_id = 0;
  std::string amazon_order_id;
  TimePoint fulfillment_date;
  std::string carrier_code;
  std::string carrier_name;
  std::string shipping_method;
  std::string tracking_number;
  std::vector<FulfillmentItem> items;
};

// A problem with one message (message_id > 0) or with the document.
struct FeedMessageError {
  int message_id = 0;
  std::string code;         // Amazon's numeric result message code, as text.
  std::string description;  // Amazon-style text naming the element.
};

struct ParsedFulfillmentFeed {
  std::string merchant_identifier;
  int messages_seen = 0;                     // Every <Message>, valid or not.
  std::vector<FulfillmentMessage> messages;  // The valid ones, in order.
  std::vector<FeedMessageError> errors;      // One per invalid message.
};

// Parses and validates a POST_ORDER_FULFILLMENT_DATA document against the
// structure of Amazon's OrderFulfillment.xsd / amzn-envelope.xsd: an
// AmazonEnvelope with Header (DocumentVersion \d{1,2}.\d{1,2},
// MerchantIdentifier), MessageType OrderFulfillment, and Messages whose
// elements appear in XSD order. A message with a missing or malformed
// element, or without a CarrierCode (or with "Other" and no CarrierName), goes
// to `errors` and is left out of `messages`. InvalidArgument when the document
// is not well-formed XML or not such an envelope (the feed ends FATAL).
// Thread-safe.
Result<ParsedFulfillmentFeed> ParseFulfillmentFeed(std::string_view xml);

// One <Result> of a processing report.
struct FeedResult {
  int message_id = 0;
  std::string result_code;  // "Error" or "Warning".
  std::string message_code;
  std::string description;
  std::string amazon_order_id;  // For AdditionalInfo, when known.
};

// The XML processing report Amazon returns for an order fulfilment feed:
// AmazonEnvelope/Message/ProcessingReport with DocumentTransactionID,
// StatusCode Complete, ProcessingSummary (MessagesProcessed,
// MessagesSuccessful, MessagesWithError, MessagesWithWarning) and one Result
// per entry of `results`.
std::string FulfillmentProcessingReport(std::string_view merchant_identifier,
                                        std::string_view document_transaction_id,
                                        int messages_processed,
                                        const std::vector<FeedResult>& results);

}  // namespace sellerbridge::emulators::amazon
