#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace sellerbridge::emulators::amazon {

// How a marketplace writes numbers in reports: UK/US "1234.56", DE/FR/IT/ES
// "1234,56".
enum class NumberFormat { kDotDecimal, kCommaDecimal };

// The number format of `marketplace_id`'s reports.
NumberFormat NumberFormatOf(std::string_view marketplace_id);

// One amount row of a settlement (one of the 23 columns' worth of data).
struct SettlementLine {
  std::string transaction_type;  // "Order", "Refund", "ServiceFee", "other-transaction", ...
  std::string order_id;          // May be empty (fees) or a non-order id.
  std::string merchant_order_id;
  std::string adjustment_id;
  std::string shipment_id;
  std::string marketplace_name;    // "Amazon.co.uk"
  std::string amount_type;         // "ItemPrice", "ItemFees", "Promotion", ...
  std::string amount_description;  // "Principal", "Commission", ...
  std::int64_t amount_minor = 0;   // Signed, in minor units.
  std::string fulfillment_id;      // "MFN" for merchant-fulfilled rows.
  TimePoint posted_date;
  std::string order_item_code;
  std::string merchant_order_item_id;
  std::string merchant_adjustment_item_id;
  std::string sku;
  int quantity_purchased = 0;
  std::string promotion_id;
};

struct Settlement {
  std::string settlement_id;
  TimePoint start_date;
  TimePoint end_date;
  TimePoint deposit_date;
  std::string currency;  // ISO 4217
  std::vector<SettlementLine> lines;
};

// How a document writes its date-times (settlement-start-date,
// settlement-end-date, deposit-date, posted-date-time) and posted-date.
enum class SettlementDateFormat {
  kUtc,      // "2026-08-05 14:03:09 UTC", posted-date "08/05/26": Amazon's documentation.
  kDotted,   // "05.08.2026 14:03:09 UTC", posted-date "05.08.2026": German date order.
  kIso8601,  // "2026-08-05T14:03:09+00:00", posted-date "08/05/26".
};

// The character encodings report documents come in, by marketplace.
enum class DocumentEncoding {
  kUtf8,
  kLatin1,       // ISO-8859-1.
  kWindows1252,  // Windows code page 1252.
  kShiftJis,     // Shift_JIS as Windows code page 932 writes it (Amazon.co.jp).
};

enum class LineEnd { kLf, kCrLf };

// How a document is written beyond its marketplace's number format: the
// variations a reader of settlement files has to cope with. The defaults
// write the format Amazon documents.
struct SettlementFileStyle {
  bool byte_order_mark = false;  // Starts with EF BB BF; only with kUtf8.
  LineEnd line_end = LineEnd::kLf;
  DocumentEncoding encoding = DocumentEncoding::kUtf8;
  SettlementDateFormat date_format = SettlementDateFormat::kUtc;
  bool thousands_separator = false;  // "1,234.56" / "1.234,56"; JPY "123,456".
  // Indexes into Settlement::lines whose amount is written unreadable, as if
  // damaged in transit (e.g. "-1,853,x" for -18.53); total-amount still
  // counts their real amount. Each index below lines.size().
  std::vector<std::size_t> damaged_lines;
};

// The 1-based line of the document on which Settlement::lines[index] is
// written: the header is line 1, the summary row line 2.
constexpr int SettlementFileLineOf(std::size_t index) { return static_cast<int>(index) + 3; }

// The number of decimals amounts in `currency` have: 0 for JPY, else 2.
int CurrencyDecimals(std::string_view currency);

// Writes a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 document: tab-separated,
// a header row with the 23 columns in Amazon's order, the summary row first
// (settlement-id, settlement-start-date, settlement-end-date, deposit-date,
// total-amount = the sum of every line, currency), then one row per line.
// Amounts use `format`'s decimal separator; `style` chooses the byte-order
// mark, line ends, encoding, date format, thousands separators and damaged
// amounts (the defaults: no mark, LF, UTF-8, "yyyy-mm-dd HH:MM:SS UTC", none,
// none). A byte-order mark with another encoding than UTF-8, or a damaged
// index out of range, is a bug (assert). Thread-safe.
std::string WriteSettlementFlatFile(const Settlement& settlement, NumberFormat format,
                                    const SettlementFileStyle& style = {});

// `utf8` in `encoding`; a character the encoding cannot represent, or a byte
// that is not UTF-8, becomes '?'. Thread-safe.
std::string TranscodeUtf8(std::string_view utf8, DocumentEncoding encoding);

}  // namespace sellerbridge::emulators::amazon
