#include "finance/settlement_file.h"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "domain/money.h"

namespace sellerbridge::finance {
namespace {

enum class Column : std::uint8_t {
  kSettlementId,
  kStartDate,
  kEndDate,
  kDepositDate,
  kTotalAmount,
  kCurrency,
  kTransactionType,
  kOrderId,
  kMerchantOrderId,
  kAdjustmentId,
  kShipmentId,
  kMarketplaceName,
  kAmountType,
  kAmountDescription,
  kAmount,
  kFulfillmentId,
  kPostedDate,
  kPostedDateTime,
  kOrderItemCode,
  kMerchantOrderItemId,
  kMerchantAdjustmentItemId,
  kSku,
  kQuantityPurchased,
  kPromotionId,
};
constexpr std::size_t kColumnCount = 24;

// In the order of Column.
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {"settlement-id",
                                                                     "settlement-start-date",
                                                                     "settlement-end-date",
                                                                     "deposit-date",
                                                                     "total-amount",
                                                                     "currency",
                                                                     "transaction-type",
                                                                     "order-id",
                                                                     "merchant-order-id",
                                                                     "adjustment-id",
                                                                     "shipment-id",
                                                                     "marketplace-name",
                                                                     "amount-type",
                                                                     "amount-description",
                                                                     "amount",
                                                                     "fulfillment-id",
                                                                     "posted-date",
                                                                     "posted-date-time",
                                                                     "order-item-code",
                                                                     "merchant-order-item-id",
                                                                     "merchant-adjustment-item-id",
                                                                     "sku",
                                                                     "quantity-purchased",
                                                                     "promotion-id"};

constexpr std::size_t Index(Column column) { return static_cast<std::size_t>(column); }
std::string_view NameOf(Column column) { return kColumnNames[Index(column)]; }

constexpr std::size_t kAbsent = std::numeric_limits<std::size_t>::max();
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// A settlement line is a few hundred bytes; a longer "line" means the input is
// not a settlement file, and holding it would let memory grow with the input.
constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;
// Values quoted in problems are cut to this many bytes.
constexpr std::size_t kShownValueBytes = 40;

// Windows-1252's 0x80–0x9F. The five bytes the code page leaves undefined map
// to the C1 controls of the same value, as the WHATWG Encoding Standard does,
// so that no byte makes a line unreadable.
constexpr std::array<char16_t, 32> kWindows1252High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int DigitValue(char c) { return c - '0'; }

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

// The length of the space at `s[i]`: an ASCII space, or in UTF-8 a no-break
// space (U+00A0) or narrow no-break space (U+202F), which European number
// formats put between thousands; 0 for anything else.
std::size_t SpaceLength(std::string_view s, std::size_t i) {
  if (s[i] == ' ') {
    return 1;
  }
  if (s.substr(i, 2) == "\xC2\xA0") {
    return 2;
  }
  if (s.substr(i, 3) == "\xE2\x80\xAF") {
    return 3;
  }
  return 0;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty()) {
    const std::size_t length = SpaceLength(s, 0);
    if (length == 0) {
      break;
    }
    s.remove_prefix(length);
  }
  while (!s.empty()) {
    if (s.back() == ' ') {
      s.remove_suffix(1);
    } else if (s.ends_with("\xC2\xA0")) {
      s.remove_suffix(2);
    } else if (s.ends_with("\xE2\x80\xAF")) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

// Whether any byte of `s` is 0x80 or above, eight bytes at a time.
bool HasHighBytes(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t any = 0;
  while (n >= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, 8);
    any |= word;
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    any |= static_cast<std::uint64_t>(static_cast<unsigned char>(*p));
    ++p;
    --n;
  }
  return (any & 0x8080808080808080ULL) != 0;
}

bool IsValidUtf8(std::string_view s) {
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned lead = u[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > n) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((u[i + k] & 0xC0U) != 0x80U) {
        return false;
      }
    }
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
    const unsigned second = u[i + 1];
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
        (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
      return false;
    }
    i += length;
  }
  return true;
}

void AppendUtf8(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// `value` in quotes for a problem message, cut to a readable length on a
// UTF-8 character boundary.
std::string Quoted(std::string_view value) {
  if (value.size() <= kShownValueBytes) {
    return fmt::format("'{}'", value);
  }
  std::size_t cut = kShownValueBytes;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0U) == 0x80U) {
    --cut;
  }
  return fmt::format("'{}…'", value.substr(0, cut));
}

enum class AmountError : std::uint8_t { kNone, kEmpty, kNotNumber, kTooManyDecimals, kOutOfRange };

// Scales a magnitude read so far by ten and adds `digit`; false on overflow.
bool PushDigit(std::uint64_t& magnitude, int digit) {
  return !__builtin_mul_overflow(magnitude, std::uint64_t{10}, &magnitude) &&
         !__builtin_add_overflow(magnitude, static_cast<std::uint64_t>(digit), &magnitude);
}

