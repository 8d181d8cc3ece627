#include "finance/settlement_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sellerbridge::finance {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Amazon's 23 columns in Amazon's order.
const std::vector<std::string> kColumns = {"settlement-id",
                                           "settlement-start-date",
                                           "settlement-end-date",
                                           "deposit-date",
                                           "total-amount",
                                           "currency",
                                           "transaction-type",
                                           "order-id",
                                           "merchant-order-id",
                                           "adjustment-id",
                                           "shipment-id",
                                           "marketplace-name",
                                           "amount-type",
                                           "amount-description",
                                           "amount",
                                           "fulfillment-id",
                                           "posted-date",
                                           "posted-date-time",
                                           "order-item-code",
                                           "merchant-order-item-id",
                                           "merchant-adjustment-item-id",
                                           "sku",
                                           "quantity-purchased"};

using Values = std::map<std::string, std::string>;

std::string Join(const std::vector<std::string>& fields, std::string_view end = "\n") {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      line += '\t';
    }
    line += fields[i];
  }
  line += end;
  return line;
}

// A row with `values` under their column names and every other column blank.
std::string Row(const std::vector<std::string>& columns, const Values& values,
                std::string_view end = "\n") {
  std::vector<std::string> fields;
  fields.reserve(columns.size());
  for (const std::string& column : columns) {
    // Header names may carry spaces; values are given under the bare name.
    const std::size_t first = column.find_first_not_of(' ');
    const std::size_t last = column.find_last_not_of(' ');
    const auto it = values.find(column.substr(first, last - first + 1));
    fields.push_back(it == values.end() ? "" : it->second);
  }
  return Join(fields, end);
}

std::string Summary(const std::vector<std::string>& columns, std::string_view currency = "GBP",
                    std::string_view total = "100.00", std::string_view end = "\n") {
  return Row(columns,
             {{"settlement-id", "12345678901"},
              {"settlement-start-date", "2026-10-01 00:00:00 UTC"},
              {"settlement-end-date", "2026-10-15 00:00:00 UTC"},
              {"deposit-date", "2026-10-17 06:30:00 UTC"},
              {"total-amount", std::string(total)},
              {"currency", std::string(currency)}},
             end);
}

std::string Transaction(const std::vector<std::string>& columns, std::string_view type,
                        std::string_view amount_type, std::string_view description,
                        std::string_view amount, const Values& extra = {},
                        std::string_view end = "\n") {
  Values values = {{"settlement-id", "12345678901"},
                   {"transaction-type", std::string(type)},
                   {"amount-type", std::string(amount_type)},
                   {"amount-description", std::string(description)},
                   {"amount", std::string(amount)},
                   {"posted-date", "10/05/26"},
                   {"posted-date-time", "2026-10-05 14:03:12 UTC"}};
  for (const auto& [column, value] : extra) {
    values[column] = value;
  }
  return Row(columns, values, end);
}

TimePoint At(int year, unsigned month, unsigned day, int hours = 0, int minutes = 0,
             int seconds = 0) {
  return TimePoint{std::chrono::sys_days{std::chrono::year{year} / std::chrono::month{month} /
                                         std::chrono::day{day}}} +
         std::chrono::hours(hours) + std::chrono::minutes(minutes) + std::chrono::seconds(seconds);
}

// A row as the handler saw it, with its text copied out of the parser.
struct SeenRow {
  std::int64_t line = 0;
  std::string transaction_type;
  std::string amount_type;
  std::string amount_description;
  std::int64_t amount_minor = 0;
  TimePoint posted;
  std::string order_id;
  std::string marketplace_name;
  std::string sku;
  int quantity = 0;
  std::string promotion_id;

  friend bool operator==(const SeenRow&, const SeenRow&) = default;
};

struct Parsed {
  Status status;
  std::vector<SeenRow> rows;
  SettlementSummary summary;
  std::vector<RowProblem> problems;
  std::int64_t problem_count = 0;
  std::int64_t bytes_read = 0;
  TextEncoding encoding = TextEncoding::kAuto;
};

