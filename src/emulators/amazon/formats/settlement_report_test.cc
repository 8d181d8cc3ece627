#include "emulators/amazon/formats/settlement_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;

TimePoint At(std::string_view text) {
  auto parsed = ParseIso8601(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : TimePoint{};
}

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  while (true) {
    const size_t at = text.find(separator);
    parts.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) {
      return parts;
    }
    text.remove_prefix(at + 1);
  }
}

std::vector<std::vector<std::string>> Rows(const std::string& file) {
  EXPECT_FALSE(file.empty());
  EXPECT_EQ(file.back(), '\n');
  EXPECT_EQ(file.find('\r'), std::string::npos);
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line : Split(std::string_view(file).substr(0, file.size() - 1), '\n')) {
    rows.push_back(Split(line, '\t'));
  }
  return rows;
}

Settlement UkSettlement() {
  Settlement settlement;
  settlement.settlement_id = "11223344556";
  settlement.start_date = At("2026-08-01T00:00:00Z");
  settlement.end_date = At("2026-08-15T00:00:00Z");
  settlement.deposit_date = At("2026-08-17T08:30:05Z");
  settlement.currency = "GBP";
  SettlementLine price;
  price.transaction_type = "Order";
  price.order_id = "203-1234567-1234567";
  price.shipment_id = "DxYz";
  price.marketplace_name = "Amazon.co.uk";
  price.amount_type = "ItemPrice";
  price.amount_description = "Principal";
  price.amount_minor = 123456;
  price.fulfillment_id = "MFN";
  price.posted_date = At("2026-08-05T14:03:09Z");
  price.order_item_code = "12345678901234";
  price.sku = "SKU-1";
  price.quantity_purchased = 2;
  SettlementLine fee = price;
  fee.amount_type = "ItemFees";
  fee.amount_description = "Commission";
  fee.amount_minor = -18525;
  fee.quantity_purchased = 0;
  SettlementLine reserve;
  reserve.transaction_type = "other-transaction";
  reserve.amount_type = "other-transaction";
  reserve.amount_description = "Current Reserve Amount";
  reserve.amount_minor = -5;
  reserve.posted_date = At("2026-08-15T00:00:00Z");
  settlement.lines = {price, fee, reserve};
  return settlement;
}

TEST(SettlementReportTest, HeaderHasTheTwentyThreeColumnsInOrder) {
  const auto rows = Rows(WriteSettlementFlatFile(UkSettlement(), NumberFormat::kDotDecimal));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_THAT(rows[0], ElementsAre("settlement-id", "settlement-start-date", "settlement-end-date",
                                   "deposit-date", "total-amount", "currency", "transaction-type",
                                   "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
                                   "marketplace-name", "amount-type", "amount-description",
                                   "amount", "fulfillment-id", "posted-date", "posted-date-time",
                                   "order-item-code", "merchant-order-item-id",
                                   "merchant-adjustment-item-id", "sku", "quantity-purchased"));
  for (const auto& row : rows) {
    EXPECT_THAT(row, SizeIs(23));
  }
}

TEST(SettlementReportTest, SummaryRowComesFirstWithTheTotalOfEveryLine) {
  const auto rows = Rows(WriteSettlementFlatFile(UkSettlement(), NumberFormat::kDotDecimal));
  ASSERT_THAT(rows, SizeIs(5));
  const std::vector<std::string>& summary = rows[1];
  EXPECT_EQ(summary[0], "11223344556");
  EXPECT_EQ(summary[1], "2026-08-01 00:00:00 UTC");
  EXPECT_EQ(summary[2], "2026-08-15 00:00:00 UTC");
  EXPECT_EQ(summary[3], "2026-08-17 08:30:05 UTC");
  EXPECT_EQ(summary[4], "1049.26");  // 1234.56 - 185.25 - 0.05
  EXPECT_EQ(summary[5], "GBP");
  for (size_t i = 6; i < summary.size(); ++i) {
    EXPECT_EQ(summary[i], "") << i;
  }
}

