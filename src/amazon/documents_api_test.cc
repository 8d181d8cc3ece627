// Feeds, reports and Merchant Fulfillment against the Amazon emulator over
// loopback HTTP.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "amazon/connector_test_fixture.h"
#include "amazon/feeds_api.h"
#include "amazon/merchant_fulfillment_api.h"
#include "amazon/orders_api.h"
#include "amazon/reports_api.h"

namespace sellerbridge::amazon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class DocumentsApiTest : public AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    feeds_ = std::make_unique<FeedsApi>(client_.get(), &http_);
    reports_ = std::make_unique<ReportsApi>(client_.get(), &http_);
    orders_ = std::make_unique<OrdersApi>(client_.get(), rdts_.get());
    mfn_ = std::make_unique<MerchantFulfillmentApi>(client_.get(), rdts_.get());
  }

  // Reads the feed until Amazon has finished with it, moving Amazon's clock.
  FeedStatus AwaitFeed(const std::string& feed_id) {
    for (int i = 0; i < 20; ++i) {
      auto status = feeds_->GetFeed(feed_id, {});
      EXPECT_TRUE(status.ok()) << status.status();
      if (!status.ok() || status->Finished()) {
        return status.ok() ? *status : FeedStatus{};
      }
      EXPECT_TRUE(emulator_->AdvanceClock(minutes{1}).ok());
    }
    ADD_FAILURE() << "feed " << feed_id << " never finished";
    return {};
  }

  std::unique_ptr<FeedsApi> feeds_;
  std::unique_ptr<ReportsApi> reports_;
  std::unique_ptr<OrdersApi> orders_;
  std::unique_ptr<MerchantFulfillmentApi> mfn_;
};

TEST_F(DocumentsApiTest, FulfilmentFeedConfirmsOrdersAndItsReportDownloadsGunzipped) {
  const std::string id = PlaceOrder(2);
  const auto order = emulator_->GetOrder(id);
  ASSERT_TRUE(order.has_value());
  const std::string xml = fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
<Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>{}</MerchantIdentifier></Header>
<MessageType>OrderFulfillment</MessageType>
<Message><MessageID>1</MessageID><OrderFulfillment>
<AmazonOrderID>{}</AmazonOrderID><FulfillmentDate>2026-11-27T10:00:00+00:00</FulfillmentDate>
<FulfillmentData><CarrierCode>Royal Mail</CarrierCode><ShippingMethod>Tracked 48</ShippingMethod>
<ShipperTrackingNumber>AB123456785GB</ShipperTrackingNumber></FulfillmentData>
<Item><AmazonOrderItemCode>{}</AmazonOrderItemCode><Quantity>2</Quantity></Item>
</OrderFulfillment></Message>
<Message><MessageID>2</MessageID><OrderFulfillment>
<AmazonOrderID>999-0000000-0000000</AmazonOrderID><FulfillmentDate>2026-11-27T10:00:00+00:00</FulfillmentDate>
<FulfillmentData><CarrierCode>Royal Mail</CarrierCode><ShipperTrackingNumber>AB123456785GB</ShipperTrackingNumber></FulfillmentData>
</OrderFulfillment></Message>
</AmazonEnvelope>)",
      emulator_->GetScenario().seller_id, id, order->lines[0].order_item_id);
  auto feed_id = feeds_->Submit("POST_ORDER_FULFILLMENT_DATA", {"A1F83G8C2ARO7P"}, xml,
                                "text/xml; charset=UTF-8", {.lane = Lane::kConfirmation});
  ASSERT_TRUE(feed_id.ok()) << feed_id.status();
  const FeedStatus status = AwaitFeed(*feed_id);
  EXPECT_EQ(status.processing_status, "DONE");
  EXPECT_EQ(status.feed_type, "POST_ORDER_FULFILLMENT_DATA");
  ASSERT_TRUE(status.result_document_id.has_value());
  auto report = feeds_->DownloadResult(*status.result_document_id, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_NE(report->find("<MessagesProcessed>2</MessagesProcessed>"), std::string::npos) << *report;
  EXPECT_NE(report->find("<MessagesSuccessful>1</MessagesSuccessful>"), std::string::npos)
      << *report;
  EXPECT_NE(report->find("999-0000000-0000000"), std::string::npos) << *report;

  auto read_back = orders_->GetOrder(id, false, {});
  ASSERT_TRUE(read_back.ok()) << read_back.status();
  ASSERT_EQ(read_back->packages.size(), 1U);
  EXPECT_EQ(read_back->packages[0].tracking_number, "AB123456785GB");
}

