// `sellerbridge reconcile` and `sellerbridge finance` as finance runs them: on a downloaded
// settlement file, offline, and against a store file the test fills.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "base/clock.h"
#include "base/time_format.h"
#include "e2e/subprocess.h"
#include "store/store.h"

namespace sellerbridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunProcess;
using ::testing::StartsWith;

const std::string kExe = SELLERBRIDGE_EXE;
const std::string kExample = std::string(SELLERBRIDGE_SOURCE_DIR) + "/sellerbridge.example.toml";

constexpr std::string_view kHeader =
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\t"
    "currency\ttransaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\t"
    "marketplace-name\tamount-type\tamount-description\tamount\tfulfillment-id\tposted-date\t"
    "posted-date-time\torder-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\t"
    "quantity-purchased\r\n";

// One row of the German file: comma decimals, CRLF.
std::string Row(std::string_view type, std::string_view order_id, std::string_view amount_type,
                std::string_view description, std::string_view amount, std::string_view posted) {
  std::ostringstream row;
  row << "98765432101\t\t\t\t\t\t" << type << '\t' << order_id << "\t\t\t\tAmazon.de\t"
      << amount_type << '\t' << description << '\t' << amount << "\tMFN\t\t" << posted
      << "\t\t\t\t\t\r\n";
  return row.str();
}

// A German settlement across the end of October: a sale (1.234,56), its commission, a refund of
// another order, advertising and the reserves; the rows add up to the deposit of 1.025,00.
std::string GermanSettlement(std::string_view extra_rows = "",
                             std::string_view total = "1.025,00") {
  std::string text = "\xEF\xBB\xBF" + std::string(kHeader);
  text +=
      "98765432101\t25.10.2026 00:00:00 UTC\t08.11.2026 00:00:00 UTC\t11.11.2026 00:00:00 "
      "UTC\t" +
      std::string(total) + "\tEUR\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\r\n";
  text += Row("Order", "302-0000001-0000001", "ItemPrice", "Principal", "1.234,56",
              "30.10.2026 10:00:00 UTC");
  text += Row("Order", "302-0000001-0000001", "ItemFees", "Commission", "-185,18",
              "30.10.2026 10:00:00 UTC");
  text += Row("Refund", "302-0000002-0000002", "ItemPrice", "Principal", "-20,00",
              "03.11.2026 09:00:00 UTC");
  text += Row("ServiceFee", "", "Cost of Advertising", "TransactionTotalAmount", "-25,00",
              "07.11.2026 23:59:59 UTC");
  text += Row("other-transaction", "", "other-transaction", "Previous Reserve Amount Balance",
              "120,62", "25.10.2026 00:00:00 UTC");
  text += Row("other-transaction", "", "other-transaction", "Current Reserve Amount", "-100,00",
              "07.11.2026 23:59:59 UTC");
  text += extra_rows;
  return text;
}

class FinanceCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-finance-cli-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "store.db").string();
    std::ifstream in(kExample);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string from = "sqlite:///var/lib/sellerbridge/sellerbridge.db";
    const auto at = config.find(from);
    ASSERT_NE(at, std::string::npos);
    config.replace(at, from.size(), url_);
    config_ = (dir_ / "sellerbridge.toml").string();
    std::ofstream(config_) << config;
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::filesystem::path dir_;
  std::string url_;
  std::string config_;
};

TEST_F(FinanceCliTest, ReconcileReadsABalancedGermanFileOffline) {
  const std::string file = Write("settlement.txt", GermanSettlement());
  const std::string journals = (dir_ / "journals.csv").string();
  const auto result =
      RunProcess({kExe, "reconcile", file, "--format", "json", "--journals", journals});
  EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
  const nlohmann::json report = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << result.out;
  EXPECT_EQ(report["settlement_id"], "98765432101");
  EXPECT_EQ(report["currency"], "EUR");
  EXPECT_FALSE(report["needs_attention"].get<bool>());
  EXPECT_EQ(report["journals"]["deposit"], "1025.00");
  EXPECT_EQ(report["journals"]["difference"], "0.00");
  ASSERT_EQ(report["journals"]["journals"].size(), 2U);
  EXPECT_EQ(report["journals"]["journals"][0]["period"], "2026-10");
  EXPECT_EQ(report["journals"]["journals"][1]["period"], "2026-11");

  std::ifstream in(journals);
  std::stringstream csv;
  csv << in.rdbuf();
  EXPECT_THAT(csv.str(), StartsWith("settlement_id,period,date,account_code"));
  EXPECT_THAT(csv.str(), HasSubstr(",4000,Amazon sales,EUR,,1234.56,"));
  EXPECT_THAT(csv.str(), HasSubstr(",1200,Amazon deposits,EUR,1025.00,,"));
  EXPECT_THAT(csv.str(), Not(HasSubstr("302-0000001-0000001")));
}

