#include "finance/journal_export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace sellerbridge::finance {
namespace {

using nlohmann::json;
using std::chrono::hours;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TimePoint Day(int year, unsigned month, unsigned day) {
  return std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} /
                               std::chrono::day{day}};
}

// Two months of a GBP settlement with a description that needs quoting.
SettlementJournals TwoMonths() {
  const SettlementSummary summary{.settlement_id = "12345678901",
                                  .start = Day(2026, 10, 25),
                                  .end = Day(2026, 11, 8),
                                  .deposit_date = Day(2026, 11, 10) + hours{9},
                                  .total_minor = 30000 - 4550 + 12345 - 1,
                                  .currency = "GBP",
                                  .minor_digits = 2};
  const std::vector<SettlementTotal> totals = {
      {"Order", "ItemPrice", "Principal", 2026, 10, 30000, 3},
      {"Order", "ItemFees", "Commission", 2026, 10, -4550, 3},
      {"Order", "ItemPrice", "Principal", 2026, 11, 12345, 1},
      {"Odd, \"new\" type", "x", "y", 2026, 11, -1, 1},
  };
  return BuildJournals(summary, totals, AccountMap::Defaults());
}

TEST(FormatMinorTest, WritesExactDecimals) {
  EXPECT_EQ(FormatMinor(-123456, 2), "-1234.56");
  EXPECT_EQ(FormatMinor(123456, 2), "1234.56");
  EXPECT_EQ(FormatMinor(5, 2), "0.05");
  EXPECT_EQ(FormatMinor(-5, 2), "-0.05");
  EXPECT_EQ(FormatMinor(0, 2), "0.00");
  EXPECT_EQ(FormatMinor(7, 0), "7");
  EXPECT_EQ(FormatMinor(-7, 0), "-7");
  EXPECT_EQ(FormatMinor(1234, 3), "1.234");
  EXPECT_EQ(FormatMinor(std::numeric_limits<std::int64_t>::max(), 2), "92233720368547758.07");
  EXPECT_EQ(FormatMinor(std::numeric_limits<std::int64_t>::min(), 2), "-92233720368547758.08");
}

TEST(JournalsToCsvTest, WritesOneRowPerLineWithDebitsAndCredits) {
  const SettlementJournals journals = TwoMonths();
  const std::string csv = JournalsToCsv(journals);
  std::vector<std::string> rows;
  for (std::size_t at = 0; at < csv.size();) {
    const std::size_t end = csv.find("\r\n", at);
    ASSERT_NE(end, std::string::npos) << "every row ends in CRLF";
    rows.push_back(csv.substr(at, end - at));
    at = end + 2;
  }
  std::size_t line_count = 0;
  for (const Journal& journal : journals.journals) {
    line_count += journal.lines.size();
  }
  ASSERT_THAT(rows, SizeIs(line_count + 1));
  EXPECT_EQ(
      rows[0],
      "settlement_id,period,date,account_code,account_name,currency,debit,credit,description");
  EXPECT_EQ(rows[1],
            "12345678901,2026-10,2026-10-31,4000,Amazon sales,GBP,,300.00,"
            "Order / ItemPrice / Principal (3 rows)");
  EXPECT_EQ(rows[2],
            "12345678901,2026-10,2026-10-31,6000,Amazon selling fees,GBP,45.50,,"
            "Order / ItemFees / Commission (3 rows)");
  EXPECT_THAT(csv, HasSubstr("12345678901,2026-11,2026-11-10,1200,Amazon deposits,GBP,377.94,,"));
  EXPECT_THAT(csv, HasSubstr(",9999,Unmapped Amazon settlement items,GBP,0.01,,"
                             "\"Odd, \"\"new\"\" type / x / y (1 row)\"\r\n"));
}

