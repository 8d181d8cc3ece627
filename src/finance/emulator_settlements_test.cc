// Settlement files as the Amazon emulator writes them, with the quirks seen
// in the field, read through to journals: every journal balances, and the
// journals add up to the deposit to the penny.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "emulators/amazon/scenario.h"
#include "emulators/amazon/seller_state.h"
#include "emulators/amazon/settlements.h"
#include "finance/analysis.h"

namespace sellerbridge::finance {
namespace {

namespace emulator = ::sellerbridge::emulators::amazon;

using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr std::string_view kUk = "A1F83G8C2ARO7P";
constexpr std::string_view kDe = "A1PA6795UKMFR9";
constexpr std::string_view kUnmappedKey =
    "Liquidations / Liquidations Brokerage Fee / LiquidationsBrokerageFee";

TimePoint At(std::string_view text) { return *ParseIso8601(text); }

// The seller's history on the emulator: orders shipped on both sides of a
// month end, a refund, a label bought on Amazon, then two settlement
// periods (the second releasing the first one's reserve).
class EmulatorSettlementsTest : public ::testing::Test {
 protected:
  std::vector<emulator::SettlementRecord> Settle(std::string_view marketplace_id,
                                                 const emulator::SettlementOptions& quirks) {
    auto scenario = emulator::ParseScenario(fmt::format(R"(marketplace_ids = ["{}"]
[[catalogue]]
sku = "SB-MUG-001"
quantity = 500
price = "12.99"
[[catalogue]]
sku = "SB-BAG-003"
quantity = 500
price = "1059.99"
)",
                                                        marketplace_id),
                                            "test.toml");
    EXPECT_TRUE(scenario.ok()) << scenario.status();
    state_ = std::make_unique<emulator::SellerState>(*scenario, 7, &clock_);
    ledger_ = std::make_unique<emulator::SettlementLedger>(state_.get(), 7, &clock_);
    emulator::SettlementOptions options = quirks;
    options.anchor = At("2026-11-24T00:00:00Z");
    EXPECT_TRUE(ledger_->Configure(options).ok());

    const std::string refunded = Ship(marketplace_id, {{"SB-MUG-001", 2}});
    Ship(marketplace_id, {{"SB-BAG-003", 1}, {"SB-MUG-001", 3}});
    clock_.AdvanceTo(At("2026-12-03T10:00:00Z"));  // Across the month end.
    Ship(marketplace_id, {{"SB-BAG-003", 2}});
    EXPECT_TRUE(state_->RefundOrder(refunded).ok());
    clock_.AdvanceTo(At("2026-12-10T00:00:00Z"));
    Ship(marketplace_id, {{"SB-MUG-001", 1}});
    clock_.AdvanceTo(At("2026-12-23T00:00:00Z"));
    return ledger_->Settlements();
  }

  std::string Ship(std::string_view marketplace_id,
                   const std::vector<std::pair<std::string, int>>& lines) {
    emulator::NewOrder order;
    order.marketplace_id = std::string(marketplace_id);
    for (const auto& [sku, quantity] : lines) {
      order.lines.push_back({.sku = sku, .quantity = quantity});
    }
    order.lines[0].promotion_percent = 10;
    const auto id = state_->AddOrder(order);
    EXPECT_TRUE(id.ok()) << id.status();
    const auto placed = state_->GetOrder(*id);
    emulator::ShipmentConfirmation confirmation{.marketplace_id = std::string(marketplace_id),
                                                .package_reference_id = "1",
                                                .carrier_code = "Royal Mail",
                                                .tracking_number = "AB123456789GB",
                                                .ship_date = clock_.Now()};
    for (const emulator::OrderLine& line : placed->lines) {
      confirmation.items.emplace_back(line.order_item_id, line.quantity_ordered);
    }
    EXPECT_TRUE(state_->ConfirmShipment(*id, confirmation, false).ok());
    return *id;
  }