// Parses `text` fed in pieces cut at `cuts` (ascending offsets).
Parsed ParseInPieces(std::string_view text, const std::vector<std::size_t>& cuts,
                     ParseOptions options = {}) {
  Parsed parsed;
  SettlementParser parser(options, [&parsed](const SettlementRow& row) {
    parsed.rows.push_back({row.line, std::string(row.transaction_type),
                           std::string(row.amount_type), std::string(row.amount_description),
                           row.amount_minor, row.posted, std::string(row.order_id),
                           std::string(row.marketplace_name), std::string(row.sku), row.quantity,
                           std::string(row.promotion_id)});
  });
  std::size_t from = 0;
  for (const std::size_t cut : cuts) {
    parsed.status = parser.Feed(text.substr(from, cut - from));
    from = cut;
    if (!parsed.status.ok()) {
      break;
    }
  }
  if (parsed.status.ok()) {
    parsed.status = parser.Feed(text.substr(from));
  }
  if (parsed.status.ok()) {
    parsed.status = parser.Finish();
  }
  parsed.summary = parser.Summary();
  parsed.problems = parser.Problems();
  parsed.problem_count = parser.ProblemCount();
  parsed.bytes_read = parser.BytesRead();
  parsed.encoding = parser.Encoding();
  return parsed;
}

Parsed Parse(std::string_view text, ParseOptions options = {}) {
  return ParseInPieces(text, {}, options);
}

ParseOptions WithEncoding(TextEncoding encoding) {
  ParseOptions options;
  options.encoding = encoding;
  return options;
}

TEST(SettlementFileTest, ReadsSummaryAndTransactionRowsOfAmazonsLayout) {
  const std::string text = Join(kColumns) + Summary(kColumns, "GBP", "1,234.50") +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", "12.99",
                                       {{"order-id", "202-1234567-1234567"},
                                        {"marketplace-name", "Amazon.co.uk"},
                                        {"sku", "SKU-1"},
                                        {"quantity-purchased", "2"}}) +
                           Transaction(kColumns, "Order", "ItemFees", "Commission", "-1.95",
                                       {{"order-id", "202-1234567-1234567"}, {"sku", "SKU-1"}});

  const Parsed parsed = Parse(text);

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_EQ(parsed.summary.settlement_id, "12345678901");
  EXPECT_EQ(parsed.summary.currency, "GBP");
  EXPECT_EQ(parsed.summary.minor_digits, 2);
  EXPECT_EQ(parsed.summary.total_minor, 123450);
  EXPECT_EQ(parsed.summary.line, 2);
  EXPECT_EQ(parsed.summary.start, At(2026, 10, 1));
  EXPECT_EQ(parsed.summary.end, At(2026, 10, 15));
  EXPECT_EQ(parsed.summary.deposit_date, At(2026, 10, 17, 6, 30));
  EXPECT_THAT(
      parsed.rows,
      ElementsAre(SeenRow{3, "Order", "ItemPrice", "Principal", 1299, At(2026, 10, 5, 14, 3, 12),
                          "202-1234567-1234567", "Amazon.co.uk", "SKU-1", 2, ""},
                  SeenRow{4, "Order", "ItemFees", "Commission", -195, At(2026, 10, 5, 14, 3, 12),
                          "202-1234567-1234567", "", "SKU-1", 0, ""}));
  EXPECT_TRUE(parsed.problems.empty());
  EXPECT_EQ(parsed.bytes_read, static_cast<std::int64_t>(text.size()));
  EXPECT_EQ(parsed.encoding, TextEncoding::kUtf8);
}

// A file with a byte-order mark, CRLF line ends, UTF-8 text and no final
// line end, so that cuts fall inside every kind of sequence.
std::string AwkwardFile() {
  return std::string("\xEF\xBB\xBF") + Join(kColumns, "\r\n") +
         Summary(kColumns, "EUR", "1.234,56", "\r\n") +
         Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.000,00",
                     {{"sku", "K\xC3\xB6ln-1"}, {"marketplace-name", "Amazon.de"}}, "\r\n") +
         "\r\n" +
         Transaction(kColumns, "Refund", "ItemPrice", "Principal", "-12,99", {{"sku", "x"}},
                     "\r\n") +
         Transaction(kColumns, "Order", "ItemPrice", "Tax", "12,3x", {}, "\r\n") +
         Transaction(kColumns, "ServiceFee", "Cost of Advertising", "TransactionTotalAmount",
                     "-5,00", {}, "");
}

