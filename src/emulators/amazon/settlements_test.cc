#include "emulators/amazon/settlements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"
#include "emulators/amazon/scenario.h"
#include "emulators/amazon/seller_state.h"

namespace sellerbridge::emulators::amazon {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr std::string_view kUk = "A1F83G8C2ARO7P";
constexpr std::string_view kDe = "A1PA6795UKMFR9";
constexpr std::string_view kJp = "A1VC38T7YXB528";

TimePoint At(std::string_view text) {
  auto parsed = ParseIso8601(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : TimePoint{};
}

// Scenario parsing.

TEST(SettlementOptionsTest, DefaultsWriteTheDocumentedFormat) {
  const auto options = ParseSettlementOptions("[settlements]\nperiod_days = 7\n", "s.toml");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_FALSE(options->style.byte_order_mark);
  EXPECT_EQ(options->style.line_end, LineEnd::kLf);
  EXPECT_EQ(options->style.encoding, DocumentEncoding::kUtf8);
  EXPECT_EQ(options->style.date_format, SettlementDateFormat::kUtc);
  EXPECT_FALSE(options->style.thousands_separator);
  EXPECT_EQ(options->malformed_rows, 0);
  EXPECT_TRUE(options->extra_rows.empty());
}

TEST(SettlementOptionsTest, ReadsEveryFileQuirk) {
  const auto options = ParseSettlementOptions(R"(
[settlements]
byte_order_mark = true
line_ends = "crlf"
encoding = "utf-8"
date_format = "dotted"
thousands_separator = true
malformed_rows = 3

[[settlements.extra_rows]]
transaction_type = "other-transaction"
amount_type = "FBA Inventory Reimbursement"
amount_description = "WAREHOUSE_LOST"
amount = 12.5

[[settlements.extra_rows]]
transaction_type = "Liquidations"
amount_type = "Liquidations Brokerage Fee"
amount_description = "LiquidationsBrokerageFee"
amount = -3
order_id = "026-1234567-1234567"
)",
                                              "s.toml");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->style.byte_order_mark);
  EXPECT_EQ(options->style.line_end, LineEnd::kCrLf);
  EXPECT_EQ(options->style.date_format, SettlementDateFormat::kDotted);
  EXPECT_TRUE(options->style.thousands_separator);
  EXPECT_EQ(options->malformed_rows, 3);
  ASSERT_THAT(options->extra_rows, SizeIs(2));
  EXPECT_EQ(options->extra_rows[0].transaction_type, "other-transaction");
  EXPECT_EQ(options->extra_rows[0].amount_type, "FBA Inventory Reimbursement");
  EXPECT_EQ(options->extra_rows[0].amount_description, "WAREHOUSE_LOST");
  EXPECT_DOUBLE_EQ(options->extra_rows[0].amount, 12.5);
  EXPECT_EQ(options->extra_rows[0].order_id, "");
  EXPECT_EQ(options->extra_rows[1].amount_description, "LiquidationsBrokerageFee");
  EXPECT_DOUBLE_EQ(options->extra_rows[1].amount, -3);
  EXPECT_EQ(options->extra_rows[1].order_id, "026-1234567-1234567");
}

TEST(SettlementOptionsTest, ReadsEachEncodingAndDateFormat) {
  const std::map<std::string, DocumentEncoding> encodings = {
      {"utf-8", DocumentEncoding::kUtf8},
      {"iso-8859-1", DocumentEncoding::kLatin1},
      {"windows-1252", DocumentEncoding::kWindows1252},
      {"shift_jis", DocumentEncoding::kShiftJis}};
  for (const auto& [name, encoding] : encodings) {
    const auto options =
        ParseSettlementOptions("[settlements]\nencoding = \"" + name + "\"\n", "s.toml");
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_EQ(options->style.encoding, encoding) << name;
  }
  const std::map<std::string, SettlementDateFormat> formats = {
      {"utc", SettlementDateFormat::kUtc},
      {"dotted", SettlementDateFormat::kDotted},
      {"iso8601", SettlementDateFormat::kIso8601}};
  for (const auto& [name, format] : formats) {
    const auto options =
        ParseSettlementOptions("[settlements]\ndate_format = \"" + name + "\"\n", "s.toml");
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_EQ(options->style.date_format, format) << name;
  }
}

