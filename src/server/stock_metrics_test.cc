#include "server/stock_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sellerbridge::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StockMetricsTest, WritesEveryLaneAndCounter) {
  sync::StockFigures figures;
  figures.skus = 120;
  figures.published = {7, 11, 13, 17};
  figures.queued = {0, 2, 30, 400};
  figures.in_feeds = 25;
  figures.patches = 48;
  figures.feeds = 1;
  figures.drift_found = 3;
  figures.staleness[0] = {.samples = 7, .p50 = 1.5, .p95 = 4.25, .p99 = 9, .max = 9};
  const std::string text = StockMetricsText(figures);
  EXPECT_THAT(text, HasSubstr("# TYPE sellerbridge_stock_staleness_seconds summary\n"));
  EXPECT_THAT(text,
              HasSubstr("sellerbridge_stock_staleness_seconds{lane=\"fast\",quantile=\"0.95\"} "
                        "4.25\n"));
  EXPECT_THAT(text, HasSubstr("sellerbridge_stock_staleness_seconds_count{lane=\"fast\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("sellerbridge_stock_published_total{lane=\"b\"} 13\n"));
  EXPECT_THAT(text, HasSubstr("sellerbridge_stock_queue_depth{lane=\"c\"} 400\n"));
  EXPECT_THAT(text, HasSubstr("sellerbridge_stock_in_feeds 25\n"));
  EXPECT_THAT(text, HasSubstr("sellerbridge_stock_skus 120\n"));
  EXPECT_THAT(text, HasSubstr("sellerbridge_stock_patches_total 48\n"));
  EXPECT_THAT(text, HasSubstr("sellerbridge_stock_drift_found_total 3\n"));
  // Every sample line belongs to a declared metric and ends the line.
  EXPECT_THAT(text, Not(HasSubstr("{lane=\"\"}")));
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace sellerbridge::server