TEST(SettlementFileTest, StripsByteOrderMarkAndReadsCrlfLines) {
  const Parsed parsed = Parse(AwkwardFile());

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_EQ(parsed.encoding, TextEncoding::kUtf8);
  EXPECT_EQ(parsed.summary.settlement_id, "12345678901");
  EXPECT_EQ(parsed.summary.total_minor, 123456);
  ASSERT_EQ(parsed.rows.size(), 3U);
  EXPECT_EQ(parsed.rows[0].sku, "K\xC3\xB6ln-1");
  EXPECT_EQ(parsed.rows[0].amount_minor, 100000);
  EXPECT_EQ(parsed.rows[1].line, 5);  // After the blank line 4.
  EXPECT_EQ(parsed.rows[1].sku, "x");
  EXPECT_EQ(parsed.rows[2].transaction_type, "ServiceFee");
  EXPECT_EQ(parsed.rows[2].amount_description, "TransactionTotalAmount");  // No '\r' left.
  EXPECT_EQ(parsed.rows[2].amount_minor, -500);
  EXPECT_THAT(parsed.problems,
              ElementsAre(RowProblem{6, "line 6: amount '12,3x' is not a number"}));
}

TEST(SettlementFileTest, ChunksCutAnywhereYieldTheSameAsOneFeed) {
  const std::string text = AwkwardFile();
  const Parsed whole = Parse(text);
  ASSERT_TRUE(whole.status.ok()) << whole.status;

  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < text.size(); ++i) {
    every_byte.push_back(i);
  }
  const Parsed bytewise = ParseInPieces(text, every_byte);
  ASSERT_TRUE(bytewise.status.ok()) << bytewise.status;
  EXPECT_EQ(bytewise.rows, whole.rows);
  EXPECT_EQ(bytewise.problems, whole.problems);
  EXPECT_EQ(bytewise.summary.total_minor, whole.summary.total_minor);
  EXPECT_EQ(bytewise.encoding, TextEncoding::kUtf8);
  EXPECT_EQ(bytewise.bytes_read, static_cast<std::int64_t>(text.size()));

  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    const Parsed halves = ParseInPieces(text, {cut});
    ASSERT_TRUE(halves.status.ok()) << "cut at " << cut << ": " << halves.status;
    EXPECT_EQ(halves.rows, whole.rows) << "cut at " << cut;
    EXPECT_EQ(halves.problems, whole.problems) << "cut at " << cut;
    EXPECT_EQ(halves.summary.settlement_id, "12345678901") << "cut at " << cut;
  }
}

TEST(SettlementFileTest, DetectsWindows1252WhenALineIsNotUtf8) {
  const std::string text = Join(kColumns) + Summary(kColumns, "EUR", "10,00") +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", "10,00",
                                       {{"sku", "M\xfcnchen \x80"}, {"marketplace-name", "x"}});

  const Parsed parsed = Parse(text);

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_EQ(parsed.encoding, TextEncoding::kWindows1252);
  ASSERT_EQ(parsed.rows.size(), 1U);
  EXPECT_EQ(parsed.rows[0].sku, "M\xC3\xBCnchen \xE2\x82\xAC");
}

TEST(SettlementFileTest, ReadsLatin1WhenAsked) {
  const std::string text = Join(kColumns) + Summary(kColumns, "EUR", "10,00") +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", "10,00",
                                       {{"sku", "M\xfcnchen \x80"}});

  const Parsed parsed = Parse(text, WithEncoding(TextEncoding::kLatin1));

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_EQ(parsed.encoding, TextEncoding::kLatin1);
  ASSERT_EQ(parsed.rows.size(), 1U);
  // ISO-8859-1 maps 0x80 to the C1 control U+0080, not to the euro sign.
  EXPECT_EQ(parsed.rows[0].sku, "M\xC3\xBCnchen \xC2\x80");
}

