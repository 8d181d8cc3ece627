#include "finance/accounts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

namespace sellerbridge::finance {
namespace {

using ::testing::HasSubstr;

// The code `map` books a key to, "" for none.
std::string CodeFor(const AccountMap& map, std::string_view type, std::string_view amount_type,
                    std::string_view description) {
  const Account* account = map.Find(type, amount_type, description);
  return account == nullptr ? "" : account->code;
}

struct KeyCase {
  std::string_view type;
  std::string_view amount_type;
  std::string_view description;
  std::string_view code;
};

TEST(AccountMapTest, DefaultsMapTheKnownSettlementKeys) {
  const AccountMap map = AccountMap::Defaults();
  const std::vector<KeyCase> cases = {
      {"Order", "ItemPrice", "Principal", "4000"},
      {"Order", "ItemPrice", "Shipping", "4010"},
      {"Order", "ItemPrice", "GiftWrap", "4020"},
      {"Order", "ItemPrice", "Tax", "2200"},
      {"Order", "ItemPrice", "ShippingTax", "2200"},
      {"Order", "ItemPrice", "GiftWrapTax", "2200"},
      {"Order", "ItemWithheldTax", "MarketplaceFacilitatorVAT-Principal", "2210"},
      {"Order", "ItemWithheldTax", "MarketplaceFacilitatorVAT-Shipping", "2210"},
      {"Refund", "ItemWithheldTax", "MarketplaceFacilitatorVAT-Principal", "2210"},
      {"Order", "ItemFees", "Commission", "6000"},
      {"Order", "ItemFees", "DigitalServicesFee", "6000"},
      {"Order", "ItemFees", "FBAPerUnitFulfillmentFee", "6000"},
      {"Order", "ItemFees", "ShippingHB", "6000"},
      {"Order", "ItemFees", "ShippingChargeback", "6000"},
      {"Refund", "ItemFees", "Commission", "6000"},
      {"Refund", "ItemFees", "RefundCommission", "6000"},
      {"Order", "Promotion", "Shipping", "4900"},
      {"Order", "Promotion", "Principal", "4900"},
      {"Refund", "ItemPrice", "Principal", "4100"},
      {"Refund", "ItemPrice", "Shipping", "4100"},
      {"Refund", "ItemPrice", "Tax", "2200"},
      {"Refund", "ItemPrice", "ShippingTax", "2200"},
      {"Chargeback Refund", "ItemPrice", "Principal", "4100"},
      {"A-to-z Guarantee Refund", "ItemPrice", "Principal", "4100"},
      {"A-to-z Guarantee Refund", "ItemPrice", "Tax", "2200"},
      {"Order", "ShipmentFees", "Shipping label purchase", "6200"},
      {"other-transaction", "other-transaction", "Shipping label purchase", "6200"},
      {"other-transaction", "Cost of Advertising", "TransactionTotalAmount", "6100"},
      {"ServiceFee", "Cost of Advertising", "TransactionTotalAmount", "6100"},
      {"ServiceFee", "Refund for Advertiser", "TransactionTotalAmount", "6100"},
      {"other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_LOST", "4800"},
      {"other-transaction", "other-transaction", "Current Reserve Amount", "1250"},
      {"other-transaction", "other-transaction", "Previous Reserve Amount Balance", "1250"},
      {"ServiceFee", "other-transaction", "Subscription Fee", "6050"},
      {"ServiceFee", "other-transaction", "Storage Fee", "6050"},
      {"other-transaction", "other-transaction", "StorageRenewalBilling", "6050"},
      {"other-transaction", "other-transaction", "DisposalComplete", "6050"},
      {"CouponRedemptionFee", "CouponRedemptionFee", "Coupon", "6050"},
      {"Lightning Deal Fee", "LightningDealFee", "Fee", "6050"},
      {"Vine Enrollment Fee", "other-transaction", "Vine", "6050"},
  };
  for (const KeyCase& c : cases) {
    EXPECT_EQ(CodeFor(map, c.type, c.amount_type, c.description), c.code)
        << c.type << " / " << c.amount_type << " / " << c.description;
  }
  EXPECT_EQ(CodeFor(map, "Liquidations", "Liquidations Brokerage Fee", "LiquidationsBrokerageFee"),
            "");
  EXPECT_EQ(CodeFor(map, "Transfer", "other-transaction", "Payable to Amazon"), "");
  EXPECT_EQ(map.Deposit(), (Account{"1200", "Amazon deposits"}));
  EXPECT_EQ(map.CarriedForward().code, "1210");
  EXPECT_EQ(map.Unmapped().code, "9999");
}

TEST(AccountMapTest, RoleKeysAreNotRowAccounts) {
  const AccountMap map = AccountMap::Defaults();
  EXPECT_EQ(map.Find(kDepositRule, "*", "*"), nullptr);
  EXPECT_EQ(map.Find(kUnmappedRule, "x", "y"), nullptr);
}

TEST(AccountMapTest, MostSpecificRuleWinsWithTransactionTypeWeighingMost) {
  const Result<AccountMap> map = AccountMap::FromRules({
      {"*", "*", "Principal", {"1", "any/any/Principal"}},
      {"*", "ItemPrice", "*", {"2", "any/ItemPrice/any"}},
      {"*", "ItemPrice", "Principal", {"3", "any/ItemPrice/Principal"}},
      {"Order", "*", "*", {"4", "Order/any/any"}},
      {"Order", "ItemPrice", "*", {"5", "Order/ItemPrice/any"}},
      {"Order", "*", "Principal", {"6", "Order/any/Principal"}},
      {"Order", "ItemPrice", "Principal", {"7", "exact"}},
  });
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(CodeFor(*map, "Order", "ItemPrice", "Principal"), "7");
  EXPECT_EQ(CodeFor(*map, "Order", "ItemPrice", "Tax"), "5");
  EXPECT_EQ(CodeFor(*map, "Order", "ItemFees", "Principal"), "6");
  EXPECT_EQ(CodeFor(*map, "Order", "ItemFees", "Commission"), "4");
  EXPECT_EQ(CodeFor(*map, "Refund", "ItemPrice", "Principal"), "3");
  EXPECT_EQ(CodeFor(*map, "Refund", "ItemPrice", "Tax"), "2");
  EXPECT_EQ(CodeFor(*map, "Refund", "ItemFees", "Principal"), "1");
  EXPECT_EQ(CodeFor(*map, "Refund", "ItemFees", "Commission"), "");
  EXPECT_EQ(CodeFor(*map, "order", "ItemPrice", "Principal"), "3") << "values are case-sensitive";
}

TEST(AccountMapTest, FromRulesSortsAndFillsMissingRolesWithDefaults) {
  const Result<AccountMap> map = AccountMap::FromRules({
      {"Refund", "ItemPrice", "*", {"4100", "Refunds"}},
      {std::string(kDepositRule), "*", "*", {"1201", "Bank"}},
      {"Order", "ItemPrice", "Principal", {"4000", "Sales"}},
  });
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->Deposit(), (Account{"1201", "Bank"}));
  EXPECT_EQ(map->CarriedForward(), AccountMap::Defaults().CarriedForward());
  EXPECT_EQ(map->Unmapped(), AccountMap::Defaults().Unmapped());
  ASSERT_EQ(map->Rules().size(), 5U);
  EXPECT_TRUE(std::is_sorted(
      map->Rules().begin(), map->Rules().end(), [](const AccountRule& a, const AccountRule& b) {
        return std::tie(a.transaction_type, a.amount_type, a.amount_description) <
               std::tie(b.transaction_type, b.amount_type, b.amount_description);
      }));
}

TEST(AccountMapTest, FromRulesRejectsEmptyFieldsDuplicatesAndNarrowRoles) {
  const Result<AccountMap> empty_code =
      AccountMap::FromRules({{"Order", "ItemPrice", "Principal", {"4000", "Sales"}},
                             {"Refund", "ItemPrice", "*", {"", "Refunds"}}});
  ASSERT_FALSE(empty_code.ok());
  EXPECT_EQ(empty_code.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty_code.status().message(), HasSubstr("account rule 2: account_code is empty"));

  const Result<AccountMap> empty_type =
      AccountMap::FromRules({{"", "ItemPrice", "Principal", {"4000", "Sales"}}});
  ASSERT_FALSE(empty_type.ok());
  EXPECT_THAT(empty_type.status().message(), HasSubstr("account rule 1: transaction_type"));

  const Result<AccountMap> twice =
      AccountMap::FromRules({{"Order", "ItemPrice", "Principal", {"4000", "Sales"}},
                             {"Refund", "ItemPrice", "*", {"4100", "Refunds"}},
                             {"Order", "ItemPrice", "Principal", {"4001", "Other"}}});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(),
              HasSubstr("account rule 3: Order / ItemPrice / Principal is given twice (first in "
                        "rule 1)"));

