#include "finance/accounts.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "base/csv.h"
#include "base/status_macros.h"

namespace sellerbridge::finance {
namespace {

constexpr std::array<std::string_view, 5> kCsvColumns = {
    "transaction_type", "amount_type", "amount_description", "account_code", "account_name"};

// The default chart, in UK style (codes a Xero or Sage UK ledger can take as
// they are):
//
//   key (transaction-type / amount-type / amount-description)   account
//   Order / ItemPrice / Principal                                4000 Amazon sales
//   * / ItemPrice / Shipping                                     4010 Amazon shipping income
//   * / ItemPrice / GiftWrap                                     4020 Amazon gift wrap income
//   * / ItemPrice / Tax, ShippingTax, GiftWrapTax                2200 Sales tax (VAT) collected
//   * / ItemWithheldTax / *                                      2210 Marketplace facilitator
//                                                                     tax withheld
//   * / ItemFees / *                                             6000 Amazon selling fees
//   * / Promotion / *                                            4900 Amazon promotions
//   Refund, Chargeback Refund, A-to-z Guarantee Refund
//     / ItemPrice / *                                            4100 Amazon refunds
//     / ItemPrice / Tax, ShippingTax, GiftWrapTax                2200 Sales tax (VAT) collected
//   * / ShipmentFees / *, * / * / Shipping label purchase        6200 Amazon shipping labels
//   * and ServiceFee / Cost of Advertising / *,
//   * and ServiceFee / Refund for Advertiser / *                 6100 Amazon advertising
//   other-transaction / FBA Inventory Reimbursement / *          4800 Amazon reimbursements
//   other-transaction / other-transaction / Current Reserve
//     Amount, Previous Reserve Amount Balance                    1250 Amazon reserve held
//   ServiceFee / * / *, CouponRedemptionFee / * / *,
//     Lightning Deal Fee / * / *, Vine Enrollment Fee / * / *,
//     * / CouponRedemptionFee / *, * / LightningDealFee / *,
//     * / * / Subscription Fee, Storage Fee, StorageRenewalBilling,
//     LongTermStorageFee, DisposalComplete, RemovalComplete      6050 Amazon service fees
//   (deposit)                                                    1200 Amazon deposits
//   (carried-forward)                                            1210 Amazon settlements in transit
//   (unmapped)                                                   9999 Unmapped Amazon settlement
//                                                                     items (suspense)
//
// Tax refunded to a buyer goes back to 2200 rather than to refunds: it
// reduces the VAT owed, not the sales. Everything else a refund returns is a
// contra-revenue on 4100, so the sales account keeps the gross figure.
// The ServiceFee advertising rules are named because ServiceFee / * / * would
// otherwise outweigh them (transaction-type weighs most). Keys without a rule
// (Liquidations, Transfer, retrocharges…) go to the unmapped account, where a
// person decides.
struct DefaultRule {
  std::string_view transaction_type;
  std::string_view amount_type;
  std::string_view amount_description;
  std::string_view code;
  std::string_view name;
};

constexpr std::string_view kSales = "Amazon sales";
constexpr std::string_view kShipping = "Amazon shipping income";
constexpr std::string_view kGiftWrap = "Amazon gift wrap income";
constexpr std::string_view kTax = "Sales tax (VAT) collected";
constexpr std::string_view kWithheld = "Marketplace facilitator tax withheld";
constexpr std::string_view kFees = "Amazon selling fees";
constexpr std::string_view kServiceFees = "Amazon service fees";
constexpr std::string_view kPromotions = "Amazon promotions";
constexpr std::string_view kRefunds = "Amazon refunds";
constexpr std::string_view kLabels = "Amazon shipping labels";
constexpr std::string_view kAdvertising = "Amazon advertising";
constexpr std::string_view kReimbursements = "Amazon reimbursements";
constexpr std::string_view kReserve = "Amazon reserve held";

constexpr std::array<DefaultRule, 45> kDefaultRules = {{
    {"Order", "ItemPrice", "Principal", "4000", kSales},
    {"*", "ItemPrice", "Shipping", "4010", kShipping},
    {"*", "ItemPrice", "GiftWrap", "4020", kGiftWrap},
    {"*", "ItemPrice", "Tax", "2200", kTax},
    {"*", "ItemPrice", "ShippingTax", "2200", kTax},
    {"*", "ItemPrice", "GiftWrapTax", "2200", kTax},
    {"*", "ItemWithheldTax", "*", "2210", kWithheld},
    {"*", "ItemFees", "*", "6000", kFees},
    {"*", "Promotion", "*", "4900", kPromotions},
    {"Refund", "ItemPrice", "*", "4100", kRefunds},
    {"Refund", "ItemPrice", "Tax", "2200", kTax},
    {"Refund", "ItemPrice", "ShippingTax", "2200", kTax},
    {"Refund", "ItemPrice", "GiftWrapTax", "2200", kTax},
    {"Chargeback Refund", "ItemPrice", "*", "4100", kRefunds},
    {"Chargeback Refund", "ItemPrice", "Tax", "2200", kTax},
    {"Chargeback Refund", "ItemPrice", "ShippingTax", "2200", kTax},
    {"Chargeback Refund", "ItemPrice", "GiftWrapTax", "2200", kTax},
    {"A-to-z Guarantee Refund", "ItemPrice", "*", "4100", kRefunds},
    {"A-to-z Guarantee Refund", "ItemPrice", "Tax", "2200", kTax},
    {"A-to-z Guarantee Refund", "ItemPrice", "ShippingTax", "2200", kTax},
    {"A-to-z Guarantee Refund", "ItemPrice", "GiftWrapTax", "2200", kTax},
    {"*", "ShipmentFees", "*", "6200", kLabels},
    {"*", "*", "Shipping label purchase", "6200", kLabels},
    {"*", "Cost of Advertising", "*", "6100", kAdvertising},
    {"*", "Refund for Advertiser", "*", "6100", kAdvertising},
    {"ServiceFee", "Cost of Advertising", "*", "6100", kAdvertising},
    {"ServiceFee", "Refund for Advertiser", "*", "6100", kAdvertising},
    {"other-transaction", "FBA Inventory Reimbursement", "*", "4800", kReimbursements},
    {"other-transaction", "other-transaction", "Current Reserve Amount", "1250", kReserve},
    {"other-transaction", "other-transaction", "Previous Reserve Amount Balance", "1250", kReserve},
    {"ServiceFee", "*", "*", "6050", kServiceFees},
    {"CouponRedemptionFee", "*", "*", "6050", kServiceFees},
    {"Lightning Deal Fee", "*", "*", "6050", kServiceFees},
    {"Vine Enrollment Fee", "*", "*", "6050", kServiceFees},
    {"*", "CouponRedemptionFee", "*", "6050", kServiceFees},
    {"*", "LightningDealFee", "*", "6050", kServiceFees},
    {"*", "*", "Subscription Fee", "6050", kServiceFees},
    {"*", "*", "Storage Fee", "6050", kServiceFees},
    {"*", "*", "StorageRenewalBilling", "6050", kServiceFees},
    {"*", "*", "DisposalComplete", "6050", kServiceFees},
    {"*", "*", "RemovalComplete", "6050", kServiceFees},
    {"*", "*", "LongTermStorageFee", "6050", kServiceFees},
    {kDepositRule, "*", "*", "1200", "Amazon deposits"},
    {kCarriedForwardRule, "*", "*", "1210", "Amazon settlements in transit"},
    {kUnmappedRule, "*", "*", "9999", "Unmapped Amazon settlement items"},
}};

AccountRule ToRule(const DefaultRule& rule) {
  return {.transaction_type = std::string(rule.transaction_type),
          .amount_type = std::string(rule.amount_type),
          .amount_description = std::string(rule.amount_description),
          .account = {.code = std::string(rule.code), .name = std::string(rule.name)}};
}

bool IsRole(std::string_view transaction_type) {
  return transaction_type == kDepositRule || transaction_type == kCarriedForwardRule ||
         transaction_type == kUnmappedRule;
}

const DefaultRule& DefaultRole(std::string_view role) {
  const auto* found =
      std::find_if(kDefaultRules.begin(), kDefaultRules.end(),
                   [&](const DefaultRule& rule) { return rule.transaction_type == role; });
  assert(found != kDefaultRules.end());
  return *found;
}

auto KeyOf(const AccountRule& rule) {
  return std::tie(rule.transaction_type, rule.amount_type, rule.amount_description);
}

std::string KeyText(const AccountRule& rule) {
  return fmt::format("{} / {} / {}", rule.transaction_type, rule.amount_type,
                     rule.amount_description);
}

// 0 when `pattern` does not match `value`, 1 for "*", 2 for the exact value.
int FieldScore(std::string_view pattern, std::string_view value) {
  if (pattern == kAnyValue) {
    return 1;
  }
  return pattern == value ? 2 : 0;
}

}  // namespace

AccountMap AccountMap::Defaults() {
  std::vector<AccountRule> rules;
  rules.reserve(kDefaultRules.size());
  for (const DefaultRule& rule : kDefaultRules) {
    rules.push_back(ToRule(rule));
  }
  Result<AccountMap> map = FromRules(std::move(rules));
  assert(map.ok() && "the default account rules are valid");
  return std::move(map).value();
}

Result<AccountMap> AccountMap::FromRules(std::vector<AccountRule> rules) {
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const AccountRule& rule = rules[i];
    const std::size_t number = i + 1;
    const std::array<std::pair<std::string_view, const std::string*>, 4> required = {{
        {"transaction_type", &rule.transaction_type},
        {"amount_type", &rule.amount_type},
        {"amount_description", &rule.amount_description},
        {"account_code", &rule.account.code},
    }};
    for (const auto& [field, value] : required) {
      if (value->empty()) {
        return InvalidArgumentError(fmt::format("account rule {}: {} is empty", number, field));
      }
    }
    if (IsRole(rule.transaction_type) &&
        (rule.amount_type != kAnyValue || rule.amount_description != kAnyValue)) {
      return InvalidArgumentError(
          fmt::format("account rule {}: the {} rule takes \"*\" as amount_type and "
                      "amount_description, not {} / {}",
                      number, rule.transaction_type, rule.amount_type, rule.amount_description));
    }
    const auto [at, inserted] = seen.emplace(
        std::tuple(rule.transaction_type, rule.amount_type, rule.amount_description), number);
    if (!inserted) {
      return InvalidArgumentError(
          fmt::format("account rule {}: {} is given twice (first in rule {})", number,
                      KeyText(rule), at->second));
    }
  }
  for (const std::string_view role : {kDepositRule, kCarriedForwardRule, kUnmappedRule}) {
    if (!seen.contains(
            std::tuple(std::string(role), std::string(kAnyValue), std::string(kAnyValue)))) {
      rules.push_back(ToRule(DefaultRole(role)));
    }
  }
  std::sort(rules.begin(), rules.end(),
            [](const AccountRule& a, const AccountRule& b) { return KeyOf(a) < KeyOf(b); });