TEST(SettlementFileTest, DetectsShiftJisForAYenSettlement) {
  const std::string text =
      Join(kColumns) + Summary(kColumns, "JPY", "1,234") +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "1,234",
                  {{"sku", "\x83\x65\x83\x58\x83\x67"}, {"marketplace-name", "Amazon.co.jp"}}) +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "500",
                  {{"sku", "\x93\xfa\x96\x7b"}});

  const Parsed parsed = Parse(text);

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_EQ(parsed.encoding, TextEncoding::kShiftJis);
  EXPECT_EQ(parsed.summary.minor_digits, 0);
  EXPECT_EQ(parsed.summary.total_minor, 1234);
  ASSERT_EQ(parsed.rows.size(), 2U);
  EXPECT_EQ(parsed.rows[0].sku, "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88");  // テスト
  EXPECT_EQ(parsed.rows[0].amount_minor, 1234);
  EXPECT_EQ(parsed.rows[1].sku, "\xE6\x97\xA5\xE6\x9C\xAC");  // 日本
  EXPECT_EQ(parsed.rows[1].amount_minor, 500);
}

TEST(SettlementFileTest, ReadsShiftJisWhenAskedAndRejectsBytesThatAreNot) {
  const std::string good = Join(kColumns) + Summary(kColumns, "JPY", "500") +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", "500",
                                       {{"sku", "\x93\x8c\x8b\x9e\x93s"}});
  const Parsed parsed = Parse(good, WithEncoding(TextEncoding::kShiftJis));
  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  ASSERT_EQ(parsed.rows.size(), 1U);
  EXPECT_EQ(parsed.rows[0].sku, "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD");  // 東京都

  // 0x81 starts a two-byte character; a tab cannot be its second byte.
  const std::string bad =
      Join(kColumns) + Summary(kColumns, "JPY", "500") +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "500", {{"sku", "\x81"}});
  const Parsed rejected = Parse(bad, WithEncoding(TextEncoding::kShiftJis));
  EXPECT_EQ(rejected.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(rejected.status.message(), HasSubstr("line 3"));
  EXPECT_THAT(rejected.status.message(), HasSubstr("Shift_JIS"));
}

TEST(SettlementFileTest, KeepsValidUtf8AndRejectsInvalidBytesWhenUtf8IsAsked) {
  const std::string utf8 =
      Join(kColumns) + Summary(kColumns) +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00", {{"sku", "M\xC3\xBCnchen"}});
  const Parsed parsed = Parse(utf8);
  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_EQ(parsed.encoding, TextEncoding::kUtf8);
  ASSERT_EQ(parsed.rows.size(), 1U);
  EXPECT_EQ(parsed.rows[0].sku, "M\xC3\xBCnchen");

  const std::string latin1 =
      Join(kColumns) + Summary(kColumns) +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00", {{"sku", "M\xfcnchen"}});
  const Parsed rejected = Parse(latin1, WithEncoding(TextEncoding::kUtf8));
  EXPECT_EQ(rejected.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(rejected.status.message(), HasSubstr("line 3 is not valid UTF-8"));
}

TEST(SettlementFileTest, NamesAndParsesEncodings) {
  for (const TextEncoding encoding :
       {TextEncoding::kAuto, TextEncoding::kUtf8, TextEncoding::kLatin1, TextEncoding::kWindows1252,
        TextEncoding::kShiftJis}) {
    const Result<TextEncoding> parsed = ParseTextEncoding(TextEncodingName(encoding));
    ASSERT_TRUE(parsed.ok()) << TextEncodingName(encoding);
    EXPECT_EQ(*parsed, encoding);
  }
  EXPECT_EQ(ParseTextEncoding("Latin1").value_or(TextEncoding::kAuto), TextEncoding::kLatin1);
  EXPECT_EQ(ParseTextEncoding("CP1252").value_or(TextEncoding::kAuto), TextEncoding::kWindows1252);
  EXPECT_EQ(ParseTextEncoding("cp932").value_or(TextEncoding::kAuto), TextEncoding::kShiftJis);
  EXPECT_EQ(ParseTextEncoding("SJIS").value_or(TextEncoding::kAuto), TextEncoding::kShiftJis);
  EXPECT_EQ(ParseTextEncoding("UTF8").value_or(TextEncoding::kAuto), TextEncoding::kUtf8);
  const Result<TextEncoding> unknown = ParseTextEncoding("ebcdic");
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("'ebcdic'"));
}