  static emulator::SettlementOptions FieldQuirks() {
    emulator::SettlementOptions options;
    options.malformed_rows = 1;
    options.style.line_end = emulator::LineEnd::kCrLf;
    options.style.thousands_separator = true;
    options.extra_rows = {{.transaction_type = "Liquidations",
                           .amount_type = "Liquidations Brokerage Fee",
                           .amount_description = "LiquidationsBrokerageFee",
                           .amount = -3.25},
                          {.transaction_type = "other-transaction",
                           .amount_type = "FBA Inventory Reimbursement",
                           .amount_description = "WAREHOUSE_LOST",
                           .amount = 1234.56}};
    return options;
  }

  // Reads `record`'s document and checks what must hold of every settlement:
  // the summary is Amazon's, exactly the damaged lines are reported, each
  // journal sums to zero, the deposit line is total-amount, and the rows plus
  // the difference make the deposit.
  SettlementAnalysis ReadThrough(const emulator::SettlementRecord& record) {
    const Result<SettlementAnalysis> analysis =
        AnalyseSettlement(emulator::SettlementDocument(record), AccountMap::Defaults(), {});
    EXPECT_TRUE(analysis.ok()) << analysis.status();
    if (!analysis.ok()) {
      return {};
    }
    EXPECT_EQ(analysis->summary.settlement_id, record.settlement.settlement_id);
    EXPECT_EQ(analysis->summary.total_minor, record.total_minor);
    EXPECT_EQ(analysis->summary.start, record.settlement.start_date);
    EXPECT_EQ(analysis->summary.end, record.settlement.end_date);
    EXPECT_EQ(analysis->summary.deposit_date, record.settlement.deposit_date);

    std::vector<std::int64_t> damaged_lines;
    std::int64_t damaged_sum = 0;
    for (const emulator::DamagedLine& damaged : record.damaged_lines) {
      damaged_lines.push_back(damaged.line);
      damaged_sum += damaged.amount_minor;
    }
    std::vector<std::int64_t> reported;
    for (const RowProblem& problem : analysis->problems) {
      reported.push_back(problem.line);
    }
    EXPECT_EQ(reported, damaged_lines);
    EXPECT_EQ(analysis->problem_count, static_cast<std::int64_t>(damaged_lines.size()));

    const SettlementJournals& journals = analysis->journals;
    EXPECT_EQ(journals.deposit_minor, record.total_minor);
    EXPECT_EQ(journals.difference_minor, damaged_sum);
    EXPECT_EQ(journals.rows_sum_minor + journals.difference_minor, record.total_minor);
    std::int64_t deposited = 0;
    std::int64_t carried = 0;
    for (const Journal& journal : journals.journals) {
      std::int64_t sum = 0;
      for (const JournalLine& line : journal.lines) {
        sum += line.amount_minor;
        if (line.account == AccountMap::Defaults().Deposit()) {
          deposited += line.amount_minor;
        }
        if (line.account == AccountMap::Defaults().CarriedForward()) {
          carried += line.amount_minor;
        }
      }
      EXPECT_EQ(sum, 0) << journal.period;
    }
    EXPECT_EQ(deposited, record.total_minor);
    EXPECT_EQ(carried, 0);
    return *analysis;
  }

  // What the settlement's rows of `account_code` add up to in the ledger's
  // sign, from Amazon's own lines (damaged ones left out, as they cannot be
  // read).
  static std::int64_t Expected(const emulator::SettlementRecord& record,
                               std::string_view account_code) {
    const AccountMap accounts = AccountMap::Defaults();
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < record.settlement.lines.size(); ++i) {
      const int line = static_cast<int>(i) + 3;
      const bool damaged =
          std::any_of(record.damaged_lines.begin(), record.damaged_lines.end(),
                      [line](const emulator::DamagedLine& d) { return d.line == line; });
      const emulator::SettlementLine& row = record.settlement.lines[i];
      const Account* account =
          accounts.Find(row.transaction_type, row.amount_type, row.amount_description);
      if (!damaged && account != nullptr && account->code == account_code) {
        sum -= row.amount_minor;
      }
    }
    return sum;
  }

  static std::int64_t Booked(const SettlementAnalysis& analysis, std::string_view account_code) {
    std::int64_t sum = 0;
    for (const Journal& journal : analysis.journals.journals) {
      for (const JournalLine& line : journal.lines) {
        sum += line.account.code == account_code ? line.amount_minor : 0;
      }
    }
    return sum;
  }

