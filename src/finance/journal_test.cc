#include "finance/journal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace sellerbridge::finance {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TimePoint Day(int year, unsigned month, unsigned day) {
  return std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} /
                               std::chrono::day{day}};
}

SettlementSummary Summary(std::int64_t total_minor, std::string currency = "GBP",
                          int minor_digits = 2) {
  return {.settlement_id = "12345678901",
          .start = Day(2026, 10, 25) + hours{6},
          .end = Day(2026, 11, 8) + hours{6},
          .deposit_date = Day(2026, 11, 10) + hours{9},
          .total_minor = total_minor,
          .currency = std::move(currency),
          .minor_digits = minor_digits,
          .line = 2};
}

SettlementTotal Total(std::string type, std::string amount_type, std::string description, int month,
                      std::int64_t amount_minor, std::int64_t rows = 1) {
  return {.transaction_type = std::move(type),
          .amount_type = std::move(amount_type),
          .amount_description = std::move(description),
          .year = 2026,
          .month = month,
          .amount_minor = amount_minor,
          .rows = rows};
}

std::int64_t SumOf(const Journal& journal) {
  return std::accumulate(
      journal.lines.begin(), journal.lines.end(), std::int64_t{0},
      [](std::int64_t sum, const JournalLine& line) { return sum + line.amount_minor; });
}

// Every line of `journal` on account `code`.
std::vector<JournalLine> LinesOn(const Journal& journal, std::string_view code) {
  std::vector<JournalLine> out;
  for (const JournalLine& line : journal.lines) {
    if (line.account.code == code) {
      out.push_back(line);
    }
  }
  return out;
}

// The single line of `journal` on account `code`; fails the test otherwise.
JournalLine LineOn(const Journal& journal, std::string_view code) {
  const std::vector<JournalLine> lines = LinesOn(journal, code);
  EXPECT_EQ(lines.size(), 1U) << "account " << code << " in " << journal.period;
  return lines.empty() ? JournalLine{} : lines.front();
}

void ExpectEachBalanced(const SettlementJournals& result) {
  for (const Journal& journal : result.journals) {
    EXPECT_EQ(SumOf(journal), 0) << journal.period;
  }
}

TEST(BuildJournalsTest, SingleMonthSettlementCreditsIncomeAndDebitsTheDeposit) {
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemFees", "Commission", 11, -1500, 6),
      Total("Order", "ItemPrice", "Principal", 11, 10000, 5),
      Total("Order", "ItemPrice", "Tax", 11, 2000, 5),
      Total("Refund", "ItemFees", "RefundCommission", 11, 60, 1),
  };
  const std::int64_t rows_sum = 10000 + 2000 - 1500 + 60;
  const SettlementJournals result =
      BuildJournals(Summary(rows_sum), totals, AccountMap::Defaults());

  EXPECT_EQ(result.settlement_id, "12345678901");
  EXPECT_EQ(result.currency, "GBP");
  EXPECT_EQ(result.deposit_minor, rows_sum);
  EXPECT_EQ(result.rows_sum_minor, rows_sum);
  EXPECT_EQ(result.difference_minor, 0);
  EXPECT_THAT(result.unmapped, IsEmpty());
  EXPECT_FALSE(result.NeedsAttention());
  ASSERT_EQ(result.journals.size(), 1U);
  const Journal& journal = result.journals[0];
  EXPECT_EQ(journal.period, "2026-11");
  EXPECT_EQ(journal.date, *Summary(0).deposit_date);
  EXPECT_EQ(journal.idempotency_key, "amazon-settlement-12345678901-2026-11");
  EXPECT_EQ(journal.narration,
            "Amazon settlement 12345678901, 25 Oct\u20138 Nov 2026: "
            "November 2026 (1 of 1)");
  EXPECT_EQ(journal.currency, "GBP");
  EXPECT_EQ(journal.minor_digits, 2);
  EXPECT_EQ(SumOf(journal), 0);

  const JournalLine sales = LineOn(journal, "4000");
  EXPECT_EQ(sales.amount_minor, -10000);
  EXPECT_EQ(sales.description, "Order / ItemPrice / Principal (5 rows)");
  EXPECT_EQ(LineOn(journal, "2200").amount_minor, -2000);
  const JournalLine fees = LineOn(journal, "6000");
  EXPECT_EQ(fees.amount_minor, 1500 - 60);
  EXPECT_EQ(fees.description,
            "Order / ItemFees / Commission, Refund / ItemFees / RefundCommission (7 rows)");
  EXPECT_EQ(LineOn(journal, "1200").amount_minor, rows_sum);
  EXPECT_THAT(LinesOn(journal, "1210"), IsEmpty());
  EXPECT_THAT(LinesOn(journal, "9999"), IsEmpty());
}