TEST(SettlementFileTest, ReadsTrailingPromotionIdAndIgnoresUnknownColumns) {
  std::vector<std::string> columns = kColumns;
  columns.emplace_back("promotion-id");
  columns.emplace_back("some-future-column");

  const std::string text =
      Join(columns) + Summary(columns) +
      Transaction(columns, "Order", "Promotion", "Shipping", "-0.50",
                  {{"promotion-id", "PROMO-7"}, {"some-future-column", "whatever"}}) +
      // Producers may leave off trailing optional columns.
      Join({"12345678901", "", "", "", "", "", "Order", "", "", "", "", "", "ItemPrice",
            "Principal", "2.00", "", "", "2026-10-06 00:00:00 UTC"});

  const Parsed parsed = Parse(text);

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_TRUE(parsed.problems.empty()) << parsed.problems.front().message;
  ASSERT_EQ(parsed.rows.size(), 2U);
  EXPECT_EQ(parsed.rows[0].promotion_id, "PROMO-7");
  EXPECT_EQ(parsed.rows[0].amount_minor, -50);
  EXPECT_EQ(parsed.rows[1].promotion_id, "");
  EXPECT_EQ(parsed.rows[1].sku, "");
  EXPECT_EQ(parsed.rows[1].amount_minor, 200);
  EXPECT_EQ(parsed.rows[1].posted, At(2026, 10, 6));
}

TEST(SettlementFileTest, FindsColumnsByNameInAnyOrder) {
  const std::vector<std::string> columns = {" amount ",         "sku",         "posted-date-time",
                                            "transaction-type", "currency",    "amount-description",
                                            "total-amount",     "amount-type", "settlement-id"};

  const std::string text =
      std::string("\xEF\xBB\xBF") + Join(columns) + Summary(columns) +
      Transaction(columns, "Order", "ItemPrice", "Principal", "7.25", {{"sku", "SKU-9"}});

  const Parsed parsed = Parse(text);

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  EXPECT_EQ(parsed.summary.total_minor, 10000);
  ASSERT_EQ(parsed.rows.size(), 1U);
  EXPECT_EQ(parsed.rows[0], (SeenRow{3, "Order", "ItemPrice", "Principal", 725,
                                     At(2026, 10, 5, 14, 3, 12), "", "", "SKU-9", 0, ""}));
}

TEST(SettlementFileTest, NamesEveryMissingRequiredColumn) {
  std::vector<std::string> columns;
  for (const std::string& column : kColumns) {
    if (column != "amount" && column != "currency" && column != "posted-date" &&
        column != "posted-date-time") {
      columns.push_back(column);
    }
  }
  SettlementParser parser({}, [](const SettlementRow&) {});

  const Status status = parser.Feed(Join(columns));

  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("currency, amount, posted-date-time or posted-date"));
  EXPECT_EQ(parser.Feed(Summary(columns)), status);  // The file stays rejected.
}

TEST(SettlementFileTest, ReadsPostedDateAloneAtMidnight) {
  std::vector<std::string> columns = kColumns;
  std::erase(columns, "posted-date-time");

  const std::string text = Join(columns) + Summary(columns) +
                           Transaction(columns, "Order", "ItemPrice", "Principal", "1.00",
                                       {{"posted-date", "10/31/26"}}) +
                           Transaction(columns, "Order", "ItemPrice", "Principal", "1.00",
                                       {{"posted-date", "11/01/2026"}});

  const Parsed parsed = Parse(text);

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  ASSERT_EQ(parsed.rows.size(), 2U);
  EXPECT_EQ(parsed.rows[0].posted, At(2026, 10, 31));
  EXPECT_EQ(parsed.rows[1].posted, At(2026, 11, 1));
}

struct AmountCase {
  std::string text;
  std::string currency;
  std::int64_t minor;
};

