#include "amazon/seller_performance.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "amazon/connector_test_fixture.h"
#include "amazon/orders_api.h"
#include "amazon/reports_api.h"
#include "base/time_format.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

// The example document of Amazon's accountHealthReport-2020-11-18 schema.
json SchemaExample() {
  std::ifstream in(
      std::string(SELLERBRIDGE_SOURCE_DIR) +
      "/../shared/amazon/spapi-models/schema-report-accountHealthReport-2020-11-18.json");
  std::stringstream text;
  text << in.rdbuf();
  const json schema = json::parse(text.str(), nullptr, false);
  EXPECT_FALSE(schema.is_discarded());
  return schema.is_discarded() ? json() : schema["examples"][0];
}

TEST(SellerPerformanceTest, ReadsTheSchemaExampleWithItsOwnSpellings) {
  auto report = ParseSellerPerformanceReport(SchemaExample().dump());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->account_statuses.size(), 3U);
  EXPECT_EQ(report->AccountStatusOf("ATVPDKIKX0DER"), "AT_RISK");
  EXPECT_EQ(report->AccountStatusOf("A1F83G8C2ARO7P"), "");
  const MarketplacePerformance* us = report->Find("ATVPDKIKX0DER");
  ASSERT_NE(us, nullptr);
  ASSERT_TRUE(us->late_shipment_rate.has_value());
  const PerformanceMetric& late = *us->late_shipment_rate;
  EXPECT_DOUBLE_EQ(late.rate.value_or(-1), 0.03203973037);
  EXPECT_EQ(late.numerator, 27896);
  EXPECT_EQ(late.denominator, 870669);
  EXPECT_EQ(late.status, "GOOD");
  EXPECT_DOUBLE_EQ(late.target_value.value_or(-1), 0.04);
  EXPECT_EQ(late.target_condition, "LESS_THAN");
  EXPECT_EQ(late.window_from, ParseIso8601("2020-10-21T00:00:00Z").value());
  EXPECT_EQ(late.window_to, ParseIso8601("2020-11-19T23:59:00Z").value());
  EXPECT_EQ(late.MissesTarget(), false);
  // The example spells the cancel rate prefulfillmentCancelRate.
  ASSERT_TRUE(us->pre_fulfillment_cancellation_rate.has_value());
  EXPECT_EQ(us->pre_fulfillment_cancellation_rate->numerator, 551);
  EXPECT_EQ(us->pre_fulfillment_cancellation_rate->denominator, 17197);
  ASSERT_TRUE(us->valid_tracking_rate.has_value());
  EXPECT_EQ(us->valid_tracking_rate->numerator, 896462);
  EXPECT_EQ(us->valid_tracking_rate->denominator, 878443);
  EXPECT_EQ(us->valid_tracking_rate->target_condition, "GREATER_THAN");
  ASSERT_TRUE(us->on_time_delivery_rate.has_value());
  EXPECT_EQ(us->on_time_delivery_rate->denominator, 808046);
  ASSERT_TRUE(us->order_defect_rate.has_value());
  EXPECT_EQ(us->order_defect_rate->numerator, 1078);
  EXPECT_EQ(us->order_defect_rate->denominator, 539000);
  // The example has ahrStatus only.
  EXPECT_EQ(us->account_health_rating_status, "WARNED");
}

TEST(SellerPerformanceTest, ToleratesMissingOptionalParts) {
  auto report = ParseSellerPerformanceReport(
      R"({"performanceMetrics":[{"marketplaceId":"A1F83G8C2ARO7P",
          "lateShipmentRate":{"rate":0.05},"somethingNew":{"x":1}}]})");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->account_statuses.empty());
  const MarketplacePerformance* uk = report->Find("A1F83G8C2ARO7P");
  ASSERT_NE(uk, nullptr);
  ASSERT_TRUE(uk->late_shipment_rate.has_value());
  EXPECT_FALSE(uk->late_shipment_rate->numerator.has_value());
  EXPECT_FALSE(uk->late_shipment_rate->window_from.has_value());
  // No target: whether it is missed is not known.
  EXPECT_FALSE(uk->late_shipment_rate->MissesTarget().has_value());
  EXPECT_FALSE(uk->valid_tracking_rate.has_value());
  EXPECT_TRUE(uk->account_health_rating_status.empty());
}

TEST(SellerPerformanceTest, NamesWhatMakesADocumentUnusable) {
  const auto message = [](std::string_view text) {
    auto report = ParseSellerPerformanceReport(text);
    EXPECT_FALSE(report.ok()) << text;
    EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
    return report.ok() ? std::string() : report.status().message();
  };
  EXPECT_NE(message("<html>").find("not a JSON object"), std::string::npos);
  EXPECT_NE(message(R"({"accountStatuses":[]})").find("performanceMetrics is missing"),
            std::string::npos);
  EXPECT_NE(message(R"({"performanceMetrics":{}})").find("performanceMetrics must be an array"),
            std::string::npos);
  EXPECT_NE(message(R"({"performanceMetrics":[{"lateShipmentRate":{}}]})")
                .find("performanceMetrics[0].marketplaceId is missing"),
            std::string::npos);
  EXPECT_NE(message(R"({"performanceMetrics":[{"marketplaceId":"X",
                       "validTrackingRate":{"rate":"95%"}}]})")
                .find("performanceMetrics[0].validTrackingRate.rate must be a number"),
            std::string::npos);
  EXPECT_NE(message(R"({"performanceMetrics":[{"marketplaceId":"X","lateShipmentRate":
                       {"reportingDateRange":{"reportingDateFrom":"last week"}}}]})")
                .find("lateShipmentRate.reportingDateRange.reportingDateFrom is not a date-time"),
            std::string::npos);
  EXPECT_NE(message(R"({"performanceMetrics":[{"marketplaceId":"X",
                       "lateShipmentRate":{"orderCount":1.5}}]})")
                .find("lateShipmentRate.orderCount must be a whole number"),
            std::string::npos);
}