TEST(BuildJournalsTest, MonthBoundaryCarriesTheEarlierMonthForwardToTheDepositMonth) {
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemPrice", "Principal", 10, 30000, 12),
      Total("Order", "ItemFees", "Commission", 10, -4500, 12),
      Total("Order", "ItemPrice", "Principal", 11, 20000, 8),
      Total("Order", "ItemFees", "Commission", 11, -3000, 8),
      Total("ServiceFee", "other-transaction", "Subscription Fee", 11, -2500, 1),
  };
  const std::int64_t deposit = 30000 - 4500 + 20000 - 3000 - 2500;
  const SettlementJournals result = BuildJournals(Summary(deposit), totals, AccountMap::Defaults());

  ASSERT_EQ(result.journals.size(), 2U);
  ExpectEachBalanced(result);
  const Journal& october = result.journals[0];
  const Journal& november = result.journals[1];
  EXPECT_EQ(october.period, "2026-10");
  EXPECT_EQ(november.period, "2026-11");
  EXPECT_EQ(october.date, Day(2026, 11, 1) - seconds{1});
  EXPECT_EQ(november.date, *Summary(0).deposit_date);
  EXPECT_EQ(october.idempotency_key, "amazon-settlement-12345678901-2026-10");
  EXPECT_THAT(october.narration, HasSubstr(": October 2026 (1 of 2)"));
  EXPECT_THAT(november.narration, HasSubstr(": November 2026 (2 of 2)"));

  EXPECT_EQ(LineOn(october, "4000").amount_minor, -30000);
  EXPECT_EQ(LineOn(october, "6000").amount_minor, 4500);
  // October's net income is owed by Amazon until the deposit: a debit.
  const JournalLine carried = LineOn(october, "1210");
  EXPECT_EQ(carried.amount_minor, 30000 - 4500);
  EXPECT_THAT(LinesOn(october, "1200"), IsEmpty());

  const JournalLine released = LineOn(november, "1210");
  EXPECT_EQ(released.amount_minor + carried.amount_minor, 0);
  EXPECT_EQ(LineOn(november, "4000").amount_minor, -20000);
  EXPECT_EQ(LineOn(november, "6050").amount_minor, 2500);
  EXPECT_EQ(LineOn(november, "1200").amount_minor, deposit);
  EXPECT_EQ(result.difference_minor, 0);
}

TEST(BuildJournalsTest, EarlierMonthsWithoutAnyLineAreLeftOut) {
  // October's reserve release and hold cancel out: there is nothing to book.
  const std::vector<SettlementTotal> totals = {
      Total("other-transaction", "other-transaction", "Current Reserve Amount", 10, -800),
      Total("other-transaction", "other-transaction", "Previous Reserve Amount Balance", 10, 800),
      Total("Order", "ItemPrice", "Principal", 11, 5000, 2),
  };
  const SettlementJournals result = BuildJournals(Summary(5000), totals, AccountMap::Defaults());
  ASSERT_EQ(result.journals.size(), 1U);
  EXPECT_EQ(result.journals[0].period, "2026-11");
  EXPECT_THAT(result.journals[0].narration, HasSubstr("(1 of 1)"));
  EXPECT_THAT(LinesOn(result.journals[0], "1210"), IsEmpty());
}

TEST(BuildJournalsTest, ReservesGoToTheReserveAccount) {
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemPrice", "Principal", 11, 40000, 10),
      Total("other-transaction", "other-transaction", "Current Reserve Amount", 11, -6000),
      Total("other-transaction", "other-transaction", "Previous Reserve Amount Balance", 11, 4500),
  };
  const std::int64_t deposit = 40000 - 6000 + 4500;
  const SettlementJournals result = BuildJournals(Summary(deposit), totals, AccountMap::Defaults());
  ASSERT_EQ(result.journals.size(), 1U);
  ExpectEachBalanced(result);
  const JournalLine reserve = LineOn(result.journals[0], "1250");
  // Held back (an asset grows) more than released: a net debit.
  EXPECT_EQ(reserve.amount_minor, 6000 - 4500);
  EXPECT_EQ(reserve.description,
            "other-transaction / other-transaction / Current Reserve Amount, other-transaction / "
            "other-transaction / Previous Reserve Amount Balance (2 rows)");
  EXPECT_EQ(LineOn(result.journals[0], "1200").amount_minor, deposit);
  EXPECT_FALSE(result.NeedsAttention());
}