TEST(SettlementFileTest, ReadsEveryAmountFormatExactly) {
  const std::vector<AmountCase> cases = {
      {"12.99", "GBP", 1299},
      {"-12,99", "EUR", -1299},
      {"+3.10", "GBP", 310},
      {"1.234,56", "EUR", 123456},
      {"1,234.56", "USD", 123456},
      {"1 234,56", "EUR", 123456},
      {"1\xC2\xA0"
       "234,56",
       "EUR", 123456},  // No-break space.
      {"1\xE2\x80\xAF"
       "234,56",
       "EUR", 123456},  // Narrow no-break space.
      {"-1.234.567,89", "EUR", -123456789},
      {"1,234,567.89", "USD", 123456789},
      {"1234", "GBP", 123400},
      {"0.5", "GBP", 50},
      {",5", "EUR", 50},
      {"0,500", "EUR", 50},      // Zero before the separator: a decimal.
      {"1,234", "EUR", 123400},  // Three digits after a non-zero group: thousands.
      {"1.234", "KWD", 1234},    // Unless the currency has three decimals.
      {"1.50", "GBP", 150},
      {"1.999", "GBP", 199900},  // Read as thousands, by the rule above.
      {"  7.00 ", "GBP", 700},
      {"1,234", "JPY", 1234},
      {"1.234", "JPY", 1234},
      {"1234", "JPY", 1234},
      {"-500", "JPY", -500},
      {"12.00", "JPY", 12},  // Extra decimals that are zeros.
      {"1234", "KRW", 1234},
      {"9223372036854775807", "JPY", std::numeric_limits<std::int64_t>::max()},
      {"-9223372036854775808", "JPY", std::numeric_limits<std::int64_t>::min()},
      {"92233720368547758.07", "GBP", std::numeric_limits<std::int64_t>::max()},
  };
  for (const AmountCase& c : cases) {
    const std::string text = Join(kColumns) + Summary(kColumns, c.currency, "0") +
                             Transaction(kColumns, "Order", "ItemPrice", "Principal", c.text);
    const Parsed parsed = Parse(text);
    ASSERT_TRUE(parsed.status.ok()) << parsed.status;
    ASSERT_EQ(parsed.rows.size(), 1U)
        << c.text << " " << c.currency << ": "
        << (parsed.problems.empty() ? "" : parsed.problems[0].message);
    EXPECT_EQ(parsed.rows[0].amount_minor, c.minor) << c.text << " " << c.currency;
  }
}

TEST(SettlementFileTest, ReportsAmountsThatCannotBeReadExactly) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"12,3x", "line 3: amount '12,3x' is not a number"},
      {"0.123", "line 3: amount '0.123' has more decimal places than GBP allows"},
      {"1,2,3", "line 3: amount '1,2,3' is not a number"},
      {"1.2.3,45", "line 3: amount '1.2.3,45' is not a number"},
      {"1,23.45", "line 3: amount '1,23.45' is not a number"},
      {"12.5.5", "line 3: amount '12.5.5' is not a number"},
      {"1,234.5,6", "line 3: amount '1,234.5,6' is not a number"},
      {"--5", "line 3: amount '--5' is not a number"},
      {"-", "line 3: amount '-' is not a number"},
      {"1e5", "line 3: amount '1e5' is not a number"},
      {"92233720368547758.08", "line 3: amount '92233720368547758.08' is out of range"},
      {"99999999999999999999", "line 3: amount '99999999999999999999' is out of range"},
      {"", "line 3: amount is empty"},
  };
  for (const auto& [amount, message] : cases) {
    const std::string text = Join(kColumns) + Summary(kColumns) +
                             Transaction(kColumns, "Order", "ItemPrice", "Principal", amount);
    const Parsed parsed = Parse(text);
    ASSERT_TRUE(parsed.status.ok()) << parsed.status;
    EXPECT_TRUE(parsed.rows.empty()) << amount;
    EXPECT_THAT(parsed.problems, ElementsAre(RowProblem{3, message})) << amount;
  }
}

TEST(SettlementFileTest, ReportsDecimalsAYenAmountCannotHave) {
  const std::string text = Join(kColumns) + Summary(kColumns, "JPY", "0") +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.5");
  const Parsed parsed = Parse(text);
  EXPECT_THAT(parsed.problems,
              ElementsAre(RowProblem{3,
                                     "line 3: amount '1.5' has more decimal places than JPY "
                                     "allows"}));
}

