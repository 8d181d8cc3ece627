#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "finance/journal.h"

namespace sellerbridge::finance {

// `minor` units as a decimal with `minor_digits` digits after a '.':
// (-123456, 2) → "-1234.56", (5, 2) → "0.05", (7, 0) → "7". Exact for every
// int64 value (no floating point). `minor_digits` is 0 to 18.
std::string FormatMinor(std::int64_t minor, int minor_digits);

// Every line of every journal as CSV (RFC 4180 quoting, CRLF line ends) with
// the header
// "settlement_id,period,date,account_code,account_name,currency,debit,credit,description";
// date is the journal's UTC date "YYYY-MM-DD", a debit (positive amount) or a
// credit (negative amount, written without its sign) as FormatMinor gives it,
// the other column empty. A zero line is written as a debit of zero.
std::string JournalsToCsv(const SettlementJournals& journals);

// One journal in sellerbridge's generic shape: {"settlement_id", "period",
// "date" ("YYYY-MM-DD", UTC), "narration", "idempotency_key", "currency",
// "lines": [{"account_code", "account_name", "debit", "credit", "amount",
// "description"}]}. Amounts are decimal strings (FormatMinor) so that no
// reader rounds them through a float: "debit" and "credit" are both
// non-negative ("0.00" on the side not used), "amount" is signed (debit
// positive), and the lines' amounts sum to zero.
nlohmann::json JournalToJson(const Journal& journal);

// All journals of a settlement: {"settlement_id", "currency", "deposit",
// "rows_sum", "difference" (decimal strings), "needs_attention",
// "unmapped": ["Type / AmountType / Description", …], "journals":
// [JournalToJson, …]}.
nlohmann::json JournalsToJson(const SettlementJournals& journals);

// One journal as a Xero Accounting API ManualJournal, for a POST to
// …/api.xro/2.0/ManualJournals wrapped as {"ManualJournals": [this]}:
// {"Narration", "Date": "YYYY-MM-DD", "Status": `status` ("DRAFT" or
// "POSTED"), "LineAmountTypes": "NoTax", "JournalLines": [{"LineAmount",
// "AccountCode", "Description"}]}. LineAmount is a JSON number with the
// currency's minor digits (debit positive, credit negative), parsed from the
// exact decimal so it prints as that decimal. Zero lines are left out (Xero
// has nothing to book for them). Xero books manual journals in the
// organisation's base currency, so the settlement's currency must be it.
nlohmann::json XeroManualJournal(const Journal& journal, std::string_view status);

}  // namespace sellerbridge::finance
