#include "amazon/rate_limit_table.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sellerbridge::amazon {
namespace {

const OperationLimit* Find(const std::vector<OperationLimit>& limits, std::string_view op,
                           std::string_view api = "") {
  const auto it = std::find_if(limits.begin(), limits.end(), [&](const OperationLimit& l) {
    return l.operation == op && (api.empty() || l.api == api);
  });
  return it == limits.end() ? nullptr : &*it;
}

TEST(RateLimitTableTest, DocumentedTableHasTheOperationsWeCall) {
  const auto& limits = DocumentedRateLimits();
  ASSERT_GE(limits.size(), 70U);
  const OperationLimit* confirm = Find(limits, "confirmShipment");
  ASSERT_NE(confirm, nullptr);
  EXPECT_DOUBLE_EQ(confirm->rate_per_second, 2);
  EXPECT_EQ(confirm->burst, 10);
  EXPECT_EQ(confirm->method, "POST");
  EXPECT_EQ(confirm->path, "/orders/v0/orders/{orderId}/shipmentConfirmation");
  // Operation names repeat across APIs: getOrder is in v0 and v2026-01-01.
  const OperationLimit* get_v2026 = Find(limits, "getOrder", "Orders 2026-01-01");
  ASSERT_NE(get_v2026, nullptr);
  EXPECT_EQ(get_v2026->path, "/orders/2026-01-01/orders/{orderId}");
  EXPECT_NE(Find(limits, "getOrder", "Orders v0"), nullptr);
  const OperationLimit* search = Find(limits, "searchOrders");
  ASSERT_NE(search, nullptr);
  EXPECT_DOUBLE_EQ(search->rate_per_second, 0.0056);
  EXPECT_EQ(search->burst, 20);
  for (const char* op : {"createFeed", "getFeed", "patchListingsItem", "getListingsItem",
                         "getReports", "getReportDocument", "createRestrictedDataToken"}) {
    EXPECT_NE(Find(limits, op), nullptr) << op;
  }
}

TEST(RateLimitTableTest, ColumnsAreFoundByName) {
  const auto limits = ParseRateLimitTable(
      "burst\toperation\trate_per_second\tpath\thttp_method\tapi\r\n5\topA\t0.5\t/a\tGET\tA "
      "v1\r\n");
  ASSERT_TRUE(limits.ok()) << limits.status();
  ASSERT_EQ(limits->size(), 1U);
  EXPECT_EQ((*limits)[0].operation, "opA");
  EXPECT_EQ((*limits)[0].api, "A v1");
  EXPECT_EQ((*limits)[0].burst, 5);
  EXPECT_DOUBLE_EQ((*limits)[0].rate_per_second, 0.5);
}

TEST(RateLimitTableTest, RejectsMalformedTablesNamingTheLine) {
  const auto no_column = ParseRateLimitTable("operation\tpath\n");
  ASSERT_FALSE(no_column.ok());
  EXPECT_NE(no_column.status().message().find("http_method"), std::string::npos);
  const std::string header = "api\toperation\thttp_method\tpath\trate_per_second\tburst\n";
  const auto bad_rate =
      ParseRateLimitTable(header + "X\ta\tGET\t/a\t0.5\t1\nX\tb\tGET\t/b\tfast\t1\n");
  ASSERT_FALSE(bad_rate.ok());
  EXPECT_NE(bad_rate.status().message().find("line 3"), std::string::npos);
  EXPECT_FALSE(ParseRateLimitTable(header + "X\ta\tGET\t/a\t0.5\t0\n").ok());
  EXPECT_FALSE(ParseRateLimitTable(header + "X\ta\tGET\t/a\t1\t1\nY\tb\tGET\t/a\t1\t1\n").ok());
}

}  // namespace
}  // namespace sellerbridge::amazon
