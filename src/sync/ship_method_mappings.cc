#include "sync/ship_method_mappings.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <tuple>

#include "amazon/carrier_codes.h"
#include "base/csv.h"
#include "base/status_macros.h"

namespace sellerbridge::sync {
namespace {

using domain::ShipMethodMapping;
using domain::ShipMethodMappingData;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// One column of the CSV layout: the text field it fills, or none for is_prime.
struct Column {
  std::string_view name;
  std::string ShipMethodMappingData::*member;
};

// Indexes into kColumns of the columns the header checks name.
constexpr std::size_t kLevelColumn = 1;
constexpr std::size_t kAutomatedCarrierColumn = 2;
constexpr std::size_t kAutomatedMethodColumn = 3;
constexpr std::size_t kIsPrimeColumn = 4;

// The columns every file needs, besides those of the way orders are matched.
constexpr std::array<std::size_t, 5> kRequiredColumns = {0, kIsPrimeColumn, 5, 6, 7};

const std::array<Column, kMappingCsvColumns.size()> kColumns = {{
    {kMappingCsvColumns[0], &ShipMethodMappingData::marketplace_id},
    {kMappingCsvColumns[1], &ShipMethodMappingData::ship_service_level},
    {kMappingCsvColumns[2], &ShipMethodMappingData::automated_carrier},
    {kMappingCsvColumns[3], &ShipMethodMappingData::automated_ship_method},
    {kMappingCsvColumns[kIsPrimeColumn], nullptr},
    {kMappingCsvColumns[5], &ShipMethodMappingData::clarus_carrier},
    {kMappingCsvColumns[6], &ShipMethodMappingData::clarus_service},
    {kMappingCsvColumns[7], &ShipMethodMappingData::amazon_carrier_code},
    {kMappingCsvColumns[8], &ShipMethodMappingData::amazon_carrier_name},
    {kMappingCsvColumns[9], &ShipMethodMappingData::amazon_shipping_method},
}};

// The fields a mapping carries beyond its key, for audit details.
constexpr std::array<std::size_t, 5> kValueColumns = {5, 6, 7, 8, 9};

// A problem of a CSV file at `line` (1-based).
struct Problem {
  int line = 0;
  std::string message;
};

bool IsControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsBlank(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// `text` quoted for a message: control characters shown as '?', long values cut short, so that
// a message stays on one line whatever a file holds.
std::string Shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;
  std::string out;
  for (const char c : text.substr(0, kMaxShown)) {
    out.push_back(IsControl(c) ? '?' : c);
  }
  if (text.size() > kMaxShown) {
    out += "...";
  }
  return fmt::format("'{}'", out);
}

std::string FieldValue(const ShipMethodMappingData& data, std::size_t column) {
  if (column == kIsPrimeColumn) {
    return data.is_prime ? "true" : "false";
  }
  return data.*kColumns[column].member;
}

std::string AllColumnNames() { return fmt::format("{}", fmt::join(kMappingCsvColumns, ", ")); }

// A problem for each text field with a control character or line break. Messages quote field
// values, so the other checks run only on mappings without any.
std::vector<std::string> ControlCharacterProblems(const ShipMethodMappingData& data) {
  std::vector<std::string> problems;
  for (std::size_t column = 0; column < kColumns.size(); ++column) {
    if (column == kIsPrimeColumn) {
      continue;
    }
    const std::string& value = data.*kColumns[column].member;
    if (std::any_of(value.begin(), value.end(), IsControl)) {
      problems.push_back(fmt::format("{} {} contains a line break or control character",
                                     kColumns[column].name, Shown(value)));
    }
  }
  return problems;
}

// Control characters, else what the domain rejects (as one problem).
std::vector<std::string> ShapeProblems(const ShipMethodMappingData& data) {
  std::vector<std::string> problems = ControlCharacterProblems(data);
  if (!problems.empty()) {
    return problems;
  }
  const Result<ShipMethodMapping> created = ShipMethodMapping::Create(data);
  if (!created.ok()) {
    problems.push_back(created.status().message());
  }
  return problems;
}

// Orders ship-method keys field by field.
struct KeyLess {
  bool operator()(const store::ShipMethodKey& a, const store::ShipMethodKey& b) const {
    return std::tie(a.marketplace_id, a.ship_service_level, a.automated_carrier,
                    a.automated_ship_method, a.is_prime) <
           std::tie(b.marketplace_id, b.ship_service_level, b.automated_carrier,
                    b.automated_ship_method, b.is_prime);
  }
};

// --- CSV ---------------------------------------------------------

struct CsvRecord {
  int line = 0;  // Where the record starts.
  std::vector<std::string> fields;
  bool broken = false;  // A problem was reported; the record is not read further.
};

// Splits CSV text into records, reporting unclosed quotes and text after a closing quote.
std::vector<CsvRecord> SplitCsv(std::string_view text, std::vector<Problem>& problems) {
  if (text.starts_with(kUtf8Bom)) {
    text.remove_prefix(kUtf8Bom.size());
  }
  const std::size_t size = text.size();
  const auto at_line_end = [&](std::size_t at) {
    return at < size && (text[at] == '\n' || text[at] == '\r');
  };
  std::vector<CsvRecord> records;
  std::size_t pos = 0;
  int line = 1;
  while (pos < size) {
    CsvRecord record;
    record.line = line;
    bool quoted_any = false;
    while (true) {
      std::string field;
      std::size_t start = pos;
      while (start < size && IsBlank(text[start])) {
        ++start;
      }
      if (start < size && text[start] == '"') {
        quoted_any = true;
        pos = start + 1;
        bool closed = false;
        while (pos < size) {
          const char c = text[pos];
          if (c == '"') {
            if (pos + 1 < size && text[pos + 1] == '"') {
              field.push_back('"');
              pos += 2;
              continue;
            }
            ++pos;
            closed = true;
            break;
          }
          if (c == '\n' || (c == '\r' && (pos + 1 >= size || text[pos + 1] != '\n'))) {
            ++line;
          }
          field.push_back(c);
          ++pos;
        }
        if (!closed) {
          problems.push_back(
              {record.line, fmt::format("field {} opens a quote that is never closed",
                                        record.fields.size() + 1)});
          record.broken = true;
          records.push_back(std::move(record));
          return records;
        }
        while (pos < size && IsBlank(text[pos])) {
          ++pos;
        }
        if (pos < size && text[pos] != ',' && !at_line_end(pos)) {
          problems.push_back({line, fmt::format("field {} has text after its closing quote",
                                                record.fields.size() + 1)});
          record.broken = true;
          while (pos < size && text[pos] != ',' && !at_line_end(pos)) {
            ++pos;
          }
        }
      } else {
        std::size_t end = pos;
        while (end < size && text[end] != ',' && !at_line_end(end)) {
          ++end;
        }
        field = std::string(Trim(text.substr(pos, end - pos)));
        pos = end;
      }
      record.fields.push_back(std::move(field));
      if (pos >= size) {
        break;
      }
      if (text[pos] == ',') {
        ++pos;
        continue;
      }
      // A line end: CRLF, LF or a lone CR.
      if (text[pos] == '\r' && pos + 1 < size && text[pos + 1] == '\n') {
        ++pos;
      }
      ++pos;
      ++line;
      break;
    }
    const bool blank = record.fields.size() == 1 && record.fields[0].empty() && !quoted_any;
    if (!blank) {
      records.push_back(std::move(record));
    }
  }
  return records;
}

// One data row of a CSV file.
struct CsvRow {
  int line = 0;
  ShipMethodMappingData data;
  bool prime_ok = true;  // False when is_prime could not be read (data.is_prime is then false).
};

// Reads the header and the rows; every problem goes to `problems`. Rows that cannot be read at
// all (broken quoting, the wrong number of fields) are left out.
std::vector<CsvRow> ReadRows(std::string_view text, std::vector<Problem>& problems) {
  const std::vector<CsvRecord> records = SplitCsv(text, problems);
  if (records.empty()) {
    if (problems.empty()) {
      problems.push_back({1, fmt::format("no header row: the first line names the columns ({})",
                                         AllColumnNames())});
    }
    return {};
  }
  const CsvRecord& header = records.front();
  if (header.broken) {
    return {};
  }
  std::vector<std::size_t> column_of_field;  // Index into kColumns, per field of a row.
  std::vector<bool> present(kColumns.size(), false);
  const std::size_t problems_before = problems.size();
  for (const std::string& name : header.fields) {
    const std::string wanted = Lower(Trim(name));
    const auto found = std::find_if(kColumns.begin(), kColumns.end(),
                                    [&](const Column& column) { return column.name == wanted; });
    if (found == kColumns.end()) {
      problems.push_back({header.line, fmt::format("unknown column {} (the columns are: {})",
                                                   Shown(name), AllColumnNames())});
      continue;
    }
    const auto index = static_cast<std::size_t>(found - kColumns.begin());
    if (present[index]) {
      problems.push_back({header.line, fmt::format("column '{}' appears twice", found->name)});
      continue;
    }
    present[index] = true;
    column_of_field.push_back(index);
  }
  for (const std::size_t required : kRequiredColumns) {
    if (!present[required]) {
      problems.push_back(
          {header.line, fmt::format("missing column '{}'", kColumns[required].name)});
    }
  }
  const bool has_carrier = present[kAutomatedCarrierColumn];
  const bool has_method = present[kAutomatedMethodColumn];
  if (!present[kLevelColumn] && !has_carrier && !has_method) {
    problems.push_back({header.line,
                        "missing column 'ship_service_level' (or columns 'automated_carrier' and "
                        "'automated_ship_method')"});
  } else if (has_carrier != has_method) {
    const std::string_view given =
        kColumns[has_carrier ? kAutomatedCarrierColumn : kAutomatedMethodColumn].name;
    const std::string_view missing =
        kColumns[has_carrier ? kAutomatedMethodColumn : kAutomatedCarrierColumn].name;
    problems.push_back({header.line, fmt::format("column '{}' needs column '{}'", given, missing)});
  }
  if (problems.size() != problems_before) {
    return {};
  }

  std::vector<CsvRow> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    if (record.broken) {
      continue;
    }
    if (record.fields.size() != header.fields.size()) {
      problems.push_back({record.line, fmt::format("{} fields where the header has {}",
                                                   record.fields.size(), header.fields.size())});
      continue;
    }
    CsvRow row;
    row.line = record.line;
    for (std::size_t f = 0; f < record.fields.size(); ++f) {
      const std::size_t column = column_of_field[f];
      if (column != kIsPrimeColumn) {
        row.data.*kColumns[column].member = record.fields[f];
        continue;
      }
      const std::string value = Lower(record.fields[f]);
      if (value == "true" || value == "yes" || value == "1") {
        row.data.is_prime = true;
      } else if (value == "false" || value == "no" || value == "0") {
        row.data.is_prime = false;
      } else {
        row.prime_ok = false;
        problems.push_back({record.line, fmt::format("is_prime {} is not true/false, yes/no or 1/0",
                                                     Shown(record.fields[f]))});
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The problems as one message: "<source>:<line>: <message>" a line, by line.
std::string ProblemsMessage(std::string_view source, std::vector<Problem> problems) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  std::string out;
  for (const Problem& problem : problems) {
    if (!out.empty()) {
      out += '\n';
    }
    out += fmt::format("{}:{}: {}", source, problem.line, problem.message);
  }
  return out;
}

// Reports a key repeated in a file, remembering where each key first appeared.
void CheckRepeatedKey(const ShipMethodMapping& mapping, int line,
                      std::map<store::ShipMethodKey, int, KeyLess>& first_line,
                      std::vector<Problem>& problems) {
  const auto [it, inserted] = first_line.emplace(store::KeyOf(mapping), line);
  if (!inserted) {
    problems.push_back(
        {line, fmt::format("mapping {} repeats line {}", mapping.Key(), it->second)});
  }
}

// --- Audit -------------------------------------------------------

// "clarus_carrier 'ROYALMAIL', clarus_service 'RM24', …": the values beyond the key, empty ones
// left out.
std::string DescribeValues(const ShipMethodMappingData& data) {
  std::vector<std::string> parts;
  for (const std::size_t column : kValueColumns) {
    const std::string value = FieldValue(data, column);
    if (!value.empty()) {
      parts.push_back(fmt::format("{} '{}'", kColumns[column].name, value));
    }
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// "clarus_service 'RM48' → 'RM24'; …": the values that differ.
std::string DescribeChanges(const ShipMethodMappingData& before,
                            const ShipMethodMappingData& after) {
  std::vector<std::string> parts;
  for (const std::size_t column : kValueColumns) {
    const std::string old_value = FieldValue(before, column);
    const std::string new_value = FieldValue(after, column);
    if (old_value != new_value) {
      parts.push_back(fmt::format("{} '{}' → '{}'", kColumns[column].name, old_value, new_value));
    }
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

const ShipMethodMapping* FindByKey(const std::vector<ShipMethodMapping>& mappings,
                                   const store::ShipMethodKey& key) {
  const auto found =
      std::find_if(mappings.begin(), mappings.end(),
                   [&](const ShipMethodMapping& m) { return store::KeyOf(m) == key; });
  return found == mappings.end() ? nullptr : &*found;
}

}  // namespace

std::string ShipMethodKeyText(const store::ShipMethodKey& key) {
  const std::string method =
      key.ship_service_level.empty()
          ? fmt::format("{} {}", key.automated_carrier, key.automated_ship_method)
          : key.ship_service_level;
  return fmt::format("{} / {} / {}", key.marketplace_id, method,
                     key.is_prime ? "prime" : "standard");
}

ShipMethodMappings::ShipMethodMappings(store::Store* store, CarrierCatalog* catalog, Clock* clock)
    : store_(store), catalog_(catalog), clock_(clock) {}

Result<std::vector<std::string>> ShipMethodMappings::Problems(const ShipMethodMappingData& data) {
  ClarusMemo memo;
  return ProblemsWith(data, memo);
}

Result<std::vector<std::string>> ShipMethodMappings::ProblemsWith(const ShipMethodMappingData& data,
                                                                  ClarusMemo& memo) {
  if (std::vector<std::string> control = ControlCharacterProblems(data); !control.empty()) {
    return control;
  }
  std::vector<std::string> problems = ShapeProblems(data);
  const std::string& code = data.amazon_carrier_code;
  if (!code.empty() && !amazon::IsAmazonCarrierCode(code)) {
    const std::vector<std::string> suggestions = amazon::SuggestCarrierCodes(code);
    if (suggestions.empty()) {
      problems.push_back(fmt::format(
          "amazon_carrier_code {} is not one of Amazon's carrier codes (for a carrier Amazon does "
          "not list, use 'Other' and give amazon_carrier_name)",
          Shown(code)));
    } else {
      std::vector<std::string> quoted;
      quoted.reserve(suggestions.size());
      for (const std::string& suggestion : suggestions) {
        quoted.push_back(Shown(suggestion));
      }
      const std::string choices =
          quoted.size() == 1
              ? quoted.front()
              : fmt::format("{} or {}", fmt::join(quoted.begin(), quoted.end() - 1, ", "),
                            quoted.back());
      problems.push_back(fmt::format(
          "amazon_carrier_code {} is not one of Amazon's carrier codes; did you mean {}?",
          Shown(code), choices));
    }
  }
  if (!data.clarus_carrier.empty() && !data.clarus_service.empty()) {
    const std::pair<std::string, std::string> wanted(data.clarus_carrier, data.clarus_service);
    auto known = memo.find(wanted);
    if (known == memo.end()) {
      const Result<ClarusServiceRef> found =
          catalog_->Find(data.clarus_carrier, data.clarus_service);
      if (!found.ok() && found.status().code() != StatusCode::kNotFound) {
        return found.status();
      }
      known = memo.emplace(wanted, found.ok() ? "" : found.status().message()).first;
    }
    if (!known->second.empty()) {
      problems.push_back(known->second);
    }
  }
  return problems;
}

Status ShipMethodMappings::Check(const ShipMethodMapping& mapping) {
  ASSIGN_OR_RETURN(const std::vector<std::string> problems, Problems(*mapping));
  if (problems.empty()) {
    return Status::Ok();
  }
  return InvalidArgumentError(
      fmt::format("ship-method mapping {}: {}", mapping.Key(), fmt::join(problems, "; ")));
}

Status ShipMethodMappings::Put(const ShipMethodMapping& mapping, std::string_view actor) {
  RETURN_IF_ERROR(Check(mapping));
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(const std::vector<ShipMethodMapping> stored, txn->ListShipMethodMappings());
  const ShipMethodMapping* before = FindByKey(stored, store::KeyOf(mapping));
  if (before != nullptr && *before == mapping) {
    return Status::Ok();
  }
  RETURN_IF_ERROR(txn->PutShipMethodMapping(mapping));
  const bool added = before == nullptr;
  RETURN_IF_ERROR(txn->AppendAudit({.at = clock_->Now(),
                                    .actor = std::string(actor),
                                    .action = added ? "mapping.add" : "mapping.change",
                                    .subject = mapping.Key(),
                                    .details = added ? DescribeValues(*mapping)
                                                     : DescribeChanges(**before, *mapping)})
                      .status());
  RETURN_IF_ERROR(txn->Commit());
  spdlog::info("ship-method mapping {} {} by {}", mapping.Key(), added ? "added" : "changed",
               actor);
  return Status::Ok();
}

Status ShipMethodMappings::Delete(const store::ShipMethodKey& key, std::string_view actor) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(const std::vector<ShipMethodMapping> stored, txn->ListShipMethodMappings());
  const ShipMethodMapping* before = FindByKey(stored, key);
  if (before == nullptr) {
    return NotFoundError(fmt::format("no ship-method mapping {}", ShipMethodKeyText(key)));
  }
  RETURN_IF_ERROR(txn->DeleteShipMethodMapping(key));
  RETURN_IF_ERROR(txn->AppendAudit({.at = clock_->Now(),
                                    .actor = std::string(actor),
                                    .action = "mapping.delete",
                                    .subject = before->Key(),
                                    .details = DescribeValues(**before)})
                      .status());
  RETURN_IF_ERROR(txn->Commit());
  spdlog::info("ship-method mapping {} deleted by {}", before->Key(), actor);
  return Status::Ok();
}

Result<std::vector<ShipMethodMapping>> ShipMethodMappings::List() {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->BeginReadOnly());
  return txn->ListShipMethodMappings();
}

Result<MappingImportReport> ShipMethodMappings::Import(std::string_view text,
                                                       std::string_view source,
                                                       std::string_view actor, bool replace) {
  std::vector<Problem> problems;
  const std::vector<CsvRow> rows = ReadRows(text, problems);
  ClarusMemo memo;
  std::map<store::ShipMethodKey, int, KeyLess> first_line;
  std::vector<std::pair<int, ShipMethodMapping>> mappings;
  for (const CsvRow& row : rows) {
    ASSIGN_OR_RETURN(const std::vector<std::string> row_problems, ProblemsWith(row.data, memo));
    for (const std::string& problem : row_problems) {
      problems.push_back({row.line, problem});
    }
    Result<ShipMethodMapping> mapping = ShipMethodMapping::Create(row.data);
    if (!row.prime_ok || !mapping.ok() || !ControlCharacterProblems(row.data).empty()) {
      continue;
    }
    CheckRepeatedKey(*mapping, row.line, first_line, problems);
    mappings.emplace_back(row.line, std::move(mapping).value());
  }
  if (!problems.empty()) {
    return InvalidArgumentError(ProblemsMessage(source, std::move(problems)));
  }

  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(const std::vector<ShipMethodMapping> stored, txn->ListShipMethodMappings());
  MappingImportReport report;
  const TimePoint now = clock_->Now();
  for (const auto& [line, mapping] : mappings) {
    const ShipMethodMapping* before = FindByKey(stored, store::KeyOf(mapping));
    if (before != nullptr && *before == mapping) {
      ++report.unchanged;
      continue;
    }
    RETURN_IF_ERROR(txn->PutShipMethodMapping(mapping));
    const bool added = before == nullptr;
    ++(added ? report.added : report.changed);
    RETURN_IF_ERROR(
        txn->AppendAudit({.at = now,
                          .actor = std::string(actor),
                          .action = added ? "mapping.add" : "mapping.change",
                          .subject = mapping.Key(),
                          .details = fmt::format("{}:{}: {}", source, line,
                                                 added ? DescribeValues(*mapping)
                                                       : DescribeChanges(**before, *mapping))})
            .status());
  }
  if (replace) {
    for (const ShipMethodMapping& old : stored) {
      if (first_line.contains(store::KeyOf(old))) {
        continue;
      }
      RETURN_IF_ERROR(txn->DeleteShipMethodMapping(store::KeyOf(old)));
      ++report.removed;
      RETURN_IF_ERROR(txn->AppendAudit({.at = now,
                                        .actor = std::string(actor),
                                        .action = "mapping.delete",
                                        .subject = old.Key(),
                                        .details = fmt::format("not in {} (replace): {}", source,
                                                               DescribeValues(*old))})
                          .status());
    }
  }
  RETURN_IF_ERROR(txn->Commit());
  spdlog::info(
      "ship-method mappings imported from {} by {}: {} added, {} changed, {} unchanged, {} removed",
      source, actor, report.added, report.changed, report.unchanged, report.removed);
  return report;
}

Result<std::vector<ShipMethodMapping>> ShipMethodMappings::ParseCsv(std::string_view text,
                                                                    std::string_view source_name) {
  std::vector<Problem> problems;
  const std::vector<CsvRow> rows = ReadRows(text, problems);
  std::map<store::ShipMethodKey, int, KeyLess> first_line;
  std::vector<ShipMethodMapping> mappings;
  for (const CsvRow& row : rows) {
    const std::vector<std::string> row_problems = ShapeProblems(row.data);
    for (const std::string& problem : row_problems) {
      problems.push_back({row.line, problem});
    }
    if (!row.prime_ok || !row_problems.empty()) {
      continue;
    }
    Result<ShipMethodMapping> mapping = ShipMethodMapping::Create(row.data);
    CheckRepeatedKey(*mapping, row.line, first_line, problems);
    mappings.push_back(std::move(mapping).value());
  }
  if (!problems.empty()) {
    return InvalidArgumentError(ProblemsMessage(source_name, std::move(problems)));
  }
  return mappings;
}

std::string ShipMethodMappings::ExportCsv(const std::vector<ShipMethodMapping>& mappings) {
  std::string out = fmt::format("{}\n", fmt::join(kMappingCsvColumns, ","));
  for (const ShipMethodMapping& mapping : mappings) {
    for (std::size_t column = 0; column < kColumns.size(); ++column) {
      if (column > 0) {
        out += ',';
      }
      out += CsvField(FieldValue(*mapping, column));
    }
    out += '\n';
  }
  return out;
}

}  // namespace sellerbridge::sync