TEST(SettlementReportTest, TransactionRowsWithDotDecimals) {
  const auto rows = Rows(WriteSettlementFlatFile(UkSettlement(), NumberFormat::kDotDecimal));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_THAT(
      rows[2],
      ElementsAre("11223344556", "", "", "", "", "", "Order", "203-1234567-1234567", "", "", "DxYz",
                  "Amazon.co.uk", "ItemPrice", "Principal", "1234.56", "MFN", "08/05/26",
                  "2026-08-05 14:03:09 UTC", "12345678901234", "", "", "SKU-1", "2"));
  EXPECT_EQ(rows[3][14], "-185.25");
  EXPECT_EQ(rows[3][22], "");
  EXPECT_EQ(rows[4][7], "");
  EXPECT_EQ(rows[4][13], "Current Reserve Amount");
  EXPECT_EQ(rows[4][14], "-0.05");
}

TEST(SettlementReportTest, CommaDecimalsForGermany) {
  Settlement settlement = UkSettlement();
  settlement.currency = "EUR";
  const auto rows = Rows(WriteSettlementFlatFile(settlement, NumberFormat::kCommaDecimal));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_EQ(rows[1][4], "1049,26");
  EXPECT_EQ(rows[2][14], "1234,56");
  EXPECT_EQ(rows[3][14], "-185,25");
  EXPECT_EQ(rows[4][14], "-0,05");
  EXPECT_EQ(rows[2][16], "08/05/26");
  EXPECT_EQ(rows[2][17], "2026-08-05 14:03:09 UTC");
}

TEST(SettlementReportTest, ZeroDecimalCurrency) {
  Settlement settlement = UkSettlement();
  settlement.currency = "JPY";
  const auto rows = Rows(WriteSettlementFlatFile(settlement, NumberFormat::kDotDecimal));
  EXPECT_EQ(rows[1][4], "104926");
  EXPECT_EQ(rows[2][14], "123456");
  EXPECT_EQ(rows[3][14], "-18525");
}

TEST(SettlementReportTest, EmptySettlementHasHeaderAndZeroSummary) {
  Settlement settlement = UkSettlement();
  settlement.lines.clear();
  const auto rows = Rows(WriteSettlementFlatFile(settlement, NumberFormat::kDotDecimal));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_EQ(rows[1][4], "0.00");
}

TEST(SettlementReportTest, PromotionIdAddsATrailingColumn) {
  Settlement settlement = UkSettlement();
  settlement.lines[0].promotion_id = "PROMO-1";
  const auto rows = Rows(WriteSettlementFlatFile(settlement, NumberFormat::kDotDecimal));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_THAT(rows[0], SizeIs(24));
  EXPECT_EQ(rows[0][23], "promotion-id");
  EXPECT_EQ(rows[2][23], "PROMO-1");
  EXPECT_EQ(rows[3][23], "");
}

TEST(SettlementReportTest, TabsAndLineBreaksInValuesCannotShiftColumns) {
  Settlement settlement = UkSettlement();
  settlement.lines[0].sku = "A\tB\nC";
  const auto rows = Rows(WriteSettlementFlatFile(settlement, NumberFormat::kDotDecimal));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_EQ(rows[2][21], "A B C");
}

TEST(SettlementReportTest, NumberFormatFollowsTheMarketplace) {
  EXPECT_EQ(NumberFormatOf("A1F83G8C2ARO7P"), NumberFormat::kDotDecimal);    // UK
  EXPECT_EQ(NumberFormatOf("ATVPDKIKX0DER"), NumberFormat::kDotDecimal);     // US
  EXPECT_EQ(NumberFormatOf("A1PA6795UKMFR9"), NumberFormat::kCommaDecimal);  // DE
  EXPECT_EQ(NumberFormatOf("A13V1IB3VIYZZH"), NumberFormat::kCommaDecimal);  // FR
  EXPECT_EQ(NumberFormatOf("APJ6JRA9NG5V4"), NumberFormat::kCommaDecimal);   // IT
  EXPECT_EQ(NumberFormatOf("A1RKKUPIHCS9HS"), NumberFormat::kCommaDecimal);  // ES
  EXPECT_EQ(NumberFormatOf("unknown"), NumberFormat::kDotDecimal);
}