TEST_F(FinanceCliTest, ReconcileNamesTheBadLineTheUnmappedTypeAndTheDifference) {
  const std::string file = Write(
      "settlement.txt",
      GermanSettlement(Row("Order", "302-0000003-0000003", "ItemPrice", "Principal", "12,3x",
                           "05.11.2026 10:00:00 UTC") +
                           Row("Liquidations", "", "Liquidations Brokerage Fee",
                               "LiquidationsBrokerageFee", "-3,25", "06.11.2026 10:00:00 UTC"),
                       "1.031,75"));
  const auto result = RunProcess({kExe, "reconcile", file});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.out, StartsWith("kind,settlement_id,amazon_order_id,line,"));
  EXPECT_THAT(result.out, HasSubstr("row_problem,98765432101,,9,"));
  EXPECT_THAT(result.out, HasSubstr("12,3x"));
  EXPECT_THAT(result.out,
              HasSubstr("no account rule for Liquidations / Liquidations Brokerage Fee / "
                        "LiquidationsBrokerageFee"));
  // The unreadable 12,3x row is the difference: 1031.75 - (1025.00 - 3.25).
  EXPECT_THAT(result.out, HasSubstr("difference,98765432101,,,,,10.00,EUR"));

  const auto missing =
      RunProcess({kExe, "reconcile", Write("orders.txt", "order-id\tsku\n1\t2\n")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("orders.txt"));
  EXPECT_THAT(missing.err, HasSubstr("settlement-id"));
}

TEST_F(FinanceCliTest, FinanceImportsAccountRulesAndReconcilesAgainstTheStore) {
  const auto exported = RunProcess({kExe, "finance", "--config", config_, "accounts", "export"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.out, StartsWith("transaction_type,amount_type,amount_description"));
  const std::string rules =
      Write("rules.csv", exported.out + "Liquidations,*,*,6300,Amazon liquidation fees\r\n");
  const auto bad = RunProcess({kExe, "finance", "--config", config_, "accounts", "import",
                               Write("bad.csv", exported.out + "Order,ItemPrice,\"Principal\n")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("bad.csv:"));
  const auto imported =
      RunProcess({kExe, "finance", "--config", config_, "accounts", "import", rules});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("stored"));
  const auto listed =
      RunProcess({kExe, "finance", "--config", config_, "accounts", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(nlohmann::json::parse(listed.out)["source"], "stored");

  // The warehouse sent orders 1 and 3 in this period and order 2 before it (an earlier
  // settlement paid for it); order 2 is refunded here.
  {
    auto store = store::OpenStore(url_, SystemClock::Get());
    ASSERT_TRUE(store.ok()) << store.status();
    auto txn = (*store)->Begin();
    ASSERT_TRUE(txn.ok());
    for (const auto& [order_id, when] :
         {std::pair{"302-0000001-0000001", "2026-10-29T15:00:00Z"},
          std::pair{"302-0000002-0000002", "2026-10-20T15:00:00Z"},
          std::pair{"302-0000003-0000003", "2026-10-29T15:00:00Z"}}) {
      const TimePoint shipped = *ParseIso8601(when);
      ASSERT_TRUE((*txn)
                      ->EnqueueConfirmation({.idempotency_key = order_id,
                                             .amazon_order_id = order_id,
                                             .marketplace_id = "A1PA6795UKMFR9",
                                             .parcel = {.package_reference_id = "1",
                                                        .carrier_code = "DHL",
                                                        .tracking_number = "00340434161094042557",
                                                        .ship_date = shipped},
                                             .deadline = shipped})
                      .ok());
    }
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  const std::string file =
      Write("settlement.txt",
            GermanSettlement(Row("Liquidations", "", "Liquidations Brokerage Fee",
                                 "LiquidationsBrokerageFee", "-3,25", "06.11.2026 10:00:00 UTC"),
                             "1.021,75"));
  const auto before = RunProcess({kExe, "reconcile", file, "--config", config_});
  EXPECT_THAT(before.out, HasSubstr("refunded_not_returned,98765432101,302-0000002-0000002"));

  const std::string returns = Write("returns.csv",
                                    "amazon_order_id,received_at\r\n"
                                    "302-0000002-0000002,2026-11-02\r\n");
  const auto recorded =
      RunProcess({kExe, "finance", "--config", config_, "returns", "import", returns});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  const auto result = RunProcess({kExe, "reconcile", file, "--config", config_});
  EXPECT_EQ(result.exit_code, 1) << result.err << result.out;
  // Finance's rule maps the liquidation fee; order 3 shipped long ago and no settlement paid it.
  EXPECT_THAT(result.out, Not(HasSubstr("unmapped")));
  EXPECT_THAT(result.out, HasSubstr("shipped_not_settled,,302-0000003-0000003"));
  EXPECT_THAT(result.out, Not(HasSubstr("302-0000002-0000002")));  // Its return came back.
  EXPECT_THAT(result.out, Not(HasSubstr("settled_not_dispatched")));
}

}  // namespace
}  // namespace sellerbridge