TEST(BuildJournalsTest, RefundsAndAdvertisingAreDebits) {
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemPrice", "Principal", 11, 50000, 20),
      Total("Refund", "ItemPrice", "Principal", 11, -4000, 2),
      Total("Refund", "ItemPrice", "Shipping", 11, -300, 2),
      Total("Refund", "ItemPrice", "Tax", 11, -800, 2),
      Total("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", 11, -7000, 1),
      Total("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_LOST", 11, 1200, 1),
  };
  const std::int64_t deposit = 50000 - 4000 - 300 - 800 - 7000 + 1200;
  const SettlementJournals result = BuildJournals(Summary(deposit), totals, AccountMap::Defaults());
  ASSERT_EQ(result.journals.size(), 1U);
  ExpectEachBalanced(result);
  const Journal& journal = result.journals[0];
  const JournalLine refunds = LineOn(journal, "4100");
  EXPECT_EQ(refunds.amount_minor, 4000 + 300);
  EXPECT_EQ(refunds.description,
            "Refund / ItemPrice / Principal, Refund / ItemPrice / Shipping (4 rows)");
  EXPECT_EQ(LineOn(journal, "2200").amount_minor, 800);
  EXPECT_EQ(LineOn(journal, "6100").amount_minor, 7000);
  EXPECT_EQ(LineOn(journal, "4800").amount_minor, -1200);
}

TEST(BuildJournalsTest, UnmappedKeysGoToSuspenseAndNeedAttention) {
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemPrice", "Principal", 11, 9000, 3),
      Total("Liquidations", "Liquidations Brokerage Fee", "LiquidationsBrokerageFee", 11, -250),
      Total("Liquidations", "Liquidations Brokerage Fee", "LiquidationsBrokerageFee", 10, -100),
  };
  const SettlementJournals result =
      BuildJournals(Summary(9000 - 250 - 100), totals, AccountMap::Defaults());
  EXPECT_THAT(result.unmapped,
              ElementsAre("Liquidations / Liquidations Brokerage Fee / LiquidationsBrokerageFee"));
  EXPECT_TRUE(result.NeedsAttention());
  EXPECT_EQ(result.difference_minor, 0);
  ASSERT_EQ(result.journals.size(), 2U);
  ExpectEachBalanced(result);
  const JournalLine suspense = LineOn(result.journals[1], "9999");
  EXPECT_EQ(suspense.amount_minor, 250);
  EXPECT_EQ(suspense.account.name, "Unmapped Amazon settlement items");
  EXPECT_EQ(LineOn(result.journals[0], "9999").amount_minor, 100);
}

TEST(BuildJournalsTest, UnbalancedSettlementBooksTheDifferenceToSuspense) {
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemPrice", "Principal", 10, 6000, 2),
      Total("Order", "ItemPrice", "Principal", 11, 4000, 1),
  };
  // A fee row missing from the file: the bank got 75.00 less than the rows say.
  const std::int64_t deposit = 10000 - 7500;
  const SettlementJournals result = BuildJournals(Summary(deposit), totals, AccountMap::Defaults());
  EXPECT_EQ(result.rows_sum_minor, 10000);
  EXPECT_EQ(result.difference_minor, deposit - 10000);
  EXPECT_TRUE(result.NeedsAttention());
  EXPECT_THAT(result.unmapped, IsEmpty());
  ASSERT_EQ(result.journals.size(), 2U);
  ExpectEachBalanced(result);
  const JournalLine difference = LineOn(result.journals[1], "9999");
  EXPECT_EQ(difference.amount_minor, -result.difference_minor);
  EXPECT_EQ(difference.description, "Difference to the deposit");
  EXPECT_EQ(LineOn(result.journals[1], "1200").amount_minor, deposit);
  EXPECT_THAT(LinesOn(result.journals[0], "9999"), IsEmpty());
}