AmountError SignedAmount(std::uint64_t magnitude, bool negative, std::int64_t& out) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > kMax + (negative ? 1U : 0U)) {
    return AmountError::kOutOfRange;
  }
  // Modulo 2^64 (defined since C++20), so that INT64_MIN needs no special case.
  out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return AmountError::kNone;
}

// The general reader for amounts with thousands separators or unusual
// decimals; `s` is trimmed and unsigned. See ParseAmount.
AmountError ParseAmountSlow(std::string_view s, int minor_digits, bool negative,
                            std::int64_t& out) {
  struct Separator {
    std::size_t pos;
    std::size_t length;
    char kind;  // '.', ',' or ' ' (any space).
  };
  constexpr std::size_t kMaxSeparators = 8;  // 10^24 is beyond int64 anyway.
  std::array<Separator, kMaxSeparators> separators{};
  std::size_t separator_count = 0;
  std::size_t digit_count = 0;
  std::size_t dots = 0;
  std::size_t commas = 0;
  bool has_space = false;
  for (std::size_t i = 0; i < s.size();) {
    if (IsDigit(s[i])) {
      ++digit_count;
      ++i;
      continue;
    }
    std::size_t length = 1;
    char kind = s[i];
    if (kind == '.') {
      ++dots;
    } else if (kind == ',') {
      ++commas;
    } else {
      length = SpaceLength(s, i);
      if (length == 0) {
        return AmountError::kNotNumber;
      }
      kind = ' ';
      has_space = true;
    }
    if (separator_count == kMaxSeparators) {
      return AmountError::kNotNumber;
    }
    separators[separator_count++] = {i, length, kind};
    i += length;
  }
  if (digit_count == 0) {
    return AmountError::kNotNumber;
  }

  // Which separator, if any, is the decimal one: the last of '.' and ',' when
  // both occur; a lone one unless it looks like a thousands separator.
  std::size_t decimal = kMaxSeparators;  // Index into separators; none by default.
  for (std::size_t k = separator_count; k-- > 0;) {
    if (separators[k].kind != ' ') {
      decimal = k;
      break;
    }
  }
  if (decimal != kMaxSeparators) {
    const Separator& last = separators[decimal];
    const std::size_t same_kind = last.kind == '.' ? dots : commas;
    if (dots > 0 && commas > 0) {
      if (same_kind > 1) {
        return AmountError::kNotNumber;
      }
    } else if (same_kind > 1) {
      decimal = kMaxSeparators;  // "1,234,567": all thousands.
    } else {
      const std::size_t after = s.size() - last.pos - last.length;
      const bool followed_by_separator = decimal + 1 < separator_count;
      const std::string_view leading = s.substr(0, last.pos);
      const bool leading_non_zero = leading.find_first_of("123456789") != std::string_view::npos;
      if (followed_by_separator ||
          (!has_space && after == 3 && leading_non_zero && minor_digits != 3)) {
        decimal = kMaxSeparators;
      }
    }
  }
  const std::size_t integer_end = decimal == kMaxSeparators ? s.size() : separators[decimal].pos;
  if (decimal != kMaxSeparators && decimal + 1 < separator_count) {
    return AmountError::kNotNumber;  // Nothing but digits after the decimal separator.
  }

  // Thousands groups: one or more digits first, then exactly three per group.
  const std::size_t thousands = decimal == kMaxSeparators ? separator_count : decimal;
  std::size_t group_start = 0;
  for (std::size_t k = 0; k <= thousands; ++k) {
    const std::size_t group_end = k < thousands ? separators[k].pos : integer_end;
    const std::size_t group_size = group_end - group_start;
    if ((k == 0 && thousands > 0 && group_size == 0) || (k > 0 && group_size != 3)) {
      return AmountError::kNotNumber;
    }
    if (k < thousands) {
      group_start = group_end + separators[k].length;
    }
  }

  std::uint64_t magnitude = 0;
  for (std::size_t i = 0; i < integer_end; ++i) {
    if (IsDigit(s[i]) && !PushDigit(magnitude, DigitValue(s[i]))) {
      return AmountError::kOutOfRange;
    }
  }
  std::size_t fraction_digits = 0;
  if (decimal != kMaxSeparators) {
    const std::string_view fraction =
        s.substr(separators[decimal].pos + separators[decimal].length);
    for (const char c : fraction) {
      if (fraction_digits < static_cast<std::size_t>(minor_digits)) {
        if (!PushDigit(magnitude, DigitValue(c))) {
          return AmountError::kOutOfRange;
        }
        ++fraction_digits;
      } else if (c != '0') {
        return AmountError::kTooManyDecimals;
      }
    }
  }
  for (; fraction_digits < static_cast<std::size_t>(minor_digits); ++fraction_digits) {
    if (!PushDigit(magnitude, 0)) {
      return AmountError::kOutOfRange;
    }
  }
  return SignedAmount(magnitude, negative, out);
}

