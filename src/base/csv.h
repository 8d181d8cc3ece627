#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge {

// `value` as one RFC 4180 field: quoted (quotes doubled) when it holds a
// comma, a quote or a line break, or starts or ends with a space or tab (so
// that a reader that trims fields keeps them); as is otherwise. Thread-safe.
std::string CsvField(std::string_view value);

// One record of a CSV text.
struct CsvRecord {
  std::int64_t line = 0;  // The line it starts on, 1-based.
  std::vector<std::string> fields;
};

// Reads RFC 4180 records one at a time (LF, CRLF or CR line ends, a UTF-8
// byte-order mark skipped, blank lines skipped), counting physical lines so
// that an error can point at the line a person sees in an editor. `text`
// and `source_name` must outlive the reader. Not thread-safe.
class CsvReader {
 public:
  CsvReader(std::string_view text, std::string_view source_name);

  // The next record; nullopt at the end. InvalidArgument "SOURCE:LINE: …"
  // for a quoted field never closed, text after a closing quote, or a quote
  // inside an unquoted field.
  Result<std::optional<CsvRecord>> Next();

  // InvalidArgument "SOURCE:LINE: problem".
  Status Error(std::int64_t line, std::string_view problem) const;

 private:
  void SkipLineEnd();

  std::string_view text_;
  std::string_view source_name_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 1;
};

}  // namespace sellerbridge
