#include "finance/journal.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace sellerbridge::finance {
namespace {

using std::chrono::days;
using std::chrono::year_month_day;

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// A calendar month, ordered by time.
struct Month {
  int year = 0;
  int month = 0;  // 1–12.

  friend bool operator<(const Month& a, const Month& b) {
    return std::tie(a.year, a.month) < std::tie(b.year, b.month);
  }
};

Month MonthOf(TimePoint t) {
  const year_month_day ymd{std::chrono::floor<days>(t)};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month()))};
}

std::string Period(Month m) { return fmt::format("{:04}-{:02}", m.year, m.month); }

std::string MonthName(Month m) {
  return fmt::format("{} {}", kMonthNames[static_cast<std::size_t>(m.month - 1)], m.year);
}

// 23:59:59 UTC on the month's last day: the latest moment a ledger dated by
// day still places in that month.
TimePoint EndOfMonth(Month m) {
  const std::chrono::year_month_day_last last{std::chrono::year{m.year} /
                                              std::chrono::month{static_cast<unsigned>(m.month)} /
                                              std::chrono::last};
  return std::chrono::sys_days{last} + days{1} - std::chrono::seconds{1};
}

// "25 Oct–8 Nov 2026", or with both years when they differ.
std::string DateRange(TimePoint start, TimePoint end) {
  const auto day_month = [](const year_month_day& ymd) {
    return fmt::format("{} {}", static_cast<unsigned>(ymd.day()),
                       kMonthNames[static_cast<unsigned>(ymd.month()) - 1].substr(0, 3));
  };
  const year_month_day from{std::chrono::floor<days>(start)};
  const year_month_day to{std::chrono::floor<days>(end)};
  if (from.year() == to.year()) {
    return fmt::format("{}\u2013{} {}", day_month(from), day_month(to),
                       static_cast<int>(to.year()));
  }
  return fmt::format("{} {}\u2013{} {}", day_month(from), static_cast<int>(from.year()),
                     day_month(to), static_cast<int>(to.year()));
}

std::string KeyText(const SettlementTotal& total) {
  return fmt::format("{} / {} / {}", total.transaction_type, total.amount_type,
                     total.amount_description);
}

// What one account collects in one month.
struct AccountSum {
  Account account;
  std::int64_t amount_minor = 0;  // Ledger sign.
  std::int64_t rows = 0;
  std::set<std::string> keys;  // Sorted, so descriptions do not depend on input order.
};

std::string Describe(const AccountSum& sum) {
  return fmt::format("{} ({} {})", fmt::join(sum.keys, ", "), sum.rows,
                     sum.rows == 1 ? "row" : "rows");
}

std::int64_t SumOf(const std::vector<JournalLine>& lines) {
  std::int64_t sum = 0;
  for (const JournalLine& line : lines) {
    sum += line.amount_minor;
  }
  return sum;
}

void AddLine(std::vector<JournalLine>& lines, const Account& account, std::int64_t amount_minor,
             std::string description) {
  if (amount_minor != 0) {
    lines.push_back(
        {.account = account, .amount_minor = amount_minor, .description = std::move(description)});
  }
}

}  // namespace