// Reads an amount into minor units exactly. Either '.' or ',' may be the
// decimal separator; when both occur the last one is. A lone separator
// followed by exactly three digits after a non-zero integer part is a
// thousands separator ("1,234" is 1234) unless the currency has three
// decimals. Spaces and no-break spaces separate thousands. Digits beyond the
// currency's decimals must be zeros.
AmountError ParseAmount(std::string_view text, int minor_digits, std::int64_t& out) {
  std::string_view s = TrimSpaces(text);
  if (s.empty()) {
    return AmountError::kEmpty;
  }
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  // The common shapes, "1234", "12.99" and "-12,99", without the general
  // separator analysis. Fifteen digits times 1000 cannot overflow.
  constexpr std::size_t kFastDigits = 15;
  std::uint64_t magnitude = 0;
  std::size_t i = 0;
  while (i < s.size() && i < kFastDigits && IsDigit(s[i])) {
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(DigitValue(s[i]));
    ++i;
  }
  if (i > 0 && i < kFastDigits) {
    const auto minor = static_cast<std::size_t>(minor_digits);
    if (i == s.size()) {
      for (std::size_t k = 0; k < minor; ++k) {
        magnitude *= 10;
      }
      return SignedAmount(magnitude, negative, out);
    }
    if (minor > 0 && (s[i] == '.' || s[i] == ',') && s.size() - i - 1 == minor) {
      bool digits = true;
      for (std::size_t k = i + 1; k < s.size(); ++k) {
        digits = digits && IsDigit(s[k]);
        magnitude = magnitude * 10 + static_cast<std::uint64_t>(DigitValue(s[k]));
      }
      if (digits) {
        return SignedAmount(magnitude, negative, out);
      }
    }
  }
  if (s.empty()) {
    return AmountError::kNotNumber;
  }
  return ParseAmountSlow(s, minor_digits, negative, out);
}

// Reads `count` digits at `s[pos]`; false unless they are all there and all
// digits.
bool ReadNumber(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) {
    return false;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(s[i])) {
      return false;
    }
    value = value * 10 + DigitValue(s[i]);
  }
  out = value;
  return true;
}

// Reads "HH:MM[:SS][.fraction][ ][UTC|GMT|Z|±hh[:mm]|±hhmm]", the part of a
// date-time after the date and its separator.
bool ParseTimeOfDay(std::string_view s, Duration& out) {
  int hours = 0;
  int minutes = 0;
  int seconds = 0;
  if (!ReadNumber(s, 0, 2, hours) || s.size() < 5 || s[2] != ':' || !ReadNumber(s, 3, 2, minutes)) {
    return false;
  }
  std::size_t pos = 5;
  if (pos < s.size() && s[pos] == ':') {
    if (!ReadNumber(s, pos + 1, 2, seconds)) {
      return false;
    }
    pos += 3;
  }
  if (hours > 23 || minutes > 59 || seconds > 59) {
    return false;
  }
  std::int64_t nanos = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t digits = 0;
    for (; pos < s.size() && IsDigit(s[pos]); ++pos, ++digits) {
      if (digits < 9) {
        nanos = nanos * 10 + DigitValue(s[pos]);
      }
    }
    if (digits == 0) {
      return false;
    }
    for (; digits < 9; ++digits) {
      nanos *= 10;
    }
  }
  if (pos < s.size() && s[pos] == ' ') {
    ++pos;
  }
  const std::string_view zone = s.substr(pos);
  std::chrono::minutes offset{0};
  if (!zone.empty() && zone != "UTC" && zone != "GMT" && zone != "Z") {
    if (zone[0] != '+' && zone[0] != '-') {
      return false;
    }
    int offset_hours = 0;
    int offset_minutes = 0;
    if (!ReadNumber(zone, 1, 2, offset_hours)) {
      return false;
    }
    const std::string_view rest = zone.substr(3);
    const bool minutes_ok =
        rest.empty() || (rest.size() == 2 && ReadNumber(rest, 0, 2, offset_minutes)) ||
        (rest.size() == 3 && rest[0] == ':' && ReadNumber(rest, 1, 2, offset_minutes));
    if (!minutes_ok || offset_hours > 23 || offset_minutes > 59) {
      return false;
    }
    offset = std::chrono::minutes(offset_hours * 60 + offset_minutes);
    if (zone[0] == '-') {
      offset = -offset;
    }
  }
  out = std::chrono::hours(hours) + std::chrono::minutes(minutes) + std::chrono::seconds(seconds) +
        std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(nanos)) - offset;
  return true;
}