  VirtualClock clock_{At("2026-11-24T00:00:00Z")};
  std::unique_ptr<emulator::SellerState> state_;
  std::unique_ptr<emulator::SettlementLedger> ledger_;
};

TEST_F(EmulatorSettlementsTest, UkFileWithBomCrlfAndEveryKindOfRowBalancesToThePenny) {
  emulator::SettlementOptions quirks = FieldQuirks();
  quirks.style.byte_order_mark = true;
  const std::vector<emulator::SettlementRecord> records = Settle(kUk, quirks);
  ASSERT_THAT(records, SizeIs(2));
  const std::string document = emulator::SettlementDocument(records[0]);
  ASSERT_TRUE(document.starts_with("\xEF\xBB\xBF"));
  ASSERT_NE(document.find("\r\n"), std::string::npos);
  ASSERT_NE(document.find("1,234.56"), std::string::npos);

  const SettlementAnalysis first = ReadThrough(records[0]);
  EXPECT_EQ(first.encoding, TextEncoding::kUtf8);
  // 24 Nov – 8 Dec: one journal for November, one for December.
  ASSERT_THAT(first.journals.journals, SizeIs(2));
  EXPECT_EQ(first.journals.journals[0].period, "2026-11");
  EXPECT_EQ(first.journals.journals[1].period, "2026-12");
  EXPECT_THAT(first.journals.unmapped, ElementsAre(kUnmappedKey));
  EXPECT_TRUE(first.NeedsAttention());
  for (const std::string_view code :
       {"4000", "4010", "4100", "4900", "6000", "6100", "4800", "1250"}) {
    EXPECT_EQ(Booked(first, code), Expected(records[0], code)) << code;
  }
  EXPECT_NE(Booked(first, "4100"), 0);  // The refund.
  EXPECT_NE(Booked(first, "6100"), 0);  // Advertising.
  EXPECT_GT(Booked(first, "1250"), 0);  // The reserve withheld.

  // The second settlement releases the first one's reserve and withholds its own.
  const SettlementAnalysis second = ReadThrough(records[1]);
  EXPECT_EQ(Booked(second, "1250"), Expected(records[1], "1250"));
}

TEST_F(EmulatorSettlementsTest, GermanFileWithCommaDecimalsDottedDatesAndCp1252Balances) {
  emulator::SettlementOptions quirks = FieldQuirks();
  quirks.style.encoding = emulator::DocumentEncoding::kWindows1252;
  quirks.style.date_format = emulator::SettlementDateFormat::kDotted;
  const std::vector<emulator::SettlementRecord> records = Settle(kDe, quirks);
  ASSERT_THAT(records, SizeIs(2));
  const std::string document = emulator::SettlementDocument(records[0]);
  ASSERT_NE(document.find("1.234,56"), std::string::npos);
  ASSERT_NE(document.find("24.11.2026"), std::string::npos);
  ASSERT_NE(document.find('\xF6'), std::string::npos);  // ö of the promotion, one byte.

  for (const emulator::SettlementRecord& record : records) {
    const SettlementAnalysis analysis = ReadThrough(record);
    EXPECT_EQ(analysis.encoding, TextEncoding::kWindows1252);
    EXPECT_EQ(analysis.summary.currency, "EUR");
    for (const std::string_view code : {"4000", "4900", "6000", "1250", "4800"}) {
      EXPECT_EQ(Booked(analysis, code), Expected(record, code)) << code;
    }
  }
}

TEST_F(EmulatorSettlementsTest, CleanFileBalancesWithoutAttention) {
  const std::vector<emulator::SettlementRecord> records = Settle(kDe, {});
  ASSERT_THAT(records, SizeIs(2));
  for (const emulator::SettlementRecord& record : records) {
    const SettlementAnalysis analysis = ReadThrough(record);
    EXPECT_EQ(analysis.journals.difference_minor, 0);
    EXPECT_TRUE(analysis.journals.unmapped.empty());
    EXPECT_FALSE(analysis.NeedsAttention());
  }
}

}  // namespace
}  // namespace sellerbridge::finance