SettlementJournals BuildJournals(const SettlementSummary& summary,
                                 const std::vector<SettlementTotal>& totals,
                                 const AccountMap& accounts) {
  SettlementJournals result;
  result.settlement_id = summary.settlement_id;
  result.currency = summary.currency;
  result.minor_digits = summary.minor_digits;
  result.deposit_minor = summary.total_minor;

  // Month → (account code, name) → sum. The account's name takes part in the
  // key so that two rules naming one code differently stay visible.
  std::map<Month, std::map<std::pair<std::string, std::string>, AccountSum>> months;
  std::set<std::string> unmapped;
  for (const SettlementTotal& total : totals) {
    result.rows_sum_minor += total.amount_minor;
    const Account* account =
        accounts.Find(total.transaction_type, total.amount_type, total.amount_description);
    if (account == nullptr) {
      account = &accounts.Unmapped();
      unmapped.insert(KeyText(total));
    }
    AccountSum& sum = months[Month{total.year, total.month}][{account->code, account->name}];
    sum.account = *account;
    // Money Amazon pays the seller (a positive settlement amount) is income:
    // a credit, negative in the ledger.
    sum.amount_minor -= total.amount_minor;
    sum.rows += total.rows;
    sum.keys.insert(KeyText(total));
  }
  result.unmapped.assign(unmapped.begin(), unmapped.end());
  result.difference_minor = result.deposit_minor - result.rows_sum_minor;

  // The deposit's month closes the settlement: rows of earlier months are
  // booked in their own months and carried forward to it, so that a
  // settlement deposited in the next month puts nothing in the wrong period.
  const std::optional<TimePoint> deposited =
      summary.deposit_date ? summary.deposit_date : summary.end;
  Month last = months.empty() ? MonthOf(deposited.value_or(summary.start.value_or(TimePoint{})))
                              : months.rbegin()->first;
  if (deposited && last < MonthOf(*deposited)) {
    last = MonthOf(*deposited);
  }
  months.try_emplace(last);

  std::string range;
  if (summary.start && summary.end) {
    range = ", " + DateRange(*summary.start, *summary.end);
  }
  const TimePoint last_date = summary.deposit_date.value_or(summary.end.value_or(EndOfMonth(last)));

  // Earlier months first; a month whose lines all net to nothing has
  // nothing to post and is left out of the count.
  std::vector<Journal> journals;
  std::vector<Month> journal_months;
  std::int64_t carried_minor = 0;
  std::vector<std::string> carried_from;
  for (const auto& [month, sums] : months) {
    Journal journal;
    journal.settlement_id = summary.settlement_id;
    journal.period = Period(month);
    journal.currency = summary.currency;
    journal.minor_digits = summary.minor_digits;
    journal.idempotency_key =
        fmt::format("amazon-settlement-{}-{}", summary.settlement_id, journal.period);
    for (const auto& [key, sum] : sums) {
      AddLine(journal.lines, sum.account, sum.amount_minor, Describe(sum));
    }
    if (month < last) {
      if (journal.lines.empty()) {
        continue;
      }
      journal.date = EndOfMonth(month);
      // Debits what Amazon owes the seller for this month until the deposit
      // month's journal releases it.
      const std::int64_t carried = -SumOf(journal.lines);
      AddLine(journal.lines, accounts.CarriedForward(), carried,
              fmt::format("Settlement {} carried forward to {}", summary.settlement_id,
                          MonthName(last)));
      if (carried != 0) {
        carried_minor += carried;
        carried_from.push_back(MonthName(month));
      }
    } else {
      journal.date = last_date;
      AddLine(journal.lines, accounts.CarriedForward(), -carried_minor,
              fmt::format("Settlement {} carried forward from {}", summary.settlement_id,
                          fmt::join(carried_from, ", ")));
      journal.lines.push_back(
          {.account = accounts.Deposit(),
           .amount_minor = summary.total_minor,
           .description = fmt::format("Deposit of settlement {}", summary.settlement_id)});
      // The deposit is what reached the bank; when the rows say otherwise
      // the journal still balances, and the gap waits in suspense.
      AddLine(journal.lines, accounts.Unmapped(), -SumOf(journal.lines),
              "Difference to the deposit");
    }
    journals.push_back(std::move(journal));
    journal_months.push_back(month);
  }

  const std::size_t count = journals.size();
  for (std::size_t i = 0; i < count; ++i) {
    journals[i].narration =
        fmt::format("Amazon settlement {}{}: {} ({} of {})", summary.settlement_id, range,
                    MonthName(journal_months[i]), i + 1, count);
  }
  result.journals = std::move(journals);
  return result;
}

}  // namespace sellerbridge::finance