// The date part of the last date read and its day: settlement files repeat
// the same few days on thousands of rows.
struct DateCache {
  std::array<char, 10> text{};
  std::size_t size = 0;
  std::chrono::sys_days day{};
};

// Years a TimePoint (nanoseconds since 1970 in 64 bits) holds with room.
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2200;

bool ParseDateTime(std::string_view text, DateCache& cache, TimePoint& out) {
  const std::string_view s = TrimSpaces(text);
  int year = 0;
  int month = 0;
  int day = 0;
  std::size_t date_size = 0;
  if (s.size() >= 10 &&
      ((s[4] == '-' && s[7] == '-') || (s[2] == '.' && s[5] == '.'))) {  // yyyy-mm-dd, dd.mm.yyyy
    date_size = 10;
  } else if (s.size() >= 8 && s[2] == '/' && s[5] == '/') {  // MM/DD/YY or MM/DD/YYYY
    date_size = s.size() >= 10 && IsDigit(s[8]) && IsDigit(s[9]) ? 10 : 8;
  } else {
    return false;
  }
  const std::string_view date = s.substr(0, date_size);
  std::chrono::sys_days days{};
  if (cache.size == date_size && std::equal(date.begin(), date.end(), cache.text.begin())) {
    days = cache.day;
  } else {
    bool read = false;
    if (s[4] == '-') {
      read = ReadNumber(s, 0, 4, year) && ReadNumber(s, 5, 2, month) && ReadNumber(s, 8, 2, day);
    } else if (s[2] == '.') {
      read = ReadNumber(s, 0, 2, day) && ReadNumber(s, 3, 2, month) && ReadNumber(s, 6, 4, year);
    } else {
      read = ReadNumber(s, 0, 2, month) && ReadNumber(s, 3, 2, day) &&
             ReadNumber(s, 6, date_size - 6, year);
      if (read && date_size == 8) {
        year += 2000;
      }
    }
    if (!read || year < kMinYear || year > kMaxYear) {
      return false;
    }
    const std::chrono::year_month_day ymd{std::chrono::year{year},
                                          std::chrono::month{static_cast<unsigned>(month)},
                                          std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) {
      return false;
    }
    days = std::chrono::sys_days{ymd};
    std::copy(date.begin(), date.end(), cache.text.begin());
    cache.size = date_size;
    cache.day = days;
  }
  const std::string_view rest = s.substr(date_size);
  Duration time_of_day{0};
  if (!rest.empty()) {
    if ((rest[0] != ' ' && rest[0] != 'T') || !ParseTimeOfDay(rest.substr(1), time_of_day)) {
      return false;
    }
  }
  out = TimePoint{days} + time_of_day;
  return true;
}

// Reads a quantity: blank is 0.
bool ParseQuantity(std::string_view text, int& out) {
  std::string_view s = TrimSpaces(text);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
    if (s.empty()) {
      return false;
    }
  }
  constexpr std::size_t kMaxDigits = 9;
  if (s.size() > kMaxDigits) {
    return false;
  }
  int value = 0;
  for (const char c : s) {
    if (!IsDigit(c)) {
      return false;
    }
    value = value * 10 + DigitValue(c);
  }
  out = negative ? -value : value;
  return true;
}

}  // namespace

std::string_view TextEncodingName(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kAuto:
      return "auto";
    case TextEncoding::kUtf8:
      return "utf-8";
    case TextEncoding::kLatin1:
      return "iso-8859-1";
    case TextEncoding::kWindows1252:
      return "windows-1252";
    case TextEncoding::kShiftJis:
      break;
  }
  return "shift_jis";
}

Result<TextEncoding> ParseTextEncoding(std::string_view name) {
  constexpr std::array<std::pair<std::string_view, TextEncoding>, 10> kNames = {{
      {"auto", TextEncoding::kAuto},
      {"utf-8", TextEncoding::kUtf8},
      {"utf8", TextEncoding::kUtf8},
      {"iso-8859-1", TextEncoding::kLatin1},
      {"latin1", TextEncoding::kLatin1},
      {"windows-1252", TextEncoding::kWindows1252},
      {"cp1252", TextEncoding::kWindows1252},
      {"shift_jis", TextEncoding::kShiftJis},
      {"cp932", TextEncoding::kShiftJis},
      {"sjis", TextEncoding::kShiftJis},
  }};
  for (const auto& [known, encoding] : kNames) {
    if (EqualsIgnoreCase(name, known)) {
      return encoding;
    }
  }
  return InvalidArgumentError(fmt::format(
      "text encoding '{}' is not one of auto, utf-8, iso-8859-1, windows-1252, shift_jis", name));
}