TEST(SettlementOptionsTest, BadValuesNameTheKeyAndLine) {
  struct Case {
    std::string text;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"byte_order_mark = \"yes\"", "settlements.byte_order_mark"},
      {"line_ends = \"cr\"", "settlements.line_ends"},
      {"line_ends = 1", "settlements.line_ends"},
      {"encoding = \"ebcdic\"", "settlements.encoding"},
      {"encoding = \"UTF8\"", "settlements.encoding"},
      {"date_format = \"us\"", "settlements.date_format"},
      {"thousands_separator = 1", "settlements.thousands_separator"},
      {"malformed_rows = -1", "settlements.malformed_rows"},
      {"malformed_rows = 1.5", "settlements.malformed_rows"},
      {"extra_rows = 3", "settlements.extra_rows"},
      {"encoding = \"shift_jis\"\nbyte_order_mark = true", "settlements.byte_order_mark"},
  };
  for (const Case& c : cases) {
    const auto options = ParseSettlementOptions("# quirks\n[settlements]\n" + c.text, "s.toml");
    ASSERT_FALSE(options.ok()) << c.text;
    EXPECT_EQ(options.status().code(), StatusCode::kInvalidArgument) << c.text;
    const int line = 3 + static_cast<int>(std::count(c.text.begin(), c.text.end(), '\n'));
    EXPECT_THAT(options.status().message(), HasSubstr("s.toml:" + std::to_string(line) + ":"))
        << c.text;
    EXPECT_THAT(options.status().message(), HasSubstr(c.key)) << c.text;
  }
}

TEST(SettlementOptionsTest, BadExtraRowsNameTheRowTheKeyAndTheLine) {
  const std::string head = "[settlements]\n[[settlements.extra_rows]]\n";
  const std::string good =
      "transaction_type = \"Liquidations\"\namount_type = \"Fee\"\namount_description = \"X\"\n";
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {good, "s.toml:2: settlements.extra_rows[0].amount must be a number"},
      {good + "amount = \"1.00\"\n", "s.toml:6: settlements.extra_rows[0].amount"},
      {good + "amount = 1\norder_id = 7\n", "s.toml:7: settlements.extra_rows[0].order_id"},
      {"transaction_type = \"\"\namount_type = \"Fee\"\namount_description = \"X\"\namount = 1\n",
       "s.toml:3: settlements.extra_rows[0].transaction_type"},
      {"transaction_type = \"T\"\namount_description = \"X\"\namount = 1\n",
       "s.toml:2: settlements.extra_rows[0].amount_type"},
  };
  for (const Case& c : cases) {
    const auto options = ParseSettlementOptions(head + c.text, "s.toml");
    ASSERT_FALSE(options.ok()) << c.text;
    EXPECT_THAT(options.status().message(), HasSubstr(c.message)) << c.text;
  }
}

// The ledger.

// Splits a UTF-8 document with LF line ends into rows of fields.
std::vector<std::vector<std::string>> Rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::vector<std::string> row;
    std::size_t field = start;
    while (true) {
      const std::size_t tab = text.find('\t', field);
      if (tab == std::string::npos || tab > end) {
        row.push_back(text.substr(field, end - field));
        break;
      }
      row.push_back(text.substr(field, tab - field));
      field = tab + 1;
    }
    rows.push_back(std::move(row));
    start = end + 1;
  }
  return rows;
}

// A strict reader of a dot-decimal amount ("-12.34"; "1234" for JPY).
std::optional<std::int64_t> StrictMinor(const std::string& text, int decimals) {
  std::size_t i = text.starts_with('-') ? 1 : 0;
  std::int64_t value = 0;
  int digits_after_point = -1;
  if (i == text.size()) {
    return std::nullopt;
  }
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && digits_after_point < 0 && decimals > 0) {
      digits_after_point = 0;
    } else if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      if (digits_after_point >= 0) {
        ++digits_after_point;
      }
    } else {
      return std::nullopt;
    }
  }
  if (digits_after_point != (decimals > 0 ? decimals : -1)) {
    return std::nullopt;
  }
  return text.starts_with('-') ? -value : value;
}