  AccountMap map;
  for (const AccountRule& rule : rules) {
    if (rule.transaction_type == kDepositRule) {
      map.deposit_ = rule.account;
    } else if (rule.transaction_type == kCarriedForwardRule) {
      map.carried_forward_ = rule.account;
    } else if (rule.transaction_type == kUnmappedRule) {
      map.unmapped_ = rule.account;
    }
  }
  map.rules_ = std::move(rules);
  return map;
}

const Account* AccountMap::Find(std::string_view transaction_type, std::string_view amount_type,
                                std::string_view amount_description) const {
  const Account* best = nullptr;
  int best_score = 0;
  for (const AccountRule& rule : rules_) {
    if (IsRole(rule.transaction_type)) {
      continue;
    }
    const int type = FieldScore(rule.transaction_type, transaction_type);
    const int amount = FieldScore(rule.amount_type, amount_type);
    const int description = FieldScore(rule.amount_description, amount_description);
    if (type == 0 || amount == 0 || description == 0) {
      continue;
    }
    // Weights make an exact transaction-type outrank any amount fields, and
    // an exact amount-type outrank the description. Keys are unique, so two
    // matching rules never score the same.
    const int score = type * 9 + amount * 3 + description;
    if (score > best_score) {
      best_score = score;
      best = &rule.account;
    }
  }
  return best;
}