TEST(JournalsToJsonTest, WritesDecimalStringsAndTheAttentionFlags) {
  const SettlementJournals journals = TwoMonths();
  const json out = JournalsToJson(journals);
  EXPECT_EQ(out["settlement_id"], "12345678901");
  EXPECT_EQ(out["currency"], "GBP");
  EXPECT_EQ(out["deposit"], "377.94");
  EXPECT_EQ(out["rows_sum"], "377.94");
  EXPECT_EQ(out["difference"], "0.00");
  EXPECT_EQ(out["needs_attention"], true);
  EXPECT_EQ(out["unmapped"], json::array({"Odd, \"new\" type / x / y"}));
  ASSERT_THAT(out["journals"], SizeIs(2));
  const json& october = out["journals"][0];
  EXPECT_EQ(october, JournalToJson(journals.journals[0]));
  EXPECT_EQ(october["period"], "2026-10");
  EXPECT_EQ(october["date"], "2026-10-31");
  EXPECT_EQ(october["idempotency_key"], "amazon-settlement-12345678901-2026-10");
  EXPECT_EQ(october["narration"], journals.journals[0].narration);
  EXPECT_EQ(october["currency"], "GBP");
  ASSERT_THAT(october["lines"], SizeIs(journals.journals[0].lines.size()));
  EXPECT_EQ(october["lines"][0], json({{"account_code", "4000"},
                                       {"account_name", "Amazon sales"},
                                       {"debit", "0.00"},
                                       {"credit", "300.00"},
                                       {"amount", "-300.00"},
                                       {"description", "Order / ItemPrice / Principal (3 rows)"}}));
  EXPECT_EQ(october["lines"][1]["debit"], "45.50");
  EXPECT_EQ(october["lines"][1]["credit"], "0.00");
  EXPECT_EQ(october["lines"][1]["amount"], "45.50");
}

TEST(XeroManualJournalTest, WritesBalancedLinesWithMinorDigits) {
  const SettlementJournals journals = TwoMonths();
  const Journal& november = journals.journals[1];
  const json xero = XeroManualJournal(november, "DRAFT");
  EXPECT_EQ(xero["Narration"], november.narration);
  EXPECT_EQ(xero["Date"], "2026-11-10");
  EXPECT_EQ(xero["Status"], "DRAFT");
  EXPECT_EQ(xero["LineAmountTypes"], "NoTax");
  ASSERT_THAT(xero["JournalLines"], SizeIs(november.lines.size()));
  std::int64_t sum_minor = 0;
  for (std::size_t i = 0; i < november.lines.size(); ++i) {
    const json& line = xero["JournalLines"][i];
    EXPECT_EQ(line["AccountCode"], november.lines[i].account.code);
    EXPECT_EQ(line["Description"], november.lines[i].description);
    ASSERT_TRUE(line["LineAmount"].is_number_float());
    // The number is the exact decimal, written with at most two decimals.
    const std::string decimal = FormatMinor(november.lines[i].amount_minor, 2);
    EXPECT_EQ(line["LineAmount"], json::parse(decimal)) << decimal;
    const std::string written = line["LineAmount"].dump();
    EXPECT_LE(written.size() - written.find('.'), 3U) << written;
    sum_minor += std::llround(line["LineAmount"].get<double>() * 100);
  }
  EXPECT_EQ(sum_minor, 0);
  EXPECT_EQ(XeroManualJournal(november, "POSTED")["Status"], "POSTED");
}

TEST(XeroManualJournalTest, LeavesOutZeroLines) {
  Journal journal{.settlement_id = "1",
                  .period = "2026-11",
                  .date = Day(2026, 11, 30),
                  .currency = "GBP",
                  .narration = "n",
                  .idempotency_key = "k",
                  .lines = {{{"1200", "Amazon deposits"}, 0, "Deposit of settlement 1"}}};
  EXPECT_THAT(XeroManualJournal(journal, "DRAFT")["JournalLines"], SizeIs(0));
  journal.lines.push_back({{"4000", "Amazon sales"}, -1999, "sales"});
  journal.lines.push_back({{"6000", "Amazon selling fees"}, 1999, "fees"});
  const json lines = XeroManualJournal(journal, "DRAFT")["JournalLines"];
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(lines[0]["LineAmount"].dump(), "-19.99");
  EXPECT_EQ(lines[1]["LineAmount"].dump(), "19.99");
}

}  // namespace
}  // namespace sellerbridge::finance
