#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "finance/accounts.h"
#include "finance/settlement_file.h"
#include "finance/settlement_totals.h"

namespace sellerbridge::finance {

// One line of a journal. Amounts follow the ledger's sign: a debit is
// positive, a credit negative, so a balanced journal's lines sum to zero.
struct JournalLine {
  Account account;
  std::int64_t amount_minor = 0;
  std::string description;  // E.g. "Order / ItemPrice / Principal (12 rows)"; never buyer data.

  friend bool operator==(const JournalLine&, const JournalLine&) = default;
};

// The summarised journal of one settlement for one calendar month.
struct Journal {
  std::string settlement_id;
  std::string period;  // "2026-10".
  TimePoint date;      // The month's last day, or the deposit date in the last month.
  std::string currency;
  int minor_digits = 2;
  std::string narration;        // "Amazon settlement 123… 2026-10-25–2026-11-08, October 2026".
  std::string idempotency_key;  // "amazon-settlement-<settlement-id>-<period>".
  std::vector<JournalLine> lines;  // One per account, summing to zero.

  friend bool operator==(const Journal&, const Journal&) = default;
};

// The journals of one settlement and whether they can be posted.
struct SettlementJournals {
  std::string settlement_id;
  std::string currency;
  int minor_digits = 2;
  std::int64_t deposit_minor = 0;     // The summary's total-amount.
  std::int64_t rows_sum_minor = 0;    // What the rows add up to.
  std::int64_t difference_minor = 0;  // deposit − rows; not zero: flagged.
  std::vector<std::string> unmapped;  // "Type / AmountType / Description" keys without a rule.
  std::vector<Journal> journals;      // By period.

  // Unbalanced or with unmapped rows.
  bool NeedsAttention() const { return difference_minor != 0 || !unmapped.empty(); }
};

// Builds one journal per calendar month of `totals`, and one for the month
// of the deposit (deposit-date, else settlement-end-date) when that is
// later. Each month's journal has one line per account (rows mapped by
// `accounts`; the settlement's sign turned into the ledger's: money to the
// seller is a credit). Months before the last are balanced against the
// carried-forward account, which the last month releases; the last month's
// journal, dated the deposit date, debits the deposit account with
// total-amount. When the rows do not add up to total-amount,
// the difference is booked to the unmapped account and reported in
// difference_minor. Thread-safe.
SettlementJournals BuildJournals(const SettlementSummary& summary,
                                 const std::vector<SettlementTotal>& totals,
                                 const AccountMap& accounts);

}  // namespace sellerbridge::finance
