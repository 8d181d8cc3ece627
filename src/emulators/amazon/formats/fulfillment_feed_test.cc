#include "emulators/amazon/formats/fulfillment_feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr std::string_view kValidMessage = R"(
  <Message>
    <MessageID>1</MessageID>
    <OperationType>Update</OperationType>
    <OrderFulfillment>
      <AmazonOrderID>203-1234567-1234567</AmazonOrderID>
      <MerchantFulfillmentID>1001</MerchantFulfillmentID>
      <FulfillmentDate>2026-08-05T14:00:00+00:00</FulfillmentDate>
      <FulfillmentData>
        <CarrierCode>Royal Mail</CarrierCode>
        <ShippingMethod>Tracked 48</ShippingMethod>
        <ShipperTrackingNumber>AB123456789GB</ShipperTrackingNumber>
      </FulfillmentData>
      <Item>
        <AmazonOrderItemCode>12345678901234</AmazonOrderItemCode>
        <MerchantFulfillmentItemID>1</MerchantFulfillmentItemID>
        <Quantity>2</Quantity>
      </Item>
      <Item>
        <AmazonOrderItemCode>22345678901234</AmazonOrderItemCode>
      </Item>
    </OrderFulfillment>
  </Message>)";

std::string Envelope(std::string_view messages) {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A1SELLER</MerchantIdentifier></Header>
  <MessageType>OrderFulfillment</MessageType>)") +
         std::string(messages) + "\n</AmazonEnvelope>\n";
}

// A message with `id` whose OrderFulfillment children are `body`.
std::string Message(int id, std::string_view body) {
  return "<Message><MessageID>" + std::to_string(id) + "</MessageID><OrderFulfillment>" +
         std::string(body) + "</OrderFulfillment></Message>";
}

constexpr std::string_view kOrderAndDate =
    "<AmazonOrderID>203-0000000-0000001</AmazonOrderID>"
    "<FulfillmentDate>2026-08-05T14:00:00Z</FulfillmentDate>";

ParsedFulfillmentFeed ParseOk(const std::string& xml) {
  auto parsed = ParseFulfillmentFeed(xml);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : ParsedFulfillmentFeed{};
}

// The single error of a feed holding one message with `body`.
FeedMessageError OnlyError(std::string_view body) {
  const ParsedFulfillmentFeed feed = ParseOk(Envelope(Message(7, body)));
  EXPECT_EQ(feed.messages_seen, 1);
  EXPECT_THAT(feed.messages, IsEmpty());
  EXPECT_EQ(feed.errors.size(), 1U);
  return feed.errors.empty() ? FeedMessageError{} : feed.errors.front();
}

TEST(FulfillmentFeedTest, ParsesAValidFeed) {
  const ParsedFulfillmentFeed feed = ParseOk(Envelope(kValidMessage));
  EXPECT_EQ(feed.merchant_identifier, "A1SELLER");
  EXPECT_EQ(feed.messages_seen, 1);
  EXPECT_THAT(feed.errors, IsEmpty());
  ASSERT_EQ(feed.messages.size(), 1U);
  const FulfillmentMessage& message = feed.messages[0];
  EXPECT_EQ(message.message_id, 1);
  EXPECT_EQ(message.amazon_order_id, "203-1234567-1234567");
  EXPECT_EQ(FormatIso8601(message.fulfillment_date), "2026-08-05T14:00:00.000Z");
  EXPECT_EQ(message.carrier_code, "Royal Mail");
  EXPECT_EQ(message.carrier_name, "");
  EXPECT_EQ(message.shipping_method, "Tracked 48");
  EXPECT_EQ(message.tracking_number, "AB123456789GB");
  ASSERT_EQ(message.items.size(), 2U);
  EXPECT_EQ(message.items[0].amazon_order_item_code, "12345678901234");
  EXPECT_EQ(message.items[0].quantity, 2);
  EXPECT_EQ(message.items[1].amazon_order_item_code, "22345678901234");
  EXPECT_EQ(message.items[1].quantity, std::nullopt);
}

