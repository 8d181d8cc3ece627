#include "finance/journal_export.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <chrono>
#include <system_error>

#include "base/csv.h"

namespace sellerbridge::finance {
namespace {

using nlohmann::json;

std::string DateOf(TimePoint t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

// The shortest double that reads back as `decimal` prints as `decimal`, so a
// JSON number made this way carries the exact amount on the wire.
double DecimalNumber(const std::string& decimal) {
  double value = 0;
  const auto [end, error] = std::from_chars(decimal.data(), decimal.data() + decimal.size(), value);
  assert(error == std::errc() && end == decimal.data() + decimal.size());
  static_cast<void>(end);
  static_cast<void>(error);
  return value;
}

}  // namespace

std::string FormatMinor(std::int64_t minor, int minor_digits) {
  assert(minor_digits >= 0 && minor_digits <= 18);
  // The magnitude as unsigned, so that INT64_MIN has one too.
  const bool negative = minor < 0;
  const std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(minor)
                                           : static_cast<std::uint64_t>(minor);
  if (minor_digits <= 0) {
    return fmt::format("{}{}", negative ? "-" : "", magnitude);
  }
  std::uint64_t scale = 1;
  for (int i = 0; i < minor_digits; ++i) {
    scale *= 10;
  }
  return fmt::format("{}{}.{:0{}}", negative ? "-" : "", magnitude / scale, magnitude % scale,
                     minor_digits);
}

std::string JournalsToCsv(const SettlementJournals& journals) {
  std::string out =
      "settlement_id,period,date,account_code,account_name,currency,debit,credit,description\r\n";
  for (const Journal& journal : journals.journals) {
    const std::string date = DateOf(journal.date);
    for (const JournalLine& line : journal.lines) {
      const std::string debit =
          line.amount_minor >= 0 ? FormatMinor(line.amount_minor, journal.minor_digits) : "";
      // The sign dropped from the text rather than negated: INT64_MIN has no
      // positive counterpart.
      const std::string credit =
          line.amount_minor < 0 ? FormatMinor(line.amount_minor, journal.minor_digits).substr(1)
                                : "";
      out += fmt::format("{},{},{},{},{},{},{},{},{}\r\n", CsvField(journal.settlement_id),
                         CsvField(journal.period), date, CsvField(line.account.code),
                         CsvField(line.account.name), CsvField(journal.currency), debit, credit,
                         CsvField(line.description));
    }
  }
  return out;
}

json JournalToJson(const Journal& journal) {
  json lines = json::array();
  for (const JournalLine& line : journal.lines) {
    const std::string amount = FormatMinor(line.amount_minor, journal.minor_digits);
    const std::string zero = FormatMinor(0, journal.minor_digits);
    lines.push_back({{"account_code", line.account.code},
                     {"account_name", line.account.name},
                     {"debit", line.amount_minor > 0 ? amount : zero},
                     {"credit", line.amount_minor < 0 ? amount.substr(1) : zero},
                     {"amount", amount},
                     {"description", line.description}});
  }
  return {{"settlement_id", journal.settlement_id},
          {"period", journal.period},
          {"date", DateOf(journal.date)},
          {"narration", journal.narration},
          {"idempotency_key", journal.idempotency_key},
          {"currency", journal.currency},
          {"lines", std::move(lines)}};
}

json JournalsToJson(const SettlementJournals& journals) {
  json out_journals = json::array();
  for (const Journal& journal : journals.journals) {
    out_journals.push_back(JournalToJson(journal));
  }
  return {{"settlement_id", journals.settlement_id},
          {"currency", journals.currency},
          {"deposit", FormatMinor(journals.deposit_minor, journals.minor_digits)},
          {"rows_sum", FormatMinor(journals.rows_sum_minor, journals.minor_digits)},
          {"difference", FormatMinor(journals.difference_minor, journals.minor_digits)},
          {"needs_attention", journals.NeedsAttention()},
          {"unmapped", journals.unmapped},
          {"journals", std::move(out_journals)}};
}

json XeroManualJournal(const Journal& journal, std::string_view status) {
  json lines = json::array();
  for (const JournalLine& line : journal.lines) {
    if (line.amount_minor == 0) {
      continue;
    }
    lines.push_back(
        {{"LineAmount", DecimalNumber(FormatMinor(line.amount_minor, journal.minor_digits))},
         {"AccountCode", line.account.code},
         {"Description", line.description}});
  }
  return {{"Narration", journal.narration},
          {"Date", DateOf(journal.date)},
          {"Status", status},
          {"LineAmountTypes", "NoTax"},
          {"JournalLines", std::move(lines)}};
}

}  // namespace sellerbridge::finance