TEST_F(DocumentsApiTest, UnknownFeedIsNotFound) {
  EXPECT_EQ(feeds_->GetFeed("123456789", {}).status().code(), StatusCode::kNotFound);
}

TEST_F(DocumentsApiTest, SettlementReportIsListedAndDownloadedAsText) {
  const std::string id = PlaceOrder(1);
  auto order = orders_->GetOrder(id, false, {});
  ASSERT_TRUE(order.ok()) << order.status();
  ASSERT_TRUE(orders_
                  ->ConfirmShipment(id,
                                    {.marketplace_id = "A1F83G8C2ARO7P",
                                     .package_reference_id = "1",
                                     .carrier_code = "Royal Mail",
                                     .tracking_number = "AB123456785GB",
                                     .ship_date = emulator_clock_.Now(),
                                     .items = {{order->order->lines[0].order_item_id, 1}}},
                                    {})
                  .ok());
  const TimePoint since = emulator_clock_.Now() - hours{1};
  ASSERT_TRUE(emulator_->AdvanceClock(hours{24 * 15}).ok());
  // Amazon's own clock decides; a fresh token for the new day.
  auto reports = reports_->ListReports(kSettlementReportType, since, std::nullopt, {});
  ASSERT_TRUE(reports.ok()) << reports.status();
  ASSERT_FALSE(reports->empty());
  const ReportInfo& report = reports->front();
  EXPECT_EQ(report.report_type, kSettlementReportType);
  EXPECT_EQ(report.processing_status, "DONE");
  ASSERT_TRUE(report.report_document_id.has_value());
  auto text = reports_->Download(*report.report_document_id, {});
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->rfind("settlement-id\tsettlement-start-date", 0), 0U) << text->substr(0, 200);
  EXPECT_NE(text->find(id), std::string::npos);
  EXPECT_NE(text->find("Principal"), std::string::npos);
}

TEST_F(DocumentsApiTest, LabelIsBoughtOnAmazonForTheCheapestService) {
  const std::string id = PlaceOrder(1);
  const auto order = emulator_->GetOrder(id);
  LabelRequest request{.amazon_order_id = id,
                       .items = {{order->lines[0].order_item_id, 1}},
                       .ship_from = {.name = "Sellerbridge Warehouse",
                                     .line1 = "1 Dock Road",
                                     .city = "Leeds",
                                     .postal_code = "LS1 1AA",
                                     .country_code = "GB",
                                     .phone = "+44 113 000 0000"},
                       .ship_from_email = "warehouse@example.com",
                       .length_cm = 20,
                       .width_cm = 15,
                       .height_cm = 10,
                       .weight_g = 800};
  auto offers = mfn_->EligibleServices(request, {});
  ASSERT_TRUE(offers.ok()) << offers.status();
  ASSERT_FALSE(offers->empty());
  for (size_t i = 1; i < offers->size(); ++i) {
    EXPECT_LE((*offers)[i - 1].rate.MinorUnits(), (*offers)[i].rate.MinorUnits());
  }
  auto label = mfn_->BuyLabel(request, offers->front(), {.lane = Lane::kConfirmation});
  ASSERT_TRUE(label.ok()) << label.status();
  EXPECT_FALSE(label->tracking_id.empty());
  EXPECT_FALSE(label->contents.empty());
  EXPECT_EQ(label->service_id, offers->front().service_id);
  // Amazon now knows the order shipped with the label's tracking number.
  auto read_back = orders_->GetOrder(id, false, {});
  ASSERT_TRUE(read_back.ok()) << read_back.status();
  ASSERT_EQ(read_back->packages.size(), 1U);
  EXPECT_EQ(read_back->packages[0].tracking_number, label->tracking_id);

  request.amazon_order_id = "999-0000000-0000000";
  EXPECT_FALSE(mfn_->EligibleServices(request, {}).ok());
}

}  // namespace
}  // namespace sellerbridge::amazon