class SettlementParser::Impl {
 public:
  Impl(ParseOptions options, RowHandler on_row)
      : options_(options), on_row_(std::move(on_row)), encoding_(options.encoding) {
    column_.fill(kAbsent);
  }
  ~Impl() {
    if (iconv_ != nullptr) {
      iconv_close(iconv_);
    }
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status Feed(std::string_view bytes);
  Status Finish();

  const SettlementSummary& Summary() const { return summary_; }
  const std::vector<RowProblem>& Problems() const { return problems_; }
  std::int64_t ProblemCount() const { return problem_count_; }
  std::int64_t RowCount() const { return row_count_; }
  std::int64_t BytesRead() const { return bytes_read_; }
  TextEncoding Encoding() const { return encoding_; }

 private:
  Status Line(std::string_view line);
  Result<std::string_view> Decode(std::string_view line);
  Result<std::string_view> ConvertShiftJis(std::string_view line);
  TextEncoding LegacyEncodingFor(std::string_view line) const;
  Status ReadHeader(std::string_view line);
  void ReadRow(std::string_view line);
  void ReadSummary();
  bool ReadPosted(TimePoint& posted);
  std::size_t Split(std::string_view line);
  std::string_view Field(Column column) const {
    const std::size_t index = column_[Index(column)];
    return index < field_count_ ? fields_[index] : std::string_view();
  }
  bool Reached(Column column) const { return column_[Index(column)] < field_count_; }
  bool InHeader(Column column) const { return column_[Index(column)] != kAbsent; }
  void Problem(std::string message);
  void TooFewColumns(Column missing);
  void AmountProblem(Column column, std::string_view value, AmountError error);

  const ParseOptions options_;
  const RowHandler on_row_;
  Status status_;  // The first error; every later Feed returns it.
  bool finished_ = false;
  std::string partial_;  // The current line while its end has not arrived.
  std::string decoded_;  // The current line in UTF-8 when it was not.
  std::int64_t line_ = 0;
  std::int64_t bytes_read_ = 0;
  TextEncoding encoding_;
  iconv_t iconv_ = nullptr;  // CP932 to UTF-8, opened when first needed.

  bool header_seen_ = false;
  std::array<std::size_t, kColumnCount> column_{};  // Field index of each column, or kAbsent.
  std::size_t header_columns_ = 0;
  std::vector<std::string_view> fields_;  // Of the current row, as far as a known column.
  std::size_t field_count_ = 0;

  bool summary_seen_ = false;
  SettlementSummary summary_;
  SettlementRow row_;
  DateCache dates_;
  std::vector<RowProblem> problems_;
  std::int64_t problem_count_ = 0;
  std::int64_t row_count_ = 0;
};

Status SettlementParser::Impl::Feed(std::string_view bytes) {
  assert(!finished_ && "SettlementParser::Feed after Finish");
  if (!status_.ok() || bytes.empty()) {
    return status_;
  }
  bytes_read_ += static_cast<std::int64_t>(bytes.size());
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (!partial_.empty()) {
    const auto* newline = static_cast<const char*>(std::memchr(p, '\n', bytes.size()));
    if (newline == nullptr) {
      if (partial_.size() + bytes.size() > kMaxLineBytes) {
        status_ = InvalidArgumentError(fmt::format(
            "settlement file line {} is longer than {} bytes", line_ + 1, kMaxLineBytes));
        return status_;
      }
      partial_.append(bytes);
      return status_;
    }
    partial_.append(p, newline);
    p = newline + 1;
    Status status = Line(partial_);
    partial_.clear();
    if (!status.ok()) {
      status_ = std::move(status);
      return status_;
    }
  }
  while (p != end) {
    const auto remaining = static_cast<std::size_t>(end - p);
    const auto* newline = static_cast<const char*>(std::memchr(p, '\n', remaining));
    if (newline == nullptr) {
      if (remaining > kMaxLineBytes) {
        status_ = InvalidArgumentError(fmt::format(
            "settlement file line {} is longer than {} bytes", line_ + 1, kMaxLineBytes));
        return status_;
      }
      partial_.assign(p, remaining);
      break;
    }
    Status status = Line(std::string_view(p, static_cast<std::size_t>(newline - p)));
    if (!status.ok()) {
      status_ = std::move(status);
      return status_;
    }
    p = newline + 1;
  }
  return status_;
}

Status SettlementParser::Impl::Finish() {
  assert(!finished_ && "SettlementParser::Finish called twice");
  finished_ = true;
  if (!status_.ok()) {
    return status_;
  }
  if (!partial_.empty()) {
    status_ = Line(partial_);
    partial_.clear();
    RETURN_IF_ERROR(status_);
  }
  if (encoding_ == TextEncoding::kAuto) {
    encoding_ = TextEncoding::kUtf8;  // Nothing in the file was anything but UTF-8.
  }
  if (!header_seen_) {
    status_ = InvalidArgumentError("settlement file has no header row");
  } else if (!summary_seen_) {
    status_ = InvalidArgumentError(
        "settlement file has no summary row (the first data row, with a blank transaction-type, "
        "giving settlement-id, total-amount and currency)");
  }
  return status_;
}

Status SettlementParser::Impl::Line(std::string_view line) {
  ++line_;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line_ == 1 && line.starts_with(kBom)) {
    line.remove_prefix(kBom.size());
    if (options_.encoding == TextEncoding::kAuto) {
      encoding_ = TextEncoding::kUtf8;
    }
  }
  if (line.empty()) {
    return Status::Ok();
  }
  if (HasHighBytes(line)) {
    ASSIGN_OR_RETURN(line, Decode(line));
  }
  if (!header_seen_) {
    return ReadHeader(line);
  }
  ReadRow(line);
  return Status::Ok();
}

