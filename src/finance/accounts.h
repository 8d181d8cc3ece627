#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::finance {

// A ledger account of the finance system.
struct Account {
  std::string code;  // E.g. "4000".
  std::string name;  // E.g. "Amazon sales".

  friend bool operator==(const Account&, const Account&) = default;
};

// Matches any value in an AccountRule key field.
inline constexpr std::string_view kAnyValue = "*";

// The reserved transaction types of the rules naming the accounts a journal
// needs besides the mapped ones (their other key fields are "*").
inline constexpr std::string_view kDepositRule = "(deposit)";
inline constexpr std::string_view kCarriedForwardRule = "(carried-forward)";
inline constexpr std::string_view kUnmappedRule = "(unmapped)";

// (transaction-type, amount-type, amount-description) → ledger account.
struct AccountRule {
  std::string transaction_type;  // Exact value (case-sensitive) or "*".
  std::string amount_type;
  std::string amount_description;
  Account account;

  friend bool operator==(const AccountRule&, const AccountRule&) = default;
};

// The account mapping finance owns. Thread-compatible (immutable after
// construction).
class AccountMap {
 public:
  // The defaults for the common combinations: principal, shipping, gift
  // wrap, tax, marketplace facilitator tax, commission and other fees,
  // promotions, refunds, reserves, advertising, shipping labels,
  // reimbursements, service fees, plus the deposit, carried-forward and
  // unmapped accounts.
  static AccountMap Defaults();

  // A map of `rules`. Role rules (kDepositRule, …) not given take their
  // default. InvalidArgument naming the rule (1-based) for an empty field or
  // account code, or a key given twice.
  static Result<AccountMap> FromRules(std::vector<AccountRule> rules);

  // The account of the most specific rule matching the key (an exact field
  // beats "*"; transaction-type weighs most, then amount-type); nullptr when
  // no rule matches: the row belongs to the unmapped account.
  const Account* Find(std::string_view transaction_type, std::string_view amount_type,
                      std::string_view amount_description) const;

  // The accounts of the deposit, the months carried forward and the unmapped rows.
  const Account& Deposit() const { return deposit_; }
  const Account& CarriedForward() const { return carried_forward_; }
  const Account& Unmapped() const { return unmapped_; }

  // Every rule, role rules included, sorted by key.
  const std::vector<AccountRule>& Rules() const { return rules_; }

 private:
  std::vector<AccountRule> rules_;
  Account deposit_;
  Account carried_forward_;
  Account unmapped_;
};

// The rules as CSV with the header
// "transaction_type,amount_type,amount_description,account_code,account_name"
// (RFC 4180 quoting), for `sellerbridge finance accounts export`.
std::string AccountRulesToCsv(const std::vector<AccountRule>& rules);

// Reads what AccountRulesToCsv writes (CRLF or LF, a UTF-8 byte-order mark
// allowed, columns by header name). InvalidArgument naming `source_name`, the
// line and the problem for a missing column, a short row or bad quoting.
Result<std::vector<AccountRule>> ParseAccountRulesCsv(std::string_view text,
                                                      std::string_view source_name);

}  // namespace sellerbridge::finance
