// The order fulfilment feed: the document, the processing report, and both
// against the Amazon emulator over loopback HTTP.
#include "amazon/fulfillment_feed.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "amazon/connector_test_fixture.h"
#include "amazon/feeds_api.h"
#include "base/time_format.h"
#include "emulators/amazon/formats/fulfillment_feed.h"

namespace sellerbridge::amazon {
namespace {

using std::chrono::minutes;

TimePoint At(std::string_view iso8601) { return ParseIso8601(iso8601).value(); }

TEST(FulfillmentFeedTest, BuildsTheEnvelopeWithElementsInXsdOrder) {
  const std::string xml = BuildOrderFulfillmentFeed(
      "A2SELLER", {{.message_id = 1,
                    .amazon_order_id = "203-1234567-1234567",
                    .fulfillment_date = At("2026-11-27T10:00:00Z"),
                    .carrier_code = "Royal Mail",
                    .shipping_method = "Tracked 48",
                    .tracking_number = "AB123456785GB",
                    .items = {{"12345678901234", 2}, {"12345678901235", 1}}}});
  EXPECT_EQ(xml, R"(<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.01</DocumentVersion>
    <MerchantIdentifier>A2SELLER</MerchantIdentifier>
  </Header>
  <MessageType>OrderFulfillment</MessageType>
  <Message>
    <MessageID>1</MessageID>
    <OrderFulfillment>
      <AmazonOrderID>203-1234567-1234567</AmazonOrderID>
      <FulfillmentDate>2026-11-27T10:00:00.000Z</FulfillmentDate>
      <FulfillmentData>
        <CarrierCode>Royal Mail</CarrierCode>
        <ShippingMethod>Tracked 48</ShippingMethod>
        <ShipperTrackingNumber>AB123456785GB</ShipperTrackingNumber>
      </FulfillmentData>
      <Item>
        <AmazonOrderItemCode>12345678901234</AmazonOrderItemCode>
        <Quantity>2</Quantity>
      </Item>
      <Item>
        <AmazonOrderItemCode>12345678901235</AmazonOrderItemCode>
        <Quantity>1</Quantity>
      </Item>
    </OrderFulfillment>
  </Message>
</AmazonEnvelope>
)");
}

TEST(FulfillmentFeedTest, LeavesOutEmptyFieldsAndItems) {
  const std::string xml =
      BuildOrderFulfillmentFeed("A2SELLER", {{.message_id = 1,
                                              .amazon_order_id = "203-1234567-1234567",
                                              .fulfillment_date = At("2026-11-27T10:00:00Z"),
                                              .carrier_code = "DPD",
                                              .tracking_number = "15501234567890"},
                                             {.message_id = 2,
                                              .amazon_order_id = "203-7654321-7654321",
                                              .fulfillment_date = At("2026-11-27T11:00:00Z")}});
  EXPECT_EQ(xml.find("<CarrierName>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<ShippingMethod>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<Item>"), std::string::npos) << xml;
  // The second message has no fulfilment data at all.
  const size_t second = xml.find("<MessageID>2</MessageID>");
  ASSERT_NE(second, std::string::npos) << xml;
  EXPECT_EQ(xml.find("<FulfillmentData>", second), std::string::npos) << xml;

  auto parsed = emulator::ParseFulfillmentFeed(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->messages_seen, 2);
  ASSERT_EQ(parsed->messages.size(), 1U);
  EXPECT_EQ(parsed->messages[0].carrier_code, "DPD");
  EXPECT_EQ(parsed->messages[0].fulfillment_date, At("2026-11-27T10:00:00Z"));
  // Amazon wants a CarrierCode: the message without one is an error of its own.
  ASSERT_EQ(parsed->errors.size(), 1U);
  EXPECT_EQ(parsed->errors[0].message_id, 2);
}

TEST(FulfillmentFeedTest, EscapesEveryTextSoAmazonReadsItBack) {
  const FulfillmentFeedMessage message{
      .message_id = 7,
      .amazon_order_id = "203-1234567-1234567",
      .fulfillment_date = At("2026-11-27T10:00:00Z"),
      .carrier_code = "Other",
      .carrier_name = "Smith & Sons <Couriers> \"Express\" 'Ltd'",
      .shipping_method = "Next day ]]> & <![CDATA[ tab\tnewline\nend",
      .tracking_number = "SS&1234<5>",
      .items = {{"1234&<>", 1}}};
  const std::string xml = BuildOrderFulfillmentFeed("A2&SELLER<", {message});
  EXPECT_NE(xml.find("<CarrierName>Smith &amp; Sons &lt;Couriers&gt; &quot;Express&quot; "
                     "&apos;Ltd&apos;</CarrierName>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<MerchantIdentifier>A2&amp;SELLER&lt;</MerchantIdentifier>"),
            std::string::npos)
      << xml;

  auto parsed = emulator::ParseFulfillmentFeed(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->merchant_identifier, "A2&SELLER<");
  ASSERT_EQ(parsed->messages.size(), 1U) << xml;
  const emulator::FulfillmentMessage& read = parsed->messages[0];
  EXPECT_EQ(read.message_id, 7);
  EXPECT_EQ(read.carrier_code, "Other");
  EXPECT_EQ(read.carrier_name, message.carrier_name);
  EXPECT_EQ(read.shipping_method, message.shipping_method);
  EXPECT_EQ(read.tracking_number, message.tracking_number);
  ASSERT_EQ(read.items.size(), 1U);
  EXPECT_EQ(read.items[0].amazon_order_item_code, "1234&<>");
  EXPECT_EQ(read.items[0].quantity, 1);
}

TEST(FulfillmentFeedTest, ReplacesCharactersXmlCannotCarry) {
  const FulfillmentFeedMessage message{
      .message_id = 1,
      .amazon_order_id = "203-1234567-1234567",
      .fulfillment_date = At("2026-11-27T10:00:00Z"),
      .carrier_code = "Other",
      // A control character, a stray byte, an overlong '/', a surrogate and
      // U+FFFF around characters that are fine: é, €, 😀.
      .carrier_name =
          "a\x01"
          "b\xFF"
          "c\xC0\xAF"
          "d\xED\xA0\x80"
          "e\xEF\xBF\xBF"
          "f \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
      .tracking_number = "XYZ123"};
  const std::string xml = BuildOrderFulfillmentFeed("A2SELLER", {message});
  auto parsed = emulator::ParseFulfillmentFeed(xml);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->messages.size(), 1U) << xml;
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(parsed->messages[0].carrier_name, "a" + r + "b" + r + "c" + r + r + "d" + r + r + r +
                                                  "e" + r + r + r +
                                                  "f \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

constexpr std::string_view kReport = R"(<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.02</DocumentVersion>
    <MerchantIdentifier>A2SELLER</MerchantIdentifier>
  </Header>
  <MessageType>ProcessingReport</MessageType>
  <Message>
    <MessageID>1</MessageID>
    <ProcessingReport>
      <DocumentTransactionID>50016018765</DocumentTransactionID>
      <StatusCode>Complete</StatusCode>
      <ProcessingSummary>
        <MessagesProcessed> 3 </MessagesProcessed>
        <MessagesSuccessful>1</MessagesSuccessful>
        <MessagesWithError>1</MessagesWithError>
        <MessagesWithWarning>1</MessagesWithWarning>
      </ProcessingSummary>
      <Result>
        <MessageID>2</MessageID>
        <ResultCode>Error</ResultCode>
        <ResultMessageCode>18028</ResultMessageCode>
        <ResultDescription>We are unable to find order 999-0000000-0000000 &amp; more.</ResultDescription>
        <AdditionalInfo>
          <AmazonOrderID>999-0000000-0000000</AmazonOrderID>
        </AdditionalInfo>
      </Result>
      <Result>
        <MessageID>3</MessageID>
        <ResultCode>Warning</ResultCode>
        <ResultMessageCode>5000</ResultMessageCode>
        <ResultDescription/>
      </Result>
    </ProcessingReport>
  </Message>
</AmazonEnvelope>
)";

TEST(FulfillmentProcessingReportTest, ParsesTheSummaryAndEachResult) {
  auto report = ParseFulfillmentProcessingReport(kReport);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->messages_processed, 3);
  EXPECT_EQ(report->messages_successful, 1);
  EXPECT_EQ(report->messages_with_error, 1);
  EXPECT_EQ(report->messages_with_warning, 1);
  ASSERT_EQ(report->results.size(), 2U);
  EXPECT_EQ(report->results[0].message_id, 2);
  EXPECT_EQ(report->results[0].result_code, "Error");
  EXPECT_EQ(report->results[0].message_code, "18028");
  EXPECT_EQ(report->results[0].description,
            "We are unable to find order 999-0000000-0000000 & more.");
  EXPECT_EQ(report->results[1].message_id, 3);
  EXPECT_EQ(report->results[1].result_code, "Warning");
  EXPECT_EQ(report->results[1].description, "");
}

TEST(FulfillmentProcessingReportTest, ParsesAReportWithoutResults) {
  auto report = ParseFulfillmentProcessingReport(
      "<AmazonEnvelope><Message><MessageID>1</MessageID><ProcessingReport>"
      "<ProcessingSummary><MessagesProcessed>4</MessagesProcessed>"
      "<MessagesSuccessful>4</MessagesSuccessful><MessagesWithError>0</MessagesWithError>"
      "<MessagesWithWarning>0</MessagesWithWarning></ProcessingSummary>"
      "</ProcessingReport></Message></AmazonEnvelope>");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->messages_processed, 4);
  EXPECT_EQ(report->messages_successful, 4);
  EXPECT_TRUE(report->results.empty());
}