TEST(BuildJournalsTest, ZeroDecimalCurrencyKeepsWholeYen) {
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemPrice", "Principal", 11, 125000, 4),
      Total("Order", "ItemFees", "Commission", 11, -12500, 4),
  };
  const SettlementJournals result =
      BuildJournals(Summary(112500, "JPY", 0), totals, AccountMap::Defaults());
  EXPECT_EQ(result.minor_digits, 0);
  EXPECT_EQ(result.currency, "JPY");
  ASSERT_EQ(result.journals.size(), 1U);
  EXPECT_EQ(result.journals[0].minor_digits, 0);
  EXPECT_EQ(result.journals[0].currency, "JPY");
  EXPECT_EQ(LineOn(result.journals[0], "4000").amount_minor, -125000);
  EXPECT_EQ(LineOn(result.journals[0], "1200").amount_minor, 112500);
  ExpectEachBalanced(result);
}

TEST(BuildJournalsTest, SettlementWithoutRowsBooksTheDepositInTheEndMonth) {
  SettlementSummary summary = Summary(0);
  summary.deposit_date.reset();
  const SettlementJournals result = BuildJournals(summary, {}, AccountMap::Defaults());
  ASSERT_EQ(result.journals.size(), 1U);
  const Journal& journal = result.journals[0];
  EXPECT_EQ(journal.period, "2026-11");
  EXPECT_EQ(journal.date, *summary.end);
  // The deposit line stays, even at zero, so the journal says where the money went.
  ASSERT_EQ(journal.lines.size(), 1U);
  EXPECT_EQ(journal.lines[0].account.code, "1200");
  EXPECT_EQ(journal.lines[0].amount_minor, 0);
  EXPECT_FALSE(result.NeedsAttention());
}

TEST(BuildJournalsTest, UsesTheMapsRoleAccounts) {
  const Result<AccountMap> accounts = AccountMap::FromRules({
      {"Order", "ItemPrice", "*", {"200", "Sales"}},
      {std::string(kDepositRule), "*", "*", {"090", "Amazon clearing"}},
      {std::string(kCarriedForwardRule), "*", "*", {"091", "In transit"}},
  });
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  const std::vector<SettlementTotal> totals = {
      Total("Order", "ItemPrice", "Principal", 10, 700),
      Total("Order", "ItemPrice", "Shipping", 11, 300),
  };
  const SettlementJournals result = BuildJournals(Summary(1000), totals, *accounts);
  ASSERT_EQ(result.journals.size(), 2U);
  ExpectEachBalanced(result);
  EXPECT_EQ(LineOn(result.journals[0], "091").amount_minor, 700);
  EXPECT_EQ(LineOn(result.journals[1], "091").amount_minor, -700);
  EXPECT_EQ(LineOn(result.journals[1], "090").amount_minor, 1000);
  EXPECT_EQ(LineOn(result.journals[1], "200").description, "Order / ItemPrice / Shipping (1 row)");
}

}  // namespace
}  // namespace sellerbridge::finance

namespace sellerbridge::finance {
namespace {

TEST(BuildJournalsTest, DepositInTheNextMonthLeavesTheRowsInTheirOwnMonth) {
  SettlementSummary summary = Summary(800);
  summary.start = Day(2026, 11, 16);
  summary.end = Day(2026, 11, 30);
  summary.deposit_date = Day(2026, 12, 3) + hours{9};
  const SettlementJournals result =
      BuildJournals(summary,
                    {Total("Order", "ItemPrice", "Principal", 11, 1000),
                     Total("Order", "ItemFees", "Commission", 11, -200)},
                    AccountMap::Defaults());
  ASSERT_EQ(result.journals.size(), 2U);
  ExpectEachBalanced(result);
  const Journal& november = result.journals[0];
  EXPECT_EQ(november.period, "2026-11");
  EXPECT_EQ(november.date, Day(2026, 12, 1) - seconds{1});
  EXPECT_EQ(LineOn(november, "4000").amount_minor, -1000);
  EXPECT_EQ(LineOn(november, "1210").amount_minor, 800);
  EXPECT_TRUE(LinesOn(november, "1200").empty());
  const Journal& december = result.journals[1];
  EXPECT_EQ(december.period, "2026-12");
  EXPECT_EQ(december.date, Day(2026, 12, 3) + hours{9});
  EXPECT_EQ(LineOn(december, "1210").amount_minor, -800);
  EXPECT_EQ(LineOn(december, "1200").amount_minor, 800);
  EXPECT_EQ(december.lines.size(), 2U);
}

}  // namespace
}  // namespace sellerbridge::finance