TextEncoding SettlementParser::Impl::LegacyEncodingFor(std::string_view line) const {
  std::string_view currency = summary_.currency;
  if (!summary_seen_ && header_seen_) {
    // The line being decoded may be the summary row itself; its currency is
    // ASCII in every encoding.
    const std::size_t index = column_[Index(Column::kCurrency)];
    std::size_t start = 0;
    for (std::size_t i = 0; i < index && start != std::string_view::npos; ++i) {
      start = line.find('\t', start);
      start = start == std::string_view::npos ? start : start + 1;
    }
    if (start != std::string_view::npos) {
      currency = TrimSpaces(line.substr(start, line.find('\t', start) - start));
    }
  }
  return EqualsIgnoreCase(currency, "JPY") ? TextEncoding::kShiftJis : TextEncoding::kWindows1252;
}

Result<std::string_view> SettlementParser::Impl::Decode(std::string_view line) {
  switch (encoding_) {
    case TextEncoding::kAuto:
      if (IsValidUtf8(line)) {
        return line;
      }
      // Not UTF-8: a legacy code page, then, for the rest of the file.
      encoding_ = LegacyEncodingFor(line);
      break;
    case TextEncoding::kUtf8:
      if (IsValidUtf8(line)) {
        return line;
      }
      return InvalidArgumentError(fmt::format("settlement file line {} is not valid UTF-8", line_));
    case TextEncoding::kLatin1:
    case TextEncoding::kWindows1252:
    case TextEncoding::kShiftJis:
      break;
  }
  if (encoding_ == TextEncoding::kShiftJis) {
    return ConvertShiftJis(line);
  }
  decoded_.clear();
  for (const char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      decoded_.push_back(c);
    } else if (byte < 0xA0 && encoding_ == TextEncoding::kWindows1252) {
      AppendUtf8(decoded_, kWindows1252High[byte - 0x80U]);
    } else {
      AppendUtf8(decoded_, byte);
    }
  }
  return std::string_view(decoded_);
}

Result<std::string_view> SettlementParser::Impl::ConvertShiftJis(std::string_view line) {
  if (iconv_ == nullptr) {
    iconv_t opened = iconv_open("UTF-8", "CP932");
    // iconv_open fails with (iconv_t)-1.
    if (reinterpret_cast<std::intptr_t>(opened) == -1) {
      return InternalError("iconv on this system cannot convert CP932 to UTF-8");
    }
    iconv_ = opened;
  }
  // A CP932 character of one or two bytes is at most three bytes of UTF-8.
  decoded_.resize(line.size() * 3);
  char* in = const_cast<char*>(line.data());  // iconv's signature; it does not write.
  std::size_t in_left = line.size();
  char* out = decoded_.data();
  std::size_t out_left = decoded_.size();
  iconv(iconv_, nullptr, nullptr, nullptr, nullptr);
  if (iconv(iconv_, &in, &in_left, &out, &out_left) == static_cast<std::size_t>(-1)) {
    return InvalidArgumentError(
        fmt::format("settlement file line {} is not valid Shift_JIS at byte {}", line_,
                    line.size() - in_left + 1));
  }
  decoded_.resize(decoded_.size() - out_left);
  return std::string_view(decoded_);
}

Status SettlementParser::Impl::ReadHeader(std::string_view line) {
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    return Status::Ok();
  }
  std::size_t index = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    std::string_view name = TrimSpaces(line.substr(start, tab - start));
    if (name.starts_with(kBom)) {
      name = TrimSpaces(name.substr(kBom.size()));
    }
    for (std::size_t c = 0; c < kColumnCount; ++c) {
      if (column_[c] == kAbsent && EqualsIgnoreCase(name, kColumnNames[c])) {
        column_[c] = index;
        break;
      }
    }
    ++index;
    if (tab == std::string_view::npos) {
      break;
    }
    start = tab + 1;
  }
  header_columns_ = index;

  std::string missing;
  for (const Column required :
       {Column::kSettlementId, Column::kTotalAmount, Column::kCurrency, Column::kTransactionType,
        Column::kAmountType, Column::kAmountDescription, Column::kAmount}) {
    if (!InHeader(required)) {
      fmt::format_to(std::back_inserter(missing), "{}{}", missing.empty() ? "" : ", ",
                     NameOf(required));
    }
  }
  if (!InHeader(Column::kPostedDateTime) && !InHeader(Column::kPostedDate)) {
    fmt::format_to(std::back_inserter(missing), "{}posted-date-time or posted-date",
                   missing.empty() ? "" : ", ");
  }
  if (!missing.empty()) {
    return InvalidArgumentError(fmt::format(
        "settlement file header (line {}) lacks the required column(s) {}", line_, missing));
  }
  std::size_t needed = 0;
  for (const std::size_t column_index : column_) {
    if (column_index != kAbsent) {
      needed = std::max(needed, column_index + 1);
    }
  }
  fields_.assign(needed, std::string_view());
  header_seen_ = true;
  return Status::Ok();
}