TEST(SettlementFileTest, ReadsEveryDateFormat) {
  const std::vector<std::pair<std::string, TimePoint>> cases = {
      {"2026-10-31 23:30:00 UTC", At(2026, 10, 31, 23, 30)},
      {"2026-10-31 23:30:00", At(2026, 10, 31, 23, 30)},
      {"2026-10-31 23:30:00 GMT", At(2026, 10, 31, 23, 30)},
      {"31.10.2026 23:30:00 UTC", At(2026, 10, 31, 23, 30)},
      {"31.10.2026 23:30:00", At(2026, 10, 31, 23, 30)},
      {"31.10.2026", At(2026, 10, 31)},
      {"2026-10-31", At(2026, 10, 31)},
      {"2026-10-31T23:30:00Z", At(2026, 10, 31, 23, 30)},
      {"2026-10-31T23:30:00+01:00", At(2026, 10, 31, 22, 30)},
      {"2026-10-31T23:30:00-0530", At(2026, 11, 1, 5, 0)},
      {"2026-10-31T23:30:00+09", At(2026, 10, 31, 14, 30)},
      {"2026-10-31T23:30:00.250Z", At(2026, 10, 31, 23, 30) + std::chrono::milliseconds(250)},
      {"2026-10-31T23:30:00.123456789123+00:00",
       At(2026, 10, 31, 23, 30) + std::chrono::nanoseconds(123456789)},
      {"2024-02-29 12:00:00 UTC", At(2024, 2, 29, 12)},
      {"10/31/26", At(2026, 10, 31)},
      {"10/31/2026", At(2026, 10, 31)},
  };
  for (const auto& [date, expected] : cases) {
    const std::string text = Join(kColumns) + Summary(kColumns) +
                             Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00",
                                         {{"posted-date-time", date}, {"posted-date", ""}});
    const Parsed parsed = Parse(text);
    ASSERT_EQ(parsed.rows.size(), 1U)
        << date << ": " << (parsed.problems.empty() ? "" : parsed.problems[0].message);
    EXPECT_EQ(parsed.rows[0].posted, expected) << date;
  }
}

TEST(SettlementFileTest, FallsBackToPostedDateWhenPostedDateTimeIsBlank) {
  const std::string text = Join(kColumns) + Summary(kColumns) +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00",
                                       {{"posted-date-time", ""}, {"posted-date", "03/01/27"}}) +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00",
                                       {{"posted-date-time", ""}, {"posted-date", ""}});

  const Parsed parsed = Parse(text);

  ASSERT_EQ(parsed.rows.size(), 1U);
  EXPECT_EQ(parsed.rows[0].posted, At(2027, 3, 1));
  EXPECT_THAT(parsed.problems, ElementsAre(RowProblem{
                                   4, "line 4: posted-date-time and posted-date are both empty"}));
}

TEST(SettlementFileTest, ReportsDatesThatAreNotDates) {
  for (const std::string date :
       {"2026-02-30 00:00:00 UTC", "2026-13-01 00:00:00 UTC", "2025-02-29", "31/10/2026",
        "2026-10-31 24:00:00 UTC", "2026-10-31 23:60:00", "2026-10-31 23:30:00 PST",
        "2026-10-31T23:30:00+1", "yesterday", "00.10.2026", "2026-10-31 23:30:00.Z"}) {
    const std::string text = Join(kColumns) + Summary(kColumns) +
                             Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00",
                                         {{"posted-date-time", date}});
    const Parsed parsed = Parse(text);
    EXPECT_TRUE(parsed.rows.empty()) << date;
    EXPECT_THAT(parsed.problems, ElementsAre(RowProblem{
                                     3, "line 3: posted-date-time '" + date + "' is not a date"}));
  }
}