  const Result<AccountMap> narrow_role =
      AccountMap::FromRules({{std::string(kDepositRule), "ItemPrice", "*", {"1200", "Bank"}}});
  ASSERT_FALSE(narrow_role.ok());
  EXPECT_THAT(narrow_role.status().message(), HasSubstr("account rule 1"));
}

TEST(AccountRulesCsvTest, RoundTripsTheDefaultsAndAwkwardText) {
  std::vector<AccountRule> rules = AccountMap::Defaults().Rules();
  rules.push_back({"Odd, \"quoted\"", "Multi\nline", "*", {"7000", "Name, with \"quotes\""}});
  const std::string csv = AccountRulesToCsv(rules);
  EXPECT_TRUE(csv.starts_with(
      "transaction_type,amount_type,amount_description,account_code,account_name\r\n"));
  EXPECT_THAT(csv, HasSubstr("\"Odd, \"\"quoted\"\"\",\"Multi\nline\",*,7000,"
                             "\"Name, with \"\"quotes\"\"\"\r\n"));
  const Result<std::vector<AccountRule>> read = ParseAccountRulesCsv(csv, "accounts.csv");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, rules);
}

TEST(AccountRulesCsvTest, ReadsLfBomReorderedAndExtraColumns) {
  const std::string text =
      "\xEF\xBB\xBF"
      "account_code,note,amount_description,transaction_type,amount_type,account_name\n"
      "4000,x,Principal,Order,ItemPrice,Amazon sales\n"
      "\n"
      "6000,,*,*,ItemFees,\n";
  const Result<std::vector<AccountRule>> read = ParseAccountRulesCsv(text, "accounts.csv");
  ASSERT_TRUE(read.ok()) << read.status();
  const std::vector<AccountRule> expected = {
      {"Order", "ItemPrice", "Principal", {"4000", "Amazon sales"}},
      {"*", "ItemFees", "*", {"6000", ""}},
  };
  EXPECT_EQ(*read, expected);
}