std::size_t SettlementParser::Impl::Split(std::string_view line) {
  // Fields after the last known column are never looked at, so they are not
  // split. Tabs are found eight bytes at a time: fields are short, and a
  // memchr call per field costs more than the scan.
  const std::size_t needed = fields_.size();
  const char* const p = line.data();
  const std::size_t n = line.size();
  std::size_t count = 0;
  std::size_t start = 0;
  std::size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t kTabs = 0x0909090909090909ULL;
    constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p + i, 8);
      const std::uint64_t x = word ^ kTabs;
      // The high bit of each byte that was a tab, exactly (no borrow across
      // bytes, unlike the shorter haszero trick).
      std::uint64_t tabs = ~(((x & kLow7) + kLow7) | x | kLow7);
      while (tabs != 0) {
        const std::size_t tab = i + static_cast<std::size_t>(std::countr_zero(tabs)) / 8;
        fields_[count++] = std::string_view(p + start, tab - start);
        start = tab + 1;
        if (count == needed) {
          return count;
        }
        tabs &= tabs - 1;
      }
    }
  }
  for (; i < n; ++i) {
    if (p[i] == '\t') {
      fields_[count++] = std::string_view(p + start, i - start);
      start = i + 1;
      if (count == needed) {
        return count;
      }
    }
  }
  fields_[count++] = std::string_view(p + start, n - start);
  return count;
}

void SettlementParser::Impl::Problem(std::string message) {
  ++problem_count_;
  if (problems_.size() < options_.max_problems) {
    problems_.push_back({line_, fmt::format("line {}: {}", line_, message)});
  }
}

void SettlementParser::Impl::TooFewColumns(Column missing) {
  Problem(fmt::format("too few columns ({} of {}): {} is missing", field_count_, header_columns_,
                      NameOf(missing)));
}

void SettlementParser::Impl::AmountProblem(Column column, std::string_view value,
                                           AmountError error) {
  switch (error) {
    case AmountError::kEmpty:
      Problem(fmt::format("{} is empty", NameOf(column)));
      return;
    case AmountError::kTooManyDecimals:
      Problem(fmt::format("{} {} has more decimal places than {} allows", NameOf(column),
                          Quoted(value), summary_.currency));
      return;
    case AmountError::kOutOfRange:
      Problem(fmt::format("{} {} is out of range", NameOf(column), Quoted(value)));
      return;
    case AmountError::kNone:
    case AmountError::kNotNumber:
      break;
  }
  Problem(fmt::format("{} {} is not a number", NameOf(column), Quoted(value)));
}

void SettlementParser::Impl::ReadRow(std::string_view line) {
  if ((line.front() == '\t' || line.front() == ' ') &&
      line.find_first_not_of(" \t") == std::string_view::npos) {
    return;  // A blank line that kept its tabs.
  }
  field_count_ = Split(line);
  const std::string_view transaction_type = Field(Column::kTransactionType);
  if (transaction_type.empty()) {
    if (!summary_seen_) {
      ReadSummary();
    } else if (!Reached(Column::kTransactionType)) {
      TooFewColumns(Column::kTransactionType);
    } else if (!Field(Column::kAmount).empty()) {
      Problem("row has an amount but no transaction-type");
    } else {
      Problem("row has no transaction-type and is not the summary row");
    }
    return;
  }
  if (!summary_seen_) {
    Problem("transaction row before the summary row (currency unknown)");
    return;
  }
  for (const Column required : {Column::kAmountType, Column::kAmountDescription, Column::kAmount}) {
    if (!Reached(required)) {
      TooFewColumns(required);
      return;
    }
  }
  const std::string_view amount = Field(Column::kAmount);
  const AmountError amount_error = ParseAmount(amount, summary_.minor_digits, row_.amount_minor);
  if (amount_error != AmountError::kNone) {
    AmountProblem(Column::kAmount, amount, amount_error);
    return;
  }
  if (!ReadPosted(row_.posted)) {
    return;
  }
  const std::string_view quantity = Field(Column::kQuantityPurchased);
  if (!ParseQuantity(quantity, row_.quantity)) {
    Problem(fmt::format("quantity-purchased {} is not a whole number", Quoted(quantity)));
    return;
  }
  row_.line = line_;
  row_.settlement_id = Field(Column::kSettlementId);
  row_.transaction_type = transaction_type;
  row_.order_id = Field(Column::kOrderId);
  row_.merchant_order_id = Field(Column::kMerchantOrderId);
  row_.adjustment_id = Field(Column::kAdjustmentId);
  row_.shipment_id = Field(Column::kShipmentId);
  row_.marketplace_name = Field(Column::kMarketplaceName);
  row_.amount_type = Field(Column::kAmountType);
  row_.amount_description = Field(Column::kAmountDescription);
  row_.fulfillment_id = Field(Column::kFulfillmentId);
  row_.order_item_code = Field(Column::kOrderItemCode);
  row_.merchant_order_item_id = Field(Column::kMerchantOrderItemId);
  row_.merchant_adjustment_item_id = Field(Column::kMerchantAdjustmentItemId);
  row_.sku = Field(Column::kSku);
  row_.promotion_id = Field(Column::kPromotionId);
  ++row_count_;
  on_row_(row_);
}