TEST(SettlementFileTest, ReportsMalformedRowsByLineAndReadsTheRest) {
  const std::string text =
      Join(kColumns) + Summary(kColumns, "GBP", "2.00") +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00") +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "12,3x") +
      Join({"12345678901", "", "", "", "", "", "Order", "", "", "", "", "", "ItemPrice"}) +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00",
                  {{"quantity-purchased", "two"}}) +
      Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00",
                  {{"posted-date-time", "2026-99-01 00:00:00 UTC"}}) +
      Row(kColumns, {{"settlement-id", "12345678901"}, {"amount", "3.00"}}) +
      Row(kColumns, {{"settlement-id", "12345678901"}}) + "\t\t\t\n" +
      Transaction(kColumns, "Refund", "ItemPrice", "Principal", "-1.00");

  const Parsed parsed = Parse(text);

  ASSERT_TRUE(parsed.status.ok()) << parsed.status;
  ASSERT_EQ(parsed.rows.size(), 2U);
  EXPECT_EQ(parsed.rows[0].line, 3);
  EXPECT_EQ(parsed.rows[1].line, 11);
  EXPECT_EQ(parsed.rows[1].transaction_type, "Refund");
  EXPECT_THAT(
      parsed.problems,
      ElementsAre(
          RowProblem{4, "line 4: amount '12,3x' is not a number"},
          RowProblem{5, "line 5: too few columns (13 of 23): amount-description is missing"},
          RowProblem{6, "line 6: quantity-purchased 'two' is not a whole number"},
          RowProblem{7, "line 7: posted-date-time '2026-99-01 00:00:00 UTC' is not a date"},
          RowProblem{8, "line 8: row has an amount but no transaction-type"},
          RowProblem{9, "line 9: row has no transaction-type and is not the summary row"}));
  EXPECT_EQ(parsed.problem_count, 6);
}

TEST(SettlementFileTest, KeepsAtMostMaxProblemsButCountsThemAll) {
  std::string text = Join(kColumns) + Summary(kColumns);
  for (int i = 0; i < 5; ++i) {
    text += Transaction(kColumns, "Order", "ItemPrice", "Principal", "bad");
  }
  ParseOptions options;
  options.max_problems = 2;
  const Parsed parsed = Parse(text, options);
  EXPECT_THAT(parsed.problems, ElementsAre(RowProblem{3, "line 3: amount 'bad' is not a number"},
                                           RowProblem{4, "line 4: amount 'bad' is not a number"}));
  EXPECT_EQ(parsed.problem_count, 5);
}

TEST(SettlementFileTest, CutsLongValuesInProblems) {
  const std::string amount(100, '9');
  const std::string text = Join(kColumns) + Summary(kColumns) +
                           Transaction(kColumns, "Order", "ItemPrice", "Principal", amount + "x");
  const Parsed parsed = Parse(text);
  ASSERT_EQ(parsed.problems.size(), 1U);
  EXPECT_EQ(parsed.problems[0].message,
            "line 3: amount '" + std::string(40, '9') + "…' is not a number");
}

TEST(SettlementFileTest, FinishRejectsAFileWithoutSummaryOrHeader) {
  const Parsed no_summary =
      Parse(Join(kColumns) + Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00"));
  EXPECT_EQ(no_summary.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_summary.status.message(), HasSubstr("no summary row"));
  EXPECT_TRUE(no_summary.rows.empty());
  EXPECT_THAT(no_summary.problems,
              ElementsAre(RowProblem{
                  2, "line 2: transaction row before the summary row (currency unknown)"}));

  const Parsed empty = Parse("\n\n");
  EXPECT_EQ(empty.status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status.message(), HasSubstr("no header row"));
}

TEST(SettlementFileTest, RejectsALineTooLongForASettlementFile) {
  SettlementParser parser({}, [](const SettlementRow&) {});
  ASSERT_TRUE(parser.Feed(Join(kColumns)).ok());
  const std::string chunk(std::size_t{64} * 1024, 'x');
  Status status;
  for (int i = 0; i < 20 && status.ok(); ++i) {
    status = parser.Feed(chunk);
  }
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 2 is longer than"));
}

TEST(SettlementFileTest, ParseSettlementTextIsOneFeedAndFinish) {
  int rows = 0;
  SettlementParser parser({}, [&rows](const SettlementRow&) { ++rows; });
  const Status status = ParseSettlementText(
      Join(kColumns) + Summary(kColumns) +
          Transaction(kColumns, "Order", "ItemPrice", "Principal", "1.00", {}, ""),
      parser);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(rows, 1);
  EXPECT_EQ(parser.RowCount(), 1);
}

}  // namespace
}  // namespace sellerbridge::finance
