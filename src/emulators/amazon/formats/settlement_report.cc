#include "emulators/amazon/formats/settlement_report.h"

#include <fmt/format.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstdint>

#include "base/marketplace.h"

namespace sellerbridge::emulators::amazon {
namespace {

constexpr std::array<std::string_view, 23> kColumns = {"settlement-id",
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
                                                       "quantity-purchased"};
// Some settlement files carry this trailing column; it is written only when a
// line has a promotion id, and readers find columns by header name.
constexpr std::string_view kPromotionColumn = "promotion-id";

// Marketplaces whose reports write "95,00" rather than "95.00".
constexpr std::array<std::string_view, 10> kCommaDecimalCountries = {"DE", "FR", "IT", "ES", "NL",
                                                                     "BE", "SE", "PL", "TR", "BR"};

// ISO 4217 currencies without minor units among Amazon's marketplaces.
constexpr std::array<std::string_view, 1> kZeroDecimalCurrencies = {"JPY"};

bool ZeroDecimals(std::string_view currency) {
  return std::find(kZeroDecimalCurrencies.begin(), kZeroDecimalCurrencies.end(), currency) !=
         kZeroDecimalCurrencies.end();
}

// `digits` with `separator` between groups of three, from the right.
std::string Grouped(const std::string& digits, char separator) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out.push_back(separator);
    }
    out.push_back(digits[i]);
  }
  return out;
}

std::string FormatAmount(std::int64_t minor, std::string_view currency, NumberFormat format,
                         bool thousands_separator) {
  // Computed on the magnitude as unsigned, so that INT64_MIN has no overflow.
  const bool negative = minor < 0;
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  const bool comma = format == NumberFormat::kCommaDecimal;
  const bool zero_decimals = ZeroDecimals(currency);
  std::string units = std::to_string(zero_decimals ? magnitude : magnitude / 100);
  if (thousands_separator) {
    units = Grouped(units, comma ? '.' : ',');
  }
  if (zero_decimals) {
    return fmt::format("{}{}", negative ? "-" : "", units);
  }
  return fmt::format("{}{}{}{:02}", negative ? "-" : "", units, comma ? ',' : '.', magnitude % 100);
}

// What a damaged amount looks like: its digits broken up by stray commas and
// a letter, so that no reading of it (decimal comma or point, thousands
// separators, a number prefix) gives the real amount.
std::string DamagedAmount(std::int64_t minor, std::string_view currency) {
  const std::string written = FormatAmount(minor, currency, NumberFormat::kDotDecimal, false);
  std::string digits;
  for (const char c : written) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    }
  }
  return fmt::format("{}{},{},x", minor < 0 ? "-" : "", digits.substr(0, 1), digits.substr(1));
}

// Amazon's settlement documentation gives "YYYY-MM-DD HH:MM:SS UTC" for
// date-times and "MM/DD/YY" for posted-date, and names only amounts as
// differing between marketplaces; other date formats are opted into through
// SettlementFileStyle.
struct CivilTime {
  int year;
  unsigned month;
  unsigned day;
  long long hours;
  long long minutes;
  long long seconds;
};

CivilTime ToCivil(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{seconds - day};
  return {static_cast<int>(ymd.year()),
          static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()),
          hms.hours().count(),
          hms.minutes().count(),
          hms.seconds().count()};
}

std::string FormatDateTime(TimePoint t, SettlementDateFormat date_format) {
  const CivilTime c = ToCivil(t);
  switch (date_format) {
    case SettlementDateFormat::kDotted:
      return fmt::format("{:02}.{:02}.{:04} {:02}:{:02}:{:02} UTC", c.day, c.month, c.year, c.hours,
                         c.minutes, c.seconds);
    case SettlementDateFormat::kIso8601:
      return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", c.year, c.month, c.day,
                         c.hours, c.minutes, c.seconds);
    case SettlementDateFormat::kUtc:
      break;
  }
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", c.year, c.month, c.day, c.hours,
                     c.minutes, c.seconds);
}

std::string FormatPostedDate(TimePoint t, SettlementDateFormat date_format) {
  const CivilTime c = ToCivil(t);
  if (date_format == SettlementDateFormat::kDotted) {
    return fmt::format("{:02}.{:02}.{:04}", c.day, c.month, c.year);
  }
  return fmt::format("{:02}/{:02}/{:02}", c.month, c.day, ((c.year % 100) + 100) % 100);
}

// glibc's names. Amazon.co.jp's "Shift_JIS" files are code page 932, which
// unlike strict Shift_JIS keeps backslash and tilde as in ASCII.
const char* IconvName(DocumentEncoding encoding) {
  switch (encoding) {
    case DocumentEncoding::kLatin1:
      return "ISO-8859-1";
    case DocumentEncoding::kWindows1252:
      return "WINDOWS-1252";
    case DocumentEncoding::kShiftJis:
      return "CP932";
    case DocumentEncoding::kUtf8:
      break;
  }
  return "UTF-8";
}

// The length of the UTF-8 sequence `lead` starts; 1 for a byte that starts none.
size_t Utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF7) {
    return 4;
  }
  if (lead >= 0xE0) {
    return lead <= 0xEF ? 3 : 1;
  }
  return lead >= 0xC0 ? 2 : 1;
}