// kReport with every `from` replaced by `to`.
std::string ReportWith(std::string_view from, std::string_view to) {
  std::string text(kReport);
  EXPECT_NE(text.find(from), std::string::npos) << from;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(FulfillmentProcessingReportTest, RejectsMalformedReportsNamingWhatIsWrong) {
  struct Case {
    std::string xml;
    std::string_view expected;  // Part of the message.
  };
  const Case cases[] = {
      {"", "not well-formed XML"},
      {"<AmazonEnvelope><Message>", "not well-formed XML"},
      {std::string(kReport.substr(0, kReport.size() / 2)), "not well-formed XML"},
      {"{\"processingSummary\":{}}", "not well-formed XML"},
      {"<Envelope/>", "the root element is 'Envelope', not AmazonEnvelope"},
      {"<AmazonEnvelope><Message><MessageID>1</MessageID></Message></AmazonEnvelope>",
       "no Message of the AmazonEnvelope holds a ProcessingReport"},
      {ReportWith("ProcessingSummary>", "Summary>"), "ProcessingReport has no ProcessingSummary"},
      {ReportWith("<MessagesProcessed> 3 </MessagesProcessed>", ""),
       "ProcessingSummary has no MessagesProcessed"},
      {ReportWith("<MessagesSuccessful>1<", "<MessagesSuccessful>one<"),
       "ProcessingSummary/MessagesSuccessful 'one' is not a non-negative integer"},
      {ReportWith("<MessagesWithError>1<", "<MessagesWithError>-1<"),
       "ProcessingSummary/MessagesWithError '-1' is not a non-negative integer"},
      {ReportWith("<MessagesWithWarning>1<", "<MessagesWithWarning>1.5<"),
       "ProcessingSummary/MessagesWithWarning '1.5' is not a non-negative integer"},
      {ReportWith("<MessagesWithWarning>1<", "<MessagesWithWarning>99999999999<"),
       "'99999999999' is not a non-negative integer"},
      {ReportWith("<MessageID>2</MessageID>", ""), "Result 1 has no MessageID"},
      {ReportWith("<MessageID>3</MessageID>", "<MessageID>x3</MessageID>"),
       "Result 2/MessageID 'x3' is not a non-negative integer"},
      {ReportWith("<ResultCode>Warning<", "<ResultCode>Info<"),
       "Result 2 (MessageID 3): ResultCode 'Info' is not Error or Warning"},
      {ReportWith("<ResultMessageCode>18028</ResultMessageCode>", ""),
       "Result 1 has no ResultMessageCode"},
      {ReportWith("<ResultDescription/>", ""), "Result 2 has no ResultDescription"},
  };
  for (const Case& c : cases) {
    auto report = ParseFulfillmentProcessingReport(c.xml);
    ASSERT_EQ(report.status().code(), StatusCode::kInvalidArgument) << c.xml;
    EXPECT_NE(report.status().message().find(c.expected), std::string::npos)
        << report.status() << "\nexpected: " << c.expected;
    EXPECT_EQ(
        report.status().message().rfind("amazon POST_ORDER_FULFILLMENT_DATA processing report", 0),
        0U)
        << report.status();
  }
}

class FulfillmentFeedConnectorTest : public AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    feeds_ = std::make_unique<FeedsApi>(client_.get(), &http_);
  }

  // Submits `xml`, moves Amazon's clock until the feed is finished and
  // returns its processing report as text.
  std::string SubmitAndAwaitReport(const std::string& xml, std::string_view status_expected) {
    auto feed_id = feeds_->Submit("POST_ORDER_FULFILLMENT_DATA", {"A1F83G8C2ARO7P"}, xml,
                                  "text/xml; charset=UTF-8", {.lane = Lane::kConfirmation});
    EXPECT_TRUE(feed_id.ok()) << feed_id.status();
    if (!feed_id.ok()) {
      return {};
    }
    for (int i = 0; i < 20; ++i) {
      auto status = feeds_->GetFeed(*feed_id, {});
      EXPECT_TRUE(status.ok()) << status.status();
      if (!status.ok()) {
        return {};
      }
      if (status->Finished()) {
        EXPECT_EQ(status->processing_status, status_expected);
        EXPECT_TRUE(status->result_document_id.has_value());
        auto report = feeds_->DownloadResult(status->result_document_id.value_or(""), {});
        EXPECT_TRUE(report.ok()) << report.status();
        return report.ok() ? *report : std::string();
      }
      EXPECT_TRUE(emulator_->AdvanceClock(minutes{1}).ok());
    }
    ADD_FAILURE() << "feed " << *feed_id << " never finished";
    return {};
  }

  std::string ItemOf(const std::string& order_id) {
    const auto order = emulator_->GetOrder(order_id);
    EXPECT_TRUE(order.has_value() && !order->lines.empty()) << order_id;
    return order.has_value() && !order->lines.empty() ? order->lines[0].order_item_id : "";
  }

  std::unique_ptr<FeedsApi> feeds_;
};