TEST(FulfillmentFeedTest, AcceptsOtherWithCarrierNameAndOptionalEnvelopeElements) {
  const std::string xml = std::string(R"(<AmazonEnvelope>
  <Header><DocumentVersion>1.2</DocumentVersion><MerchantIdentifier>M</MerchantIdentifier></Header>
  <MessageType>OrderFulfillment</MessageType>
  <PurgeAndReplace>false</PurgeAndReplace>)") +
                          Message(3, std::string(kOrderAndDate) +
                                         "<FulfillmentData><CarrierCode>Other</CarrierCode>"
                                         "<CarrierName>Evri</CarrierName></FulfillmentData>"
                                         "<CODCollectionMethod>DirectPayment</CODCollectionMethod>"
                                         "<ShipFromAddress><City>Leeds</City></ShipFromAddress>") +
                          "</AmazonEnvelope>";
  const ParsedFulfillmentFeed feed = ParseOk(xml);
  ASSERT_EQ(feed.messages.size(), 1U) << (feed.errors.empty() ? "" : feed.errors[0].description);
  EXPECT_EQ(feed.messages[0].carrier_code, "Other");
  EXPECT_EQ(feed.messages[0].carrier_name, "Evri");
  EXPECT_THAT(feed.messages[0].items, IsEmpty());
}

TEST(FulfillmentFeedTest, ReadsAFulfillmentDateWithoutZoneAsUtc) {
  const ParsedFulfillmentFeed feed = ParseOk(Envelope(Message(
      1,
      "<AmazonOrderID>1</AmazonOrderID><FulfillmentDate>2026-08-05T14:00:00</FulfillmentDate>"
      "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData>")));
  ASSERT_EQ(feed.messages.size(), 1U);
  EXPECT_EQ(FormatIso8601(feed.messages[0].fulfillment_date), "2026-08-05T14:00:00.000Z");
}

TEST(FulfillmentFeedTest, KeepsValidMessagesBesideInvalidOnes) {
  const ParsedFulfillmentFeed feed = ParseOk(Envelope(
      std::string(kValidMessage) + Message(2, kOrderAndDate) +
      Message(3, std::string(kOrderAndDate) +
                     "<FulfillmentData><CarrierCode>UPS</CarrierCode></FulfillmentData>")));
  EXPECT_EQ(feed.messages_seen, 3);
  ASSERT_EQ(feed.messages.size(), 2U);
  EXPECT_EQ(feed.messages[0].message_id, 1);
  EXPECT_EQ(feed.messages[1].message_id, 3);
  ASSERT_EQ(feed.errors.size(), 1U);
  EXPECT_EQ(feed.errors[0].message_id, 2);
}

TEST(FulfillmentFeedTest, MissingCarrierCodeIsInvalidData) {
  const FeedMessageError no_data = OnlyError(kOrderAndDate);
  EXPECT_EQ(no_data.message_id, 7);
  EXPECT_EQ(no_data.code, "18028");
  EXPECT_THAT(no_data.description, HasSubstr("CarrierCode"));

  const FeedMessageError no_code = OnlyError(
      std::string(kOrderAndDate) +
      "<FulfillmentData><ShipperTrackingNumber>X</ShipperTrackingNumber></FulfillmentData>");
  EXPECT_EQ(no_code.code, "18028");
  EXPECT_THAT(no_code.description, HasSubstr("CarrierCode is required"));
}

TEST(FulfillmentFeedTest, OtherWithoutCarrierNameIsInvalidData) {
  const FeedMessageError error =
      OnlyError(std::string(kOrderAndDate) +
                "<FulfillmentData><CarrierCode>Other</CarrierCode></FulfillmentData>");
  EXPECT_EQ(error.code, "18028");
  EXPECT_THAT(error.description, HasSubstr("CarrierName is required when CarrierCode is Other"));
}

TEST(FulfillmentFeedTest, UnknownCarrierCodeBreaksTheEnumeration) {
  const FeedMessageError error =
      OnlyError(std::string(kOrderAndDate) +
                "<FulfillmentData><CarrierCode>Evri</CarrierCode></FulfillmentData>");
  EXPECT_EQ(error.code, "5001");
  EXPECT_THAT(error.description, StartsWith("XML Parsing Error at Line 4"));
  EXPECT_THAT(error.description, HasSubstr("cvc-enumeration-valid: Value 'Evri'"));
}