// A tab or line break inside a value would shift every later column.
std::string Field(std::string_view text) {
  std::string field(text);
  for (char& c : field) {
    if (c == '\t' || c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return field;
}

void AppendRow(std::string& out, const std::vector<std::string>& fields, LineEnd line_end) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      out.push_back('\t');
    }
    out += fields[i];
  }
  out += line_end == LineEnd::kCrLf ? "\r\n" : "\n";
}

}  // namespace

NumberFormat NumberFormatOf(std::string_view marketplace_id) {
  const Marketplace* marketplace = FindMarketplace(marketplace_id);
  if (marketplace == nullptr) {
    return NumberFormat::kDotDecimal;
  }
  const bool comma = std::find(kCommaDecimalCountries.begin(), kCommaDecimalCountries.end(),
                               marketplace->country_code) != kCommaDecimalCountries.end();
  return comma ? NumberFormat::kCommaDecimal : NumberFormat::kDotDecimal;
}

int CurrencyDecimals(std::string_view currency) { return ZeroDecimals(currency) ? 0 : 2; }

std::string WriteSettlementFlatFile(const Settlement& settlement, NumberFormat format,
                                    const SettlementFileStyle& style) {
  assert(!style.byte_order_mark || style.encoding == DocumentEncoding::kUtf8);
  std::vector<bool> damaged(settlement.lines.size(), false);
  for (const std::size_t index : style.damaged_lines) {
    assert(index < damaged.size());
    damaged[index] = true;
  }
  bool has_promotions = false;
  std::int64_t total = 0;
  for (const SettlementLine& line : settlement.lines) {
    has_promotions = has_promotions || !line.promotion_id.empty();
    total += line.amount_minor;
  }
  const size_t width = kColumns.size() + (has_promotions ? 1 : 0);
  const auto amount = [&](std::int64_t minor) {
    return FormatAmount(minor, settlement.currency, format, style.thousands_separator);
  };
  const auto date_time = [&](TimePoint t) { return FormatDateTime(t, style.date_format); };

  std::string out = style.byte_order_mark ? "\xEF\xBB\xBF" : "";
  std::vector<std::string> row(kColumns.begin(), kColumns.end());
  if (has_promotions) {
    row.emplace_back(kPromotionColumn);
  }
  AppendRow(out, row, style.line_end);

  row.assign(width, "");
  row[0] = Field(settlement.settlement_id);
  row[1] = date_time(settlement.start_date);
  row[2] = date_time(settlement.end_date);
  row[3] = date_time(settlement.deposit_date);
  row[4] = amount(total);
  row[5] = Field(settlement.currency);
  AppendRow(out, row, style.line_end);

  for (size_t i = 0; i < settlement.lines.size(); ++i) {
    const SettlementLine& line = settlement.lines[i];
    row.assign(width, "");
    row[0] = Field(settlement.settlement_id);
    row[6] = Field(line.transaction_type);
    row[7] = Field(line.order_id);
    row[8] = Field(line.merchant_order_id);
    row[9] = Field(line.adjustment_id);
    row[10] = Field(line.shipment_id);
    row[11] = Field(line.marketplace_name);
    row[12] = Field(line.amount_type);
    row[13] = Field(line.amount_description);
    row[14] = damaged[i] ? DamagedAmount(line.amount_minor, settlement.currency)
                         : amount(line.amount_minor);
    row[15] = Field(line.fulfillment_id);
    row[16] = FormatPostedDate(line.posted_date, style.date_format);
    row[17] = date_time(line.posted_date);
    row[18] = Field(line.order_item_code);
    row[19] = Field(line.merchant_order_item_id);
    row[20] = Field(line.merchant_adjustment_item_id);
    row[21] = Field(line.sku);
    // Fee and transfer rows leave the quantity blank rather than writing 0.
    row[22] = line.quantity_purchased == 0 ? "" : std::to_string(line.quantity_purchased);
    if (has_promotions) {
      row[23] = Field(line.promotion_id);
    }
    AppendRow(out, row, style.line_end);
  }
  return TranscodeUtf8(out, style.encoding);
}

std::string TranscodeUtf8(std::string_view utf8, DocumentEncoding encoding) {
  if (encoding == DocumentEncoding::kUtf8) {
    return std::string(utf8);
  }
  iconv_t converter = iconv_open(IconvName(encoding), "UTF-8");
  // glibc ships every converter IconvName names.
  assert(reinterpret_cast<std::intptr_t>(converter) != -1);
  // Every encoding here needs at most as many bytes per character as UTF-8.
  std::string out(utf8.size(), '\0');
  // iconv's interface predates const; it does not write through `in`.
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* next = out.data();
  size_t out_left = out.size();
  while (in_left > 0) {
    if (iconv(converter, &in, &in_left, &next, &out_left) != static_cast<size_t>(-1)) {
      break;
    }
    // EILSEQ: a character without a representation or a byte that is not
    // UTF-8; EINVAL: a sequence cut short by the end of the text.
    assert(errno == EILSEQ || errno == EINVAL);
    const size_t skip = std::min(in_left, Utf8SequenceLength(static_cast<unsigned char>(*in)));
    in += skip;
    in_left -= skip;
    *next++ = '?';
    --out_left;
  }
  iconv_close(converter);
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace sellerbridge::emulators::amazon