struct CsvErrorCase {
  std::string text;
  std::string expected;  // Part of the message.
};

TEST(AccountRulesCsvTest, ErrorsNameTheSourceLineAndProblem) {
  const std::string header =
      "transaction_type,amount_type,amount_description,account_code,account_name\r\n";
  const std::vector<CsvErrorCase> cases = {
      {"", "accounts.csv: the file is empty"},
      {"transaction_type,amount_type,account_code,account_name\r\n",
       "accounts.csv:1: the header lacks the column amount_description"},
      {header + "Order,ItemPrice,Principal,4000,Sales\r\nRefund,ItemPrice,*,4100\r\n",
       "accounts.csv:3: 4 fields where the header has 5"},
      {header + "Order,ItemPrice,\"Principal,4000,Sales\r\n",
       "accounts.csv:2: a quoted field is never closed"},
      {header + "Order,\"Item\"Price,Principal,4000,Sales\r\n",
       "accounts.csv:2: text after a closing quote"},
      {header + "Order,Item\"Price,Principal,4000,Sales\r\n",
       "accounts.csv:2: a quote inside an unquoted field"},
      {header + "\"Multi\nline\",ItemPrice,*,4000,Sales\r\nRefund,,*,4100,Refunds\r\n",
       "accounts.csv:4: amount_type is empty"},
      {header + "Order,ItemPrice,Principal,,Sales\r\n", "accounts.csv:2: account_code is empty"},
  };
  for (const CsvErrorCase& c : cases) {
    const Result<std::vector<AccountRule>> read = ParseAccountRulesCsv(c.text, "accounts.csv");
    ASSERT_FALSE(read.ok()) << c.text;
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(read.status().message(), HasSubstr(c.expected)) << c.text;
  }
}

}  // namespace
}  // namespace sellerbridge::finance