TEST(FulfillmentFeedTest, MalformedValuesNameTheirElement) {
  constexpr std::string_view kData =
      "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData>";
  const FeedMessageError date =
      OnlyError("<AmazonOrderID>1</AmazonOrderID><FulfillmentDate>05/08/2026</FulfillmentDate>" +
                std::string(kData));
  EXPECT_EQ(date.code, "5001");
  EXPECT_THAT(date.description, HasSubstr("'05/08/2026' is not a valid value for 'dateTime' in "
                                          "FulfillmentDate"));

  const FeedMessageError quantity =
      OnlyError(std::string(kOrderAndDate) + std::string(kData) +
                "<Item><AmazonOrderItemCode>1</AmazonOrderItemCode><Quantity>0</Quantity></Item>");
  EXPECT_THAT(quantity.description, HasSubstr("'0' is not a valid value for 'positiveInteger' "
                                              "in Quantity"));

  const FeedMessageError empty_order = OnlyError(
      "<AmazonOrderID> </AmazonOrderID><FulfillmentDate>2026-08-05T14:00:00Z"
      "</FulfillmentDate>" +
      std::string(kData));
  EXPECT_THAT(empty_order.description, HasSubstr("AmazonOrderID is empty"));

  const FeedMessageError cod = OnlyError(std::string(kOrderAndDate) + std::string(kData) +
                                         "<CODCollectionMethod>Cash</CODCollectionMethod>");
  EXPECT_THAT(cod.description, HasSubstr("CODCollectionMethod"));
}

TEST(FulfillmentFeedTest, MissingRequiredElements) {
  const FeedMessageError no_date = OnlyError(
      "<AmazonOrderID>1</AmazonOrderID><FulfillmentData><CarrierCode>DPD</CarrierCode>"
      "</FulfillmentData>");
  EXPECT_EQ(no_date.code, "5001");
  EXPECT_THAT(no_date.description,
              HasSubstr("cvc-complex-type.2.4.a: Invalid content was found starting with element "
                        "'FulfillmentData'. One of '{MerchantFulfillmentID, FulfillmentDate}' is "
                        "expected."));

  const FeedMessageError no_order = OnlyError("");
  EXPECT_THAT(no_order.description,
              HasSubstr("The content of element 'OrderFulfillment' is not complete. One of "
                        "'{AmazonOrderID, MerchantOrderID}' is expected."));

  const FeedMessageError no_item_code =
      OnlyError(std::string(kOrderAndDate) +
                "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData><Item><Quantity>1"
                "</Quantity></Item>");
  EXPECT_THAT(no_item_code.description, HasSubstr("starting with element 'Quantity'"));
}

TEST(FulfillmentFeedTest, ElementsOutOfXsdOrder) {
  const FeedMessageError date_first = OnlyError(
      "<FulfillmentDate>2026-08-05T14:00:00Z</FulfillmentDate><AmazonOrderID>1</AmazonOrderID>"
      "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData>");
  EXPECT_THAT(date_first.description,
              HasSubstr("starting with element 'FulfillmentDate'. One of '{AmazonOrderID, "
                        "MerchantOrderID}' is expected."));

  const FeedMessageError tracking_first =
      OnlyError(std::string(kOrderAndDate) +
                "<FulfillmentData><ShipperTrackingNumber>1</ShipperTrackingNumber>"
                "<CarrierCode>DPD</CarrierCode></FulfillmentData>");
  EXPECT_THAT(tracking_first.description,
              HasSubstr("starting with element 'CarrierCode'. No child element is expected"));

  const FeedMessageError item_before_data =
      OnlyError(std::string(kOrderAndDate) +
                "<Item><AmazonOrderItemCode>1</AmazonOrderItemCode></Item>"
                "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData>");
  EXPECT_THAT(item_before_data.description,
              HasSubstr("starting with element 'FulfillmentData'. One of '{Item, "
                        "ShipFromAddress}' is expected."));

  const FeedMessageError unknown =
      OnlyError(std::string(kOrderAndDate) +
                "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData><Gift>1</Gift>");
  EXPECT_THAT(unknown.description, HasSubstr("starting with element 'Gift'"));

  const FeedMessageError two_orders =
      OnlyError("<AmazonOrderID>1</AmazonOrderID>" + std::string(kOrderAndDate));
  EXPECT_THAT(two_orders.description,
              HasSubstr("starting with element 'AmazonOrderID'. One of '{MerchantFulfillmentID, "
                        "FulfillmentDate}' is expected."));
}