class SettlementLedgerTest : public ::testing::Test {
 protected:
  void Start(const std::string& marketplaces, const SettlementOptions& options) {
    auto scenario = ParseScenario("marketplace_ids = " + marketplaces + R"(
[[catalogue]]
sku = "SB-MUG-001"
quantity = 500
price = "12.99"
[[catalogue]]
sku = "SB-BAG-003"
quantity = 500
price = "1059.99"
)",
                                  "test.toml");
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    state_ = std::make_unique<SellerState>(*scenario, 7, &clock_);
    ledger_ = std::make_unique<SettlementLedger>(state_.get(), 7, &clock_);
    ASSERT_TRUE(ledger_->Configure(options).ok());
  }

  // Places an order with a 10 % promotion on its first line and ships it now.
  std::string PlaceAndShip(std::string_view marketplace_id,
                           const std::vector<std::pair<std::string, int>>& lines) {
    NewOrder order;
    order.marketplace_id = std::string(marketplace_id);
    for (const auto& [sku, quantity] : lines) {
      order.lines.push_back({.sku = sku, .quantity = quantity});
    }
    order.lines[0].promotion_percent = 10;
    const auto id = state_->AddOrder(order);
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) {
      return "";
    }
    const auto placed = state_->GetOrder(*id);
    ShipmentConfirmation confirmation{.marketplace_id = std::string(marketplace_id),
                                      .package_reference_id = "1",
                                      .carrier_code = "Royal Mail",
                                      .tracking_number = "AB123456789GB",
                                      .ship_date = clock_.Now()};
    for (const OrderLine& line : placed->lines) {
      confirmation.items.emplace_back(line.order_item_id, line.quantity_ordered);
    }
    const auto shipped = state_->ConfirmShipment(*id, confirmation, false);
    EXPECT_TRUE(shipped.ok()) << shipped.status();
    return *id;
  }

  // Ships an order with a label bought on Amazon.
  void PlaceWithLabel(std::string_view marketplace_id) {
    NewOrder order;
    order.marketplace_id = std::string(marketplace_id);
    order.lines.push_back({.sku = "SB-MUG-001", .quantity = 1});
    const auto id = state_->AddOrder(order);
    ASSERT_TRUE(id.ok()) << id.status();
    const auto placed = state_->GetOrder(*id);
    LabelPurchase purchase{.label = {.shipment_id = "label-1",
                                     .shipping_service_id = "ROYAL_MAIL_TRACKED_48",
                                     .carrier_code = "Royal Mail",
                                     .tracking_number = "AB987654321GB",
                                     .rate_minor = 345},
                           .shipping_method = "Royal Mail Tracked 48",
                           .items = {{placed->lines[0].order_item_id, 1}}};
    ASSERT_TRUE(state_->RecordAmazonLabel(*id, purchase).ok());
  }

  VirtualClock clock_{At("2026-11-24T00:00:00Z")};
  std::unique_ptr<SellerState> state_;
  std::unique_ptr<SettlementLedger> ledger_;
};

// "kind" = transaction-type/amount-type/amount-description → summed amounts.
std::map<std::string, std::int64_t> ByKind(const SettlementRecord& record) {
  std::map<std::string, std::int64_t> kinds;
  for (const SettlementLine& line : record.settlement.lines) {
    kinds[line.transaction_type + "/" + line.amount_type + "/" + line.amount_description] +=
        line.amount_minor;
  }
  return kinds;
}