std::string Write(const Settlement& settlement, const SettlementFileStyle& style,
                  NumberFormat format = NumberFormat::kDotDecimal) {
  return WriteSettlementFlatFile(settlement, format, style);
}

TEST(SettlementReportStyleTest, ByteOrderMarkStartsTheDocument) {
  const std::string plain = WriteSettlementFlatFile(UkSettlement(), NumberFormat::kDotDecimal);
  const std::string marked = Write(UkSettlement(), {.byte_order_mark = true});
  EXPECT_EQ(plain.rfind("settlement-id\t", 0), 0U);
  EXPECT_EQ(marked, "\xEF\xBB\xBF" + plain);
}

TEST(SettlementReportStyleTest, CrLfEndsEveryLine) {
  const std::string plain = WriteSettlementFlatFile(UkSettlement(), NumberFormat::kDotDecimal);
  const std::string crlf = Write(UkSettlement(), {.line_end = LineEnd::kCrLf});
  ASSERT_GE(crlf.size(), 2U);
  EXPECT_EQ(crlf.substr(crlf.size() - 2), "\r\n");
  int lines = 0;
  for (size_t at = crlf.find('\n'); at != std::string::npos; at = crlf.find('\n', at + 1)) {
    ++lines;
    ASSERT_GT(at, 0U);
    EXPECT_EQ(crlf[at - 1], '\r') << "line " << lines;
  }
  EXPECT_EQ(lines, 5);
  std::string without = crlf;
  std::erase(without, '\r');
  EXPECT_EQ(without, plain);
}

TEST(SettlementReportStyleTest, Windows1252WritesUmlautsAndDashesAsSingleBytes) {
  Settlement settlement = UkSettlement();
  settlement.lines[0].sku = "Größe–M";
  const std::string bytes = Write(settlement, {.encoding = DocumentEncoding::kWindows1252});
  EXPECT_THAT(bytes, HasSubstr("\tGr\xF6\xDF"
                               "e\x96M\t"));
  EXPECT_THAT(bytes, Not(HasSubstr("\xC3")));
}

TEST(SettlementReportStyleTest, Latin1WritesUmlautsAndReplacesWhatItLacks) {
  Settlement settlement = UkSettlement();
  settlement.lines[0].sku = "Größe–M";
  settlement.lines[1].sku = "セール";
  const std::string bytes = Write(settlement, {.encoding = DocumentEncoding::kLatin1});
  EXPECT_THAT(bytes, HasSubstr("\tGr\xF6\xDF"
                               "e?M\t"));
  EXPECT_THAT(bytes, HasSubstr("\t???\t"));
}

TEST(SettlementReportStyleTest, ShiftJisWritesJapaneseAsCodePage932) {
  Settlement settlement = UkSettlement();
  settlement.currency = "JPY";
  settlement.lines[2].promotion_id = "セール10%オフ";
  settlement.lines[0].sku = "A\\B~ö";
  const std::string bytes = Write(settlement, {.encoding = DocumentEncoding::kShiftJis});
  EXPECT_THAT(bytes, HasSubstr("\t\x83\x5A\x81\x5B\x83\x8B"
                               "10%\x83\x49\x83\x74\n"));
  // Code page 932 keeps ASCII as it is; 'ö' has no representation.
  EXPECT_THAT(bytes, HasSubstr("\tA\\B~?\t"));
  EXPECT_THAT(bytes, HasSubstr("\t104926\tJPY\t"));
}