TEST(FulfillmentFeedTest, MessageLevelProblems) {
  const ParsedFulfillmentFeed feed = ParseOk(Envelope(
      "<Message><MessageID>x</MessageID><OrderFulfillment/></Message>"
      "<Message><OrderFulfillment/></Message>"
      "<Message><MessageID>4</MessageID><OperationType>Delete</OperationType>"
      "<OrderFulfillment/></Message>"
      "<Message><MessageID>5</MessageID><OrderFulfillment>" +
      std::string(kOrderAndDate) +
      "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData></OrderFulfillment>"
      "<Extra/></Message>"
      "<Message><MessageID>6</MessageID><OrderFulfillment>text" +
      std::string(kOrderAndDate) + "</OrderFulfillment></Message>"));
  EXPECT_EQ(feed.messages_seen, 5);
  EXPECT_THAT(feed.messages, IsEmpty());
  ASSERT_EQ(feed.errors.size(), 5U);
  EXPECT_EQ(feed.errors[0].message_id, 0);
  EXPECT_THAT(feed.errors[0].description, HasSubstr("'x' is not a valid value for "
                                                    "'positiveInteger'"));
  EXPECT_EQ(feed.errors[1].message_id, 0);
  EXPECT_THAT(feed.errors[1].description, HasSubstr("starting with element 'OrderFulfillment'. "
                                                    "One of '{MessageID}' is expected."));
  EXPECT_EQ(feed.errors[2].message_id, 4);
  EXPECT_THAT(feed.errors[2].description, HasSubstr("OperationType 'Delete'"));
  EXPECT_EQ(feed.errors[3].message_id, 5);
  EXPECT_THAT(feed.errors[3].description, HasSubstr("'Extra'"));
  EXPECT_EQ(feed.errors[4].message_id, 6);
  EXPECT_THAT(feed.errors[4].description, HasSubstr("cvc-complex-type.2.3"));
}

TEST(FulfillmentFeedTest, MerchantIdentifiersForOrdersAndItemsAreRefused) {
  const FeedMessageError order = OnlyError(
      "<MerchantOrderID>W1</MerchantOrderID><FulfillmentDate>2026-08-05T14:00:00Z"
      "</FulfillmentDate><FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData>");
  EXPECT_EQ(order.code, "18028");
  EXPECT_THAT(order.description, HasSubstr("MerchantOrderID"));
  const FeedMessageError item =
      OnlyError(std::string(kOrderAndDate) +
                "<FulfillmentData><CarrierCode>DPD</CarrierCode></FulfillmentData>"
                "<Item><MerchantOrderItemID>1</MerchantOrderItemID></Item>");
  EXPECT_THAT(item.description, HasSubstr("MerchantOrderItemID"));
}