TEST_F(SettlementLedgerTest, PeriodsSpanAMonthEndWithRefundsAdvertisingLabelsAndReserves) {
  SettlementOptions options;
  options.anchor = At("2026-11-24T00:00:00Z");
  Start(R"(["A1F83G8C2ARO7P"])", options);
  const std::string refunded = PlaceAndShip(kUk, {{"SB-MUG-001", 2}});
  PlaceAndShip(kUk, {{"SB-BAG-003", 1}});
  PlaceWithLabel(kUk);
  clock_.AdvanceTo(At("2026-12-03T10:00:00Z"));
  ASSERT_TRUE(state_->RefundOrder(refunded).ok());
  clock_.AdvanceTo(At("2026-12-10T00:00:00Z"));
  PlaceAndShip(kUk, {{"SB-BAG-003", 1}});
  clock_.AdvanceTo(At("2026-12-22T00:00:00Z"));

  const std::vector<SettlementRecord> records = ledger_->Settlements();
  ASSERT_THAT(records, SizeIs(2));
  const SettlementRecord& first = records[0];
  EXPECT_EQ(first.settlement.start_date, At("2026-11-24T00:00:00Z"));
  EXPECT_EQ(first.settlement.end_date, At("2026-12-08T00:00:00Z"));
  const auto kinds = ByKind(first);
  EXPECT_EQ(kinds.at("Order/ItemPrice/Principal"), 3 * 1299 + 105999);
  EXPECT_EQ(kinds.at("Refund/ItemPrice/Principal"), -2 * 1299);
  EXPECT_TRUE(kinds.contains("Refund/ItemFees/Commission"));
  EXPECT_TRUE(kinds.contains("Refund/ItemFees/RefundCommission"));
  EXPECT_EQ(kinds.at("other-transaction/ShipmentFees/Shipping label purchase"), -345);
  EXPECT_EQ(kinds.at("ServiceFee/Cost of Advertising/TransactionTotalAmount"), -2500);
  EXPECT_LT(kinds.at("other-transaction/other-transaction/Current Reserve Amount"), 0);

  const auto rows = Rows(SettlementDocument(first));
  EXPECT_EQ(rows[1][1], "2026-11-24 00:00:00 UTC");
  EXPECT_EQ(rows[1][2], "2026-12-08 00:00:00 UTC");

  const SettlementRecord& second = records[1];
  EXPECT_EQ(second.settlement.start_date, first.settlement.end_date);
  EXPECT_EQ(
      ByKind(second).at("other-transaction/other-transaction/Previous Reserve Amount Balance"),
      -kinds.at("other-transaction/other-transaction/Current Reserve Amount"));
}

TEST_F(SettlementLedgerTest, DefaultDocumentsAreUnchangedUtf8) {
  Start(R"(["A1F83G8C2ARO7P"])", {});
  PlaceAndShip(kUk, {{"SB-BAG-003", 1}});
  clock_.Advance(std::chrono::hours(1));
  const auto records = ledger_->CloseCurrentPeriod();
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_TRUE(records[0].damaged_lines.empty());
  const std::string document = SettlementDocument(records[0]);
  EXPECT_EQ(document, WriteSettlementFlatFile(records[0].settlement, NumberFormat::kDotDecimal));
  EXPECT_EQ(document.find('\r'), std::string::npos);
  EXPECT_THAT(document, HasSubstr("\tEmulator promotion 10% off\n"));
  EXPECT_THAT(document, HasSubstr("\t1059.99\t"));
}