std::string AccountRulesToCsv(const std::vector<AccountRule>& rules) {
  std::string out = fmt::format("{}\r\n", fmt::join(kCsvColumns, ","));
  for (const AccountRule& rule : rules) {
    out += fmt::format("{},{},{},{},{}\r\n", CsvField(rule.transaction_type),
                       CsvField(rule.amount_type), CsvField(rule.amount_description),
                       CsvField(rule.account.code), CsvField(rule.account.name));
  }
  return out;
}

Result<std::vector<AccountRule>> ParseAccountRulesCsv(std::string_view text,
                                                      std::string_view source_name) {
  CsvReader reader(text, source_name);
  ASSIGN_OR_RETURN(std::optional<CsvRecord> header, reader.Next());
  if (!header) {
    return InvalidArgumentError(fmt::format("{}: the file is empty; the header {} is required",
                                            source_name, fmt::join(kCsvColumns, ",")));
  }
  std::array<std::size_t, kCsvColumns.size()> index{};
  for (std::size_t column = 0; column < kCsvColumns.size(); ++column) {
    const auto found = std::find(header->fields.begin(), header->fields.end(), kCsvColumns[column]);
    if (found == header->fields.end()) {
      return reader.Error(header->line,
                          fmt::format("the header lacks the column {}", kCsvColumns[column]));
    }
    index[column] = static_cast<std::size_t>(found - header->fields.begin());
  }

  std::vector<AccountRule> rules;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<CsvRecord> record, reader.Next());
    if (!record) {
      break;
    }
    if (record->fields.size() != header->fields.size()) {
      return reader.Error(record->line, fmt::format("{} fields where the header has {}",
                                                    record->fields.size(), header->fields.size()));
    }
    // The account name may be blank; the key fields and the code may not.
    for (std::size_t column = 0; column + 1 < kCsvColumns.size(); ++column) {
      if (record->fields[index[column]].empty()) {
        return reader.Error(record->line, fmt::format("{} is empty", kCsvColumns[column]));
      }
    }
    AccountRule rule{.transaction_type = std::move(record->fields[index[0]]),
                     .amount_type = std::move(record->fields[index[1]]),
                     .amount_description = std::move(record->fields[index[2]]),
                     .account = {.code = std::move(record->fields[index[3]]),
                                 .name = std::move(record->fields[index[4]])}};
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace sellerbridge::finance
