#include "finance/returns.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/csv.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "domain/order.h"

namespace sellerbridge::finance {
namespace {

constexpr std::string_view kOrderColumn = "amazon_order_id";
constexpr std::string_view kReceivedColumn = "received_at";

// An ISO 8601 time, or a date alone as midnight UTC.
Result<TimePoint> ParseReceived(std::string_view text) {
  if (text.size() == 10) {
    return ParseIso8601(fmt::format("{}T00:00:00Z", text));
  }
  return ParseIso8601(text);
}

}  // namespace

Result<std::vector<store::ReturnReceipt>> ParseReturnsCsv(std::string_view text,
                                                          std::string_view source_name) {
  CsvReader reader(text, source_name);
  ASSIGN_OR_RETURN(std::optional<CsvRecord> header, reader.Next());
  if (!header) {
    return reader.Error(1, fmt::format("the file is empty; expected the header {},{}", kOrderColumn,
                                       kReceivedColumn));
  }
  const auto column = [&](std::string_view name) -> Result<std::size_t> {
    const auto found = std::find(header->fields.begin(), header->fields.end(), name);
    if (found == header->fields.end()) {
      return reader.Error(header->line, fmt::format("the header lacks the column {}", name));
    }
    return static_cast<std::size_t>(found - header->fields.begin());
  };
  ASSIGN_OR_RETURN(const std::size_t order_column, column(kOrderColumn));
  ASSIGN_OR_RETURN(const std::size_t received_column, column(kReceivedColumn));
  const std::string source = fmt::format("import:{}", source_name);
  std::vector<store::ReturnReceipt> receipts;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<CsvRecord> record, reader.Next());
    if (!record) {
      return receipts;
    }
    if (record->fields.size() <= std::max(order_column, received_column)) {
      return reader.Error(record->line, fmt::format("the row has {} fields; the header has {}",
                                                    record->fields.size(), header->fields.size()));
    }
    const std::string& order_id = record->fields[order_column];
    if (!domain::IsAmazonOrderId(order_id)) {
      return reader.Error(record->line,
                          fmt::format("'{}' is not an Amazon order id (3-7-7 digits)", order_id));
    }
    const Result<TimePoint> received = ParseReceived(record->fields[received_column]);
    if (!received.ok()) {
      return reader.Error(record->line,
                          fmt::format("received_at '{}' is not a date (yyyy-mm-dd) or an ISO 8601 "
                                      "time",
                                      record->fields[received_column]));
    }
    receipts.push_back({.amazon_order_id = order_id, .received_at = *received, .source = source});
  }
}

}  // namespace sellerbridge::finance