TEST(SellerPerformanceTest, MissesTargetFollowsTheCondition) {
  PerformanceMetric metric{.rate = 0.04, .target_value = 0.04, .target_condition = "LESS_THAN"};
  EXPECT_EQ(metric.MissesTarget(), true);
  metric.rate = 0.039;
  EXPECT_EQ(metric.MissesTarget(), false);
  metric = {.rate = 0.95, .target_value = 0.95, .target_condition = "GREATER_THAN"};
  EXPECT_EQ(metric.MissesTarget(), true);
  metric.rate = 0.96;
  EXPECT_EQ(metric.MissesTarget(), false);
  metric = {.rate = 1, .target_value = 0, .target_condition = "EQUALS"};
  EXPECT_EQ(metric.MissesTarget(), true);
  metric.target_condition = "SOMETHING_ELSE";
  EXPECT_FALSE(metric.MissesTarget().has_value());
}

class SellerPerformanceReportTest : public AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    reports_ = std::make_unique<ReportsApi>(client_.get(), &http_);
    orders_ = std::make_unique<OrdersApi>(client_.get(), rdts_.get());
  }

  void Ship(const std::string& id) {
    auto order = orders_->GetOrder(id, false, {});
    ASSERT_TRUE(order.ok()) << order.status();
    const Status confirmed =
        orders_->ConfirmShipment(id,
                                 {.marketplace_id = "A1F83G8C2ARO7P",
                                  .package_reference_id = "1",
                                  .carrier_code = "Royal Mail",
                                  .tracking_number = "AB123456785GB",
                                  .ship_date = emulator_clock_.Now(),
                                  .items = {{order->order->lines[0].order_item_id, 1}}},
                                 {});
    ASSERT_TRUE(confirmed.ok()) << confirmed;
  }

  std::unique_ptr<ReportsApi> reports_;
  std::unique_ptr<OrdersApi> orders_;
};

TEST_F(SellerPerformanceReportTest, RequestedReportIsDoneAndItsDocumentParses) {
  const std::string on_time = PlaceOrder();
  const std::string late = PlaceOrder();
  Ship(on_time);
  ASSERT_TRUE(emulator_->AdvanceClock(std::chrono::days{4}).ok());
  Ship(late);

  auto report_id = reports_->CreateReport(kSellerPerformanceReportType, {"A1F83G8C2ARO7P"}, {});
  ASSERT_TRUE(report_id.ok()) << report_id.status();
  auto report = reports_->GetReport(*report_id, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->processing_status, "IN_QUEUE");
  EXPECT_FALSE(report->Finished());
  ASSERT_TRUE(emulator_->AdvanceClock(std::chrono::minutes{1}).ok());
  report = reports_->GetReport(*report_id, {});
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->processing_status, "DONE");
  EXPECT_TRUE(report->Finished());
  ASSERT_TRUE(report->report_document_id.has_value());

  auto text = reports_->Download(*report->report_document_id, {});
  ASSERT_TRUE(text.ok()) << text.status();
  auto performance = ParseSellerPerformanceReport(*text);
  ASSERT_TRUE(performance.ok()) << performance.status();
  EXPECT_EQ(performance->AccountStatusOf("A1F83G8C2ARO7P"), "AT_RISK");
  const MarketplacePerformance* uk = performance->Find("A1F83G8C2ARO7P");
  ASSERT_NE(uk, nullptr);
  ASSERT_TRUE(uk->late_shipment_rate.has_value());
  EXPECT_EQ(uk->late_shipment_rate->numerator, 1);
  EXPECT_EQ(uk->late_shipment_rate->denominator, 2);
  EXPECT_DOUBLE_EQ(uk->late_shipment_rate->rate.value_or(-1), 0.5);
  EXPECT_EQ(uk->late_shipment_rate->MissesTarget(), true);
  EXPECT_EQ(uk->late_shipment_rate->status, "BAD");
  ASSERT_TRUE(uk->valid_tracking_rate.has_value());
  EXPECT_EQ(uk->valid_tracking_rate->numerator, 2);
  EXPECT_EQ(uk->valid_tracking_rate->denominator, 2);
  EXPECT_EQ(uk->valid_tracking_rate->MissesTarget(), false);
  ASSERT_TRUE(uk->pre_fulfillment_cancellation_rate.has_value());
  EXPECT_EQ(uk->pre_fulfillment_cancellation_rate->numerator, 0);
  EXPECT_EQ(uk->account_health_rating_status, "WARNED");
  ASSERT_TRUE(uk->late_shipment_rate->window_to.has_value());
  ASSERT_TRUE(uk->late_shipment_rate->window_from.has_value());
  EXPECT_EQ(*uk->late_shipment_rate->window_to - *uk->late_shipment_rate->window_from,
            std::chrono::days{30});

  EXPECT_EQ(reports_->GetReport("12345678901", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reports_->CreateReport(kSettlementReportType, {"A1F83G8C2ARO7P"}, {}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sellerbridge::amazon