TEST(SettlementReportStyleTest, TranscodingReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(TranscodeUtf8("a\xFF"
                          "b\xE3\x82",
                          DocumentEncoding::kWindows1252),
            "a?b?");
  EXPECT_EQ(TranscodeUtf8("\xE2\x82\xAC 5", DocumentEncoding::kWindows1252), "\x80 5");
  EXPECT_EQ(TranscodeUtf8("Größe", DocumentEncoding::kUtf8), "Größe");
}

TEST(SettlementReportStyleTest, DottedDatesAsInGermanFiles) {
  const auto rows = Rows(Write(UkSettlement(), {.date_format = SettlementDateFormat::kDotted}));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_EQ(rows[1][1], "01.08.2026 00:00:00 UTC");
  EXPECT_EQ(rows[1][2], "15.08.2026 00:00:00 UTC");
  EXPECT_EQ(rows[1][3], "17.08.2026 08:30:05 UTC");
  EXPECT_EQ(rows[2][16], "05.08.2026");
  EXPECT_EQ(rows[2][17], "05.08.2026 14:03:09 UTC");
}

TEST(SettlementReportStyleTest, Iso8601DatesKeepPostedDateAsDocumented) {
  const auto rows = Rows(Write(UkSettlement(), {.date_format = SettlementDateFormat::kIso8601}));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_EQ(rows[1][1], "2026-08-01T00:00:00+00:00");
  EXPECT_EQ(rows[1][3], "2026-08-17T08:30:05+00:00");
  EXPECT_EQ(rows[2][16], "08/05/26");
  EXPECT_EQ(rows[2][17], "2026-08-05T14:03:09+00:00");
}

TEST(SettlementReportStyleTest, ThousandsSeparatorsFollowTheNumberFormat) {
  Settlement settlement = UkSettlement();
  settlement.lines[2].amount_minor = -1234567890;
  const auto dot = Rows(Write(settlement, {.thousands_separator = true}));
  ASSERT_THAT(dot, SizeIs(5));
  EXPECT_EQ(dot[2][14], "1,234.56");
  EXPECT_EQ(dot[3][14], "-185.25");
  EXPECT_EQ(dot[4][14], "-12,345,678.90");
  EXPECT_EQ(dot[1][4], "-12,344,629.59");
  settlement.currency = "EUR";
  const auto comma =
      Rows(Write(settlement, {.thousands_separator = true}, NumberFormat::kCommaDecimal));
  EXPECT_EQ(comma[2][14], "1.234,56");
  EXPECT_EQ(comma[4][14], "-12.345.678,90");
  settlement.currency = "JPY";
  const auto yen = Rows(Write(settlement, {.thousands_separator = true}));
  EXPECT_EQ(yen[2][14], "123,456");
  EXPECT_EQ(yen[3][14], "-18,525");
}

TEST(SettlementReportStyleTest, DamagedAmountsAreUnreadableButStillInTheTotal) {
  Settlement settlement = UkSettlement();
  const std::vector<std::size_t> damaged = {1, 2};
  const auto rows = Rows(Write(settlement, {.damaged_lines = damaged}));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_EQ(rows[1][4], "1049.26");
  EXPECT_EQ(rows[2][14], "1234.56");
  EXPECT_EQ(SettlementFileLineOf(1), 4);
  for (const std::size_t index : damaged) {
    const std::string& text = rows[static_cast<size_t>(SettlementFileLineOf(index)) - 1][14];
    // Neither a plain amount nor one with thousands separators.
    EXPECT_THAT(text, Not(MatchesRegex("-?[0-9]{1,3}([.,][0-9]{3})*([.,][0-9]+)?"))) << text;
    EXPECT_THAT(text, Not(MatchesRegex("-?[0-9]+([.,][0-9]+)?"))) << text;
  }
  EXPECT_EQ(rows[3][14], "-1,8525,x");
  EXPECT_EQ(rows[4][14], "-0,05,x");
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