TEST_F(SettlementLedgerTest, MalformedRowsAreExactlyTheRecordedLinesAndStillCounted) {
  SettlementOptions options;
  options.malformed_rows = 3;
  Start(R"(["A1F83G8C2ARO7P", "A1VC38T7YXB528"])", options);
  PlaceAndShip(kUk, {{"SB-MUG-001", 1}, {"SB-BAG-003", 2}});
  PlaceAndShip(kJp, {{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::hours(1));
  const auto records = ledger_->CloseCurrentPeriod();
  ASSERT_THAT(records, SizeIs(2));
  for (const SettlementRecord& record : records) {
    const int decimals = CurrencyDecimals(record.settlement.currency);
    ASSERT_THAT(record.damaged_lines, SizeIs(3)) << record.marketplace_id;
    const auto rows = Rows(SettlementDocument(record));
    std::vector<DamagedLine> unreadable;
    std::int64_t readable = 0;
    for (std::size_t i = 2; i < rows.size(); ++i) {
      const int line = static_cast<int>(i) + 1;
      if (const auto minor = StrictMinor(rows[i][14], decimals)) {
        readable += *minor;
      } else {
        unreadable.push_back(
            {.line = line, .amount_minor = record.settlement.lines[i - 2].amount_minor});
      }
    }
    EXPECT_EQ(unreadable, record.damaged_lines) << record.marketplace_id;
    std::int64_t damaged = 0;
    int damaged_fees = 0;
    for (const DamagedLine& line : record.damaged_lines) {
      damaged += line.amount_minor;
      damaged_fees += rows[static_cast<std::size_t>(line.line) - 1][13] == "Commission" ? 1 : 0;
    }
    // The referral fees go first.
    const auto fees = std::count_if(rows.begin(), rows.end(),
                                    [](const auto& row) { return row[13] == "Commission"; });
    EXPECT_EQ(damaged_fees, std::min<std::int64_t>(fees, 3)) << record.marketplace_id;
    const auto total = StrictMinor(rows[1][4], decimals);
    ASSERT_TRUE(total.has_value()) << rows[1][4];
    EXPECT_EQ(*total, record.total_minor);
    EXPECT_EQ(*total - readable, damaged);
    EXPECT_NE(damaged, 0);
  }
}

TEST_F(SettlementLedgerTest, MalformedRowsBeyondTheFeesTakeOtherRows) {
  SettlementOptions options;
  options.malformed_rows = 1000;
  Start(R"(["A1F83G8C2ARO7P"])", options);
  PlaceAndShip(kUk, {{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::hours(1));
  const auto records = ledger_->CloseCurrentPeriod();
  ASSERT_THAT(records, SizeIs(1));
  const std::size_t lines = records[0].settlement.lines.size();
  ASSERT_THAT(records[0].damaged_lines, SizeIs(lines));
  EXPECT_EQ(records[0].damaged_lines.front().line, 3);
  EXPECT_EQ(records[0].damaged_lines.back().line, static_cast<int>(lines) + 2);
}

TEST_F(SettlementLedgerTest, ExtraRowsAreAddedToSettlementsWithSalesAndCounted) {
  SettlementOptions options;
  options.advertising_minor = 0;
  options.reserve_basis_points = 0;
  options.extra_rows = {{.transaction_type = "other-transaction",
                         .amount_type = "FBA Inventory Reimbursement",
                         .amount_description = "WAREHOUSE_LOST",
                         .amount = 12.5},
                        {.transaction_type = "Liquidations",
                         .amount_type = "Liquidations Brokerage Fee",
                         .amount_description = "LiquidationsBrokerageFee",
                         .amount = -3,
                         .order_id = "026-1234567-1234567"}};
  Start(R"(["A1F83G8C2ARO7P", "A1VC38T7YXB528"])", options);
  PlaceAndShip(kUk, {{"SB-MUG-001", 1}});
  PlaceAndShip(kJp, {{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::hours(1));
  const auto records = ledger_->CloseCurrentPeriod();
  ASSERT_THAT(records, SizeIs(2));
  const std::map<std::string_view, std::pair<std::int64_t, std::int64_t>> expected = {
      {kUk, {1250, -300}}, {kJp, {13, -3}}};  // JPY has no minor unit: 12.5 rounds to 13.
  for (const SettlementRecord& record : records) {
    const auto [reimbursed, fee] = expected.at(record.marketplace_id);
    const auto kinds = ByKind(record);
    EXPECT_EQ(kinds.at("other-transaction/FBA Inventory Reimbursement/WAREHOUSE_LOST"), reimbursed);
    EXPECT_EQ(kinds.at("Liquidations/Liquidations Brokerage Fee/LiquidationsBrokerageFee"), fee);
    std::int64_t sales = 0;
    for (const SettlementLine& line : record.settlement.lines) {
      if (line.transaction_type == "Order") {
        sales += line.amount_minor;
      }
      if (line.transaction_type == "Liquidations") {
        EXPECT_EQ(line.order_id, "026-1234567-1234567");
        EXPECT_EQ(line.posted_date, clock_.Now() - std::chrono::seconds(1));
      }
    }
    EXPECT_EQ(record.total_minor, sales + reimbursed + fee) << record.marketplace_id;
    const auto rows = Rows(SettlementDocument(record));
    const auto liquidation = std::find_if(rows.begin(), rows.end(), [](const auto& row) {
      return row.size() > 6 && row[6] == "Liquidations";
    });
    ASSERT_NE(liquidation, rows.end());
    EXPECT_EQ((*liquidation)[14], record.settlement.currency == "JPY" ? "-3" : "-3.00");
  }
  // Without sales there are no extra rows, so no settlement.
  clock_.Advance(std::chrono::hours(1));
  EXPECT_TRUE(ledger_->CloseCurrentPeriod().empty());
}

TEST_F(SettlementLedgerTest, GermanPromotionsMakeWindows1252Observable) {
  SettlementOptions options;
  options.style.encoding = DocumentEncoding::kWindows1252;
  options.style.date_format = SettlementDateFormat::kDotted;
  options.style.line_end = LineEnd::kCrLf;
  options.style.thousands_separator = true;
  Start(R"(["A1PA6795UKMFR9"])", options);
  PlaceAndShip(kDe, {{"SB-BAG-003", 1}});
  clock_.Advance(std::chrono::hours(1));
  const auto records = ledger_->CloseCurrentPeriod();
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_EQ(PromotionName(kDe), "Größen-Aktion 10 % Rabatt");
  const std::string document = SettlementDocument(records[0]);
  EXPECT_THAT(document, HasSubstr("\tGr\xF6\xDF"
                                  "en-Aktion 10 % Rabatt\r\n"));
  EXPECT_THAT(document, HasSubstr("\t1.059,99\t"));
  EXPECT_THAT(document, HasSubstr("\t24.11.2026 00:00:00 UTC\t"));
  EXPECT_EQ(document.find('\xC3'), std::string::npos);
}

TEST_F(SettlementLedgerTest, JapanesePromotionsMakeShiftJisObservable) {
  SettlementOptions options;
  options.style.encoding = DocumentEncoding::kShiftJis;
  Start(R"(["A1VC38T7YXB528"])", options);
  PlaceAndShip(kJp, {{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::hours(1));
  const auto records = ledger_->CloseCurrentPeriod();
  ASSERT_THAT(records, SizeIs(1));
  const std::string document = SettlementDocument(records[0]);
  EXPECT_THAT(document, HasSubstr("\t\x83\x5A\x81\x5B\x83\x8B"
                                  "10%\x83\x49\x83\x74\n"));
}

TEST_F(SettlementLedgerTest, ByteOrderMarkStartsEveryDocument) {
  SettlementOptions options;
  options.style.byte_order_mark = true;
  Start(R"(["A1F83G8C2ARO7P"])", options);
  PlaceAndShip(kUk, {{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::hours(1));
  const auto records = ledger_->CloseCurrentPeriod();
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_EQ(SettlementDocument(records[0]).rfind("\xEF\xBB\xBFsettlement-id\t", 0), 0U);
}

TEST(SettlementLedgerConfigureTest, RefusesOptionsNoFileCouldHave) {
  VirtualClock clock(At("2026-11-24T00:00:00Z"));
  SellerState state(DefaultScenario(), 1, &clock);
  SettlementLedger ledger(&state, 1, &clock);
  SettlementOptions bom;
  bom.style.byte_order_mark = true;
  bom.style.encoding = DocumentEncoding::kLatin1;
  EXPECT_EQ(ledger.Configure(bom).code(), StatusCode::kInvalidArgument);
  SettlementOptions negative;
  negative.malformed_rows = -1;
  EXPECT_EQ(ledger.Configure(negative).code(), StatusCode::kInvalidArgument);
  SettlementOptions unnamed;
  unnamed.extra_rows = {{.transaction_type = "Liquidations", .amount = 1}};
  EXPECT_EQ(ledger.Configure(unnamed).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