bool SettlementParser::Impl::ReadPosted(TimePoint& posted) {
  for (const Column column : {Column::kPostedDateTime, Column::kPostedDate}) {
    const std::string_view value = Field(column);
    if (value.empty()) {
      continue;
    }
    if (!ParseDateTime(value, dates_, posted)) {
      Problem(fmt::format("{} {} is not a date", NameOf(column), Quoted(value)));
      return false;
    }
    return true;
  }
  if (!Reached(Column::kPostedDateTime) && !Reached(Column::kPostedDate)) {
    TooFewColumns(InHeader(Column::kPostedDateTime) ? Column::kPostedDateTime
                                                    : Column::kPostedDate);
  } else {
    Problem("posted-date-time and posted-date are both empty");
  }
  return false;
}

void SettlementParser::Impl::ReadSummary() {
  for (const Column required : {Column::kSettlementId, Column::kTotalAmount, Column::kCurrency}) {
    if (!Reached(required)) {
      TooFewColumns(required);
      return;
    }
  }
  summary_seen_ = true;
  summary_.line = line_;
  summary_.settlement_id = std::string(TrimSpaces(Field(Column::kSettlementId)));
  summary_.currency = std::string(TrimSpaces(Field(Column::kCurrency)));
  std::transform(summary_.currency.begin(), summary_.currency.end(), summary_.currency.begin(),
                 AsciiUpper);
  summary_.minor_digits = domain::CurrencyExponent(summary_.currency);
  if (summary_.currency.empty()) {
    Problem("currency of the summary row is empty");
  }
  const std::array<std::pair<Column, std::optional<TimePoint>*>, 3> dates = {{
      {Column::kStartDate, &summary_.start},
      {Column::kEndDate, &summary_.end},
      {Column::kDepositDate, &summary_.deposit_date},
  }};
  for (const auto& [column, date] : dates) {
    const std::string_view value = TrimSpaces(Field(column));
    if (value.empty()) {
      continue;
    }
    TimePoint time;
    if (ParseDateTime(value, dates_, time)) {
      *date = time;
    } else {
      Problem(fmt::format("{} {} is not a date", NameOf(column), Quoted(value)));
    }
  }
  const std::string_view total = Field(Column::kTotalAmount);
  const AmountError error = ParseAmount(total, summary_.minor_digits, summary_.total_minor);
  if (error != AmountError::kNone) {
    AmountProblem(Column::kTotalAmount, total, error);
  }
}

SettlementParser::SettlementParser(ParseOptions options, RowHandler on_row)
    : impl_(std::make_unique<Impl>(options, std::move(on_row))) {}

SettlementParser::~SettlementParser() = default;

Status SettlementParser::Feed(std::string_view bytes) { return impl_->Feed(bytes); }
Status SettlementParser::Finish() { return impl_->Finish(); }
const SettlementSummary& SettlementParser::Summary() const { return impl_->Summary(); }
const std::vector<RowProblem>& SettlementParser::Problems() const { return impl_->Problems(); }
std::int64_t SettlementParser::ProblemCount() const { return impl_->ProblemCount(); }
std::int64_t SettlementParser::RowCount() const { return impl_->RowCount(); }
std::int64_t SettlementParser::BytesRead() const { return impl_->BytesRead(); }
TextEncoding SettlementParser::Encoding() const { return impl_->Encoding(); }

Status ParseSettlementText(std::string_view text, SettlementParser& parser) {
  RETURN_IF_ERROR(parser.Feed(text));
  return parser.Finish();
}

}  // namespace sellerbridge::finance