TEST_F(FulfillmentFeedConnectorTest, ShipsValidMessagesAndReportsInvalidOnesByMessageId) {
  const std::string royal_mail_order = PlaceOrder(2);
  const std::string other_order = PlaceOrder(1);
  const std::string escaped_order = PlaceOrder(1);
  const std::string wrong_item_order = PlaceOrder(1);
  const TimePoint shipped = emulator_clock_.Now() - minutes{30};
  const std::vector<FulfillmentFeedMessage> messages = {
      {.message_id = 1,
       .amazon_order_id = royal_mail_order,
       .fulfillment_date = shipped,
       .carrier_code = "Royal Mail",
       .shipping_method = "Tracked 48",
       .tracking_number = "AB123456785GB",
       .items = {{ItemOf(royal_mail_order), 2}}},
      {.message_id = 2,
       .amazon_order_id = other_order,
       .fulfillment_date = shipped,
       .carrier_code = "Other",
       .carrier_name = "Leeds Same Day",
       .shipping_method = "Same day",
       .tracking_number = "LSD000123",
       .items = {{ItemOf(other_order), 1}}},
      {.message_id = 3,
       .amazon_order_id = escaped_order,
       .fulfillment_date = shipped,
       .carrier_code = "Other",
       .carrier_name = "Smith & Sons <Couriers> \"Express\"",
       .shipping_method = "Next day 'AM' & signed",
       .tracking_number = "SS0001234",
       .items = {{ItemOf(escaped_order), 1}}},
      {.message_id = 4,
       .amazon_order_id = wrong_item_order,
       .fulfillment_date = shipped,
       .carrier_code = "DPD",
       .tracking_number = "15501234567890",
       .items = {{"00000000000000", 1}}},
      {.message_id = 5,
       .amazon_order_id = "999-0000000-0000000",
       .fulfillment_date = shipped,
       .carrier_code = "UPS",
       .tracking_number = "1Z999AA10123456784"},
  };
  const std::string text = SubmitAndAwaitReport(
      BuildOrderFulfillmentFeed(emulator_->GetScenario().seller_id, messages), "DONE");

  auto report = ParseFulfillmentProcessingReport(text);
  ASSERT_TRUE(report.ok()) << report.status() << "\n" << text;
  EXPECT_EQ(report->messages_processed, 5);
  EXPECT_EQ(report->messages_successful, 3);
  EXPECT_EQ(report->messages_with_error, 2);
  EXPECT_EQ(report->messages_with_warning, 0);
  ASSERT_EQ(report->results.size(), 2U) << text;
  std::vector<int> failed;
  for (const FulfillmentFeedResult& result : report->results) {
    EXPECT_EQ(result.result_code, "Error");
    EXPECT_FALSE(result.message_code.empty());
    failed.push_back(result.message_id);
  }
  std::sort(failed.begin(), failed.end());
  EXPECT_EQ(failed, (std::vector<int>{4, 5}));
  for (const FulfillmentFeedResult& result : report->results) {
    const std::string_view named =
        result.message_id == 4 ? "00000000000000" : "999-0000000-0000000";
    EXPECT_NE(result.description.find(named), std::string::npos) << result.description;
  }

  for (const FulfillmentFeedMessage& message : {messages[0], messages[1], messages[2]}) {
    const auto order = emulator_->GetOrder(message.amazon_order_id);
    ASSERT_TRUE(order.has_value());
    ASSERT_EQ(order->packages.size(), 1U) << message.message_id;
    const emulator::Package& package = order->packages[0];
    EXPECT_EQ(package.carrier_code, message.carrier_code);
    EXPECT_EQ(package.carrier_name, message.carrier_name);
    EXPECT_EQ(package.shipping_method, message.shipping_method);
    EXPECT_EQ(package.tracking_number, message.tracking_number);
    EXPECT_EQ(package.items, message.items);
    EXPECT_EQ(order->QuantityShipped(), order->QuantityOrdered());
  }
  EXPECT_TRUE(emulator_->GetOrder(wrong_item_order)->packages.empty());
}

TEST_F(FulfillmentFeedConnectorTest, ReportOfARejectedDocumentHasAnErrorForMessageZero) {
  std::string xml = BuildOrderFulfillmentFeed(emulator_->GetScenario().seller_id,
                                              {{.message_id = 1,
                                                .amazon_order_id = PlaceOrder(1),
                                                .fulfillment_date = emulator_clock_.Now(),
                                                .carrier_code = "DPD",
                                                .tracking_number = "15501234567890"}});
  xml.replace(xml.find("OrderFulfillment</MessageType>"), 16, "Inventory");
  const std::string text = SubmitAndAwaitReport(xml, "FATAL");

  auto report = ParseFulfillmentProcessingReport(text);
  ASSERT_TRUE(report.ok()) << report.status() << "\n" << text;
  EXPECT_EQ(report->messages_processed, 0);
  ASSERT_EQ(report->results.size(), 1U);
  EXPECT_EQ(report->results[0].message_id, 0);
  EXPECT_EQ(report->results[0].result_code, "Error");
  EXPECT_NE(report->results[0].description.find("MessageType"), std::string::npos)
      << report->results[0].description;
}

}  // namespace
}  // namespace sellerbridge::amazon
