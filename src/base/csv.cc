#include "base/csv.h"

#include <fmt/format.h>

namespace sellerbridge {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsLineEnd(char c) { return c == '\n' || c == '\r'; }

}  // namespace

std::string CsvField(std::string_view value) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  const bool needs_quotes = value.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!value.empty() && (blank(value.front()) || blank(value.back())));
  if (!needs_quotes) {
    return std::string(value);
  }
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
  return out;
}

CsvReader::CsvReader(std::string_view text, std::string_view source_name)
    : text_(text), source_name_(source_name) {
  if (text_.starts_with(kUtf8Bom)) {
    text_.remove_prefix(kUtf8Bom.size());
  }
}

Result<std::optional<CsvRecord>> CsvReader::Next() {
  while (pos_ < text_.size() && IsLineEnd(text_[pos_])) {
    SkipLineEnd();
  }
  if (pos_ >= text_.size()) {
    return std::optional<CsvRecord>();
  }
  CsvRecord record;
  record.line = line_;
  while (true) {
    std::string field;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const std::int64_t opened_on = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n' || (c == '\r' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '\n'))) {
          ++line_;
        }
        field += c;
        ++pos_;
      }
      if (!closed) {
        return Error(opened_on, "a quoted field is never closed");
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && !IsLineEnd(text_[pos_])) {
        return Error(line_, "text after a closing quote (a quote inside a field is written \"\")");
      }
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && !IsLineEnd(text_[pos_])) {
        if (text_[pos_] == '"') {
          return Error(line_, "a quote inside an unquoted field (quote the whole field)");
        }
        field += text_[pos_];
        ++pos_;
      }
    }
    record.fields.push_back(std::move(field));
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    if (pos_ < text_.size()) {
      SkipLineEnd();
    }
    return std::optional<CsvRecord>(std::move(record));
  }
}

Status CsvReader::Error(std::int64_t line, std::string_view problem) const {
  return InvalidArgumentError(fmt::format("{}:{}: {}", source_name_, line, problem));
}

// Consumes one LF, CRLF or lone CR.
void CsvReader::SkipLineEnd() {
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
    ++pos_;
  }
  ++pos_;
  ++line_;
}

}  // namespace sellerbridge