TEST(FulfillmentFeedTest, DocumentLevelProblemsAreFatal) {
  const auto malformed = ParseFulfillmentFeed("<AmazonEnvelope><Header></AmazonEnvelope>");
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(malformed.status().message(), HasSubstr("XML Parsing Fatal Error at Line 1"));

  EXPECT_EQ(ParseFulfillmentFeed("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseFulfillmentFeed("not xml").status().code(), StatusCode::kInvalidArgument);

  const auto trailing = ParseFulfillmentFeed(Envelope(kValidMessage) + "<More/>");
  EXPECT_THAT(trailing.status().message(), HasSubstr("Content is not allowed in trailing section"));

  const auto wrong_root = ParseFulfillmentFeed("<OrderFulfillment/>");
  EXPECT_THAT(wrong_root.status().message(), HasSubstr("expected 'AmazonEnvelope'"));

  std::string wrong_type = Envelope(kValidMessage);
  wrong_type.replace(wrong_type.find("OrderFulfillment</MessageType>"), 16, "Inventory");
  EXPECT_THAT(ParseFulfillmentFeed(wrong_type).status().message(), HasSubstr("'Inventory'"));

  std::string bad_version = Envelope(kValidMessage);
  bad_version.replace(bad_version.find("1.01"), 4, "1.001");
  EXPECT_THAT(ParseFulfillmentFeed(bad_version).status().message(),
              HasSubstr("cvc-pattern-valid: Value '1.001'"));

  std::string no_merchant = Envelope(kValidMessage);
  no_merchant.replace(no_merchant.find("A1SELLER"), 8, "");
  EXPECT_THAT(ParseFulfillmentFeed(no_merchant).status().message(),
              HasSubstr("MerchantIdentifier is empty"));

  EXPECT_THAT(ParseFulfillmentFeed(Envelope("")).status().message(),
              HasSubstr("The content of element 'AmazonEnvelope' is not complete. One of "
                        "'{MarketplaceName, EffectiveDate, PurgeAndReplace, Message}' is "
                        "expected."));

  const auto header_after_type = ParseFulfillmentFeed(
      "<AmazonEnvelope><MessageType>OrderFulfillment</MessageType><Header/></AmazonEnvelope>");
  EXPECT_THAT(header_after_type.status().message(),
              HasSubstr("starting with element 'MessageType'. One of '{Header}' is expected."));
}

TEST(FulfillmentFeedTest, ProcessingReportCountsAndEscapes) {
  const std::string report = FulfillmentProcessingReport(
      "A1SELLER", "53935018605", 4,
      {{2, "Error", "18028", "The data you submitted is incomplete or invalid.", "203-1-1"},
       {2, "Error", "5001", "Second problem <with> & markup", ""},
       {3, "Warning", "5002", "A warning", "203-3-3"}});
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(report.c_str()));
  EXPECT_THAT(report, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  const pugi::xml_node envelope = document.child("AmazonEnvelope");
  EXPECT_STREQ(envelope.attribute("xsi:noNamespaceSchemaLocation").value(), "amzn-envelope.xsd");
  EXPECT_STREQ(envelope.child("Header").child_value("MerchantIdentifier"), "A1SELLER");
  EXPECT_STREQ(envelope.child_value("MessageType"), "ProcessingReport");
  const pugi::xml_node report_node = envelope.child("Message").child("ProcessingReport");
  EXPECT_STREQ(report_node.child_value("DocumentTransactionID"), "53935018605");
  EXPECT_STREQ(report_node.child_value("StatusCode"), "Complete");
  const pugi::xml_node summary = report_node.child("ProcessingSummary");
  EXPECT_STREQ(summary.child_value("MessagesProcessed"), "4");
  EXPECT_STREQ(summary.child_value("MessagesSuccessful"), "3");
  EXPECT_STREQ(summary.child_value("MessagesWithError"), "1");
  EXPECT_STREQ(summary.child_value("MessagesWithWarning"), "1");
  std::vector<pugi::xml_node> results;
  for (const pugi::xml_node result : report_node.children("Result")) {
    results.push_back(result);
  }
  ASSERT_EQ(results.size(), 3U);
  EXPECT_STREQ(results[0].child_value("MessageID"), "2");
  EXPECT_STREQ(results[0].child_value("ResultCode"), "Error");
  EXPECT_STREQ(results[0].child_value("ResultMessageCode"), "18028");
  EXPECT_STREQ(results[0].child("AdditionalInfo").child_value("AmazonOrderID"), "203-1-1");
  EXPECT_STREQ(results[1].child_value("ResultDescription"), "Second problem <with> & markup");
  EXPECT_FALSE(results[1].child("AdditionalInfo"));
  EXPECT_STREQ(results[2].child_value("ResultCode"), "Warning");
}

TEST(FulfillmentFeedTest, ProcessingReportForACleanFeed) {
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(FulfillmentProcessingReport("M", "1", 2, {}).c_str()));
  const pugi::xml_node summary = document.child("AmazonEnvelope")
                                     .child("Message")
                                     .child("ProcessingReport")
                                     .child("ProcessingSummary");
  EXPECT_STREQ(summary.child_value("MessagesSuccessful"), "2");
  EXPECT_STREQ(summary.child_value("MessagesWithError"), "0");
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
