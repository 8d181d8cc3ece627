#include "finance/settlement_totals.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "finance/settlement_file.h"

namespace sellerbridge::finance {
namespace {

using ::testing::ElementsAre;

TimePoint At(int year, unsigned month, unsigned day, int hours = 0, int minutes = 0,
             int seconds = 0) {
  return TimePoint{std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} /
                                         std::chrono::day{day}}} +
         std::chrono::hours(hours) + std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
}

SettlementRow MakeRow(std::string_view type, std::string_view amount_type,
                      std::string_view description, std::int64_t amount, TimePoint posted) {
  SettlementRow row;
  row.transaction_type = type;
  row.amount_type = amount_type;
  row.amount_description = description;
  row.amount_minor = amount;
  row.posted = posted;
  return row;
}

TEST(SettlementTotalsTest, SplitsTheSameKeyAtAMonthBoundary) {
  SettlementTotals totals;
  totals.Add(MakeRow("Order", "ItemPrice", "Principal", 1000, At(2026, 10, 31, 23, 59, 59)));
  totals.Add(MakeRow("Order", "ItemPrice", "Principal", 250, At(2026, 10, 31, 12)));
  totals.Add(MakeRow("Order", "ItemPrice", "Principal", 700, At(2026, 11, 1)));

  EXPECT_THAT(totals.Totals(),
              ElementsAre(SettlementTotal{"Order", "ItemPrice", "Principal", 2026, 10, 1250, 2},
                          SettlementTotal{"Order", "ItemPrice", "Principal", 2026, 11, 700, 1}));
  EXPECT_EQ(totals.SumMinor(), 1950);
  EXPECT_EQ(totals.RowCount(), 3);
}

TEST(SettlementTotalsTest, SplitsAtTheYearBoundaryAndWhenMonthsAlternate) {
  SettlementTotals totals;
  totals.Add(MakeRow("Order", "ItemFees", "Commission", -10, At(2026, 12, 31, 23, 59, 59)));
  totals.Add(MakeRow("Order", "ItemFees", "Commission", -20, At(2027, 1, 1)));
  totals.Add(MakeRow("Order", "ItemFees", "Commission", -40, At(2026, 12, 1)));
  totals.Add(MakeRow("Order", "ItemFees", "Commission", -80, At(2027, 1, 31, 23)));

  EXPECT_THAT(totals.Totals(),
              ElementsAre(SettlementTotal{"Order", "ItemFees", "Commission", 2026, 12, -50, 2},
                          SettlementTotal{"Order", "ItemFees", "Commission", 2027, 1, -100, 2}));
}

TEST(SettlementTotalsTest, OrdersByMonthThenTypeAmountTypeAndDescription) {
  SettlementTotals totals;
  const TimePoint october = At(2026, 10, 5);
  const TimePoint september = At(2026, 9, 28);
  totals.Add(MakeRow("Refund", "ItemPrice", "Principal", -500, october));
  totals.Add(MakeRow("Order", "ItemPrice", "Tax", 100, october));
  totals.Add(MakeRow("Order", "ItemPrice", "Principal", 900, october));
  totals.Add(MakeRow("Order", "ItemFees", "Commission", -135, october));
  totals.Add(
      MakeRow("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", -300, september));
  totals.Add(MakeRow("Order", "ItemPrice", "Principal", 100, october));

  EXPECT_THAT(totals.Totals(),
              ElementsAre(SettlementTotal{"ServiceFee", "Cost of Advertising",
                                          "TransactionTotalAmount", 2026, 9, -300, 1},
                          SettlementTotal{"Order", "ItemFees", "Commission", 2026, 10, -135, 1},
                          SettlementTotal{"Order", "ItemPrice", "Principal", 2026, 10, 1000, 2},
                          SettlementTotal{"Order", "ItemPrice", "Tax", 2026, 10, 100, 1},
                          SettlementTotal{"Refund", "ItemPrice", "Principal", 2026, 10, -500, 1}));
  EXPECT_EQ(totals.SumMinor(), 165);
  EXPECT_EQ(totals.RowCount(), 6);
}

TEST(SettlementTotalsTest, KeepsItsOwnCopyOfTheKeys) {
  SettlementTotals totals;
  std::string type = "Order";
  std::string description = "Principal";
  totals.Add(MakeRow(type, "ItemPrice", description, 1, At(2026, 10, 5)));
  // The parser reuses its buffers for the next row.
  type = "Refund";
  description = "Shipping";
  totals.Add(MakeRow(type, "ItemPrice", description, 2, At(2026, 10, 5)));

  EXPECT_THAT(totals.Totals(),
              ElementsAre(SettlementTotal{"Order", "ItemPrice", "Principal", 2026, 10, 1, 1},
                          SettlementTotal{"Refund", "ItemPrice", "Shipping", 2026, 10, 2, 1}));
}

TEST(SettlementTotalsTest, AddsUpAParsedFileToItsSummaryTotal) {
  const std::string text =
      "settlement-id\ttotal-amount\tcurrency\ttransaction-type\tamount-type\t"
      "amount-description\tamount\tposted-date-time\n"
      "1\t1.234,00\tEUR\t\t\t\t\t\n"
      "1\t\t\tOrder\tItemPrice\tPrincipal\t1.000,00\t2026-10-31 22:00:00 UTC\n"
      "1\t\t\tOrder\tItemFees\tCommission\t-150,00\t2026-10-31 22:00:00 UTC\n"
      "1\t\t\tOrder\tItemPrice\tPrincipal\t384,00\t2026-11-01 08:00:00 UTC\n";
  SettlementTotals totals;
  SettlementParser parser({}, [&totals](const SettlementRow& row) { totals.Add(row); });

  ASSERT_TRUE(ParseSettlementText(text, parser).ok());

  EXPECT_EQ(totals.SumMinor(), parser.Summary().total_minor);
  EXPECT_EQ(totals.RowCount(), 3);
  EXPECT_THAT(totals.Totals(),
              ElementsAre(SettlementTotal{"Order", "ItemFees", "Commission", 2026, 10, -15000, 1},
                          SettlementTotal{"Order", "ItemPrice", "Principal", 2026, 10, 100000, 1},
                          SettlementTotal{"Order", "ItemPrice", "Principal", 2026, 11, 38400, 1}));
}

}  // namespace
}  // namespace sellerbridge::finance
