#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::finance {

// The character encodings Amazon writes settlement files in. kAuto takes
// UTF-8 (with or without a byte-order mark) while the bytes are valid UTF-8,
// Shift_JIS (Windows code page 932) for a JPY settlement, and Windows-1252
// (a superset of ISO-8859-1's printable characters) otherwise.
enum class TextEncoding { kAuto, kUtf8, kLatin1, kWindows1252, kShiftJis };

// "auto", "utf-8", "iso-8859-1", "windows-1252", "shift_jis".
std::string_view TextEncodingName(TextEncoding encoding);
// Parses a name TextEncodingName returns (case-insensitive; "latin1", "cp1252",
// "cp932", "sjis" and "utf8" too); InvalidArgument naming the value otherwise.
Result<TextEncoding> ParseTextEncoding(std::string_view name);

// The summary row of a settlement file: the first data row, whose
// transaction columns are blank.
struct SettlementSummary {
  std::string settlement_id;
  std::optional<TimePoint> start;
  std::optional<TimePoint> end;
  std::optional<TimePoint> deposit_date;
  std::int64_t total_minor = 0;  // total-amount: the deposit.
  std::string currency;          // ISO 4217, e.g. "GBP".
  int minor_digits = 2;          // 0 for JPY.
  std::int64_t line = 0;         // Its line in the file; 0 when the file has none.
};

// One transaction row of a settlement file. Text fields are UTF-8 and point
// into the parser's buffers: they are valid only during the row callback.
struct SettlementRow {
  std::int64_t line = 0;  // 1-based line of the file; the header is line 1.
  std::string_view settlement_id;
  std::string_view transaction_type;  // "Order", "Refund", "ServiceFee", "other-transaction", …
  std::string_view order_id;          // May be empty or not an order id (field note 12).
  std::string_view merchant_order_id;
  std::string_view adjustment_id;
  std::string_view shipment_id;
  std::string_view marketplace_name;
  std::string_view amount_type;         // "ItemPrice", "ItemFees", …
  std::string_view amount_description;  // "Principal", "Commission", …
  std::int64_t amount_minor = 0;        // Signed, in the currency's minor units.
  std::string_view fulfillment_id;      // "MFN", "AFN" or empty.
  TimePoint posted;                     // posted-date-time, else posted-date at midnight UTC.
  std::string_view order_item_code;
  std::string_view merchant_order_item_id;
  std::string_view merchant_adjustment_item_id;
  std::string_view sku;
  int quantity = 0;  // quantity-purchased; 0 when blank.
  std::string_view promotion_id;
};

// A row that could not be read, with its line in the file.
struct RowProblem {
  std::int64_t line = 0;
  std::string message;  // Names the column and the value; never buyer data.

  friend bool operator==(const RowProblem&, const RowProblem&) = default;
};

struct ParseOptions {
  TextEncoding encoding = TextEncoding::kAuto;
  // Problems kept in detail; beyond this only ProblemCount() grows.
  std::size_t max_problems = 1000;
};

// Reads a GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 document as a stream:
// tab-separated, columns found by header name (optional and unknown trailing
// columns allowed), LF or CRLF line ends, amounts with dot or comma decimals
// and thousands separators, dates as "yyyy-mm-dd HH:MM:SS UTC",
// "dd.mm.yyyy[ HH:MM:SS[ UTC]]", "yyyy-mm-dd", "MM/DD/YY" (posted-date) or
// ISO 8601 with an offset. Memory does not grow with the file: only the
// current line is held.
//
// A row that cannot be read (a bad amount or date, too few columns, a
// transaction row before the summary row, whose currency fixes the decimals)
// is not passed on: it is recorded in Problems() with its line number, and
// parsing goes on. Not thread-safe.
class SettlementParser {
 public:
  using RowHandler = std::function<void(const SettlementRow&)>;

  SettlementParser(ParseOptions options, RowHandler on_row);
  ~SettlementParser();
  SettlementParser(const SettlementParser&) = delete;
  SettlementParser& operator=(const SettlementParser&) = delete;

  // Reads the next bytes of the file; chunks may split lines anywhere.
  // InvalidArgument only when the file cannot be a settlement file: the
  // header lacks a required column (named in the message), the text cannot
  // be decoded in the encoding asked for, or a line is longer than 1 MiB.
  // After an error every later Feed returns it again.
  Status Feed(std::string_view bytes);
  // Reads the last line if it has no line end. InvalidArgument for a file
  // without a header or without a summary row. Feed after Finish is a bug.
  Status Finish();

  const SettlementSummary& Summary() const;
  const std::vector<RowProblem>& Problems() const;  // At most max_problems.
  std::int64_t ProblemCount() const;                // Every problem, kept or not.
  std::int64_t RowCount() const;                    // Rows passed to the handler.
  std::int64_t BytesRead() const;
  // As detected once known; kAuto before. With kAuto asked for, kUtf8 after a
  // byte-order mark or at Finish, and the legacy code page from the first
  // line that is not UTF-8.
  TextEncoding Encoding() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses the whole of `text`; the same as one Feed and Finish.
Status ParseSettlementText(std::string_view text, SettlementParser& parser);

}  // namespace sellerbridge::finance
